// This file is the lecture: its cluster, the teacher's lesson switch, and
// how every view follows the teacher (the feed is in feed.go).

package serve

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"raftty/cluster"
	"raftty/cluster/scenario"
	sessions "raftty/session"
	"raftty/tui"
)

// startLecture starts a lecture cluster playing script.
func (s *Server) startLecture(cfg cluster.Config, script *scenario.Script) (*cluster.Live, error) {
	// As the live view starts one: a lesson opens paused, votes fly in
	// slow motion, and the player says the scenario's explanation.
	lo := sessions.LiveOptions(s.opts.UI, script, s.opts.Live)
	live, err := cluster.StartLive(context.Background(), cfg, lo)
	if err != nil && live != nil {
		live.Stop()
	}
	return live, err
}

// switchLesson is the teacher's s: the lecture restarts with a built-in
// scenario, on a fresh cluster, for everyone. It runs in the teacher's
// program; the other views switch when their programs get lessonMsg.
func (s *Server) switchLesson(teacher *session, name string) (tui.Cluster, *scenario.Script, error) {
	script, err := scenario.Load(name)
	if err != nil {
		return nil, nil, err
	}
	cfg := s.opts.UI.Config
	script.Configure(&cfg, nil) // as the live view's s does: the file's header sets up the cluster
	next, err := s.startLecture(cfg, script)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	if s.closing {
		// The server stopped while the lesson started: stop() stops the
		// lecture it finds, so this one must not take its place.
		s.mu.Unlock()
		next.Stop()
		return nil, nil, cluster.ErrStopped
	}
	old := s.feed.swap(next, script)
	s.script = script
	var others []*tea.Program
	for _, st := range s.sessions {
		if st != teacher && st.program != nil {
			others = append(others, st.program)
		}
	}
	s.mu.Unlock()
	others = append(others, s.screens.programs()...)
	old.Stop()
	s.log.Info("lesson", "scenario", script.Name, "by", teacher.fp)
	for _, p := range others {
		// Send waits for the program to take it (or to end): a stalled
		// view must not hold up the teacher.
		go p.Send(lessonMsg{})
	}
	teacher.viewer.adopt()
	return teacher.viewer, script, nil
}

// lectureModel makes the session's view of the lecture, on a viewer of
// its own.
func (s *Server) lectureModel(st *session, ahead int, ended <-chan struct{}) lectureView {
	v := s.feed.newViewer(st.teacher)
	status := watcherStatus
	if st.teacher {
		status = "teacher: what you do, every viewer sees (key " + st.fp + ")"
	}
	ui := s.opts.UI
	s.mu.Lock()
	ui.Script = s.script
	s.mu.Unlock()
	view := tui.Options{Status: status, Restart: func(name string) (tui.Cluster, *scenario.Script, error) {
		if !st.teacher {
			return nil, nil, ErrWatching
		}
		return s.switchLesson(st, name)
	}, Class: seat{c: s.class, st: st}, Watching: !st.teacher, Follow: !st.teacher}
	switch {
	case !st.teacher:
		view.NoSave = watcherSaving
	case s.opts.SaveDir == "":
		view.NoSave = s.opts.SaveOff
	default:
		view.SaveDir = s.opts.SaveDir
	}
	m := sessions.Viewer(v, ui, view)
	s.mu.Lock()
	st.viewer, st.model = v, m
	s.mu.Unlock()
	st.following.Store(m.Following())
	s.nudge(v) // the teacher's count, which a paused lecture would not redraw
	lv := lectureView{Model: m, v: v, s: s, st: st}
	if s.shares(st) {
		lv.back = &goingBack{s: s, st: st, after: s.opts.backAfter, ahead: ahead, ended: ended}
	}
	return lv
}

// watcherStatus is a watcher's first status line, on a shared screen and
// off it. (It does not name the watcher's key, which a shared screen cannot,
// and which the server's log does.)
const watcherStatus = "watching: you follow the teacher (← goes your own way, f follows again)"

// lessonMsg wakes a view when the teacher started another lesson; the view
// finds the lesson itself (viewer.behind), so a view that misses it still
// follows at its next message.
type lessonMsg struct{}

// lectureView is a lecture's view: the live view, which also follows the
// teacher to another lesson.
type lectureView struct {
	*tui.Model
	v  *viewer
	s  *Server
	st *session // nil: a shared screen
	// back takes a watcher's own view back to the shared screen (nil:
	// never; a teacher's view, or a class that shares none).
	back *goingBack
}

