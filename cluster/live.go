package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
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

// A Stepper is an Advancer that can also go one decision at a time (see
// Cluster.Decide), so that a paused live cluster steps by decision
// (Live.StepEvent) and time travel can stop between two decisions of one
// instant (History.SeekDecision). The default advancer and
// scenario.Player are Steppers.
type Stepper interface {
	Advancer
	// DueAt returns when the next decision is due, or false if none is.
	DueAt(c *Cluster) (time.Duration, bool)
	// StepOne carries out that decision, in the order RunUntil would, and
	// reports whether there was one.
	StepOne(c *Cluster) bool
}

type plainAdvance struct{}

func (plainAdvance) RunUntil(c *Cluster, t time.Duration)   { c.RunUntil(t) }
func (plainAdvance) DueAt(c *Cluster) (time.Duration, bool) { return c.NextAt() }
func (plainAdvance) StepOne(c *Cluster) bool                { return c.Step() }

// stepperOf is adv as a Stepper: itself, or, for an advancer that cannot
// step, one that runs a whole instant at a time.
func stepperOf(adv Advancer) Stepper {
	if st, ok := adv.(Stepper); ok {
		return st
	}
	return instantStepper{adv}
}

// instantStepper steps an advancer that cannot step one decision at a
// time by whole instants.
type instantStepper struct{ Advancer }

func (s instantStepper) DueAt(c *Cluster) (time.Duration, bool) { return c.NextAt() }
func (s instantStepper) StepOne(c *Cluster) bool {
	at, ok := c.NextAt()
	if ok {
		s.RunUntil(c, at)
	}
	return ok
}

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
	// Advance runs the cluster forward (default: plain RunUntil). It must
	// be a Forker for time travel.
	Advance Advancer
	// Compare, if set, makes the Live run two worlds on its one clock:
	// world A from the Config, world B the same with these differences
	// (see Worlds). Every command goes to both at the same instant; events
	// come tagged with their world; the snapshot is world A's with world
	// B's beside it (Snapshot.Compared); time travel and forks take both.
	// AdvanceB runs world B as Advance runs world A (each must be its
	// world's own: a scenario.Player for each).
	Compare  []Compare
	AdvanceB Advancer
	// MaxEventsPerTick bounds the work of one tick (default 100000, a few
	// milliseconds): past it, the virtual clock falls behind the wall.
	MaxEventsPerTick int
	// SlowVotes starts with vote slow motion on: while a (pre-)vote request
	// or answer is on the wire, the clock runs VoteSlowdown times slower
	// (default 20), so that at 0.1x a RequestVote of a few milliseconds
	// takes about a second to cross the screen. Pacing only: the events are
	// the same.
	SlowVotes    bool
	VoteSlowdown float64
	// SlowMessages extends slow motion to every message below 1x:
	// heartbeats of a few milliseconds then cross a map at 0.1x in about
	// half a second, where they flashed by unseen. The live view turns it
	// on while its map is shown.
	SlowMessages bool
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
	// Behind: the last tick ran out of its event budget, so the virtual
	// clock is slower than speed x wall time.
	Behind bool
	// Oldest is the earliest moment time travel can show.
	Oldest time.Duration
	// SlowVotes and SlowMessages: slow motion is on for votes, for every
	// message (see LiveOptions); VotesInFlight: votes are on the wire;
	// Slowed: the clock runs slower now, for what is on the wire.
	SlowVotes, SlowMessages, VotesInFlight, Slowed bool
	// Decision is the number of the latest decision (Cluster.Decision),
	// world A's when two are compared: the state is the one right after it.
	Decision int
	// Flights are the messages on the wire (see Cluster.InFlight), and
	// Cuts the one-way links that are cut.
	Flights []Flight
	Cuts    []Link
	// Compared is world B and the divergences, when the Live runs two
	// worlds (LiveOptions.Compare); nil for one.
	Compared *Compared
}

