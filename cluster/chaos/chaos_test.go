package chaos

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"raftty/cluster"
	"raftty/cluster/scenario"
	"raftty/internal/race"
)

// A bounded chaos run, part of every test run: random clusters, random
// faults, no violation and no liveness failure.
//
// Under the race detector, which finds nothing in one goroutine's
// simulation and makes it several times slower, 150 seeds instead of 300.
// Planted one-line bugs in raft/ and the first seed that catches each:
// a vote for anyone (2), a vote not recorded (2), the term not clearing
// the vote (24, liveness), a majority of one less (6), an election timer
// not reset by AppendEntries (32), the election restriction on terms only
// (98) or on indexes only (65), a conflicting entry kept (60), the
// previous-entry check skipped (120). A commit one below the majority
// needs seed 225: raft's TestCommitRule and TestInteractions catch it.
func TestChaosBounded(t *testing.T) {
	t.Parallel() // shares nothing: it may take the second core
	runs, checks := 300, 0
	if race.Enabled {
		runs = 150
	}
	if testing.Short() {
		runs = 50
	}
	for seed := uint64(1); seed <= uint64(runs); seed++ {
		out := Execute(Generate(seed, 20*time.Second, Unsafe{}))
		if out.Failure != nil {
			t.Fatalf("seed %d: %s", seed, out.Failure)
		}
		checks += out.LivenessChecks
	}
	if checks < runs/5 {
		t.Fatalf("only %d liveness checks in %d runs: the check judges too little", checks, runs)
	}
}

// The broken variants (nodes that forget their votes; leaders that commit
// an earlier term's entry by counting copies, Figure 8) must be caught,
// shrunk, and replayed from their scenario text to the same failure.
func TestChaosCatchesBrokenRaft(t *testing.T) {
	t.Parallel() // shares nothing: it may take the second core
	for _, tc := range []struct {
		name   string
		unsafe Unsafe
		runs   uint64
		want   string // the invariants the violation may name, "|" between
	}{
		{"forgotten votes", Unsafe{ForgetVotes: true}, 200, cluster.InvElectionSafety + "|" + cluster.InvOneVote},
		{"unsafe commit", Unsafe{Commit: true}, 1000, cluster.InvLeaderCompleteness + "|" + cluster.InvStateMachineSafety},
	} {
		t.Run(tc.name, func(t *testing.T) { catchBrokenRaft(t, tc.unsafe, tc.runs, tc.want) })
	}
}

