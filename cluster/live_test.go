package cluster

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// fakeWall drives a Live cluster's pacing without sleeping: every tick it
// sends is handled before the next command, because the channel is
// unbuffered and the cluster goroutine handles one thing at a time.
type fakeWall struct {
	t0    time.Time
	now   time.Time
	ticks chan time.Time
}

func newFakeWall() *fakeWall {
	t0 := time.Unix(1_000_000, 0)
	return &fakeWall{t0: t0, now: t0, ticks: make(chan time.Time)}
}

func (w *fakeWall) advance(d time.Duration) {
	w.now = w.now.Add(d)
	w.ticks <- w.now
}

func startTestLive(t *testing.T, speed float64, paused bool, opts ...func(*Config)) (*Live, *fakeWall) {
	t.Helper()
	w := newFakeWall()
	cfg := DefaultConfig()
	cfg.Seed = 3
	for _, o := range opts {
		o(&cfg)
	}
	l, err := StartLive(context.Background(), cfg, LiveOptions{
		Speed: speed, Paused: paused, Ticks: w.ticks, Now: func() time.Time { return w.t0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Stop)
	return l, w
}

// settle makes sure every tick sent so far has been handled.
func settle(t *testing.T, l *Live) {
	t.Helper()
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
}

func TestLivePacesVirtualTime(t *testing.T) {
	l, w := startTestLive(t, 0.5, false)
	for i := 0; i < 10; i++ {
		w.advance(100 * ms) // one wall second in all
	}
	settle(t, l)
	if got := l.Snapshot().Now; got != 500*ms {
		t.Fatalf("after 1s of wall time at 0.5x: virtual %v, want 500ms", got)
	}
	if err := l.SetSpeed(2); err != nil {
		t.Fatal(err)
	}
	w.advance(100 * ms)
	settle(t, l)
	if got := l.Snapshot().Now; got != 700*ms {
		t.Fatalf("after 100ms more at 2x: virtual %v, want 700ms", got)
	}
	if l.SetSpeed(0) == nil {
		t.Fatal("speed 0 accepted")
	}
}

func TestLivePauseAndStep(t *testing.T) {
	l, w := startTestLive(t, 1, true)
	w.advance(time.Second)
	settle(t, l)
	if got := l.Snapshot().Now; got != 0 {
		t.Fatalf("paused clock moved to %v", got)
	}
	events, _ := l.Drain(nil)
	for i := 0; i < 3; i++ {
		if err := l.StepEvent(); err != nil {
			t.Fatal(err)
		}
		var fresh []Event
		fresh, _ = l.Drain(nil)
		if len(fresh) == 0 {
			t.Fatalf("step %d produced no event", i)
		}
		events = append(events, fresh...)
	}
	if s := l.Snapshot(); s.Now == 0 || !s.Paused {
		t.Fatalf("after stepping: now %v paused %v; want time moved, still paused", s.Now, s.Paused)
	}
	if err := l.Resume(); err != nil {
		t.Fatal(err)
	}
	before := l.Snapshot().Now
	w.advance(100 * ms)
	settle(t, l)
	if got := l.Snapshot().Now; got != before+100*ms {
		t.Fatalf("resumed: virtual %v, want %v", got, before+100*ms)
	}
}

func TestLiveCommandsAndLeader(t *testing.T) {
	l, w := startTestLive(t, 1, false)
	for i := 0; i < 20; i++ {
		w.advance(50 * ms)
	}
	settle(t, l)
	leader := l.Snapshot().Leader
	if leader == 0 {
		t.Fatal("no leader after 1s")
	}
	if err := l.do(func(c *Cluster) error { return c.Kill(leader) }); err != nil {
		t.Fatal(err)
	}
	if err := l.do(func(c *Cluster) error { return c.Kill(99) }); err == nil {
		t.Fatal("killing n99: no error")
	}
	for i := 0; i < 20; i++ {
		w.advance(50 * ms)
	}
	settle(t, l)
	s := l.Snapshot()
	if s.Leader == 0 || s.Leader == leader || s.Nodes[leader-1].Alive {
		t.Fatalf("after killing n%d: leader n%d, n%d alive=%v", leader, s.Leader, leader, s.Nodes[leader-1].Alive)
	}
}

// A slow reader loses the oldest events, never blocks the cluster, and is
// told how many it lost.
func TestLiveBufferIsBounded(t *testing.T) {
	w := newFakeWall()
	cfg := DefaultConfig()
	l, err := StartLive(context.Background(), cfg, LiveOptions{
		Speed: 1, Buffer: 100, Ticks: w.ticks, Now: func() time.Time { return w.t0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	for i := 0; i < 40; i++ {
		w.advance(50 * ms)
	}
	settle(t, l)
	events, dropped := l.Drain(nil)
	if len(events) != 100 || dropped == 0 {
		t.Fatalf("drained %d events, %d dropped; want the newest 100 and a count of the rest", len(events), dropped)
	}
	if events[len(events)-1].At > l.Snapshot().Now || events[0].At > events[len(events)-1].At {
		t.Fatal("events out of order")
	}
	total := l.Snapshot().Stats.Events
	if len(events)+dropped != total {
		t.Fatalf("drained %d + dropped %d != %d events made", len(events), dropped, total)
	}
	// The count is of drops since the last Drain: a reader that keeps up
	// again is told it lost nothing more.
	w.advance(100 * ms) // two heartbeat rounds: some events, fewer than the buffer holds
	settle(t, l)
	events, dropped = l.Drain(events[:0])
	made := l.Snapshot().Stats.Events - total
	if made == 0 || made > 100 || len(events) != made || dropped != 0 {
		t.Fatalf("after catching up: drained %d of %d new events, %d dropped; want all and 0 (the count must be reset by Drain)",
			len(events), made, dropped)
	}
}

// Stop ends the goroutine (goleak in TestMain checks it) and a command after
// Stop fails instead of hanging.
func TestLiveStopAndContext(t *testing.T) {
	l, _ := startTestLive(t, 1, false)
	l.Stop()
	if err := l.Sync(); err != ErrStopped {
		t.Fatalf("Do after Stop: %v, want ErrStopped", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	l2, err := StartLive(ctx, DefaultConfig(), LiveOptions{Frame: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	<-l2.stopped
	if err := l2.Pause(); err != ErrStopped {
		t.Fatalf("Pause after cancel: %v", err)
	}
}

// Hundreds of kills, restarts and shutdowns leave no goroutine behind.
// Each Live starts one goroutine, so a leak grows by one per round: one
// round would show it, hundreds show one that happens only now and then.
// The verdict waits for the stopped goroutines to be gone (see
// waitGoroutinesGone), however busy the machine; goleak, in TestMain,
// checks the whole package again at its end.
func TestLiveKillRestartLoopLeavesNothing(t *testing.T) {
	before := goleak.IgnoreCurrent()
	for i := 0; i < 200; i++ {
		l, err := StartLive(context.Background(), DefaultConfig(), LiveOptions{Speed: 100, Frame: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < 3; j++ {
			_ = l.do(func(c *Cluster) error { return c.Kill(1 + (i+j)%5) })
			_ = l.do(func(c *Cluster) error { return c.Restart(1 + (i+j)%5) })
		}
		l.Stop()
	}
	waitGoroutinesGone(t, before)
}

// waitGoroutinesGone waits until no goroutine is left but those ignored,
// and fails with the survivors' stacks if some are still there after a
// minute. Stop returns when the goroutine has signalled its end, a few
// instructions before it is gone, and Go gives no later signal: so this
// asks goleak, whose Find retries for a while each time, again and again.
// The minute is a hang guard, not a verdict: a leaked goroutine is never
// gone, a stopped one always is, and what a busy machine changes is only
// how long that takes.
func waitGoroutinesGone(t *testing.T, ignore goleak.Option) {
	t.Helper()
	guard := time.Now().Add(time.Minute)
	for {
		err := goleak.Find(ignore)
		if err == nil {
			return
		}
		if time.Now().After(guard) {
			msg := err.Error()
			t.Fatalf("goroutines left behind (%d stacks): %.3000s", strings.Count(msg, "Goroutine "), msg)
		}
	}
}

// BenchmarkKillRestart measures a kill and a restart of a node, with the
// memory they keep: a loop of them must not grow.
func BenchmarkKillRestart(b *testing.B) {
	c, _ := New(DefaultConfig(), nil)
	c.RunFor(time.Second)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := 1 + i%5
		_ = c.Kill(id)
		c.RunFor(10 * time.Millisecond)
		_ = c.Restart(id)
		c.RunFor(10 * time.Millisecond)
		i++
	}
}

// Snapshots share the Leaders list with the running cluster (see
// Stats.finish); under -race this reads them while a churning cluster
// appends, caps and reallocates it.
func TestSnapshotLeadersShareSafely(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Heartbeat = 3 * time.Second // a new leader every few hundred ms
	l, err := StartLive(context.Background(), cfg, LiveOptions{Speed: 64, Frame: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	var terms uint64
	for i := 0; i < 20000; i++ {
		for _, tl := range l.Snapshot().Stats.Leaders {
			terms += tl.Term
		}
	}
	_ = terms
}

// A tick does at most MaxEventsPerTick events: past that, the virtual clock
// falls behind the wall and the snapshot says so, and the goroutine stays
// free for commands and Stop (a 1ms heartbeat at 64x once kept it busy for
// minutes).
func TestLiveBoundsTheWorkOfATick(t *testing.T) {
	w := newFakeWall()
	cfg := DefaultConfig()
	cfg.Seed, cfg.Nodes = 1, 101
	l, err := StartLive(context.Background(), cfg, LiveOptions{
		Speed: 64, Ticks: w.ticks, Now: func() time.Time { return w.t0 }, MaxEventsPerTick: 1000,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	w.advance(200 * ms) // 12.8 virtual seconds asked for
	settle(t, l)
	s := l.Snapshot()
	if !s.Behind || s.Now >= 12*time.Second || s.Stats.Events > 1000+2*101*101 {
		t.Fatalf("after one tick: now %v, %d events, behind %v; want the tick cut short and said", s.Now, s.Stats.Events, s.Behind)
	}
	if err := l.Apply(Command{Action: ActKill, Nodes: []int{1}}); err != nil {
		t.Fatal(err)
	}
}

// With slow-votes on, the clock runs VoteSlowdown times slower while votes
// are on the wire, and at the asked speed otherwise; the events are the
// same either way.
func TestLiveSlowsDownForVotes(t *testing.T) {
	run := func(slow bool) (*Live, *fakeWall) {
		w := newFakeWall()
		cfg := DefaultConfig()
		cfg.Seed = 3
		l, err := StartLive(context.Background(), cfg, LiveOptions{
			Speed: 1, Ticks: w.ticks, Now: func() time.Time { return w.t0 }, SlowVotes: slow, VoteSlowdown: 10,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(l.Stop)
		return l, w
	}
	fast, fw := run(false)
	slow, sw := run(true)
	for range 100 { // 1s of wall time in 10ms ticks
		fw.advance(10 * ms)
		sw.advance(10 * ms)
	}
	settle(t, fast)
	settle(t, slow)
	f, s := fast.Snapshot(), slow.Snapshot()
	if f.Now != time.Second {
		t.Fatalf("without slow-votes the clock is at %v after 1s at 1x", f.Now)
	}
	// The first election's votes are in flight for a few ms of virtual
	// time: slowed ten times, they take tens of ms of the wall's second.
	if s.Now >= f.Now-20*ms || s.Now < f.Now/2 {
		t.Fatalf("with slow-votes the clock is at %v, against %v without: want the election's few ms slowed, the rest not", s.Now, f.Now)
	}
	if !s.SlowVotes {
		t.Fatal("the snapshot does not say slow-votes is on")
	}
	// Pacing only: the same events up to where the slow one got.
	var fe, se []Event
	fe, _ = fast.Drain(fe)
	se, _ = slow.Drain(se)
	n := 0
	for n < len(se) && se[n].At <= s.Now && n < len(fe) {
		if !reflect.DeepEqual(fe[n], se[n]) {
			t.Fatalf("event %d differs with slow-votes: %s vs %s", n, fe[n].String(), se[n].String())
		}
		n++
	}
	if n < 50 {
		t.Fatalf("compared only %d events", n)
	}
}

// Slow motion for every message makes heartbeats visible at 0.1x: sampled
// every 100ms of wall time, most samples find one on the wire, where
// without it (1-5ms of every 50ms heartbeat round) few do; and the events
// are the same, pacing only. At 1x and faster it does nothing.
func TestLiveSlowsDownForMessages(t *testing.T) {
	run := func(speed float64, slow bool) (*Live, *fakeWall) {
		w := newFakeWall()
		cfg := DefaultConfig()
		cfg.Seed = 3
		l, err := StartLive(context.Background(), cfg, LiveOptions{
			Speed: speed, Ticks: w.ticks, Now: func() time.Time { return w.t0 }, SlowVotes: true, SlowMessages: slow,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(l.Stop)
		return l, w
	}
	sample := func(l *Live, w *fakeWall) (seen, of int) {
		for i := range 3000 { // 30s of wall time in 10ms ticks: up to 3 virtual seconds
			w.advance(10 * ms)
			if i%10 == 9 {
				settle(t, l)
				s := l.Snapshot()
				if s.Leader != 0 {
					of++
					if len(s.Flights) > 0 {
						seen++
					}
				}
			}
		}
		return seen, of
	}
	plain, pw := run(0.1, false)
	slow, sw := run(0.1, true)
	ps, pn := sample(plain, pw)
	ss, sn := sample(slow, sw)
	t.Logf("heartbeats on the wire: %d of %d samples with slow-messages, %d of %d without", ss, sn, ps, pn)
	if pn < 10 || sn < 10 {
		t.Fatalf("only %d and %d samples with a leader", pn, sn)
	}
	if ss*10 < sn*6 || ps*10 > pn*3 {
		t.Fatalf("heartbeats on the wire in %d of %d samples with slow-messages, %d of %d without: want most, against few", ss, sn, ps, pn)
	}
	if !slow.Snapshot().SlowMessages {
		t.Fatal("the snapshot does not say slow-messages is on")
	}
	var pe, se []Event
	pe, _ = plain.Drain(pe)
	se, _ = slow.Drain(se)
	until := slow.Snapshot().Now
	n := 0
	for n < len(se) && se[n].At <= until && n < len(pe) {
		if !reflect.DeepEqual(pe[n], se[n]) {
			t.Fatalf("event %d differs with slow-messages: %s vs %s", n, pe[n].String(), se[n].String())
		}
		n++
	}
	if n < 100 {
		t.Fatalf("compared only %d events", n)
	}
	// At 1x, messages do not hold the clock back (votes still do).
	fast, fw := run(1, true)
	votes, vw := run(1, false)
	for range 100 {
		fw.advance(10 * ms)
		vw.advance(10 * ms)
	}
	settle(t, fast)
	settle(t, votes)
	if got, want := fast.Snapshot().Now, votes.Snapshot().Now; got != want {
		t.Fatalf("at 1x the clock is at %v with slow-messages, %v without", got, want)
	}
}
