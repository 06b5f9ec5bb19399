package tui

import (
	"context"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// This file is the live view for a program whose terminal is somebody
// else's: an SSH session of `raftty serve`. The session supplies input,
// output and window size; the server owns the process's signals.

// NewViewer makes a model over a cluster the caller runs and shares (a
// lecture): it has no scenario picker, and status is its first status line
// (who the viewer is, what it may do).
func NewViewer(c Cluster, opts Options, status string) *Model {
	m := New(c, DefaultStyles(opts.NoColor))
	m.SetTitle(opts.Title)
	if s := opts.Script; s != nil && s.Title != "" {
		m.SetScenario(s.Title, s.Explain)
	}
	if status != "" {
		m.setStatus(status, nil)
	}
	return m
}

// StartLocal starts a private cluster from opts and returns the full live
// view over it (scenarios included, as Run has) and the function that stops
// whichever cluster the view shows when it ends. It is Run without the
// program: `raftty serve --lab` gives one to every session.
func StartLocal(ctx context.Context, opts Options) (*Model, func(), error) {
	start := func(cfg cluster.Config, script *scenario.Script) (*cluster.Live, error) {
		live, err := cluster.StartLive(ctx, cfg, cluster.LiveOptions{Speed: opts.Speed, Advance: scenario.NewPlayer(script)})
		if err == nil && script != nil && script.Explain != "" {
			err = live.Do(func(c *cluster.Cluster) error { c.Explain(script.Explain); return nil })
		}
		return live, err
	}
	live, err := start(opts.Config, opts.Script)
	if err != nil {
		return nil, nil, err
	}
	m := NewViewer(live, opts, "")
	if opts.Script != nil && opts.Script.Title != "" {
		m.setStatus("scenario "+opts.Script.Name+": its steps play as the clock passes them; s picks another", nil)
	}
	m.SetRestarter(func(name string) (Cluster, *scenario.Script, error) {
		script, err := scenario.Load(name)
		if err != nil {
			return nil, nil, err
		}
		cfg := opts.Config
		if script.Nodes > 0 {
			cfg.Nodes = script.Nodes
		}
		if script.HasSeed {
			cfg.Seed = script.Seed
		}
		next, err := start(cfg, script)
		if err != nil {
			return nil, nil, err
		}
		live.Stop()
		live = next
		return next, script, nil
	})
	// The restarter runs in the program's goroutine; stop runs after the
	// program has ended, so live is not read concurrently.
	return m, func() { live.Stop() }, nil
}

// SetStatus replaces the status line.
func (m *Model) SetStatus(s string) { m.setStatus(s, nil) }

// SessionProgramOptions are the Bubble Tea options of a program on a
// session's terminal, to be given after the session's own input, output and
// size: no signal handler (SIGINT belongs to the server), and no colours if
// asked.
func SessionProgramOptions(opts Options) []tea.ProgramOption {
	o := []tea.ProgramOption{tea.WithoutSignalHandler()}
	if opts.NoColor {
		o = append(o, tea.WithColorProfile(colorprofile.Ascii))
	}
	return o
}

// ClusterSnapshot is the latest state of the cluster the model shows.
func (m *Model) ClusterSnapshot() cluster.Snapshot { return m.live.Snapshot() }

// SwitchTo shows another cluster from its start, playing script (non-nil):
// a lecture's views follow the teacher to another scenario.
func (m *Model) SwitchTo(c Cluster, script *scenario.Script) { m.switchTo(c, script) }
