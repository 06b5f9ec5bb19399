package tui

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
)

// The walk-through: kill the leader at 1s, go on to 2.5s, scrub
// back to 0.5s: the killed node leads again and the header says it is the
// past; end: back to live, the node dead and another leading.
func TestScrubBackToBeforeTheKill(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(time.Second)
	old := h.snap().Leader
	if old == 0 {
		t.Fatal("no leader at 1s")
	}
	h.press("L", "k")
	h.advance(1500 * time.Millisecond)

	h.seekTo(500 * time.Millisecond)
	if !h.m.cur.past || h.m.snap.Leader != old || !h.m.snap.Nodes[old-1].Alive {
		t.Fatalf("at 0.5s: past %v, leader n%d alive %v; want n%d leading", h.m.cur.past, h.m.snap.Leader, h.m.snap.Nodes[old-1].Alive, old)
	}
	if !h.snap().Paused {
		t.Fatal("going into the past did not pause the cluster")
	}
	screen := ansi.Strip(h.m.render())
	for _, want := range []string{"PAST t=0.500s", "2.500s", "end", fmt.Sprintf("leader n%d", old), "▲"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the past's screen lacks %q:\n%s", want, screen)
		}
	}

	h.press("end")
	h.frame()
	if h.m.cur.past || h.snap().Paused {
		t.Fatalf("end: past %v, paused %v; want live and running again", h.m.cur.past, h.snap().Paused)
	}
	if s := h.m.snap; s.Nodes[old-1].Alive || s.Leader == old {
		t.Fatalf("back live: n%d alive %v, leader n%d", old, s.Nodes[old-1].Alive, s.Leader)
	}
	if strings.Contains(h.m.render(), "PAST") {
		t.Fatal("the live screen still says PAST")
	}
}

// seekTo moves the cursor with the keys: ← until the cursor is at or
// before t, then the rest by seek (as a click would).
func (h *harness) seekTo(t time.Duration) {
	h.t.Helper()
	h.press("left")
	if !h.m.cur.past {
		h.t.Fatal("← did not go into the past")
	}
	h.run(h.m.cur.seek(t))
}

// TestCursorShowsAFreshRunsState: every moment the cursor visits shows the
// state a fresh run stopped there has.
func TestCursorShowsAFreshRunsState(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		h := newHarness(t, seed)
		h.advance(700 * time.Millisecond)
		h.press("2", "d")
		h.advance(800 * time.Millisecond)
		h.press("L", "k")
		h.advance(time.Second)
		rec := h.live.Recording()
		for _, at := range []time.Duration{0, 300 * time.Millisecond, 700 * time.Millisecond, 1234 * time.Millisecond, 1500 * time.Millisecond, 2400 * time.Millisecond} {
			h.seekTo(at)
			c, err := cluster.New(h.snap().Config, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range rec {
				if tc.At > at {
					break
				}
				c.RunUntil(tc.At)
				_ = c.Apply(tc.Cmd)
			}
			c.RunUntil(at)
			if !reflect.DeepEqual(h.m.snap.Nodes, c.Nodes()) || h.m.snap.Leader != c.Leader() {
				t.Fatalf("seed %d at %v: the cursor shows a state a fresh run does not have", seed, at)
			}
			h.press("end")
		}
	}
}

// Fork: a command given in the past discards the future after the cursor
// and goes on from there with the command.
func TestForkFromThePast(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(time.Second)
	h.press("L", "k")
	h.advance(1500 * time.Millisecond)
	h.seekTo(800 * time.Millisecond)
	follower := 1
	for _, ns := range h.m.snap.Nodes {
		if ns.Role.String() == "follower" {
			follower = int(ns.ID)
			break
		}
	}
	h.press(fmt.Sprint(follower), "d")
	h.frame()
	if !strings.Contains(h.m.status, "forked at t=0.800s: disconnect") {
		t.Fatalf("status %q, want it to say where it forked", h.m.status)
	}
	rec := h.live.Recording()
	if len(rec) != 1 || rec[0].At != 800*time.Millisecond || rec[0].Cmd.Action != cluster.ActDisconnect {
		t.Fatalf("recording after the fork: %+v; want only the disconnect at 0.8s (the kill at 1s is gone)", rec)
	}
	if h.m.cur.past || h.snap().Now != 800*time.Millisecond {
		t.Fatalf("after the fork: past %v, now %v; want live at 0.8s", h.m.cur.past, h.snap().Now)
	}
	if h.logged("dies") {
		t.Fatal("the discarded future's kill is still in the log")
	}
	h.advance(time.Second)
	if !h.snap().Nodes[follower-1].Disconnected {
		t.Fatal("the forked command did not stick")
	}
}

