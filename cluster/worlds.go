package cluster

import (
	"errors"
	"slices"
	"time"
)

// Worlds are two clusters on one clock: world A, made from a Config, and
// world B, made from the same Config (seed included) with a few differences
// (Compare). Every command goes to both at the same virtual instant; their
// event streams are lined up instant by instant as they run, and every
// moment they part is found (Divergence). With the seed's independent
// streams (see streams), the worlds stay the same until the difference
// first matters, and differ afterwards mostly where it does.
//
// Worlds are headless and single-goroutine, like a Cluster. A live runner
// keeps them as it keeps a Cluster: it advances them (RunUntil), applies
// commands (Apply), reads each world (A, B) for its snapshots, and keeps
// checkpoints for time travel with Clone, which copies both clusters and
// what the comparison has found so far: a seek copies the checkpoint
// before the moment and replays the recorded commands to both, a fork
// truncates the one recording both share. Events come out of RunUntil a
// little after their instant (once both worlds have passed it); a live
// view that wants them at once can read each world's snapshot instead.
type Worlds struct {
	c    [2]*Cluster
	adv  [2]Advancer
	diff []Compare
	cmp  comparer
	// quantum is how far RunUntil advances both worlds before lining their
	// events up: it adapts so that a few hundred events wait at a time,
	// whatever the cluster's size and pace. It changes the work, never
	// the events or their order.
	quantum time.Duration
}

// quantumEvents is about how many events RunUntil lets wait before it
// lines them up: enough to make the lining up cheap per event, few enough
// to stay in the cache.
const quantumEvents = 512

// NewWorlds makes the two worlds from cfg and the differences, at virtual
// time 0. Every event of both goes to sink, tagged with its world, in
// order of time (at one instant, world A's first; see HandOnUnordered);
// every divergence goes to diverged (which may be nil) once both its
// sides are known.
// advA and advB run each world forward (nil: plain); each must be the
// world's own (a scenario.Player each). Neither callback may call back
// into the worlds.
func NewWorlds(cfg Config, diff []Compare, sink func(Event), diverged func(Divergence), advA, advB Advancer) (*Worlds, error) {
	if len(diff) == 0 {
		return nil, errNoWorlds
	}
	cfgB := cfg
	for _, d := range diff {
		d.Configure(&cfgB)
	}
	w := &Worlds{diff: diff, adv: [2]Advancer{advA, advB}, quantum: time.Millisecond}
	for i := range w.adv {
		if w.adv[i] == nil {
			w.adv[i] = plainAdvance{}
		}
	}
	w.cmp = comparer{resync: max(cfg.ElectionMax, cfgB.ElectionMax), engines: cfg.Engine != cfgB.Engine}
	w.cmp.sink = byValue(sink)
	if diverged != nil {
		w.cmp.diverged = func(d *Divergence) { diverged(*d) }
	}
	for i, c := range []Config{cfg, cfgB} {
		cl, err := New(c, nil)
		if err != nil {
			if i == 1 {
				return nil, errors.New("world B: " + err.Error())
			}
			return nil, err
		}
		cl.cmp, cl.world = &w.cmp, i
		w.c[i] = cl
	}
	return w, nil
}

// A returns world A's cluster, and B world B's: to read, or to report on
// (ReportParams, Explain), not to run or command apart.
func (w *Worlds) A() *Cluster { return w.c[0] }

// B returns world B's cluster (see A).
func (w *Worlds) B() *Cluster { return w.c[1] }

// Differences returns what makes world B.
func (w *Worlds) Differences() []Compare { return w.diff }

// Now returns the virtual time of both worlds.
func (w *Worlds) Now() time.Duration { return w.c[0].Now() }

// RunUntil runs both worlds to virtual time t, each with its advancer, and
// lines up their events up to t.
func (w *Worlds) RunUntil(t time.Duration) {
	for {
		next := min(t, w.Now()+w.quantum)
		before := len(w.cmp.pending[0]) + len(w.cmp.pending[1])
		w.adv[0].RunUntil(w.c[0], next)
		w.adv[1].RunUntil(w.c[1], next)
		w.adapt(len(w.cmp.pending[0]) + len(w.cmp.pending[1]) - before)
		w.cmp.flush(next)
		if next >= t {
			return
		}
	}
}

// adapt grows or shrinks the quantum toward quantumEvents per step.
func (w *Worlds) adapt(events int) {
	switch {
	case events < quantumEvents/2 && w.quantum < time.Second:
		w.quantum *= 2
	case events > 2*quantumEvents && w.quantum > time.Microsecond:
		w.quantum /= 2
	}
}

