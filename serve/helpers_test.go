package serve

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
	"go.uber.org/goleak"
	gossh "golang.org/x/crypto/ssh"

	"raftty/cluster"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// wait bounds every wait on a moment: it is never a verdict (every wait is
// for something the server is bound to do, and is woken by it), only the
// point where a broken server fails rather than hangs. Generous, so that a
// machine under load never reaches it.
const wait = time.Minute

// newKey makes an ed25519 key pair for a test client.
func newKey(t testing.TB) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testServer is a server on 127.0.0.1:0 whose lecture clock and own clock
// the test drives: no sleeps, the cluster moves only when the test says so,
// and no timeout fires before the test moves the server's clock.
type testServer struct {
	t     testing.TB
	s     *Server
	ticks chan time.Time
	wall  time.Time
	clock *fakeClock
	// changed is pinged at every hook: a session or connection came or
	// went, a viewer drained, a keepalive was answered.
	changed signal
	mu      sync.Mutex
	drains  map[*viewer]int
	answers map[*session]int
	stuck   map[*viewer]*stuckView // see freeze
}

func startServer(t testing.TB, opts Options) *testServer {
	t.Helper()
	return startServerCtx(context.Background(), t, opts)
}

func startServerCtx(ctx context.Context, t testing.TB, opts Options) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{t: t, ticks: make(chan time.Time), wall: time.Unix(1_000_000, 0),
		drains: map[*viewer]int{}, answers: map[*session]int{}, stuck: map[*viewer]*stuckView{}}
	start := ts.wall
	if opts.clock == nil {
		ts.clock = newFakeClock()
		opts.clock = ts.clock
	}
	opts.hooks = hooks{
		changed: ts.changed.ping,
		drained: func(v *viewer) {
			ts.mu.Lock()
			ts.drains[v]++
			stuck := ts.stuck[v]
			ts.mu.Unlock()
			ts.changed.ping()
			stuck.wait()
		},
		answered: func(st *session) {
			ts.mu.Lock()
			ts.answers[st]++
			ts.mu.Unlock()
			ts.changed.ping()
		},
	}
	if opts.Listener == nil {
		opts.Listener = ln
	} else {
		ln.Close()
	}
	if opts.HostKeyPath == "" {
		opts.HostKeyPath = filepath.Join(t.TempDir(), "host_ed25519")
	}
	if opts.UI.Config.Nodes == 0 {
		opts.UI.Config = cluster.DefaultConfig()
		opts.UI.Config.Seed = 42
	}
	opts.UI.NoColor = true
	if opts.UI.Speed == 0 {
		opts.UI.Speed = 1
	}
	if opts.Live.Ticks == nil && !opts.Lab {
		opts.Live.Ticks = ts.ticks
		opts.Live.Now = func() time.Time { return start }
		opts.Live.MaxCatchUp = time.Hour // a tick is as long as the test says
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	s, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	ts.s = s
	t.Cleanup(func() {
		if vl, ok := opts.Listener.(*valveListener); ok {
			vl.reopen()
		}
		ts.mu.Lock()
		for _, sv := range ts.stuck {
			sv.hold.reopen()
		}
		ts.mu.Unlock()
		closed := make(chan error, 1)
		go func() { closed <- s.Close() }()
		select {
		case err := <-closed:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(wait):
			t.Errorf("the server did not stop within %v", wait)
		}
	})
	return ts
}

// advance moves the lecture's wall clock by d (at speed 1: virtual time
// too, but for the slow motion while votes fly) in one tick, and waits
// until the cluster has taken it.
func (ts *testServer) advance(d time.Duration) {
	ts.t.Helper()
	ts.wall = ts.wall.Add(d)
	select {
	case ts.ticks <- ts.wall:
	case <-time.After(wait):
		ts.t.Fatal("the lecture's cluster did not take a clock tick: it is stalled")
	}
	if err := ts.s.feed.current().Sync(); err != nil {
		ts.t.Fatal(err)
	}
}

// until waits until cond holds, checking it again at every hook.
func (ts *testServer) until(what string, cond func() bool) {
	ts.t.Helper()
	ts.changed.wait(ts.t, what, cond)
}

// drained is how many times v has drained the feed.
func (ts *testServer) drained(v *viewer) int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.drains[v]
}

// answered is how many keepalives st's client has answered.
func (ts *testServer) answered(st *session) int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.answers[st]
}

// catchUp waits until v has taken every event the lecture has made so far.
func (ts *testServer) catchUp(v *viewer) {
	ts.t.Helper()
	f := v.f
	f.mu.Lock()
	f.pull()
	target := f.next
	f.mu.Unlock()
	ts.until("the viewer caught up", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return v.cursor >= target
	})
}

