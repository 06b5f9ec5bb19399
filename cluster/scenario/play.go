package scenario

import (
	"fmt"
	"slices"
	"time"

	"raftty/cluster"
)

// Validate checks every step's node ids against a cluster of the given size,
// so that a script naming node 7 of 5 is refused before the run starts.
func (s *Script) Validate(nodes int) error {
	for _, st := range append(slices.Clone(s.Steps), s.Final...) {
		if st.IsExpect() {
			if id := st.Expect.node; id > nodes {
				return fmt.Errorf("%s: no node %d (nodes are 1..%d)", st.Source, id, nodes)
			}
			continue
		}
		if st.IsExplain() {
			continue
		}
		if err := st.Cmd.Check(nodes); err != nil {
			return fmt.Errorf("%s: %w", st.Source, err)
		}
	}
	return nil
}

// CheckSettings refuses a timed set that cfg's cluster could not take when
// its time comes, naming the step: a range the etcd engine cannot express,
// say. The sets apply in time order, each on top of the last.
func (s *Script) CheckSettings(cfg cluster.Config) error {
	if cfg.Validate() != nil {
		return nil // the starting config's own error is for its caller to say
	}
	for _, st := range s.Steps {
		if st.Cmd.Action != cluster.ActSet {
			continue
		}
		cluster.SetConfig(&cfg, st.Cmd)
		if err := cfg.Validate(); err != nil {
			return fmt.Errorf("%s: %w", st.Source, err)
		}
	}
	return nil
}

// Add appends steps (from --at flags, say) and keeps the time order.
func (s *Script) Add(steps ...Step) {
	s.Steps = append(s.Steps, steps...)
	s.Sort()
}

// Apply carries out the step on c at c's current time: a command through
// the cluster (cluster.Execute), an explain or expect as an event.
func (st Step) Apply(c *cluster.Cluster) error {
	switch {
	case st.IsExpect():
		ok, got := st.Expect.Check(c)
		c.ReportExpectation(st.Expect.Text, st.Source, ok, got)
		return nil
	case st.IsExplain():
		c.Explain(st.Text)
		return nil
	}
	return c.Apply(st.Cmd)
}

// Player plays a script against a cluster as virtual time advances.
type Player struct {
	script  *Script
	next    int
	started bool
	// end is when the run ends and the final expectations are checked
	// (the script's for unless EndAt says otherwise; 0: no end), and
	// finished says they have been.
	end      time.Duration
	finished bool
	// world is the world of a comparison it plays for (0: a run on its
	// own, which is world A).
	world cluster.World
}

// NewPlayer returns a player at the start of script (nil plays nothing).
func NewPlayer(script *Script) *Player {
	if script == nil {
		script = &Script{}
	}
	return &Player{script: script, end: script.For}
}

// ForWorld makes p play for one world of a comparison: an expectation
// that names the other world is not checked here. It returns p.
func (p *Player) ForWorld(w cluster.World) *Player {
	p.world = w
	return p
}

// mine reports whether st is this player's to carry out: every step but an
// expectation that names another world.
func (p *Player) mine(st Step) bool {
	if !st.IsExpect() || st.Expect.World == 0 {
		return true
	}
	return st.Expect.World == max(p.world, cluster.WorldA)
}

// EndAt sets when the run ends: RunUntil checks the final expectations
// there, as `raftty run` does at the end of the run, so that the live view
// checks them as it passes that moment.
func (p *Player) EndAt(t time.Duration) { p.end = t }

// Fork returns a copy of p at the same point of its script, for time
// travel (see cluster.Forker). The script itself is shared: it never
// changes once playing.
func (p *Player) Fork() cluster.Advancer {
	q := *p
	return &q
}

// NextAt returns the time of the next step to play.
func (p *Player) NextAt() (time.Duration, bool) {
	if p.next >= len(p.script.Steps) {
		return 0, false
	}
	return p.script.Steps[p.next].At, true
}

// start says what the scenario shows, once, before anything else happens.
func (p *Player) start(c *cluster.Cluster) {
	if !p.started {
		p.started = true
		if p.script.Explain != "" {
			c.Explain(p.script.Explain)
		}
	}
}

// PlayDue carries out every step due at or before c's current time. A step
// that fails becomes an error event in the stream. Between two steps the
// cluster runs what the first caused at that same instant, so a step
// written (or recorded) after others at time T sees everything they did.
func (p *Player) PlayDue(c *cluster.Cluster) {
	p.start(c)
	for p.next < len(p.script.Steps) && p.script.Steps[p.next].At <= c.Now() {
		if p.mine(p.script.Steps[p.next]) {
			c.RunUntil(c.Now())
		}
		p.playNext(c)
	}
}

// playNext carries out the next step now, if it is this player's.
func (p *Player) playNext(c *cluster.Cluster) {
	st := p.script.Steps[p.next]
	p.next++
	if !p.mine(st) {
		return
	}
	if err := st.Apply(c); err != nil {
		c.ReportError(fmt.Errorf("%s: %s: %w", st.Source, st.Cmd.Action, err))
	}
}

// DueAt returns when the next decision is due (see cluster.Stepper): the
// cluster's next delivery or timer, the script's next step, or the end
// of the run.
func (p *Player) DueAt(c *cluster.Cluster) (time.Duration, bool) {
	if !p.started {
		return c.Now(), true
	}
	at, ok := c.NextAt()
	if st, due := p.NextAt(); due && (!ok || st < at) {
		at, ok = st, true
	}
	if p.end > 0 && !p.finished && (!ok || at > p.end) {
		return p.end, true
	}
	return at, ok
}

// StepOne carries out the next decision (see cluster.Stepper) in the
// order RunUntil would: at one instant the cluster's own first, then the
// script's steps, then the end-of-run expectations. It reports whether
// anything was due.
func (p *Player) StepOne(c *cluster.Cluster) bool {
	if !p.started {
		p.start(c)
		return true
	}
	at, ok := c.NextAt()
	st, due := p.NextAt()
	switch {
	case p.end > 0 && !p.finished && (!ok || at > p.end) && (!due || st > p.end):
		c.RunUntil(p.end)
		p.Finish(c)
	case due && (!ok || st < at):
		c.RunUntil(st)
		p.playNext(c)
	case ok:
		c.Step()
	default:
		return false
	}
	return true
}

// Finish checks the script's end-of-run expectations on c, once.
func (p *Player) Finish(c *cluster.Cluster) {
	if p.finished {
		return
	}
	p.finished = true
	for _, st := range p.script.Final {
		if p.mine(st) {
			_ = st.Apply(c)
		}
	}
}

// RunUntil runs c to virtual time t, carrying out each step at its time,
// and checking the final expectations as the clock passes the end. The
// result does not depend on how the time is cut into calls: live ticks,
// a seek's one call and a headless run's slices all give the same events.
func (p *Player) RunUntil(c *cluster.Cluster, t time.Duration) {
	p.start(c)
	if p.end > 0 && !p.finished && t >= p.end {
		p.playUntil(c, p.end)
		c.RunUntil(p.end)
		p.Finish(c)
	}
	p.playUntil(c, t)
	c.RunUntil(t)
}

// playUntil carries out the steps due at or before t, each at its time.
func (p *Player) playUntil(c *cluster.Cluster, t time.Duration) {
	for {
		at, ok := p.NextAt()
		if !ok || at > t {
			return
		}
		c.RunUntil(at)
		p.PlayDue(c)
	}
}
