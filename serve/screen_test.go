package serve

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
)

// frameText is a picture of w x h for the paint tests: coloured rows whose
// text moves, scrolls and changes from frame to frame, as a live view's do.
func frameText(r *rand.Rand, w, h, frame int) string {
	rows := make([]string, h)
	for y := range rows {
		n := (y + frame) % 7
		text := fmt.Sprintf("row %d of frame %d %s", y, frame/3, strings.Repeat("█", r.IntN(w/2)))
		if r.IntN(4) == 0 {
			text = fmt.Sprintf("%*s", r.IntN(w-10)+10, "moved")
		}
		text = ansi.Truncate(text, w, "")
		rows[y] = fmt.Sprintf("\x1b[3%dm%s\x1b[m", n, text)
	}
	return strings.Join(rows, "\n")
}

// emuText is what an emulated terminal shows, row by row, trailing spaces
// cut.
func emuText(e *vt.Emulator) string {
	lines := strings.Split(ansi.Strip(e.Render()), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.Join(lines, "\n")
}

func wantText(content string) string {
	lines := strings.Split(ansi.Strip(content), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.Join(lines, "\n")
}

// A shared screen's members see its picture exactly: those there from the
// start, given each frame's change, and one who joins late, given the
// whole picture and then the changes, on terminals of two kinds (the
// colours differ; the cells must not).
func TestScreenPaintsEveryMemberTheSamePicture(t *testing.T) {
	const w, h = 60, 20
	sc := &screen{key: screenKey{w: w, h: h}, members: map[*member]struct{}{},
		buf: uv.NewScreenBuffer(w, h), outs: map[outputKey]*output{}}
	sc.enter, _ = terminalModes(ansiView())
	type client struct {
		m   *member
		buf *bytes.Buffer
		emu *vt.Emulator
	}
	add := func(k outputKey) *client {
		c := &client{buf: &bytes.Buffer{}, emu: vt.NewEmulator(w, h)}
		c.m = &member{out: k, fresh: true, limit: maxPending, wake: make(chan struct{}, 1)}
		sc.members[c.m] = struct{}{}
		return c
	}
	flush := func(c *client) {
		for _, chunk := range c.m.pending {
			// As an SSH session without a real terminal writes it (see
			// github.com/charmbracelet/ssh's ptyWriter).
			chunk = bytes.ReplaceAll(chunk, []byte("\n"), []byte("\r\n"))
			_, _ = c.emu.Write(bytes.ReplaceAll(chunk, []byte("\r\r\n"), []byte("\r\n")))
		}
		c.m.pending, c.m.queued = nil, 0
	}
	color256 := outputKey{profile: colorprofile.ANSI256, term: "xterm-256color"}
	ascii := outputKey{profile: colorprofile.Ascii, term: "xterm"}
	clients := []*client{add(color256), add(ascii)}
	r := rand.New(rand.NewPCG(1, 2))
	for frame := range 60 {
		if frame == 17 {
			clients = append(clients, add(color256))
		}
		if frame == 31 {
			clients = append(clients, add(ascii))
		}
		content := frameText(r, w, h, frame)
		if frame%5 == 4 {
			content = sc.content // a frame in which nothing changed
		}
		sc.paint(content)
		for i, c := range clients {
			flush(c)
			if got, want := emuText(c.emu), wantText(sc.content); got != want {
				t.Fatalf("frame %d, client %d sees:\n%s\nwant:\n%s", frame, i, got, want)
			}
		}
	}
}

func ansiView() tea.View {
	v := tea.NewView("")
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "raftty"
	return v
}

// shared waits until the lecture has screens shared screens serving
// members watchers.
func (ts *testServer) shared(what string, screens, members int) {
	ts.t.Helper()
	ts.until(what, func() bool {
		s, m := ts.s.screens.count()
		return s == screens && m == members
	})
}

// resize changes tm's window, as a person dragging their terminal's
// corner does.
func (tm *term) resize(w, h int) {
	tm.t.Helper()
	tm.emu.Resize(w, h)
	if err := tm.sess.WindowChange(h, w); err != nil {
		tm.t.Fatalf("%s: resizing: %v", tm.name, err)
	}
}

func same(a, b string) bool { return a == b }

// Watchers who follow the teacher at one size share one screen, drawn
// once: they see the same picture, cell for cell, the teacher's acts
// included; a late joiner gets the whole of it; another size is another
// screen; a key of one's own gives a view of one's own, which goes back to
// the shared screen once it follows again and shows nothing of its own;
// q quits from the shared screen and restores the terminal.
func TestWatchersShareOneScreen(t *testing.T) {
	teacherKey := newKey(t)
	ts := startServer(t, Options{Teachers: []ssh_PublicKey{teacherKey.PublicKey()}})
	addr := ts.s.Addr().String()
	ts.electLeader()
	teacher := connect(t, addr, "teacher", teacherKey)
	a := connect(t, addr, "student a", newKey(t))
	b := connect(t, addr, "student b", newKey(t))
	ts.shared("a and b on one screen", 1, 2)
	waitBoth(t, "one picture on a and b", a, b, same)
	if !strings.Contains(a.screen(), "watching: you follow the teacher") {
		t.Fatalf("a's status line does not say it follows:\n%s", a.screen())
	}

	teacher.press("3k") // kills n3
	dead := func(s string) bool { return strings.Contains(nodeRow(s, 3), "dead") }
	a.waitFor("n3 dead", dead)
	waitBoth(t, "one picture of the kill", a, b, same)

	c := connect(t, addr, "student c", newKey(t))
	ts.shared("c on the screen too", 1, 3)
	waitBoth(t, "the whole picture for a late joiner", a, c, same)

	a.resize(100, 30)
	ts.shared("a on a screen of its size", 2, 3)
	a.waitFor("a's view at 100x30", func(s string) bool {
		return strings.Contains(s, "watching: you follow the teacher") && strings.Count(s, "\n") == 29
	})
	a.resize(30, 5) // too small for the live view: it says so
	a.waitFor("a's view at 30x5", func(s string) bool { return strings.Contains(s, "too small") })
	a.resize(termW, termH)
	ts.shared("a back on the first screen", 1, 3)
	waitBoth(t, "one picture on a and b again", a, b, same)

	a.press("\x1b[D") // ←: on its own
	ts.shared("a on a view of its own", 1, 2)
	a.waitFor("a on its own", func(s string) bool { return strings.Contains(headerRow(s), "on your own") })
	a.press("f")
	ts.clock.waitTimer(t, backAfter) // a's view is plain: its way back is armed
	ts.clock.Advance(backAfter)
	ts.shared("a back on the shared screen", 1, 3)
	waitBoth(t, "one picture on a and b once a follows again", a, b, same)
	if n := a.leftAlt.Load(); n != 0 {
		t.Errorf("a's terminal left the alternate screen %d times on its way off and back on the shared screen: the shell flashed", n)
	}

	b.press("q")
	if err := b.ended(); err != nil {
		t.Fatalf("b's session ended with %v", err)
	}
	if b.emu.IsAltScreen() {
		t.Error("b's terminal was left on the alternate screen")
	}
	ts.shared("b gone", 1, 2)
}

// memberOf is tm's place on a shared screen (nil: none now).
func (ts *testServer) memberOf(tm *term) *member {
	st := ts.session(tm)
	ts.s.mu.Lock()
	defer ts.s.mu.Unlock()
	return st.member
}

// A watcher whose client stops reading holds up neither the screen nor
// the others on it: what it cannot take is dropped once it is a limit
// behind, and when it reads again it gets the whole picture, the one the
// others see.
func TestStalledMemberHoldsUpNobody(t *testing.T) {
	vl := newValveListener(t)
	var log lockedBuffer
	ts := startServer(t, Options{Listener: vl, Log: &log})
	ts.s.screens.limit = 32 << 10
	addr := ts.s.Addr().String()
	ts.electLeader()
	healthy := connect(t, addr, "healthy", newKey(t))
	stalled := connect(t, addr, "stalled", newKey(t))
	ts.shared("both on one screen", 1, 2)
	m := ts.memberOf(stalled)

	vl.of(stalled).out.close()
	for i := 0; m.drops.Load() == 0; i++ {
		if i == 300 {
			t.Fatal("300 s of the lecture and the stalled member's bytes were never dropped")
		}
		ts.advance(time.Second) // would fail if the stalled client held up the cluster
		header := headerClock(ts.s.feed.current().Snapshot().Now)
		healthy.waitFor("the lecture's time "+header, func(s string) bool { return strings.Contains(headerRow(s), header) })
	}
	vl.of(stalled).out.reopen()
	waitBoth(t, "the whole picture on the stalled client", healthy, stalled, same)

	// The log says so when it leaves.
	stalled.Close()
	ts.gone(stalled)
	if !regexp.MustCompile(`disconnect key=` + regexp.QuoteMeta(stalled.fp) + `.* dropped=0 resent=[1-9]`).MatchString(log.String()) {
		t.Errorf("the stalled client's disconnect does not say it was resent the picture:\n%s", log.String())
	}
}

// Past ownAtFullRate watchers on views of their own, the next ones draw
// fewer frames; a teacher's never does.
func TestBusyClassDrawsOwnViewsSlower(t *testing.T) {
	s := &Server{opts: Options{FPS: DefaultFPS}}
	watcher, teacher := &session{role: "watcher"}, &session{role: "teacher", teacher: true}
	for _, tc := range []struct {
		own  int64
		st   *session
		want int
	}{
		{0, watcher, DefaultFPS},
		{ownAtFullRate, watcher, DefaultFPS},
		{ownAtFullRate + 1, watcher, ownBusyFPS},
		{ownAtFullRate + 1, teacher, DefaultFPS},
	} {
		s.ownViews.Store(tc.own)
		if got := s.fps(tc.st); got != tc.want {
			t.Errorf("%d on their own, a %s's view: %d frames a second, want %d", tc.own, tc.st.role, got, tc.want)
		}
	}
}
