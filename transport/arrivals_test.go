package transport

import (
	"math/rand/v2"
	"testing"
	"time"

	"raftty/internal/minheap"
)

// The wheel hands out exactly what a sort by (arrival, sending order)
// would, with pushes and pops interleaved as a simulation makes them:
// nothing pushed arrives before the last message taken out. Latencies range
// from zero (the same bucket as now) past the wheel's horizon.
func TestArrivalsOrderLikeASort(t *testing.T) {
	for _, maxLatency := range []time.Duration{0, time.Microsecond, 100 * time.Microsecond, 5 * time.Millisecond, 40 * time.Millisecond, 3 * time.Second} {
		rng := rand.New(rand.NewPCG(uint64(maxLatency), 1))
		a := newArrivals()
		var ref minheap.Heap[flight, *flight] // the order a heap gives, which the wheel replaced
		now := time.Duration(0)
		seq := uint64(0)
		for step := 0; step < 10000; step++ {
			if rng.IntN(3) > 0 || len(ref) == 0 {
				for range 1 + rng.IntN(8) {
					seq++
					f := flight{at: now + time.Duration(rng.Int64N(int64(maxLatency)+1)), seq: seq}
					a.advance(now)
					a.push(f)
					ref.Push(f)
				}
				continue
			}
			want := ref.Pop()
			if p, ok := a.peek(); !ok || p != want {
				t.Fatalf("latency %v, step %d: peek %+v, want %+v", maxLatency, step, p, want)
			}
			if got := a.pop(); got != want {
				t.Fatalf("latency %v, step %d: pop %+v, want %+v", maxLatency, step, got, want)
			}
			now = want.at
			if a.len() != len(ref) {
				t.Fatalf("len %d, want %d", a.len(), len(ref))
			}
		}
	}
}
