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
	// DefaultIdleTimeout closes a connection whose client has sent nothing
	// for this long, not even an answer to the server's keepalives: a
	// frozen or vanished client. A client that is alive stays, however long
	// the lesson is paused.
	DefaultIdleTimeout = 15 * time.Minute
	// DefaultHandshakeTimeout is how long a connection has to open its
	// terminal session; it bounds how long a silent connection holds a
	// place.
	DefaultHandshakeTimeout = 30 * time.Second
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
	// IdleTimeout (DefaultIdleTimeout if 0) closes a connection whose
	// client has sent nothing for that long: no key, and no answer to the
	// keepalives the server sends a quiet client meanwhile.
	IdleTimeout time.Duration
	// HandshakeTimeout (DefaultHandshakeTimeout if 0) is how long a
	// connection has to open its terminal session.
	HandshakeTimeout time.Duration
	// UI is what every view shows: the cluster's configuration, speed,
	// scenario, title and colours. Input and Output are unused.
	UI tui.Options
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

	// clock is what the server's timeouts read (the wall clock if nil),
	// and hooks the moments a test waits for: both for tests.
	clock clock
	hooks hooks
}

// hooks tell a test the moments it waits for, so that no test waits for
// "long enough". Each is nil in a server that serves; none may block.
type hooks struct {
	// changed: a session or a connection came or went.
	changed func()
	// drained: a viewer took its events from the feed.
	drained func(*viewer)
	// answered: a session's client answered a keepalive.
	answered func(*session)
}

// Server is a running `raftty serve`.
type Server struct {
	opts   Options
	log    *log.Logger
	ssh    *ssh.Server
	ln     net.Listener
	hostFP string
	clock  clock

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

// session is one SSH session's state.
type session struct {
	fp      string
	role    string
	teacher bool
	conn    *countedConn    // nil only if the server did not admit it (tests)
	ctx     context.Context // ends with the session
	viewer  *viewer         // lecture
	stop    func()          // lab: stops the private cluster
	model   *tui.Model
	// unhook forgets the program's quit-at-shutdown hook, unwatch stops
	// the idle watch, and idled says the session ended for being idle.
	unhook  func() bool
	unwatch func()
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
	if opts.HandshakeTimeout <= 0 {
		opts.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if opts.clock == nil {
		opts.clock = wallClock{}
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
		opts:     opts,
		log:      log.NewWithOptions(logw, log.Options{ReportTimestamp: true, Prefix: "raftty serve"}),
		sessions: map[ssh.Session]*session{},
		clock:    opts.clock,
		served:   make(chan struct{}),
		done:     make(chan struct{}),
	}
	if err := os.MkdirAll(filepath.Dir(opts.HostKeyPath), 0o700); err != nil {
		return nil, fmt.Errorf("--host-key %s: %w", opts.HostKeyPath, err)
	}
	srv, err := wish.NewServer(
		wish.WithHostKeyPath(opts.HostKeyPath),
		wish.WithPublicKeyAuth(s.allowKey),
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
		s.feed.drained = opts.hooks.drained
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
		grace, t := after(s.clock, quitGrace)
		select {
		case <-ended:
		case <-grace:
		}
		t.Stop()
		_ = s.ssh.Close() // cuts every connection left
		gone, t := after(s.clock, endWait)
		select {
		case <-ended:
		case <-gone:
			s.err = fmt.Errorf("%d sessions did not end within %v of shutdown", s.sessionCount(), quitGrace+endWait)
		}
		t.Stop()
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
// gives each one HandshakeTimeout to open its terminal session.
func (s *Server) admit(ctx ssh.Context, c net.Conn) net.Conn {
	if n := s.conns.Add(1); n > int64(2*s.opts.MaxSessions) {
		s.conns.Add(-1)
		s.log.Warn("refused connection", "remote", c.RemoteAddr().String(), "why", "too many connections")
		return nil
	}
	cc := &countedConn{Conn: c, s: s}
	cc.heard.Store(s.clock.Now().UnixNano())
	cc.mu.Lock()
	limit := s.opts.HandshakeTimeout
	cc.timer = s.clock.AfterFunc(limit, func() {
		if !cc.inSession.Load() {
			s.log.Info("closed connection", "remote", c.RemoteAddr().String(), "why", "no session within "+limit.String())
			cc.Close()
		}
	})
	cc.mu.Unlock()
	ctx.SetValue(connKey{}, cc)
	s.changed()
	return cc
}

// changed tells a test that the sessions or connections changed.
func (s *Server) changed() {
	if s.opts.hooks.changed != nil {
		s.opts.hooks.changed()
	}
}

type connKey struct{}

// countedConn counts the open connections, remembers whether one has
// opened a session, and when its client was last heard from.
type countedConn struct {
	net.Conn
	s         *Server
	inSession atomic.Bool
	// heard is when a byte last came from the client (unix nanoseconds
	// on the server's clock): the idle watch reads it.
	heard atomic.Int64
	once  sync.Once
	mu    sync.Mutex // guards timer, set just after it starts
	timer timer
}

func (c *countedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.heard.Store(c.s.clock.Now().UnixNano())
	}
	return n, err
}

// closeAfter closes the connection once d has passed, however its
// sessions end.
func (c *countedConn) closeAfter(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timer.Stop()
	c.timer = c.s.clock.AfterFunc(d, func() { c.Close() })
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.mu.Lock()
		c.timer.Stop()
		c.mu.Unlock()
		c.s.conns.Add(-1)
		c.s.changed()
	})
	return c.Conn.Close()
}

// quiet is how long the client has sent nothing.
func (c *countedConn) quiet() time.Duration {
	return c.s.clock.Now().Sub(time.Unix(0, c.heard.Load()))
}

// keepaliveEvery is how often the idle watch looks at a connection, and
// how long a client may be quiet before it is asked for a sign of life.
func keepaliveEvery(idleTimeout time.Duration) time.Duration { return idleTimeout / 4 }

// watchIdle watches a session's client. Idle is about the client, not the
// lecture: every keepaliveEvery, a client quiet that long is sent an SSH
// keepalive, which every ssh client answers while it runs, so a student
// stays however long the lesson is paused. A client that has sent nothing
// at all for the idle timeout (no key, no answer, no window adjust for what
// it read: a frozen laptop, a pulled cable, a suspended ssh) has its
// program quit, which restores its terminal and says why, and its
// connection is cut a grace later if that cannot get through. It owns no
// goroutine but the keepalives in flight, which end with their answer or
// with the connection; the returned func stops it.
func (s *Server) watchIdle(cc *countedConn, conn gossh.Conn, st *session, p *tea.Program) func() {
	limit, every := s.opts.IdleTimeout, keepaliveEvery(s.opts.IdleTimeout)
	var mu sync.Mutex
	var t timer
	stopped := false
	var check func()
	check = func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		quiet := cc.quiet()
		if quiet >= limit {
			st.idled.Store(true)
			go p.Quit() // Quit waits for the program, which may be stuck writing
			// The connection goes too, whether or not the goodbye got
			// through: nothing comes from it.
			cc.closeAfter(quitGrace)
			return
		}
		if quiet >= every {
			go s.keepalive(conn, st)
		}
		t = s.clock.AfterFunc(every, check)
	}
	mu.Lock()
	t = s.clock.AfterFunc(every, check)
	mu.Unlock()
	return func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		t.Stop()
	}
}

