// This file is the class's shared screens: the watchers who follow the
// teacher at one size see the same picture, so the server draws it once
// and sends the same bytes to each of them.

package serve

import (
	"bytes"
	"cmp"
	"context"
	"io"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster/scenario"
	sessions "raftty/session"
	"raftty/tui"
)

// Drawing a view is most of what a watcher costs (the layout, then Bubble
// Tea's comparison of every cell with the last frame): 2.5-3.5% of a core
// each at 120x40, so that two cores draw about 60 screens. But most of a
// lecture looks at one moment at one size: every watcher who follows the
// teacher, and has opened nothing of their own, sees what the others of
// that size see. Such a watcher is a member of a shared screen: one live
// view, drawn once a frame, whose output goes, byte for byte, to every
// member. What differs between members is only their answer to the poll
// ("your answer: 2"), so that is part of what a screen is (screenKey), and
// their terminal's colours (screens share the picture and compare it once
// per kind of terminal: output).
//
// A member who presses a key gets a live view of their own (a program, as
// the teacher has), which goes on from the same picture; once that view
// follows the teacher again and shows nothing of its own (tui.Model.Plain),
// the watcher goes back to the shared screen.

// screenKey is what makes two following watchers' screens the same.
type screenKey struct {
	w, h   int
	answer int // to the poll now open or revealed; 0: none
}

// outputKey is a kind of terminal: what the bytes that draw a picture
// depend on beyond the picture.
type outputKey struct {
	profile colorprofile.Profile
	term    string
}

// screens are the lecture's shared screens, by key.
type screens struct {
	s  *Server
	mu sync.Mutex
	on map[screenKey]*screen
	wg sync.WaitGroup // one per screen's program
	// limit is how far a member may fall behind (maxPending if 0: tests
	// make it small).
	limit int
	// restore is what sets a member's terminal back from a screen's
	// modes (every screen is the same live view: it asks for the same).
	restore string
}

// modes is what sets a member's terminal back as it was before its
// screen ("" if no screen was ever made).
func (ss *screens) modes() string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.restore
}

// screen is one shared picture and the members who see it.
type screen struct {
	key    screenKey
	prog   *tea.Program
	cancel context.CancelFunc

	mu      sync.Mutex
	members map[*member]struct{}
	buf     uv.ScreenBuffer
	drawn   bool
	content string
	outs    map[outputKey]*output
	// enter sets a member's terminal to the modes the view asks for.
	enter string
}

// output is a screen's picture for one kind of terminal: the renderer
// that knows what those terminals show, and the bytes of its last frame.
type output struct {
	r   *uv.TerminalRenderer
	buf bytes.Buffer
	// fresh: it has drawn nothing yet, so it must draw the next frame
	// whatever changed.
	fresh bool
}

// maxPending is how far a member's client may fall behind its screen:
// beyond it, the member's bytes are dropped, and it gets a whole picture
// once it reads again (a client that stopped reading costs the screen
// nothing, and holds no more than this).
const maxPending = 1 << 20

// member is a watcher on a shared screen: its own bounded queue of bytes,
// written to its session by its own goroutine, so that a client that stops
// reading holds up no one.
type member struct {
	st  *session
	w   io.Writer
	out outputKey
	// screen and key are where it is (screens.mu); fresh, that it needs
	// a whole picture at the next frame (screen.mu).
	screen *screen
	key    screenKey
	fresh  bool

	mu      sync.Mutex
	pending [][]byte
	queued  int
	limit   int // maxPending, but for tests
	// drops counts the times its bytes were dropped (its client had
	// fallen maxPending behind).
	drops atomic.Int64
	wake  chan struct{}
	quit  chan struct{}
	done  chan struct{}
}

func (ss *screens) newMember(st *session, w io.Writer, out outputKey) *member {
	m := &member{st: st, w: w, out: out, fresh: true, limit: cmp.Or(ss.limit, maxPending),
		wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go m.write()
	return m
}

// send queues bytes for the member's client; false if they would take it
// beyond maxPending, and then everything queued is dropped.
func (m *member) send(b []byte) bool {
	m.mu.Lock()
	if m.queued+len(b) > m.limit {
		clear(m.pending)
		m.pending, m.queued = m.pending[:0], 0
		m.mu.Unlock()
		m.drops.Add(1)
		return false
	}
	m.pending = append(m.pending, b)
	m.queued += len(b)
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
	return true
}

// write sends the member's bytes to its client until stopped; a write
// that fails (the connection is gone) ends it.
func (m *member) write() {
	defer close(m.done)
	for {
		select {
		case <-m.quit:
			return
		case <-m.wake:
		}
		m.mu.Lock()
		chunks := m.pending
		m.pending, m.queued = nil, 0
		m.mu.Unlock()
		for _, c := range chunks {
			if _, err := m.w.Write(c); err != nil {
				return
			}
		}
	}
}

// stop ends the member's writer, once what it is writing is written.
func (m *member) stop() {
	close(m.quit)
	<-m.done
}

// join puts a member on the screen of key k, made if there is none.
func (ss *screens) join(m *member, k screenKey) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.joinLocked(m, k)
}

