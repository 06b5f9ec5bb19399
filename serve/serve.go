// Package serve is `raftty serve`: the live view over SSH, for a class. It
// is part of raftty's command line (DESIGN.md: nothing but the command line
// imports tui), split off because an SSH server has jobs of its own:
// authentication, sessions, limits, fan-out.
//
// In a lecture (the default) the server runs one cluster and every SSH
// session gets its own live view of it: its own size, selection, zoom and
// panels, fed on its own bounded window of the event stream (see feed).
// Sessions whose key is in the teacher keys may change the cluster; every
// other session watches. In a lab every session gets a private cluster of its
// own, which ends with the session.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/ssh"
	uv "github.com/charmbracelet/ultraviolet"
	gossh "golang.org/x/crypto/ssh"

	"raftty/cluster"
	"raftty/cluster/scenario"
	sessions "raftty/session"
	"raftty/tui"
)

// Defaults.
const (
	DefaultListen = "127.0.0.1:2222"
	// DefaultMaxSessions fits a 2-core machine with room to spare: a
	// watching viewer costs 2-3.5% of a core and about 3 MB at 120x40 (see
	// BenchmarkWatchers and the README), so 50 take one to one and a
	// quarter of the two cores.
	DefaultMaxSessions = 50
	// DefaultFPS redraws a session's screen at most 15 times a second:
	// smooth enough for a cluster in slow motion, and half of what a local
	// live view draws.
	DefaultFPS = 15
	// DefaultIdleTimeout closes a connection on which nothing moved either
	// way for this long: a stalled or vanished client. A paused lesson
	// sends nothing; ssh -o ServerAliveInterval=60 keeps a student in.
	DefaultIdleTimeout = 15 * time.Minute
	// handshakeTimeoutDefault is how long a connection has to open its terminal
	// session; it bounds how long a silent connection holds a place.
	handshakeTimeoutDefault = 30 * time.Second
	// quitGrace is how long sessions get at shutdown to restore their
	// terminals before their connections are cut.
	quitGrace = 2 * time.Second
	// endWait bounds the wait for the sessions to end once their
	// connections are cut.
	endWait = 10 * time.Second
)

// Options configure a server.
type Options struct {
	// Listen is the address to listen on (DefaultListen if empty);
	// Listener, if set, is used instead (tests give one on 127.0.0.1:0).
	Listen   string
	Listener net.Listener
	// HostKeyPath is the server's private key, created on first start.
	HostKeyPath string
	// Teachers may act on the lecture's cluster.
	Teachers []gossh.PublicKey
	// Watchers, if WatchersNeedKey, are the keys that may connect besides
	// the teachers; otherwise any key may connect and watch.
	Watchers        []gossh.PublicKey
	WatchersNeedKey bool
	// Lab gives every session a private cluster; with SeedPerSession each
	// draws its own seed (else all start alike, from UI.Config.Seed).
	Lab            bool
	SeedPerSession bool
	// MaxSessions bounds the sessions at once (DefaultMaxSessions if 0);
	// connections are bounded at twice that.
	MaxSessions int
	// IdleTimeout (DefaultIdleTimeout if 0) closes a connection on which
	// nothing moved for that long.
	IdleTimeout time.Duration
	// UI is what every view shows: the cluster's configuration, speed,
	// scenario, title and colours. Input and Output are unused.
	UI sessions.Options
	// Live lets tests drive the lecture cluster's clock (Ticks, Now);
	// Speed and Advance come from UI.
	Live cluster.LiveOptions
	// FPS bounds how often a session's screen is redrawn (DefaultFPS if
	// 0): drawing is most of what a viewer costs.
	FPS int
	// FeedSize is how many events a viewer may fall behind (default
	// 16384).
	FeedSize int
	// Log receives one line per connect, disconnect and refusal (stderr
	// if nil).
	Log io.Writer
}

