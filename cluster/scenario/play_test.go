package scenario

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"raftty/cluster"
)

// The final expectations are checked when the clock passes the end of the
// run, once, as `raftty run` checks them at its end: the live view, which
// runs on past the end, shows them decided.
func TestPlayerChecksFinalExpectationsAtTheEnd(t *testing.T) {
	script, err := Parse("end.txt", strings.NewReader("for 2s\nexpect leader\nexpect term >= 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	var expects []cluster.Event
	cfg := cluster.DefaultConfig()
	c, err := cluster.New(cfg, func(e cluster.Event) {
		if e.Kind == cluster.KindExpect {
			expects = append(expects, e)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlayer(script)
	p.RunUntil(c, 1999*time.Millisecond)
	if len(expects) != 0 {
		t.Fatalf("checked before the end: %v", expects)
	}
	p.RunUntil(c, 3*time.Second)
	p.Finish(c) // what `raftty run` does at its end: nothing more
	if len(expects) != 2 || expects[0].At != 2*time.Second || !expects[0].Passed {
		t.Fatalf("final expectations: %+v; want two, at 2s, holding", expects)
	}

	// EndAt moves the end, as --for does over a file's for.
	p = NewPlayer(script)
	p.EndAt(time.Second)
	var at []time.Duration
	c2, _ := cluster.New(cfg, func(e cluster.Event) {
		if e.Kind == cluster.KindExpect {
			at = append(at, e.At)
		}
	})
	p.RunUntil(c2, 3*time.Second)
	if len(at) != 2 || at[0] != time.Second {
		t.Fatalf("with EndAt(1s) the finals were checked at %v", at)
	}
}

// However the time is cut into RunUntil calls, the events are the same:
// the live view's ticks, a seek's single call and a headless run agree,
// steps after the end included.
func TestPlayerIgnoresHowTimeIsCut(t *testing.T) {
	script, err := Parse("cut.txt", strings.NewReader("for 1s\nat 500ms timeout 2\nat 1500ms kill leader\nexpect leader\n"))
	if err != nil {
		t.Fatal(err)
	}
	run := func(steps []time.Duration) []string {
		var out []string
		c, _ := cluster.New(cluster.DefaultConfig(), func(e cluster.Event) { out = append(out, e.String()) })
		p := NewPlayer(script)
		for _, at := range steps {
			p.RunUntil(c, at)
		}
		return out
	}
	once := run([]time.Duration{2 * time.Second})
	var ticks []time.Duration
	for at := 10 * time.Millisecond; at <= 2*time.Second; at += 10 * time.Millisecond {
		ticks = append(ticks, at)
	}
	if sliced := run(ticks); strings.Join(once, "\n") != strings.Join(sliced, "\n") {
		t.Fatalf("one call gave %d events, 10ms ticks %d: they differ", len(once), len(sliced))
	}
}

// Stepping a scenario one decision at a time (StepOne, as a paused live
// view's . does) makes the very events RunUntil makes, in the same order
// and with the same decision numbers: the cluster's own first at an
// instant, then the script's steps, then the end's expectations. Every
// built-in lesson, on a seed of its own.
func TestPlayerStepsLikeItRuns(t *testing.T) {
	// And a script whose steps and end fall on the split vote's busiest
	// instants, where the order within an instant shows.
	ties, err := Parse("ties.txt", strings.NewReader("for 300ms\nat 0s set election-timeout 150ms-150ms\n"+
		"at 0s set latency 1ms-1ms\nat 150ms timeout 2\nat 151ms kill 3\nat 151ms explain after the kill\n"+
		"at 152ms restart 3\nexpect no-leader\n"))
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range append(Builtins(), Builtin{Name: "ties"}) {
		s, err := Load(b.Name)
		if b.Name == "ties" {
			s, err = ties, nil
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Compare) > 0 {
			continue // two worlds run together; each world's player is this one
		}
		t.Run(b.Name, func(t *testing.T) {
			cfg := cluster.DefaultConfig()
			s.Configure(&cfg, nil)
			cfg.Seed = uint64(i + 1)
			end := min(s.For, 3*time.Second) + time.Second
			run := func(step bool) []cluster.Event {
				var out []cluster.Event
				c, err := cluster.New(cfg, func(e cluster.Event) { out = append(out, e) })
				if err != nil {
					t.Fatal(err)
				}
				p := NewPlayer(s)
				if p.end > end {
					p.EndAt(end - 500*time.Millisecond)
				}
				for step {
					at, ok := p.DueAt(c)
					if !ok || at > end {
						break
					}
					p.StepOne(c)
				}
				p.RunUntil(c, end)
				return out
			}
			ran, stepped := run(false), run(true)

			for i := range min(len(ran), len(stepped)) {
				if !reflect.DeepEqual(ran[i], stepped[i]) {
					t.Fatalf("event %d differs:\nrun  %s (decision %d)\nstep %s (decision %d)",
						i, ran[i].String(), ran[i].Decision, stepped[i].String(), stepped[i].Decision)
				}
			}
			if len(ran) != len(stepped) {
				t.Fatalf("RunUntil made %d events, stepping %d", len(ran), len(stepped))
			}
		})
	}
}

// Setup names the header line that makes a setup no cluster could run, the
// flags' own mistakes aside, and says nothing of a line whose mistake a
// later line or flag undoes.
func TestSetupNamesTheLine(t *testing.T) {
	etcd := func(cfg *cluster.Config) error { return cluster.UseEngine(cfg, "etcd", nil) }
	for _, tc := range []struct {
		file string
		base func(*cluster.Config)
		then func(*cluster.Config) error
		want string // "" for no error
	}{
		{"nodes 3\nengine etcd\nheartbeat 20ms\nmax-entries 2\n", nil, nil, "f:4: max-entries 2: the textbook engine's bound"},
		{"max-entries 2\nfor 1s\n", nil, etcd, "f:1: max-entries 2: the textbook engine's bound"},
		{"engine etcd\nheartbeat 200ms\nelection-timeout 1s-2s\n", nil, nil, ""},
		{"engine etcd\nheartbeat 200ms\n", nil, nil, "f:2: etcd engine: heartbeat 200ms must be shorter"},
		{"heartbeat 20ms\n", func(c *cluster.Config) { c.MaxEntries = 3 }, etcd, "max-entries 3: the textbook engine's bound"},
		{"at 1s set heartbeat 1s\n", nil, etcd, "f:1: etcd engine: heartbeat 1s must be shorter"},
	} {
		s, err := Parse("f", strings.NewReader(tc.file))
		if err != nil {
			t.Fatal(err)
		}
		base := cluster.DefaultConfig()
		if tc.base != nil {
			tc.base(&base)
		}
		_, err = s.Setup(base, nil, tc.then)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.file, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("%q: error %v, want %q", tc.file, err, tc.want)
		}
	}
}
