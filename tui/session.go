package tui

import (
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

// DisableSaving turns w and :write off in this view, saying why: a
// session over SSH must not write files on the server.
func (m *Model) DisableSaving(why string) { m.saver.off = why }

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
