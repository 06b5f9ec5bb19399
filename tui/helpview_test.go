package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// The full help is all there at any width: scrolled through at 60, 80 and
// 120 columns, no line is wider than its box (which cut four of them
// silently at 80: "the commands of a sce", "record FILE.cast: record
// what you", the map legend's "× link cut", the inspector's "a click
// selects a node or a lo"), and every word of the command line's help and
// of the legends is on some line.
func TestHelpCutsNothing(t *testing.T) {
	var whole []string
	whole = append(whole, commandIntro)
	whole = append(whole, commandFiles...)
	whole = append(whole, legendLines...)
	legend := mapLegendOf(cluster.EngineTextbook)
	whole = append(whole, logLegend, legend.one, legend.two, legend.three)
	for _, g := range commandExamples {
		whole = append(whole, g...)
	}
	for _, w := range []int{60, 80, 120} {
		h := newHarness(t, 1)
		h.m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
		h.press("?")
		var seen []string
		for page := 0; page < 20; page++ {
			screen := strings.Split(ansi.Strip(h.m.render()), "\n")
			for _, row := range screen[2:22] { // the box's rows, between its borders
				inner := strings.TrimSuffix(strings.TrimPrefix(row, "│"), "│")
				if strings.HasSuffix(strings.TrimRight(inner, " "), "…") {
					t.Errorf("at %d columns the help cuts %q", w, inner)
				}
				seen = append(seen, strings.TrimSpace(inner))
			}
			h.press("pgdown")
		}
		// Wrapped lines are joined back for the search.
		text := strings.Join(strings.Fields(strings.Join(seen, " ")), " ")
		for _, s := range whole {
			if want := strings.Join(strings.Fields(s), " "); !strings.Contains(text, want) {
				t.Errorf("at %d columns the help lacks %q", w, want)
			}
		}
	}
}

// The command line's help has an example of every action and every
// parameter (it had no put, noop, unsafe-commit, max-entries), and each
// example is a line the command line takes.
func TestHelpShowsEveryCommand(t *testing.T) {
	var all []string
	for _, g := range commandExamples {
		for _, e := range g {
			if _, err := scenario.ParseCommand(e); err != nil {
				t.Errorf("the help's example %q: %v", e, err)
			}
			all = append(all, " "+e+" ")
		}
	}
	examples := strings.Join(all, "")
	for _, name := range scenario.CommandNames() {
		if !strings.Contains(examples, " "+name+" ") && !strings.Contains(examples, " "+name) {
			t.Errorf("no example of %s in the help", name)
		}
	}
	for _, name := range scenario.Params {
		if !strings.Contains(examples, " set "+name+" ") {
			t.Errorf("no example of set %s in the help", name)
		}
	}
}
