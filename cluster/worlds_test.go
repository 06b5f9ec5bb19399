package cluster

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// runWorlds runs two worlds of seed, B being A with diff, to end, with
// cmds applied to both at their times, advancing in slices of step; it
// returns every event handed on and the divergences.
func runWorlds(t *testing.T, seed uint64, diff string, cmds []TimedCommand, end, step time.Duration) ([]Event, []Divergence) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Seed = seed
	c, err := ParseCompare(diff)
	if err != nil {
		t.Fatal(err)
	}
	var events []Event
	var told []Divergence
	w, err := NewWorlds(cfg, []Compare{c}, func(e Event) { events = append(events, e) }, func(d Divergence) { told = append(told, d) }, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for at := time.Duration(0); at < end; {
		at = min(at+step, end)
		if len(cmds) > 0 && cmds[0].At <= at {
			at = cmds[0].At
			w.RunUntil(at)
			w.Apply(cmds[0].Cmd)
			cmds = cmds[1:]
			continue
		}
		w.RunUntil(at)
	}
	w.Flush()
	if !reflect.DeepEqual(told, w.Divergences()) || w.Count() != len(told) {
		t.Fatalf("told of %d divergences, kept %d, counted %d", len(told), len(w.Divergences()), w.Count())
	}
	return events, told
}

// Two worlds that differ in nothing that matters never part, and see the
// same events at the same instants, world A's first.
func TestWorldsWithoutADifferenceNeverDiverge(t *testing.T) {
	kill := []TimedCommand{{At: 2 * time.Second, Cmd: Command{Action: ActKill, Nodes: []int{LeaderNode}}}}
	events, told := runWorlds(t, 3, "prevote=off", kill, 5*time.Second, 300*ms)
	if len(told) != 0 {
		t.Fatalf("worlds with no difference diverge: %s", told[0].String())
	}
	var a, b []Event
	for _, e := range events {
		switch e.World {
		case WorldA:
			a = append(a, e)
		case WorldB:
			b = append(b, e)
		default:
			t.Fatalf("an event of no world: %s", e.String())
		}
	}
	if len(a) < 1000 || len(a) != len(b) {
		t.Fatalf("%d events in A, %d in B", len(a), len(b))
	}
	for i := range a {
		if !a[i].Equal(&b[i]) {
			t.Fatalf("event %d: A %s, B %s", i, a[i].String(), b[i].String())
		}
	}
	for i := 1; i < len(events); i++ {
		if p, e := events[i-1], events[i]; e.At < p.At || e.At == p.At && e.World < p.World {
			t.Fatalf("event %d out of order: %s in %v after %s in %v", i, e.String(), e.World, p.String(), p.World)
		}
	}
}

// With PreVote on in world B, the worlds are the same until the first
// election timer fires, and part there: A's node becomes a candidate, B's
// a pre-candidate. What is handed on and what is found does not depend on
// how the run is cut into calls.
func TestWorldsDivergeWhereTheDifferenceMatters(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		events, told := runWorlds(t, seed, "prevote=on", nil, 3*time.Second, 7*ms)
		if len(told) == 0 {
			t.Fatalf("seed %d: PreVote changes nothing", seed)
		}
		first := told[0]
		var timeout Event
		for _, e := range events {
			if e.Kind == KindTimeout {
				timeout = e
				break
			}
		}
		if first.At != timeout.At {
			t.Errorf("seed %d: first divergence at %v, the first election timer fires at %v", seed, first.At, timeout.At)
		}
		if first.A.State != StateCandidate || first.B.State != StatePreCandidate || first.A.Node != first.B.Node {
			t.Errorf("seed %d: %s", seed, first.String())
		}
		if s := first.String(); !strings.HasPrefix(s, "worlds diverge at ") || !strings.Contains(s, "; B: n") {
			t.Errorf("seed %d: %q", seed, s)
		}
		again, toldAgain := runWorlds(t, seed, "prevote=on", nil, 3*time.Second, time.Second)
		if !reflect.DeepEqual(events, again) || !reflect.DeepEqual(told, toldAgain) {
			t.Fatalf("seed %d: cut into other slices, the worlds hand on other events", seed)
		}
	}
}

