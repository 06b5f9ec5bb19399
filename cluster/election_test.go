package cluster

import (
	"math/rand/v2"
	"testing"
	"time"

	"raftty/raft"
)

func TestBasicElection(t *testing.T) {
	for _, nodes := range []int{1, 3, 5} {
		for seed := uint64(1); seed <= 5; seed++ {
			c, _ := newTestCluster(t, nodes, seed)
			leader := waitLeader(t, c, 2*time.Second)
			term := status(t, c, leader).Term

			// A healthy cluster keeps its leader: no further elections.
			c.RunFor(5 * time.Second)
			if got := c.Leader(); got != leader {
				t.Fatalf("%d nodes, seed %d: leader changed from n%d to n%d without a fault", nodes, seed, leader, got)
			}
			for _, s := range c.Nodes() {
				if s.Term != term {
					t.Errorf("%d nodes, seed %d: n%d in term %d, leader's term is %d", nodes, seed, s.ID, s.Term, term)
				}
				if s.Leader != raft.NodeID(leader) {
					t.Errorf("%d nodes, seed %d: n%d follows %v, want n%d", nodes, seed, s.ID, s.Leader, leader)
				}
			}
			if nodes == 1 && (leader != 1 || term != 1) {
				t.Errorf("1 node: n%d leads term %d, want n1 in term 1", leader, term)
			}
		}
	}
}

func TestLeaderDisconnectedThenReconnected(t *testing.T) {
	c, rec := newTestCluster(t, 3, 7)
	old := waitLeader(t, c, 2*time.Second)
	oldTerm := status(t, c, old).Term

	must(t, c.Disconnect(old))
	c.RunFor(time.Second)
	next := c.Leader()
	if next == 0 || next == old {
		t.Fatalf("after disconnecting leader n%d: leader is n%d, want another node", old, next)
	}
	if term := status(t, c, next).Term; term <= oldTerm {
		t.Fatalf("new leader's term %d is not above the old %d", term, oldTerm)
	}
	if s := status(t, c, old); s.Role != raft.Leader {
		t.Fatalf("cut-off n%d is %v; without CheckQuorum it should still believe it leads", old, s.Role)
	}

	must(t, c.Reconnect(old))
	c.RunFor(time.Second)
	s := status(t, c, old)
	if s.Role != raft.Follower || s.Term != status(t, c, next).Term {
		t.Fatalf("reconnected old leader is %v in term %d, want follower in term %d", s.Role, s.Term, status(t, c, next).Term)
	}
	if c.Leader() != next {
		t.Fatalf("leader is n%d, want n%d to keep leading", c.Leader(), next)
	}
	stepDowns := rec.filter(func(e Event) bool {
		return e.Kind == KindState && e.Node == old && e.State == StateFollower && e.Term > oldTerm
	})
	if len(stepDowns) == 0 {
		t.Fatal("no state event shows the old leader stepping down")
	}
}

func TestNoLeaderWithoutMajority(t *testing.T) {
	c, _ := newTestCluster(t, 3, 3)
	leader := waitLeader(t, c, 2*time.Second)
	follower := otherThan(3, leader)
	last := otherThan(3, leader, follower)

	must(t, c.Disconnect(leader))
	must(t, c.Disconnect(follower))
	c.RunFor(2 * time.Second)
	if got := c.Leader(); got != 0 {
		t.Fatalf("n%d leads with only one of three nodes connected", got)
	}
	mustNoLeaderAmong(t, c, last)
	if status(t, c, last).Term < 3 {
		t.Errorf("lone n%d should keep campaigning, but is in term %d", last, status(t, c, last).Term)
	}

	must(t, c.Reconnect(follower))
	waitLeader(t, c, 2*time.Second)
}

func TestAllDisconnectedThenRestored(t *testing.T) {
	c, _ := newTestCluster(t, 5, 11)
	waitLeader(t, c, 2*time.Second)
	for id := 1; id <= 5; id++ {
		must(t, c.Disconnect(id))
	}
	c.RunFor(3 * time.Second)
	if got := c.Leader(); got != 0 {
		t.Fatalf("n%d leads a cluster where nobody can talk", got)
	}
	for id := 1; id <= 5; id++ {
		must(t, c.Reconnect(id))
	}
	waitLeader(t, c, 2*time.Second)
	c.RunFor(time.Second)
	if n := len(c.Leaders()); n != 1 {
		t.Fatalf("%d nodes believe they lead, want exactly 1: %v", n, c.Leaders())
	}
}