// Server is a running `raftty serve`.
type Server struct {
	opts   Options
	log    *log.Logger
	ssh    *ssh.Server
	ln     net.Listener
	hostFP string
	// handshake is how long a connection has to open a session.
	handshake time.Duration

	feed *feed // lecture only
	// script is the lecture's scenario (Server.mu): the command line's, then
	// the one the teacher picked.
	script *scenario.Script

	// quit is cancelled at shutdown: every program quits, restoring its
	// terminal.
	quit       context.Context
	cancelQuit context.CancelFunc

	mu       sync.Mutex
	closing  bool
	sessions map[ssh.Session]*session
	wg       sync.WaitGroup // one per session handler
	conns    atomic.Int64

	served   chan struct{} // closed when Serve has returned
	done     chan struct{} // closed when everything has stopped
	stopOnce sync.Once
	err      error
}

// handshakeTimeout is handshakeTimeoutDefault; tests shorten it.
var handshakeTimeout = handshakeTimeoutDefault

// session is one SSH session's state.
type session struct {
	fp      string
	role    string
	teacher bool
	ctx     context.Context // ends with the session
	viewer  *viewer         // lecture
	stop    func()          // lab: stops the private cluster
	model   *tui.Model
	// unhook forgets the program's quit-at-shutdown hook, unwatch stops
	// the idle watch, and idled says the session ended for being idle.
	unhook  func() bool
	unwatch func() bool
	idled   atomic.Bool
	// viewer, model, stop and program are set under Server.mu once the
	// program is made (tests and lesson switches read them).
	program *tea.Program
}

// Start listens, starts the lecture's cluster (unless Lab) and serves until
// ctx is cancelled or Close is called. When Wait returns, nothing Start
// started is still running.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Listen == "" {
		opts.Listen = DefaultListen
	}
	if opts.MaxSessions == 0 {
		opts.MaxSessions = DefaultMaxSessions
	}
	if opts.MaxSessions < 1 {
		return nil, fmt.Errorf("--max-sessions %d: need at least 1", opts.MaxSessions)
	}
	if opts.FPS <= 0 {
		opts.FPS = DefaultFPS
	}
	if opts.IdleTimeout == 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.IdleTimeout < 0 {
		return nil, fmt.Errorf("--idle-timeout %v: must be positive", opts.IdleTimeout)
	}
	if opts.UI.Speed <= 0 {
		opts.UI.Speed = 1
	}
	if opts.HostKeyPath == "" {
		return nil, errors.New("no host key path")
	}
	logw := opts.Log
	if logw == nil {
		logw = os.Stderr
	}
	s := &Server{
		opts:      opts,
		log:       log.NewWithOptions(logw, log.Options{ReportTimestamp: true, Prefix: "raftty serve"}),
		sessions:  map[ssh.Session]*session{},
		handshake: handshakeTimeout,
		served:    make(chan struct{}),
		done:      make(chan struct{}),
	}
	if err := os.MkdirAll(filepath.Dir(opts.HostKeyPath), 0o700); err != nil {
		return nil, fmt.Errorf("--host-key %s: %w", opts.HostKeyPath, err)
	}
	srv, err := wish.NewServer(
		wish.WithHostKeyPath(opts.HostKeyPath),
		wish.WithPublicKeyAuth(s.allowKey),
		// The connection's own deadline is the backstop (a client that
		// stopped reading); before it, watchIdle quits the program so
		// the terminal is restored and the student told why.
		wish.WithIdleTimeout(opts.IdleTimeout),
		wish.WithMiddleware(
			bm.MiddlewareWithProgramHandler(s.program),
			s.gate,
		),
	)
	if err != nil {
		return nil, fmt.Errorf("--host-key %s: %w", opts.HostKeyPath, err)
	}
	// Sessions only: no port forwarding (no direct-tcpip channel, no
	// tcpip-forward request), no subsystems. Agent forwarding is never
	// started (nothing calls ForwardAgentConnections); shell and exec are
	// refused by gate unless they come with a terminal and no command.
	srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": ssh.DefaultSessionHandler}
	srv.RequestHandlers = map[string]ssh.RequestHandler{}
	srv.SubsystemHandlers = map[string]ssh.SubsystemHandler{}
	srv.ConnCallback = s.admit
	if len(srv.HostSigners) > 0 {
		s.hostFP = gossh.FingerprintSHA256(srv.HostSigners[0].PublicKey())
	}
	s.ssh = srv

	ln := opts.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", opts.Listen); err != nil {
			return nil, fmt.Errorf("--listen %s: %w", opts.Listen, err)
		}
	}
	s.ln = ln

	s.quit, s.cancelQuit = context.WithCancel(context.Background())
	if !opts.Lab {
		live, err := s.startLecture(opts.UI.Config, opts.UI.Script)
		if err != nil {
			ln.Close()
			s.cancelQuit()
			return nil, err
		}
		s.feed = newFeed(live, opts.FeedSize)
		s.feed.acted = s.nudge
		s.script = opts.UI.Script
	}

	go func() {
		defer close(s.served)
		_ = srv.Serve(ln) // returns when the listener is closed
	}()
	go func() {
		select {
		case <-ctx.Done():
			s.stop()
		case <-s.done:
		}
	}()
	mode := "lecture"
	if opts.Lab {
		mode = "lab"
	}
	s.log.Info("listening", "addr", ln.Addr().String(), "mode", mode, "host-key", s.hostFP,
		"teachers", len(opts.Teachers), "max-sessions", opts.MaxSessions, "idle-timeout", opts.IdleTimeout)
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// HostKeyFingerprint is the SHA256 fingerprint of the server's host key,
// for students to check against what ssh shows them.
func (s *Server) HostKeyFingerprint() string { return s.hostFP }

