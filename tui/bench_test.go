package tui

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
)

// frozen is a cluster that no longer moves: a snapshot and nothing to drain.
type frozen struct{ snap cluster.Snapshot }

func (f frozen) Apply(cluster.Command) error                    { return nil }
func (f frozen) Drain(b []cluster.Event) ([]cluster.Event, int) { return b, 0 }
func (f frozen) Snapshot() cluster.Snapshot                     { return f.snap }
func (f frozen) Recording() []cluster.TimedCommand              { return nil }
func (f frozen) SnapshotAt(time.Duration) (cluster.Snapshot, error) {
	return f.snap, nil
}
func (f frozen) Fork(time.Duration, cluster.Command) error { return nil }
func (f frozen) SnapshotAtDecision(int) (cluster.Snapshot, []cluster.Event, error) {
	return f.snap, nil, nil
}

// fullModel is a model whose history is full: a churning cluster (3s
// heartbeats, so that every leader is deposed) run for a virtual minute,
// its events ingested again and again, a minute later each time, until the
// event log's ring has wrapped: the longest log the view ever filters.
func fullModel(b testing.TB, nodes, w, h int) *Model {
	b.Helper()
	cfg := cluster.DefaultConfig()
	cfg.Nodes, cfg.Seed = nodes, 1
	cfg.Heartbeat = 3 * time.Second
	var events []cluster.Event
	c, err := cluster.New(cfg, func(e cluster.Event) { events = append(events, e) })
	if err != nil {
		b.Fatal(err)
	}
	c.RunFor(time.Minute)
	for len(c.InFlight()) == 0 && c.Step() {
	}
	snap := snapshotOf(c)
	m := New(frozen{snap: snap}, Options{})
	for shift := time.Duration(0); m.hist.decisions.dropped == 0; shift += snap.Now {
		for i := range events {
			e := events[i]
			e.At += shift
			m.hist.ingest(&e)
		}
	}
	// The snapshot is the moment after the last repetition.
	m.snap.Now = m.hist.decisions.ptr(m.hist.decisions.len() - 1).at()
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// BenchmarkView draws the whole screen, map included, from a full history,
// every iteration (as when the clock runs: a paused View returns the last
// frame and costs nothing).
func BenchmarkView(b *testing.B) {
	for _, tc := range []struct{ nodes, w, h int }{{5, 120, 40}, {9, 120, 40}, {5, 240, 60}, {9, 240, 60}, {101, 250, 70}} {
		b.Run(fmt.Sprintf("%dnodes_%dx%d", tc.nodes, tc.w, tc.h), func(b *testing.B) {
			m := fullModel(b, tc.nodes, tc.w, tc.h)
			if !strings.Contains(ansi.Strip(m.render()), "┌ map") {
				b.Fatal("no map on screen")
			}
			if len(m.snap.Flights) == 0 {
				b.Fatal("no message in flight: the map's costliest part is not measured")
			}
			b.ReportAllocs()
			for b.Loop() {
				m.dirty = true
				_ = m.View()
			}
		})
	}
}

// BenchmarkIngest measures how many events per second the UI absorbs into
// its timeline and log.
func BenchmarkIngest(b *testing.B) {
	cfg := cluster.DefaultConfig()
	cfg.Seed = 1
	var events []cluster.Event
	c, _ := cluster.New(cfg, func(e cluster.Event) { events = append(events, e) })
	c.RunFor(10 * time.Second)
	c.Kill(c.Leader())
	c.RunFor(10 * time.Second)
	hist := newHistory(cfg.Nodes)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		hist.ingest(&events[n%len(events)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkViewFiltered draws the whole screen with a / filter set, beside
// the same screen without one (issue 17: a filter must cost no more than
// half as much again as no filter). Filters: none; a kind and a node; a
// word of the text. cpu-ns/op is the drawing thread's CPU time a frame.
func BenchmarkViewFiltered(b *testing.B) {
	for _, tc := range []struct{ nodes, w, h int }{{5, 120, 40}, {5, 250, 70}, {101, 120, 40}, {101, 250, 70}} {
		for _, filter := range []string{"", "vote n3", "leader"} {
			name := fmt.Sprintf("%dnodes_%dx%d_filter=%q", tc.nodes, tc.w, tc.h, filter)
			b.Run(name, func(b *testing.B) {
				m := fullModel(b, tc.nodes, tc.w, tc.h)
				m.scr.log.setFilter(filter)
				if filter != "" && !strings.Contains(ansi.Strip(m.render()), "/"+filter+": ") {
					b.Fatal("the filter is not on screen")
				}
				benchFrames(b, m)
			})
		}
	}
}

// benchFrames draws m's whole screen every iteration, as when the clock
// runs (a paused View returns the last frame and costs nothing), and
// reports cpu-ns/op, the drawing thread's CPU time a frame: steadier than
// ns/op on a busy machine (the GC's background work left out).
func benchFrames(b *testing.B, m *Model) {
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu := threadCPU()
	for b.Loop() {
		m.dirty = true
		_ = m.View()
	}
	if cpu > 0 {
		b.ReportMetric(float64(threadCPU()-cpu)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkLongRunHeap runs a default 5-node cluster through the view for
// 16 virtual hours, as a live view at 64x does in 15 minutes, and reports
// the heap that stays: what grows is the history's checkpoints (one per
// 16384 events, at most 1024: full after 15 virtual hours) and the
// timeline's marks (2 million at most: full after 6), then nothing. The
// process's RSS is about twice the heap (GOGC=100).
func BenchmarkLongRunHeap(b *testing.B) {
	for b.Loop() {
		h := newHarness(b, 1)
		heap := func() float64 {
			runtime.GC()
			var s runtime.MemStats
			runtime.ReadMemStats(&s)
			return float64(s.HeapInuse) / (1 << 20)
		}
		var at [4]float64 // after 1, 6, 15 and 16 virtual hours
		for hour := 1; hour <= 16; hour++ {
			for i := range 3600 * 4 { // a virtual hour in 250ms ticks
				h.wall = h.wall.Add(250 * time.Millisecond)
				h.ticks <- h.wall
				if i%40 == 0 {
					h.frame() // a frame drains what the ticks made, as the program does
				}
			}
			h.frame()
			switch hour {
			case 1:
				at[0] = heap()
			case 6:
				at[1] = heap()
			case 15:
				at[2] = heap()
			case 16:
				at[3] = heap()
			}
		}
		b.ReportMetric(at[0], "heap-MiB-1h")
		b.ReportMetric(at[1], "heap-MiB-6h")
		b.ReportMetric(at[2], "heap-MiB-15h")
		b.ReportMetric(at[3], "heap-MiB-16h")
		b.ReportMetric(float64(h.live.History().Checkpoints()), "checkpoints")
	}
}
