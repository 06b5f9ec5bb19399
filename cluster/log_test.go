package cluster

import (
	"strings"
	"testing"
	"time"

	"raftty/engine"
	"raftty/raft"
)

// A log, like term and vote, survives a kill and a restart, and the cluster
// reports its end while the node is dead too.
func TestLogSurvivesKillAndRestart(t *testing.T) {
	c, rec := newTestCluster(t, 3, 4, withoutNoOp)
	leader := waitLeader(t, c, 2*time.Second)
	other := otherThan(3, leader)
	must(t, c.AppendLog([]int{leader, other}, 3))
	term := status(t, c, other).Term
	must(t, c.Kill(other))
	if s := status(t, c, other); s.LastLogIndex != 3 || s.LastLogTerm != term {
		t.Fatalf("dead n%d: log ends at index %d term %d, want 3, %d", other, s.LastLogIndex, s.LastLogTerm, term)
	}
	c.RunFor(time.Second)
	must(t, c.Restart(other))
	if s := status(t, c, other); s.LastLogIndex != 3 || s.LastLogTerm != term {
		t.Fatalf("restarted n%d: log ends at index %d term %d, want 3, %d", other, s.LastLogIndex, s.LastLogTerm, term)
	}
	faults := rec.filter(func(e Event) bool { return e.Kind == KindFault && e.Action == ActLog })
	if len(faults) != 1 || faults[0].String() != nodeList([]int{leader, other})+" log: append 3 entries in the current term" {
		t.Fatalf("log fault events: %+v", faults)
	}
	restarts := rec.filter(func(e Event) bool { return e.Kind == KindState && e.Node == other && e.State == StateFollower })
	if last := restarts[len(restarts)-1]; !strings.Contains(last.Reason, "its log (last term") {
		t.Errorf("restart reason %q does not mention the log", last.Reason)
	}
}

func TestAppendLogErrors(t *testing.T) {
	c, _ := newTestCluster(t, 3, 1)
	must(t, c.Kill(3))
	for _, tc := range []struct {
		name  string
		ids   []int
		count int
		want  string
	}{
		{"no such node", []int{1, 4}, 1, "no node 4"},
		{"dead node", []int{1, 3}, 1, "n3 is dead"},
		{"no entries", []int{1}, 0, "need at least 1"},
		{"no nodes", nil, 1, "at least one node"},
	} {
		err := c.AppendLog(tc.ids, tc.count)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	if s := status(t, c, 1); s.LastLogIndex != 0 {
		t.Errorf("a refused append changed n1's log: index %d", s.LastLogIndex)
	}
}

// The election restriction: nodes whose logs are behind never win, however
// early and often they time out, and an eligible node does win. (Without the
// no-op: the winner's would bring the stale logs up to date, and then their
// next timeouts could rightly win.)
func TestStaleLogCannotWin(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		c, rec := newTestCluster(t, 5, seed, withoutNoOp)
		leader := waitLeader(t, c, 2*time.Second)
		var eligible, stale []int
		for id := 1; id <= 5; id++ {
			switch {
			case id == leader:
			case len(eligible) < 2:
				eligible = append(eligible, id)
			default:
				stale = append(stale, id)
			}
		}
		must(t, c.AppendLog(append([]int{leader}, eligible...), 2))
		c.RunFor(100 * ms)
		must(t, c.Kill(leader))
		killed := c.Now()
		for range 5 {
			for _, id := range stale {
				must(t, c.Timeout(id))
				c.RunFor(20 * ms)
			}
		}
		winner := waitLeader(t, c, 2*time.Second)
		for _, e := range rec.filter(func(e Event) bool { return e.At >= killed && e.Kind == KindState && e.State == StateLeader }) {
			if e.Node == stale[0] || e.Node == stale[1] {
				t.Fatalf("seed %d: n%d with a stale log won term %d", seed, e.Node, e.Term)
			}
		}
		if winner != eligible[0] && winner != eligible[1] {
			t.Fatalf("seed %d: n%d won, want one of %v", seed, winner, eligible)
		}
		refusals := rec.filter(func(e Event) bool {
			return e.Kind == KindVote && !e.Granted && e.For == stale[0] && strings.Contains(e.Reason, "is behind mine (last term")
		})
		if len(refusals) == 0 {
			t.Fatalf("seed %d: no refusal of n%d says its log is behind", seed, stale[0])
		}
	}
}

