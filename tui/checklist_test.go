package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

const lesson = `title The first election
explain Five followers wait; the first whose timer fires campaigns.
for 2s
at 1s expect leader
at 1500ms expect term >= 50
expect no violation
`

// newLessonHarness opens a scenario as package session does: paused, its
// explanation and checklist on screen.
func newLessonHarness(t *testing.T) *harness {
	t.Helper()
	script, err := scenario.Parse("lesson.txt", strings.NewReader(lesson))
	if err != nil {
		t.Fatal(err)
	}
	cfg := cluster.DefaultConfig()
	cfg.Seed = 1
	h := &harness{t: t, wall: time.Unix(1_000_000, 0), ticks: make(chan time.Time)}
	start := h.wall
	live, err := cluster.StartLive(context.Background(), cfg, cluster.LiveOptions{
		Speed: 1, Paused: true, Advance: scenario.NewPlayer(script), SlowVotes: true,
		Ticks: h.ticks, Now: func() time.Time { return start },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(live.Stop)
	h.live = live
	h.m = New(live, Options{NoColor: true, Script: script, Title: script.Title, Explain: script.Explain,
		Status: "paused at the start: read what to watch above; space starts the scenario"})
	h.m.tick = func() tea.Cmd { return nil }
	h.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	return h
}

// A scenario opens paused with what to watch and its checklist; the
// checklist fills in as the expectations are checked, the end is marked,
// and in the past it shows what was decided by then.
func TestLessonOpensPausedWithItsChecklist(t *testing.T) {
	h := newLessonHarness(t)
	h.advance(time.Second)
	screen := ansi.Strip(h.m.render())
	if !h.snap().Paused || h.snap().Now != 0 {
		t.Fatalf("the scenario did not wait: paused %v at %v", h.snap().Paused, h.snap().Now)
	}
	for _, want := range []string{"The first election", "the first whose timer fires", "… leader (at 1s)",
		"… no violation (at 2s)", "space starts the scenario", "ends at 2s"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the opening screen lacks %q:\n%s", want, screen)
		}
	}
	h.press("space")
	h.advance(2500 * time.Millisecond)
	screen = ansi.Strip(h.m.render())
	for _, want := range []string{"✓ leader (1.000s)", "✗ term >= 50 (1.500s, got 1)", "✓ no violation (2.000s)",
		"over at 2s", "┃end"} {
		if !strings.Contains(screen, want) {
			t.Errorf("after the end the screen lacks %q:\n%s", want, screen)
		}
	}
	// The final expectation was checked once, at the end, live.
	final := 0
	for i := 0; i < h.m.hist.decisions.len(); i++ {
		if strings.Contains(h.m.hist.decisions.ptr(i).text(), "no violation") {
			final++
		}
	}
	if final != 1 {
		t.Fatalf("the final expectation was reported %d times", final)
	}

	h.seekTo(1200 * time.Millisecond)
	line := ansi.Strip(checklistAt(h.m, 200, h.m.cur.moment(h.m.snap.Now)))
	if !strings.Contains(line, "✓ leader") || !strings.Contains(line, "… term >= 50") || !strings.Contains(line, "… no violation") {
		t.Fatalf("at 1.2s the checklist says %q; want the leader held and the rest pending", line)
	}
}

// At 80x24 a lesson's title, checklist and what to watch are on screen.
func TestLessonTextAt80x24(t *testing.T) {
	h := newLessonHarness(t)
	h.m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	screen := ansi.Strip(h.m.render())
	for _, want := range []string{"The first election", "expect: … leader", "Five followers wait"} {
		if !strings.Contains(screen, want) {
			t.Errorf("80x24 lacks %q:\n%s", want, screen)
		}
	}
	if n := strings.Count(screen, "\n") + 1; n != 24 {
		t.Fatalf("the screen has %d rows, want 24", n)
	}
}

// A checklist too long for the screen says how many it leaves out.
func TestChecklistSaysWhatItLeavesOut(t *testing.T) {
	h := newLessonHarness(t)
	line := ansi.Strip(checklistAt(h.m, 60, 0))
	if !strings.Contains(line, "more") || ansi.StringWidth(line) > 60 {
		t.Fatalf("at 60 columns the checklist says %q", line)
	}
	if full := ansi.Strip(checklistAt(h.m, 200, 0)); strings.Contains(full, "more") {
		t.Fatalf("at 200 columns the checklist says %q", full)
	}
}

// An expectation decided at the very moment the cursor shows is shown
// decided, not pending: the checklist holds what was decided by then,
// that moment included.
func TestChecklistAtTheMomentOfTheCheck(t *testing.T) {
	h := newLessonHarness(t)
	h.press("space")
	h.advance(2500 * time.Millisecond)
	h.seekTo(time.Second) // "at 1s expect leader" is checked at 1.000s
	if line := ansi.Strip(checklistAt(h.m, 200, h.m.cur.moment(h.m.snap.Now))); !strings.Contains(line, "✓ leader (1.000s)") {
		t.Fatalf("at 1.000s the checklist says %q; want the leader checked then", line)
	}
}

// A saved session's end is where it was saved, to the nanosecond: the
// header says it to the millisecond, as it says the time.
func TestHeaderEndToTheMillisecond(t *testing.T) {
	h := newLessonHarness(t)
	h.m.script.For = 1572377114 * time.Nanosecond
	if got := ansi.Strip(headerAt(h.m, 120)); !strings.Contains(got, "ends at 1.572s") {
		t.Fatalf("header %q, want the end as 1.572s", got)
	}
}