// Apply carries out cmd in both worlds at their virtual time (after
// everything due then, as Live.Apply does) and returns each world's error.
// "leader" is each world's own leader.
func (w *Worlds) Apply(cmd Command) (errA, errB error) {
	w.RunUntil(w.Now())
	return w.c[0].Apply(cmd), w.c[1].Apply(cmd)
}

// settle hands on the events of every instant up to now: both worlds
// have passed them. Unlike Flush it leaves a divergence awaiting its other
// side open. Events a command adds at this instant afterwards are lined up
// on their own, after the rest of it.
func (w *Worlds) settle() { w.cmp.flush(w.Now() + 1) }

// Flush hands on every event still waiting, and tells of a divergence
// still awaiting its other side, as at the end of a run: after it, the
// present instant is settled (a command applied now would be compared as
// a later instant's).
func (w *Worlds) Flush() {
	w.cmp.flush(w.Now() + 1)
	w.cmp.finish()
}

// First returns the first divergence, if the worlds have parted.
func (w *Worlds) First() (Divergence, bool) {
	if len(w.cmp.divergences) == 0 {
		return Divergence{}, false
	}
	return w.cmp.divergences[0], true
}

// Divergences returns every divergence found so far, in time order (at
// most the first 10000; Count says how many there were).
func (w *Worlds) Divergences() []Divergence { return w.cmp.divergences }

// HandOnUnordered lets the worlds hand on the events they do not compare
// (after they parted, all message traffic; parameters, explanations and
// expectations always) as each world makes them, and the others once
// lined up: a world's decisions, errors included, stay in order among
// themselves, and the rest among themselves, but not against each other,
// nor against the other world's. It saves buffering most events, for a
// sink that counts or collects rather than prints in time order.
func (w *Worlds) HandOnUnordered() { w.cmp.unordered = true }

// HandOnByPointer hands every event to sink instead, by pointer: the
// event is the worlds' own, to read during the call (a sink that keeps it
// copies it). It saves copying each event on its way, which a headless run
// that writes every event pays twice per event and world otherwise.
func (w *Worlds) HandOnByPointer(sink func(*Event)) { w.cmp.sink = sink }

// byValue adapts a sink that takes events by value (nil stays nil).
func byValue(sink func(Event)) func(*Event) {
	if sink == nil {
		return nil
	}
	return func(e *Event) { sink(*e) }
}

// Count returns how many divergences were found so far.
func (w *Worlds) Count() int { return w.cmp.count }

// Clone returns a deep copy of both worlds at the same virtual time, with
// what the comparison has found so far, handing its events to sink and its
// divergences to diverged: run forward with the same commands, it hands on
// the same events and finds the same divergences. Each world's advancer is
// forked (it must be a Forker, as scenario.Player is, or nil). A live
// runner keeps such copies as checkpoints for time travel, as History
// keeps clones of one cluster.
func (w *Worlds) Clone(sink func(Event), diverged func(Divergence)) *Worlds {
	n := &Worlds{diff: w.diff, quantum: w.quantum}
	n.cmp = w.cmp.clone()
	n.cmp.sink = byValue(sink)
	n.cmp.diverged = nil
	if diverged != nil {
		n.cmp.diverged = func(d *Divergence) { diverged(*d) }
	}
	for i := range w.c {
		n.c[i] = w.c[i].Clone(nil)
		n.c[i].cmp, n.c[i].world = &n.cmp, i
		n.adv[i] = plainAdvance{}
		if f, ok := w.adv[i].(Forker); ok {
			n.adv[i] = f.Fork()
		}
	}
	return n
}

// clone copies the comparison's state; the callbacks are the caller's to
// set.
func (k *comparer) clone() comparer {
	c := *k
	c.pending = [2][]Event{slices.Clone(k.pending[0]), slices.Clone(k.pending[1])}
	c.nodes = slices.Clone(k.nodes)
	for i := range c.nodes {
		for w := range c.nodes[i].unpaired {
			c.nodes[i].unpaired[w] = slices.Clone(c.nodes[i].unpaired[w])
		}
	}
	c.divergences = slices.Clone(k.divergences)
	c.usedB, c.onlyA, c.onlyB = nil, nil, nil
	if k.open != nil {
		o := *k.open
		o.events = slices.Clone(k.open.events)
		c.open = &o
	}
	return c
}
