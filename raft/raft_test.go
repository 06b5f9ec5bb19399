package raft

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

const ms = time.Millisecond

var testTiming = Timing{ElectionMin: 150 * ms, ElectionMax: 300 * ms, Heartbeat: 50 * ms}

// newNode makes node id of a cluster of size nodes, with a seeded source.
func newNode(t *testing.T, id, size int, hs HardState, opts ...func(*Config)) *Node {
	t.Helper()
	cfg := Config{ID: NodeID(id), Timing: testTiming, Rand: rand.New(rand.NewPCG(1, 2))}
	for p := 1; p <= size; p++ {
		cfg.Peers = append(cfg.Peers, NodeID(p))
	}
	for _, o := range opts {
		o(&cfg)
	}
	n, err := New(cfg, hs, 0)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func preVote(c *Config)     { c.PreVote = true }
func checkQuorum(c *Config) { c.CheckQuorum = true }

// oneEvent returns the only event of kind k in the node's last output.
func oneEvent(t *testing.T, n *Node, k EventKind) Event {
	t.Helper()
	_, events := n.Output()
	var found []Event
	for _, e := range events {
		if e.Kind == k {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one event of kind %d, got %+v", k, events)
	}
	return found[0]
}

func sentTo(n *Node, to NodeID, typ MsgType) (Message, bool) {
	msgs, _ := n.Output()
	for _, m := range msgs {
		if m.To == to && m.Type == typ {
			return m, true
		}
	}
	return Message{}, false
}

func TestVoteDecisions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		hs      HardState
		setup   func(n *Node)
		req     Message
		granted bool
		reason  string
		term    uint64 // the voter's term after answering
		voted   NodeID // the voter's vote after answering
		opts    []func(*Config)
	}{
		{
			name: "first request in term", hs: HardState{Term: 6},
			req:     Message{Type: MsgRequestVote, From: 4, To: 3, Term: 7},
			granted: true, reason: "first request in term 7", term: 7, voted: 4,
		},
		{
			name: "already voted another", hs: HardState{Term: 7, VotedFor: 2},
			req:     Message{Type: MsgRequestVote, From: 4, To: 3, Term: 7},
			granted: false, reason: "already voted n2 in term 7", term: 7, voted: 2,
		},
		{
			name: "same candidate asks again", hs: HardState{Term: 7, VotedFor: 4},
			req:     Message{Type: MsgRequestVote, From: 4, To: 3, Term: 7},
			granted: true, term: 7, voted: 4,
		},
		{
			name: "stale term", hs: HardState{Term: 4},
			req:     Message{Type: MsgRequestVote, From: 4, To: 3, Term: 3},
			granted: false, reason: "stale term 3 < 4", term: 4,
		},
		{
			name: "higher term clears an old vote", hs: HardState{Term: 7, VotedFor: 2},
			req:     Message{Type: MsgRequestVote, From: 4, To: 3, Term: 8},
			granted: true, term: 8, voted: 4,
		},
		{
			name: "candidate's log behind", hs: HardState{Term: 3},
			setup:   func(n *Node) { n.log = []Entry{{Term: 2}, {Term: 3}} },
			req:     Message{Type: MsgRequestVote, From: 4, To: 3, Term: 4, LastLogIndex: 5, LastLogTerm: 2},
			granted: false, reason: "its log (last term 2, index 5) is behind mine (last term 3, index 2)", term: 4,
		},
		{
			name: "candidate's log longer in the same term", hs: HardState{Term: 3},
			setup:   func(n *Node) { n.log = []Entry{{Term: 3}} },
			req:     Message{Type: MsgRequestVote, From: 4, To: 3, Term: 4, LastLogIndex: 2, LastLogTerm: 3},
			granted: true, term: 4, voted: 4,
		},
		{
			name: "pre-vote granted changes nothing", hs: HardState{Term: 7, VotedFor: 2},
			req:     Message{Type: MsgPreVote, From: 4, To: 3, Term: 8},
			granted: true, reason: "would vote in term 8", term: 7, voted: 2,
		},
		{
			name: "pre-vote refused while a leader is heard", hs: HardState{Term: 7},
			setup: func(n *Node) {
				n.Step(100*ms, Message{Type: MsgAppendEntries, From: 2, To: 3, Term: 7})
			},
			req:     Message{Type: MsgPreVote, From: 4, To: 3, Term: 8},
			granted: false, reason: "heard from leader n2 20ms ago, within the minimum election timeout 150ms", term: 7,
		},
		{
			name: "pre-candidate names the leader it heard", hs: HardState{Term: 7},
			setup: func(n *Node) {
				n.Step(100*ms, Message{Type: MsgAppendEntries, From: 2, To: 3, Term: 7})
				n.Campaign(110 * ms) // PreVote on: a pre-candidate, following nobody now
			},
			opts:    []func(*Config){preVote},
			req:     Message{Type: MsgPreVote, From: 4, To: 3, Term: 8},
			granted: false, reason: "heard from leader n2 20ms ago", term: 7, voted: None,
		},
		{
			name: "a leader never grants a pre-vote", hs: HardState{Term: 7},
			setup: func(n *Node) {
				n.Campaign(0)
				n.Step(ms, Message{Type: MsgRequestVoteReply, From: 1, To: 3, Term: 8, Granted: true})
				n.Step(ms, Message{Type: MsgRequestVoteReply, From: 2, To: 3, Term: 8, Granted: true})
			},
			req:     Message{Type: MsgPreVote, From: 4, To: 3, Term: 9},
			granted: false, reason: "I am the live leader of term 8", term: 8, voted: 3,
		},
		{
			name: "pre-vote refused: log behind", hs: HardState{Term: 7},
			setup:   func(n *Node) { n.AppendLog(5) },
			req:     Message{Type: MsgPreVote, From: 4, To: 3, Term: 8, LastLogIndex: 2, LastLogTerm: 7},
			granted: false, reason: "its log (last term 7, index 2) is behind mine (last term 7, index 5)", term: 7,
		},
		{
			name: "log behind in the same term", hs: HardState{Term: 1},
			setup:   func(n *Node) { n.AppendLog(5) },
			req:     Message{Type: MsgRequestVote, From: 4, To: 3, Term: 2, LastLogIndex: 2, LastLogTerm: 1},
			granted: false, reason: "its log (last term 1, index 2) is behind mine (last term 1, index 5)", term: 2,
		},
		{
			name: "pre-vote for a term not ahead", hs: HardState{Term: 7},
			req:     Message{Type: MsgPreVote, From: 4, To: 3, Term: 7},
			granted: false, reason: "term 7 is not ahead of mine (7)", term: 7,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newNode(t, 3, 5, tc.hs, tc.opts...)
			if tc.setup != nil {
				tc.setup(n)
			}
			n.Step(120*ms, tc.req)
			e := oneEvent(t, n, EventVote)
			if e.Granted != tc.granted || e.Peer != tc.req.From || e.Term != tc.req.Term {
				t.Fatalf("vote event %+v, want granted=%v for %v in term %d", e, tc.granted, tc.req.From, tc.req.Term)
			}
			if !strings.Contains(e.Reason, tc.reason) {
				t.Errorf("reason %q, want it to say %q", e.Reason, tc.reason)
			}
			replyType := MsgRequestVoteReply
			if tc.req.Type == MsgPreVote {
				replyType = MsgPreVoteReply
			}
			reply, ok := sentTo(n, tc.req.From, replyType)
			if !ok || reply.Granted != tc.granted {
				t.Fatalf("reply %+v (sent %v), want granted=%v", reply, ok, tc.granted)
			}
			if hs := n.HardState(); hs.Term != tc.term || hs.VotedFor != tc.voted {
				t.Errorf("after answering: term %d voted %v, want term %d voted %v", hs.Term, hs.VotedFor, tc.term, tc.voted)
			}
		})
	}
}

