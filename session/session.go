// Package session starts clusters for people: a live cluster and the view
// over it in this terminal (`raftty`), a private one per SSH session (a
// lab), or the shared lecture cluster's pacing (`raftty serve`). It decides
// how a cluster starts for a person (at what speed, paused for a lesson,
// votes in slow motion, a scenario's steps played) and how the view first
// shows it (the scenario's text, warnings, the first status line); package
// tui only draws and reads keys.
package session

import (
	"context"
	"io"
	"strings"
	"sync"

	"raftty/cluster"
	"raftty/cluster/scenario"
	"raftty/tui"
)

// Options say how a session starts: the cluster, the pace, the scenario it
// plays, and how the view shows it.
type Options struct {
	Config cluster.Config
	Speed  float64
	Script *scenario.Script
	Title  string
	// Warnings say what in the setup will not behave (a heartbeat at or
	// above the minimum election timeout); they are shown at start-up,
	// beside a scenario's title rather than instead of it.
	Warnings []string
	NoColor  bool
	// StartPaused starts the clock stopped, as a lesson always does: a
	// class reads what to watch before anything moves.
	StartPaused bool
	// Compare is the command line's --compare: world B's differences from
	// world A. Given, it wins over a scenario's compare lines, the
	// session's own and any picked later; else a scenario with compare
	// lines runs two worlds, and one without runs one.
	Compare []cluster.Compare
	// Input and Output default to the terminal.
	Input  io.Reader
	Output io.Writer
}

// Run starts a live cluster, shows it in the terminal until the person
// quits, then stops the cluster: when Run returns, nothing it started is
// still running.
func Run(ctx context.Context, opts Options) error {
	m, stop, err := StartLocal(ctx, opts, tui.Options{})
	if err != nil {
		return err
	}
	defer stop() // whichever cluster runs at the end
	return tui.Run(ctx, m, tui.Terminal{NoColor: opts.NoColor, Input: opts.Input, Output: opts.Output})
}

// StartLocal starts a cluster from opts and the live view over it, shown as
// view says (its first status line, whether it may save) with opts'
// scenario, title and warnings; the view's s picker restarts it with a
// built-in scenario. stop stops whichever cluster runs when the view ends.
// It is Run without the program: `raftty serve --lab` gives one to every
// session.
func StartLocal(ctx context.Context, opts Options, view tui.Options) (m *tui.Model, stop func(), err error) {
	l := &local{ctx: ctx, opts: opts}
	if l.live, err = l.start(opts.Config, opts.Script); err != nil {
		return nil, nil, err
	}
	view.NoColor, view.Script, view.Restart = opts.NoColor, opts.Script, l.restart
	view.Scenarios = scenario.BuiltinsFor(opts.Config, "")
	return tui.New(l.live, shown(opts, view, true)), l.stop, nil
}

// Viewer is a view over a cluster the caller runs and shares (a lecture),
// shown as view says, with opts' title or its scenario's: its title,
// explanation, checklist and end.
func Viewer(c tui.Cluster, opts Options, view tui.Options) *tui.Model {
	view.NoColor, view.Script = opts.NoColor, opts.Script
	if view.Restart != nil && view.Scenarios == nil {
		// The lecture restarts on opts' config, as the live view does.
		view.Scenarios = scenario.BuiltinsFor(opts.Config, "")
	}
	return tui.New(c, shown(opts, view, false))
}

// shown fills in how a view first shows the cluster started from opts: a
// scenario's title and explanation above the panels, else opts' title. A
// view that joins a shared cluster gets nothing more; a view of its own
// cluster (own) gets the warnings (beside a scenario's title, on the
// status line; else as its title) and, unless view says what, a first
// status line that says how to start a paused cluster.
func shown(opts Options, view tui.Options, own bool) tui.Options {
	view.Title = opts.Title
	titled := opts.Script != nil && opts.Script.Title != ""
	if titled {
		view.Title, view.Explain = opts.Script.Title, opts.Script.Explain
	}
	if !own {
		return view
	}
	status := ""
	switch {
	case IsLesson(opts.Script):
		status = "paused at the start: read what to watch above; space starts the scenario"
	case opts.StartPaused:
		status = "paused at the start: space starts the clock"
	}
	if len(opts.Warnings) > 0 {
		warning := "warning: " + strings.Join(opts.Warnings, "; ")
		if titled {
			status = warning
		} else {
			view.Title = warning
		}
	}
	if view.Status == "" {
		view.Status = status
	}
	return view
}

