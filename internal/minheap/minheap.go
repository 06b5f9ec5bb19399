// Package minheap is a binary min-heap over a slice, generic over element
// types that order themselves. It exists because container/heap boxes every
// element in an interface, which the simulator's hot path cannot afford.
package minheap

// Ordered is implemented by a pointer to an element that knows whether it
// comes before another. Comparing through pointers spares copying large
// elements (an envelope with its message) at every step of a sift.
type Ordered[T any] interface {
	*T
	Before(other *T) bool
}

// Heap is a min-heap: Pop returns the element that comes before all others.
// PT is *T; Go infers it.
type Heap[T any, PT Ordered[T]] []T

// Len returns the number of elements.
func (h Heap[T, PT]) Len() int { return len(h) }

// Peek returns the least element without removing it; the heap must not be
// empty.
func (h Heap[T, PT]) Peek() T { return h[0] }

// The heap is 4-ary: each node has four children. Against a binary heap it
// halves the depth, so a sift touches half as many cache lines; a pop
// compares more children per level, but they sit side by side in memory.
// With a thousand messages in flight (a 1000-node heartbeat round) this is
// most of the cost of an event.
const arity = 4

// Push adds x.
func (h *Heap[T, PT]) Push(x T) {
	*h = append(*h, x)
	s := *h
	for i := len(s) - 1; i > 0; {
		parent := (i - 1) / arity
		if !PT(&s[i]).Before(&s[parent]) {
			break
		}
		s[i], s[parent] = s[parent], s[i]
		i = parent
	}
}

// Pop removes and returns the least element; the heap must not be empty.
func (h *Heap[T, PT]) Pop() T {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	var zero T
	s[last] = zero // let the garbage collector have what it referenced
	s = s[:last]
	for i := 0; ; {
		least := i
		first := arity*i + 1
		for c := first; c < first+arity && c < len(s); c++ {
			if PT(&s[c]).Before(&s[least]) {
				least = c
			}
		}
		if least == i {
			break
		}
		s[i], s[least] = s[least], s[i]
		i = least
	}
	*h = s
	return top
}
