package cluster

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// startTestWorlds starts a Live of two worlds of seed 3, B being A with
// diff, on a fake wall clock.
func startTestWorlds(t *testing.T, diff string, opts ...func(*Config)) (*Live, *fakeWall) {
	t.Helper()
	c, err := ParseCompare(diff)
	if err != nil {
		t.Fatal(err)
	}
	w := newFakeWall()
	cfg := DefaultConfig()
	cfg.Seed = 3
	for _, o := range opts {
		o(&cfg)
	}
	l, err := StartLive(context.Background(), cfg, LiveOptions{
		Speed: 1, Ticks: w.ticks, Now: func() time.Time { return w.t0 }, Compare: []Compare{c},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Stop)
	return l, w
}

// byWorld splits events by world, dropping the fork markers (World 0).
func byWorld(events []Event) (a, b []Event) {
	for _, e := range events {
		switch e.World {
		case WorldA:
			a = append(a, e)
		case WorldB:
			b = append(b, e)
		}
	}
	return a, b
}

// freshWorlds runs two worlds from scratch with cmds at their times, to
// until, by another road than Live's: Worlds.Apply, and a world's events
// collected as they are handed on.
func freshWorlds(t *testing.T, cfg Config, diff []Compare, cmds []TimedCommand, until time.Duration) (*Worlds, []Event) {
	t.Helper()
	var events []Event
	w, err := NewWorlds(cfg, diff, func(e Event) { events = append(events, e) }, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.A().ReportParams()
	w.B().ReportParams()
	for _, tc := range cmds {
		w.RunUntil(tc.At)
		w.Apply(tc.Cmd)
	}
	w.RunUntil(until)
	w.Flush()
	return w, events
}

// A command reaches both worlds at the same virtual instant: "kill
// leader" kills each world's own leader at one moment, and the snapshot
// shows both dead.
func TestLiveWorldsCommandReachesBothAtOneInstant(t *testing.T) {
	l, w := startTestWorlds(t, "prevote=on")
	for range 40 { // 2s: both worlds have a leader
		w.advance(50 * ms)
	}
	settle(t, l)
	before := l.Snapshot()
	if before.Compared == nil || before.Leader == 0 || before.Compared.B.Leader == 0 {
		t.Fatalf("want two worlds, each with a leader: %+v", before.Compared)
	}
	if err := l.Apply(Command{Action: ActKill, Nodes: []int{LeaderNode}}); err != nil {
		t.Fatal(err)
	}
	events, _ := l.Drain(nil)
	a, b := byWorld(events)
	kill := func(events []Event) (Event, bool) {
		for _, e := range events {
			if e.Kind == KindFault && e.Action == ActKill {
				return e, true
			}
		}
		return Event{}, false
	}
	ka, okA := kill(a)
	kb, okB := kill(b)
	if !okA || !okB || ka.At != kb.At || ka.At != before.Now {
		t.Fatalf("kill in A: %v at %v; in B: %v at %v; want both at %v", okA, ka.At, okB, kb.At, before.Now)
	}
	if ka.Nodes[0] != before.Leader || kb.Nodes[0] != before.Compared.B.Leader {
		t.Fatalf("killed n%d and n%d; the leaders were n%d and n%d", ka.Nodes[0], kb.Nodes[0], before.Leader, before.Compared.B.Leader)
	}
	after := l.Snapshot()
	if after.Nodes[ka.Nodes[0]-1].Alive || after.Compared.B.Nodes[kb.Nodes[0]-1].Alive {
		t.Fatal("a killed leader is alive in the snapshot")
	}
	if after.Compared.B.Config.PreVote != true || after.Config.PreVote != false {
		t.Fatal("world B is not world A with prevote=on")
	}
}

// The pair's time travel: any moment a seek rebuilds is, in both worlds,
// the state of a fresh run of the recording stopped there; a fork forks
// both worlds; and the events the viewer saw, before the fork and after
// it, are world by world those of a fresh run of what was recorded.
func TestLiveWorldsForkForksBothAndReplays(t *testing.T) {
	t.Run("textbook", func(t *testing.T) { testLiveWorldsForkForksBothAndReplays(t) })
	// etcd's nodes cannot be copied: both worlds are rebuilt by replay
	// from their start.
	t.Run("etcd", func(t *testing.T) { testLiveWorldsForkForksBothAndReplays(t, withEtcd) })
}

func testLiveWorldsForkForksBothAndReplays(t *testing.T, opts ...func(*Config)) {
	l, w := startTestWorlds(t, "prevote=on", opts...)
	seen, forkAt := forkedRun(t, l, w)
	rec := l.Recording()
	if len(rec) != 1 || rec[0].At != forkAt || rec[0].Cmd.Action != ActKill {
		t.Fatalf("recording after the fork: %+v; want the fork's kill alone", rec)
	}
	now := l.Snapshot()
	fresh, replay := freshWorlds(t, now.Start, now.Compared.Diff, rec, now.Now)
	for i, pair := range [][2][]Event{{first(byWorld(seen)), first(byWorld(replay))}, {second(byWorld(seen)), second(byWorld(replay))}} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Fatalf("world %s: live saw %d events, a fresh run of the recording made %d", World(i+1), len(pair[0]), len(pair[1]))
		}
	}
	if got, want := now.Compared.Divergences, fresh.Divergences(); len(got) == 0 || !reflect.DeepEqual(got[0], want[0]) {
		t.Fatalf("live found %d divergences, a fresh run %d (first: %v / %v)", len(got), len(want), got, want)
	}
	for _, at := range []time.Duration{forkAt, 1700 * ms, 2500 * ms} {
		got, err := l.SnapshotAt(at)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := freshWorlds(t, now.Start, now.Compared.Diff, rec, at)
		if g, w := stateOf(got), stateOf(snapshotOf(want.A())); !reflect.DeepEqual(g, w) {
			t.Fatalf("at %v world A: a seek shows\n%+v\na fresh run has\n%+v", at, g, w)
		}
		if g, w := stateOf(got.Compared.B), stateOf(snapshotOf(want.B())); !reflect.DeepEqual(g, w) {
			t.Fatalf("at %v world B: a seek shows\n%+v\na fresh run has\n%+v", at, g, w)
		}
	}
}