// Wait blocks until the server has stopped (its context was cancelled, or
// Close was called) and everything it started has ended.
func (s *Server) Wait() error {
	<-s.done
	return s.err
}

// Close stops the server and waits for it.
func (s *Server) Close() error {
	s.stop()
	return s.Wait()
}

// stop shuts down: no new connections; every program quits, restoring its
// student's terminal; after a grace, connections still open (a stalled
// client) are cut; the lecture's cluster stops last.
func (s *Server) stop() {
	s.stopOnce.Do(func() {
		defer close(s.done)
		s.ln.Close()
		s.mu.Lock()
		s.closing = true
		n := len(s.sessions)
		s.mu.Unlock()
		s.log.Info("shutting down", "sessions", n)
		s.cancelQuit()
		ended := make(chan struct{})
		go func() { s.wg.Wait(); close(ended) }()
		select {
		case <-ended:
		case <-time.After(quitGrace):
		}
		_ = s.ssh.Close() // cuts every connection left
		select {
		case <-ended:
		case <-time.After(endWait):
			s.err = fmt.Errorf("%d sessions did not end within %v of shutdown", s.sessionCount(), quitGrace+endWait)
		}
		<-s.served
		if s.feed != nil {
			s.feed.current().Stop()
		}
		if s.err == nil {
			s.log.Info("stopped")
		}
	})
}

func (s *Server) sessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// allowKey is the only authentication: public keys. Password and
// keyboard-interactive authentication are not offered.
func (s *Server) allowKey(_ ssh.Context, key ssh.PublicKey) bool {
	if !s.opts.WatchersNeedKey || s.isTeacher(key) || contains(s.opts.Watchers, key) {
		return true
	}
	s.log.Info("refused key", "key", gossh.FingerprintSHA256(key), "why", "not in --authorized-keys or --watch-keys")
	return false
}

func (s *Server) isTeacher(key ssh.PublicKey) bool { return contains(s.opts.Teachers, key) }

func contains(keys []gossh.PublicKey, key ssh.PublicKey) bool {
	for _, k := range keys {
		if ssh.KeysEqual(k, key) {
			return true
		}
	}
	return false
}

// admit bounds the connections at twice MaxSessions (a session is refused
// with a message; a connection past this bound is closed at once), and
// gives each one handshakeTimeout to open its terminal session.
func (s *Server) admit(ctx ssh.Context, c net.Conn) net.Conn {
	if n := s.conns.Add(1); n > int64(2*s.opts.MaxSessions) {
		s.conns.Add(-1)
		s.log.Warn("refused connection", "remote", c.RemoteAddr().String(), "why", "too many connections")
		return nil
	}
	cc := &countedConn{Conn: c, s: s}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.timer = time.AfterFunc(s.handshake, func() {
		if !cc.inSession.Load() {
			s.log.Info("closed connection", "remote", c.RemoteAddr().String(), "why", "no session within "+s.handshake.String())
			cc.Close()
		}
	})
	ctx.SetValue(connKey{}, cc)
	return cc
}

type connKey struct{}

