package tui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// helpView is the full help (?): every key, in groups side by side as far
// as they fit, then the command line's actions and the legends, scrolled
// with ↑/↓ when taller than the screen.
type helpView struct {
	overlay
	help help.Model
}

func newHelpView(styles help.Styles) *helpView {
	v := &helpView{help: help.New()}
	v.overlayKeys = overlayKeys{
		Up:    binding("↑/pgup", "scroll the help", "up", "pgup"),
		Down:  binding("↓/pgdn", "scroll the help", "down", "pgdown"),
		Close: binding("esc", "close the help", "esc"),
	}
	v.help.Styles = styles
	return v
}

// toggle opens the help at its top, or closes it.
func (v *helpView) toggle() {
	if v.open {
		v.open = false
		return
	}
	v.show()
}

// View lists every key and the legends.
func (v *helpView) View(f *Frame) []string {
	lines := v.columns(f.keys.FullHelp(), v.w-2)
	lines = append(lines, "")
	switch {
	case f.watching:
		lines = append(lines, watcherHelp(f.class != nil)...)
	case f.class != nil:
		lines = append(lines, commandHelp...)
		lines = append(lines, pollHelp)
	default:
		lines = append(lines, commandHelp...)
	}
	lines = append(lines, "", "timeline:")
	lines = append(lines, legendLines...)
	lines = append(lines, "", "map:", mapLegend, "inspector: enter opens, ↑/↓ scroll, esc closes; a click selects a node or a log line")
	lines, part := v.scroll.window(lines, max(v.h-2, 0))
	title := "every key (? closes)"
	if part != "" {
		title = "every key (? closes, ↑/↓ scroll: " + part + ")"
	}
	return f.styles.box(title, lines, v.w, v.h)
}

// columns lays the groups of keys out side by side, as many to a row as
// fit in w cells, the rest in further rows: every key is listed, at any
// width.
func (v *helpView) columns(groups [][]key.Binding, w int) []string {
	help := v.help
	help.SetWidth(0) // measure the natural width; the packing keeps it within w
	var lines []string
	var row [][]key.Binding
	flush := func() {
		if len(row) > 0 {
			lines = append(lines, strings.Split(help.FullHelpView(row), "\n")...)
			lines = append(lines, "")
			row = nil
		}
	}
	for _, g := range groups {
		try := append(slices.Clone(row), g)
		if len(row) > 0 && lipgloss.Width(help.FullHelpView(try)) > w {
			flush()
			try = [][]key.Binding{g}
		}
		row = try
	}
	flush()
	return lines[:max(len(lines)-1, 0)]
}

// legendLines explain the timeline's glyphs, beside it on a wide screen and
// in the full help.
var legendLines = []string{
	"━ leader (own colour) ═ candidate ╌ pre-cand. ─ follower",
	"· dead    orange band: cut off from a majority",
	"┃ heartbeat sent   ╵ heartbeat received",
	"x timeout: (pre-)campaigns   C pre-vote won: campaigns",
	"L wins   F steps down   v votes   p grants a pre-vote",
	"X killed  R restarted  / disconnected  + reconnected",
	"¦ link cut, restored or partitioned  > < cut one way",
}