// Stepping by decision skips silent deliveries, and , after . comes back.
func TestStepByDecision(t *testing.T) {
	h := newHarness(t, 3)
	h.advance(2 * time.Second)
	h.seekTo(100 * time.Millisecond)
	start := h.m.cur.at
	h.press(".")
	next := h.m.cur.at
	if next <= start {
		t.Fatalf(". went from %v to %v", start, next)
	}
	line := h.m.status
	if strings.Contains(line, "AppendEntries") && !strings.Contains(line, "drop") {
		t.Fatalf(". stopped at a silent delivery: %q", line)
	}
	h.press(".", ",")
	if h.m.cur.at != next {
		t.Fatalf(", after . went to %v, want %v", h.m.cur.at, next)
	}
	// The decisions log has no deliveries: each step lands on one of its lines.
	found := false
	for i := 0; i < h.m.hist.decisions.len(); i++ {
		found = found || h.m.hist.decisions.ptr(i).at() == next
	}
	if !found {
		t.Fatalf(". landed at %v, where no decision is", next)
	}
}

// The mouse: a click on the timeline puts the cursor there, a drag scrubs,
// the wheel scrolls back and forward.
func TestMouseMovesTheCursor(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(3 * time.Second)
	_ = h.m.render()
	g := h.m.scr.tl
	if g.cols == 0 {
		t.Fatal("the timeline was not drawn")
	}
	x, y := g.x0+g.cols/2, g.y0+1
	want, _ := g.momentAt(x, y)
	h.mouse(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
	if !h.m.cur.past || h.m.cur.at != want {
		t.Fatalf("click: cursor %v (past %v), want %v", h.m.cur.at, h.m.cur.past, want)
	}
	h.mouse(tea.MouseMotionMsg{X: x - 10, Y: y, Button: tea.MouseLeft})
	if h.m.cur.at != want-10*g.zoom {
		t.Fatalf("drag 10 columns left: cursor %v, want %v", h.m.cur.at, want-10*g.zoom)
	}
	h.mouse(tea.MouseReleaseMsg{X: x - 10, Y: y})
	h.mouse(tea.MouseMotionMsg{X: x, Y: y})
	if h.m.cur.at != want-10*g.zoom {
		t.Fatal("motion after the release still scrubbed")
	}
	at := h.m.cur.at
	h.mouse(tea.MouseWheelMsg{X: x, Y: y, Button: tea.MouseWheelUp})
	if h.m.cur.at >= at {
		t.Fatalf("wheel up: cursor %v, want before %v", h.m.cur.at, at)
	}
	h.mouse(tea.MouseClickMsg{X: 0, Y: 0, Button: tea.MouseLeft})
	if !h.m.cur.past {
		t.Fatal("a click off the timeline moved the cursor to live")
	}
}

func (h *harness) mouse(msg tea.Msg) {
	h.t.Helper()
	_, cmd := h.m.Update(msg)
	h.run(cmd)
}

// Space in the past replays the recorded future and joins live at the
// edge, running, even when the cluster was paused before going back.
func TestPlayFromThePast(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(time.Second)
	h.press("space") // paused at live first
	h.seekTo(900 * time.Millisecond)
	h.press("space")
	if !h.m.cur.playing || !strings.Contains(ansi.Strip(headerAt(h.m, 160)), "replaying") {
		t.Fatalf("space in the past did not play: header %q", ansi.Strip(headerAt(h.m, 160)))
	}
	for i := 0; i < 10 && h.m.cur.past; i++ {
		h.run(h.m.cur.playFrame()) // what each frame does
	}
	if h.m.cur.past {
		t.Fatalf("still in the past at %v after playing past the live edge", h.m.cur.at)
	}
	if h.snap().Paused {
		t.Fatal("reaching the live edge did not carry on live")
	}
}

// A cluster that makes more events than a tick may simulate falls behind
// the wall clock, and the header says so.
func TestHeaderSaysTheClockIsBehind(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(100 * time.Millisecond)
	h.m.cur.live.Behind = true // as Live.advance reports it
	if !strings.Contains(ansi.Strip(headerAt(h.m, 160)), "clock behind") {
		t.Fatalf("header %q does not say the clock is behind", ansi.Strip(headerAt(h.m, 160)))
	}
}

// w in the past saves the session up to the time cursor: the file replays
// to the moment on screen, not to the live edge.
func TestSaveFromThePastEndsAtTheCursor(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(500 * time.Millisecond)
	h.press("2", "d")
	h.advance(time.Second)
	h.press("3", "k")
	h.advance(time.Second)
	h.seekTo(time.Second)
	h.press("w")
	if !strings.Contains(h.m.status, "saved to ") {
		t.Fatalf("status %q", h.m.status)
	}
	path := strings.Fields(strings.TrimPrefix(h.m.status, "saved to "))[0]
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if !strings.Contains(text, "\nfor 1s\n") || !strings.Contains(text, "disconnect 2") || strings.Contains(text, "kill 3") {
		t.Fatalf("saved at the cursor (1s):\n%s\nwant for 1s, the disconnect at 0.5s and not the kill at 1.5s", text)
	}
	if !h.m.cur.past {
		t.Fatal("saving left the past")
	}
}

// . names every decision in turn, those at one instant included, and ,
// walks back through the same lines.
func TestStepByDecisionNamesEveryLine(t *testing.T) {
	h := newHarness(t, 3)
	h.advance(2 * time.Second)
	h.seekTo(100 * time.Millisecond)
	var forward []string
	for range 8 { // the first election's decisions; then only heartbeats

		h.press(".")
		forward = append(forward, h.m.status)
	}
	sameInstant := false
	for i := 1; i < len(forward); i++ {
		if forward[i] == forward[i-1] {
			t.Fatalf(". named %q twice", forward[i])
		}
		sameInstant = sameInstant || forward[i][:8] == forward[i-1][:8]
	}
	if !sameInstant {
		t.Fatal("no two decisions at one instant: the test would not catch a step by instant")
	}
	for i := len(forward) - 2; i >= 0; i-- {
		h.press(",")
		if h.m.status != forward[i] {
			t.Fatalf(", went to %q, want %q", h.m.status, forward[i])
		}
	}
	// The log highlights the line stepped to.
	if !strings.Contains(ansi.Strip(h.m.render()), strings.TrimSpace(forward[0])[:20]) {
		t.Fatal("the line stepped to is not on screen")
	}
}

// The cursor's column still shows what happened in it: a disconnect at
// the cursor's moment keeps its mark.
func TestCursorColumnShowsItsMark(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(time.Second)
	h.press("3", "d")
	h.advance(time.Second)
	at := h.live.Recording()[0].At
	h.seekTo(at)
	for _, row := range strings.Split(ansi.Strip(h.m.render()), "\n") {
		if strings.HasPrefix(row, "│n3 ") {
			if !strings.Contains(row, "/") {
				t.Fatalf("n3's row at the cursor (the disconnect's moment) lacks the / mark: %q", row)
			}
			return
		}
	}
	t.Fatal("no timeline row for n3")
}

func TestAxisMarksBlankTheLabelsTheyTouch(t *testing.T) {
	line := []rune("╵3.0s     ╵3.1s     ")
	place(line, 2, []rune("▲"))
	place(line, 11, []rune("┃end"))
	if got := string(line); got != "  ▲        ┃end     " {
		t.Fatalf("axis %q", got)
	}
}

// refusing is a cluster that refuses every change, as a watcher's does.
type refusing struct{ Cluster }

var errRefused = errors.New("watching: only the teacher can change the cluster")

func (refusing) Apply(cluster.Command) error               { return errRefused }
func (refusing) Fork(time.Duration, cluster.Command) error { return errRefused }

// A refused fork (a watcher's) changes nothing: the view stays in the past
// and keeps the recorded future.
func TestRefusedForkKeepsThePast(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(2 * time.Second)
	lines := h.m.hist.decisions.len()
	h.m.live = refusing{h.live}
	h.seekTo(500 * time.Millisecond)
	h.press("3", "d")
	if !h.m.cur.past || h.m.cur.at != 500*time.Millisecond || h.m.hist.decisions.len() != lines {
		t.Fatalf("after a refused fork: past %v at %v, %d log lines (had %d)", h.m.cur.past, h.m.cur.at, h.m.hist.decisions.len(), lines)
	}
	if !strings.Contains(h.m.status, "watching") {
		t.Fatalf("status %q, want the refusal", h.m.status)
	}
}

// A view whose saving is off (over SSH) writes nothing, by w or :write.
func TestDisabledSaving(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(time.Second)
	h.m.out.saver.off = "saving is off here"
	h.press("w")
	if h.m.status != "saving is off here" {
		t.Fatalf("w: status %q", h.m.status)
	}
	h.press(":")
	h.typeText("write x.txt")
	h.press("enter")
	if entries, _ := os.ReadDir(h.m.out.saver.dir); len(entries) != 0 || !strings.Contains(h.m.status, "saving is off here") {
		t.Fatalf(":write: %d files, status %q", len(entries), h.m.status)
	}
}

// Another viewer's fork (the teacher's, over SSH) reaches a view that is
// looking back: it forgets the discarded future, its cursor moves to the
// fork point (the new present) if it was past it, and it says so.
func TestSomeoneElsesForkReachesAViewInThePast(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(2 * time.Second)
	h.seekTo(1500 * time.Millisecond)
	lastBefore, _ := h.m.hist.decisions.last()
	if err := h.live.Fork(time.Second, cluster.Command{Action: cluster.ActKill, Nodes: []int{cluster.LeaderNode}}); err != nil {
		t.Fatal(err)
	}
	h.frame()
	// The fork point is the new present: the view is live there.
	if h.m.cur.past || h.m.snap.Now != time.Second {
		t.Fatalf("cursor at %v (past %v), view at %v; want live at the fork point, 1s", h.m.cur.at, h.m.cur.past, h.m.snap.Now)
	}
	if !strings.Contains(h.m.status, "history was forked at t=1.000s") {
		t.Fatalf("status %q", h.m.status)
	}
	for i := 0; i < h.m.hist.decisions.len(); i++ {
		if l := h.m.hist.decisions.ptr(i); l.at() > time.Second && l.text() == lastBefore.text() {
			t.Fatalf("the discarded future is still in the log: %q", l.text())
		}
	}
	if !h.logged("history forked here") || !h.logged("dies") {
		t.Fatal("the log lacks the fork and the forked kill")
	}
}

// Replaying the past is as slow as live while votes fly, and a move of the
// cursor by hand stops the replay.
func TestReplaySlowsForVotesAndStopsOnAMove(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(time.Second)
	h.seekTo(150 * time.Millisecond) // just before the first election's votes
	h.m.cur.live.SlowVotes = true
	h.press("space")
	var steps []time.Duration
	for range 40 {
		at := h.m.cur.at
		h.run(h.m.cur.playFrame())
		steps = append(steps, h.m.cur.at-at)
	}
	slow, fast := false, false
	for _, d := range steps {
		slow = slow || d < frameInterval/10
		fast = fast || d >= frameInterval*9/10
	}
	if !slow || !fast {
		t.Fatalf("replay steps %v: want both slowed (votes in flight) and full-speed frames", steps)
	}
	h.press("home")
	if h.m.cur.playing {
		t.Fatal("home did not stop the replay")
	}
}

// In the past, at 80 columns, the header still says it is the past, the
// leader then, and both options.
func TestPastHeaderAt80Columns(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(2 * time.Second)
	h.seekTo(time.Second)
	got := ansi.Strip(headerAt(h.m, 80))
	for _, want := range []string{"PAST 1.000s ·", "leader n", "seed 1"} {
		if !strings.Contains(got, want) {
			t.Errorf("header %q lacks %q", got, want)
		}
	}
	if !switchesOff(got) {
		t.Errorf("header %q does not say PreVote and CheckQuorum are off", got)
	}
}

// ? lists every key at any width: the groups that do not fit side by side
// go to further rows.
func TestFullHelpListsEveryKeyAtAnyWidth(t *testing.T) {
	for _, w := range []int{80, 120, 200} {
		h := newHarness(t, 1)
		h.m.Update(tea.WindowSizeMsg{Width: w, Height: 40})
		var all []string
		for _, line := range h.m.scr.help.columns(h.m.keys.FullHelp(), w-2) {
			all = append(all, ansi.Strip(line))
		}
		text := strings.Join(all, "\n")
		for _, g := range h.m.keys.FullHelp() {
			for _, b := range g {
				if b.Enabled() && !strings.Contains(text, b.Help().Desc) {
					t.Errorf("at %d columns the help lacks %q", w, b.Help().Desc)
				}
			}
		}
		for _, line := range all {
			if ansi.StringWidth(line) > w-2 {
				t.Errorf("at %d columns a help line is %d wide: %q", w, ansi.StringWidth(line), line)
			}
		}
	}
}

// A filter that matches nothing shows nothing, the first time too.
func TestFilterMatchingNothing(t *testing.T) {
	h := newHarness(t, 3)
	h.advance(time.Second)
	h.press("/")
	h.typeText("zzzz")
	h.press("enter")
	shown := h.m.scr.log.shown(h.m.Frame())
	if shown.nums == nil || shown.len() != 0 || !strings.Contains(ansi.Strip(h.m.render()), "/zzzz: 0 lines") {
		t.Fatalf("a filter matching nothing shows %v", shown.nums)
	}
}

// The filter's count is said in words: "1 line", "2 lines".
func TestFilterCountsInWords(t *testing.T) {
	h := newHarness(t, 3)
	h.advance(time.Second)
	for _, tc := range []struct{ filter, want string }{{"killed", "/killed: 0 lines"}, {"param", "/param: 1 line "}} {
		h.press("/")
		h.press("ctrl+u")
		h.typeText(tc.filter)
		h.press("enter")
		if !strings.Contains(ansi.Strip(h.m.render()), tc.want) {
			t.Errorf("/%s: the log's title lacks %q", tc.filter, tc.want)
		}
	}
}

// Moments are rebuilt off Update; an answer for a moment the cursor has
// left is dropped, whatever order the answers come in.
func TestStaleSeekAnswersAreDropped(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(2 * time.Second)
	h.seekTo(300 * time.Millisecond)
	first := seekAnswer(h.m.cur.seek(200 * time.Millisecond))
	second := seekAnswer(h.m.cur.seek(1500 * time.Millisecond))
	h.m.Update(second)
	h.m.Update(first) // late: the cursor is at 1.5s now
	if h.m.snap.Now != 1500*time.Millisecond {
		t.Fatalf("the view shows %v, want the cursor's 1.5s", h.m.snap.Now)
	}
}

// seekAnswer runs the commands a seek returned and finds its answer.
func seekAnswer(cmd tea.Cmd) seekedMsg {
	if cmd == nil {
		return seekedMsg{}
	}
	switch msg := cmd().(type) {
	case seekedMsg:
		return msg
	case tea.BatchMsg:
		for _, c := range msg {
			if s := seekAnswer(c); s.at != 0 {
				return s
			}
		}
	}
	return seekedMsg{}
}
