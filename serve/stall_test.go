package serve

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	sessions "raftty/session"
)

func lag(v *viewer) uint64 {
	f := v.f
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.next - v.cursor
}

// stuckView holds a view's program in its drain (the drained hook), as a
// client that stopped reading makes it stuck, until thawed or until its
// connection is closed.
type stuckView struct {
	conn  *valveConn
	hold  valve
	stuck chan struct{} // closed when the program is held
	once  sync.Once
}

// wait, called at the end of every drain of the view, holds the program
// while the hold is shut.
func (sv *stuckView) wait() {
	if sv == nil || !sv.hold.isShut() {
		return
	}
	sv.once.Do(func() { close(sv.stuck) })
	_ = sv.hold.pass(sv.conn.closed)
}

// freeze makes the view v stuck as a client that stopped reading makes
// it, at a moment the test knows, and returns its place in the feed then:
// v's program stops in its next drain, and then the server's writes to c,
// v's connection, stop too; both until thaw (or until c is closed). A real
// stall stops the program a frame or two after the writes, when its
// renderer blocks writing and its next draw waits for the renderer; that
// moment is Bubble Tea's and tells nobody. (Shutting the writes first would
// race the same way: the renderer may block before the next drain.)
func (ts *testServer) freeze(c *valveConn, v *viewer) (cursor uint64) {
	ts.t.Helper()
	sv := &stuckView{conn: c, stuck: make(chan struct{})}
	sv.hold.close()
	ts.mu.Lock()
	ts.stuck[v] = sv
	ts.mu.Unlock()
	ts.advance(50 * time.Millisecond) // something new: the view drains
	select {
	case <-sv.stuck:
	case <-time.After(wait):
		ts.t.Fatalf("the view did not drain within %v", wait)
	}
	c.out.close()
	v.f.mu.Lock()
	defer v.f.mu.Unlock()
	return v.cursor
}

// thaw lets the view v and the writes to its connection go again.
func (ts *testServer) thaw(v *viewer) {
	ts.mu.Lock()
	sv := ts.stuck[v]
	ts.mu.Unlock()
	sv.conn.out.reopen()
	sv.hold.reopen()
}

// A client that stops reading slows neither the cluster nor another
// viewer: the lecture keeps time, the other viewer sees every event, and
// the stalled one falls behind and loses exactly the events that fell out
// of its window, counted for it alone, when it drains again.
func TestStalledClientStallsNobodyElse(t *testing.T) {
	vl := newValveListener(t)
	const feedSize = 512
	ts := startServer(t, Options{Listener: vl, FeedSize: feedSize, ownScreens: true})
	addr := ts.s.Addr().String()
	ts.electLeader()
	healthy := connect(t, addr, "healthy", newKey(t))
	stalled := connect(t, addr, "stalled", newKey(t))
	hv, sv := ts.session(healthy).viewer, ts.session(stalled).viewer

	frozenAt := ts.freeze(vl.of(stalled), sv)
	drains := ts.drained(sv)
	// A second of the lecture makes fewer events than the window: the
	// healthy viewer, caught up after each, loses none.
	for lag(sv) <= feedSize {
		ts.advance(time.Second) // would fail if the stalled client held up the cluster
		ts.catchUp(hv)
	}
	now := ts.s.feed.current().Snapshot().Now
	header := headerClock(now) // the header cuts, not rounds
	healthy.waitFor("the lecture's time "+header, func(s string) bool { return strings.Contains(headerRow(s), header) })
	if d := hv.dropped.Load(); d != 0 {
		t.Fatalf("the healthy viewer lost %d events", d)
	}
	if d := sv.dropped.Load(); d != 0 {
		t.Fatalf("the stalled viewer counted %d losses before it drained again", d)
	}

	// Resumed, the stalled client drains again, counts what it lost, and
	// shows the lecture as it is now.
	f := sv.f
	f.mu.Lock()
	f.pull()
	lost := f.next - feedSize - frozenAt
	f.mu.Unlock()
	ts.thaw(sv)
	ts.until("the stalled view draining again", func() bool { return ts.drained(sv) > drains })
	if got := sv.dropped.Load(); uint64(got) != lost {
		t.Fatalf("the stalled viewer counted %d events lost, want %d: those that fell out of its window of %d", got, lost, feedSize)
	}
	stalled.waitFor("the lecture's time "+header, func(s string) bool { return strings.Contains(headerRow(s), header) })
	for _, tm := range []*term{healthy, stalled} {
		tm.press("q")
		if err := tm.ended(); err != nil {
			t.Fatalf("%s: the session ended with %v", tm.name, err)
		}
	}
}

// Idle is about the client, not the lecture. In a lesson paused for 15
// times the idle timeout, a client that answers the server's keepalives
// stays. One from which nothing comes any more (a frozen laptop) is closed
// at the timeout, told why; one that also stopped reading (so that the
// goodbye cannot reach it) has its connection cut a grace later.
func TestIdleIsAboutTheClient(t *testing.T) {
	vl := newValveListener(t)
	const idle = 2 * time.Second
	ts := startServer(t, Options{Listener: vl, IdleTimeout: idle, UI: sessions.Options{StartPaused: true}})
	addr := ts.s.Addr().String()
	live := connect(t, addr, "live", newKey(t))
	silent := connect(t, addr, "silent", newKey(t))
	stalled := connect(t, addr, "stalled", newKey(t))
	lst, sst, tst := ts.session(live), ts.session(silent), ts.session(stalled)
	vl.of(silent).in.close()
	vl.of(stalled).in.close()
	vl.of(stalled).out.close()

	every := keepaliveEvery(idle)
	for elapsed := every; elapsed <= 15*idle; elapsed += every {
		answers := ts.answered(lst)
		ts.clock.Advance(every)
		if lst.idled.Load() {
			t.Fatalf("the live client was closed after %v", elapsed)
		}
		// The live client has answered before the clock moves on (or had
		// just sent something, and was not asked).
		ts.until("the live client's answer at "+elapsed.String(), func() bool {
			return ts.answered(lst) > answers || lst.conn.quiet() == 0
		})
		if expired := elapsed >= idle; sst.idled.Load() != expired || tst.idled.Load() != expired {
			t.Fatalf("after %v with nothing from them, the silent client idled=%v and the stalled one %v; want %v",
				elapsed, sst.idled.Load(), tst.idled.Load(), expired)
		}
		if elapsed == idle {
			silent.waitFor("the reason", func(s string) bool { return strings.Contains(s, "nothing came from your ssh for 2s") })
			ts.gone(silent)
			if n := len(ts.sessions()); n != 2 {
				t.Fatalf("%d sessions, want the live one and the stalled one, whose goodbye cannot get through", n)
			}
		}
		if elapsed == idle+quitGrace {
			ts.gone(stalled)
		}
	}
	if lst.idled.Load() || len(ts.sessions()) != 1 {
		t.Fatal("the live client was closed")
	}
	ts.until("the idle connections cut", func() bool { return ts.s.conns.Load() == 1 })
	if got := live.screen(); !liveView(got) {
		t.Fatalf("the live client's view is gone:\n%s", got)
	}
}

// headerClock is a moment as the header writes it: to the millisecond,
// cut rather than rounded.
func headerClock(t time.Duration) string {
	ms := t / time.Millisecond
	return fmt.Sprintf("t=%d.%03ds", ms/1000, ms%1000)
}
