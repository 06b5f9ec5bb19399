package etcd_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"go.etcd.io/raft/v3"

	"raftty/engine"
	"raftty/engine/enginetest"
	"raftty/engine/etcd"
	"raftty/engine/textbook"
	raftty "raftty/raft"
)

const ms = time.Millisecond

func timing(min, max, heartbeat time.Duration) engine.Timing {
	return engine.Timing{ElectionMin: min, ElectionMax: max, Heartbeat: heartbeat}
}

func TestTicks(t *testing.T) {
	for _, tc := range []struct {
		tick                time.Duration
		timing              engine.Timing
		election, heartbeat int
		err                 string
	}{
		{0, timing(150*ms, 300*ms, 50*ms), 15, 5, ""},
		{100 * ms, timing(time.Second, 2*time.Second, 100*ms), 10, 1, ""},
		{ms, timing(150*ms, 300*ms, 50*ms), 150, 50, ""},
		{0, timing(150*ms, 151*ms, 50*ms), 0, 0, "150ms-151ms has no etcd shape: etcd draws from [ElectionTick, 2*ElectionTick-1] ticks, so the range must be A-2A (150ms-300ms is 15-29 ticks of 10ms)"},
		{0, timing(150*ms, 150*ms, 50*ms), 0, 0, "has no etcd shape"},
		{0, timing(155*ms, 310*ms, 50*ms), 0, 0, "election timeout 155ms is not a whole number of 10ms ticks"},
		{0, timing(150*ms, 300*ms, 55*ms), 0, 0, "heartbeat 55ms is not a whole number of 10ms ticks"},
		{0, timing(150*ms, 300*ms, 150*ms), 0, 0, "etcd requires ElectionTick > HeartbeatTick"},
		{0, timing(0, 0, 50*ms), 0, 0, "must be positive"},
	} {
		e, h, err := etcd.Engine{Tick: tc.tick}.Ticks(tc.timing)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%v at tick %v: %v", tc.timing, tc.tick, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%v at tick %v: error %v, want one saying %q", tc.timing, tc.tick, err, tc.err)
		case e != tc.election || h != tc.heartbeat:
			t.Errorf("%v at tick %v: ticks %d, %d; want %d, %d", tc.timing, tc.tick, e, h, tc.election, tc.heartbeat)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("error %q is more than one line", err)
		}
	}
}

