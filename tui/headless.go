package tui

import tea "charm.land/bubbletea/v2"

// Headless turns m's frame clock off: no program runs it, and whoever
// draws it calls Refresh before each frame (a recording, which runs on a
// clock of its own, never the wall's).
func (m *Model) Headless() { m.tick = func() tea.Cmd { return nil } }

// Refresh takes in what the cluster did since the last frame, as each frame
// of a program does, and carries out at once what that asks (a following
// view going where the teacher looks).
func (m *Model) Refresh() { m.runNow(m.onFrame()) }

// Do gives a headless model a message (a key, a size) and carries out at
// once, in the caller's goroutine, the commands it returns and those their
// answers return, as a program would: no program runs them. A headless
// model asks for no frames, so none of them waits on a clock.
func (m *Model) Do(msg tea.Msg) {
	_, cmd := m.Update(msg)
	m.runNow(cmd)
}

func (m *Model) runNow(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			m.runNow(c)
		}
	default:
		m.Do(msg)
	}
}

// MinSize is the smallest screen the view draws on; below it, it says the
// terminal is too small.
func MinSize() (width, height int) { return minWidth, minHeight }