func (ss *screens) joinLocked(m *member, k screenKey) {
	sc := ss.on[k]
	if sc == nil {
		sc = ss.open(k)
		ss.on[k] = sc
	}
	sc.mu.Lock()
	sc.members[m] = struct{}{}
	m.screen, m.key, m.fresh = sc, k, true
	sc.mu.Unlock()
	ss.s.changed()
}

// leave takes a member off its screen; a screen nobody sees ends.
func (ss *screens) leave(m *member) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.leaveLocked(m)
}

func (ss *screens) leaveLocked(m *member) {
	sc := m.screen
	if sc == nil {
		return
	}
	m.screen = nil
	sc.mu.Lock()
	delete(sc.members, m)
	empty := len(sc.members) == 0
	sc.mu.Unlock()
	if empty {
		delete(ss.on, sc.key)
		sc.cancel()
	}
	ss.s.changed()
}

// move puts a member on the screen of key k, if it is not there.
func (ss *screens) move(m *member, k screenKey) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if m.key == k && m.screen != nil {
		return
	}
	ss.leaveLocked(m)
	ss.joinLocked(m, k)
}

// regroup moves every member whose answer to the poll changed to the
// screen that says it.
func (ss *screens) regroup() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	var moved []*member
	for _, sc := range ss.on {
		sc.mu.Lock()
		for m := range sc.members {
			if ss.s.class.answerOf(m.st) != m.key.answer {
				moved = append(moved, m)
			}
		}
		sc.mu.Unlock()
	}
	for _, m := range moved {
		k := m.key
		k.answer = ss.s.class.answerOf(m.st)
		ss.leaveLocked(m)
		ss.joinLocked(m, k)
	}
}

// programs are the screens' programs, to wake.
func (ss *screens) programs() []*tea.Program {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ps := make([]*tea.Program, 0, len(ss.on))
	for _, sc := range ss.on {
		ps = append(ps, sc.prog)
	}
	return ps
}

// count is how many screens there are and how many watchers they serve.
func (ss *screens) count() (screens, members int) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for _, sc := range ss.on {
		sc.mu.Lock()
		members += len(sc.members)
		sc.mu.Unlock()
	}
	return len(ss.on), members
}

// open makes the screen of key k and starts its program; ss.mu is held.
func (ss *screens) open(k screenKey) *screen {
	s := ss.s
	ui := s.opts.UI
	s.mu.Lock()
	ui.Script = s.script
	s.mu.Unlock()
	v := s.feed.newViewer(false)
	m := sessions.Viewer(v, ui, tui.Options{
		Status:   watcherStatus,
		Restart:  func(string) (tui.Cluster, *scenario.Script, error) { return nil, nil, ErrWatching },
		Class:    seat{c: s.class, answer: k.answer},
		Watching: true, Follow: true, NoSave: watcherSaving,
	})
	sc := &screen{key: k, members: map[*member]struct{}{},
		buf: uv.NewScreenBuffer(k.w, k.h), outs: map[outputKey]*output{}}
	sc.enter, ss.restore = terminalModes(m.View())
	ctx, cancel := context.WithCancel(s.quit)
	sc.cancel = cancel
	sc.prog = tea.NewProgram(screenModel{lectureView: lectureView{Model: m, v: v, s: s}, sc: sc, every: time.Second / time.Duration(s.opts.FPS)},
		tea.WithContext(ctx), tea.WithoutRenderer(), tea.WithInput(nil), tea.WithOutput(io.Discard),
		tea.WithWindowSize(k.w, k.h), tea.WithoutSignalHandler())
	ss.wg.Add(1)
	go func() {
		defer ss.wg.Done()
		_, _ = sc.prog.Run() // ends killed, when its last member leaves or the server stops
	}()
	return sc
}

// screenModel is a shared screen's program: the lecture's live view, and a
// frame clock that paints it for the members.
type screenModel struct {
	lectureView
	sc    *screen
	every time.Duration
}

// paintMsg is a shared screen's frame.
type paintMsg struct{}

func (m screenModel) Init() tea.Cmd { return tea.Batch(m.lectureView.Init(), m.nextPaint()) }

func (m screenModel) nextPaint() tea.Cmd {
	return tea.Tick(m.every, func(time.Time) tea.Msg { return paintMsg{} })
}

func (m screenModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(paintMsg); ok {
		m.sc.paint(m.Model.View().Content)
		return m, m.nextPaint()
	}
	_, cmd := m.lectureView.Update(msg)
	return m, cmd
}

// View is empty: the program has no renderer of its own (paint draws).
func (m screenModel) View() tea.View { return tea.View{} }

