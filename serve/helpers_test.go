package serve

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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

// wait bounds every wait on a condition: generous, so that a slow machine
// under -race passes, and bounded, so that a broken server fails rather than
// hangs.
const wait = 20 * time.Second

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

// testServer is a server on 127.0.0.1:0 whose lecture clock the test
// drives (when Ticks is set): no sleeps, and the cluster moves only when the
// test says so.
type testServer struct {
	t     testing.TB
	s     *Server
	ticks chan time.Time
	wall  time.Time
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
	ts := &testServer{t: t, ticks: make(chan time.Time), wall: time.Unix(1_000_000, 0)}
	start := ts.wall
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
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return ts
}

// advance moves the lecture's wall clock (at speed 1: virtual time too)
// in 50ms steps and waits until the cluster has taken them.
func (ts *testServer) advance(d time.Duration) {
	ts.t.Helper()
	for step := 50 * time.Millisecond; d > 0; d -= step {
		ts.wall = ts.wall.Add(min(step, d))
		select {
		case ts.ticks <- ts.wall:
		case <-time.After(wait):
			ts.t.Fatal("the lecture's cluster did not take a clock tick: it is stalled")
		}
	}
	if err := ts.s.feed.current().Sync(); err != nil {
		ts.t.Fatal(err)
	}
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

// sessionOf finds the server's state of the session on the connection
// whose local address is addr.
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
	})
}

// term is an SSH client with a terminal of its own: what the server sends
// is drawn on a virtual terminal, whose answers to the program's queries go
// back as a real terminal's would.
type term struct {
	t       testing.TB
	name    string
	client  *gossh.Client
	sess    *gossh.Session
	emu     *vt.SafeEmulator
	changed chan struct{}
	stdin   io.WriteCloser
	inMu    sync.Mutex
	stderr  *lockedBuffer
	wg      sync.WaitGroup
	closed  sync.Once
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
	return tm, tm.start()
}

// newTerm makes a terminal on a client connection; start opens its
// session.
func newTerm(t testing.TB, name string, client *gossh.Client) *term {
	tm := &term{t: t, name: name, client: client, emu: vt.NewSafeEmulator(termW, termH),
		changed: make(chan struct{}, 1), stderr: &lockedBuffer{}}
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
		for {
			n, err := stdout.Read(buf)
			if n > 0 {
				_, _ = tm.emu.Write(buf[:n])
				select {
				case tm.changed <- struct{}{}:
				default:
				}
			}
			if err != nil {
				close(tm.changed)
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

// ended waits for the session to end and returns its exit error.
func (tm *term) ended() error {
	tm.t.Helper()
	done := make(chan error, 1)
	go func() { done <- tm.sess.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(wait):
		tm.t.Fatalf("%s: the session did not end within %v", tm.name, wait)
		return nil
	}
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

// eventually polls cond in short bounded waits until it holds, and fails
// after wait: for what the server does on its own goroutines (a session
// ending) and tells nobody.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", wait, what)
		}
		<-time.After(time.Millisecond)
	}
}

// liveView reports whether the screen shows the live view: its header, its
// nodes and its statistics.
func liveView(screen string) bool {
	return strings.Contains(screen, "raftty ·") && strings.Contains(screen, "┌ nodes") && strings.Contains(screen, "statistics")
}
