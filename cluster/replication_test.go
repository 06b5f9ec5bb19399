package cluster

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// withoutNoOp turns the no-op on election off, for tests that count the
// client's entries alone.
func withoutNoOp(c *Config) { c.NoOp = false }

func kinds(rec *recorder, k Kind) []Event {
	return rec.filter(func(e Event) bool { return e.Kind == k })
}

// A put to the leader is appended, replicated and committed everywhere; the
// events say so, and the statuses show the logs.
func TestPutReplicatesAndCommits(t *testing.T) {
	c, rec := newTestCluster(t, 3, 1, withoutNoOp)
	leader := waitLeader(t, c, 2*time.Second)
	done, err := c.Execute(Command{Action: ActPut, Nodes: []int{LeaderNode}, Data: "x=1"})
	if err != nil || done.String() != "put x=1 to "+strconv.Itoa(leader) {
		t.Fatalf("put: %v, done %q", err, done.String())
	}
	c.RunFor(200 * ms) // the commit reaches the followers with a heartbeat
	for id := 1; id <= 3; id++ {
		s := status(t, c, id)
		if len(s.Log) != 1 || string(s.Log[0].Data) != "x=1" || s.CommitIndex != 1 {
			t.Fatalf("n%d: log %v commit %d, want [x=1] committed", id, s.Log, s.CommitIndex)
		}
	}
	if n := len(kinds(rec, KindAppend)); n != 3 {
		t.Errorf("%d append events, want 3 (the leader's and two followers')", n)
	}
	if n := len(kinds(rec, KindCommit)); n != 3 {
		t.Errorf("%d commit events, want 3", n)
	}
	put := kinds(rec, KindFault)
	if last := put[len(put)-1]; last.Action != ActPut || last.String() != "client: put x=1 to n"+strconv.Itoa(leader) {
		t.Errorf("put's event: %q", last.String())
	}
	commit := kinds(rec, KindCommit)[0]
	if commit.Node != leader || commit.From != 0 || commit.Index != 1 ||
		!strings.Contains(commit.String(), "commits index 1: index 1 (term ") {
		t.Errorf("leader's commit event %+v: %q", commit, commit.String())
	}
	sum := c.Summary()
	if sum.Puts != 1 || sum.Committed != 1 || sum.CommitLatencyMax <= 0 || sum.CommitLatencyP50 != sum.CommitLatencyMax {
		t.Errorf("summary: %d puts, %d committed, latency %d/%d us", sum.Puts, sum.Committed, sum.CommitLatencyP50, sum.CommitLatencyMax)
	}
	if want := commit.At - put[len(put)-1].At; sum.CommitLatencyMax != want.Microseconds() {
		t.Errorf("commit latency %dus, want the time from put to the leader's commit, %v", sum.CommitLatencyMax, want)
	}
	line := string(commit.AppendJSON(nil))
	for _, want := range []string{`"kind":"commit"`, `"index":1`, `"count":1`, `"from":0`} {
		if !strings.Contains(line, want) {
			t.Errorf("JSON %s lacks %s", line, want)
		}
	}
}

// A follower refuses a client's command and names the leader; nothing is
// appended. A dead node and a missing leader are errors.
func TestPutRefusals(t *testing.T) {
	c, rec := newTestCluster(t, 3, 1, withoutNoOp)
	leader := waitLeader(t, c, 2*time.Second)
	c.RunFor(100 * ms) // everyone has heard the leader
	other := otherThan(3, leader)
	must(t, c.Put(other, "y"))
	r := kinds(rec, KindRedirect)
	if len(r) != 1 || r[0].Node != other || r[0].For != leader ||
		r[0].String() != "n"+strconv.Itoa(other)+" refuses a client's command: not the leader: n"+strconv.Itoa(leader)+" leads term "+strconv.FormatUint(r[0].Term, 10) {
		t.Fatalf("redirect events %+v", r)
	}
	if line := string(r[0].AppendJSON(nil)); !strings.Contains(line, `"leader":`+strconv.Itoa(leader)) {
		t.Errorf("JSON %s does not name the leader", line)
	}
	if n := len(kinds(rec, KindAppend)); n != 0 {
		t.Errorf("%d appends after a refused command", n)
	}
	must(t, c.Kill(other))
	if err := c.Put(other, "z"); err == nil || !strings.Contains(err.Error(), "dead") {
		t.Errorf("put to a dead node: %v", err)
	}
	must(t, c.Kill(leader))
	if _, err := c.Execute(Command{Action: ActPut, Nodes: []int{LeaderNode}}); err == nil || err.Error() != "there is no leader" {
		t.Errorf("put to no leader: %v", err)
	}
}