// A command goes to both worlds at the same instant, and "leader" is each
// world's own: killing the leader at 2s kills a leader in each.
func TestWorldsTakeEveryCommand(t *testing.T) {
	kill := []TimedCommand{{At: 2 * time.Second, Cmd: Command{Action: ActKill, Nodes: []int{LeaderNode}}}}
	events, _ := runWorlds(t, 3, "heartbeat=60ms", kill, 3*time.Second, 100*ms)
	var faults []Event
	for _, e := range events {
		if e.Kind == KindFault && e.Action == ActKill {
			faults = append(faults, e)
		}
	}
	if len(faults) != 2 || faults[0].At != 2*time.Second || faults[1].At != 2*time.Second || faults[0].World == faults[1].World {
		t.Fatalf("kill faults %v: want one in each world at 2s", faults)
	}
}

func TestParseCompare(t *testing.T) {
	for _, tc := range []struct{ text, want, err string }{
		{"prevote=on", "prevote=on", ""},
		{"heartbeat=100ms", "heartbeat=100ms", ""},
		{"election-timeout=200ms-400ms", "election-timeout=200ms-400ms", ""},
		{"drop=30%", "drop=0.3", ""},
		{"prevote", "", `"prevote": want KEY=VALUE, like prevote=on or heartbeat=100ms`},
		{"speed=2", "", `"speed=2": unknown setting "speed" (want one of election-timeout, heartbeat,`},
		{"heartbeat=1ns", "", "heartbeat=1ns: below raftty's floor of 1ms"},
		{"prevote=maybe", "", "prevote=maybe: want on or off"},
		{"engine=etcd", "engine=etcd", ""},
		{"engine=etcd-server", "engine=etcd-server", ""},
		{"tick=10ms", "tick=10ms", ""},
		{"engine=zk", "", `engine=zk: no engine "zk" (choose from textbook, etcd, etcd-server)`},
		{"tick=0s", "", "tick=0s: must be positive"},
		{"tick=soon", "", "tick=soon: "},
	} {
		c, err := ParseCompare(tc.text)
		switch {
		case tc.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want %q", tc.text, err, tc.err)
		case tc.err == "" && (err != nil || c.String() != tc.want):
			t.Errorf("%q: %q, %v; want %q", tc.text, c.String(), err, tc.want)
		}
	}
	if _, err := NewWorlds(DefaultConfig(), nil, nil, nil, nil, nil); err == nil {
		t.Error("two worlds with no difference at all were made")
	}
}

// The start-up settings are keys of their own: world B runs another engine
// (with the etcd-server preset's timing), or etcd with another tick; a
// tick for a world B that runs the textbook engine is refused by name.
func TestCompareEngineAndTick(t *testing.T) {
	parse := func(texts ...string) []Compare {
		var out []Compare
		for _, text := range texts {
			c, err := ParseCompare(text)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, c)
		}
		return out
	}
	etcdCfg := DefaultConfig()
	etcdCfg.Engine = EngineEtcd
	for _, tc := range []struct {
		name string
		a    Config
		diff []Compare
		want func(b Config) bool
		err  string
	}{
		{"engine=etcd", DefaultConfig(), parse("engine=etcd"), func(b Config) bool { return b.Engine == EngineEtcd && b.Timing == DefaultConfig().Timing }, ""},
		{"engine=etcd-server", DefaultConfig(), parse("engine=etcd-server"), func(b Config) bool { return b.Engine == EngineEtcd && b.Tick == 100*ms && b.Heartbeat == 100*ms }, ""},
		{"engine=textbook from etcd", etcdCfg, parse("engine=textbook"), func(b Config) bool { return b.Engine == EngineTextbook && b.Tick == 0 }, ""},
		{"tick on etcd", etcdCfg, parse("tick=5ms"), func(b Config) bool { return b.Engine == EngineEtcd && b.Tick == 5*ms }, ""},
		{"engine and tick", DefaultConfig(), parse("engine=etcd", "tick=5ms"), func(b Config) bool { return b.Engine == EngineEtcd && b.Tick == 5*ms }, ""},
		{"tick on textbook", DefaultConfig(), parse("tick=5ms"), nil, "world B: tick 5ms: only the etcd engine counts ticks"},
	} {
		w, err := NewWorlds(tc.a, tc.diff, nil, nil, nil, nil)
		switch {
		case tc.err != "":
			if err == nil || err.Error() != tc.err {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case !tc.want(w.B().Config()) || w.A().Config() != tc.a:
			t.Errorf("%s: world A %+v, world B %+v", tc.name, w.A().Config(), w.B().Config())
		}
	}
	// Two engines part, and say where.
	_, told := runWorlds(t, 3, "engine=etcd", nil, 2*time.Second, 100*ms)
	if len(told) == 0 {
		t.Fatal("the textbook engine and etcd never part")
	}
}