// A step that changes term or vote sends its messages only after the disk
// write; a step that changes neither (a heartbeat's answer) at once.
func TestDiskWriteDelaysMessagesAfterPersisting(t *testing.T) {
	const disk = 20 * ms
	for _, d := range []time.Duration{0, disk} {
		_, rec := n1Leads(t, func(cfg *Config) { cfg.DiskWrite = d })
		// n1's requests leave after its own write (term and self-vote in
		// one), the votes after each voter's two (its new term, then its
		// vote): 3 writes and 2 latencies.
		won := rec.filter(func(e Event) bool { return e.Kind == KindState && e.State == StateLeader })[0].At
		if want := 3*d + 2*ms; won != want {
			t.Errorf("disk %v: n1 won at %v, want %v", d, won, want)
		}
		// A heartbeat's reply changes nothing on disk: one latency each way.
		hb := rec.filter(func(e Event) bool { return e.Kind == KindDeliver && e.Type == engine.MsgAppendEntriesReply })
		last := rec.filter(func(e Event) bool {
			return e.Kind == KindSend && e.Type == engine.MsgAppendEntries && e.At < hb[len(hb)-1].At
		})
		if rtt := hb[len(hb)-1].At - last[len(last)-1].At; rtt != 2*ms {
			t.Errorf("disk %v: a heartbeat round trip took %v, want 2ms", d, rtt)
		}
	}
	c, rec := newTestCluster(t, 3, 5)
	must(t, c.Apply(Command{Action: ActSet, Param: ParamDiskWrite, Min: 5 * ms}))
	if p := rec.events[len(rec.events)-1]; p.Kind != KindParam || p.Name != "disk-write" || p.Value != "5ms" {
		t.Errorf("set disk-write event %+v", p)
	}
	if err := c.Apply(Command{Action: ActSet, Param: ParamDiskWrite, Min: -ms}); err == nil {
		t.Error("a negative disk write: no error")
	}
}

func TestDiskWritesCountsLikeLogCabin(t *testing.T) {
	const self = 3
	for _, tc := range []struct {
		name          string
		before, after engine.HardState
		logged        bool
		want          int
	}{
		{"nothing changed", engine.HardState{Term: 2, VotedFor: 1}, engine.HardState{Term: 2, VotedFor: 1}, false, 0},
		{"candidacy: term and self-vote in one", engine.HardState{Term: 2, VotedFor: 1}, engine.HardState{Term: 3, VotedFor: self}, false, 1},
		{"new term, no vote", engine.HardState{Term: 2, VotedFor: 1}, engine.HardState{Term: 5}, false, 1},
		{"vote in the same term", engine.HardState{Term: 2}, engine.HardState{Term: 2, VotedFor: 4}, false, 1},
		{"new term and a vote", engine.HardState{Term: 2, VotedFor: 1}, engine.HardState{Term: 3, VotedFor: 4}, false, 2},
		{"entries", engine.HardState{Term: 2}, engine.HardState{Term: 2, LastIndex: 3, LastTerm: 2}, true, 1},
		{"a new term and entries (AppendEntries from a new leader)", engine.HardState{Term: 2}, engine.HardState{Term: 3, LastIndex: 3, LastTerm: 3}, true, 2},
	} {
		if got := len(diskWrites(tc.before, tc.after, self, tc.logged)); got != tc.want {
			t.Errorf("%s: %d writes, want %d", tc.name, got, tc.want)
		}
	}
}

// While a node writes to disk it handles nothing, as a LogCabin server
// holds its lock: a request that arrives meanwhile is answered when the
// write ends, not when it arrives.
func TestBusyWritingDefersMessages(t *testing.T) {
	c, rec := newTestCluster(t, 3, 5, withLatency(ms, ms), func(cfg *Config) { cfg.DiskWrite = 20 * ms })
	must(t, c.Timeout(1)) // n1 writes term 1 and its vote until 20ms; its requests arrive at 21ms
	c.RunUntil(5 * ms)
	must(t, c.Timeout(2)) // n2 writes until 25ms
	c.RunFor(100 * ms)
	votes := rec.filter(func(e Event) bool { return e.Kind == KindVote && e.Node == 2 && e.For == 1 })
	if len(votes) != 1 || votes[0].At != 25*ms || votes[0].Granted {
		t.Fatalf("n2's answer to n1: %+v; want a refusal at 25ms, when its write ended", votes)
	}
	delivered := rec.filter(func(e Event) bool {
		return e.Kind == KindDeliver && e.To == 2 && e.From == 1 && e.Type == engine.MsgRequestVote
	})
	if len(delivered) != 1 || delivered[0].At != 21*ms {
		t.Fatalf("n1's request reached n2 at %+v; want 21ms", delivered)
	}
}

