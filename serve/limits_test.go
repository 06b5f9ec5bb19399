package serve

import (
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// With --watch-keys, a key in neither list is refused at authentication;
// the listed ones get in. Passwords are never accepted.
func TestWatchKeysRefuseUnknownKeys(t *testing.T) {
	teacherKey, studentKey, strangerKey := newKey(t), newKey(t), newKey(t)
	ts := startServer(t, Options{
		Teachers:        []gossh.PublicKey{teacherKey.PublicKey()},
		Watchers:        []gossh.PublicKey{studentKey.PublicKey()},
		WatchersNeedKey: true,
	})
	addr := ts.s.Addr().String()
	if c, err := dial(t, addr, gossh.PublicKeys(strangerKey)); err == nil {
		c.Close()
		t.Fatal("a key in neither --authorized-keys nor --watch-keys got in")
	} else if !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("refusing a stranger: %v", err)
	}
	connect(t, addr, "student", studentKey).waitFor("the watcher's status", func(s string) bool { return strings.Contains(s, "watching:") })
	connect(t, addr, "teacher", teacherKey).waitFor("the teacher's status", func(s string) bool { return strings.Contains(s, "teacher:") })
}

// Without --watch-keys any key watches, but only keys: password and
// keyboard-interactive authentication are off.
func TestOnlyPublicKeys(t *testing.T) {
	ts := startServer(t, Options{})
	addr := ts.s.Addr().String()
	for name, auth := range map[string]gossh.AuthMethod{
		"password": gossh.Password("raft"),
		"keyboard-interactive": gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			return nil, nil
		}),
	} {
		if c, err := dial(t, addr, auth); err == nil {
			c.Close()
			t.Errorf("%s authentication got in", name)
		}
	}
	connect(t, addr, "anyone", newKey(t)).waitFor("the watcher's status", func(s string) bool { return strings.Contains(s, "watching:") })
}

// No shell, no command, no subsystem, no port forwarding: only the live
// view, on a terminal.
func TestNoShellNoCommandsNoForwarding(t *testing.T) {
	ts := startServer(t, Options{})
	addr := ts.s.Addr().String()
	c, err := dial(t, addr, gossh.PublicKeys(newKey(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	refused := func(what string, run func(s *gossh.Session) error, want string) {
		t.Helper()
		s, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var stderr lockedBuffer
		s.Stderr = &stderr
		err = run(s)
		var exit *gossh.ExitError
		if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
			t.Errorf("%s: got %v, want exit status 1", what, err)
		}
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("%s: stderr %q, want %q", what, stderr.String(), want)
		}
	}
	refused("a command", func(s *gossh.Session) error { return s.Run("cat /etc/passwd") }, "there are no commands here")
	refused("a shell without a terminal", func(s *gossh.Session) error {
		if err := s.Shell(); err != nil {
			return err
		}
		return s.Wait()
	}, "needs a terminal")
	if s, err := c.NewSession(); err == nil {
		if err := s.RequestSubsystem("sftp"); err == nil {
			t.Error("the sftp subsystem was accepted")
		}
		s.Close()
	}
	if conn, err := c.Dial("tcp", addr); err == nil {
		conn.Close()
		t.Error("local port forwarding was accepted")
	}
	if ln, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
		t.Error("remote port forwarding was accepted")
	}
	if ok, _, err := c.SendRequest("auth-agent-req@openssh.com", true, nil); err == nil && ok {
		t.Error("agent forwarding was accepted on the connection")
	}
}

// The session past --max-sessions gets one line and exit status 1, at
// once; when a place frees up, the next one gets in.
func TestMaxSessionsRefusesWithAMessage(t *testing.T) {
	ts := startServer(t, Options{MaxSessions: 2})
	addr := ts.s.Addr().String()
	a := connect(t, addr, "a", newKey(t))
	connect(t, addr, "b", newKey(t))
	c, err := openTerm(t, addr, "c", newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	var exit *gossh.ExitError
	if err := c.ended(); !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Fatalf("the third session ended with %v, want exit status 1", err)
	}
	if got, want := c.stderr.String(), "raftty: the class is full (2 sessions); try again later"; !strings.Contains(got, want) {
		t.Fatalf("the third session's stderr is %q, want %q", got, want)
	}
	a.Close()
	ts.gone(a)
	connect(t, addr, "d", newKey(t))
}

// A connection that never opens a session is closed at the handshake
// timeout and not before, and connections past twice --max-sessions are
// closed at once: silent connections cannot keep a class out.
func TestSilentConnectionsAreClosed(t *testing.T) {
	const limit = 30 * time.Second
	ts := startServer(t, Options{MaxSessions: 1, HandshakeTimeout: limit})
	addr := ts.s.Addr().String()
	var silent []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		silent = append(silent, c)
	}
	ts.until("two connections counted", func() bool { return ts.s.conns.Load() == 2 })
	third, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	_ = third.SetReadDeadline(time.Now().Add(wait)) // a hang guard, not a verdict
	if n, err := third.Read(make([]byte, 256)); err == nil {
		t.Fatalf("the third connection past the bound of 2 got %d bytes, want it closed", n)
	} else if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("the third connection past the bound of 2 was left open")
	}
	// The handshake timers run on the test's clock, and synchronously: when
	// Advance returns, those that came due have closed their connections.
	ts.clock.Advance(limit - time.Nanosecond)
	if n := ts.s.conns.Load(); n != 2 {
		t.Fatalf("%d connections left before the handshake timeout, want 2", n)
	}
	ts.clock.Advance(time.Nanosecond)
	if n := ts.s.conns.Load(); n != 0 {
		t.Fatalf("%d connections left at the handshake timeout, want none", n)
	}
	for _, c := range silent {
		_ = c.SetReadDeadline(time.Now().Add(wait))
		// The server's version line comes first; then, silence, and the end.
		if _, err := io.ReadAll(c); err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatal("a silent connection was left open")
		}
	}
	connect(t, addr, "after", newKey(t))
}

// A full class never locks the teacher out: the teacher's key gets in past
// --max-sessions.
func TestFullClassStillAdmitsTheTeacher(t *testing.T) {
	teacherKey := newKey(t)
	ts := startServer(t, Options{MaxSessions: 1, Teachers: []ssh_PublicKey{teacherKey.PublicKey()}})
	addr := ts.s.Addr().String()
	connect(t, addr, "student", newKey(t))
	teacher := connect(t, addr, "teacher", teacherKey)
	teacher.waitFor("the teacher's view", func(s string) bool { return strings.Contains(s, "teacher: what you do") })
	if n := len(ts.sessions()); n != 2 {
		t.Fatalf("%d sessions, want the student and the teacher", n)
	}
}