// Live owns a Cluster (or two compared worlds) in one goroutine and paces
// its simulated clock against the wall clock times a speed factor.
// Commands run in that goroutine; events wait in a bounded buffer for
// Drain. Stop (or cancelling the context given to StartLive) ends the
// goroutine; nothing of it outlives Stop.
type Live struct {
	s       sim
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
	// start is the configuration the cluster started with (world A's),
	// startB world B's.
	start, startB Config

	// hist keeps checkpoints and commands for time travel.
	hist *History

	// Owned by the goroutine.
	speed     float64
	paused    bool
	behind    bool
	slowVotes bool
	slowMsgs  bool
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
	if opts.MaxEventsPerTick <= 0 {
		opts.MaxEventsPerTick = 100000
	}
	if opts.VoteSlowdown < 1 {
		opts.VoteSlowdown = 20
	}
	l := &Live{
		opts:      opts,
		cmds:      make(chan liveCmd),
		stopped:   make(chan struct{}),
		ring:      make([]Event, opts.Buffer),
		speed:     opts.Speed,
		paused:    opts.Paused,
		slowVotes: opts.SlowVotes,
		slowMsgs:  opts.SlowMessages,
	}
	var err error
	if l.s, err = l.newSim(cfg); err != nil {
		return nil, err
	}
	l.start = l.s.world().Config()
	if p, ok := l.s.(*pair); ok {
		l.startB = p.w.B().Config()
	}
	if l.hist, err = newSimHistory(l.s); err != nil {
		return nil, err
	}
	// What is due at the start (a scenario's explanation, its steps at 0s)
	// happens before anyone looks: a cluster paused at its start shows its
	// setup done, and its first step is a node's first decision.
	l.s.runUntil(l.s.now())
	l.hist.maybeCheckpoint(l.s)
	l.publish()
	ctx, l.cancel = context.WithCancel(ctx)
	go l.loop(ctx)
	return l, nil
}

// newSim makes the cluster, or the two worlds, and reports their
// parameters.
func (l *Live) newSim(cfg Config) (sim, error) {
	if len(l.opts.Compare) == 0 {
		c, err := New(cfg, l.push)
		if err != nil {
			return nil, err
		}
		c.ReportParams()
		return &solo{c: c, adv: l.opts.Advance}, nil
	}
	advB := l.opts.AdvanceB
	if advB == nil {
		advB = plainAdvance{}
	}
	w, err := NewWorlds(cfg, l.opts.Compare, l.push, nil, l.opts.Advance, advB)
	if err != nil {
		return nil, err
	}
	w.A().ReportParams()
	w.B().ReportParams()
	w.settle()
	return &pair{w: w}, nil
}

func (l *Live) loop(ctx context.Context) {
	defer close(l.stopped)
	ticks := l.opts.Ticks
	var ticker *time.Ticker
	if ticks == nil {
		ticker = time.NewTicker(l.opts.Frame)
		defer ticker.Stop()
		ticks = ticker.C
		if l.paused {
			ticker.Stop()
		}
	}
	last := l.opts.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case cmd := <-l.cmds:
			wasPaused := l.paused
			err := cmd.fn(l.s.world())
			// Paused, the wall-clock ticker stops, so that an idle paused
			// program costs no wakeups; resuming starts the clock afresh.
			switch {
			case wasPaused && !l.paused && ticker != nil:
				last = l.opts.Now()
				ticker.Reset(l.opts.Frame)
			case !wasPaused && l.paused && ticker != nil:
				ticker.Stop()
			}
			l.publish()
			cmd.reply <- err
		case now := <-ticks:
			elapsed := min(now.Sub(last), l.opts.MaxCatchUp)
			last = now
			if !l.paused && elapsed > 0 {
				l.advance(elapsed)
				l.publish()
			}
		}
	}
}

// advance runs the cluster toward target, one instant at a time, but no
// more than MaxEventsPerTick events: a heartbeat of a microsecond at 64x
// would otherwise keep the goroutine busy for minutes, deaf to commands and
// to Stop. When the budget runs out the clock falls behind the wall, and
// the snapshot says so (Behind).
//
// With slow-votes on, the clock runs VoteSlowdown times slower while votes
// are on the wire: the part of the tick's wall time spent with votes in
// flight counts for less virtual time.
func (l *Live) advance(elapsed time.Duration) {
	s := l.s
	rate := l.speed
	slowed := l.slowing()
	if slowed {
		rate /= l.opts.VoteSlowdown
	}
	target := s.now() + time.Duration(float64(elapsed)*rate)
	start := s.events()
	l.behind = false
	for s.now() < target {
		if !slowed && l.slowing() {
			// A message left during this tick: the rest of the tick is
			// slow motion.
			slowed = true
			target = s.now() + time.Duration(float64(target-s.now())/l.opts.VoteSlowdown)
		}
		if s.events()-start >= l.opts.MaxEventsPerTick {
			l.behind = true
			break
		}
		next, ok := s.nextAt()
		if !ok || next > target {
			next = target
		}
		s.runUntil(next)
	}
	l.hist.maybeCheckpoint(s)
}

