package cluster

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// randomCommands makes a random history of n commands for a cluster of size
// nodes within d of virtual time, in time order, some of which will fail
// when they run (killing a dead node), as a person's would.
func randomCommands(r *rand.Rand, size, n int, d time.Duration) []TimedCommand {
	node := func() int { return 1 + r.IntN(size) }
	var out []TimedCommand
	at := time.Duration(0)
	for range n {
		at += time.Duration(r.Int64N(int64(2 * d / time.Duration(n))))
		var cmd Command
		switch r.IntN(9) {
		case 0:
			cmd = Command{Action: ActKill, Nodes: []int{node()}}
		case 1:
			cmd = Command{Action: ActRestart, Nodes: []int{node()}}
		case 2:
			cmd = Command{Action: ActDisconnect, Nodes: []int{LeaderNode}}
		case 3:
			cmd = Command{Action: ActReconnect, Nodes: []int{node()}}
		case 4:
			a, b := node(), node()
			if a == b {
				b = a%size + 1
			}
			cmd = Command{Action: ActCut, Nodes: []int{a, b}, OneWay: r.IntN(2) == 0}
		case 5:
			cmd = Command{Action: ActHeal}
		case 6:
			cmd = Command{Action: ActTimeout, Nodes: []int{node()}}
		case 7:
			cmd = Command{Action: ActSet, Param: ParamDrop, Rate: float64(r.IntN(4)) / 10}
		case 8:
			cmd = Command{Action: ActSet, Param: ParamPreVote, On: r.IntN(2) == 0}
		}
		if size == 1 && (cmd.Action == ActCut) {
			cmd = Command{Action: ActHeal}
		}
		out = append(out, TimedCommand{At: at, Cmd: cmd})
	}
	return out
}

// liveLike runs c to end the way Live does: in uneven chunks, a checkpoint
// after each, commands at their times recorded as done.
func liveLike(c *Cluster, h *History, cmds []TimedCommand, end time.Duration, r *rand.Rand) {
	adv := plainAdvance{}
	for c.Now() < end {
		next := min(end, c.Now()+time.Duration(1+r.Int64N(int64(300*ms))))
		if len(cmds) > 0 && cmds[0].At <= next {
			adv.RunUntil(c, cmds[0].At)
			if done, _ := c.Execute(cmds[0].Cmd); done.Action != 0 {
				h.record(TimedCommand{At: c.Now(), Cmd: done})
			}
			cmds = cmds[1:]
		} else {
			adv.RunUntil(c, next)
		}
		h.maybeCheckpoint(&solo{c: c, adv: adv})
	}
}

