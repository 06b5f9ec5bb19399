package tui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
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
	lines, part := v.scroll.window(v.lines(f, v.w-2), max(v.h-2, 0))
	title := "every key (? closes)"
	if part != "" {
		title = "every key (? closes, ↑/↓ scroll: " + part + ")"
	}
	return f.styles.box(title, lines, v.w, v.h)
}

// lines is the help at w cells: the keys in columns, the command line's
// actions, the legends of the timeline, the log strips and the map. A line
// too long wraps; nothing is cut.
func (v *helpView) lines(f *Frame, w int) []string {
	lines := v.columns(f.keys.FullHelp(), w)
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…") // one group wider than the screen: none is today
	}
	text := func(s ...string) {
		for _, s := range s {
			if s == "" {
				lines = append(lines, "")
			} else {
				lines = append(lines, wrapIndent(s, w)...)
			}
		}
	}
	lines = append(lines, "")
	if f.watching {
		// A watcher changes nothing: no command line to explain.
		text(watcherHelp(f.class != nil)...)
	} else {
		text(commandIntro)
		for _, g := range commandExamples {
			lines = append(lines, packed(g, w)...)
		}
		for _, s := range commandFiles {
			text("  " + s)
		}
		if f.class != nil {
			text(pollHelp)
		}
	}
	text("", "timeline:")
	text(legendLines...)
	text("", "log strips (nodes panel; a cell an index, lined up across nodes):", logLegend)
	text("", "map:")
	text(mapHelp(f)...)
	text("inspector: enter opens, ↑/↓ scroll, esc closes; a click selects a node or a log line")
	return lines
}

// packed lays examples out two spaces apart, indented by two, as many to a
// line as fit in w cells.
func packed(examples []string, w int) []string {
	var lines []string
	line := ""
	for _, e := range examples {
		if line != "" && ansi.StringWidth(line)+2+ansi.StringWidth(e) > w {
			lines = append(lines, line)
			line = ""
		}
		if line == "" {
			line = "  " + e
		} else {
			line += "  " + e
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// logLegend explains the log strips' cells.
const logLegend = "■ committed  □ not known committed yet  · no entry  (colour: the entry's term)"

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

// mapHelp is the map's legend in the help, in the words of the engine
// world A runs, and of world B's too where it runs another.
func mapHelp(f *Frame) []string {
	l := mapLegendOf(f.snap.Config.Engine)
	lines := []string{l.one, l.two, l.three}
	if f.b != nil && f.b.snap.Config.Engine != f.snap.Config.Engine {
		lb := mapLegendOf(f.b.snap.Config.Engine)
		lines = append(lines, "world B's map ("+f.b.snap.Config.Engine.String()+"): "+lb.one, "  "+lb.three)
	}
	return lines
}
