package serve

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"raftty/cluster"
	sessions "raftty/session"
)

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rss is the process's resident memory (Linux; 0 elsewhere), what the
// machine gives the server, heap, stacks, runtime and all, once the memory
// the heap no longer uses is returned. The clients are in the process too:
// their share (SSH buffers) is small next to a view's.
func rss() uint64 {
	debug.FreeOSMemory()
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, resident uint64
	if _, err := fmt.Sscan(string(data), &size, &resident); err != nil {
		return 0
	}
	return resident * uint64(os.Getpagesize())
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// BenchmarkWatchers measures what a lecture costs the server with 1, 10,
// 50 and 300 watchers at 120x40, at the live view's default speed (0.1x) and at
// 1x, on the wall clock: CPU (percent of one core), heap and resident
// memory, without viewers and with them, and so per viewer. Each iteration is a window of
// benchWindow; run it with -benchtime 1x:
//
//	go test ./serve -run '^$' -bench Watchers -benchtime 1x
//
// CPU is the process's (getrusage), not wall time: the figures hold on a
// busy machine, as far as the machine gives the process a core.
//
// The clients run in the same process: their share (decrypting and
// discarding what the server sends) is in the figures, and is small next
// to drawing a view.
//
// Watchers who follow the teacher share a screen (screen.go); the
// own=true runs give each a view of its own, as a watcher who went their
// own way has, for comparison (300 of those do not fit on two cores).
func BenchmarkWatchers(b *testing.B) {
	for _, speed := range []float64{0.1, 1} {
		for _, n := range []int{1, 10, 50, 300} {
			b.Run(fmt.Sprintf("speed=%gx/viewers=%d", speed, n), func(b *testing.B) { benchWatchers(b, speed, n, false, 1) })
		}
	}
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("own=true/speed=0.1x/viewers=%d", n), func(b *testing.B) { benchWatchers(b, 0.1, n, true, 1) })
	}
	// A hall's terminals are not all one size: each size is a screen.
	b.Run("sizes=10/speed=0.1x/viewers=300", func(b *testing.B) { benchWatchers(b, 0.1, 300, false, 10) })
}

const benchWindow = 3 * time.Second

type countingDiscard struct{ n *atomic.Int64 }

func (c countingDiscard) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return len(p), nil
}

func benchWatchers(b *testing.B, speed float64, n int, own bool, sizes int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	cfg := cluster.DefaultConfig()
	cfg.Seed = 42
	s, err := Start(context.Background(), Options{
		Listener: ln, HostKeyPath: filepath.Join(b.TempDir(), "host"), MaxSessions: n, Log: io.Discard,
		// What is measured is the class once seated: a saturated machine
		// may take more than the default 30 s to seat the 300th.
		HandshakeTimeout: 10 * time.Minute,
		UI:               sessions.Options{Config: cfg, Speed: speed},
		ownScreens:       own,
	})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	addr := s.Addr().String()
	window := func() (cpu float64) {
		c0, t0 := cpuTime(), time.Now()
		<-time.After(benchWindow)
		return float64(cpuTime()-c0) / float64(time.Since(t0)) * 100
	}
	cpu0, heap0, rss0 := window(), heapInUse(), rss()

	var received atomic.Int64
	var clients []*gossh.Client
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	seat := time.Now()
	for i := range n {
		c, err := dial(b, addr, gossh.PublicKeys(newKey(b)))
		if err != nil {
			b.Fatal(err)
		}
		clients = append(clients, c)
		sess, err := c.NewSession()
		if err != nil {
			b.Fatal(err)
		}
		out, _ := sess.StdoutPipe()
		// Sizes from 120x40 down, a column and a row at a time.
		w, h := termW-i%sizes, termH-i%sizes
		if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
			b.Fatal(err)
		}
		if err := sess.Shell(); err != nil {
			b.Fatal(err)
		}
		if err := readUntil(out, "statistics"); err != nil {
			b.Fatalf("viewer %d: %v", i, err)
		}
		go func() { _, _ = io.Copy(countingDiscard{&received}, out) }()
	}
	seated := time.Since(seat)
	b.ResetTimer()
	var cpu float64
	r0, t0 := received.Load(), time.Now()
	for range b.N {
		cpu += window()
	}
	cpu /= float64(b.N)
	rate := float64(received.Load()-r0) / time.Since(t0).Seconds()
	b.StopTimer()
	heap, rssN := heapInUse(), rss()
	if p := os.Getenv("RAFTTY_HEAP_PROFILE"); p != "" {
		f, err := os.Create(p)
		if err == nil {
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	b.ReportMetric(cpu, "cpu%")
	b.ReportMetric(cpu0, "cpu%-alone")
	b.ReportMetric((cpu-cpu0)/float64(n), "cpu%/viewer")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
	b.ReportMetric((float64(heap)-float64(heap0))/float64(n)/(1<<10), "heap-KB/viewer")
	b.ReportMetric(float64(rssN)/(1<<20), "rss-MB")
	b.ReportMetric((float64(rssN)-float64(rss0))/float64(n)/(1<<10), "rss-KB/viewer")
	b.ReportMetric(rate/float64(n)/(1<<10), "KB/s/viewer")
	b.ReportMetric(seated.Seconds(), "s-to-seat")
}
