package tui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"raftty/cluster/scenario"
)

// scenarioPicker is the list s opens: the built-in scenarios by title.
// Enter asks the root to start the one under the cursor.
type scenarioPicker struct {
	size
	pickerKeys
	open   bool
	items  []scenario.Builtin
	cursor int
}

// pickerKeys move in the list, choose and cancel.
type pickerKeys struct {
	Up, Down, Choose, Cancel key.Binding
}

func newPickerKeys() pickerKeys {
	return pickerKeys{
		Up:     binding("↑/k", "scenarios: up", "up", "k", "shift+tab"),
		Down:   binding("↓/j", "scenarios: down", "down", "j", "tab"),
		Choose: binding("enter", "scenarios: start", "enter"),
		Cancel: binding("esc", "scenarios: cancel", "esc", "q", "s"),
	}
}

// ShortHelp and FullHelp make pickerKeys a help.KeyMap.
func (k pickerKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Up, k.Down, k.Choose, k.Cancel} }
func (k pickerKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

func newScenarioPicker() *scenarioPicker { return &scenarioPicker{pickerKeys: newPickerKeys()} }

// show opens the list, the cursor where it was.
func (p *scenarioPicker) show(items []scenario.Builtin) {
	p.open, p.items = true, items
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

// Update moves the cursor, or closes the list with the scenario chosen
// (scenarioMsg) or none.
func (p *scenarioPicker) Update(msg tea.Msg, f *Frame) (tea.Cmd, tea.Msg) {
	return onKey(msg, f, p.updateKey)
}

func (p *scenarioPicker) updateKey(k tea.KeyPressMsg, _ *Frame) (tea.Cmd, tea.Msg) {
	switch {
	case key.Matches(k, p.pickerKeys.Cancel):
		p.open = false
		return nil, statusMsg("scenario unchanged")
	case key.Matches(k, p.pickerKeys.Up):
		p.move(-1)
	case key.Matches(k, p.pickerKeys.Down):
		p.move(1)
	case key.Matches(k, p.pickerKeys.Choose):
		p.open = false
		return nil, scenarioMsg(p.chosen())
	}
	return nil, nil
}

// View lists the scenarios, the cursor's line reversed, scrolled so that
// the cursor stays in view.
func (p *scenarioPicker) View(f *Frame) []string {
	rows := max(p.h-2, 0)
	first := max(0, min(p.cursor-rows/2, len(p.items)-rows))
	var lines []string
	for i := first; i < len(p.items) && len(lines) < rows; i++ {
		it := p.items[i]
		line := fmt.Sprintf(" %-30s %s", it.Name, it.Title)
		if i == p.cursor {
			line = f.styles.selected.apply(fit(line, p.w-2))
		}
		lines = append(lines, line)
	}
	return f.styles.box("scenarios · ↑/↓ choose · enter starts it on a fresh cluster · esc cancels", lines, p.w, p.h)
}