func first(a, _ []Event) []Event  { return a }
func second(_, b []Event) []Event { return b }

// stateOf is a snapshot's cluster state alone, without what the live
// runner adds (pace, start, the comparison).
func stateOf(s Snapshot) Snapshot {
	return Snapshot{Now: s.Now, Leader: s.Leader, Nodes: s.Nodes, Stats: s.Stats, Config: s.Config,
		MaxTerm: s.MaxTerm, Flights: s.Flights, Cuts: s.Cuts, VotesInFlight: s.VotesInFlight}
}

// Stepping a paused pair shows what the step did at once, in both worlds:
// the events of the instant it stopped at are handed on, not held back
// until the clock passes it.
func TestLiveWorldsStepShowsItsEvents(t *testing.T) {
	l, _ := startTestWorlds(t, "heartbeat=60ms")
	must(t, l.Pause())
	_, _ = l.Drain(nil)
	must(t, l.StepEvent())
	events, _ := l.Drain(nil)
	now := l.Snapshot().Now
	if len(events) == 0 || events[len(events)-1].At != now {
		t.Fatalf("a step to %v handed on %d events, the last at %v", now, len(events), events)
	}
}

// Live as headless (TestWorldsPartAgainAfterACommand): the leader killed
// at 0.178s, before the worlds are back in step, and the next election
// parts them again, found as the clock passes it.
func TestLiveWorldsPartAgainAfterAKill(t *testing.T) {
	l, w := startTestWorlds(t, "prevote=on")
	w.advance(178 * ms)
	settle(t, l)
	if err := l.Apply(Command{Action: ActKill, Nodes: []int{LeaderNode}}); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		w.advance(50 * ms)
	}
	settle(t, l)
	s := l.Snapshot()
	var later []Divergence
	for _, d := range s.Compared.Divergences {
		if d.At > 178*ms {
			later = append(later, d)
		}
	}
	if len(later) == 0 || later[0].A.State != StateCandidate || later[0].B.State != StatePreCandidate {
		t.Fatalf("at %v, after a kill at 0.178s: %v", s.Now, s.Compared.Divergences)
	}
}