// countedConn counts the open connections and remembers whether one has
// opened a session.
type countedConn struct {
	net.Conn
	s         *Server
	inSession atomic.Bool
	// last is when a byte last moved either way (unix nanoseconds): the
	// idle watch reads it.
	last  atomic.Int64
	once  sync.Once
	mu    sync.Mutex // guards timer, set just after it starts
	timer *time.Timer
}

func (c *countedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.last.Store(time.Now().UnixNano())
	}
	return n, err
}

func (c *countedConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if n > 0 {
		c.last.Store(time.Now().UnixNano())
	}
	return n, err
}

// idleGrace is how long before the connection's own idle deadline the
// session's program is told to quit: it restores the student's terminal
// and says why, instead of the connection just dropping.
func idleGrace(timeout time.Duration) time.Duration { return min(10*time.Second, timeout/10) }

// watchIdle quits p once nothing has moved on cc for the idle timeout (less
// a grace), and marks st as closed for that. It owns no goroutine: a timer
// that re-arms itself; the returned func stops it.
func (s *Server) watchIdle(cc *countedConn, st *session, p *tea.Program) func() bool {
	limit := s.opts.IdleTimeout - idleGrace(s.opts.IdleTimeout)
	var mu sync.Mutex
	var t *time.Timer
	var check func()
	check = func() {
		idle := time.Since(time.Unix(0, cc.last.Load()))
		if idle >= limit {
			st.idled.Store(true)
			p.Quit() // outside mu: Quit waits for the program to take it
			return
		}
		mu.Lock()
		t = time.AfterFunc(limit-idle, check)
		mu.Unlock()
	}
	mu.Lock()
	t = time.AfterFunc(limit, check)
	mu.Unlock()
	return func() bool {
		mu.Lock()
		defer mu.Unlock()
		return t.Stop()
	}
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.mu.Lock()
		c.timer.Stop()
		c.mu.Unlock()
		c.s.conns.Add(-1)
	})
	return c.Conn.Close()
}

// gate runs around every session: it refuses what raftty does not serve
// (commands, subsystems, no terminal, a full class, a server shutting
// down), logs the connect and disconnect with the key's fingerprint, and
// counts the session while it lasts.
func (s *Server) gate(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if cc, ok := sess.Context().Value(connKey{}).(*countedConn); ok {
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
		st := &session{fp: fp}
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
		s.wg.Add(1)
		s.mu.Unlock()
		ctx, cancel := context.WithCancel(context.Background())
		st.ctx = ctx
		defer func() {
			cancel()
			if st.unhook != nil {
				st.unhook()
			}
			if st.unwatch != nil {
				st.unwatch()
			}
			if st.stop != nil {
				st.stop()
			}
			s.mu.Lock()
			delete(s.sessions, sess)
			s.mu.Unlock()
			s.wg.Done()
		}()
		start := time.Now()
		s.log.Info("connect", "key", fp, "role", st.role, "remote", remote,
			"term", pty.Term, "size", fmt.Sprintf("%dx%d", pty.Window.Width, pty.Window.Height))
		next(sess)
		attrs := []any{"key", fp, "role", st.role, "remote", remote, "after", time.Since(start).Round(time.Millisecond)}
		if st.viewer != nil {
			attrs = append(attrs, "dropped", st.viewer.dropped.Load())
		}
		s.log.Info("disconnect", attrs...)
		switch {
		case s.quit.Err() != nil:
			wish.Println(sess, "raftty: the server is shutting down; the lesson is over\r")
		case st.idled.Load():
			wish.Println(sess, fmt.Sprintf("raftty: closed after %v with nothing moving; ssh again to go on\r", s.opts.IdleTimeout))
		}
	}
}

