// This file is a session's views, one after another: a watcher of a
// lecture starts on its size's shared screen (screen.go) and gets a live
// view of its own when it presses a key; a teacher, and everyone in a lab,
// has one of their own from the start.

package serve

import (
	"io"
	"sync/atomic"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/ssh"
	uv "github.com/charmbracelet/ultraviolet"
	gossh "golang.org/x/crypto/ssh"

	"raftty/tui"
)

// terminal is a session's terminal: what it sends (input events, window
// changes), its size, and what it can show.
type terminal struct {
	sess   ssh.Session
	env    []string
	term   string
	size   ssh.Window
	events chan uv.Event
	// winch gives the window's size at the start and at every change;
	// it is closed when the client's requests end.
	winch <-chan ssh.Window
}

// output is the kind of terminal it is, for a shared screen.
func (t *terminal) output(noColor bool) outputKey {
	k := outputKey{profile: colorprofile.Env(t.env), term: t.term}
	if noColor {
		k.profile = colorprofile.Ascii
	}
	return k
}

// shares reports whether a session's watcher goes on a shared screen when
// it follows the teacher: a watcher of a lecture, unless the server gives
// everyone a program of their own.
func (s *Server) shares(st *session) bool {
	return !s.opts.Lab && !st.teacher && !s.opts.ownScreens
}

// views runs the session's views until it ends. It takes the place of the
// wish middleware that runs one Bubble Tea program per session.
func (s *Server) views(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		defer next(sess)
		s.mu.Lock()
		st := s.sessions[sess]
		s.mu.Unlock()
		if st == nil {
			return
		}
		pty, winch, _ := sess.Pty()
		t := &terminal{sess: sess, env: append(sess.Environ(), "TERM="+pty.Term), term: pty.Term,
			size: pty.Window, winch: winch, events: readEvents(sess, pty.Term)}
		if conn, ok := sess.Context().Value(ssh.ContextKeyConn).(gossh.Conn); ok && st.conn != nil {
			st.conn.heard.Store(s.clock.Now().UnixNano())
			st.unwatch = s.watchIdle(st.conn, conn, st)
		}
		shared := s.shares(st)
		var first []tea.Msg
		for st.ctx.Err() == nil {
			if shared {
				var quit bool
				if first, quit = s.watchScreen(st, t); quit {
					return
				}
			}
			if !s.runProgram(st, t, first) {
				return
			}
			shared, first = true, nil
		}
	}
}

// readEvents turns the session's input into events until the input ends.
//
// No program is given input of its own: Bubble Tea's input reader
// (ultraviolet's TerminalReader.StreamEvents) hands every event to the
// program's event loop with a send that nothing cancels, so bytes that arrive
// as the program ends (a second q) would block that goroutine for good, one
// per session, for as long as the server runs. Here the same reader feeds a
// channel that the session's views always drain while the session lasts.
// (Without input of its own a program sends no terminal queries, which the
// live view does not use.)
func readEvents(sess ssh.Session, term string) chan uv.Event {
	events := make(chan uv.Event)
	go func() {
		defer close(events)
		_ = uv.NewTerminalReader(sess, term).StreamEvents(sess.Context(), events)
	}()
	return events
}

// runProgram runs a live view of the session's own, first given msgs (the
// key that took a watcher off its shared screen), until its person quits,
// the session ends, or (a watcher) it goes back to its shared screen: true
// then.
func (s *Server) runProgram(st *session, t *terminal, msgs []tea.Msg) (back bool) {
	if s.shares(st) {
		// A watcher on its own, for as long as this view lasts.
		s.ownViews.Add(1)
		defer s.ownViews.Add(-1)
	}
	ended := make(chan struct{})
	p := s.program(st, t, countInput(msgs), ended)
	if p == nil {
		return false
	}
	forwarded := make(chan struct{})
	go func() {
		defer close(forwarded)
		s.forward(st, t, p, msgs, ended)
	}()
	_, _ = p.Run()
	p.Kill()
	close(ended)
	<-forwarded
	s.mu.Lock()
	st.program = nil
	s.mu.Unlock()
	return st.back.Swap(false) && st.ctx.Err() == nil
}

// forward gives the program the session's input until it ends, and quits
// it when the session ends.
func (s *Server) forward(st *session, t *terminal, p *tea.Program, msgs []tea.Msg, ended <-chan struct{}) {
	for _, msg := range msgs {
		p.Send(msg)
	}
	for {
		select {
		case <-ended:
			return
		case <-st.ctx.Done():
			p.Quit()
			return
		case ev, ok := <-t.events:
			if !ok {
				t.events = nil // the client sends no more: the session is ending
				continue
			}
			p.Send(ev)
		case w, ok := <-t.winch:
			if !ok {
				t.winch = nil // the client's requests ended: so is the session
				continue
			}
			t.size = w
			p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
		}
	}
}

