// Package rng is raftty's counter-based random numbers: a draw is a pure
// function of the seed, the stream it belongs to and the draw's key, with no
// state between draws. Two simulations of one seed that make the same draw
// (the same node's fifth timer reset, the same link's tenth message) get the
// same number, however many other draws either made before; a stream costs
// no memory, and copying a simulation copies no generator.
//
// The numbers are SplitMix64's (Steele, Lea and Flood, "Fast splittable
// pseudorandom number generators", OOPSLA 2014): draw k of a stream is the
// generator's k-th output from the stream's key, and a sub-stream's key is
// a hash of its parent's key and its name. SplitMix64 passes BigCrush; it is
// not for cryptography.
package rng

import "math/bits"

// Stream is one independent stream of random numbers: a key. The zero
// Stream is valid (and is the stream of seed 0).
type Stream struct{ key uint64 }

// golden is 2^64 divided by the golden ratio, SplitMix64's increment.
const golden = 0x9e3779b97f4a7c15

// mix is SplitMix64's finalizer (Stafford's variant 13): a bijection of
// 64-bit numbers in which every input bit changes every output bit with
// probability about one half.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// New returns the root stream of seed.
func New(seed uint64) Stream { return Stream{mix(seed + golden)} }

// Sub returns the stream named id within s: independent of s, of s's other
// sub-streams and of their draws.
func (s Stream) Sub(id uint64) Stream { return Stream{mix(s.key ^ mix(id+0x632be59bd9b4e019))} }

// At returns draw k of s: a uniform 64-bit number.
func (s Stream) At(k uint64) uint64 { return mix(s.key + (k+1)*golden) }

// Below maps a uniform 64-bit number u to a uniform number in [0, n),
// n > 0, by Lemire's multiply-shift: one multiplication, with a bias below
// n/2^64 (under 10^-9 for any duration raftty draws), and monotone in u.
func Below(u uint64, n int64) int64 {
	hi, _ := bits.Mul64(u, uint64(n))
	return int64(hi)
}

// Float maps a uniform 64-bit number to a uniform float64 in [0, 1).
func Float(u uint64) float64 { return float64(u>>11) / (1 << 53) }
