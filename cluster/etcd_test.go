package cluster

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"raftty/engine"
)

func withEtcd(c *Config) { c.Engine = EngineEtcd }

// eventBytes is a run's event stream as raftty run --json writes it.
func eventBytes(events []Event) []byte {
	var b []byte
	for i := range events {
		b = events[i].AppendJSON(b)
		b = append(b, '\n')
	}
	return b
}

func TestEtcdElectsALeader(t *testing.T) {
	for _, opts := range []func(*Config){withEtcd, func(c *Config) { withEtcd(c); withPreVote(c); withCheckQuorum(c) }} {
		for seed := range uint64(5) {
			c, rec := newTestCluster(t, 5, seed, opts)
			leader := waitLeader(t, c, 3*time.Second)
			votes := rec.filter(func(e Event) bool { return e.Kind == KindVote && e.Granted })
			if len(votes) == 0 || !strings.Contains(votes[0].Reason, "cast Msg") {
				t.Fatalf("seed %d: leader n%d, votes %v: want etcd's words", seed, leader, votes)
			}
			sends := rec.filter(func(e Event) bool { return e.Kind == KindSend && e.Type == engine.EtcdHeartbeat })
			if len(sends) == 0 {
				c.RunFor(time.Second)
				if sends = rec.filter(func(e Event) bool { return e.Kind == KindSend && e.Type == engine.EtcdHeartbeat }); len(sends) == 0 {
					t.Fatalf("seed %d: no MsgHeartbeat sent", seed)
				}
			}
		}
	}
}

// TestEtcdDeterministic: one seed, the same bytes, with the leader killed
// every 10s and restarted a second later; a new leader each time.
func TestEtcdDeterministic(t *testing.T) {
	run := func() []byte {
		c, rec := newTestCluster(t, 5, 3, withEtcd)
		c.ReportParams()
		for round := range 6 {
			c.RunUntil(time.Duration(round+1)*10*time.Second - time.Second)
			old := c.Leader()
			if old == 0 {
				t.Fatalf("round %d: no leader at %v", round, c.Now())
			}
			must(t, c.Kill(old))
			c.RunFor(time.Second)
			if l := c.Leader(); l == 0 || l == old {
				t.Fatalf("round %d: leader %d a second after killing n%d", round, l, old)
			}
			must(t, c.Restart(old))
		}
		return eventBytes(rec.events)
	}
	a, b := run(), run()
	if !bytes.Equal(a, b) {
		t.Fatal("two runs of seed 3 differ")
	}
}

