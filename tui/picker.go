package tui

import (
	"fmt"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster/scenario"
)

// scenarioPicker is the list s opens: the built-in scenarios by title,
// each marked if it does not hold on this session's cluster (see
// scenario.BuiltinsFor). Enter asks the root to start the one under the
// cursor, unless the cluster cannot run it.
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
		if it, ok := p.item(p.chosen()); ok && it.Refused {
			// As `raftty run` refuses it: the list stays, saying why.
			return nil, statusMsg("scenario " + it.Name + " " + notHere(it))
		}
		p.open = false
		return nil, scenarioMsg(p.chosen())
	}
	return nil, nil
}

// item is the listed scenario called name.
func (p *scenarioPicker) item(name string) (scenario.Builtin, bool) {
	for _, it := range p.items {
		if it.Name == name {
			return it, true
		}
	}
	return scenario.Builtin{}, false
}

// The marks of a scenario that does not hold on this cluster.
const (
	markRefused    = "✗" // the cluster cannot run it
	markMayNotHold = "!" // it runs, but its lesson does not hold as written
)

// holdsMark is the scenario's mark, "" if nothing says it does not hold here.
func holdsMark(it scenario.Builtin) string {
	switch {
	case it.Refused:
		return markRefused
	case it.Mismatch != "":
		return markMayNotHold
	}
	return ""
}

// notHere says why a marked scenario is: "refused here: it holds on the
// textbook engine only, ...", "does not hold here: it is timed for ...".
func notHere(it scenario.Builtin) string {
	switch {
	case it.Refused && !it.OtherEngine:
		return "refused here: " + it.Mismatch // the cluster's own words
	case it.Refused:
		return "refused here: it " + it.Mismatch
	}
	return "does not hold here: it " + it.Mismatch
}

// pickerFootRows is how many rows give the whole title of the scenario
// under the cursor when its row is cut short, and say why it is marked (or
// what the marks mean), when any row is cut or marked.
const pickerFootRows = 3

// pickerRow is a scenario's row in the list, before it is fitted to the
// list's width: its name, its mark if any, its title.
func pickerRow(it scenario.Builtin) string {
	lead := fmt.Sprintf(" %-30s ", it.Name)
	if m := holdsMark(it); m != "" {
		lead += m + " "
	}
	return lead + it.Title
}

// footer gives the whole title of the scenario under the cursor if its
// row is cut short at width w, then why it is marked, or what the marks
// mean; nothing if no row is cut or marked (the list keeps its height as
// the cursor moves).
func (p *scenarioPicker) footer(f *Frame, w int) []string {
	marked := slices.ContainsFunc(p.items, func(it scenario.Builtin) bool { return holdsMark(it) != "" })
	cut := func(it scenario.Builtin) bool { return ansi.StringWidth(pickerRow(it)) > w }
	if !marked && !slices.ContainsFunc(p.items, cut) {
		return nil
	}
	var text string
	if marked {
		text = markRefused + " refused on this cluster · " + markMayNotHold + " does not hold here as written (it starts with a warning)"
	}
	it, ok := p.item(p.chosen())
	if ok && holdsMark(it) != "" {
		text = holdsMark(it) + " " + it.Name + " " + notHere(it)
	}
	var lines []string
	switch {
	case ok && cut(it):
		lines = wrapText(it.Name+": "+it.Title, w-2, pickerFootRows)
	case text == "":
		text = "a title cut short (…) is given here in full when the cursor is on it"
	}
	lines = append(lines, wrapText(text, w-2, pickerFootRows-len(lines))...)
	for i := range lines {
		lines[i] = f.styles.dim.apply(" " + lines[i])
	}
	for len(lines) < pickerFootRows {
		lines = append(lines, "")
	}
	return lines
}

// View lists the scenarios, the cursor's line reversed, scrolled so that
// the cursor stays in view.
func (p *scenarioPicker) View(f *Frame) []string {
	foot := p.footer(f, p.w-2)
	if p.h-2-len(foot) < 3 {
		foot = nil // the list first
	}
	rows := max(p.h-2-len(foot), 0)
	first := max(0, min(p.cursor-rows/2, len(p.items)-rows))
	var lines []string
	for i := first; i < len(p.items) && len(lines) < rows; i++ {
		line := fit(pickerRow(p.items[i]), p.w-2)
		if i == p.cursor {
			line = f.styles.selected.apply(line)
		}
		lines = append(lines, line)
	}
	for len(lines) < rows {
		lines = append(lines, "")
	}
	return f.styles.box("scenarios · ↑/↓ choose · enter starts it on a fresh cluster · esc cancels", append(lines, foot...), p.w, p.h)
}
