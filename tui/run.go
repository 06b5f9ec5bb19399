package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// Options configure a UI session.
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
	// StartPaused starts the clock stopped, as a scenario always does:
	// a class reads what to watch before anything moves.
	StartPaused bool
	// Input and Output default to the terminal.
	Input  io.Reader
	Output io.Writer
}

// Run starts a live cluster, shows it until the user quits, then stops the
// cluster: when Run returns, nothing it started is still running.
func Run(ctx context.Context, opts Options) error {
	m, stop, err := StartLocal(ctx, opts)
	if err != nil {
		return err
	}
	defer stop() // whichever cluster runs at the end
	_, err = tea.NewProgram(m, programOptions(ctx, opts)...).Run()
	return quitError(ctx, err)
}

// StartLocal starts a cluster from opts and returns the live view over it
// (the s picker restarts it with a scenario) and the function that stops
// whichever cluster runs when the view ends. It is Run without the program:
// `raftty serve --lab` gives one to every session.
func StartLocal(ctx context.Context, opts Options) (*Model, func(), error) {
	start := func(cfg cluster.Config, script *scenario.Script) (*cluster.Live, error) {
		// The player says the script's explanation when the clock starts.
		return cluster.StartLive(ctx, cfg, LiveOptions(opts, script))
	}
	live, err := start(opts.Config, opts.Script)
	if err != nil {
		return nil, nil, err
	}
	// A scenario restart runs as a command, off the UI's goroutine: mu
	// guards which cluster runs, and done stops a restart that finishes
	// after the UI quit.
	var mu sync.Mutex
	done := false
	stop := func() {
		mu.Lock()
		defer mu.Unlock()
		done = true
		live.Stop()
	}

	m := newSession(live, opts)
	m.SetScript(opts.Script) // a saved session includes its steps; the checklist shows its expectations
	m.SetRestarter(func(name string) (Cluster, *scenario.Script, error) {
		script, err := scenario.Load(name)
		if err != nil {
			return nil, nil, err
		}
		cfg := opts.Config
		script.Configure(&cfg, nil)
		mu.Lock()
		defer mu.Unlock()
		if done {
			return nil, nil, cluster.ErrStopped
		}
		next, err := start(cfg, script)
		if err != nil {
			return nil, nil, err
		}
		live.Stop()
		live = next
		return next, script, nil
	})
	return m, stop, nil
}

// quitError is what ending the program means: quitting is never an error,
// whether by q, ctrl+c, a cancelled context, SIGTERM or SIGINT (which
// Bubble Tea reports as an interruption).
func quitError(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil || errors.Is(err, tea.ErrInterrupted) {
		return nil
	}
	return fmt.Errorf("terminal UI: %w", err)
}

// newSession makes the model a session starts with: a scenario's title and
// explanation above the panels, a warning on the status line (or, without a
// scenario, as the title).
func newSession(live Cluster, opts Options) *Model {
	m := New(live, DefaultStyles(opts.NoColor))
	m.SetTitle(opts.Title)
	warning := ""
	if len(opts.Warnings) > 0 {
		warning = "warning: " + strings.Join(opts.Warnings, "; ")
	}
	switch {
	case isLesson(opts.Script):
		m.setStatus("paused at the start: read what to watch above; space starts the scenario", nil)
	case opts.StartPaused:
		m.setStatus("paused at the start: space starts the clock", nil)
	}
	if opts.Script != nil && opts.Script.Title != "" {
		m.SetScenario(opts.Script.Title, opts.Script.Explain)
		if warning != "" {
			m.setStatus(warning, nil)
		}
	} else if warning != "" {
		m.SetTitle(warning)
	}
	return m
}

// programOptions are the Bubble Tea options of a session. Panics are left
// to Bubble Tea to catch (no WithoutCatchPanics), so that a panic in Update,
// View or a command restores the terminal before the error is reported.
func programOptions(ctx context.Context, opts Options) []tea.ProgramOption {
	// The renderer flushes no more often than the model draws frames:
	// each of its ticks wakes the program, paused or not.
	progOpts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(int(time.Second / frameInterval))}
	if opts.NoColor {
		progOpts = append(progOpts, tea.WithColorProfile(colorprofile.Ascii))
	}
	if opts.Input != nil {
		progOpts = append(progOpts, tea.WithInput(opts.Input))
	}
	if opts.Output != nil {
		progOpts = append(progOpts, tea.WithOutput(opts.Output))
	}
	return progOpts
}

// LiveOptions is how a session runs a cluster playing script: a lesson,
// or --start-paused, starts with the clock stopped.
func LiveOptions(opts Options, script *scenario.Script) cluster.LiveOptions {
	return cluster.LiveOptions{
		Speed: opts.Speed, Paused: opts.StartPaused || isLesson(script), Advance: scenario.NewPlayer(script),
		SlowVotes: true, // so that a RequestVote is seen crossing the map (v turns it off)
	}
}

// isLesson reports whether script is a scenario to teach with (it has a
// title or says what to watch), rather than a few --at commands: a lesson
// starts paused with its explanation on screen.
func isLesson(script *scenario.Script) bool {
	return script != nil && (script.Title != "" || script.Explain != "")
}