// freshRun replays cmds on a new cluster to t, as `raftty run` would.
func freshRun(t *testing.T, cfg Config, cmds []TimedCommand, until time.Duration, sink func(Event)) *Cluster {
	t.Helper()
	c, err := New(cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cmds {
		if tc.At > until {
			break
		}
		c.RunUntil(tc.At)
		_ = c.Apply(tc.Cmd)
	}
	c.RunUntil(until)
	return c
}

// TestSeekEqualsFreshRun is time travel's promise: the state shown at any
// moment equals the state of a fresh run stopped at that moment, and so
// does everything after it.
//
// Twelve seeds: of 17 one-line bugs planted in seek and in Clone, the 10
// the test catches are all caught by seeds 1-7 (one, the invariant
// checker's votes shared by a clone, only by seeds 7, 24 and 30); seeds
// 13-30 caught nothing more, for 3 s of CPU under -race.
func TestSeekEqualsFreshRun(t *testing.T) {
	t.Parallel() // shares nothing: it may take the second core
	for seed := uint64(1); seed <= 12; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 99))
			cfg := DefaultConfig()
			cfg.Nodes, cfg.Seed = 1+r.IntN(7), seed
			end := 20 * time.Second
			c, err := New(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			h, _ := newHistory(c, plainAdvance{})
			h.everyEvents, h.every = 200+r.IntN(2000), time.Duration(1+r.IntN(5))*time.Second
			liveLike(c, h, randomCommands(r, cfg.Nodes, 12, end), end, r)
			if h.Checkpoints() < 3 {
				t.Fatalf("only %d checkpoints: the test would not cross any", h.Checkpoints())
			}
			recorded := h.cmds // every command is still kept (no checkpoint fell off)
			// Random moments, and the moments where off-by-one bugs live:
			// a command's instant and a checkpoint's.
			moments := []time.Duration{h.points[1].at, h.points[len(h.points)-1].at}
			for _, tc := range recorded {
				moments = append(moments, tc.At)
			}
			for range 8 {
				moments = append(moments, time.Duration(r.Int64N(int64(end))))
			}
			for _, at := range moments {
				var gotEvents, wantEvents []Event
				got, err := h.Seek(at, func(e Event) { gotEvents = append(gotEvents, e) })
				if err != nil {
					t.Fatal(err)
				}
				want := freshRun(t, cfg, recorded, at, nil)
				if g, w := snapshotOf(got), snapshotOf(want); !reflect.DeepEqual(g, w) {
					t.Fatalf("at %v: seek shows\n%+v\nfresh run has\n%+v", at, g, w)
				}
				gotEvents = nil
				got.sink = func(e Event) { gotEvents = append(gotEvents, e) }
				want.sink = func(e Event) { wantEvents = append(wantEvents, e) }
				got.RunFor(time.Second)
				want.RunFor(time.Second)
				if !reflect.DeepEqual(gotEvents, wantEvents) {
					t.Fatalf("at %v: the second after a seek differs from a fresh run's (%d vs %d events)", at, len(gotEvents), len(wantEvents))
				}
			}
		})
	}
}

// TestCloneRunsLikeTheOriginal: a clone and its original, given the same
// commands, produce the same events.
func TestCloneRunsLikeTheOriginal(t *testing.T) {
	a, ra := newTestCluster(t, 5, 11)
	a.RunUntil(2 * time.Second)
	b := a.Clone(nil)
	var rb recorder
	rb.t = t
	b.sink = rb.sink
	from := len(ra.events)
	for _, c := range []*Cluster{a, b} {
		_ = c.Apply(Command{Action: ActKill, Nodes: []int{LeaderNode}})
		c.RunUntil(5 * time.Second)
	}
	if !reflect.DeepEqual(ra.events[from:], rb.events) || len(rb.events) == 0 {
		t.Fatalf("clone diverged: %d vs %d events", len(ra.events)-from, len(rb.events))
	}
	// And running the clone did not touch the original's past.
	if a.Now() != b.Now() {
		t.Fatalf("clocks differ: %v vs %v", a.Now(), b.Now())
	}
}

func TestSeekBeforeOldestIsAnError(t *testing.T) {
	c, _ := newTestCluster(t, 3, 1)
	h, _ := newHistory(c, plainAdvance{})
	h.every, h.limit = time.Second, 3
	liveLike(c, h, nil, 10*time.Second, rand.New(rand.NewPCG(1, 1)))
	if h.Checkpoints() != 3 || h.Oldest() == 0 {
		t.Fatalf("kept %d checkpoints, oldest %v: want 3 and the first ones gone", h.Checkpoints(), h.Oldest())
	}
	if _, err := h.Seek(h.Oldest()-time.Millisecond, nil); err == nil {
		t.Fatal("seek before the oldest checkpoint worked")
	}
	if _, err := h.Seek(h.Oldest(), nil); err != nil {
		t.Fatal(err)
	}
}