// A put without a value gets v1, v2, ...; the command that was done names
// the value and the node, so that a recording replays it exactly.
func TestPutMakesUpValues(t *testing.T) {
	c, _ := newTestCluster(t, 1, 1, withoutNoOp)
	waitLeader(t, c, time.Second)
	for _, want := range []string{"put v1 to 1", "put mine to 1", "put v3 to 1"} {
		data := ""
		if strings.Contains(want, "mine") {
			data = "mine"
		}
		done, err := c.Execute(Command{Action: ActPut, Nodes: []int{LeaderNode}, Data: data})
		if err != nil || done.String() != want {
			t.Fatalf("done %q (%v), want %q", done.String(), err, want)
		}
	}
	if s := status(t, c, 1); s.CommitIndex != 3 {
		t.Fatalf("a lone node commits at once: commit %d, want 3", s.CommitIndex)
	}
}

// The no-op is on by default (the dissertation's advice) and unsaid at
// t=0; it and unsafe-commit reach every node, now and after a restart; a
// restarted node has its log and not its commit index.
func TestReplicationParameters(t *testing.T) {
	c, rec := newTestCluster(t, 3, 1)
	c.ReportParams()
	leader := waitLeader(t, c, 2*time.Second)
	c.RunFor(200 * ms)
	if s := status(t, c, leader); len(s.Log) != 1 || s.Log[0].Data != nil || s.CommitIndex != 1 {
		t.Fatalf("by default the new leader's log is %v (commit %d), want its no-op, committed", s.Log, s.CommitIndex)
	}
	if p := rec.filter(func(e Event) bool { return e.Kind == KindParam && e.Name == "noop" }); len(p) != 0 {
		t.Errorf("the default no-op reported: %+v", p)
	}
	must(t, c.Apply(Command{Action: ActSet, Param: ParamUnsafeCommit, On: true}))
	other := otherThan(3, leader)
	must(t, c.Kill(other))
	must(t, c.Restart(other))
	if s := status(t, c, other); !s.UnsafeCommit || !s.NoOp || len(s.Log) != 1 || s.CommitIndex != 0 {
		t.Fatalf("restarted n%d: %+v, want unsafe-commit and no-op on, its log, commit 0", other, s.Status)
	}
	params := rec.filter(func(e Event) bool { return e.Kind == KindParam && e.Name == "unsafe-commit" })
	if len(params) != 1 || params[0].Value != "on" {
		t.Errorf("param events %+v", params)
	}
}

// The checker's chains follow every log exactly, through puts, kills,
// restarts, partitions, leader changes and appends by hand; a clone's too.
// (Entries appended by hand on a follower can contradict its leader's, and
// then the checker rightly reports Log Matching broken: this test is not
// about that.)
func TestChainsFollowTheLogs(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		cfg := DefaultConfig()
		cfg.Seed = seed
		c, err := New(cfg, nil)
		must(t, err)
		rng := rand.New(rand.NewPCG(seed, 3))
		var clone *Cluster
		for step := 0; step < 400; step++ {
			c.RunFor(time.Duration(rng.IntN(30)) * ms)
			switch id := 1 + rng.IntN(5); rng.IntN(12) {
			case 0:
				_ = c.Kill(id)
			case 1:
				_ = c.Restart(id)
			case 2:
				_ = c.Partition([][]int{{id, 1 + rng.IntN(5)}})
			case 3:
				c.Heal()
			case 4:
				_ = c.AppendLog([]int{id}, 1)
			case 5:
				clone = c.Clone(nil)
			default:
				_, _ = c.Execute(Command{Action: ActPut, Nodes: []int{LeaderNode}})
			}
			for _, k := range []*Cluster{c, clone} {
				if k == nil {
					continue
				}
				for id := 1; id <= 5; id++ {
					want := &logChecker{chains: make([][]uint64, 6)}
					want.extend(id, k.logOf(id), 1)
					if !slices.Equal(k.logs.chains[id], want.chains[id]) {
						t.Fatalf("seed %d step %d: n%d's chain (%d) does not follow its log (%d)", seed, step, id, len(k.logs.chains[id]), len(k.logOf(id)))
					}
				}
			}
			if clone != nil {
				clone.RunFor(10 * ms)
			}
		}
	}
}
