package tui

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// newBuiltinHarness is a view of a built-in scenario as `raftty --scenario
// name` opens it: set up as its header says, paused at its start, slow
// motion on, at w x h.
func newBuiltinHarness(t *testing.T, name string, seed uint64, w, h int) *harness {
	t.Helper()
	script, err := scenario.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	cfg := cluster.DefaultConfig()
	script.Configure(&cfg, nil)
	cfg.Seed = seed
	hs := &harness{t: t, wall: time.Unix(1_000_000, 0), ticks: make(chan time.Time)}
	start := hs.wall
	lo := cluster.LiveOptions{
		Speed: 0.1, Paused: true, Advance: scenario.NewPlayer(script), SlowVotes: true, SlowMessages: true,
		Ticks: hs.ticks, Now: func() time.Time { return start },
	}
	if len(script.Compare) > 0 { // as session.LiveOptions does
		lo.Compare = script.Compare
		lo.Advance, lo.AdvanceB = scenario.NewPlayer(script).ForWorld(cluster.WorldA), scenario.NewPlayer(script).ForWorld(cluster.WorldB)
	}
	live, err := cluster.StartLive(context.Background(), cfg, lo)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(live.Stop)
	hs.live = live
	hs.m = New(live, Options{NoColor: true, Script: script, Title: script.Title, Explain: script.Explain})
	hs.m.tick = func() tea.Cmd { return nil }
	hs.m.out.saver.dir = t.TempDir()
	hs.m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

// At 80x24 the lesson is all there: the term and the seed in the header
// (no leader yet), a decision named in full on two lines, and what the
// screen has no room for a key away: i shows every expectation and all of
// what to watch, where the checklist said "+2 more" and nothing else
// (TestPausedLessonTakesTheEmptyRows: an explanation cut short).
func TestSmallScreenSaysItAll(t *testing.T) {
	h := newBuiltinHarness(t, "08", 1, 80, 24)
	screen := strings.Split(ansi.Strip(h.m.render()), "\n")
	if !strings.Contains(screen[0], "t0") || !strings.Contains(screen[0], "seed 1") {
		t.Fatalf("the header lacks the term or the seed: %q", screen[0])
	}
	joined := strings.Join(screen, "\n")
	if !strings.Contains(joined, "more (i)") {
		t.Fatalf("the checklist is cut without saying where the rest is:\n%s", joined)
	}
	h.press("i")
	lesson := inspectorText(h.m)
	for _, want := range []string{"no-leader (at 5s)", "split-votes >= 20 (at 5s)", "leader (at 8s)", "no violation (at 9s)",
		"At 6s the timeouts are randomized again."} {
		if !strings.Contains(lesson, want) {
			t.Errorf("i does not show %q: %s", want, lesson)
		}
	}
	h.press("esc")
	for range 6 {
		h.press(".")
	}
	var e cluster.Event
	_, made, err := h.live.SnapshotAtDecision(h.m.snap.Decision)
	if err != nil || len(made) == 0 {
		t.Fatal(err)
	}
	for _, x := range made {
		if x.Kind == cluster.KindVote {
			e = x
		}
	}
	screen = strings.Split(ansi.Strip(h.m.render()), "\n")
	status := strings.Join(strings.Fields(strings.Join(screen[21:23], " ")), " ")
	if e.Kind == 0 || !strings.Contains(status, e.String()) {
		t.Fatalf("at 80x24 the status line does not name the decision in full: %q\n%v", status, made)
	}
}

// Paused at a lesson's start, the explanation takes the rows the event log
// leaves empty (it stopped at three lines, or one at 80x24, above a log
// of two), without the node list, the map or the timeline losing
// anything; once the clock runs, it is back to its few lines and "… (i)".
func TestPausedLessonTakesTheEmptyRows(t *testing.T) {
	for _, tc := range []struct {
		name string
		w, h int
		// lines is how many lines of the explanation show at the least.
		lines int
	}{
		{"23", 120, 40, 0}, // all of it
		{"16", 120, 40, 0}, // two worlds
		{"08", 80, 24, 0},
		{"22", 80, 24, 3}, // the nodes, the statistics and the map need the rest
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newBuiltinHarness(t, tc.name, 1, tc.w, tc.h)
			text := wrapText(h.m.Frame().explainShown(), tc.w-2, math.MaxInt)
			want := tc.lines
			if want == 0 {
				want = len(text)
			}
			if want <= maxExplainLines && tc.h >= 40 || len(text) <= 1 {
				t.Fatalf("an explanation of %d lines proves nothing", len(text))
			}
			screen := ansi.Strip(h.m.render())
			for i, line := range text[:want] {
				if i == len(text)-1 || i < want-1 {
					line = strings.TrimSuffix(line, " ")
				} else {
					line = line[:20] // the last line shown ends in "… (i)"
				}
				if !strings.Contains(screen, " "+line) {
					t.Errorf("%q is not on screen:\n%s", line, screen)
				}
			}
			if want == len(text) && strings.Contains(screen, "… (i)") {
				t.Errorf("the explanation is whole yet says … (i):\n%s", screen)
			}
			for id := 1; id <= 5; id++ {
				if !strings.Contains(screen, fmt.Sprintf("n%d   ", id)) {
					t.Errorf("n%d's row is gone:\n%s", id, screen)
				}
			}
			twoWorlds := h.m.Frame().b != nil // each shows its log, or its map with m
			if (!twoWorlds && !strings.Contains(screen, "┌ map")) || !strings.Contains(screen, "» ") {
				t.Errorf("the map or the log's lines are gone:\n%s", screen)
			}
			h.press("space")
			if screen := ansi.Strip(h.m.render()); !strings.Contains(screen, "… (i)") {
				t.Errorf("running, the explanation is not back to its few lines:\n%s", screen)
			}
		})
	}
}

