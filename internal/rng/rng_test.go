package rng

import (
	"math"
	"testing"
)

// The numbers are uniform enough for a simulator: every bucket of a
// histogram of Below gets its share, Float stays in [0, 1) with mean one
// half, and sibling streams and neighbouring keys do not echo each other.
func TestUniform(t *testing.T) {
	const draws, buckets = 200_000, 20
	s := New(7)
	var hist [buckets]int
	sum := 0.0
	for k := range uint64(draws) {
		b := Below(s.At(k), buckets)
		if b < 0 || b >= buckets {
			t.Fatalf("Below(%d) = %d", buckets, b)
		}
		hist[b]++
		f := Float(s.Sub(1).At(k))
		if f < 0 || f >= 1 {
			t.Fatalf("Float = %v", f)
		}
		sum += f
	}
	chi2 := 0.0
	for _, n := range hist {
		d := float64(n) - draws/buckets
		chi2 += d * d / (draws / buckets)
	}
	if chi2 > 45 { // 19 degrees of freedom: p < 0.001
		t.Errorf("chi-square %.1f over %d buckets: %v", chi2, buckets, hist)
	}
	if mean := sum / draws; math.Abs(mean-0.5) > 0.005 {
		t.Errorf("mean of Float %.4f, want 0.5", mean)
	}
	same := 0
	for k := range uint64(1000) {
		if New(7).Sub(1).At(k)>>60 == New(7).Sub(2).At(k)>>60 {
			same++
		}
	}
	if same > 100 { // 1000/16 expected
		t.Errorf("sibling streams agree on the top 4 bits in %d of 1000 draws", same)
	}
}

func TestDeterministic(t *testing.T) {
	if New(1).Sub(5).At(3) != New(1).Sub(5).At(3) {
		t.Fatal("the same draw differs")
	}
	if New(1).At(0) == New(2).At(0) || New(1).Sub(1).At(0) == New(1).Sub(2).At(0) {
		t.Fatal("different streams gave the same first draw")
	}
	if Below(^uint64(0), 10) != 9 || Below(0, 10) != 0 {
		t.Fatal("Below does not span its range")
	}
}