// A follower cut off long enough to raise its term comes back. Without
// PreVote its higher term deposes the healthy leader; with PreVote it never
// raised its term and the leader keeps leading.
func TestFollowerComesBack(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    []func(*Config)
		deposes bool
	}{
		{"classic", nil, true},
		{"prevote", []func(*Config){withPreVote}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, rec := newTestCluster(t, 5, 5, tc.opts...)
			leader := waitLeader(t, c, 2*time.Second)
			term := status(t, c, leader).Term
			follower := otherThan(5, leader)

			must(t, c.Disconnect(follower))
			c.RunFor(2 * time.Second)
			away := status(t, c, follower).Term
			must(t, c.Reconnect(follower))
			reconnectedAt := c.Now()
			c.RunFor(2 * time.Second)

			lost := rec.filter(func(e Event) bool {
				return e.At >= reconnectedAt && e.Kind == KindState && e.Node == leader && e.State != StateLeader
			})
			if !tc.deposes {
				if away != term {
					t.Fatalf("with PreVote the cut-off follower's term moved from %d to %d", term, away)
				}
				if len(lost) > 0 || c.Leader() != leader {
					t.Fatalf("with PreVote the leader n%d was deposed: %s", leader, lost[0].String())
				}
				if got := c.MaxTerm(); got != term {
					t.Fatalf("with PreVote terms moved from %d to %d", term, got)
				}
				return
			}
			if away <= term {
				t.Fatalf("cut-off follower stayed in term %d; it should have campaigned past %d", away, term)
			}
			if len(lost) == 0 {
				t.Fatalf("leader n%d was not deposed by the returning follower in term %d", leader, away)
			}
			waitLeader(t, c, time.Second)
			if got := status(t, c, c.Leader()).Term; got <= away {
				t.Fatalf("new leader's term %d should pass the returning follower's %d", got, away)
			}
		})
	}
}

// A leader partitioned into a minority steps down within about an election
// timeout with CheckQuorum; without it, it goes on leading nobody.
func TestStrandedLeaderCheckQuorum(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     []func(*Config)
		stepDown bool
	}{
		{"off", nil, false},
		{"on", []func(*Config){withCheckQuorum}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, rec := newTestCluster(t, 5, 9, tc.opts...)
			leader := waitLeader(t, c, 2*time.Second)
			buddy := otherThan(5, leader)
			var majority []int
			for id := 1; id <= 5; id++ {
				if id != leader && id != buddy {
					majority = append(majority, id)
				}
			}
			must(t, c.Partition([][]int{{leader, buddy}, majority}))
			cutAt := c.Now()
			c.RunFor(3 * time.Second)

			steps := rec.filter(func(e Event) bool {
				return e.At >= cutAt && e.Kind == KindState && e.Node == leader && e.State == StateFollower
			})
			if !tc.stepDown {
				if len(steps) > 0 || status(t, c, leader).Role != raft.Leader {
					t.Fatalf("without CheckQuorum the stranded leader should keep its role")
				}
			} else {
				if len(steps) == 0 {
					t.Fatal("with CheckQuorum the stranded leader never stepped down")
				}
				// Within one quorum window (ElectionMin) plus the window
				// already running when the partition began.
				if after := steps[0].At - cutAt; after > 2*c.Config().ElectionMin {
					t.Fatalf("stepped down %v after the partition, want within %v", after, 2*c.Config().ElectionMin)
				}
			}
			if got := c.Leader(); got == 0 || got == leader || got == buddy {
				t.Fatalf("the majority side should have a leader of its own, got n%d", got)
			}
		})
	}
}

// Like MIT 6.824's TestManyElections: random disconnections, and whenever a
// majority is connected a leader is found within a few election timeouts.
func TestManyElections(t *testing.T) {
	const nodes = 7
	c, _ := newTestCluster(t, nodes, 42)
	rng := rand.New(rand.NewPCG(1, 2))
	waitLeader(t, c, 2*time.Second)
	for round := 0; round < 30; round++ {
		cut := rng.Perm(nodes)[:3] // 4 of 7 stay connected: a majority
		for _, i := range cut {
			must(t, c.Disconnect(i+1))
		}
		leader := waitLeader(t, c, 5*c.Config().ElectionMax)
		if status(t, c, leader).Disconnected {
			t.Fatalf("round %d: leader n%d is disconnected", round, leader)
		}
		for _, i := range cut {
			must(t, c.Reconnect(i+1))
		}
		waitLeader(t, c, 5*c.Config().ElectionMax)
	}
}

