// This file is the session middleware (gate: who may have a session, and
// what a session is) and the program each session runs.

package serve

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/wish/v2"
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	sessions "raftty/session"
	"raftty/tui"
)

// session is one SSH session's state.
type session struct {
	fp      string
	role    string
	teacher bool
	conn    *countedConn    // the connection it came on
	ctx     context.Context // ends with the session
	viewer  *viewer         // lecture
	stop    func()          // lab: stops the private cluster
	model   *tui.Model
	// end ends the session (its ctx): the client is idle, or the server
	// stops. unwatch stops the idle watch, and idled says the session
	// ended for being idle.
	end     context.CancelFunc
	unwatch func()
	idled   atomic.Bool
	// following: a watcher whose view follows the teacher (the teacher's
	// header counts them). back: the watcher's own view quit to go back
	// to its shared screen (screen.go).
	following atomic.Bool
	back      atomic.Bool
	// resent counts the times its client fell so far behind a shared
	// screen that it was sent the whole picture again.
	resent atomic.Int64
	// viewer, model, stop and program are set under Server.mu once the
	// program is made (tests and lesson switches read them); program is
	// nil while the session is on a shared screen, and member is its place
	// there.
	program *tea.Program
	member  *member
}

// gate runs around every session: it refuses what raftty does not serve
// (commands, subsystems, no terminal, a full class, a server shutting
// down), logs the connect and disconnect with the key's fingerprint, and
// counts the session while it lasts.
func (s *Server) gate(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		cc, _ := sess.Context().Value(connKey{}).(*countedConn)
		if cc != nil {
			cc.inSession.Store(true)
		}
		key := sess.PublicKey()
		fp := "none"
		if key != nil {
			fp = gossh.FingerprintSHA256(key)
		}
		remote := sess.RemoteAddr().String()
		refuse := func(why, msg string) {
			s.log.Info("refused", "key", fp, "remote", remote, "why", why)
			wish.Fatalln(sess, "raftty: "+msg)
		}
		if len(sess.Command()) > 0 || sess.Subsystem() != "" {
			refuse("asked for a command", "there are no commands here; connect with plain ssh, no command")
			return
		}
		pty, _, ok := sess.Pty()
		if !ok {
			refuse("no terminal", "the live view needs a terminal: connect with ssh -t")
			return
		}
		st := &session{fp: fp, conn: cc}
		switch {
		case s.opts.Lab:
			st.role = "lab"
		case key != nil && s.isTeacher(key):
			st.role, st.teacher = "teacher", true
		default:
			st.role = "watcher"
		}
		s.mu.Lock()
		switch {
		case s.closing:
			s.mu.Unlock()
			refuse("shutting down", "the server is shutting down")
			return
		case len(s.sessions) >= s.opts.MaxSessions && !st.teacher:
			// A full class never locks the teacher out of the lecture.
			s.mu.Unlock()
			refuse("full", fmt.Sprintf("the class is full (%s); try again later", plural(s.opts.MaxSessions, "session")))
			return
		}
		s.sessions[sess] = st
		if st.teacher {
			s.teachers.Add(1)
		}
		s.wg.Add(1)
		s.mu.Unlock()
		s.changed()
		ctx, cancel := context.WithCancel(context.Background())
		st.ctx, st.end = ctx, cancel
		// At shutdown the session ends as if the user had pressed q, which
		// restores the student's terminal; so it does when its client goes.
		unhook := context.AfterFunc(s.quit, cancel)
		unsess := context.AfterFunc(sess.Context(), cancel)
		defer func() {
			cancel()
			unhook()
			unsess()
			if st.unwatch != nil {
				st.unwatch()
			}
			if st.stop != nil {
				st.stop()
			}
			s.mu.Lock()
			delete(s.sessions, sess)
			if st.teacher {
				s.teachers.Add(-1)
			}
			s.mu.Unlock()
			if s.class != nil {
				s.class.forget(st)
				s.nudge(nil) // the teacher's count and tally, paused or not
			}
			s.wg.Done()
			s.changed()
		}()
		start := s.clock.Now()
		s.log.Info("connect", "key", fp, "role", st.role, "remote", remote,
			"term", pty.Term, "size", fmt.Sprintf("%dx%d", pty.Window.Width, pty.Window.Height))
		next(sess)
		if st.model != nil {
			// A recording still running when the view ended (the teacher
			// left, the server stops) is finished, its file complete.
			st.model.EndRecording()
		}
		attrs := []any{"key", fp, "role", st.role, "remote", remote, "after", s.clock.Now().Sub(start).Round(time.Millisecond)}
		// Events its views lost (its own views': a shared screen's are the
		// screen's), and, on a shared screen, the times its client fell so
		// far behind that it was sent the whole picture again.
		var dropped int64
		if st.viewer != nil {
			dropped = st.viewer.dropped.Load()
		}
		attrs = append(attrs, "dropped", dropped)
		if s.shares(st) {
			attrs = append(attrs, "resent", st.resent.Load())
		}
		s.log.Info("disconnect", attrs...)
		switch {
		case s.quit.Err() != nil:
			wish.Println(sess, "raftty: the server is shutting down; the lesson is over\r")
		case st.idled.Load():
			wish.Println(sess, fmt.Sprintf("raftty: closed: nothing came from your ssh for %v (no key, no answer to keepalives); ssh again to go on\r", s.opts.IdleTimeout))
		}
	}
}

// labModel starts the session's private cluster and its live view.
func (s *Server) labModel(st *session) (*tui.Model, error) {
	ui := s.opts.UI
	if s.opts.SeedPerSession {
		ui.Config.Seed = rand.Uint64() % 1_000_000
	}
	m, stop, err := sessions.StartLocal(st.ctx, ui, tui.Options{
		Status: "your own cluster: break it as you like (? lists the keys)", NoSave: noSaving,
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	st.stop, st.model = stop, m
	s.mu.Unlock()
	return m, nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// What w and :write say to those who may not save: the file would be
// written on the server's disk, by whoever holds a key. (A teacher saves in
// the server's SaveDir, if it has one.)
const (
	noSaving      = "saving is off in a lab (the file would be written on the server); run raftty on your own machine to save a session"
	watcherSaving = "watching: only the teacher saves, on the server; run raftty on your own machine to save a session"
)