// Figure 2: a follower's election timer restarts when it hears from the
// current leader or grants its vote, not when it merely adopts a higher term
// (etcd-io/raft restarts it then too). A candidate or pre-candidate stepping
// down keeps its deadline as well; a leader stepping down, which had no
// election timer running, starts one.
func TestElectionTimerRestartsOnlyOnGrantOrLeader(t *testing.T) {
	const at = 100 * ms
	behind := func(n *Node) { n.AppendLog(3) } // the voter's log is ahead: it refuses
	for _, tc := range []struct {
		name  string
		hs    HardState
		setup func(n *Node) // runs at time 0
		msg   Message
		reset bool
	}{
		{name: "grants a vote", msg: Message{Type: MsgRequestVote, From: 4, To: 3, Term: 1}, reset: true},
		{name: "adopts a higher term and refuses (log behind)", hs: HardState{Term: 1}, setup: behind,
			msg: Message{Type: MsgRequestVote, From: 4, To: 3, Term: 2}},
		{name: "refuses in its own term (voted already)", hs: HardState{Term: 2, VotedFor: 5},
			msg: Message{Type: MsgRequestVote, From: 4, To: 3, Term: 2}},
		{name: "adopts a higher term from a reply", hs: HardState{Term: 1},
			msg: Message{Type: MsgAppendEntriesReply, From: 4, To: 3, Term: 5}},
		{name: "adopts a higher term from a pre-vote refusal", hs: HardState{Term: 1},
			msg: Message{Type: MsgPreVoteReply, From: 4, To: 3, Term: 5}},
		{name: "hears the leader", hs: HardState{Term: 1},
			msg: Message{Type: MsgAppendEntries, From: 4, To: 3, Term: 1}, reset: true},
		{name: "hears a leader of a higher term", hs: HardState{Term: 1},
			msg: Message{Type: MsgAppendEntries, From: 4, To: 3, Term: 2}, reset: true},
		{name: "candidate refuses a higher term", hs: HardState{Term: 1},
			setup: func(n *Node) { n.Campaign(0); n.AppendLog(1) },
			msg:   Message{Type: MsgRequestVote, From: 4, To: 3, Term: 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newNode(t, 3, 5, tc.hs)
			if tc.setup != nil {
				tc.setup(n)
			}
			before := n.NextDeadline()
			n.Step(at, tc.msg)
			after := n.NextDeadline()
			if n.Status().Term < tc.msg.Term {
				t.Fatalf("term %d: the message's term %d was not adopted", n.Status().Term, tc.msg.Term)
			}
			if tc.reset && after < at+testTiming.ElectionMin {
				t.Errorf("deadline %v -> %v: want it restarted at %v", before, after, at)
			}
			if !tc.reset && after != before {
				t.Errorf("deadline %v -> %v: want it kept", before, after)
			}
		})
	}
}

