package tui

import tea "charm.land/bubbletea/v2"

// Headless turns m's frame clock off: no program runs it, and whoever
// draws it calls Refresh before each frame (a recording, which runs on a
// clock of its own, never the wall's).
func (m *Model) Headless() { m.tick = func() tea.Cmd { return nil } }

// Refresh takes in what the cluster did since the last frame, as each frame
// of a program does.
func (m *Model) Refresh() { m.onFrame() }

// MinSize is the smallest screen the view draws on; below it, it says the
// terminal is too small.
func MinSize() (width, height int) { return minWidth, minHeight }
