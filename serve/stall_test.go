package serve

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	sessions "raftty/session"
)

// smallBuffers is a listener whose connections have small kernel send
// buffers, so that a client that stops reading blocks the server's writes
// after a few frames rather than a few megabytes.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}

// stallConn is a client connection that stops reading when told to, as a
// frozen laptop or a suspended ssh does, until it resumes or is closed.
type stallConn struct {
	net.Conn
	stalled, resumed, closed chan struct{}
	once                     sync.Once
}

func (c *stallConn) Read(p []byte) (int, error) {
	select {
	case <-c.stalled:
		select {
		case <-c.resumed:
		case <-c.closed:
			return 0, net.ErrClosed
		}
	default:
	}
	return c.Conn.Read(p)
}

func (c *stallConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// dialStalling connects a client whose connection can stop reading, and
// waits for its live view.
func dialStalling(t *testing.T, addr string) (*term, *stallConn) {
	t.Helper()
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = raw.(*net.TCPConn).SetReadBuffer(4096)
	sc := &stallConn{Conn: raw, stalled: make(chan struct{}), resumed: make(chan struct{}), closed: make(chan struct{})}
	conn, chans, reqs, err := gossh.NewClientConn(sc, addr, &gossh.ClientConfig{
		User: "stalled", Auth: []gossh.AuthMethod{gossh.PublicKeys(newKey(t))},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
	})
	if err != nil {
		raw.Close()
		t.Fatal(err)
	}
	tm := newTerm(t, "stalled", gossh.NewClient(conn, chans, reqs))
	if err := tm.start(); err != nil {
		t.Fatal(err)
	}
	tm.waitFor("the live view", liveView)
	return tm, sc
}

// runUntilBehind runs the lecture until the stalled viewer has fallen
// more than feedSize events behind, making sure every 10 steps (fewer events
// than the window) that the healthy one has caught up, and returns them.
func runUntilBehind(t *testing.T, ts *testServer, healthyKey gossh.Signer, feedSize uint64) (healthy, stalled *viewer) {
	t.Helper()
	sessions := ts.sessions()
	if len(sessions) != 2 {
		t.Fatalf("%d sessions, want 2", len(sessions))
	}
	healthy, stalled = sessions[0].viewer, sessions[1].viewer
	if sessions[1].fp == gossh.FingerprintSHA256(healthyKey.PublicKey()) {
		healthy, stalled = stalled, healthy
	}
	for step := 0; step < 2000; step++ {
		ts.advance(50 * time.Millisecond)
		if step%10 != 9 {
			continue
		}
		eventually(t, "the healthy viewer caught up", func() bool { return caughtUp(healthy) })
		if lag(stalled) > feedSize {
			t.Logf("the stalled viewer fell %d events behind after %d steps of 50ms", lag(stalled), step+1)
			return healthy, stalled
		}
	}
	t.Fatal("the stalled client never fell behind: after 100s of virtual time it keeps up")
	return nil, nil
}

func lag(v *viewer) uint64 {
	f := v.f
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.next - v.cursor
}

func caughtUp(v *viewer) bool {
	f := v.f
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pull()
	return v.cursor == f.next
}

// A client that stops reading slows neither the cluster nor another
// viewer: the lecture keeps time, the other viewer sees every event, and
// the stalled one falls behind and loses events, counted for it alone.
func TestStalledClientStallsNobodyElse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const feedSize = 512
	ts := startServer(t, Options{Listener: smallBuffers{ln}, FeedSize: feedSize})
	addr := ts.s.Addr().String()
	ts.electLeader()

	healthyKey := newKey(t)
	healthy := connect(t, addr, "healthy", healthyKey)
	stalled, sc := dialStalling(t, addr)
	close(sc.stalled)
	hv, sv := runUntilBehind(t, ts, healthyKey, feedSize)

	now := ts.s.feed.current().Snapshot().Now
	header := fmt.Sprintf("t=%.3fs", now.Seconds())
	healthy.waitFor("the lecture's time "+header, func(s string) bool { return strings.Contains(row(s, "raftty ·"), header) })
	if d := hv.dropped.Load(); d != 0 {
		t.Fatalf("the healthy viewer lost %d events", d)
	}
	if sv.dropped.Load() != 0 {
		t.Fatal("the stalled viewer counted losses while stalled")
	}
	// Resumed, the stalled client drains again, counts what it lost, and
	// shows the lecture as it is now.
	close(sc.resumed)
	eventually(t, "the stalled viewer counting its losses", func() bool { return sv.dropped.Load() > 0 })
	stalled.waitFor("the lecture's time "+header, func(s string) bool { return strings.Contains(row(s, "raftty ·"), header) })
	for _, tm := range []*term{healthy, stalled} {
		tm.press("q")
		if err := tm.ended(); err != nil {
			t.Fatalf("%s: the session ended with %v", tm.name, err)
		}
	}
}

// A client that stopped reading is closed by the idle timeout (nothing
// moves on its connection) while a viewer that reads stays.
func TestIdleTimeoutClosesAStalledClient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const feedSize = 512
	ts := startServer(t, Options{Listener: smallBuffers{ln}, FeedSize: feedSize, IdleTimeout: time.Second})
	addr := ts.s.Addr().String()
	healthyKey := newKey(t)
	connect(t, addr, "healthy", healthyKey)
	stalled, sc := dialStalling(t, addr)
	close(sc.stalled)
	hv, _ := runUntilBehind(t, ts, healthyKey, feedSize)
	// Keep the lecture moving, at the pace the healthy viewer drains (its
	// connection stays busy), until the stalled one is gone.
	deadline := time.Now().Add(wait)
	for len(ts.sessions()) > 1 {
		if time.Now().After(deadline) {
			t.Fatal("the stalled client was not closed by the idle timeout")
		}
		ts.advance(50 * time.Millisecond)
		eventually(t, "the healthy viewer caught up", func() bool { return caughtUp(hv) })
	}
	if st := ts.sessions()[0]; st.fp != gossh.FingerprintSHA256(healthyKey.PublicKey()) {
		t.Fatal("the idle timeout closed the viewer that reads")
	}
	close(sc.resumed)
	if err := stalled.ended(); err == nil {
		t.Log("the stalled session ended cleanly")
	}
}

// A session where nothing moves (a paused lesson, a student reading) is
// closed at the idle timeout with its terminal restored and a line saying
// why, not just dropped.
func TestIdleSessionIsToldWhy(t *testing.T) {
	ts := startServer(t, Options{IdleTimeout: time.Second, UI: sessions.Options{StartPaused: true}})
	tm := connect(t, ts.s.Addr().String(), "student", newKey(t))
	tm.waitFor("the view", func(s string) bool { return strings.Contains(s, "watching:") })
	tm.waitFor("the reason", func(s string) bool { return strings.Contains(s, "closed after 1s with nothing moving") })
	if err := tm.ended(); err != nil {
		var exit *gossh.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("the idle session ended with %v, want a clean end", err)
		}
	}
}