// Between two engines a divergence is what nodes did, not how each engine
// words it: a forced timeout, which both engines' n2 take the same way at
// the same instant, each in its own words, is none; the election after a
// kill, which n1 wins in the textbook's world and n3 in etcd's, is one.
func TestWorldsOfTwoEnginesCompareWhatNodesDo(t *testing.T) {
	timeout := []TimedCommand{{At: 2 * time.Second, Cmd: Command{Action: ActTimeout, Nodes: []int{2}}}}
	events, told := runWorlds(t, 3, "engine=etcd", timeout, 3*time.Second, 100*ms)
	var reasons []string
	for _, e := range events {
		if e.At == 2*time.Second && e.Kind == KindTimeout {
			reasons = append(reasons, e.Reason)
		}
	}
	if len(reasons) != 2 || reasons[0] == reasons[1] {
		t.Fatalf("n2's timeouts at 2s %q: want one in each world, in different words", reasons)
	}
	for _, d := range told {
		if d.At == 2*time.Second {
			t.Errorf("the forced timeout, worded differently, counts as a divergence: %s", d)
		}
	}
	kill := []TimedCommand{{At: 2 * time.Second, Cmd: Command{Action: ActKill, Nodes: []int{LeaderNode}}}}
	_, told = runWorlds(t, 3, "engine=etcd", kill, 3*time.Second, 100*ms)
	var after []Divergence
	for _, d := range told {
		if d.At >= 2*time.Second {
			after = append(after, d)
		}
	}
	if len(after) == 0 || after[0].At == 2*time.Second || after[0].At > 2300*ms {
		t.Fatalf("divergences from the kill on %v: want the next election's, within 300ms", after)
	}
}

// A divergence's instants read apart when they are apart: to the
// microsecond where the millisecond would show them the same.
func TestDivergenceClock(t *testing.T) {
	us := time.Microsecond
	near := Divergence{At: 150553 * us, A: Event{At: 151107 * us, Kind: KindTimeout, Node: 4}, B: Event{At: 150553 * us, Kind: KindTimeout, Node: 4}}
	if got := near.String(); !strings.HasPrefix(got, "worlds diverge at 0.150553s: A (at 0.151107s): n4 times out") {
		t.Errorf("%q: want the instants to the microsecond", got)
	}
	far := Divergence{At: 151 * ms, A: Event{At: 167 * ms, Kind: KindTimeout, Node: 4}, B: Event{At: 151 * ms, Kind: KindTimeout, Node: 4}}
	if got := far.String(); !strings.HasPrefix(got, "worlds diverge at 0.151s: A (at 0.167s): n4 times out") {
		t.Errorf("%q: want the instants to the millisecond", got)
	}
}