// shift+← moves a screen of the timeline back even where the map has
// taken the timeline's place (it moved one column, 10ms).
func TestPageBackWithoutTheTimeline(t *testing.T) {
	h := newHarness(t, 1)
	h.m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.advance(3 * time.Second)
	_ = h.m.render()
	if h.m.scr.tlShown {
		t.Fatal("the timeline is on screen at 80x24 with the map: the test proves nothing")
	}
	now := h.m.snap.Now
	h.press("shift+left")
	if got, want := now-h.m.cur.at, time.Duration(timelineCols(80))*10*ms; !h.m.cur.past || got != want {
		t.Fatalf("shift+← moved %v back (past %v), want a screen of the timeline: %v", got, h.m.cur.past, want)
	}
}

// The : line takes a line as long as the parser does: a 101-node
// partition, some 290 characters, is two groups. (Cut at 200, it ran
// what was left: three groups, the last node alone.)
func TestCommandLineTakesALongLine(t *testing.T) {
	h := newHarness(t, 1, func(c *cluster.Config) { c.Nodes = 101 })
	h.advance(100 * ms)
	var a, b []string
	for id := 1; id <= 101; id++ {
		if id <= 50 {
			a = append(a, fmt.Sprint(id))
		} else {
			b = append(b, fmt.Sprint(id))
		}
	}
	line := "partition " + strings.Join(a, ",") + " | " + strings.Join(b, ",")
	if len(line) <= 200 {
		t.Fatalf("a line of %d characters proves nothing", len(line))
	}
	h.line(line)
	s := h.snap()
	if s.Nodes[0].Group != 1 || s.Nodes[49].Group != 1 || s.Nodes[50].Group != 2 || s.Nodes[100].Group != 2 {
		t.Fatalf("groups of n1, n50, n51, n101: %d %d %d %d; want 1 1 2 2", s.Nodes[0].Group, s.Nodes[49].Group, s.Nodes[50].Group, s.Nodes[100].Group)
	}
}

