package minheap

import (
	"math/rand/v2"
	"slices"
	"testing"
)

type item struct{ key, seq int }

func (a *item) Before(b *item) bool { return a.key < b.key || (a.key == b.key && a.seq < b.seq) }

func TestPopsInOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	var h Heap[item, *item]
	var want []item
	for i := 0; i < 1000; i++ {
		x := item{key: rng.IntN(50), seq: i}
		h.Push(x)
		want = append(want, x)
	}
	slices.SortFunc(want, func(a, b item) int {
		if a.Before(&b) {
			return -1
		}
		return 1
	})
	for i, w := range want {
		if h.Peek() != w {
			t.Fatalf("peek %d: %v, want %v", i, h.Peek(), w)
		}
		if got := h.Pop(); got != w {
			t.Fatalf("pop %d: %v, want %v", i, got, w)
		}
	}
	if h.Len() != 0 {
		t.Fatalf("%d left", h.Len())
	}
}