// The experiment behind raftty: heartbeats every 3s, election timeouts of
// 150-300ms. Followers time out between heartbeats, so leadership passes from
// node to node every few hundred milliseconds.
func TestSlowHeartbeatChurns(t *testing.T) {
	churn, _ := newTestCluster(t, 3, 1, withTiming(150*ms, 300*ms, 3*time.Second))
	churn.RunFor(10 * time.Second)
	healthy, _ := newTestCluster(t, 3, 1)
	healthy.RunFor(10 * time.Second)

	cs, hs := churn.Stats(), healthy.Stats()
	if cs.LeaderChanges < 10 {
		t.Errorf("3s heartbeats: %d leader changes in 10s, want leadership to churn (>= 10)", cs.LeaderChanges)
	}
	if hs.LeaderChanges != 0 || hs.LeadersElected != 1 {
		t.Errorf("50ms heartbeats: %d leaders elected and %d changes, want 1 and 0", hs.LeadersElected, hs.LeaderChanges)
	}
	t.Logf("10s with 3s heartbeats: %d leaders elected, %d changes; with 50ms: %d, %d",
		cs.LeadersElected, cs.LeaderChanges, hs.LeadersElected, hs.LeaderChanges)
}

// Without randomized timeouts and with equal latencies, every node times out
// at once, votes for itself, and the vote splits again and again.
func TestNoRandomnessSplitsVotes(t *testing.T) {
	fixed, _ := newTestCluster(t, 5, 1, withTiming(150*ms, 150*ms, 50*ms), withLatency(ms, ms))
	fixed.RunFor(10 * time.Second)
	random, _ := newTestCluster(t, 5, 1, withTiming(150*ms, 300*ms, 50*ms), withLatency(ms, ms))
	random.RunFor(10 * time.Second)

	fs, rs := fixed.Stats(), random.Stats()
	if fs.LeadersElected != 0 || fs.SplitVotes < 50 || fs.Elections < 5*fs.SplitVotes {
		t.Errorf("150-150ms: %d elections, %d split votes, %d leaders; want endless split votes and no leader",
			fs.Elections, fs.SplitVotes, fs.LeadersElected)
	}
	if rs.LeadersElected != 1 || rs.Elections > 5 {
		t.Errorf("150-300ms: %d elections, %d leaders; want a leader after a few elections", rs.Elections, rs.LeadersElected)
	}
	t.Logf("10s at 150-150ms: %d elections, %d split votes, %d leaders; at 150-300ms: %d elections, %d leaders",
		fs.Elections, fs.SplitVotes, fs.LeadersElected, rs.Elections, rs.LeadersElected)
}

func TestKillAndRestartKeepTermAndVote(t *testing.T) {
	c, rec := newTestCluster(t, 3, 2)
	leader := waitLeader(t, c, 2*time.Second)
	follower := otherThan(3, leader)
	before := status(t, c, follower)
	if before.VotedFor == raft.None {
		t.Fatalf("setup: n%d has not voted in term %d, so keeping its vote proves nothing", follower, before.Term)
	}

	must(t, c.Kill(follower))
	if s := status(t, c, follower); s.Alive {
		t.Fatal("killed node is alive")
	}
	c.RunFor(500 * ms)
	must(t, c.Restart(follower))
	after := status(t, c, follower)
	if after.Term != before.Term || after.VotedFor != before.VotedFor || after.Role != raft.Follower {
		t.Fatalf("restarted n%d: %v term %d voted %v, want follower term %d voted %v",
			follower, after.Role, after.Term, after.VotedFor, before.Term, before.VotedFor)
	}

	// A killed leader stops at once: nothing leaves it after the kill.
	must(t, c.Kill(leader))
	killedAt := c.Now()
	c.RunFor(2 * time.Second)
	sent := rec.filter(func(e Event) bool { return e.At >= killedAt && e.Kind == KindSend && e.From == leader })
	if len(sent) > 0 {
		t.Fatalf("killed leader n%d still sends: %s", leader, sent[0].String())
	}
	if c.Leader() == 0 || c.Leader() == leader {
		t.Fatalf("leader after killing n%d is n%d", leader, c.Leader())
	}
	must(t, c.Restart(leader))
	c.RunFor(time.Second)
	if s := status(t, c, leader); s.Role != raft.Follower || s.Term < status(t, c, c.Leader()).Term {
		t.Fatalf("restarted old leader is %v in term %d", s.Role, s.Term)
	}
}