func TestLeaderSteppingDownStartsATimer(t *testing.T) {
	n := newNode(t, 1, 3, HardState{})
	n.Campaign(0)
	n.Step(ms, Message{Type: MsgRequestVoteReply, From: 2, To: 1, Term: 1, Granted: true})
	if n.Status().Role != Leader {
		t.Fatal("setup: not leader")
	}
	const at = 10 * time.Second
	n.Step(at, Message{Type: MsgAppendEntriesReply, From: 2, To: 1, Term: 9})
	if d := n.NextDeadline(); d < at+testTiming.ElectionMin || d >= at+testTiming.ElectionMax {
		t.Fatalf("deadline %v after stepping down at %v: want a fresh timeout", d, at)
	}
}

// Drive a 3-node election by hand: n1 times out, collects one vote, leads,
// heartbeats every interval.
func TestCandidateWinsAndHeartbeats(t *testing.T) {
	n := newNode(t, 1, 3, HardState{})
	at := n.NextDeadline()
	n.Tick(at)
	if s := n.Status(); s.Role != Candidate || s.Term != 1 || s.VotedFor != 1 {
		t.Fatalf("after timeout: %+v, want candidate term 1 voted n1", s)
	}
	if _, ok := sentTo(n, 2, MsgRequestVote); !ok {
		t.Fatal("no RequestVote to n2")
	}
	n.Step(at+2*ms, Message{Type: MsgRequestVoteReply, From: 2, To: 1, Term: 1, Granted: true})
	if e := oneEvent(t, n, EventState); e.Role != Leader || !strings.Contains(e.Reason, "2 of 3 votes [n1 n2]") {
		t.Fatalf("state event %+v, want leader with 2 of 3 votes", e)
	}
	for _, p := range []NodeID{2, 3} {
		if hb, ok := sentTo(n, p, MsgAppendEntries); !ok || len(hb.Entries) != 0 || hb.Term != 1 {
			t.Fatalf("no heartbeat to %v on winning: %+v", p, hb)
		}
	}
	next := n.NextDeadline()
	if next != at+2*ms+testTiming.Heartbeat {
		t.Fatalf("next heartbeat at %v, want %v", next, at+2*ms+testTiming.Heartbeat)
	}
	n.Tick(next)
	if msgs, _ := n.Output(); len(msgs) != 2 {
		t.Fatalf("heartbeat round sent %d messages, want 2", len(msgs))
	}
}