// forkedRun is a viewer's session with a fork: 2s, n2 disconnected, 2s
// more, then a fork at 1.5s that kills the leader, resumed for 2s. It
// returns every event the viewer kept, the discarded future forgotten as
// the fork's marker (which comes first after the fork) tells it to, and
// the marker itself left out: it is not part of the cluster's history.
func forkedRun(t *testing.T, l *Live, w *fakeWall) (seen []Event, forkAt time.Duration) {
	t.Helper()
	drain := func() {
		settle(t, l)
		seen, _ = l.Drain(seen)
	}
	for range 40 { // 2s
		w.advance(50 * ms)
	}
	if err := l.Apply(Command{Action: ActDisconnect, Nodes: []int{2}}); err != nil {
		t.Fatal(err)
	}
	for range 40 {
		w.advance(50 * ms)
	}
	drain()
	forkAt = 1500 * ms
	if err := l.Fork(forkAt, Command{Action: ActKill, Nodes: []int{LeaderNode}}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for n < len(seen) && seen[n].At <= forkAt {
		n++
	}
	seen = seen[:n]
	settle(t, l)
	var marker []Event
	marker, _ = l.Drain(marker)
	if len(marker) == 0 || marker[0].Kind != KindFork || marker[0].At != forkAt {
		t.Fatalf("the first event after the fork is %+v, want the fork marker at %v", marker, forkAt)
	}
	seen = append(seen, marker[1:]...)
	if err := l.Apply(Command{Action: ActResume}); err != nil {
		t.Fatal(err)
	}
	for range 40 {
		w.advance(50 * ms)
	}
	drain()
	return seen, forkAt
}

// TestLiveForkReplaysExactly: fork in the past, go on, and a replay of the
// recording from scratch gives the very events the viewer saw: those before
// the fork, then those after it.
func TestLiveForkReplaysExactly(t *testing.T) {
	t.Run("textbook", func(t *testing.T) { testLiveForkReplaysExactly(t) })
	t.Run("etcd", func(t *testing.T) { testLiveForkReplaysExactly(t, withEtcd) })
}

func testLiveForkReplaysExactly(t *testing.T, opts ...func(*Config)) {
	l, w := startTestLive(t, 1, false, opts...)
	seen, forkAt := forkedRun(t, l, w)
	rec := l.Recording()
	if len(rec) != 1 || rec[0].At != forkAt || rec[0].Cmd.Action != ActKill || rec[0].Cmd.Nodes[0] == LeaderNode {
		t.Fatalf("recording after the fork: %+v; want one kill of a named node at 1.5s (the disconnect at 2s is gone)", rec)
	}
	var replay []Event
	c := freshRun(t, l.Snapshot().Config, nil, 0, func(e Event) { replay = append(replay, e) })
	c.cfg = l.Snapshot().Config
	c.ReportParams()
	for _, tc := range rec {
		c.RunUntil(tc.At)
		_ = c.Apply(tc.Cmd)
	}
	c.RunUntil(l.Snapshot().Now)
	if !reflect.DeepEqual(seen, replay) {
		for i := range min(len(seen), len(replay)) {
			if !reflect.DeepEqual(seen[i], replay[i]) {
				t.Fatalf("event %d differs:\nlive   %s\nreplay %s", i, seen[i].String(), replay[i].String())
			}
		}
		t.Fatalf("live saw %d events, the replay made %d", len(seen), len(replay))
	}
}

func benchmarkSeek(b *testing.B, nodes int, runFor time.Duration) {
	cfg := DefaultConfig()
	cfg.Seed, cfg.Nodes = 1, nodes
	c, err := New(cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	h, _ := newHistory(c, plainAdvance{})
	for c.Now() < runFor {
		c.RunFor(100 * ms)
		h.maybeCheckpoint(&solo{c: c, adv: plainAdvance{}})
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	r := rand.New(rand.NewPCG(1, 2))
	oldest := h.Oldest()
	for b.Loop() {
		if _, err := h.Seek(oldest+time.Duration(r.Int64N(int64(runFor-oldest))), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(h.Checkpoints()), "checkpoints")
	b.ReportMetric((runFor - oldest).Minutes(), "kept-min")
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "history-MiB")
}

// BenchmarkSeekEtcd measures time travel for the etcd engine, whose history
// is replayed from the start: the last moment of the first 2 virtual
// minutes, and of the first 10, of a healthy 5-node cluster.
func BenchmarkSeekEtcd(b *testing.B) {
	for _, d := range []time.Duration{2 * time.Minute, 10 * time.Minute} {
		b.Run(d.String(), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Seed, cfg.Engine = 1, EngineEtcd
			c, err := New(cfg, nil)
			if err != nil {
				b.Fatal(err)
			}
			h, _ := newHistory(c, plainAdvance{})
			c.RunFor(d)
			// The end is the farthest moment from the start, where the
			// replay begins: the slowest seek.
			for b.Loop() {
				if _, err := h.Seek(d, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSeek measures time travel: rebuilding a random moment of a run
// of a minute and of an hour (5 and 101 nodes, default settings), and the
// memory the history holds.
func BenchmarkSeek(b *testing.B) {
	for _, nodes := range []int{5, 101} {
		b.Run(fmt.Sprintf("%dnodes/1min", nodes), func(b *testing.B) { benchmarkSeek(b, nodes, time.Minute) })
		b.Run(fmt.Sprintf("%dnodes/1h", nodes), func(b *testing.B) { benchmarkSeek(b, nodes, time.Hour) })
	}
}

// TestCloneKnowsEveryField fails when a field is added to the cluster or
// to a member, so that whoever adds it decides how Clone copies it (a
// shared slice is the bug TestSeekEqualsFreshRun found once).
func TestCloneKnowsEveryField(t *testing.T) {
	for _, tc := range []struct {
		v     any
		known string
	}{
		{Cluster{}, "cfg eng now streams peers pristine members net timers seq msgs sink cmp world checker logs stats leader inLeaderRole votesInFlight decision deciding puts pending"},
		{member{}, "id node hard stored timerGen timerAt timerPending busyUntil inbox disk writes"},
		{Stats{}, "Elections PreVotes LeadersElected LeaderChanges SplitVotes NoLeader LastElection NoLeaderSince HasLeader Timeouts Sent Delivered Dropped DroppedBy Violations ExpectationsFailed Errors Events LeaderSince Leaders Puts Redirects Committed CommitLatencies BackOffs Deleted openTerms lastLeader"},
		{checker{}, "lastTerm vote leaderOf"},
	} {
		typ := reflect.TypeOf(tc.v)
		var names []string
		for i := range typ.NumField() {
			names = append(names, typ.Field(i).Name)
		}
		if got := strings.Join(names, " "); got != tc.known {
			t.Errorf("%s has fields %q; Clone was written for %q: update Clone (and this list)", typ.Name(), got, tc.known)
		}
	}
}

// A fork whose command does nothing at the fork point (killing a node that
// was already dead then) is refused and leaves the present as it was: the
// clock, the recording, the buffered events.
func TestRefusedForkChangesNothing(t *testing.T) {
	l, w := startTestLive(t, 1, false)
	for range 10 {
		w.advance(50 * ms)
	}
	if err := l.Apply(Command{Action: ActKill, Nodes: []int{3}}); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		w.advance(50 * ms)
	}
	if err := l.Apply(Command{Action: ActDisconnect, Nodes: []int{1}}); err != nil {
		t.Fatal(err)
	}
	settle(t, l)
	before, rec := l.Snapshot(), l.Recording()
	if err := l.Fork(time.Second, Command{Action: ActKill, Nodes: []int{3}}); err == nil {
		t.Fatal("killing a node dead at the fork point forked")
	}
	if err := l.Fork(time.Second, Command{Action: ActPause}); err == nil {
		t.Fatal("a pacing command forked")
	}
	after := l.Snapshot()
	if after.Now != before.Now || after.Paused != before.Paused || !reflect.DeepEqual(l.Recording(), rec) {
		t.Fatalf("a refused fork changed the present: now %v -> %v, paused %v -> %v, recording %v -> %v",
			before.Now, after.Now, before.Paused, after.Paused, rec, l.Recording())
	}
}

// After a fork, the past that time travel shows is the new history: a
// command of the discarded future (here a disconnect at 2s, undone by a
// fork at 1.5s) is gone from every moment a seek rebuilds, as if it had
// never been given.
func TestSeekAfterForkShowsTheNewHistory(t *testing.T) {
	l, w := startTestLive(t, 1, false)
	for range 40 { // 2s
		w.advance(50 * ms)
	}
	if err := l.Apply(Command{Action: ActDisconnect, Nodes: []int{LeaderNode}}); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		w.advance(50 * ms)
	}
	if err := l.Fork(1500*ms, Command{Action: ActTimeout, Nodes: []int{2}}); err != nil {
		t.Fatal(err)
	}
	if err := l.Apply(Command{Action: ActResume}); err != nil {
		t.Fatal(err)
	}
	for range 60 {
		w.advance(50 * ms)
	}
	settle(t, l)
	rec := l.Recording()
	if len(rec) != 1 || rec[0].Cmd.Action != ActTimeout {
		t.Fatalf("recording %v: want only the fork's timeout", rec)
	}
	for _, at := range []time.Duration{1500 * ms, 2 * time.Second, 2500 * ms, 4 * time.Second} {
		got, err := l.History().Seek(at, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, err := New(l.Snapshot().Start, nil)
		if err != nil {
			t.Fatal(err)
		}
		want.ReportParams()
		for _, tc := range rec {
			want.RunUntil(tc.At)
			must(t, want.Apply(tc.Cmd))
		}
		want.RunUntil(at)
		if g, w := snapshotOf(got), snapshotOf(want); !reflect.DeepEqual(g, w) {
			t.Fatalf("at %v: a seek shows\n%+v\na run of the recording has\n%+v", at, g, w)
		}
	}
}

// A clone owns the messages that wait for its nodes' disk writes: the
// original and the clone, given different commands, each run exactly as a
// fresh cluster given its own. (Sharing a queue's backing array, each
// would write the messages it queues over the other's.)
func TestCloneOwnsWaitingMessages(t *testing.T) {
	t.Parallel() // shares nothing: it may take the second core
	cfg := DefaultConfig()
	cfg.Nodes, cfg.DiskWrite = 9, 30*ms
	cfg.Heartbeat = 200 * ms // leadership churns: elections, and disk writes, all the time
	cloned := 0
	for seed := uint64(1); seed <= 20; seed++ {
		cfg.Seed = seed
		var aEvents []Event
		a, err := New(cfg, func(e Event) { aEvents = append(aEvents, e) })
		if err != nil {
			t.Fatal(err)
		}
		// Find a moment when a node has messages waiting, room to queue
		// more in the same array, and another on its way.
		busy, other := 0, 0
		for busy == 0 && a.Now() < 5*time.Second && a.Step() {
			for _, m := range a.members[1:] {
				if len(m.inbox) == 0 || cap(m.inbox) == len(m.inbox) {
					continue
				}
				var coming []Flight // arriving while m still writes
				for _, f := range a.InFlight() {
					if f.To == m.id && f.Drop == "" && f.ArriveAt < m.busyUntil {
						coming = append(coming, f)
					}
				}
				slices.SortFunc(coming, func(x, y Flight) int { return int(x.ArriveAt - y.ArriveAt) })
				if len(coming) >= 2 && coming[0].From != coming[1].From {
					busy, other = m.id, coming[0].From
				}
			}
		}
		if busy == 0 {
			continue
		}
		cloned++
		at := a.Now()
		var bEvents []Event
		b := a.Clone(func(e Event) { bEvents = append(bEvents, e) })
		must(t, b.Disconnect(other)) // what other sent the busy node arrives in a only
		for a.Now() < at+time.Second || b.Now() < at+time.Second {
			a.Step()
			b.Step()
		}
		end := min(a.Now(), b.Now())
		for _, w := range []struct {
			name   string
			events []Event
			cmd    *Command
		}{
			{"the original", aEvents, nil},
			{"the clone", bEvents, &Command{Action: ActDisconnect, Nodes: []int{other}}},
		} {
			var want []Event
			fresh, err := New(cfg, func(e Event) { want = append(want, e) })
			if err != nil {
				t.Fatal(err)
			}
			fresh.RunUntil(at)
			if w.cmd != nil {
				want = nil // the clone's sink saw only what came after
				must(t, fresh.Apply(*w.cmd))
			}
			fresh.RunUntil(end)
			got := w.events
			for len(got) > 0 && got[len(got)-1].At > end {
				got = got[:len(got)-1]
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("seed %d: %s, cloned at %v with messages waiting for n%d, ran unlike a fresh cluster (%d events, want %d)",
					seed, w.name, at, busy, len(got), len(want))
			}
		}
	}
	if cloned < 5 {
		t.Fatalf("only %d seeds had messages waiting with room for more: the test proves little", cloned)
	}
}