// LiveOptions is how a session runs a cluster playing script, made from
// base (a test's clock, its ticks): at opts' speed; with the clock stopped
// for a lesson or with StartPaused; the script's steps played (and its
// explanation said when the clock starts); messages in slow motion, so
// that a RequestVote or a heartbeat is seen crossing the map (the view
// keeps it to votes while its map is hidden; v turns it off); two worlds
// if opts or the script compares (see Options.Compare), each world
// playing the script and checking its own expectations.
func LiveOptions(opts Options, script *scenario.Script, base cluster.LiveOptions) cluster.LiveOptions {
	base.Speed = opts.Speed
	base.Paused = opts.StartPaused || IsLesson(script)
	base.Advance = scenario.NewPlayer(script)
	base.SlowVotes, base.SlowMessages = true, true
	if base.Compare = Compared(opts, script); len(base.Compare) > 0 {
		base.Advance = scenario.NewPlayer(script).ForWorld(cluster.WorldA)
		base.AdvanceB = scenario.NewPlayer(script).ForWorld(cluster.WorldB)
	}
	return base
}

// Compared is what makes world B of a session playing script: the command
// line's --compare if given, else the script's compare lines; none: one
// world.
func Compared(opts Options, script *scenario.Script) []cluster.Compare {
	if len(opts.Compare) > 0 || script == nil {
		return opts.Compare
	}
	return script.Compare
}

// IsLesson reports whether script is a scenario to teach with (it has a
// title or says what to watch), rather than a few --at commands: a lesson
// starts paused with its explanation on screen.
func IsLesson(script *scenario.Script) bool {
	return script != nil && (script.Title != "" || script.Explain != "")
}

// local is the cluster of one person's view, which the view's scenario
// picker replaces. A restart runs as a command, off the UI's goroutine: mu
// guards which cluster runs, and done stops a restart that finishes after
// the view ended.
type local struct {
	ctx  context.Context
	opts Options
	mu   sync.Mutex
	live *cluster.Live
	done bool
}

func (l *local) start(cfg cluster.Config, script *scenario.Script) (*cluster.Live, error) {
	return cluster.StartLive(l.ctx, cfg, LiveOptions(l.opts, script, cluster.LiveOptions{}))
}

// restart replaces the running cluster with a fresh one playing the named
// built-in scenario, set up as the scenario's header says, and stops the
// old one. A scenario this cluster cannot run is refused, as `raftty run`
// refuses it, and the old cluster runs on.
func (l *local) restart(name string) (tui.Cluster, *scenario.Script, error) {
	script, cfg, err := Lesson(l.opts.Config, name)
	if err != nil {
		return nil, nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return nil, nil, cluster.ErrStopped
	}
	next, err := l.start(cfg, script)
	if err != nil {
		return nil, nil, err
	}
	l.live.Stop()
	l.live = next
	return next, script, nil
}

// Lesson loads the named scenario and sets up its cluster from base with
// the scenario's header, as the s picker starts it: refused, as `raftty
// run` refuses it, if no cluster could run it ("07-slow-heartbeat:8: etcd
// engine: heartbeat 3s must be shorter ..."); whether its lesson holds
// there is Script.Mismatch's to say.
func Lesson(base cluster.Config, name string) (*scenario.Script, cluster.Config, error) {
	script, err := scenario.Load(name)
	if err != nil {
		return nil, base, err
	}
	cfg, err := script.Setup(base, nil, nil)
	if err == nil {
		err = script.Validate(cfg.Nodes)
	}
	return script, cfg, err
}

// stop stops whichever cluster runs, and any restart to come.
func (l *local) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.done = true
	l.live.Stop()
}
