package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"go.uber.org/goleak"

	"raftty/cluster"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// harness is a model over a live cluster whose wall clock the test drives:
// no sleeps, and the same seed gives the same screens.
type harness struct {
	t     testing.TB
	m     *Model
	live  *cluster.Live
	wall  time.Time
	ticks chan time.Time
}

func newHarness(t testing.TB, seed uint64, opts ...func(*cluster.Config)) *harness {
	t.Helper()
	return newStyledHarness(t, seed, true, opts...)
}

// newStyledHarness is newHarness drawing in colour unless noColor.
func newStyledHarness(t testing.TB, seed uint64, noColor bool, opts ...func(*cluster.Config)) *harness {
	t.Helper()
	return startHarness(t, seed, noColor, cluster.LiveOptions{}, opts...)
}

// startHarness is newStyledHarness with the live cluster's options (the
// test's clock is set here).
func startHarness(t testing.TB, seed uint64, noColor bool, lo cluster.LiveOptions, opts ...func(*cluster.Config)) *harness {
	t.Helper()
	cfg := cluster.DefaultConfig()
	cfg.Seed = seed
	for _, o := range opts {
		o(&cfg)
	}
	h := &harness{t: t, wall: time.Unix(1_000_000, 0), ticks: make(chan time.Time)}
	start := h.wall
	lo.Speed, lo.Ticks, lo.Now = 1, h.ticks, func() time.Time { return start }
	live, err := cluster.StartLive(context.Background(), cfg, lo)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(live.Stop)
	h.live = live
	h.m = New(live, Options{NoColor: noColor})
	h.m.tick = func() tea.Cmd { return nil } // the test draws the frames
	h.m.out.saver.dir = t.TempDir()          // w never writes into the source tree
	h.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	return h
}

// advance moves the wall clock (at speed 1: virtual time too) in 50ms
// steps, then lets the model draw a frame.
func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	for step := 50 * time.Millisecond; d > 0; d -= step {
		h.wall = h.wall.Add(min(step, d))
		h.ticks <- h.wall
	}
	h.frame()
}

func (h *harness) frame() {
	h.t.Helper()
	if err := h.live.Sync(); err != nil {
		h.t.Fatal(err)
	}
	h.m.Update(frameMsg(h.wall)) // the frame's time, as the frame clock gives it (a recording reads it)
}

// press sends keys to the model and carries out the cluster commands they
// return, as the Bubble Tea runtime would.
func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		_, cmd := h.m.Update(keyMsg(k))
		h.run(cmd)
	}
}

// typeText types characters into whatever input has focus.
func (h *harness) typeText(s string) {
	for _, r := range s {
		h.m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// run executes a command if it is the model's own: one returned by a key
// that leaves the model in normal mode (a cluster command, a restart, a
// save), and feeds its message back, as the Bubble Tea runtime would.
// Commands of an open form (a text input's cursor blink) would only wait on
// a timer.
func (h *harness) run(cmd tea.Cmd) {
	if cmd == nil || h.m.scr.prompt.isOpen() {
		return
	}
	switch msg := cmd().(type) {
	case commandDoneMsg, scenarioStartedMsg, savedMsg, forkedMsg, seekedMsg, decidedMsg, decisionFromMsg,
		exportedMsg, recordStartedMsg, recordStoppedMsg:
		_, next := h.m.Update(msg)
		h.run(next)
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
	}
}

func (h *harness) snap() cluster.Snapshot { return h.live.Snapshot() }

// logged reports whether the decisions log holds a line containing s.
func (h *harness) logged(s string) bool {
	for i := 0; i < h.m.hist.decisions.len(); i++ {
		if strings.Contains(h.m.hist.decisions.ptr(i).text(), s) {
			return true
		}
	}
	return false
}

// keyMsg makes the key press that a terminal would send for a key name.
func keyMsg(name string) tea.KeyPressMsg {
	special := map[string]tea.KeyPressMsg{
		"space":      {Code: tea.KeySpace, Text: " "},
		"tab":        {Code: tea.KeyTab},
		"shift+tab":  {Code: tea.KeyTab, Mod: tea.ModShift},
		"enter":      {Code: tea.KeyEnter},
		"esc":        {Code: tea.KeyEscape},
		"up":         {Code: tea.KeyUp},
		"down":       {Code: tea.KeyDown},
		"pgup":       {Code: tea.KeyPgUp},
		"pgdown":     {Code: tea.KeyPgDown},
		"end":        {Code: tea.KeyEnd},
		"ctrl+c":     {Code: 'c', Mod: tea.ModCtrl},
		"ctrl+u":     {Code: 'u', Mod: tea.ModCtrl},
		"left":       {Code: tea.KeyLeft},
		"shift+left": {Code: tea.KeyLeft, Mod: tea.ModShift},
	}
	if k, ok := special[name]; ok {
		return k
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg{Code: r, Text: name}
}

// headerAt is the header the model draws at width w.
func headerAt(m *Model, w int) string {
	var hd header
	hd.SetSize(w, 1)
	return hd.View(m.Frame())[0]
}

// checklistAt is the checklist line the model draws at width w, as of
// moment now.
func checklistAt(m *Model, w int, now time.Duration) string {
	var c checklistLine
	c.SetSize(w, 1)
	return c.line(m.Frame(), now)
}
