package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// click selects what is under the mouse: a node (in the node list, on the
// map, on a timeline label) or a log line. Clicking what is already
// selected opens the inspector on it.
func (m *Model) click(mouse tea.Mouse) {
	if mouse.Button != tea.MouseLeft || m.mode != modeNormal {
		return
	}
	for _, h := range m.hits {
		if mouse.X < h.x || mouse.X >= h.x+h.w || mouse.Y < h.y || mouse.Y >= h.y+h.h {
			continue
		}
		switch {
		case h.flight > 0 && h.flight <= len(m.snap.Flights):
			// A message is gone in a moment: one click shows it.
			m.inspect = inspector{open: true, flight: m.snap.Flights[h.flight-1], at: m.snap.Now, keys: m.inspect.keys}
		case h.node > 0:
			again := h.node == m.selected && m.logSel < 0
			m.selectNode(h.node)
			m.logSel = -1
			if again {
				m.openInspector()
			}
		case h.logLine >= 0:
			again := h.logLine == m.logSel
			m.logSel = h.logLine
			if again {
				m.openInspector()
			}
		}
		return
	}
}

// moveLogSelection moves the selected log line by d lines back in time
// (negative: forward); from no selection it starts at the newest line.
// Moving forward past the newest line ends the selection.
func (m *Model) moveLogSelection(d int) {
	shown := m.shownLog()
	count := shown.len()
	if count == 0 {
		return
	}
	pos := m.selectedLogPos(shown)
	if pos < 0 {
		if d < 0 {
			return
		}
		pos = count
	}
	pos -= d
	if pos >= count {
		m.logSel = -1
		return
	}
	m.logSel = shown.num(max(pos, 0))
}

func (m *Model) updateInspector(msg tea.KeyPressMsg) tea.Cmd {
	k := m.inspect.keys
	switch {
	case key.Matches(msg, k.Close):
		m.inspect.open = false
	case key.Matches(msg, k.Up):
		m.inspect.scroll = max(m.inspect.scroll-m.scrollStep(msg), 0)
	case key.Matches(msg, k.Down):
		m.inspect.scroll += m.scrollStep(msg) // the view clamps it
	case key.Matches(msg, m.keys.Quit) && msg.String() == "ctrl+c":
		return tea.Quit
	}
	return nil
}

// scrollHelp scrolls the full help with ↑/↓; it reports whether the key
// did so.
func (m *Model) scrollHelp(msg tea.KeyPressMsg) bool {
	switch {
	case key.Matches(msg, m.keys.LogUp):
		m.helpScroll = max(m.helpScroll-m.scrollStep(msg), 0)
	case key.Matches(msg, m.keys.LogDown):
		m.helpScroll += m.scrollStep(msg) // the view clamps it
	case msg.String() == "esc":
		m.showFullHelp = false
	default:
		return false
	}
	return true
}

func (m *Model) updateFilter(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		m.mode = modeNormal
		m.setStatus("log filter unchanged", nil)
		return nil
	case "enter":
		m.mode = modeNormal
		m.filter = parseFilter(m.filterForm.input.Value())
		m.logScroll, m.logSel = 0, -1
		if m.filter.text == "" {
			m.setStatus("log filter cleared", nil)
		} else {
			m.setStatus("log filtered by "+strings.TrimSpace(m.filter.text)+" (esc clears it)", nil)
		}
		return nil
	}
	return m.filterForm.update(msg)
}
