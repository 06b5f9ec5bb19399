package scenario

import (
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