// slowing reports whether slow motion holds the clock back now: votes on
// the wire with slow-votes on, or any message with slow-messages on below
// 1x (at 1x and faster nobody follows single messages, and slowing for
// each would undo the speed asked for: at 1x a healthy cluster would run
// at a quarter of it).
func (l *Live) slowing() bool {
	return (l.slowVotes && l.s.votesInFlight() > 0) || (l.slowMsgs && l.speed < 1 && l.s.messagesInFlight() > 0)
}

// Stop ends the cluster's goroutine and waits for it.
func (l *Live) Stop() {
	l.cancel()
	<-l.stopped
}

// Sync returns once the cluster's goroutine has handled everything sent to
// it before (commands, ticks), or ErrStopped once it has stopped: a caller
// that needs what it sent to have happened, a test above all, waits on it
// rather than on time.
func (l *Live) Sync() error { return l.do(func(*Cluster) error { return nil }) }

// do runs fn on the cluster (world A, of two) in its goroutine and returns
// fn's error, or ErrStopped. fn must not keep the cluster.
func (l *Live) do(fn func(c *Cluster) error) error {
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
	case ActSlowVotes:
		return l.do(func(*Cluster) error { l.slowVotes = cmd.On; return nil })
	case ActSlowMessages:
		return l.do(func(*Cluster) error { l.slowMsgs = cmd.On; return nil })
	}
	return l.do(func(*Cluster) error {
		done, err := l.s.execute(cmd)
		if done.Action != 0 {
			l.record(TimedCommand{At: l.s.now(), Cmd: done})
		}
		return err
	})
}

// record keeps a command that was carried out, for Recording and for time
// travel.
func (l *Live) record(tc TimedCommand) {
	l.mu.Lock()
	l.recording = append(l.recording, tc)
	l.mu.Unlock()
	l.hist.record(tc)
	l.hist.maybeCheckpoint(l.s)
}

// History returns the cluster's past, for time travel. It stays valid
// after the cluster stops.
func (l *Live) History() *History { return l.hist }

// SnapshotAt rebuilds the cluster (or both worlds) as it was at virtual
// time t, in the caller's goroutine (the cluster's own goroutine never
// waits for it), and returns its snapshot. Speed and Paused are the live
// cluster's.
func (l *Live) SnapshotAt(t time.Duration) (Snapshot, error) {
	past, err := l.hist.seek(t, nil)
	if err != nil {
		return Snapshot{}, err
	}
	live := l.Snapshot()
	s := past.snapshot()
	s.Start, s.Speed, s.Paused = l.start, live.Speed, live.Paused
	if c := s.Compared; c != nil {
		c.B.Start, c.B.Speed, c.B.Paused = l.startB, live.Speed, live.Paused
	}
	return s, nil
}

// Fork goes back to virtual time t, forgets everything recorded after it
// (events not yet drained, checkpoints, commands) and goes on from there,
// paused, with cmd applied (unless cmd is the zero Command). The recording
// afterwards holds the new history. Events up to t are not sent again: the
// viewer already has them.
func (l *Live) Fork(t time.Duration, cmd Command) error {
	return l.do(func(*Cluster) error {
		if t > l.s.now() {
			return fmt.Errorf("fork at t=%v: that is in the future (now t=%v)", t, l.s.now())
		}
		if cmd.Action.Paces() {
			return fmt.Errorf("fork with %s: only a command that changes the cluster forks", cmd.Action)
		}
		// Rebuild the moment and try the command on it, aside: a command
		// that does nothing there (killing a node already dead then)
		// leaves the present as it was.
		var caused []Event
		s, err := l.hist.seek(t, func(e Event) { caused = append(caused, e) })
		if err != nil {
			return err
		}
		caused = caused[:0] // the replay up to t: viewers have those events
		at := s.decision()  // where the view's log goes on from
		var done Command
		if cmd.Action != 0 {
			if done, err = s.execute(cmd); done.Action == 0 {
				return err
			}
		}
		l.hist.truncate(t)
		s.setSink(l.push)
		l.s = s
		l.paused = true
		l.mu.Lock()
		l.dropAfter(t)
		n := sort.Search(len(l.recording), func(i int) bool { return l.recording[i].At > t })
		l.recording = l.recording[:n]
		l.mu.Unlock()
		// Every viewer forgets the discarded future when it reads this,
		// before the events of the new one.
		l.push(Event{At: t, Kind: KindFork, Decision: at})
		for _, e := range caused {
			l.push(e)
		}
		if done.Action != 0 {
			l.record(TimedCommand{At: t, Cmd: done})
		}
		return err // a node list's part that failed
	})
}