func TestCommandErrors(t *testing.T) {
	c, _ := newTestCluster(t, 3, 1)
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"disconnect 0", c.Disconnect(0)},
		{"disconnect 4", c.Disconnect(4)},
		{"kill -1", c.Kill(-1)},
		{"restart alive", c.Restart(1)},
		{"timeout 9", c.Timeout(9)},
		{"cut self", c.Cut(2, 2, false)},
		{"partition twice", c.Partition([][]int{{1, 2}, {2, 3}})},
		{"partition unknown", c.Partition([][]int{{1, 7}})},
		{"reconnect connected", c.Reconnect(2)},
	} {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	must(t, c.Kill(2))
	if err := c.Kill(2); err == nil {
		t.Error("killing a dead node: no error")
	}
	if err := c.Timeout(2); err == nil {
		t.Error("timeout of a dead node: no error")
	}
}

// PreVote's second condition: a voter that heard from a live leader within
// the minimum election timeout refuses a pre-vote even though the asker's
// log is as up to date as its own. Both cases here reach the voters while the
// leader is healthy: a follower forced to time out, and a follower that
// cannot hear the leader over one cut link but reaches everyone else.
func TestPreVoteProtectsHealthyLeader(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(c *Cluster, leader, follower int) error
	}{
		{"forced timeout", func(c *Cluster, _, follower int) error { return c.Timeout(follower) }},
		{"cut link", func(c *Cluster, leader, follower int) error { return c.Cut(leader, follower, false) }},
	} {
		for _, preVote := range []bool{false, true} {
			t.Run(tc.name+"/prevote="+OnOff(preVote), func(t *testing.T) {
				c, _ := newTestCluster(t, 5, 3, func(cfg *Config) { cfg.PreVote = preVote })
				leader := waitLeader(t, c, 2*time.Second)
				term := status(t, c, leader).Term
				must(t, tc.fault(c, leader, otherThan(5, leader)))
				c.RunFor(2 * time.Second)
				deposed := c.MaxTerm() != term || c.Leader() != leader
				if preVote && deposed {
					t.Fatalf("with PreVote the leader n%d of term %d was deposed (leader n%d, max term %d)",
						leader, term, c.Leader(), c.MaxTerm())
				}
				if !preVote && !deposed {
					t.Fatalf("without PreVote the leader n%d of term %d should have been deposed", leader, term)
				}
			})
		}
	}
}

// "The leader" must reach a majority: more than half the cluster, itself
// included. Exactly half is not enough in an even cluster; a bare majority
// is enough in an odd one. Off by one either way, this fails.
func TestEffectiveLeaderNeedsAMajority(t *testing.T) {
	for _, tc := range []struct {
		nodes, disconnect int // disconnect this many other nodes from the leader
		leads             bool
	}{
		{nodes: 4, disconnect: 1, leads: true},  // reaches 3 of 4
		{nodes: 4, disconnect: 2, leads: false}, // reaches 2 of 4: half
		{nodes: 5, disconnect: 2, leads: true},  // reaches 3 of 5
		{nodes: 5, disconnect: 3, leads: false}, // reaches 2 of 5
		{nodes: 1, disconnect: 0, leads: true},  // reaches 1 of 1
		{nodes: 2, disconnect: 1, leads: false}, // reaches 1 of 2
	} {
		c, _ := newTestCluster(t, tc.nodes, 1)
		leader := waitLeader(t, c, 5*time.Second)
		cut := []int{leader}
		for range tc.disconnect {
			other := otherThan(tc.nodes, cut...)
			must(t, c.Disconnect(other))
			cut = append(cut, other)
		}
		s := status(t, c, leader)
		if want := tc.nodes - tc.disconnect; s.Reaches != want {
			t.Fatalf("%d nodes: n%d reaches %d, want %d", tc.nodes, leader, s.Reaches, want)
		}
		if got := c.Leader() == leader; got != tc.leads {
			t.Errorf("%d nodes, leader reaching %d: counted as the leader %v, want %v", tc.nodes, s.Reaches, got, tc.leads)
		}
	}
}