// session is the server's state of tm's session.
func (ts *testServer) session(tm *term) *session {
	ts.t.Helper()
	for _, st := range ts.sessions() {
		if st.fp == tm.fp {
			return st
		}
	}
	ts.t.Fatalf("%s: no session on the server", tm.name)
	return nil
}

// gone waits until tm's session has ended on the server.
func (ts *testServer) gone(tm *term) {
	ts.t.Helper()
	ts.until(tm.name+"'s session gone", func() bool {
		for _, st := range ts.sessions() {
			if st.fp == tm.fp {
				return false
			}
		}
		return true
	})
}

// electLeader runs the lecture until a leader is elected and returns it.
func (ts *testServer) electLeader() int {
	ts.t.Helper()
	for range 100 {
		if l := ts.s.feed.current().Snapshot().Leader; l != 0 {
			return l
		}
		ts.advance(100 * time.Millisecond)
	}
	ts.t.Fatal("no leader after 10s of virtual time")
	return 0
}

// sessions are the server's sessions now.
func (ts *testServer) sessions() []*session {
	ts.s.mu.Lock()
	defer ts.s.mu.Unlock()
	var out []*session
	for _, st := range ts.s.sessions {
		out = append(out, st)
	}
	return out
}

func dial(t testing.TB, addr string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	t.Helper()
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User:            "student",
		Auth:            auth,
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Timeout:         wait,
		// The cheapest key exchange: what is tested here is raftty's, not
		// the handshake's (see TestConnectDisconnectCycles).
		Config: gossh.Config{KeyExchanges: []string{gossh.KeyExchangeECDHP256}},
	})
}

