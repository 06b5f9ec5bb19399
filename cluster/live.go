package cluster

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// ErrStopped is returned by a command sent to a Live cluster that has
// stopped.
var ErrStopped = errors.New("cluster stopped")

// Advancer runs a cluster forward to a virtual time. scenario.Player is one:
// it carries out a script's steps on the way. The default is the cluster's
// own RunUntil.
type Advancer interface {
	RunUntil(c *Cluster, t time.Duration)
}

type plainAdvance struct{}

func (plainAdvance) RunUntil(c *Cluster, t time.Duration) { c.RunUntil(t) }

// LiveOptions configure a Live cluster.
type LiveOptions struct {
	// Speed is virtual time per wall time: 0.1 is slow motion.
	Speed float64
	// Paused starts the clock stopped.
	Paused bool
	// Frame is how often the clock is paced against the wall (default
	// 10ms). Ticks, if set, replaces the ticker (tests use it with Now).
	Frame time.Duration
	Ticks <-chan time.Time
	Now   func() time.Time
	// Buffer bounds the events waiting for Drain (default 16384); when
	// full, the oldest are dropped and counted.
	Buffer int
	// MaxCatchUp bounds how much wall time one tick makes up for (default
	// 250ms), so a stalled reader does not make the cluster sprint.
	MaxCatchUp time.Duration
	// Advance runs the cluster forward (default: plain RunUntil).
	Advance Advancer
}

// Snapshot is the state of a Live cluster after its latest step.
type Snapshot struct {
	// Start is the configuration the cluster started with: with the
	// recording, it is what a saved session replays from.
	Start   Config
	Now     time.Duration
	Leader  int
	Nodes   []NodeStatus
	Stats   Stats
	Config  Config
	Speed   float64
	Paused  bool
	MaxTerm uint64
}

// Live owns a Cluster in one goroutine and paces its simulated clock against
// the wall clock times a speed factor. Commands run in that goroutine; events
// wait in a bounded buffer for Drain. Stop (or cancelling the context given
// to StartLive) ends the goroutine; nothing of it outlives Stop.
type Live struct {
	c       *Cluster
	opts    LiveOptions
	cmds    chan liveCmd
	stopped chan struct{}
	cancel  context.CancelFunc

	mu       sync.Mutex
	ring     []Event
	head     int // index of the oldest buffered event
	count    int
	dropped  int
	snapshot Snapshot
	// recording is every command Apply carried out, in order.
	recording []TimedCommand
	start     Config

	// Owned by the goroutine.
	speed  float64
	paused bool
}

type liveCmd struct {
	fn    func(c *Cluster) error
	reply chan error
}

// StartLive builds a cluster from cfg and starts running it.
func StartLive(ctx context.Context, cfg Config, opts LiveOptions) (*Live, error) {
	if opts.Speed <= 0 {
		opts.Speed = 1
	}
	if opts.Frame <= 0 {
		opts.Frame = 10 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 16384
	}
	if opts.MaxCatchUp <= 0 {
		opts.MaxCatchUp = 250 * time.Millisecond
	}
	if opts.Advance == nil {
		opts.Advance = plainAdvance{}
	}
	l := &Live{
		opts:    opts,
		cmds:    make(chan liveCmd),
		stopped: make(chan struct{}),
		ring:    make([]Event, opts.Buffer),
		speed:   opts.Speed,
		paused:  opts.Paused,
	}
	c, err := New(cfg, l.push)
	if err != nil {
		return nil, err
	}
	l.c = c
	l.start = c.Config()
	c.ReportParams()
	l.publish()
	ctx, l.cancel = context.WithCancel(ctx)
	go l.loop(ctx)
	return l, nil
}

func (l *Live) loop(ctx context.Context) {
	defer close(l.stopped)
	ticks := l.opts.Ticks
	if ticks == nil {
		t := time.NewTicker(l.opts.Frame)
		defer t.Stop()
		ticks = t.C
	}
	last := l.opts.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case cmd := <-l.cmds:
			err := cmd.fn(l.c)
			l.publish()
			cmd.reply <- err
		case now := <-ticks:
			elapsed := min(now.Sub(last), l.opts.MaxCatchUp)
			last = now
			if !l.paused && elapsed > 0 {
				target := l.c.Now() + time.Duration(float64(elapsed)*l.speed)
				l.opts.Advance.RunUntil(l.c, target)
				l.publish()
			}
		}
	}
}

