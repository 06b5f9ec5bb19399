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
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/log/v2"
	"charm.land/wish/v2"
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"raftty/cluster"
	"raftty/cluster/scenario"
	sessions "raftty/session"
)

// Defaults.
const (
	DefaultListen = "127.0.0.1:2222"
	// DefaultMaxSessions fits a 2-core machine: 300 watchers who follow
	// the teacher at one size take a sixth of a core and 0.2 MB each
	// beyond the first (they share a screen: screen.go), which leaves room
	// for the teacher's view and about 40 watchers on views of their own
	// (see BenchmarkWatchers and docs/serve.md).
	DefaultMaxSessions = 300
	// DefaultFPS redraws a session's screen at most 15 times a second:
	// smooth enough for a cluster in slow motion, and half of what a local
	// live view draws.
	DefaultFPS = 15
	// DefaultIdleTimeout closes a connection whose client has sent nothing
	// for this long, not even an answer to the server's keepalives: a
	// frozen or vanished client. A client that is alive stays, however long
	// the lesson is paused.
	DefaultIdleTimeout = 15 * time.Minute
	// DefaultSaveOff is what a teacher's w says on a server without a
	// SaveDir.
	DefaultSaveOff = "saving is off on this server: it was started without a directory to save in"
	// DefaultHandshakeTimeout is how long a connection has to open its
	// terminal session; it bounds how long a silent connection holds a
	// place.
	DefaultHandshakeTimeout = 30 * time.Second
	// quitGrace is how long sessions get at shutdown to restore their
	// terminals before their connections are cut.
	quitGrace = 2 * time.Second
	// backAfter is how long a watcher's own view shows nothing of its
	// own before it goes back to the shared screen: long enough to read
	// the status line its last key wrote.
	backAfter = 3 * time.Second
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
	// SaveDir, if set, is the directory on the server where a teacher's w
	// and :write save the lecture as a scenario file (a file name only,
	// never a path). Watchers never save. Without it, saving is refused
	// with SaveOff (default DefaultSaveOff).
	SaveDir string
	SaveOff string

	// clock is what the server's timeouts read (the wall clock if nil),
	// and hooks the moments a test waits for: both for tests.
	clock clock
	hooks hooks
	// ownScreens gives every watcher a program of its own, as a teacher
	// has, instead of shared screens (tests, and the benchmark's
	// comparison); backAfter is how long a watcher's own view stays plain
	// before it goes back to its shared screen (default backAfter).
	ownScreens bool
	backAfter  time.Duration
}

// hooks tell a test the moments it waits for, so that no test waits for
// "long enough". Each is nil in a server that serves.
type hooks struct {
	// changed: a session or a connection came or went.
	changed func()
	// drained: a viewer took its events from the feed. It runs on the
	// viewer's program, outside the feed's lock: a test may hold it there
	// to make the program stuck, as a stalled client makes it.
	drained func(*viewer)
	// answered: a session's client answered a keepalive.
	answered func(*session)
}

// changed tells a test that the sessions or connections changed.
func (s *Server) changed() {
	if s.opts.hooks.changed != nil {
		s.opts.hooks.changed()
	}
}

// OptionError is an option the server could not use, and why. It names
// the Options field; the command line names its flag.
type OptionError struct {
	Option string // the field of Options: "Listen", "HostKeyPath", ...
	Value  string // its value, as given
	Err    error
}

func optionError(option string, value any, err error) *OptionError {
	return &OptionError{Option: option, Value: fmt.Sprint(value), Err: err}
}

func (e *OptionError) Error() string { return e.Option + " " + e.Value + ": " + e.Err.Error() }

func (e *OptionError) Unwrap() error { return e.Err }

// Server is a running `raftty serve`.
type Server struct {
	opts   Options
	log    *log.Logger
	ssh    *ssh.Server
	ln     net.Listener
	hostFP string
	clock  clock

	feed    *feed    // lecture only
	class   *class   // lecture only
	screens *screens // lecture only
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
	// teachers counts the teachers' sessions among sessions: every view
	// asks whether one is here at every message, which must not walk them.
	teachers atomic.Int64
	// ownViews counts the watchers on views of their own (see fps).
	ownViews atomic.Int64

	served   chan struct{} // closed when Serve has returned
	done     chan struct{} // closed when everything has stopped
	stopOnce sync.Once
	err      error
}