// TestTimeoutsFromTheNodesStream: every randomized timeout is in
// [ElectionTick, 2*ElectionTick-1], each of those values comes up, and the
// node's stream alone decides which.
func TestTimeoutsFromTheNodesStream(t *testing.T) {
	cfg := engine.Config{ID: 1, Peers: []engine.NodeID{1, 2, 3}, Timing: timing(150*ms, 300*ms, 50*ms)}
	seen := map[int]bool{}
	for seed := range uint64(300) {
		var first int
		for range 2 {
			cfg.Rand = rand.New(rand.NewPCG(seed, 1))
			n, err := etcd.Engine{}.New(cfg, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			r := n.Status().Ticks.RandomizedElectionTick
			if first != 0 && r != first {
				t.Fatalf("seed %d drew %d, then %d", seed, first, r)
			}
			first = r
		}
		seen[first] = true
	}
	for k := 15; k <= 29; k++ {
		if !seen[k] {
			t.Errorf("no node drew %d ticks", k)
		}
	}
	if len(seen) != 15 {
		t.Errorf("drew %d distinct timeouts, want the 15 of [15, 29]", len(seen))
	}
}

func sim(t *testing.T, n int, seed uint64, cfg engine.Config) *enginetest.Sim {
	t.Helper()
	if cfg.ElectionMin == 0 {
		cfg.Timing = timing(150*ms, 300*ms, 50*ms)
	}
	s, err := enginetest.New(etcd.Engine{}, n, seed, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// find returns the events after from that match.
func find(s *enginetest.Sim, from time.Duration, match func(engine.Event) bool) []enginetest.Event {
	var out []enginetest.Event
	for _, e := range s.Events() {
		if e.At >= from && match(e.Event) {
			out = append(out, e)
		}
	}
	return out
}

func TestElections(t *testing.T) {
	for _, opts := range []engine.Config{{}, {PreVote: true}, {CheckQuorum: true}, {PreVote: true, CheckQuorum: true}} {
		for _, n := range []int{1, 3, 5} {
			for seed := range uint64(5) {
				s := sim(t, n, seed, opts)
				s.RunFor(3 * time.Second)
				if l := s.Leaders(); len(l) != 1 {
					t.Errorf("%d nodes, prevote %v, checkquorum %v, seed %d: leaders %v", n, opts.PreVote, opts.CheckQuorum, seed, l)
				}
				if v := s.Violations(); len(v) > 0 {
					t.Error(v)
				}
			}
		}
	}
}

// TestLeaderKilled: with the leader killed every 10s and restarted a
// second later, etcd elects a new leader each time.
func TestLeaderKilled(t *testing.T) {
	s := sim(t, 5, 3, engine.Config{PreVote: true, CheckQuorum: true})
	for round := range 6 {
		s.RunFor(9 * time.Second)
		l := s.Leader()
		if l == engine.None {
			t.Fatalf("round %d: no leader at %v", round, s.Now())
		}
		s.Kill(l)
		s.RunFor(time.Second)
		if nl := s.Leader(); nl == engine.None || nl == l {
			t.Fatalf("round %d: leader %v a second after killing %v", round, nl, l)
		}
		if err := s.Restart(l); err != nil {
			t.Fatal(err)
		}
	}
	if v := s.Violations(); len(v) > 0 {
		t.Error(v)
	}
}

// TestVoteEventsCarryEtcdsWords: a vote names the candidate, the term asked
// for and etcd's own line.
func TestVoteEventsCarryEtcdsWords(t *testing.T) {
	s := sim(t, 3, 1, engine.Config{})
	s.RunFor(time.Second)
	votes := find(s, 0, func(e engine.Event) bool { return e.Kind == engine.EventVote })
	if len(votes) == 0 {
		t.Fatal("no vote events")
	}
	for _, v := range votes {
		if !strings.Contains(v.Reason, "cast MsgVote for") && !strings.Contains(v.Reason, "rejected MsgVote from") {
			t.Errorf("vote reason %q is not etcd's", v.Reason)
		}
		if v.Peer == engine.None || v.Peer == v.Node || v.Term == 0 || v.PreVote {
			t.Errorf("vote event %+v", v.Event)
		}
	}
	leaders := find(s, 0, func(e engine.Event) bool { return e.Kind == engine.EventState && e.Role == engine.Leader })
	if len(leaders) != 1 || !strings.Contains(leaders[0].Reason, "became leader at term") ||
		!strings.Contains(leaders[0].Reason, "votes and 0 vote rejections") {
		t.Errorf("leader events %+v", leaders)
	}
}

// TestLeaseIgnoresVotes: under CheckQuorum, a node that heard from its
// leader within the election timeout ignores a vote request of a higher
// term, and says so in etcd's words.
func TestLeaseIgnoresVotes(t *testing.T) {
	s := sim(t, 3, 2, engine.Config{CheckQuorum: true})
	s.RunFor(time.Second)
	leader := s.Leader()
	other := engine.NodeID(1)
	for other == leader {
		other++
	}
	s.Isolate(other, true)
	s.RunFor(time.Second) // its timer fires: it campaigns in vain, raising its term
	s.Isolate(other, false)
	at := s.Now()
	s.Campaign(other)
	s.RunFor(20 * ms)
	ignored := find(s, at, func(e engine.Event) bool {
		return e.Kind == engine.EventIgnore && e.Type == engine.EtcdVote && e.Peer == other
	})
	if len(ignored) == 0 {
		t.Fatalf("no vote ignored\n%s", s.Transcript())
	}
	for _, e := range ignored {
		if !strings.Contains(e.Reason, "ignored MsgVote from") || !strings.Contains(e.Reason, "lease is not expired (remaining ticks: ") {
			t.Errorf("reason %q", e.Reason)
		}
	}
}

// TestCampaignOnLeader: etcd's leader ignores a forced election.
func TestCampaignOnLeader(t *testing.T) {
	s := sim(t, 3, 1, engine.Config{})
	s.RunFor(time.Second)
	leader := s.Leader()
	term := s.Node(leader).Status().Term
	at := s.Now()
	s.Campaign(leader)
	got := find(s, at, func(engine.Event) bool { return true })
	if len(got) != 1 || got[0].Kind != engine.EventIgnore || got[0].Type != engine.EtcdHup ||
		got[0].Reason != "ignoring MsgHup because already leader" {
		t.Errorf("events %+v", got)
	}
	if st := s.Node(leader).Status(); st.Role != engine.Leader || st.Term != term {
		t.Errorf("leader became %v of term %d", st.Role, st.Term)
	}
}

// TestCampaign: a forced election is a timeout, then a (pre-)candidacy.
func TestCampaign(t *testing.T) {
	for _, preVote := range []bool{false, true} {
		s := sim(t, 3, 1, engine.Config{PreVote: preVote})
		s.RunFor(time.Second)
		id := s.Leader()%3 + 1
		at := s.Now()
		s.Campaign(id)
		got := find(s, at, func(e engine.Event) bool { return e.Node == id })
		want := engine.Candidate
		if preVote {
			want = engine.PreCandidate
		}
		if len(got) < 2 || got[0].Kind != engine.EventTimeout || got[1].Kind != engine.EventState || got[1].Role != want {
			t.Errorf("prevote %v: events %+v", preVote, got)
		}
	}
}

// TestKillKeepsStorage: a restarted node has the term, vote and log it died
// with, and catches up with what was committed while it was dead.
func TestKillKeepsStorage(t *testing.T) {
	s := sim(t, 3, 4, engine.Config{})
	s.RunFor(time.Second)
	leader := s.Leader()
	if err := s.Propose(leader, []byte("a")); err != nil {
		t.Fatal(err)
	}
	s.RunFor(100 * ms)
	before := s.Node(leader).HardState()
	if before.LastIndex < 2 || before.Commit < 2 {
		t.Fatalf("leader's hard state %+v: want the entry and etcd's empty entry, committed", before)
	}
	s.Kill(leader)
	s.RunFor(time.Second)
	if err := s.Restart(leader); err != nil {
		t.Fatal(err)
	}
	n := s.Node(leader)
	if after := n.HardState(); after != before {
		t.Errorf("restarted with %+v, died with %+v", after, before)
	}
	if st := n.Status(); st.Role != engine.Follower || st.Term != before.Term || st.VotedFor != before.VotedFor {
		t.Errorf("restarted as %v of term %d, vote %v", st.Role, st.Term, st.VotedFor)
	}
	s.RunFor(time.Second)
	if got, want := n.HardState().Commit, s.Node(s.Leader()).HardState().Commit; got != want {
		t.Errorf("restarted node committed %d, leader %d", got, want)
	}
}

// TestProposeThroughFollower: a follower forwards a proposal to its leader,
// which replicates it to everyone.
func TestProposeThroughFollower(t *testing.T) {
	s := sim(t, 3, 5, engine.Config{})
	s.RunFor(time.Second)
	follower := s.Leader()%3 + 1
	at := s.Now()
	if err := s.Propose(follower, []byte("x")); err != nil {
		t.Fatal(err)
	}
	s.RunFor(100 * ms)
	if !strings.Contains(s.Transcript(), "send n"+strings.TrimPrefix(follower.String(), "n")+" -> "+s.Leader().String()+" MsgProp") {
		t.Error("no MsgProp forwarded to the leader")
	}
	commits := find(s, at, func(e engine.Event) bool { return e.Kind == engine.EventCommit })
	committed := map[engine.NodeID]uint64{}
	for _, c := range commits {
		committed[c.Node] = c.Index
	}
	for id := engine.NodeID(1); id <= 3; id++ {
		if committed[id] != 2 {
			t.Errorf("%v committed %d, want 2: %v", id, committed[id], commits)
		}
	}
	// Peer is the leader a follower learnt the commit from, None on the
	// leader itself (engine.Event, as raft.EventCommit): the textbook
	// engine's leader says the same, and the two worlds of a comparison
	// see one commit, not two.
	for _, c := range commits {
		if want := map[bool]engine.NodeID{true: engine.None, false: s.Leader()}[c.Node == s.Leader()]; c.Peer != want {
			t.Errorf("%v's commit names %v as its source, want %v", c.Node, c.Peer, want)
		}
	}
}

// TestLog: every node's log holds the proposals, in order, and a log taken
// before stays as it was.
func TestLog(t *testing.T) {
	s := sim(t, 3, 6, engine.Config{})
	s.RunFor(time.Second)
	leader := s.Leader()
	before := s.Node(leader).Log()
	for _, d := range []string{"a", "b", "c"} {
		if err := s.Propose(leader, []byte(d)); err != nil {
			t.Fatal(err)
		}
	}
	s.RunFor(200 * ms)
	for id := engine.NodeID(1); id <= 3; id++ {
		log := s.Node(id).Log()
		if len(log) != 4 || string(log[1].Data) != "a" || string(log[3].Data) != "c" || log[0].Data != nil {
			t.Errorf("%v's log %+v: want the leader's empty entry, then a, b, c", id, log)
		}
	}
	if len(before) != 1 {
		t.Errorf("the log taken before the proposals became %+v", before)
	}
	if v := s.Violations(); len(v) > 0 {
		t.Error(v)
	}
}

// TestLogTruncated: entries a cut-off leader appended alone are replaced by
// the new leader's when it returns; its Log says so, and a log taken before
// stays as it was.
func TestLogTruncated(t *testing.T) {
	s := sim(t, 3, 7, engine.Config{})
	s.RunFor(time.Second)
	old := s.Leader()
	s.Isolate(old, true)
	for range 2 {
		if err := s.Propose(old, []byte("lost")); err != nil {
			t.Fatal(err)
		}
	}
	alone := s.Node(old).Log()
	s.RunFor(time.Second)
	leader := s.Leader()
	if leader == old || leader == engine.None {
		t.Fatalf("leader %v after cutting %v off", leader, old)
	}
	if err := s.Propose(leader, []byte("kept")); err != nil {
		t.Fatal(err)
	}
	s.RunFor(100 * ms)
	s.Isolate(old, false)
	s.RunFor(time.Second)
	got, want := s.Node(old).Log(), s.Node(s.Leader()).Log()
	if len(got) != len(want) || string(got[len(got)-1].Data) != "kept" {
		t.Errorf("the old leader's log %+v, the leader's %+v", got, want)
	}
	if len(alone) != 3 || string(alone[2].Data) != "lost" {
		t.Errorf("the log taken while alone became %+v", alone)
	}
	if v := s.Violations(); len(v) > 0 {
		t.Error(v)
	}
}

// TestProgress: a leader reads nextIndex and matchIndex per follower off
// etcd's progress tracker, in id order and without itself; a follower has
// none. A follower cut off while the leader takes entries falls behind in
// them, and catches up when it is back.
func TestProgress(t *testing.T) {
	s := sim(t, 3, 6, engine.Config{})
	s.RunFor(time.Second)
	leader := s.Leader()
	reader := func(id engine.NodeID) engine.ProgressReader {
		pr, ok := s.Node(id).(engine.ProgressReader)
		if !ok {
			t.Fatalf("%v's node %T is no ProgressReader", id, s.Node(id))
		}
		return pr
	}
	var followers []engine.NodeID
	for id := engine.NodeID(1); id <= 3; id++ {
		if id != leader {
			followers = append(followers, id)
			if got := reader(id).Progress(nil); len(got) != 0 {
				t.Errorf("follower %v's progress %+v, want none", id, got)
			}
		}
	}
	want := func(behind engine.NodeID, next, match uint64) []engine.Progress {
		var ps []engine.Progress
		for _, id := range followers {
			p := engine.Progress{ID: id, Next: 2 + 3, Match: 1 + 3}
			if id == behind {
				p.Next, p.Match = next, match
			}
			ps = append(ps, p)
		}
		return ps
	}
	s.Isolate(followers[0], true)
	for _, d := range []string{"a", "b", "c"} {
		if err := s.Propose(leader, []byte(d)); err != nil {
			t.Fatal(err)
		}
	}
	s.RunFor(200 * ms)
	// etcd sent the entries anyway (StateReplicate): they count as in
	// flight, Next past them, Match where the follower last answered.
	got := reader(leader).Progress(nil)
	if w := want(followers[0], 5, 1); !slices.Equal(got, w) {
		t.Errorf("with %v cut off: progress %+v, want %+v", followers[0], got, w)
	}
	s.Isolate(followers[0], false)
	s.RunFor(time.Second)
	if got, w := reader(leader).Progress(nil), want(0, 0, 0); !slices.Equal(got, w) {
		t.Errorf("with %v back: progress %+v, want %+v", followers[0], got, w)
	}
}

// TestProposeWithoutLeader: a dropped proposal says why, in etcd's words.
func TestProposeWithoutLeader(t *testing.T) {
	s := sim(t, 3, 1, engine.Config{})
	err := s.Propose(1, []byte("x"))
	if !errors.Is(err, raft.ErrProposalDropped) || !strings.Contains(err.Error(), "no leader at term 0; dropping proposal") {
		t.Errorf("got %v", err)
	}
}

// TestStatus: the timer as etcd counts it, and the deadline it gives.
func TestStatus(t *testing.T) {
	s := sim(t, 3, 1, engine.Config{CheckQuorum: true})
	s.RunFor(time.Second)
	for id := engine.NodeID(1); id <= 3; id++ {
		st := s.Node(id).Status()
		tk := st.Ticks
		if tk.Tick != 10*ms || tk.ElectionTick != 15 || tk.HeartbeatTick != 5 || tk.LastTick > s.Now() {
			t.Errorf("%v: ticks %+v", id, tk)
		}
		switch st.Role {
		case engine.Leader:
			if st.NextHeartbeat <= s.Now() || st.NextHeartbeat > s.Now()+50*ms {
				t.Errorf("leader's next heartbeat %v at %v", st.NextHeartbeat, s.Now())
			}
		case engine.Follower:
			if st.Leader != s.Leader() || !st.HeardLeader || st.ElectionTimeout != time.Duration(tk.RandomizedElectionTick)*10*ms ||
				st.ElectionDeadline != s.Node(id).NextDeadline() {
				t.Errorf("follower %v: %+v", id, st)
			}
		}
		if st.LastLogIndex != 1 || st.CommitIndex != 1 {
			t.Errorf("%v: log %d, commit %d; want etcd's empty entry of the new term, committed", id, st.LastLogIndex, st.CommitIndex)
		}
		if len(st.Log) != 1 || st.Log[0].Term != st.Term || st.Log[0].Data != nil || st.CommitIndex != 1 {
			t.Errorf("%v: Log %+v, CommitIndex %d; want the entry itself and its commit, as the displays read them", id, st.Log, st.CommitIndex)
		}
	}
}

type fixed struct{}

func (fixed) Int64N(int64) int64 { return 0 }

// TestBadInput: what etcd cannot be built from is refused in one line.
func TestBadInput(t *testing.T) {
	good := engine.Config{ID: 1, Peers: []engine.NodeID{1, 2, 3}, Timing: timing(150*ms, 300*ms, 50*ms), Rand: fixed{}}
	foreign := textbook.Storage{}
	for _, tc := range []struct {
		name string
		cfg  func(*engine.Config)
		st   engine.Storage
		want string
	}{
		{"no rand", func(c *engine.Config) { c.Rand = nil }, nil, "Rand is nil"},
		{"not a peer", func(c *engine.Config) { c.ID = 4 }, nil, "node id 4 is not among the peers"},
		{"zero peer", func(c *engine.Config) { c.Peers = []engine.NodeID{0, 1} }, nil, "not among the peers"},
		{"timing", func(c *engine.Config) { c.ElectionMax = 299 * ms }, nil, "no etcd shape"},
		{"storage", func(*engine.Config) {}, foreign, "cannot restart from textbook.Storage"},
	} {
		cfg := good
		tc.cfg(&cfg)
		_, err := etcd.Engine{}.New(cfg, tc.st, 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line saying %q", tc.name, err, tc.want)
		}
	}
}

// TestForeignMessage: a message of another engine's vocabulary is ignored,
// with a reason.
func TestForeignMessage(t *testing.T) {
	n, err := etcd.Engine{}.New(engine.Config{ID: 1, Peers: []engine.NodeID{1, 2}, Timing: timing(150*ms, 300*ms, 50*ms), Rand: fixed{}}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n.Step(ms, engine.Message{Type: engine.MsgRequestVote, Message: raftty.Message{From: 2, To: 1, Term: 3}})
	msgs, events := n.Output()
	if len(msgs) != 0 || len(events) != 1 || events[0].Kind != engine.EventIgnore || events[0].Reason != "not an etcd message" {
		t.Errorf("got %v %+v", msgs, events)
	}
}

// TestSupports: what etcd cannot do is refused with the reason.
func TestSupports(t *testing.T) {
	e := etcd.Engine{}
	if err := e.Supports(engine.CanPropose); err != nil {
		t.Error(err)
	}
	for c, want := range map[engine.Capability]string{
		engine.CanSetPreVote: "PreVote is fixed when a RawNode is built", engine.CanSetCheckQuorum: "CheckQuorum is fixed",
		engine.CanSetTiming: "ElectionTick and HeartbeatTick are fixed", engine.CanAppendLog: "propose entries instead",
		engine.CanClone: "rebuilt by replay",
	} {
		if err := e.Supports(c); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: %v", c, err)
		}
	}
}

// TestTerse: terse nodes make the same decisions and explain none.
func TestTerse(t *testing.T) {
	a := sim(t, 5, 9, engine.Config{PreVote: true})
	b := sim(t, 5, 9, engine.Config{PreVote: true, Terse: true})
	a.RunFor(5 * time.Second)
	b.RunFor(5 * time.Second)
	ea, eb := a.Events(), b.Events()
	if len(ea) != len(eb) || len(ea) == 0 {
		t.Fatalf("%d events, %d terse", len(ea), len(eb))
	}
	for i := range ea {
		x, y := ea[i], eb[i]
		x.Reason = ""
		if x != y || y.Reason != "" {
			t.Fatalf("event %d: %+v, terse %+v", i, ea[i], eb[i])
		}
	}
	if !bytes.Contains([]byte(a.Transcript()), []byte("became pre-candidate")) {
		t.Error("no pre-candidate")
	}
}
