package cluster

import (
	"errors"
	"time"
)

// sim is what a Live runs and its History keeps: one cluster with its
// advancer (solo), or two compared worlds with theirs (pair). Everything
// Live and History do to a cluster, pacing, commands, checkpoints, seeks
// and forks, they do through it, so that two worlds get all of it: one
// clock, one recording, one past.
type sim interface {
	now() time.Duration
	// nextAt is when the next delivery or timer is due, in either world.
	nextAt() (time.Duration, bool)
	// runUntil runs to t with the advancer(s), everything due at t
	// included, and hands on every event up to t.
	runUntil(t time.Duration)
	// execute carries out cmd now, after everything due now, and returns
	// what a recording keeps so that a replay does the same (see
	// Cluster.Execute).
	execute(cmd Command) (Command, error)
	// events counts the events so far: the budget of a tick and the
	// spacing of checkpoints.
	events() int
	votesInFlight() int
	// copy is a deep copy at the same moment, its advancer(s) forked,
	// handing its events to sink.
	copy(sink func(Event)) sim
	setSink(sink func(Event))
	snapshot() Snapshot
	// world is world A's cluster, the only one of a solo sim.
	world() *Cluster
	// canClone reports whether copy works now (see Cluster.CanClone): an
	// engine that cannot copy its nodes (etcd) is copied only pristine.
	canClone() bool
	// nodes is the cluster's size and worlds how many clusters it runs:
	// what a checkpoint's size grows with.
	nodes() int
	worlds() int
	// decision is world A's latest decision (Cluster.Decision); dueAt is
	// when its next is due and stepDecision carries it out (see Stepper),
	// world B running up to its instant. stepOne is a live step: the
	// same for one world; for two, everything at the next instant either
	// has, since two worlds are compared an instant at a time.
	decision() int
	dueAt() (time.Duration, bool)
	stepDecision() bool
	stepOne() bool
	// messagesInFlight counts the messages on the wire, in either world.
	messagesInFlight() int
	// settle hands on every event up to now, those of an instant a step
	// stopped in included (pair).
	settle()
}

// solo is one cluster and its advancer. Its advancer must be a Forker for
// copy (newHistory checks).
type solo struct {
	c   *Cluster
	adv Advancer
}

func (s *solo) now() time.Duration            { return s.c.now }
func (s *solo) nextAt() (time.Duration, bool) { return s.c.NextAt() }
func (s *solo) runUntil(t time.Duration)      { s.adv.RunUntil(s.c, t) }
func (s *solo) events() int                   { return s.c.stats.Events }
func (s *solo) votesInFlight() int            { return s.c.VotesInFlight() }
func (s *solo) setSink(sink func(Event))      { s.c.sink = sink }
func (s *solo) snapshot() Snapshot            { return snapshotOf(s.c) }
func (s *solo) world() *Cluster               { return s.c }
func (s *solo) nodes() int                    { return s.c.cfg.Nodes }
func (s *solo) worlds() int                   { return 1 }
func (s *solo) canClone() bool                { return s.c.CanClone() }
func (s *solo) decision() int                 { return s.c.decision }
func (s *solo) dueAt() (time.Duration, bool)  { return stepperOf(s.adv).DueAt(s.c) }
func (s *solo) stepDecision() bool            { return stepperOf(s.adv).StepOne(s.c) }
func (s *solo) stepOne() bool                 { return s.stepDecision() }
func (s *solo) messagesInFlight() int         { return s.c.net.InFlight() }
func (s *solo) settle()                       {}

func (s *solo) execute(cmd Command) (Command, error) {
	s.adv.RunUntil(s.c, s.c.now)
	return s.c.Execute(cmd)
}

func (s *solo) copy(sink func(Event)) sim {
	return &solo{c: s.c.Clone(sink), adv: s.adv.(Forker).Fork()}
}

// pair is two compared worlds. Unlike Worlds.RunUntil, which holds back
// the events of the last instant until both worlds have passed it, a pair
// settles every instant it reaches: a live view shows what a step did at
// once. A command given at an instant is therefore lined up on its own,
// after the rest of that instant, the same way live and in a seek's
// replay.
type pair struct{ w *Worlds }

func (p *pair) now() time.Duration { return p.w.Now() }

func (p *pair) nextAt() (time.Duration, bool) {
	a, okA := p.w.c[0].NextAt()
	b, okB := p.w.c[1].NextAt()
	switch {
	case okA && okB:
		return min(a, b), true
	case okB:
		return b, true
	}
	return a, okA
}

func (p *pair) runUntil(t time.Duration) {
	p.w.RunUntil(t)
	p.w.settle()
}