// Stop ends the cluster's goroutine and waits for it.
func (l *Live) Stop() {
	l.cancel()
	<-l.stopped
}

// Do runs fn on the cluster in its goroutine and returns fn's error, or
// ErrStopped. fn must not keep the cluster.
func (l *Live) Do(fn func(c *Cluster) error) error {
	reply := make(chan error, 1)
	select {
	case l.cmds <- liveCmd{fn: fn, reply: reply}:
		return <-reply
	case <-l.stopped:
		return ErrStopped
	}
}

// Apply carries out cmd at the cluster's current virtual time and records
// what it did (see Cluster.Execute) for Recording. Pacing commands (pause,
// resume, step, speed) pace the clock and are not recorded.
//
// Events due at the current instant are run first, so that the command
// lands where a replay's "at T" puts it: after everything at T.
func (l *Live) Apply(cmd Command) error {
	switch cmd.Action {
	case ActPause:
		return l.Pause()
	case ActResume:
		return l.Resume()
	case ActStep:
		return l.StepEvent()
	case ActSpeed:
		return l.SetSpeed(cmd.Speed)
	}
	return l.Do(func(c *Cluster) error {
		l.opts.Advance.RunUntil(c, c.Now())
		done, err := c.Execute(cmd)
		if done.Action != 0 {
			l.mu.Lock()
			l.recording = append(l.recording, TimedCommand{At: c.Now(), Cmd: done})
			l.mu.Unlock()
		}
		return err
	})
}

// Recording returns every command applied with Apply so far, with its
// virtual time, as done (see Cluster.Execute). Steps a scenario played are
// not in it: they are in the scenario.
func (l *Live) Recording() []TimedCommand {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.recording)
}

// Pause stops the simulated clock; Resume starts it again.
func (l *Live) Pause() error  { return l.setPaused(true) }
func (l *Live) Resume() error { return l.setPaused(false) }

func (l *Live) setPaused(p bool) error {
	return l.Do(func(*Cluster) error { l.paused = p; return nil })
}

// SetSpeed sets virtual time per wall time.
func (l *Live) SetSpeed(s float64) error {
	if s <= 0 {
		return errors.New("speed must be positive")
	}
	return l.Do(func(*Cluster) error { l.speed = s; return nil })
}

// StepEvent advances a paused cluster to its next scheduled happening that
// produces an event, and reports whether there was one.
func (l *Live) StepEvent() error {
	return l.Do(func(c *Cluster) error {
		before := c.stats.Events
		for i := 0; i < 1000 && c.stats.Events == before; i++ {
			at, ok := c.NextAt()
			if !ok {
				return errors.New("nothing is scheduled")
			}
			l.opts.Advance.RunUntil(c, at)
		}
		return nil
	})
}

// push buffers an event; it runs in the cluster goroutine and never blocks.
func (l *Live) push(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.count == len(l.ring) {
		l.head = (l.head + 1) % len(l.ring)
		l.count--
		l.dropped++
	}
	l.ring[(l.head+l.count)%len(l.ring)] = e
	l.count++
}

func (l *Live) publish() {
	s := Snapshot{
		Start: l.start, Now: l.c.Now(), Leader: l.c.Leader(), Nodes: l.c.Nodes(), Stats: l.c.Stats(),
		Config: l.c.Config(), Speed: l.speed, Paused: l.paused, MaxTerm: l.c.MaxTerm(),
	}
	l.mu.Lock()
	l.snapshot = s
	l.mu.Unlock()
}

// Drain appends the buffered events to buf, oldest first, empties the
// buffer, and returns how many events were dropped for lack of room since
// the last Drain.
func (l *Live) Drain(buf []Event) ([]Event, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := 0; i < l.count; i++ {
		buf = append(buf, l.ring[(l.head+i)%len(l.ring)])
	}
	l.head, l.count = 0, 0
	dropped := l.dropped
	l.dropped = 0
	return buf, dropped
}

// Snapshot returns the state after the latest step or command.
func (l *Live) Snapshot() Snapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.snapshot
}