// Terse changes nothing but the reasons: the same seed and faults give the
// same events, reasons aside, and no reason at all.
func TestTerseDecidesTheSame(t *testing.T) {
	run := func(terse bool) []Event {
		c, rec := newTestCluster(t, 5, 8, withPreVote, func(cfg *Config) {
			cfg.Terse, cfg.DiskWrite = terse, ms
		})
		leader := waitLeader(t, c, 2*time.Second)
		must(t, c.AppendLog([]int{leader, otherThan(5, leader)}, 2))
		must(t, c.Kill(leader))
		c.RunFor(2 * time.Second)
		must(t, c.Restart(leader))
		must(t, c.Timeout(leader))
		c.RunFor(2 * time.Second)
		return rec.events
	}
	full, terse := run(false), run(true)
	if len(full) != len(terse) {
		t.Fatalf("%d events verbose, %d terse", len(full), len(terse))
	}
	for i := range full {
		switch k := terse[i].Kind; {
		case (k == KindVote || k == KindTimeout || k == KindIgnore || k == KindAppend || k == KindCommit) && terse[i].Why() != "":
			t.Fatalf("terse event %d has a reason: %s", i, terse[i].String())
		case k != KindDrop:
			full[i].Reason, terse[i].Reason = "", ""
			full[i].Because, terse[i].Because = engine.Because{}, engine.Because{}
		}
		if full[i].String() != terse[i].String() {
			t.Fatalf("event %d differs:\n%s\n%s", i, full[i].String(), terse[i].String())
		}
	}
}

// A leader never grants a pre-vote. In a 3-node PreVote cluster where one
// follower cannot hear the leader (a one-way cut), that follower's pre-vote
// reaches the leader and the other follower; the follower refuses (it hears
// the leader), and if the leader granted, the asker would have two of three,
// campaign, and depose a healthy leader.
func TestLeaderRefusesPreVotes(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		c, rec := newTestCluster(t, 3, seed, withPreVote)
		leader := waitLeader(t, c, 2*time.Second)
		term := status(t, c, leader).Term
		deaf := otherThan(3, leader)
		must(t, c.Cut(leader, deaf, true))
		c.RunFor(3 * time.Second)
		if c.Leader() != leader || c.MaxTerm() != term {
			t.Fatalf("seed %d: leader n%d of term %d deposed: leader n%d, max term %d", seed, leader, term, c.Leader(), c.MaxTerm())
		}
		asked := rec.filter(func(e Event) bool { return e.Kind == KindVote && e.PreVote && e.Node == leader && e.For == deaf })
		if len(asked) == 0 || asked[0].Granted {
			t.Fatalf("seed %d: the leader's pre-vote answers to n%d: %+v; want refusals", seed, deaf, asked)
		}
	}
}

// A node killed while it writes to disk keeps only what reached the disk,
// and the messages waiting for the write never leave, as with a real disk:
// Raft answers a vote request only once the vote is stable. n1 asks at 0;
// its requests reach n2 at 21ms, whose writes (its new term, then its vote)
// end at 41ms and 61ms, and whose answer leaves then.
func TestKillDuringDiskWrite(t *testing.T) {
	for _, tc := range []struct {
		killAt   time.Duration
		term     uint64
		vote     raft.NodeID
		answered bool
	}{
		{30 * ms, 0, raft.None, false}, // nothing written yet
		{50 * ms, 1, raft.None, false}, // the term written, not the vote
		{70 * ms, 1, 1, true},          // both written, the answer sent
	} {
		c, rec := newTestCluster(t, 3, 5, withLatency(ms, ms), func(cfg *Config) { cfg.DiskWrite = 20 * ms })
		must(t, c.Timeout(1))
		c.RunUntil(tc.killAt)
		must(t, c.Kill(2))
		c.RunUntil(100 * ms)
		must(t, c.Restart(2))
		if s := status(t, c, 2); s.Term != tc.term || s.VotedFor != tc.vote {
			t.Errorf("killed at %v: restarted with term %d and vote %v, want term %d and vote %v", tc.killAt, s.Term, s.VotedFor, tc.term, tc.vote)
		}
		answers := rec.filter(func(e Event) bool { return e.From == 2 && e.To == 1 && e.Type == engine.MsgRequestVoteReply })
		if got := len(answers) == 2 && answers[1].Kind == KindDeliver; got != tc.answered {
			t.Errorf("killed at %v: n2's answer %v, want delivered %v", tc.killAt, answers, tc.answered)
		}
		if !tc.answered && (len(answers) != 2 || answers[1].Kind != KindDrop || answers[1].Reason != "dead") {
			t.Errorf("killed at %v: n2's answer ends as %v, want sent and dropped as dead", tc.killAt, answers)
		}
		c.RunFor(2 * time.Second) // n2 may vote again in a term it forgot: no violation
		waitLeader(t, c, time.Second)
	}
	// Both voters die writing: n1 has only its own vote, and wins nothing.
	c, _ := newTestCluster(t, 3, 5, withLatency(ms, ms), func(cfg *Config) { cfg.DiskWrite = 20 * ms })
	must(t, c.Timeout(1))
	c.RunUntil(30 * ms)
	must(t, c.Kill(2))
	must(t, c.Kill(3))
	c.RunUntil(time.Second)
	if s := status(t, c, 1); s.Role == raft.Leader {
		t.Fatalf("n1 leads term %d, counting votes that were never written", s.Term)
	}
}

