package serve

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"raftty/cluster"
)

// Cancelling the server's context ends every session (the live view quits,
// restoring the terminal, and says why), cuts a client that stopped reading
// once the grace is over and not before, stops the lecture's cluster, and
// leaves nothing running (TestMain's goleak checks the last): watchers on
// views of their own, and on a shared screen.
func TestShutdownOnContextCancel(t *testing.T) {
	for _, own := range []bool{true, false} {
		name := "shared screen"
		if own {
			name = "views of their own"
		}
		t.Run(name, func(t *testing.T) { testShutdown(t, own) })
	}
}

func testShutdown(t *testing.T, own bool) {
	vl := newValveListener(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log lockedBuffer
	ts := startServerCtx(ctx, t, Options{Listener: vl, Log: &log, ownScreens: own})
	s, addr := ts.s, ts.s.Addr().String()
	a := connect(t, addr, "a", newKey(t))
	stalled := connect(t, addr, "stalled", newKey(t))
	b := connect(t, addr, "b", newKey(t))
	if own {
		ts.freeze(vl.of(stalled), ts.session(stalled).viewer) // now its writes block
	} else {
		ts.shared("all three on one screen", 1, 3)
		vl.of(stalled).out.close()
		ts.advance(time.Second) // something to draw
		vl.of(stalled).out.waitBlocked(t, "write to the stalled client")
	}

	cancel()
	for _, tm := range []*term{a, b} {
		if err := tm.ended(); err != nil {
			t.Errorf("%s: session ended with %v", tm.name, err)
		}
		if !strings.Contains(tm.stderr.String()+tm.screen(), "the server is shutting down; the lesson is over") {
			t.Errorf("%s: not told why: stderr %q", tm.name, tm.stderr.String())
		}
		if tm.emu.IsAltScreen() {
			t.Errorf("%s: the terminal was left on the alternate screen", tm.name)
		}
	}
	// The stalled one holds on until the grace is over: only then is its
	// connection cut.
	ts.clock.waitTimer(t, quitGrace)
	ts.until("only the stalled session left", func() bool { return len(ts.sessions()) == 1 })
	select {
	case <-s.done:
		t.Fatal("the server stopped before the grace was over: the stalled client was not stalled")
	default:
	}
	ts.clock.Advance(quitGrace)
	done := make(chan error, 1)
	go func() { done <- s.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(wait):
		t.Fatal("the server did not stop")
	}
	if err := s.feed.current().Sync(); err != cluster.ErrStopped {
		t.Errorf("the lecture's cluster still runs: %v", err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Error("still listening after shutdown")
	}
	if !strings.Contains(log.String(), "stopped") {
		t.Errorf("no clean stop in the log:\n%s", log.String())
	}
}