// term is an SSH client with a terminal of its own: what the server sends
// is drawn on a virtual terminal, whose answers to the program's queries go
// back as a real terminal's would.
type term struct {
	t       testing.TB
	name    string
	fp      string // the key's fingerprint, as the server logs it
	client  *gossh.Client
	sess    *gossh.Session
	emu     *vt.SafeEmulator
	changed chan struct{}
	outDone chan struct{} // closed once all the session's output is on the screen
	stdin   io.WriteCloser
	inMu    sync.Mutex
	stderr  *lockedBuffer
	wg      sync.WaitGroup
	closed  sync.Once
	// leftAlt counts the times the server took the terminal off the
	// alternate screen (a view quitting restores the terminal).
	leftAlt atomic.Int64
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

const termW, termH = 120, 40

// connect opens a session with a 120x40 terminal and waits for the live
// view to appear.
func connect(t testing.TB, addr, name string, key gossh.Signer) *term {
	t.Helper()
	tm, err := openTerm(t, addr, name, key)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	tm.waitFor("the live view", liveView)
	return tm
}

func openTerm(t testing.TB, addr, name string, key gossh.Signer) (*term, error) {
	client, err := dial(t, addr, gossh.PublicKeys(key))
	if err != nil {
		return nil, err
	}
	tm := newTerm(t, name, client)
	tm.fp = gossh.FingerprintSHA256(key.PublicKey())
	return tm, tm.start()
}

// newTerm makes a terminal on a client connection; start opens its
// session.
func newTerm(t testing.TB, name string, client *gossh.Client) *term {
	tm := &term{t: t, name: name, client: client, emu: vt.NewSafeEmulator(termW, termH),
		changed: make(chan struct{}, 1), outDone: make(chan struct{}), stderr: &lockedBuffer{}}
	t.Cleanup(tm.Close)
	return tm
}

func (tm *term) start() error {
	sess, err := tm.client.NewSession()
	if err != nil {
		return err
	}
	tm.sess = sess
	stdout, _ := sess.StdoutPipe()
	tm.stdin, _ = sess.StdinPipe()
	sess.Stderr = tm.stderr
	if err := sess.RequestPty("xterm-256color", termH, termW, gossh.TerminalModes{}); err != nil {
		return err
	}
	if err := sess.Shell(); err != nil {
		return err
	}
	tm.wg.Add(2)
	go func() { // the screen
		defer tm.wg.Done()
		buf := make([]byte, 32<<10)
		var tail []byte // a sequence may be cut between two reads
		for {
			n, err := stdout.Read(buf)
			if n > 0 {
				seen := append(tail, buf[:n]...)
				tm.leftAlt.Add(int64(bytes.Count(seen, []byte(ansi.ResetModeAltScreenSaveCursor))))
				tail = append(tail[:0], seen[max(0, len(seen)-len(ansi.ResetModeAltScreenSaveCursor)+1):]...)
				_, _ = tm.emu.Write(buf[:n])
				select {
				case tm.changed <- struct{}{}:
				default:
				}
			}
			if err != nil {
				close(tm.changed)
				close(tm.outDone)
				return
			}
		}
	}()
	go func() { // the terminal's answers to queries
		defer tm.wg.Done()
		buf := make([]byte, 1024)
		for {
			n, err := tm.emu.Read(buf)
			if n > 0 {
				tm.inMu.Lock()
				_, _ = tm.stdin.Write(buf[:n])
				tm.inMu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	return nil
}

// Close ends the session and the connection and waits for the client's
// goroutines.
func (tm *term) Close() {
	tm.closed.Do(func() {
		if tm.sess != nil {
			tm.sess.Close()
		}
		tm.client.Close()
		// Ends the answering goroutine's Read. (Emulator.Close would too,
		// but it sets a flag that Read reads without a lock.)
		tm.emu.InputPipe().(*io.PipeWriter).CloseWithError(io.EOF)
		tm.wg.Wait()
	})
}

// screen is what the terminal shows, without styles.
func (tm *term) screen() string { return ansi.Strip(tm.emu.Render()) }

// waitFor waits until the screen satisfies ok, re-checking whenever output
// arrives, and fails after wait.
func (tm *term) waitFor(what string, ok func(screen string) bool) string {
	tm.t.Helper()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		s := tm.screen()
		if ok(s) {
			return s
		}
		select {
		case _, open := <-tm.changed:
			if !open {
				s := tm.screen()
				if ok(s) {
					return s
				}
				tm.t.Fatalf("%s: the session ended before %s; stderr %q; screen:\n%s", tm.name, what, tm.stderr.String(), s)
			}
		case <-deadline.C:
			tm.t.Fatalf("%s: no %s within %v; screen:\n%s", tm.name, what, wait, s)
		}
	}
}

// ended waits for the session to end, and for all it sent to be on the
// screen (Wait returns at the exit status, which may overtake output still
// on its way to the screen), and returns its exit error.
func (tm *term) ended() error {
	tm.t.Helper()
	done := make(chan error, 1)
	go func() { done <- tm.sess.Wait() }()
	guard := time.NewTimer(wait)
	defer guard.Stop()
	var err error
	select {
	case err = <-done:
	case <-guard.C:
		tm.t.Fatalf("%s: the session did not end within %v", tm.name, wait)
	}
	select {
	case <-tm.outDone:
	case <-guard.C:
		tm.t.Fatalf("%s: the session's output did not end within %v", tm.name, wait)
	}
	return err
}

// press types keys, as a terminal sends them.
func (tm *term) press(keys string) {
	tm.t.Helper()
	tm.inMu.Lock()
	defer tm.inMu.Unlock()
	if _, err := io.WriteString(tm.stdin, keys); err != nil {
		tm.t.Fatalf("%s: typing %q: %v", tm.name, keys, err)
	}
}

// row returns the screen line that contains marker.
func row(screen, marker string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, marker) {
			return l
		}
	}
	return ""
}

// nodeRow is node id's line in the nodes panel: "n3  follower ...".
func nodeRow(screen string, id int) string {
	for _, line := range strings.Split(screen, "\n") {
		l := strings.TrimPrefix(line, "│")
		if t, ok := strings.CutPrefix(l, "▶"); ok {
			l = t
		} else {
			l = strings.TrimPrefix(l, " ")
		}
		if strings.HasPrefix(l, " n"+strconv.Itoa(id)+" ") {
			return line
		}
	}
	return ""
}

type ssh_PublicKey = gossh.PublicKey

func itoaT(i int) string { return strconv.Itoa(i) }

// signal wakes whoever waits for a condition whenever something it may
// depend on happened: waiters recheck then, never on a timer. The zero
// value is ready.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

func (s *signal) ping() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}

func (s *signal) next() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

// wait returns once cond holds, checking it at every ping.
func (s *signal) wait(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		pinged := s.next() // before cond: a ping during it is not lost
		if cond() {
			return
		}
		select {
		case <-pinged:
		case <-deadline.C:
			t.Fatalf("not within %v: %s", wait, what)
		}
	}
}

// fakeClock is the server's clock in tests: it moves only when the test
// says so, and Advance runs the timers that come due, in order, on the
// test's goroutine, so that when it returns they have all run.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
	armed  signal // pinged when a timer is set
}

