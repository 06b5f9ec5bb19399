package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// splitView is a program that shows two nodes panels side by side, each
// drawn from its own frame: two worlds in one program, as the split view
// of "same seed, two worlds" will.
type splitView struct {
	left, right *nodesPanel
	a, b        *Frame
}

func (v *splitView) Init() tea.Cmd { return nil }

func (v *splitView) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(tea.KeyPressMsg); ok {
		return v, tea.Quit
	}
	return v, nil
}

func (v *splitView) View() tea.View {
	l, r := v.left.View(v.a), v.right.View(v.b)
	lines := make([]string, len(l))
	for i := range l {
		lines[i] = l[i] + r[i]
	}
	return tea.NewView(strings.Join(lines, "\n"))
}

// A component can exist twice in one program, each copy drawing from a
// different frame: world A's nodes panel shows n3 leading or following,
// world B's (the same seed, n3 killed, n5 selected) shows it dead. A
// panel holds nothing of the world it drew: given the other frame, it
// draws the other world.
func TestTwoNodesPanelsFromTwoFrames(t *testing.T) {
	a, b := newHarness(t, 42), newHarness(t, 42)
	a.advance(time.Second)
	b.advance(time.Second)
	b.press("3", "k", "5")
	b.advance(100 * ms)
	v := &splitView{left: newNodesPanel(), right: newNodesPanel(), a: a.m.Frame(), b: b.m.Frame()}
	v.left.SetSize(60, 7)
	v.right.SetSize(60, 7)

	pr := runProgram(t, v, 120, 7)
	pr.send("q")
	final := pr.final().(*splitView)
	rows := strings.Split(ansi.Strip(final.View().Content), "\n")
	left, right := column(rows, 0, 60), column(rows, 60, 60)
	if !strings.Contains(left, "▶ n1 ") || strings.Contains(left, "dead") {
		t.Errorf("world A's panel:\n%s", left)
	}
	if !strings.Contains(right, "▶ n5 ") || !strings.Contains(right, "n3   dead") {
		t.Errorf("world B's panel:\n%s", right)
	}
	if again := strings.Join(final.left.View(final.b), "\n"); ansi.Strip(again) != right {
		t.Errorf("A's panel given B's frame drew\n%s\nnot B's world:\n%s", ansi.Strip(again), right)
	}
}

// column is the w cells of each row from cell x on.
func column(rows []string, x, w int) string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = ansi.Cut(r, x, x+w)
	}
	return strings.Join(out, "\n")
}

// The whole screen is a function of a frame and a size: Draw, with no
// terminal and no program, draws what the live view shows (no prompt
// open), escape codes and all, at every size.
func TestDrawWithoutATerminal(t *testing.T) {
	h := newStyledHarness(t, 42, false)
	h.advance(1500 * ms)
	h.press("L", "k")
	h.advance(700 * ms)
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}, {250, 70}} {
		h.m.Update(tea.WindowSizeMsg{Width: size.w, Height: size.h})
		want := h.m.View().Content
		got := Draw(h.m.Frame(), size.w, size.h)
		if got != want {
			t.Errorf("%dx%d: Draw differs from the live view:\n%s\nwant\n%s", size.w, size.h, ansi.Strip(got), ansi.Strip(want))
		}
	}
}
