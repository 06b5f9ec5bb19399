// This file is the connection limits: how many connections, how long one
// may take to open its session, and how long a client may say nothing.

package serve

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

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
	mu    sync.Mutex // guards timer: the handshake bound, then the cut of an idle client
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
func (s *Server) watchIdle(cc *countedConn, conn gossh.Conn, st *session) func() {
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
			st.end() // its view quits, restoring the terminal, if that gets through
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