// A follower answers an AppendEntries with entries only once it has
// written them (log-write); a leader sends its new entries at once, writing
// them while they travel, and a heartbeat's answer waits for nothing. A
// follower killed while it writes keeps the entries (the write counts as
// done) and its answer never leaves.
func TestLogWriteDelaysFollowersAnswers(t *testing.T) {
	const write = 5 * ms
	withLogWrite := func(w time.Duration) func(*Config) { return func(cfg *Config) { cfg.LogWrite = w } }
	for _, w := range []time.Duration{0, write} {
		c, rec := n1Leads(t, withLogWrite(w))
		put := c.Now()
		must(t, c.Put(1, "x"))
		c.RunFor(100 * ms)
		commit := rec.filter(func(e Event) bool { return e.Kind == KindCommit && e.Node == 1 && e.At >= put })
		sent := rec.filter(func(e Event) bool { return e.Kind == KindSend && e.From == 1 && e.At == put })
		if len(commit) != 1 || commit[0].At != put+2*ms+w || len(sent) != 2 {
			t.Errorf("log write %v: leader's commit %v, AppendEntries sent %d at once; want the commit at put+%v, 2 sent", w, commit, len(sent), 2*ms+w)
		}
	}
	c, rec := n1Leads(t, withLogWrite(write))
	put := c.Now()
	must(t, c.Put(1, "x"))
	c.RunUntil(put + 3*ms) // n2 has had the entry since put+1ms, and writes it until put+6ms
	must(t, c.Kill(2))
	c.RunFor(100 * ms)
	must(t, c.Restart(2))
	if log := status(t, c, 2).Log; len(log) != 2 || string(log[1].Data) != "x" {
		t.Errorf("n2 killed while writing: restarted with log %v, want the no-op and x", log)
	}
	answers := rec.filter(func(e Event) bool {
		return e.From == 2 && e.To == 1 && e.Type == engine.MsgAppendEntriesReply && e.At > put && e.Kind == KindDeliver && e.At < put+100*ms
	})
	if len(answers) != 0 {
		t.Errorf("n2's answer reached n1 though n2 died writing: %v", answers)
	}
	c, rec = newTestCluster(t, 3, 5)
	c.ReportParams()
	must(t, c.Apply(Command{Action: ActSet, Param: ParamLogWrite, Min: 5 * ms}))
	params := rec.filter(func(e Event) bool { return e.Kind == KindParam && e.Name == "log-write" })
	if len(params) != 1 || params[0].Value != "5ms" {
		t.Errorf("log-write param events %+v: want none at 0s (the default), one for set log-write 5ms", params)
	}
	if err := c.Apply(Command{Action: ActSet, Param: ParamLogWrite, Min: -ms}); err == nil {
		t.Error("a negative log write: no error")
	}
}

// n1Leads makes a cluster of 3 with a latency of 1ms and opts, and makes n1
// its leader: 500ms after n1 times out.
func n1Leads(t *testing.T, opts ...func(*Config)) (*Cluster, *recorder) {
	t.Helper()
	c, rec := newTestCluster(t, 3, 5, append([]func(*Config){withLatency(ms, ms)}, opts...)...)
	must(t, c.Timeout(1))
	c.RunFor(500 * ms)
	if c.Leader() != 1 {
		t.Fatalf("leader n%d, want n1", c.Leader())
	}
	return c, rec
}