// dropAfter forgets the buffered events after t, which a fork at t has
// undone; those at or before t wait for Drain as before. l.mu is held.
func (l *Live) dropAfter(t time.Duration) {
	kept := 0
	for i := 0; i < l.count; i++ {
		if e := l.ring[(l.head+i)%len(l.ring)]; e.At <= t {
			l.ring[(l.head+kept)%len(l.ring)] = e
			kept++
		}
	}
	l.count = kept
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
	return l.do(func(*Cluster) error { l.paused = p; return nil })
}

// SetSpeed sets virtual time per wall time.
func (l *Live) SetSpeed(s float64) error {
	if s <= 0 {
		return errors.New("speed must be positive")
	}
	return l.do(func(*Cluster) error { l.speed = s; return nil })
}

// StepEvent carries out a paused cluster's next decision (see
// Cluster.Decide), even when others are due at the same instant, or
// reports that nothing is scheduled (two worlds step a whole instant: see
// sim.stepOne). The clock stops at that decision's instant; a
// command applied next still lands after everything due then, as a
// replay's "at T" puts it (see Apply).
func (l *Live) StepEvent() error {
	return l.do(func(*Cluster) error {
		s := l.s
		before, events := s.decision(), s.events()
		for i := 0; i < 1000 && s.decision() == before && s.events() == events; i++ {
			if !s.stepOne() {
				return errors.New("nothing is scheduled")
			}
		}
		l.hist.maybeCheckpoint(s)
		return nil
	})
}

// SnapshotAtDecision rebuilds the cluster (or both worlds) as it was right
// after decision d (see History.SeekDecision), in the caller's goroutine,
// and returns its snapshot and the events that decision made. Speed and
// Paused are the live cluster's.
func (l *Live) SnapshotAtDecision(d int) (Snapshot, []Event, error) {
	live := l.Snapshot()
	if d > live.Decision {
		return Snapshot{}, nil, fmt.Errorf("decision %d has not happened yet (the latest is %d)", d, live.Decision)
	}
	var made []Event
	past, err := l.hist.seekDecision(d, func(e Event) {
		if e.Decision == d && e.World != WorldB {
			made = append(made, e)
		}
	})
	if err != nil {
		return Snapshot{}, nil, err
	}
	s := past.snapshot()
	past.settle() // hands on what waited for the rest of its instant: d's own events
	s.Start, s.Speed, s.Paused = l.start, live.Speed, live.Paused
	if c := s.Compared; c != nil {
		c.B.Start, c.B.Speed, c.B.Paused = l.startB, live.Speed, live.Paused
	}
	return s, made, nil
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

func snapshotOf(c *Cluster) Snapshot {
	return Snapshot{
		Now: c.Now(), Leader: c.Leader(), Nodes: c.Nodes(), Stats: c.Stats(),
		Config: c.Config(), MaxTerm: c.MaxTerm(),
		Flights: c.InFlight(), Cuts: c.CutLinks(), VotesInFlight: c.VotesInFlight() > 0,
		Decision: c.Decision(),
	}
}

func (l *Live) publish() {
	s := l.s.snapshot()
	s.Start, s.Speed, s.Paused, s.Behind = l.start, l.speed, l.paused, l.behind
	s.SlowVotes, s.SlowMessages, s.Slowed = l.slowVotes, l.slowMsgs, !l.paused && l.slowing()
	s.Oldest = l.hist.Oldest()
	if c := s.Compared; c != nil {
		// World B runs on the same clock, at the same pace.
		c.B.Start, c.B.Speed, c.B.Paused, c.B.Behind = l.startB, s.Speed, s.Paused, s.Behind
		c.B.SlowVotes, c.B.SlowMessages, c.B.Slowed, c.B.Oldest = s.SlowVotes, s.SlowMessages, s.Slowed, s.Oldest
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