type fakeTimer struct {
	c    *fakeClock
	at   time.Time
	d    time.Duration
	f    func()
	done bool // fired or stopped (c.mu)
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(2_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) timer {
	c.mu.Lock()
	t := &fakeTimer{c: c, at: c.now.Add(d), d: d, f: f}
	c.timers = append(c.timers, t)
	c.mu.Unlock()
	c.armed.ping()
	return t
}

func (t *fakeTimer) Stop() bool {
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.done {
		return false
	}
	t.done = true
	c.timers = slices.DeleteFunc(c.timers, func(o *fakeTimer) bool { return o == t })
	return true
}

// Advance moves the clock by d, running every timer that comes due (those
// set by the timers themselves too) at its own time.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	for {
		i := -1
		for j, t := range c.timers {
			if !t.at.After(end) && (i < 0 || t.at.Before(c.timers[i].at)) {
				i = j
			}
		}
		if i < 0 {
			break
		}
		t := c.timers[i]
		c.timers = slices.Delete(c.timers, i, i+1)
		t.done = true
		if t.at.After(c.now) {
			c.now = t.at
		}
		c.mu.Unlock()
		t.f()
		c.mu.Lock()
	}
	c.now = end
	c.mu.Unlock()
}

// waitTimer waits until a timer of d is set and pending: the server waits
// on it.
func (c *fakeClock) waitTimer(t testing.TB, d time.Duration) {
	t.Helper()
	c.armed.wait(t, fmt.Sprintf("the server waiting %v", d), func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return slices.ContainsFunc(c.timers, func(t *fakeTimer) bool { return t.d == d })
	})
}

// valve stops a connection's reads or writes when shut, until it opens
// again or the connection is closed: a client that stopped reading, or
// stopped sending, at a moment the test knows.
type valve struct {
	mu      sync.Mutex
	shut    bool
	open    chan struct{} // closed when the valve opens again
	blocked chan struct{} // closed when a call first waits on the shut valve
}

func (v *valve) close() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.shut {
		return
	}
	v.shut, v.open, v.blocked = true, make(chan struct{}), make(chan struct{})
}

func (v *valve) reopen() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.shut {
		v.shut = false
		close(v.open)
	}
}

func (v *valve) isShut() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.shut
}

// pass returns at once if the valve is open, else when it opens (nil) or
// when closed is closed (net.ErrClosed).
func (v *valve) pass(closed <-chan struct{}) error {
	v.mu.Lock()
	if !v.shut {
		v.mu.Unlock()
		return nil
	}
	open := v.open
	select {
	case <-v.blocked:
	default:
		close(v.blocked)
	}
	v.mu.Unlock()
	select {
	case <-open:
		return nil
	case <-closed:
		return net.ErrClosed
	}
}

// waitBlocked waits until a call waits on the shut valve.
func (v *valve) waitBlocked(t testing.TB, what string) {
	t.Helper()
	v.mu.Lock()
	blocked := v.blocked
	v.mu.Unlock()
	select {
	case <-blocked:
	case <-time.After(wait):
		t.Fatalf("no %s within %v", what, wait)
	}
}

// valveConn is the server's side of a connection with a valve on what the
// server writes (out) and on what it reads (in).
type valveConn struct {
	net.Conn
	out, in valve
	closed  chan struct{}
	once    sync.Once
}

func (c *valveConn) Write(p []byte) (int, error) {
	if err := c.out.pass(c.closed); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// Read holds what arrived while the in valve is shut, so that the server
// hears nothing of it until the valve opens. (The end of the connection
// passes: a client that hung up is not a silent one.)
func (c *valveConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		if perr := c.in.pass(c.closed); perr != nil {
			return 0, perr
		}
	}
	return n, err
}

func (c *valveConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// valveListener gives the server valveConns, and the test the valves of a
// client's connection.
type valveListener struct {
	net.Listener
	mu    sync.Mutex
	conns map[string]*valveConn // by the client's address
}

func newValveListener(t testing.TB) *valveListener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return &valveListener{Listener: ln, conns: map[string]*valveConn{}}
}

// reopen opens every valve: startServer's cleanup does, before it stops
// the server.
func (l *valveListener) reopen() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		c.out.reopen()
		c.in.reopen()
	}
}

func (l *valveListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	vc := &valveConn{Conn: c, closed: make(chan struct{})}
	l.mu.Lock()
	l.conns[c.RemoteAddr().String()] = vc
	l.mu.Unlock()
	return vc, nil
}

// of is the server's side of tm's connection.
func (l *valveListener) of(tm *term) *valveConn {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.conns[tm.client.LocalAddr().String()]
	if c == nil {
		tm.t.Fatalf("%s: no connection on the server", tm.name)
	}
	return c
}

// liveView reports whether the screen shows the live view: its header
// (raftty's name, or for a student who follows the teacher, that), its
// nodes and its statistics.
func liveView(screen string) bool {
	return (strings.Contains(screen, "raftty ·") || strings.Contains(screen, "following the teacher") ||
		strings.Contains(screen, "the teacher is not connected")) &&
		strings.Contains(screen, "┌ nodes") && strings.Contains(screen, "statistics")
}

// headerRow is the screen's top line: the live view's header.
func headerRow(screen string) string {
	top, _, _ := strings.Cut(screen, "\n")
	return top
}