// program makes the session's Bubble Tea program: a viewer of the lecture,
// or a private cluster in a lab.
func (s *Server) program(sess ssh.Session) *tea.Program {
	s.mu.Lock()
	st := s.sessions[sess]
	s.mu.Unlock()
	if st == nil {
		return nil
	}
	if s.opts.Lab {
		ui := s.opts.UI
		if s.opts.SeedPerSession {
			ui.Config.Seed = rand.Uint64() % 1_000_000
		}
		lm, stop, err := sessions.StartLocal(st.ctx, ui, tui.Options{
			Status: "your own cluster: break it as you like (? lists the keys)", NoSave: noSaving,
		})
		if err != nil {
			s.log.Error("lab cluster", "key", st.fp, "err", err)
			wish.Errorln(sess, "raftty: "+err.Error()+"\r")
			return nil
		}
		s.mu.Lock()
		st.stop, st.model = stop, lm
		s.mu.Unlock()
	} else {
		v := s.feed.newViewer(st.teacher)
		status := "watching: select, zoom and scroll are yours; only the teacher can change the cluster (key " + st.fp + ")"
		if st.teacher {
			status = "teacher: what you do, every viewer sees (key " + st.fp + ")"
		}
		ui := s.opts.UI
		s.mu.Lock()
		ui.Script = s.script
		s.mu.Unlock()
		m := sessions.Viewer(v, ui, tui.Options{Status: status, NoSave: noSaving, Restart: func(name string) (tui.Cluster, *scenario.Script, error) {
			if !st.teacher {
				return nil, nil, ErrWatching
			}
			return s.switchLesson(st, name)
		}})
		s.mu.Lock()
		st.viewer, st.model = v, m
		s.mu.Unlock()
	}
	var model tea.Model = st.model
	if st.viewer != nil {
		model = lectureModel{Model: st.model, v: st.viewer}
	}
	opts := append(bm.MakeOptions(sess), tui.SessionProgramOptions(s.opts.UI.NoColor)...)
	opts = append(opts, tea.WithFPS(s.opts.FPS), tea.WithInput(nil))
	p := tea.NewProgram(model, opts...)
	s.mu.Lock()
	st.program = p
	s.mu.Unlock()
	pty, _, _ := sess.Pty()
	readKeys(sess, p, pty.Term)
	// At shutdown the program quits as if the user had pressed q, which
	// restores the student's terminal. (The middleware quits it when the
	// session ends.)
	st.unhook = context.AfterFunc(s.quit, p.Quit)
	if cc, ok := sess.Context().Value(connKey{}).(*countedConn); ok {
		cc.last.Store(time.Now().UnixNano())
		st.unwatch = s.watchIdle(cc, st, p)
	}
	return p
}

// readKeys turns the session's input into the program's key (and paste,
// mouse) messages until the session's input ends.
//
// The program is given no input of its own: Bubble Tea's input reader
// (ultraviolet's TerminalReader.StreamEvents) hands every event to the
// program's event loop with a send that nothing cancels, so bytes that arrive
// as the program ends (a second q) would block that goroutine for good, one
// per session, for as long as the server runs. Here the same reader feeds a
// channel that is always drained, and Program.Send gives up once the program
// has ended. (Without input of its own a program sends no terminal queries,
// which the live view does not use.)
func readKeys(sess ssh.Session, p *tea.Program, term string) {
	events := make(chan uv.Event)
	go func() {
		defer close(events)
		_ = uv.NewTerminalReader(sess, term).StreamEvents(context.Background(), events)
	}()
	go func() {
		for ev := range events {
			p.Send(ev)
		}
	}()
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// noSaving is what w and :write say over SSH: the file would be written
// on the server's disk, by whoever holds a key.
const noSaving = "saving is off over SSH (the file would be written on the server); run raftty on your own machine to save a session"

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

// lessonMsg wakes a view when the teacher started another lesson; the view
// finds the lesson itself (viewer.behind), so a view that misses it still
// follows at its next message.
type lessonMsg struct{}

// lectureModel is a lecture's view: the live view, which also follows the
// teacher to another lesson.
type lectureModel struct {
	*tui.Model
	v *viewer
}

func (m lectureModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if behind, script := m.v.behind(); behind && script != nil {
		// lessonMsg says so; any message will do for a view that missed it.
		m.v.adopt()
		m.SwitchTo(m.v, script)
		m.SetStatus("the teacher started scenario " + script.Name)
	}
	// Every message goes through the live view's Update, lessonMsg and
	// nudgeMsg too (it ignores them): a view that draws only when something
	// changed, and sleeps while the cluster is paused, learns that
	// something did.
	_, cmd := m.Model.Update(msg)
	return m, cmd
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
	for _, p := range ps {
		go p.Send(nudgeMsg{}) // a stalled view must not hold up the teacher
	}
}