func TestOneNodeElectsItself(t *testing.T) {
	n := newNode(t, 1, 1, HardState{})
	n.Tick(n.NextDeadline())
	if s := n.Status(); s.Role != Leader || s.Term != 1 {
		t.Fatalf("%+v, want leader of term 1", s)
	}
	if msgs, _ := n.Output(); len(msgs) != 0 {
		t.Fatalf("a lone node has nobody to send to, sent %v", msgs)
	}
}

func TestStepDown(t *testing.T) {
	for _, tc := range []struct {
		name string
		msg  Message
	}{
		{"heartbeat reply with higher term", Message{Type: MsgAppendEntriesReply, From: 2, To: 1, Term: 5}},
		{"vote request with higher term", Message{Type: MsgRequestVote, From: 2, To: 1, Term: 5}},
		{"heartbeat from a newer leader", Message{Type: MsgAppendEntries, From: 2, To: 1, Term: 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n2 := newNode(t, 1, 3, HardState{Term: 3, VotedFor: 1})
			n2.Tick(n2.NextDeadline())
			n2.Step(n2.NextDeadline(), Message{Type: MsgRequestVoteReply, From: 3, To: 1, Term: 4, Granted: true})
			if n2.Status().Role != Leader {
				t.Fatal("setup: not leader")
			}
			n2.Step(time.Second, tc.msg)
			s := n2.Status()
			if s.Role != Follower || s.Term != 5 {
				t.Fatalf("%+v, want follower in term 5", s)
			}
			if e := oneEvent(t, n2, EventState); !strings.Contains(e.Reason, "saw term 5 > 4") {
				t.Errorf("reason %q should name the higher term", e.Reason)
			}
		})
	}
}

func TestStaleLeaderIsToldTheTerm(t *testing.T) {
	n := newNode(t, 3, 5, HardState{Term: 4})
	n.Step(10*ms, Message{Type: MsgAppendEntries, From: 5, To: 3, Term: 3})
	e := oneEvent(t, n, EventIgnore)
	if !strings.Contains(e.Reason, "stale term 3 < 4") {
		t.Errorf("reason %q", e.Reason)
	}
	reply, ok := sentTo(n, 5, MsgAppendEntriesReply)
	if !ok || reply.Success || reply.Term != 4 {
		t.Fatalf("reply %+v, want failure carrying term 4", reply)
	}
}

func TestCheckQuorum(t *testing.T) {
	for _, tc := range []struct {
		name     string
		acks     []NodeID
		stepDown bool
	}{
		{"nobody answers", nil, true},
		{"one of four answers", []NodeID{2}, true},
		{"a majority answers", []NodeID{2, 3}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newLeader(t, checkQuorum)
			for _, p := range tc.acks {
				n.Step(5*ms, Message{Type: MsgAppendEntriesReply, From: p, To: 1, Term: 1, Success: true})
			}
			for now := time.Duration(0); now <= 200*ms; now = n.NextDeadline() {
				n.Tick(now)
			}
			if down := n.Status().Role != Leader; down != tc.stepDown {
				t.Fatalf("stepped down = %v, want %v", down, tc.stepDown)
			}
		})
	}
}

