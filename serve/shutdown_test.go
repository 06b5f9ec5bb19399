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
// after a bounded grace, stops the lecture's cluster, and leaves nothing
// running (TestMain's goleak checks the last).
func TestShutdownOnContextCancel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log lockedBuffer
	const feedSize = 512
	ts := startServerCtx(ctx, t, Options{Listener: smallBuffers{ln}, Log: &log, FeedSize: feedSize})
	s, addr := ts.s, ts.s.Addr().String()
	aKey := newKey(t)
	a := connect(t, addr, "a", aKey)
	_, sc := dialStalling(t, addr)
	close(sc.stalled)
	runUntilBehind(t, ts, aKey, feedSize) // now its writes block
	b := connect(t, addr, "b", newKey(t))

	start := time.Now()
	cancel()
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
	took := time.Since(start)
	t.Logf("stopped in %v", took.Round(time.Millisecond))
	if took < quitGrace {
		t.Errorf("stopped in %v: the stalled client was not stalled (its cut comes after %v)", took, quitGrace)
	}
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