func (m lectureView) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if behind, script := m.v.behind(); behind && script != nil {
		// lessonMsg says so; any message will do for a view that missed it.
		m.v.adopt()
		m.SwitchTo(m.v, script)
		m.SetStatus("the teacher started scenario " + script.Name)
	}
	if b, ok := msg.(backMsg); ok {
		return m, m.back.due(b, m)
	}
	if m.back != nil && m.back.hold(msg, m) {
		return m, nil
	}
	// Every message goes through the live view's Update, lessonMsg and
	// nudgeMsg too (it ignores them): a view that draws only when something
	// changed, and sleeps while the cluster is paused, learns that
	// something did.
	_, cmd := m.Model.Update(msg)
	switch {
	case m.st == nil:
		// A shared screen (screen.go): nobody's own.
	case m.st.teacher:
		// Where the teacher looks, every following view looks.
		if m.s.class.follow(m.Cursor()) {
			m.s.nudge(m.v)
		}
	default:
		if f := m.Following(); f != m.st.following.Load() {
			m.st.following.Store(f)
			m.s.nudge(m.v) // the teacher's count
		}
		if m.back != nil {
			cmd = tea.Batch(cmd, m.back.note(msg, m), m.back.release(m))
		}
	}
	return m, cmd
}

// goingBack takes a watcher's own view back to its size's shared screen
// (screen.go) once it has been plain for a while: long enough to read what
// its person's last key said (a refusal, a status line), short enough that
// a class that pressed ? once costs the server no more than before.
type goingBack struct {
	s     *Server
	st    *session
	after time.Duration
	ended <-chan struct{} // closed when the view's program has ended
	// gen counts the person's keys and clicks; armed: a backMsg of gen is
	// on its way. ahead is how many came before the view did (those that
	// took the watcher off its shared screen): none of them may be lost to
	// a way back armed before they arrive.
	gen   int
	ahead int
	armed bool
	// held are those keys while the view is on its way to where the
	// teacher looks (a step's moment being rebuilt): the first ← of a
	// watcher is one move from the moment it saw, not from wherever the
	// view happened to be.
	held []tea.Msg
}

// hold keeps the key or click that took the watcher off its shared screen
// until the view has reached the teacher's moment, and any after it until
// then; it reports whether it kept msg.
func (b *goingBack) hold(msg tea.Msg, m lectureView) bool {
	if !isInput(msg) || (len(b.held) == 0 && (b.gen >= b.ahead || m.Settled())) {
		return false // (once one is held, those after it wait their turn)
	}
	b.held = append(b.held, msg)
	return true
}

// release gives the view the keys held, once it has reached the teacher's
// moment.
func (b *goingBack) release(m lectureView) tea.Cmd {
	if len(b.held) == 0 || !m.Settled() {
		return nil
	}
	held := b.held
	b.held = nil
	cmds := make([]tea.Cmd, 0, len(held))
	for _, msg := range held {
		cmds = append(cmds, func() tea.Msg { return msg })
	}
	return tea.Sequence(cmds...)
}

// isInput reports whether msg is a person's key, click or paste.
func isInput(msg tea.Msg) bool {
	switch msg.(type) {
	case tea.KeyPressMsg, tea.MouseClickMsg, tea.MouseWheelMsg, tea.PasteMsg:
		return true
	}
	return false
}

// backMsg says that a watcher's view may go back to its shared screen, if
// nothing came from its person since gen.
type backMsg struct{ gen int }

// note counts the person's keys and clicks, and arms the way back when the
// view is plain.
func (b *goingBack) note(msg tea.Msg, m lectureView) tea.Cmd {
	if isInput(msg) {
		b.gen++
		b.armed = false
	}
	if b.armed || b.gen < b.ahead || !m.Plain() {
		return nil
	}
	b.armed = true
	gen, clock, after, ended := b.gen, b.s.clock, b.after, b.ended
	// On the server's clock (tests move it), and never outliving the
	// program.
	return func() tea.Msg {
		fired := make(chan struct{})
		t := clock.AfterFunc(after, func() { close(fired) })
		defer t.Stop()
		select {
		case <-fired:
			return backMsg{gen}
		case <-ended:
			return nil
		}
	}
}

// due goes back if the view is still plain and its person did nothing
// since the way back was armed: the program quits, its last writes
// withheld (the shared screen repaints the whole terminal).
func (b *goingBack) due(msg backMsg, m lectureView) tea.Cmd {
	b.armed = false
	if msg.gen != b.gen || !m.Plain() {
		return b.note(nil, m)
	}
	b.st.back.Store(true)
	return tea.Quit
}

// nudgeMsg tells a view that the teacher changed the lecture.
type nudgeMsg struct{}

// nudge wakes every view but the one that acted (whose command's answer
// wakes it), after a teacher's action.
func (s *Server) nudge(except *viewer) {
	s.mu.Lock()
	var ps []*tea.Program
	for _, st := range s.sessions {
		if st.viewer != nil && st.viewer != except && st.program != nil {
			ps = append(ps, st.program)
		}
	}
	s.mu.Unlock()
	ps = append(ps, s.screens.programs()...)
	for _, p := range ps {
		go p.Send(nudgeMsg{}) // a stalled view must not hold up the teacher
	}
}
