package transport

import (
	"math/bits"
	"slices"
	"time"

	"raftty/internal/minheap"
)

// arrivals orders the messages on the wire by (arrival time, sending
// order). It is a timing wheel: arrival times fall into buckets of
// wheelWidth, a bucket is sorted only when the earliest message is taken
// from it, and a bitmap finds the next non-empty bucket. A push and a pop
// cost the same with 5 messages in flight as with 2000 (a 1000-node
// heartbeat round), where a heap's cost grows with the log of the count.
// Messages beyond the wheel's horizon wait in a heap; the earliest of both
// comes out.
type arrivals struct {
	buckets [wheelSize]bucket
	// nonEmpty has a bit per bucket that holds a message.
	nonEmpty [wheelSize / 64]uint64
	// base is the absolute bucket (arrival time / wheelWidth) of the last
	// message taken out: every message in the wheel is in [base,
	// base+wheelSize), because nothing arrives before what was delivered.
	base int64
	// sorted is the absolute bucket whose messages are in order, or -1.
	sorted int64
	n      int
	far    minheap.Heap[flight, *flight]
}

const (
	wheelWidth = 1 << 14 // ns: 16.4us
	wheelSize  = 1 << 10 // buckets: a horizon of 16.8ms
)

type bucket struct {
	items []flight
	head  int // items before head have been taken out
}

func newArrivals() *arrivals { return &arrivals{sorted: -1} }

// advance moves the horizon to now while the wheel is empty, so that it
// follows time even when no message is taken out for longer than the
// horizon (50ms heartbeats would otherwise send every message to the heap).
// Only while empty: a caller may send at a later now without taking out
// what arrives before it.
func (a *arrivals) advance(now time.Duration) {
	if a.n == 0 {
		a.base = max(a.base, int64(now/wheelWidth))
	}
}

func (a *arrivals) len() int { return a.n + len(a.far) }

func (a *arrivals) push(f flight) {
	abs := int64(f.at / wheelWidth)
	if abs >= a.base+wheelSize {
		a.far.Push(f)
		return
	}
	// A message that arrives before base (sent with an earlier now than the
	// last arrival taken out, which a simulation never does) still comes
	// out first: it goes to base's bucket, the earliest, in order.
	abs = max(abs, a.base)
	slot := abs & (wheelSize - 1)
	b := &a.buckets[slot]
	if abs == a.sorted {
		i, _ := slices.BinarySearchFunc(b.items[b.head:], f, cmpFlight)
		b.items = slices.Insert(b.items, b.head+i, f)
	} else {
		b.items = append(b.items, f)
	}
	a.nonEmpty[slot/64] |= 1 << (slot % 64)
	a.n++
}

// first returns the absolute bucket of the earliest non-empty bucket, with
// its contents sorted; ok is false if the wheel is empty.
func (a *arrivals) first() (int64, bool) {
	if a.n == 0 {
		return 0, false
	}
	start := a.base & (wheelSize - 1)
	for i := int64(0); i <= wheelSize/64; i++ {
		w := (start/64 + i) % (wheelSize / 64)
		word := a.nonEmpty[w]
		if i == 0 {
			word &= ^uint64(0) << (start % 64) // buckets at or after base in this word
		} else if i == wheelSize/64 {
			word &= (1 << (start % 64)) - 1 // wrapped round: the rest of base's word
		}
		if word == 0 {
			continue
		}
		slot := w*64 + int64(bits.TrailingZeros64(word))
		abs := a.base + (slot-start+wheelSize)%wheelSize
		if abs != a.sorted {
			b := &a.buckets[slot]
			slices.SortFunc(b.items[b.head:], cmpFlight)
			a.sorted = abs
		}
		return abs, true
	}
	panic("transport: arrivals count and bitmap disagree")
}

func (a *arrivals) peek() (flight, bool) {
	abs, ok := a.first()
	switch {
	case !ok && len(a.far) == 0:
		return flight{}, false
	case !ok:
		return a.far.Peek(), true
	}
	b := &a.buckets[abs&(wheelSize-1)]
	f := b.items[b.head]
	if len(a.far) > 0 {
		if g := a.far.Peek(); g.Before(&f) {
			return g, true
		}
	}
	return f, true
}

// pop removes and returns the earliest message; the queue must not be
// empty.
func (a *arrivals) pop() flight {
	abs, ok := a.first()
	if !ok {
		return a.far.Pop()
	}
	slot := abs & (wheelSize - 1)
	b := &a.buckets[slot]
	if len(a.far) > 0 {
		if g := a.far.Peek(); g.Before(&b.items[b.head]) {
			return a.far.Pop()
		}
	}
	f := b.items[b.head]
	b.head++
	a.n--
	if b.head == len(b.items) {
		b.items, b.head = b.items[:0], 0
		a.nonEmpty[slot/64] &^= 1 << (slot % 64)
	}
	a.base = abs
	return f
}

func cmpFlight(x, y flight) int {
	switch {
	case x.Before(&y):
		return -1
	case y.Before(&x):
		return 1
	}
	return 0
}

// clone returns a deep copy of the arrival order.
func (a *arrivals) clone() *arrivals {
	c := &arrivals{nonEmpty: a.nonEmpty, base: a.base, sorted: a.sorted, n: a.n, far: slices.Clone(a.far)}
	for i := range a.buckets {
		if b := &a.buckets[i]; len(b.items) > b.head {
			c.buckets[i] = bucket{items: slices.Clone(b.items[b.head:])}
		}
	}
	return c
}

// each calls yield for every message on the wire, in no particular order,
// until yield returns false.
func (a *arrivals) each(yield func(flight) bool) {
	for w, bits64 := range a.nonEmpty {
		for ; bits64 != 0; bits64 &= bits64 - 1 {
			b := &a.buckets[w*64+bits.TrailingZeros64(bits64)]
			for _, f := range b.items[b.head:] {
				if !yield(f) {
					return
				}
			}
		}
	}
	for _, f := range a.far {
		if !yield(f) {
			return
		}
	}
}