// paint draws the picture, if it changed, for each kind of terminal its
// members have, and queues each member the bytes that take its terminal
// there: the change since the last frame, or the whole picture to a
// member who has just joined (or fell behind).
func (sc *screen) paint(content string) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if len(sc.members) == 0 {
		return
	}
	changed := !sc.drawn || content != sc.content
	if changed {
		sc.content, sc.drawn = content, true
		sc.buf.Clear()
		uv.NewStyledString(content).Draw(sc.buf, sc.buf.Bounds())
	}
	frames := map[outputKey][]byte{}
	wholes := map[outputKey][]byte{}
	for m := range sc.members {
		o := sc.outs[m.out]
		if o == nil {
			o = newOutput(m.out, sc.key)
			sc.outs[m.out] = o
		}
		frame, ok := frames[m.out]
		if !ok {
			frame = o.render(sc.buf, changed)
			frames[m.out] = frame
		}
		if m.fresh {
			whole, ok := wholes[m.out]
			if !ok {
				whole = sc.whole(m.out, o)
				wholes[m.out] = whole
			}
			m.fresh = !m.send(whole)
			continue
		}
		if len(frame) > 0 && !m.send(frame) {
			m.fresh = true
		}
	}
}

// newOutput makes a screen's output for one kind of terminal, full screen
// (the live view is on the alternate screen).
func newOutput(k outputKey, sk screenKey) *output {
	o := &output{fresh: true}
	o.r = newRenderer(&o.buf, k, sk)
	return o
}

func newRenderer(w io.Writer, k outputKey, sk screenKey) *uv.TerminalRenderer {
	r := uv.NewTerminalRenderer(w, []string{"TERM=" + k.term})
	r.SetColorProfile(k.profile)
	r.SetTabStops(-1)
	// An SSH session without a real terminal writes \n as \r\n (Bubble
	// Tea sets the same for a program without a terminal of its own).
	r.SetMapNewline(true)
	r.SetScrollOptim(true)
	r.SetFullscreen(true)
	r.SetRelativeCursor(false)
	r.Resize(sk.w, sk.h)
	r.Erase()
	return r
}

// render is this frame's bytes for this kind of terminal: what changed
// since the last frame (nothing if the picture did not change, unless the
// output has drawn nothing yet).
func (o *output) render(buf uv.ScreenBuffer, changed bool) []byte {
	if !changed && !o.fresh {
		return nil
	}
	o.fresh = false
	touchAll(buf)
	o.r.Render(buf.RenderBuffer)
	_ = o.r.Flush() // into o.buf
	b := bytes.Clone(o.buf.Bytes())
	o.buf.Reset()
	return b
}

// whole is the bytes that take a terminal of kind k, whatever it shows,
// to the picture as o has just drawn it, its cursor where o's is: the
// terminal modes the view asks for, and every cell.
//
// It is one synchronized update: a terminal that knows the mode shows the
// picture at once, not the cleared screen it starts from; one that does
// not ignores it, as terminals ignore modes they do not know.
func (sc *screen) whole(k outputKey, o *output) []byte {
	var b bytes.Buffer
	b.WriteString(ansi.SetModeSynchronizedOutput + sc.enter)
	r := newRenderer(&b, k, sc.key)
	touchAll(sc.buf)
	r.Render(sc.buf.RenderBuffer)
	r.MoveTo(o.r.Position())
	_ = r.Flush()
	b.WriteString(ansi.ResetModeSynchronizedOutput)
	return b.Bytes()
}

// touchAll marks every line of buf as one to compare: each renderer
// compares the picture with what its own terminals show.
func touchAll(buf uv.ScreenBuffer) {
	for y := range buf.Height() {
		buf.TouchLine(0, y, buf.Width())
	}
}

// terminalModes are the sequences that set a terminal to the modes a view
// asks for (enter) and back (leave), as Bubble Tea does for a program of
// its own.
func terminalModes(v tea.View) (enter, leave string) {
	if v.AltScreen {
		enter += ansi.SetModeAltScreenSaveCursor
	}
	enter += ansi.HideCursor
	leave += ansi.ShowCursor
	switch v.MouseMode {
	case tea.MouseModeCellMotion:
		enter += ansi.SetModeMouseButtonEvent + ansi.SetModeMouseExtSgr
	case tea.MouseModeAllMotion:
		enter += ansi.SetModeMouseAnyEvent + ansi.SetModeMouseExtSgr
	}
	if v.MouseMode != tea.MouseModeNone {
		leave += ansi.ResetModeMouseButtonEvent + ansi.ResetModeMouseAnyEvent + ansi.ResetModeMouseExtSgr
	}
	if !v.DisableBracketedPasteMode {
		enter += ansi.SetModeBracketedPaste
		leave += ansi.ResetModeBracketedPaste
	}
	if v.WindowTitle != "" {
		enter += ansi.SetWindowTitle(v.WindowTitle)
		leave += ansi.SetWindowTitle("")
	}
	if v.AltScreen {
		leave += ansi.ResetModeAltScreenSaveCursor
	}
	return enter, leave
}