// TestEtcdRefusesWhatItCannotExpress: a range without etcd's A-2A shape,
// and the textbook engine's experiments, are refused in one line.
func TestEtcdRefusesWhatItCannotExpress(t *testing.T) {
	for _, tc := range []struct {
		cfg  func(*Config)
		want string
	}{
		{withTiming(150*ms, 151*ms, 50*ms), "150ms-151ms has no etcd shape"},
		{withTiming(150*ms, 300*ms, 55*ms), "heartbeat 55ms is not a whole number of 10ms ticks"},
		{func(c *Config) { c.UnsafeForgetVotes = true }, "textbook engine only"},
		{func(c *Config) { c.TimerJitter = ms }, "do not jitter"},
		{func(c *Config) { c.Tick = time.Microsecond }, "tick 1µs: below raftty's floor of 100µs"},
		{withoutNoOp, "noop off is the textbook engine's switch: etcd's leaders always append"},
	} {
		cfg := DefaultConfig()
		withEtcd(&cfg)
		tc.cfg(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
	cfg := DefaultConfig()
	cfg.Tick = 10 * ms
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "only the etcd engine counts ticks") {
		t.Errorf("a tick for the textbook engine: %v", err)
	}
	c, _ := newTestCluster(t, 3, 1, withEtcd)
	err := c.Apply(Command{Action: ActSet, Param: ParamElectionTimeout, Min: 150 * ms, Max: 151 * ms})
	if err == nil || !strings.Contains(err.Error(), "no etcd shape") {
		t.Errorf("set election-timeout 150ms-151ms: %v", err)
	}
	if err := c.Apply(Command{Action: ActSet, Param: ParamNoOp}); err == nil || !strings.Contains(err.Error(), "noop off") {
		t.Errorf("set noop off: %v", err)
	}
}

// TestEtcdSettingRestartsNodes: etcd fixes PreVote when it builds a node, so
// turning it on restarts every live node with its storage, saying why.
func TestEtcdSettingRestartsNodes(t *testing.T) {
	c, rec := newTestCluster(t, 3, 2, withEtcd)
	waitLeader(t, c, 3*time.Second)
	terms := map[int]uint64{}
	for id := 1; id <= 3; id++ {
		terms[id] = status(t, c, id).Term
	}
	must(t, c.Kill(3))
	at := c.Now()
	must(t, c.Apply(Command{Action: ActSet, Param: ParamPreVote, On: true}))
	restarts := rec.filter(func(e Event) bool { return e.At == at && e.Kind == KindFault && e.Action == ActRestart })
	if len(restarts) != 2 || !strings.Contains(restarts[0].Detail, "PreVote is fixed when a RawNode is built") {
		t.Fatalf("restarts %v: want n1 and n2, saying why", restarts)
	}
	for id := 1; id <= 2; id++ {
		if s := status(t, c, id); !s.PreVote || s.Term != terms[id] || s.Role != engine.Follower {
			t.Errorf("n%d after the restart: %+v", id, s.Status)
		}
	}
	must(t, c.Restart(3))
	if !status(t, c, 3).PreVote {
		t.Error("n3, dead during the set, came back without PreVote")
	}
	waitLeader(t, c, 3*time.Second)
}

// TestEtcdLogAppendProposes: etcd's logs grow only through the leader.
func TestEtcdLogAppendProposes(t *testing.T) {
	c, rec := newTestCluster(t, 3, 4, withEtcd)
	leader := waitLeader(t, c, 3*time.Second)
	c.RunFor(100 * ms) // the followers hear from it
	follower := otherThan(3, leader)
	before := status(t, c, leader).LastLogIndex
	must(t, c.AppendLog([]int{follower}, 2))
	c.RunFor(200 * ms)
	for id := 1; id <= 3; id++ {
		if got := status(t, c, id); got.LastLogIndex != before+2 || got.CommitIndex != before+2 {
			t.Errorf("n%d: log %d, commit %d; want both %d", id, got.LastLogIndex, got.CommitIndex, before+2)
		}
	}
	if props := rec.filter(func(e Event) bool { return e.Kind == KindSend && e.Type == engine.EtcdProp }); len(props) != 2 {
		t.Errorf("%d MsgProp sent, want the follower's 2", len(props))
	}
	// A dead node's status keeps its log and its commit index, read from
	// its storage as a live one's is, by the same fields.
	must(t, c.Kill(follower))
	if got := status(t, c, follower); len(got.Log) != int(before+2) || got.CommitIndex != before+2 {
		t.Errorf("n%d dead: %d entries, commit index %d; want both %d", follower, len(got.Log), got.CommitIndex, before+2)
	}
	fresh, _ := newTestCluster(t, 3, 4, withEtcd)
	if err := fresh.AppendLog([]int{1}, 1); err == nil || !strings.Contains(err.Error(), "n1 knows no leader to forward a proposal to") {
		t.Errorf("log append before any election: %v", err)
	}
}

// TestEtcdTimeoutOnALeader: etcd's leader ignores a forced election.
func TestEtcdTimeoutOnALeader(t *testing.T) {
	c, rec := newTestCluster(t, 3, 5, withEtcd)
	leader := waitLeader(t, c, 3*time.Second)
	at := c.Now()
	must(t, c.Timeout(leader))
	got := rec.filter(func(e Event) bool { return e.At == at && e.Kind == KindIgnore })
	if len(got) != 1 || got[0].Type != engine.EtcdHup || got[0].Reason != "ignoring MsgHup because already leader" {
		t.Fatalf("ignore events %v", got)
	}
	if c.Leader() != leader {
		t.Errorf("leader n%d, want n%d still", c.Leader(), leader)
	}
}

// TestEtcdSeekEqualsFreshRun: an etcd cluster's past, rebuilt by replay
// from the start, equals a fresh run stopped there.
func TestEtcdSeekEqualsFreshRun(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 99))
			cfg := DefaultConfig()
			cfg.Nodes, cfg.Seed, cfg.Engine = 1+r.IntN(5), seed, EngineEtcd
			end := 10 * time.Second
			c, err := New(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			h, _ := newHistory(c, plainAdvance{})
			liveLike(c, h, randomCommands(r, cfg.Nodes, 12, end), end, r)
			if h.Checkpoints() != 1 || h.Replay(end) != end {
				t.Fatalf("%d checkpoints, replay to the end %v: an etcd cluster keeps only its start", h.Checkpoints(), h.Replay(end))
			}
			for range 5 {
				at := time.Duration(r.Int64N(int64(end)))
				got, err := h.Seek(at, nil)
				if err != nil {
					t.Fatal(err)
				}
				want := freshRun(t, cfg, h.cmds, at, nil)
				if g, w := snapshotOf(got), snapshotOf(want); !reflect.DeepEqual(g, w) {
					t.Fatalf("at %v: seek shows\n%+v\nfresh run has\n%+v", at, g, w)
				}
			}
		})
	}
}

// An etcd follower that heard from a leader keeps having heard from it,
// as the textbook's node does: once a candidate's vote request makes it
// forget who leads (etcd sets lead to None), it still says when it last
// heard from one, before the leader died.
func TestEtcdFollowerRemembersItsLeader(t *testing.T) {
	c, _ := newTestCluster(t, 5, 3, withEtcd)
	leader := waitLeader(t, c, 3*time.Second)
	c.RunFor(200 * ms)
	killed := c.Now()
	must(t, c.Kill(leader))
	for c.Now() < killed+3*time.Second && c.Leader() == 0 {
		c.RunFor(ms)
	}
	forgot := 0
	for id := 1; id <= 5; id++ {
		s := status(t, c, id)
		if id == leader || s.Role != engine.Follower || s.Leader != engine.None {
			continue
		}
		forgot++
		if !s.HeardLeader || s.LastLeaderContact > killed || s.LastLeaderContact < killed-200*ms {
			t.Errorf("n%d, following nobody after the leader died at %v: heard %v, last at %v", id, killed, s.HeardLeader, s.LastLeaderContact)
		}
	}
	if forgot == 0 {
		t.Fatal("no follower between a vote request and the new leader's first message: the test checks nothing")
	}
}