func catchBrokenRaft(t *testing.T, unsafe Unsafe, runs uint64, want string) {
	var plan Plan
	var failure *Failure
	for seed := uint64(1); seed <= runs && failure == nil; seed++ {
		plan = Generate(seed, 20*time.Second, unsafe)
		failure = Execute(plan).Failure
	}
	named := func(what string) bool {
		for _, inv := range strings.Split(want, "|") {
			if strings.Contains(what, "VIOLATION of "+inv+":") {
				return true
			}
		}
		return false
	}
	if failure == nil || failure.Kind != "violation" || !named(failure.What) {
		t.Fatalf("%d runs of a Raft broken on purpose (%+v) found %v", runs, unsafe, failure)
	}
	small := Shrink(plan, *failure)
	if len(small.Steps) > len(plan.Steps) {
		t.Fatalf("shrinking grew the schedule: %d > %d", len(small.Steps), len(plan.Steps))
	}
	got := Execute(small).Failure
	if got == nil || got.Kind != "violation" {
		t.Fatalf("the shrunk plan does not fail: %v", got)
	}

	// The scenario text, played as `raftty run` plays it, fails the same way.
	script, err := scenario.Parse("replay.txt", strings.NewReader(small.ScenarioText(got)))
	if err != nil {
		t.Fatalf("generated scenario does not parse: %v\n%s", err, small.ScenarioText(got))
	}
	// The file alone sets up the cluster: no flags, no Config from chaos.
	cfg := cluster.DefaultConfig()
	script.Configure(&cfg, nil)
	if cfg != small.Config {
		t.Fatalf("the file's header sets up %+v, chaos ran %+v", cfg, small.Config)
	}
	var first *cluster.Event
	c, err := cluster.New(cfg, func(e cluster.Event) {
		if e.Kind == cluster.KindViolation && first == nil {
			first = &e
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	c.ReportParams()
	p := scenario.NewPlayer(script)
	p.RunUntil(c, script.For)
	if first == nil || first.At != got.At || first.String() != got.What {
		t.Fatalf("replay found %v, chaos found %s", first, got)
	}
}

// Every plan the generator makes is written to a file that reads back as
// the same cluster and the same commands, one-way cuts and "leader"
// included: the file is parsed, not compared with its own renderer.
func TestScenarioFileReadsBackAsThePlan(t *testing.T) {
	oneWay, leader := 0, 0
	for seed := uint64(1); seed <= 300; seed++ {
		plan := Generate(seed, 20*time.Second, Unsafe{ForgetVotes: seed%2 == 0, Commit: seed%3 == 0})
		text := plan.ScenarioText(&Failure{Kind: "liveness", At: 3 * time.Second})
		back, err := scenario.Parse("replay.txt", strings.NewReader(text))
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, text)
		}
		cfg := cluster.DefaultConfig()
		back.Configure(&cfg, nil)
		if cfg != plan.Config || back.For != plan.Duration {
			t.Fatalf("seed %d: the header sets up %+v for %v, the plan is %+v for %v", seed, cfg, back.For, plan.Config, plan.Duration)
		}
		var got []cluster.Command
		for _, st := range back.Steps {
			if !st.IsExpect() {
				got = append(got, st.Cmd)
			}
		}
		var want []cluster.Command
		for _, st := range plan.Steps {
			want = append(want, st.Cmd)
			if st.Cmd.OneWay {
				oneWay++
			}
			if st.Cmd.Action.TakesNodes() && st.Cmd.Nodes[0] == cluster.LeaderNode {
				leader++
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: the file\n%s\nreads back as\n%v\nwant\n%v", seed, text, got, want)
		}
	}
	if oneWay == 0 || leader == 0 {
		t.Fatalf("%d one-way cuts, %d leader steps: the generator does not cover them", oneWay, leader)
	}
}

// A node with half its links may cause endless elections legitimately: the
// liveness judge must not demand a leader then.
func TestLivenessNotJudgedUnderPartialConnectivity(t *testing.T) {
	cfg := cluster.DefaultConfig()
	cfg.Nodes = 3
	cfg.LatencyMin, cfg.LatencyMax = 0, time.Microsecond
	c, err := cluster.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !mustElect(c) {
		t.Fatal("a healthy cluster must elect")
	}
	if err := c.Cut(1, 2, false); err != nil {
		t.Fatal(err)
	}
	if mustElect(c) {
		t.Fatal("n3 reaches both halves of a cut link: no isolated majority, nothing promised")
	}
	if err := c.Disconnect(2); err != nil {
		t.Fatal(err)
	}
	if !mustElect(c) {
		t.Fatal("with n2 disconnected, n1 and n3 are an isolated majority")
	}
	if err := c.Apply(cluster.Command{Action: cluster.ActSet, Param: cluster.ParamDrop, Rate: 0.1}); err != nil {
		t.Fatal(err)
	}
	if mustElect(c) {
		t.Fatal("with loss, nothing is promised")
	}
}

// A shrunk plan ends just past its failure: steps after the end never ran,
// and the file leaves them out (a replay would refuse them).
func TestScenarioFileEndsWithThePlan(t *testing.T) {
	plan := Generate(3, 20*time.Second, Unsafe{})
	plan.Duration = plan.Steps[len(plan.Steps)/2].At
	back, err := scenario.Parse("short.txt", strings.NewReader(plan.ScenarioText(nil)))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Steps) == 0 || len(back.Steps) == len(plan.Steps) {
		t.Fatalf("%d of %d steps written for a run that ends at %v", len(back.Steps), len(plan.Steps), plan.Duration)
	}
	for _, st := range back.Steps {
		if st.At > plan.Duration {
			t.Fatalf("%s at %v is after the end, %v", st, st.At, plan.Duration)
		}
	}
}

// The etcd engine under chaos: its plans are all in etcd's shapes (the
// timing and every timed set), and a bounded hunt finds nothing. A
// failure's scenario text names the engine, so that it replays on etcd.
//
// 20 seeds under the race detector, 40 without: a planted bug in the
// adapter that forgets etcd's hard state fails at seed 2, one that sends
// half of a Ready's messages at seed 1.
func TestChaosEtcd(t *testing.T) {
	t.Parallel()          // shares nothing: it may take the second core
	runs, checks := 40, 0 // `raftty chaos --engine etcd --runs 10000` is the hunt
	if race.Enabled {
		runs = 20
	}
	if testing.Short() {
		runs = 10
	}
	for seed := uint64(1); seed <= uint64(runs); seed++ {
		plan := GenerateFor(cluster.EngineEtcd, seed, 20*time.Second, Unsafe{})
		if err := plan.Config.Validate(); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		s := &scenario.Script{Steps: plan.Steps}
		if err := s.CheckSettings(plan.Config); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		out := Execute(plan)
		if out.Failure != nil {
			t.Fatalf("seed %d: %s", seed, out.Failure)
		}
		checks += out.LivenessChecks
	}
	if checks < runs/5 {
		t.Fatalf("only %d liveness checks in %d runs", checks, runs)
	}
	text := GenerateFor(cluster.EngineEtcd, 1, time.Second, Unsafe{}).ScenarioText(nil)
	if !strings.Contains(text, "\nengine etcd\n") || !strings.Contains(text, "\ntick ") {
		t.Errorf("scenario text does not name the engine:\n%s", text)
	}
}