func TestPreCandidateDoesNotRaiseItsTerm(t *testing.T) {
	n := newNode(t, 1, 3, HardState{Term: 4}, preVote)
	n.Tick(n.NextDeadline())
	s := n.Status()
	if s.Role != PreCandidate || s.Term != 4 {
		t.Fatalf("%+v, want precandidate still in term 4", s)
	}
	req, ok := sentTo(n, 2, MsgPreVote)
	if !ok || req.Term != 5 {
		t.Fatalf("pre-vote request %+v, want one for term 5", req)
	}
	n.Step(time.Second, Message{Type: MsgPreVoteReply, From: 2, To: 1, Term: 5, Granted: true})
	if s := n.Status(); s.Role != Candidate || s.Term != 5 {
		t.Fatalf("%+v, want candidate in term 5 after a pre-vote majority", s)
	}
}

func TestTimeoutsAreDrawnFromTheRange(t *testing.T) {
	seen := map[time.Duration]bool{}
	n := newNode(t, 1, 3, HardState{})
	for i := 0; i < 1000; i++ {
		n.resetElectionTimer(0)
		d := n.electionTimeout
		if d < testTiming.ElectionMin || d >= testTiming.ElectionMax {
			t.Fatalf("timeout %v outside [%v, %v)", d, testTiming.ElectionMin, testTiming.ElectionMax)
		}
		seen[d.Truncate(10*ms)] = true
	}
	if len(seen) != 15 {
		t.Fatalf("1000 draws covered %d of the 15 10ms-buckets", len(seen))
	}
	fixed := newNode(t, 1, 3, HardState{}, func(c *Config) { c.ElectionMax = c.ElectionMin })
	if fixed.NextDeadline() != testTiming.ElectionMin {
		t.Fatalf("equal bounds: deadline %v, want exactly %v", fixed.NextDeadline(), testTiming.ElectionMin)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"no rand", Config{ID: 1, Peers: []NodeID{1}, Timing: testTiming}},
		{"id not a peer", Config{ID: 4, Peers: []NodeID{1, 2}, Timing: testTiming, Rand: r}},
		{"id too large", Config{ID: 1, Peers: []NodeID{1, 1 << 30}, Timing: testTiming, Rand: r}},
		{"min above max", Config{ID: 1, Peers: []NodeID{1}, Timing: Timing{ElectionMin: 300 * ms, ElectionMax: 150 * ms, Heartbeat: ms}, Rand: r}},
		{"zero heartbeat", Config{ID: 1, Peers: []NodeID{1}, Timing: Timing{ElectionMin: ms, ElectionMax: ms}, Rand: r}},
	} {
		if _, err := New(tc.cfg, HardState{}, 0); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// A node's log survives a restart with its term and vote, and is what the
// node reports and campaigns with.
func TestLogSurvivesRestart(t *testing.T) {
	n := newNode(t, 1, 3, HardState{Term: 2})
	n.AppendLog(3)
	hs := n.HardState()
	n.AppendLog(1) // after the crash snapshot: must not leak into it
	again := newNode(t, 1, 3, hs)
	if s := again.Status(); s.LastLogIndex != 3 || s.LastLogTerm != 2 || s.Term != 2 {
		t.Fatalf("restarted: %+v, want last index 3, last term 2, term 2", s)
	}
	again.Campaign(0)
	if req, ok := sentTo(again, 2, MsgRequestVote); !ok || req.LastLogIndex != 3 || req.LastLogTerm != 2 {
		t.Fatalf("request %+v: want it to carry last index 3, term 2", req)
	}
}

// A clone and its original, fed the same inputs with sources in the same
// state, produce the same outputs; and feeding one does not change the other.
func TestCloneIsIndependentAndIdentical(t *testing.T) {
	src := func() Rand { return rand.New(rand.NewPCG(9, 9)) }
	cfg := Config{ID: 1, Peers: []NodeID{1, 2, 3, 4, 5}, Timing: testTiming, Rand: src(), PreVote: true, CheckQuorum: true}
	a, err := New(cfg, HardState{Term: 3}, 0)
	if err != nil {
		t.Fatal(err)
	}
	a.AppendLog(2)
	// Some history first: a pre-vote, a candidacy, leadership.
	a.Tick(a.NextDeadline())
	a.Step(time.Second, Message{Type: MsgPreVoteReply, From: 2, To: 1, Term: 4, Granted: true})
	a.Step(time.Second, Message{Type: MsgPreVoteReply, From: 3, To: 1, Term: 4, Granted: true})
	a.Step(time.Second, Message{Type: MsgRequestVoteReply, From: 2, To: 1, Term: 4, Granted: true})
	// Both sources must be in the same state: clone a's by replaying it.
	b := a.Clone(rand.New(rand.NewPCG(9, 9)))
	a.rand = rand.New(rand.NewPCG(9, 9))
	b.AppendLog(1) // diverge b's log, then check a is untouched
	if a.Status().LastLogIndex != 2 {
		t.Fatal("appending to the clone changed the original's log")
	}
	a.AppendLog(1)
	inputs := []func(n *Node){
		func(n *Node) {
			n.Step(time.Second+ms, Message{Type: MsgRequestVoteReply, From: 3, To: 1, Term: 4, Granted: true})
		},
		func(n *Node) {
			n.Step(time.Second+2*ms, Message{Type: MsgAppendEntriesReply, From: 2, To: 1, Term: 4, Success: true})
		},
		func(n *Node) { n.Tick(n.NextDeadline()) },
		func(n *Node) { n.Tick(n.NextDeadline()) },
		func(n *Node) { n.Step(2*time.Second, Message{Type: MsgAppendEntries, From: 5, To: 1, Term: 9}) },
		func(n *Node) { n.Tick(n.NextDeadline()) },
		func(n *Node) { n.Step(3*time.Second, Message{Type: MsgPreVote, From: 2, To: 1, Term: 11}) },
		func(n *Node) { n.Tick(n.NextDeadline()) },
		func(n *Node) {
			n.Step(4*time.Second, Message{Type: MsgPreVoteReply, From: 4, To: 1, Term: 11, Granted: true})
		},
	}
	for i, in := range inputs {
		in(a)
		in(b)
		am, ae := a.Output()
		bm, be := b.Output()
		if !reflect.DeepEqual(am, bm) || !reflect.DeepEqual(ae, be) || !reflect.DeepEqual(a.Status(), b.Status()) || a.NextDeadline() != b.NextDeadline() {
			t.Fatalf("input %d: original and clone differ:\n%+v %+v %+v\n%+v %+v %+v", i, am, ae, a.Status(), bm, be, b.Status())
		}
	}
	if !reflect.DeepEqual(a.HardState(), b.HardState()) {
		t.Fatalf("hard states differ: %+v, %+v", a.HardState(), b.HardState())
	}
}

// A candidate's status names who granted and who refused its current
// round; a follower's names nobody.
func TestStatusTalliesVotes(t *testing.T) {
	n := newNode(t, 1, 5, HardState{})
	at := n.NextDeadline()
	n.Tick(at)
	n.Step(at+ms, Message{Type: MsgRequestVoteReply, From: 3, To: 1, Term: 1, Granted: false})
	n.Step(at+2*ms, Message{Type: MsgRequestVoteReply, From: 2, To: 1, Term: 1, Granted: true})
	s := n.Status()
	if fmt.Sprint(s.Granted) != "[n1 n2]" || fmt.Sprint(s.Refused) != "[n3]" {
		t.Fatalf("granted %v refused %v, want [n1 n2] and [n3]", s.Granted, s.Refused)
	}
	n.Step(at+3*ms, Message{Type: MsgRequestVoteReply, From: 4, To: 1, Term: 1, Granted: true})
	if s := n.Status(); s.Role != Leader || s.Granted != nil || s.Refused != nil {
		t.Fatalf("leader's status %+v keeps a tally", s)
	}
	f := newNode(t, 2, 5, HardState{})
	f.Step(10*ms, Message{Type: MsgAppendEntries, From: 1, To: 2, Term: 1})
	if s := f.Status(); !s.HeardLeader || s.LastLeaderContact != 10*ms {
		t.Fatalf("follower's status %+v, want heard a leader at 10ms", s)
	}
}
