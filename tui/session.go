package tui

import (
	"raftty/cluster"
	"raftty/cluster/scenario"
)

// Options are what a view shows beside its cluster, and what it may do.
// Starting the cluster is the caller's (package session).
type Options struct {
	// NoColor keeps every style's weight (bold, faint, reverse) but no
	// colour.
	NoColor bool
	// Title and Explain are shown above the panels: a scenario's title and
	// what to watch (replaced as its explain steps fire), or a warning.
	Title, Explain string
	// Script is the scenario the cluster plays from its start: its
	// checklist and end show, and a saved session includes its steps.
	Script *scenario.Script
	// Status is the first status line; "" says how to begin.
	Status string
	// Restart lets s choose a built-in scenario, restarting the cluster;
	// nil: s says there are none here.
	Restart Restarter
	// Scenarios are what s lists, each marked for the cluster Restart
	// starts it on (scenario.BuiltinsFor); nil: scenario.Builtins(),
	// unmarked.
	Scenarios []scenario.Builtin
	// NoSave, if set, says why w and :write may not save in this view: a
	// session over SSH must not write files on the server. SaveDir, if
	// set, is where they save, and the only place: a name with a
	// directory in it is refused (a teacher over SSH saves in the
	// server's save directory and nowhere else).
	NoSave  string
	SaveDir string
	// Class is the lecture the view is part of (raftty serve), nil for a
	// view of one's own. Watching makes it a watcher's view: its keys and
	// help are those of one who may look, never change the cluster (f
	// follows the teacher). Follow starts it following the teacher's
	// cursor.
	Class    Class
	Watching bool
	Follow   bool
}

// SetStatus replaces the status line.
func (m *Model) SetStatus(s string) { m.setStatus(s, nil) }

// ClusterSnapshot is the latest state of the cluster the model shows.
func (m *Model) ClusterSnapshot() cluster.Snapshot { return m.live.Snapshot() }

// SwitchTo shows another cluster from its start, playing script (non-nil):
// a lecture's views follow the teacher to another scenario; the s picker's
// restart shows its new cluster.
func (m *Model) SwitchTo(c Cluster, script *scenario.Script) {
	m.live = c
	m.script = script
	m.checks = newChecklist(script)
	m.snap = c.Snapshot()
	m.cur.live = m.snap
	m.cur.toLive()
	m.hist, m.histB, m.divSel = newHistory(len(m.snap.Nodes)), historyB(m.snap), -1
	m.keys.root.enableDivergences(m.histB != nil)
	m.views = viewKeys(m.keys) // they hold copies of the bindings
	m.selected, m.uiDropped = 1, 0
	m.scr.log.follow()
	m.scr.inspector.open = false
	m.paused, m.speed = m.snap.Paused, m.snap.Speed
	m.title, m.explain = script.Title, script.Explain
	m.drain()
}