// Start listens, starts the lecture's cluster (unless Lab) and serves until
// ctx is cancelled or Close is called. When Wait returns, nothing Start
// started is still running.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
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
	key, err := hostKey(opts.HostKeyPath)
	if err != nil {
		return nil, optionError("HostKeyPath", opts.HostKeyPath, err)
	}
	s.hostFP = gossh.FingerprintSHA256(key.PublicKey())
	if s.ssh, err = s.newSSH(key); err != nil {
		return nil, err
	}
	if s.ln = opts.Listener; s.ln == nil {
		if s.ln, err = net.Listen("tcp", opts.Listen); err != nil {
			return nil, optionError("Listen", opts.Listen, err)
		}
	}
	s.quit, s.cancelQuit = context.WithCancel(context.Background())
	if !opts.Lab {
		live, err := s.startLecture(opts.UI.Config, opts.UI.Script)
		if err != nil {
			s.ln.Close()
			s.cancelQuit()
			return nil, err
		}
		s.feed = newFeed(live, opts.FeedSize)
		s.feed.acted = s.nudge
		s.feed.drained = opts.hooks.drained
		s.script = opts.UI.Script
		s.class = &class{s: s}
		s.screens = &screens{s: s, on: map[screenKey]*screen{}}
	}

	go func() {
		defer close(s.served)
		_ = s.ssh.Serve(s.ln) // returns when the listener is closed
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
	s.log.Info("listening", "addr", s.ln.Addr().String(), "mode", mode, "host-key", s.hostFP,
		"teachers", len(opts.Teachers), "max-sessions", opts.MaxSessions, "idle-timeout", opts.IdleTimeout)
	return s, nil
}

// setDefaults fills in what was left zero and refuses what cannot be.
func (o *Options) setDefaults() error {
	if o.HostKeyPath == "" {
		return optionError("HostKeyPath", "", errors.New("no path given"))
	}
	if o.MaxSessions < 0 {
		return optionError("MaxSessions", o.MaxSessions, errors.New("need at least 1"))
	}
	if o.IdleTimeout < 0 {
		return optionError("IdleTimeout", o.IdleTimeout, errors.New("must be positive"))
	}
	if o.SaveDir != "" {
		info, err := os.Stat(o.SaveDir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return optionError("SaveDir", o.SaveDir, errors.New("no such directory"))
		case err != nil:
			return optionError("SaveDir", o.SaveDir, err)
		case !info.IsDir():
			return optionError("SaveDir", o.SaveDir, errors.New("not a directory"))
		}
	}
	o.SaveOff = cmp.Or(o.SaveOff, DefaultSaveOff)
	o.Listen = cmp.Or(o.Listen, DefaultListen)
	o.MaxSessions = cmp.Or(o.MaxSessions, DefaultMaxSessions)
	o.IdleTimeout = cmp.Or(o.IdleTimeout, DefaultIdleTimeout)
	o.HandshakeTimeout = cmp.Or(max(o.HandshakeTimeout, 0), DefaultHandshakeTimeout)
	o.FPS = cmp.Or(max(o.FPS, 0), DefaultFPS)
	o.backAfter = cmp.Or(max(o.backAfter, 0), backAfter)
	if o.UI.Speed <= 0 {
		o.UI.Speed = 1
	}
	if o.clock == nil {
		o.clock = wallClock{}
	}
	return nil
}

// newSSH is the SSH server: public keys only, sessions only, each through
// the gate and into its program.
func (s *Server) newSSH(key gossh.Signer) (*ssh.Server, error) {
	srv, err := wish.NewServer(
		func(srv *ssh.Server) error { srv.AddHostKey(key); return nil },
		wish.WithPublicKeyAuth(s.allowKey),
		wish.WithMiddleware(
			s.views,
			s.gate,
		),
	)
	if err != nil {
		return nil, err
	}
	// Sessions only: no port forwarding (no direct-tcpip channel, no
	// tcpip-forward request), no subsystems. Agent forwarding is never
	// started (nothing calls ForwardAgentConnections); shell and exec are
	// refused by gate unless they come with a terminal and no command.
	srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": ssh.DefaultSessionHandler}
	srv.RequestHandlers = map[string]ssh.RequestHandler{}
	srv.SubsystemHandlers = map[string]ssh.SubsystemHandler{}
	srv.ConnCallback = s.admit
	return srv, nil
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
		if s.screens != nil {
			s.screens.wg.Wait() // each ended with its last member, or with s.quit
		}
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
	s.log.Info("refused key", "key", gossh.FingerprintSHA256(key), "why", "neither a teacher's nor a watcher's")
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