// program makes the session's Bubble Tea program: a viewer of the lecture,
// or a private cluster in a lab. Its output stops once the view is going
// back to its shared screen (st.back).
func (s *Server) program(st *session, t *terminal, ahead int, ended <-chan struct{}) *tea.Program {
	var model tea.Model
	if s.opts.Lab {
		m, err := s.labModel(st)
		if err != nil {
			s.log.Error("lab cluster", "key", st.fp, "err", err)
			_, _ = io.WriteString(t.sess.Stderr(), "raftty: "+err.Error()+"\r\n")
			return nil
		}
		model = m
	} else {
		model = s.lectureModel(st, ahead, ended)
	}
	out := &gateWriter{w: t.sess, off: &st.back}
	opts := []tea.ProgramOption{
		tea.WithOutput(out), tea.WithInput(nil), tea.WithEnvironment(t.env),
		tea.WithWindowSize(t.size.Width, t.size.Height), tea.WithColorProfile(colorprofile.Env(t.env)),
		tea.WithFPS(s.fps(st)),
		// A session cannot be suspended (ctrl+z): it resumes at once.
		tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			if _, ok := msg.(tea.SuspendMsg); ok {
				return tea.ResumeMsg{}
			}
			return msg
		}),
	}
	opts = append(opts, tui.SessionProgramOptions(s.opts.UI.NoColor)...)
	p := tea.NewProgram(model, opts...)
	s.mu.Lock()
	st.program = p
	s.mu.Unlock()
	return p
}

// countInput is how many of msgs are a person's keys and clicks, as the
// program will see them.
func countInput(msgs []tea.Msg) int {
	n := 0
	for _, msg := range msgs {
		switch msg.(type) {
		case uv.KeyPressEvent, uv.MouseClickEvent, uv.MouseWheelEvent, uv.PasteEvent:
			n++
		}
	}
	return n
}

// A watcher's view of its own costs what a watcher cost before shared
// screens: 2.5-3.5% of a core at 15 frames a second. Past ownAtFullRate of
// them at once, the next ones draw ownBusyFPS frames a second, so that a
// class that all went its own way at once leaves the teacher's view and the
// shared screens room to run.
const (
	ownAtFullRate = 40
	ownBusyFPS    = 5
)

// fps is how many frames a second the session's new view draws.
func (s *Server) fps(st *session) int {
	if s.shares(st) && s.ownViews.Load() > ownAtFullRate {
		return min(s.opts.FPS, ownBusyFPS)
	}
	return s.opts.FPS
}

// gateWriter is a program's output, which can be turned off: a view that
// goes back to its shared screen writes nothing once it has decided to
// (not its last frame, not the sequences that restore the terminal as it
// quits), so the terminal stays as it is (the alternate screen, the mouse
// on) for the screen to repaint, without a flash of the shell between.
type gateWriter struct {
	w   io.Writer
	off *atomic.Bool
}

func (g *gateWriter) Write(b []byte) (int, error) {
	if g.off.Load() {
		return len(b), nil
	}
	return g.w.Write(b)
}

// watchScreen puts a watcher on its shared screen until it leaves: with
// the key or click that takes it to a view of its own (msgs), or because
// the session ends or its person quits (quit; the terminal is restored).
func (s *Server) watchScreen(st *session, t *terminal) (msgs []tea.Msg, quit bool) {
	m := s.screens.newMember(st, t.sess, t.output(s.opts.UI.NoColor))
	key := func() screenKey {
		// (A window reported as 0 wide or high is drawn as 1.)
		return screenKey{w: max(t.size.Width, 1), h: max(t.size.Height, 1), answer: s.class.answerOf(st)}
	}
	st.following.Store(true)
	s.mu.Lock()
	st.member = m
	s.mu.Unlock()
	s.screens.join(m, key())
	s.nudge(nil) // the teacher's count
	leave := func() {
		s.screens.leave(m)
		m.stop()
		st.resent.Add(m.drops.Load())
		s.mu.Lock()
		st.member = nil
		s.mu.Unlock()
	}
	for {
		select {
		case <-st.ctx.Done():
			leave()
			s.restore(t)
			return nil, true
		case w, ok := <-t.winch:
			if !ok {
				t.winch = nil
				continue
			}
			t.size = w
			s.screens.move(m, key())
		case ev, ok := <-t.events:
			if !ok {
				t.events = nil
				continue
			}
			switch s.onScreenInput(st, ev) {
			case inputQuit:
				leave()
				s.restore(t)
				return nil, true
			case inputOwn:
				leave()
				return []tea.Msg{ev}, false
			}
		}
	}
}

// restore sets the terminal back as the view found it (Bubble Tea does so
// for a program of its own), after the member's last bytes.
func (s *Server) restore(t *terminal) {
	if leave := s.screens.modes(); leave != "" {
		_, _ = io.WriteString(t.sess, leave)
	}
}

// What a shared screen does with an event from a member's terminal.
const (
	inputNone = iota // nothing: the screen goes on
	inputQuit        // the person quits
	inputOwn         // a view of their own takes it
)

// onScreenInput is what an event from a member's terminal does: q quits,
// a digit answers the poll while one is open (the member moves to the
// screen that says its answer), any other key or click takes the watcher
// to a view of their own.
func (s *Server) onScreenInput(st *session, ev uv.Event) int {
	switch ev := ev.(type) {
	case uv.KeyPressEvent:
		k := ev.String()
		switch {
		case k == "q" || k == "ctrl+c":
			return inputQuit
		case len(k) == 1 && k[0] >= '1' && k[0] <= '9' && s.class.pollOpen():
			_ = seat{c: s.class, st: st}.Answer(int(k[0] - '0'))
			return inputNone
		}
		return inputOwn
	case uv.MouseClickEvent, uv.MouseWheelEvent:
		return inputOwn
	}
	return inputNone
}