// keepalive asks the client for a sign of life, and waits for it (or for
// the connection to end). The answer is a byte from the client: it is what
// keeps the connection, not anything done here.
func (s *Server) keepalive(conn gossh.Conn, st *session) {
	if _, _, err := conn.SendRequest("keepalive@openssh.com", true, nil); err == nil && s.opts.hooks.answered != nil {
		s.opts.hooks.answered(st)
	}
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
		s.wg.Add(1)
		s.mu.Unlock()
		s.changed()
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
			s.changed()
		}()
		start := s.clock.Now()
		s.log.Info("connect", "key", fp, "role", st.role, "remote", remote,
			"term", pty.Term, "size", fmt.Sprintf("%dx%d", pty.Window.Width, pty.Window.Height))
		next(sess)
		attrs := []any{"key", fp, "role", st.role, "remote", remote, "after", s.clock.Now().Sub(start).Round(time.Millisecond)}
		if st.viewer != nil {
			attrs = append(attrs, "dropped", st.viewer.dropped.Load())
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
		lm, stop, err := tui.StartLocal(st.ctx, ui)
		if err != nil {
			s.log.Error("lab cluster", "key", st.fp, "err", err)
			wish.Errorln(sess, "raftty: "+err.Error()+"\r")
			return nil
		}
		lm.SetStatus("your own cluster: break it as you like (? lists the keys)")
		lm.DisableSaving(noSaving)
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
		m := tui.NewViewer(v, ui, status)
		m.DisableSaving(noSaving)
		m.SetRestarter(func(name string) (tui.Cluster, *scenario.Script, error) {
			if !st.teacher {
				return nil, nil, ErrWatching
			}
			return s.switchLesson(st, name)
		})
		s.mu.Lock()
		st.viewer, st.model = v, m
		s.mu.Unlock()
	}
	var model tea.Model = st.model
	if st.viewer != nil {
		model = lectureModel{Model: st.model, v: st.viewer}
	}
	opts := append(bm.MakeOptions(sess), tui.SessionProgramOptions(s.opts.UI)...)
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
	if conn, ok := sess.Context().Value(ssh.ContextKeyConn).(gossh.Conn); ok && st.conn != nil {
		st.conn.heard.Store(s.clock.Now().UnixNano())
		st.unwatch = s.watchIdle(st.conn, conn, st, p)
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
	lo, ui := s.opts.Live, tui.LiveOptions(s.opts.UI, script)
	lo.Speed, lo.Paused, lo.Advance, lo.SlowVotes = ui.Speed, ui.Paused, ui.Advance, ui.SlowVotes
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
