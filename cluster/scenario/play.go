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
			return &LineError{Source: st.Source, Err: err}
		}
	}
	return nil
}

// Mismatch says why the script's lesson does not hold on a cluster set up
// as cfg (Setup's config), or "" if nothing says it does not: it holds on
// another engine only ("holds on the textbook engine only, not on etcd:
// ..."), or, a script that checks expectations, cfg's timing is not the
// one its steps were timed for, the defaults and its own header's ("is
// timed for ...": an etcd server's one-second timeouts, say).
func (s *Script) Mismatch(cfg cluster.Config) string {
	if s.HasOnly && s.Only != cfg.Engine {
		return s.onlyOn(cfg.Engine)
	}
	if !s.expects() {
		return ""
	}
	own := cluster.DefaultConfig()
	s.Configure(&own, nil)
	if own.Timing == cfg.Timing {
		return ""
	}
	return fmt.Sprintf("is timed for an election timeout of %s and a heartbeat of %v, not %s and %v: its steps and expectations may come at the wrong moments",
		cluster.FormatRange(own.ElectionMin, own.ElectionMax), own.Heartbeat, cluster.FormatRange(cfg.ElectionMin, cfg.ElectionMax), cfg.Heartbeat)
}

// onlyOn says that the lesson holds on its only engine, not on e, and why.
func (s *Script) onlyOn(e cluster.Engine) string {
	return fmt.Sprintf("holds on the %v engine only, not on %v: %s", s.Only, e, s.OnlyWhy)
}

// expects reports whether the script checks anything.
func (s *Script) expects() bool {
	return len(s.Final) > 0 || slices.ContainsFunc(s.Steps, Step.IsExpect)
}

// Sets reports whether the script's header sets p ("heartbeat 20ms").
func (s *Script) Sets(p cluster.Param) bool {
	return slices.ContainsFunc(s.Settings, func(c cluster.Command) bool { return c.Param == p })
}

// A LineError is about one line of a scenario, or one --at step: Source
// says where ("23-figure-8:6", `--at "2s kill 9"`).
type LineError struct {
	Source string
	Err    error
}

func (e *LineError) Error() string { return e.Source + ": " + e.Err.Error() }
func (e *LineError) Unwrap() error { return e.Err }

// Setup is the cluster config the script runs on: base with the script's
// header applied (Configure; given as there), then what then sets (the
// command line's --engine and --tick, which come after the header; nil
// for nothing). It refuses a config no cluster could run, naming the
// header line that made it so (a *LineError: "23-figure-8:6: max-entries
// 1: ..." on etcd) if one did, and a timed set the cluster could not take
// when its time came (CheckSettings). An error of then's is returned as it
// is.
func (s *Script) Setup(base cluster.Config, given func(flag string) bool, then func(*cluster.Config) error) (cluster.Config, error) {
	var thenErr error
	build := func(h *Script) (cluster.Config, error) {
		cfg := base
		h.Configure(&cfg, given)
		if then != nil {
			if thenErr = then(&cfg); thenErr != nil {
				return cfg, thenErr
			}
		}
		h.pinEngine(&cfg)
		return cfg, cfg.Validate()
	}
	cfg, err := build(s)
	switch {
	case thenErr != nil:
		return cfg, thenErr
	case err != nil:
		return cfg, s.blame(err, build)
	}
	return cfg, s.CheckSettings(cfg)
}

// pinEngine gives world A the header's engine when the script compares
// engines (an "engine" line and a "compare engine=..." line): such a
// lesson is about the two engines side by side, so neither --engine nor a
// session's engine moves world A onto world B's engine.
func (s *Script) pinEngine(cfg *cluster.Config) {
	if s.PinsEngines() {
		_ = cluster.UseEngine(cfg, s.Engine, func(cluster.Param) bool { return true }) // the engine line parsed
	}
}

// PinsEngines reports whether the script names both worlds' engines (an
// engine line and a compare engine=... line), which --engine leaves as
// they are (Setup).
func (s *Script) PinsEngines() bool {
	return s.Engine != "" && slices.ContainsFunc(s.Compare, func(c cluster.Compare) bool { return c.Engine != "" })
}

// blame finds the header line that makes build fail with err: the first
// of the header's lines, in the order Configure applies them, with which
// the same error appears. An error the header has no part in (the flags'
// own) is returned as it is.
func (s *Script) blame(err error, build func(*Script) (cluster.Config, error)) error {
	lines := s.headerLines()
	for k := range len(lines) + 1 {
		if _, e := build(s.headerUpTo(k)); e != nil && e.Error() == err.Error() {
			if k == 0 || s.sources[lines[k-1]] == "" {
				return err
			}
			return &LineError{Source: s.sources[lines[k-1]], Err: err}
		}
	}
	return err
}

// headerLines names the header's lines that set up the cluster, in the
// order Configure applies them.
func (s *Script) headerLines() []string {
	var lines []string
	if s.Engine != "" {
		lines = append(lines, "engine")
	}
	if s.Tick > 0 {
		lines = append(lines, "tick")
	}
	for _, cmd := range s.Settings {
		lines = append(lines, cmd.Param.String())
	}
	if s.UnsafeForgetVotes {
		lines = append(lines, "unsafe-forget-votes")
	}
	return lines
}

// headerUpTo is the script with only the first k of its headerLines.
func (s *Script) headerUpTo(k int) *Script {
	h := *s
	if h.Engine != "" {
		if k == 0 {
			h.Engine = ""
		}
		k = max(k-1, 0)
	}
	if h.Tick > 0 {
		if k == 0 {
			h.Tick = 0
		}
		k = max(k-1, 0)
	}
	h.Settings = s.Settings[:min(k, len(s.Settings))]
	if k <= len(s.Settings) {
		h.UnsafeForgetVotes = false
	}
	return &h
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
