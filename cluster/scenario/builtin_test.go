package scenario

import (
	"slices"
	"strings"
	"testing"

	"raftty/cluster"
)

// runScript runs a script headless as `raftty run --scenario` does, in two
// worlds if it compares, on engine if one is named, and returns its expect
// events and any violations.
func runScript(t *testing.T, s *Script, seed uint64, engine ...string) (expects, violations []cluster.Event) {
	t.Helper()
	expects, violations, err := tryScript(s, seed, engine...)
	if err != nil {
		t.Fatal(err)
	}
	return expects, violations
}

// tryScript is runScript, returning the error of a config the engine
// refuses.
func tryScript(s *Script, seed uint64, engine ...string) (expects, violations []cluster.Event, err error) {
	cfg, err := s.Setup(cluster.DefaultConfig(), nil, func(cfg *cluster.Config) error {
		for _, e := range engine {
			if err := cluster.UseEngine(cfg, e, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	cfg.Seed = seed
	sink := func(e cluster.Event) {
		switch e.Kind {
		case cluster.KindExpect:
			expects = append(expects, e)
		case cluster.KindViolation:
			violations = append(violations, e)
		}
	}
	if len(s.Compare) > 0 {
		run, err := NewComparison(cfg, s.Compare, s, s.For, func(e *cluster.Event) { sink(*e) }, nil)
		if err != nil {
			return nil, nil, err
		}
		run.Finish()
		return expects, violations, nil
	}
	run, err := NewRun(cfg, s, s.For, sink)
	if err != nil {
		return nil, nil, err
	}
	run.Finish()
	return expects, violations, nil
}

// expectations counts the checks a run of s makes: each expectation once
// per world it is checked in.
func expectations(s *Script) int {
	worlds := 1
	if len(s.Compare) > 0 {
		worlds = 2
	}
	n := 0
	for _, st := range append(slices.Clone(s.Steps), s.Final...) {
		switch {
		case !st.IsExpect():
		case st.Expect.World == 0:
			n += worlds
		default:
			n++
		}
	}
	return n
}

// Every built-in scenario's expectations hold, whatever the seed, on every
// engine (or on the one its "only" line names): they are lessons, and a
// lesson that works only for one seed teaches luck. A scenario that breaks
// Raft on purpose (unsafe-commit on) is the lesson of a violation: for every
// seed the checker must find one, and its "no violation" fails while
// everything else it expects holds.
func TestBuiltinScenariosHold(t *testing.T) {
	t.Parallel() // shares nothing: it may take the second core
	all := Builtins()
	if len(all) < 14 {
		t.Fatalf("%d built-in scenarios, want the 14 of the lesson", len(all))
	}
	for _, b := range all {
		s, err := Load(b.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, engine := range cluster.Engines() {
			if s.HasOnly && s.Only != engine {
				continue
			}
			t.Run(b.Name+"/"+engine.String(), func(t *testing.T) { checkHolds(t, s, engine.String()) })
		}
	}
}

func checkHolds(t *testing.T, s *Script, engine string) {
	if s.Title == "" || s.Explain == "" || s.For == 0 {
		t.Fatalf("title %q, explain %q, for %v: a built-in says what it shows, what to watch, and how long it runs", s.Title, s.Explain, s.For)
	}
	want := expectations(s)
	if want < 2 {
		t.Fatalf("%d expectations: a built-in checks what it claims", want)
	}
	unsafe := breaksRaft(s)
	for seed := uint64(1); seed <= 10; seed++ {
		expects, violations := runScript(t, s, seed, engine)
		if len(violations) > 0 && !unsafe {
			t.Fatalf("seed %d: %s", seed, violations[0].String())
		}
		if len(violations) == 0 && unsafe {
			t.Fatalf("seed %d: Raft broken on purpose, and no violation", seed)
		}
		if len(expects) != want {
			t.Fatalf("seed %d: %d expectations checked, want %d", seed, len(expects), want)
		}
		for _, e := range expects {
			if e.Passed == (unsafe && e.Detail == "no violation") {
				t.Errorf("seed %d: %s", seed, e.String())
			}
		}
	}
}

// breaksRaft reports whether a script's header switches a safety rule off.
func breaksRaft(s *Script) bool {
	for _, set := range s.Settings {
		if set.Param == cluster.ParamUnsafeCommit && set.On {
			return true
		}
	}
	return s.UnsafeForgetVotes
}

// A built-in whose lesson holds on one engine only diverges on the other as
// its "only" line says: an expectation fails (or the engine refuses the
// settings), and never an invariant.
func TestOnlyScenariosDiverge(t *testing.T) {
	n := 0
	for _, b := range Builtins() {
		s, err := Load(b.Name)
		if err != nil {
			t.Fatal(err)
		}
		if !s.HasOnly {
			continue
		}
		n++
		for _, engine := range cluster.Engines() {
			if engine == s.Only {
				continue
			}
			diverged := 0
			for seed := uint64(1); seed <= 10; seed++ {
				expects, violations, err := tryScript(s, seed, engine.String())
				if len(violations) > 0 {
					t.Fatalf("%s on %v, seed %d: %s", b.Name, engine, seed, violations[0].String())
				}
				if err != nil || slices.ContainsFunc(expects, func(e cluster.Event) bool { return !e.Passed }) {
					diverged++
				}
			}
			if diverged == 0 {
				t.Errorf("%s holds on %v in every seed, though it says %q", b.Name, engine, s.OnlyWhy)
			}
		}
	}
	if n < 3 {
		t.Errorf("%d built-ins hold on one engine only: the differences want a scenario each", n)
	}
}

func TestLoadByShortNameAndErrors(t *testing.T) {
	s, err := Load("leader-crash")
	if err != nil || s.Name != "03-leader-crash" {
		t.Fatalf("Load(leader-crash): %v, %v", s, err)
	}
	if _, err := Load("no-such-scenario"); err == nil {
		t.Fatal("no error for an unknown scenario")
	}
}

// A failed expectation is an event that says what was expected, what was
// found and where it was written.
func TestFailedExpectation(t *testing.T) {
	s, err := Parse("mine.txt", stringsReader("nodes 3\nfor 2s\nat 1s expect no-leader\nexpect term >= 50\n"))
	if err != nil {
		t.Fatal(err)
	}
	expects, _ := runScript(t, s, 1)
	if len(expects) != 2 || expects[0].Passed || expects[1].Passed {
		t.Fatalf("expects %v, want two failures", expects)
	}
	if got := expects[0].String(); !strings.HasPrefix(got, "expect no-leader: FAILED (got leader n") || expects[0].Source != "mine.txt:3" {
		t.Fatalf("%q from %s", got, expects[0].Source)
	}
	if expects[1].Source != "mine.txt:4" || expects[1].Got == "" {
		t.Fatalf("end-of-run expectation: %+v", expects[1])
	}
}

// A built-in answers to its full name, its name without the number, and
// its number alone.
func TestLoadBuiltinByNumber(t *testing.T) {
	for _, name := range []string{"03-leader-crash", "leader-crash", "03", "3"} {
		s, err := Load(name)
		if err != nil || s.Name != "03-leader-crash" {
			t.Errorf("Load(%q): %v, %v; want 03-leader-crash", name, s, err)
		}
	}
	if _, err := Load("99"); err == nil {
		t.Error(`Load("99") found a scenario`)
	}
}

// BuiltinsFor marks each lesson for a cluster: refused where the cluster
// cannot run it, held on the other engine only, or timed for other
// timeouts; a lesson whose header names its engine runs on it.
func TestBuiltinsForMarks(t *testing.T) {
	etcd := cluster.DefaultConfig()
	etcd.Engine = cluster.EngineEtcd
	marks := func(base cluster.Config, engine string) map[string]Builtin {
		out := map[string]Builtin{}
		for _, b := range BuiltinsFor(base, engine) {
			out[b.Name[:2]] = b
		}
		return out
	}
	on := marks(etcd, "")
	for _, tc := range []struct {
		b              Builtin
		refused, other bool
		mismatch       string
	}{
		{on["03"], false, false, ""},
		{on["07"], true, true, "holds on the textbook engine only, not on etcd: etcd refuses a heartbeat"},
		{on["14"], true, true, "holds on the textbook engine only, not on etcd: etcd answers"}, // noop off, which etcd refuses
		{on["17"], false, false, ""}, // it compares the engines: A stays textbook
		{on["18"], false, false, ""},
		{marks(cluster.DefaultConfig(), "")["18"], false, false, ""}, // its header says engine etcd
		{marks(cluster.DefaultConfig(), "textbook")["18"], false, true, "holds on the etcd engine only, not on textbook"},
		{marks(cluster.DefaultConfig(), cluster.EtcdServer)["03"], false, false, "is timed for an election timeout of 150ms-300ms and a heartbeat of 50ms, not 1s-2s and 100ms"},
		{marks(cluster.DefaultConfig(), cluster.EtcdServer)["08"], true, true, "holds on the textbook engine only"},
	} {
		b := tc.b
		if b.Refused != tc.refused || b.OtherEngine != tc.other || !strings.HasPrefix(b.Mismatch, tc.mismatch) || (tc.mismatch == "") != (b.Mismatch == "") {
			t.Errorf("%s: refused %v, other engine %v, mismatch %q; want %v, %v, %q", b.Name, b.Refused, b.OtherEngine, b.Mismatch, tc.refused, tc.other, tc.mismatch)
		}
	}
}
