package tui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"raftty/cluster/scenario"
)

// Whole screens in the states a person reaches: every panel and the sizes
// the README promises, each drawn from a run whose clock the test drives.
// The text (escape codes stripped) is kept for each; for those marked
// colour, the exact bytes too, escape codes and all, so that a change of a
// style or of where one starts and ends shows. Run with -update to accept
// a deliberate change, and read the diff of the text files.
func TestGoldenScreens(t *testing.T) {
	afterKill := func(h *harness) {
		h.advance(1500 * time.Millisecond)
		h.press("L", "k")
		h.advance(700 * time.Millisecond)
	}
	for _, tc := range []struct {
		name   string
		w, h   int
		nodes  int
		colour bool
		setup  func(h *harness)
	}{
		{name: "250x70", w: 250, h: 70, colour: true, setup: afterKill},
		{name: "120x40_colour", w: 120, h: 40, colour: true, setup: afterKill},
		{name: "101nodes_120x40", w: 120, h: 40, nodes: 101, setup: func(h *harness) {
			h.advance(time.Second)
			h.press("tab", "tab", "shift+tab", "9")
		}},
		{name: "101nodes_250x70", w: 250, h: 70, nodes: 101, colour: true, setup: func(h *harness) {
			h.advance(time.Second)
			h.press("L", "d")
			h.advance(300 * time.Millisecond)
		}},
		{name: "past_120x40", w: 120, h: 40, colour: true, setup: func(h *harness) {
			afterKill(h)
			h.seekTo(1600 * time.Millisecond)
			h.press(".", ".")
		}},
		{name: "past_80x24", w: 80, h: 24, setup: func(h *harness) {
			afterKill(h)
			h.seekTo(1200 * time.Millisecond)
		}},
		{name: "edit_120x40", w: 120, h: 40, setup: func(h *harness) {
			afterKill(h)
			h.press("e", "tab")
		}},
		{name: "partition_80x24", w: 80, h: 24, setup: func(h *harness) {
			afterKill(h)
			h.press("p")
			h.typeText("1,2 | 2,3")
			h.press("enter")
		}},
		{name: "command_80x24", w: 80, h: 24, setup: func(h *harness) {
			afterKill(h)
			h.press(":")
			h.typeText("se")
			h.press("tab")
			h.typeText("d")
			h.press("tab")
		}},
		{name: "inspect_node_120x40", w: 120, h: 40, colour: true, setup: func(h *harness) {
			afterKill(h)
			h.press("2", "enter")
		}},
		{name: "inspect_line_80x24", w: 80, h: 24, setup: func(h *harness) {
			afterKill(h)
			h.press("up", "up", "up", "enter", "enter") // enter goes to the line, again inspects it
		}},
		{name: "filter_120x40", w: 120, h: 40, setup: func(h *harness) {
			afterKill(h)
			h.press("/")
			h.typeText("vote n3")
			h.press("enter", "up")
		}},
		{name: "heartbeats_120x40", w: 120, h: 40, setup: func(h *harness) {
			afterKill(h)
			h.press("f", "[", "[")
		}},
		{name: "nomap_80x24", w: 80, h: 24, setup: func(h *harness) {
			afterKill(h)
			h.press("m")
		}},
		{name: "help_120x40", w: 120, h: 40, setup: func(h *harness) {
			afterKill(h)
			h.press("?", "down", "down")
		}},
		{name: "picker_80x24", w: 80, h: 24, setup: func(h *harness) {
			h.m.restart = func(string) (Cluster, *scenario.Script, error) { return nil, nil, nil }
			h.press("s", "down", "down")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nodes := tc.nodes
			if nodes == 0 {
				nodes = 5
			}
			h := newStyledHarness(t, 42, !tc.colour, withNodes(nodes))
			h.m.Update(tea.WindowSizeMsg{Width: tc.w, Height: tc.h})
			tc.setup(h)
			raw := h.m.View().Content
			text := ansi.Strip(raw)
			checkShape(t, text, tc.w, tc.h)
			t.Run("text", func(t *testing.T) { golden.RequireEqual(t, text) })
			if tc.colour {
				t.Run("bytes", func(t *testing.T) { golden.RequireEqual(t, raw) })
			}
		})
	}
}

// A lesson at 80x24: its title, checklist and what to watch above the
// panels, its end on the timeline.
func TestGoldenLesson(t *testing.T) {
	h := newLessonHarness(t)
	h.m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.press("space", "m")
	h.advance(1200 * time.Millisecond)
	text := ansi.Strip(h.m.View().Content)
	checkShape(t, text, 80, 24)
	golden.RequireEqual(t, text)
}