func (p *pair) events() int {
	return p.w.c[0].stats.Events + p.w.c[1].stats.Events
}

func (p *pair) votesInFlight() int {
	return p.w.c[0].VotesInFlight() + p.w.c[1].VotesInFlight()
}

func (p *pair) setSink(sink func(Event)) { p.w.cmp.sink = byValue(sink) }
func (p *pair) world() *Cluster          { return p.w.c[0] }
func (p *pair) nodes() int               { return p.w.c[0].cfg.Nodes }
func (p *pair) worlds() int              { return 2 }
func (p *pair) canClone() bool           { return p.w.c[0].CanClone() && p.w.c[1].CanClone() }
func (p *pair) decision() int            { return p.w.c[0].decision }
func (p *pair) settle()                  { p.w.settle() }

func (p *pair) dueAt() (time.Duration, bool) { return stepperOf(p.w.adv[0]).DueAt(p.w.c[0]) }

func (p *pair) messagesInFlight() int {
	return p.w.c[0].net.InFlight() + p.w.c[1].net.InFlight()
}

// stepDecision carries out world A's next decision and runs world B up
// to its instant, for a replay (History.SeekDecision). The events of that
// instant wait until settle: the comparer lines up whole instants.
func (p *pair) stepDecision() bool {
	a := p.w.c[0]
	if !stepperOf(p.w.adv[0]).StepOne(a) {
		return false
	}
	p.w.adv[1].RunUntil(p.w.c[1], a.now)
	p.w.cmp.flush(a.now)
	return true
}

// stepOne runs both worlds through the next instant either has, and
// hands on its events at once. A live step of two worlds stops between
// instants, not between decisions: one half of an instant compared alone
// would be a difference that is not.
func (p *pair) stepOne() bool {
	at, ok := p.nextAt()
	if ok {
		p.runUntil(at)
	}
	return ok
}

// execute carries out cmd in both worlds at the same instant. "leader" is
// each world's own. The recording keeps what both did when they did the
// same (kill leader, both led by n3: kill 3); when they did not (the
// leaders differ, or a node is dead in one world only) it keeps cmd as
// given, which each world carries out again the same way on replay. The
// error is each world's, named, when they differ.
func (p *pair) execute(cmd Command) (Command, error) {
	p.runUntil(p.w.Now())
	doneA, errA := p.w.c[0].Execute(cmd)
	doneB, errB := p.w.c[1].Execute(cmd)
	p.w.settle()
	done := doneA
	if !sameCommand(doneA, doneB) {
		done = cmd
		if doneA.Action == 0 && doneB.Action == 0 {
			done = Command{}
		}
	}
	return done, worldsError(errA, errB)
}

// sameCommand reports whether two commands are written the same.
func sameCommand(a, b Command) bool {
	return a.Action == b.Action && (a.Action == 0 || a.String() == b.String())
}

// worldsError is one error for a command given to two worlds: the same
// error once, else each world's.
func worldsError(errA, errB error) error {
	switch {
	case errA == nil && errB == nil:
		return nil
	case errA != nil && errB != nil && errA.Error() == errB.Error():
		return errA
	case errA == nil:
		return errors.New("in world B: " + errB.Error())
	case errB == nil:
		return errors.New("in world A: " + errA.Error())
	}
	return errors.New("world A: " + errA.Error() + "; world B: " + errB.Error())
}

func (p *pair) copy(sink func(Event)) sim {
	return &pair{w: p.w.Clone(sink, nil)}
}

// snapshot is world A's, with world B's and what the comparison found so
// far beside it. The divergences are shared, not copied: the comparer only
// ever appends to them, past the length handed out here (and a fork's
// copy has its own), so a reader in another goroutine never sees one
// change.
func (p *pair) snapshot() Snapshot {
	s := snapshotOf(p.w.c[0])
	d := p.w.cmp.divergences
	s.Compared = &Compared{
		Diff:        p.w.diff,
		B:           snapshotOf(p.w.c[1]),
		Divergences: d[:len(d):len(d)],
		Count:       p.w.cmp.count,
	}
	return s
}

// Compared is what a snapshot of two worlds holds beside world A's state
// (see LiveOptions.Compare).
type Compared struct {
	// Diff is what makes world B.
	Diff []Compare
	// B is world B at the same moment as world A.
	B Snapshot
	// Divergences are the moments the worlds parted, up to the snapshot's
	// moment, in time order (at most the first 10000; Count says how many
	// there were). Read-only: they are shared with the running worlds.
	Divergences []Divergence
	Count       int
}
