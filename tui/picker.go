package tui

import (
	"fmt"

	"raftty/cluster/scenario"
)

// scenarioPicker is the list s opens: the built-in scenarios by title.
type scenarioPicker struct {
	items  []scenario.Builtin
	cursor int
}

func (p *scenarioPicker) open(items []scenario.Builtin) {
	p.items = items
	p.cursor = min(p.cursor, max(len(items)-1, 0))
}

func (p *scenarioPicker) move(d int) {
	if n := len(p.items); n > 0 {
		p.cursor = (p.cursor + d + n) % n
	}
}

func (p *scenarioPicker) chosen() string {
	if len(p.items) == 0 {
		return ""
	}
	return p.items[p.cursor].Name
}

// pickerBox lists the scenarios, the cursor's line reversed, scrolled so
// that the cursor stays in view.
func (m *Model) pickerBox(w, h int) []string {
	rows := max(h-2, 0)
	first := max(0, min(m.picker.cursor-rows/2, len(m.picker.items)-rows))
	var lines []string
	for i := first; i < len(m.picker.items) && len(lines) < rows; i++ {
		it := m.picker.items[i]
		line := fmt.Sprintf(" %-30s %s", it.Name, it.Title)
		if i == m.picker.cursor {
			line = m.wraps.selected.apply(fit(line, w-2))
		}
		lines = append(lines, line)
	}
	return m.box("scenarios · ↑/↓ choose · enter starts it on a fresh cluster · esc cancels", lines, w, h)
}