// A click on the timeline puts the cursor in the column clicked, and the
// time it says is in that column: a click on the column of 0.5s said
// t=0.510s, the next column's, its moment (the column's end, so that all
// of the column shows) rounded up.
func TestClickLandsInItsColumn(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(1030 * ms)
	h.press("space")
	find := func(what string) (int, int) {
		for y, l := range strings.Split(ansi.Strip(h.m.render()), "\n") {
			if i := strings.Index(l, what); i >= 0 && strings.HasPrefix(l, "│ ") {
				return len([]rune(l[:i])), y
			}
		}
		t.Fatalf("no %q on screen", what)
		return 0, 0
	}
	x, _ := find("╵0.5s")
	h.mouse(tea.MouseClickMsg{X: x, Y: h.m.scr.tl.y0, Button: tea.MouseLeft})
	if at := h.m.cur.at; at < 500*ms || at >= 510*ms {
		t.Fatalf("the click on the column of 0.5s put the cursor at %v", at)
	}
	if cx, _ := find("▲"); cx != x {
		t.Fatalf("the cursor's ▲ is in column %d, the click in %d", cx, x)
	}
	if head := ansi.Strip(headerAt(h.m, 120)); !strings.Contains(head, "PAST t=0.509s") {
		t.Fatalf("header %q: want the click's moment, in its column (t=0.509s)", head)
	}
}

// The start-up warnings are read in full at 80 and 120 columns, however
// many (a scenario on the engine it was not written for, and a heartbeat
// past the election timeout): on the status line with a scenario, above
// the panels without. Two lines cut them.
func TestStartUpWarningsInFull(t *testing.T) {
	warning := "warning: 06-follower-returns-prevote holds on the textbook engine only, not on etcd: turning PreVote on " +
		"while the cluster runs restarts etcd's nodes (a RawNode fixes it when built), so n1 no longer leads; " +
		"heartbeat 200ms >= minimum election timeout 150ms: followers will time out between heartbeats and leadership will churn"
	for _, titled := range []bool{true, false} {
		for _, w := range []int{80, 120} {
			live, err := cluster.StartLive(context.Background(), cluster.DefaultConfig(), cluster.LiveOptions{Speed: 1, Paused: true})
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{NoColor: true, Status: warning}
			if !titled {
				opts = Options{NoColor: true, Title: warning}
			} else {
				opts.Title = "The same return with PreVote: the leader keeps leading"
			}
			m := New(live, opts)
			m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
			view := strings.Join(strings.Fields(ansi.Strip(m.render())), " ")
			live.Stop()
			if !strings.Contains(view, warning) {
				t.Errorf("%d columns (scenario %v): the warnings are not in full:\n%s", w, titled, ansi.Strip(m.render()))
			}
		}
	}
}

// On the 101-node map the leader's L is always on top: a neighbour's
// letter or label drawn after it hid it (the golden screen showed "n25f").
func TestLeaderIsSeenOnACrowdedMap(t *testing.T) {
	for _, seed := range []uint64{42, 1, 2, 3} {
		h := newHeadless(t, seed, func(c *cluster.Config) { c.Nodes = 101 })
		h.c.RunFor(1300 * ms)
		leader := h.c.Leader()
		if leader == 0 {
			continue
		}
		m := h.model(120, 40)
		for _, size := range [][2]int{{56, 16}, {40, 12}, {80, 30}} {
			text, p := mapDrawn(m, size[0], size[1])
			pos := p.draw.pos[leader-1]
			row := []rune(strings.Split(text, "\n")[1+pos.y])
			if got := row[1+pos.x]; got != 'L' {
				t.Errorf("seed %d, %dx%d map: n%d leads but its cell shows %q: %q", seed, size[0], size[1], leader, got, string(row))
			}
		}
	}
}

// At 80x24 the map keeps its place whether the status line takes one row
// or two (a decision named in full while one steps): its width came from
// the rows left to the log, and it jumped four columns at every step.
func TestMapHoldsStillUnderAWrappedStatus(t *testing.T) {
	h := newBuiltinHarness(t, "08", 1, 80, 24) // a lesson: its text above leaves the log few rows
	mapAt := func() (int, int) {
		_ = h.m.render()
		for _, p := range h.m.scr.placed {
			if p.c == clickable(h.m.scr.cmap) {
				return p.x, p.w
			}
		}
		t.Fatal("no map on screen")
		return 0, 0
	}
	h.m.setStatus("short", nil)
	x1, w1 := mapAt()
	h.m.setStatus(strings.Repeat("a decision named in full ", 5), nil)
	x2, w2 := mapAt()
	if x1 != x2 || w1 != w2 {
		t.Fatalf("the map moved from column %d (%d wide) to %d (%d wide) when the status took two rows", x1, w1, x2, w2)
	}
}