// Handed on unordered, each world's events are the same, its decisions in
// the same order and the rest in the same order, and the divergences found
// are the same.
func TestWorldsUnorderedHandOnTheSame(t *testing.T) {
	run := func(unordered bool) ([2][]Event, []Divergence) {
		cfg := DefaultConfig()
		cfg.Seed = 2
		c, _ := ParseCompare("prevote=on")
		var got [2][]Event
		var told []Divergence
		w, err := NewWorlds(cfg, []Compare{c}, func(e Event) { got[e.World-1] = append(got[e.World-1], e) }, func(d Divergence) { told = append(told, d) }, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if unordered {
			w.HandOnUnordered()
		}
		w.RunUntil(2 * time.Second)
		w.Apply(Command{Action: ActKill, Nodes: []int{LeaderNode}})
		w.RunUntil(4 * time.Second)
		w.Flush()
		return got, told
	}
	split := func(events [2][]Event) (out [2][2][]Event) {
		for w := range events {
			for _, e := range events[w] {
				if isDecision(&e) && e.Kind != KindParam {
					out[w][0] = append(out[w][0], e)
				} else {
					out[w][1] = append(out[w][1], e)
				}
			}
		}
		return out
	}
	ordered, toldOrdered := run(false)
	unordered, toldUnordered := run(true)
	if !reflect.DeepEqual(split(ordered), split(unordered)) || !reflect.DeepEqual(toldOrdered, toldUnordered) || len(toldOrdered) < 2 {
		t.Fatalf("ordered: %d+%d events, %d divergences; unordered: %d+%d, %d", len(ordered[0]), len(ordered[1]), len(toldOrdered),
			len(unordered[0]), len(unordered[1]), len(toldUnordered))
	}
}

// A copy of two worlds, run forward with the same commands as the
// original, hands on the same events and finds the same divergences: what
// a live runner's checkpoints need.
func TestWorldsCloneRunsLikeTheOriginal(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Seed = 4
	c, _ := ParseCompare("prevote=on")
	var a []Event
	var toldA []Divergence
	w, err := NewWorlds(cfg, []Compare{c}, func(e Event) { a = append(a, e) }, func(d Divergence) { toldA = append(toldA, d) }, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.RunUntil(1234 * ms)
	w.Apply(Command{Action: ActTimeout, Nodes: []int{2}}) // its events wait to be lined up
	var b []Event
	var toldB []Divergence
	copied := w.Clone(func(e Event) { b = append(b, e) }, func(d Divergence) { toldB = append(toldB, d) })
	from, fromTold := len(a), len(toldA)
	for _, x := range []*Worlds{w, copied} {
		x.RunUntil(2 * time.Second)
		x.Apply(Command{Action: ActKill, Nodes: []int{LeaderNode}})
		x.RunUntil(4 * time.Second)
		x.Flush()
	}
	if !reflect.DeepEqual(a[from:], b) || !reflect.DeepEqual(toldA[fromTold:], toldB) || len(b) == 0 || len(toldB) == 0 {
		t.Fatalf("the copy handed on %d events and %d divergences, the original %d and %d", len(b), len(toldB), len(a)-from, len(toldA)-fromTold)
	}
	if w.Count() != copied.Count() || w.Now() != copied.Now() {
		t.Fatalf("counts %d, %d; clocks %v, %v", w.Count(), copied.Count(), w.Now(), copied.Now())
	}
}

// A command is a new cause: killing the leader (seed 3, PreVote on in B)
// before the worlds line up again after their first parting, or after,
// the next election parts them again, A's node a candidate where B's is a
// pre-candidate. The leader's appends that B's followers take a few
// milliseconds later than A's (the same decisions, shifted) are not a
// reason to miss it.
func TestWorldsPartAgainAfterACommand(t *testing.T) {
	for _, at := range []time.Duration{178 * ms, 400 * ms} {
		kill := []TimedCommand{{At: at, Cmd: Command{Action: ActKill, Nodes: []int{LeaderNode}}}}
		_, told := runWorlds(t, 3, "prevote=on", kill, time.Second, 7*ms)
		var later []Divergence
		for _, d := range told {
			if d.At > at {
				later = append(later, d)
			}
		}
		if len(later) == 0 {
			t.Errorf("kill at %v: no divergence after it, only %v", at, told)
			continue
		}
		if d := later[0]; d.A.State != StateCandidate || d.B.State != StatePreCandidate || d.A.Node != d.B.Node {
			t.Errorf("kill at %v: the next divergence is %s", at, d.String())
		}
	}
}

// What looked like a divergence and proved the same decisions a little
// later in B is dropped, and does not hold the next one back for an
// election timeout: seed 1, a wider latency in B, the leader killed at
// 0.65s; the next is A's n1 winning term 2 at 0.847s.
func TestWorldsShiftedIsNotADivergence(t *testing.T) {
	at := 650 * ms
	kill := []TimedCommand{{At: at, Cmd: Command{Action: ActKill, Nodes: []int{LeaderNode}}}}
	_, told := runWorlds(t, 1, "latency=2ms-8ms", kill, 2*time.Second, 7*ms)
	for _, d := range told {
		if d.At > at && d.A.Kind == KindState && d.A.State == StateLeader {
			return
		}
	}
	t.Fatalf("no divergence where A elects a leader after the kill at %v: %v", at, told)
}
