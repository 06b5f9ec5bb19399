package serve

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

var cycles = flag.Int("cycles", 300, "connect/disconnect cycles of TestConnectDisconnectCycles (100 with -short)")

// readUntil reads the session's output until it contains want.
func readUntil(out io.Reader, want string) error {
	var got []byte
	buf := make([]byte, 32<<10)
	for !bytes.Contains(got, []byte(want)) {
		n, err := out.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			return fmt.Errorf("output ended before %q: %w", want, err)
		}
	}
	return nil
}

// Hundreds of sessions come and go, some quitting with q and some cut off:
// none leaves a goroutine or memory behind.
//
// 300 cycles: 100 to warm up, then 200 measured. A goroutine left behind
// by any of them fails the test, however rare; memory fails it past 1 MB,
// about 6 lost sessions (a session whose program or idle timer is never
// released keeps some 160 KB: both fail at once), so a leak that takes
// one session in 30 or more. A thousand cycles (-cycles 1000) reach one in
// 150, for 10 s of CPU under -race instead of 3.
//
// Each cycle is a whole one: a connection, its handshake, a session with a
// terminal, its program, its first frame, its end. What makes it cheap is
// what the property does not depend on: the terminal is too small for the
// panels (the view says so, and the model, its feed cursor, its frames and
// the program's goroutines are all there), and the clients offer the key
// exchange that costs least (ecdh-sha2-nistp256, in assembly; the default
// post-quantum hybrid costs five times more under the race detector).
// Drawing 120x40 took three quarters of a cycle: the panels are the tui's
// to test, a frame's writes blocked at a cut are the stall, idle and
// shutdown tests'.
func TestConnectDisconnectCycles(t *testing.T) {
	n := *cycles
	if testing.Short() && n > 100 {
		n = 100
	}
	ts := startServer(t, Options{})
	addr := ts.s.Addr().String()
	ts.electLeader()
	key := newKey(t)

	cycle := func(i int) error {
		c, err := dial(t, addr, gossh.PublicKeys(key))
		if err != nil {
			return err
		}
		defer c.Close()
		s, err := c.NewSession()
		if err != nil {
			return err
		}
		out, _ := s.StdoutPipe()
		in, _ := s.StdinPipe()
		if err := s.RequestPty("xterm", 3, 20, gossh.TerminalModes{}); err != nil { // too small: one line of text
			return err
		}
		if err := s.Shell(); err != nil {
			return err
		}
		if err := readUntil(out, "too small"); err != nil {
			return err
		}
		if i%2 == 0 { // quits with q; the others are cut off
			_, _ = in.Write([]byte("q"))
			if err := s.Wait(); err != nil {
				return fmt.Errorf("quitting: %w", err)
			}
		}
		return nil
	}
	settle := func() (goroutines int, heap uint64) {
		ts.until("every session gone", func() bool { return len(ts.sessions()) == 0 && ts.s.conns.Load() == 0 })
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return runtime.NumGoroutine(), ms.HeapAlloc
	}
	// Ten clients at a time: a cycle mostly waits for the first frame.
	run := func(from, to int) {
		var wg sync.WaitGroup
		next := make(chan int)
		for range 10 {
			wg.Go(func() {
				for i := range next {
					if err := cycle(i); err != nil {
						t.Errorf("cycle %d: %v", i, err)
					}
				}
			})
		}
		for i := from; i < to; i++ {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	warm := min(100, n/2)
	run(0, warm)
	g0, h0 := settle()
	run(warm, n)
	// Goroutines that end tell nobody: this polls, but the verdict is no
	// race, as a leaked goroutine never ends, and a slow one ends in the end.
	for deadline := time.Now().Add(wait); ; {
		if g, _ := settle(); g <= g0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines not back to %d within %v:\n%s", g0, wait, goroutines())
		}
		<-time.After(time.Millisecond)
	}
	_, h1 := settle()
	t.Logf("%d cycles: %d goroutines; heap %d KB after %d cycles, %d KB after %d", n, g0, h0>>10, warm, h1>>10, n)
	// Memory may wobble, not grow with the cycles: 1 MB is about 10 lost
	// models.
	if h1 > h0+1<<20 {
		t.Fatalf("heap grew from %d KB to %d KB over %d cycles", h0>>10, h1>>10, n-warm)
	}
}

// goroutines is every goroutine's stack, for a failure.
func goroutines() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}
