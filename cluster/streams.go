package cluster

import "raftty/internal/rng"

// streams are a cluster's random numbers: independent streams derived from
// its seed, one per node for its election timeouts and one per directed link
// for the loss and latency of its messages. A draw is keyed by what it is
// for: a node's k-th timer draw, a link's k-th message. So a change alters
// only the draws that depend on it: turning PreVote on moves no link's
// numbers and no timer draw of a node whose resets it does not change;
// killing n3 moves nothing of n1's timer or of the link n1 -> n2; a new
// latency range moves no timer. Two worlds that differ in one setting then
// differ only where that setting matters, which is what makes them
// comparable (common random numbers).
//
// Keying by count was measured against keying by the instant of the draw
// (the node and the instant of the reset; the link, the send instant and the
// message's place among those sent at that instant) over 100 seeds of the
// leader-crash scenario: by instant, any change that moves time (PreVote's
// extra round, another latency) gives every later reset a new number, and
// the two worlds elect the same leaders in 21 seeds of 100 with PreVote on
// in one, 24 with another latency; by count, in 86 and 95 (one stream for
// everything: 26 and 77). Keying by instant recovers better from a lost
// message (a follower that missed a heartbeat is back in step at the next
// one), which is worth less than surviving a shift of time.
//
// chaos and the bench draw their own numbers from sources seeded apart from
// these, so none of their draws moves a cluster's.
type streams struct {
	size int
	// timers holds each node's stream, by node id (index 0 unused): the
	// raft node draws from it through a pointer, so the slice never grows.
	timers []timerStream
	links  rng.Stream
	// sent counts the messages sent on each directed link so far, at
	// (from-1)*size + to-1: the key of the next message's draws. It wraps
	// after 2^32 messages on one link, which only reuses numbers.
	sent []uint32
}

// The streams of a seed, by what draws from them.
const (
	streamTimers = 1
	streamLinks  = 2
)

func newStreams(seed uint64, size int) *streams {
	root := rng.New(seed)
	s := &streams{
		size:   size,
		timers: make([]timerStream, size+1),
		links:  root.Sub(streamLinks),
		sent:   make([]uint32, size*size),
	}
	timers := root.Sub(streamTimers)
	for id := range s.timers {
		s.timers[id].key = timers.Sub(uint64(id))
	}
	return s
}

// clone returns an independent copy in the same state.
func (s *streams) clone() *streams {
	c := *s
	c.timers = append([]timerStream(nil), s.timers...)
	c.sent = append([]uint32(nil), s.sent...)
	return &c
}

// timer returns node id's timer stream, for raft.Config.Rand.
func (s *streams) timer(id int) *timerStream { return &s.timers[id] }

// timerStream is one node's election timeout draws: the k-th draw is a
// function of the seed, the node and k alone. A restarted node goes on
// where it stopped.
type timerStream struct {
	key   rng.Stream
	draws uint64
}

// Int64N returns the node's next draw in [0, n), as raft.Rand asks.
func (t *timerStream) Int64N(n int64) int64 {
	t.draws++
	return rng.Below(t.key.At(t.draws), n)
}

// Draw returns the loss and latency numbers of the next message on the
// link from -> to (transport.Rand): functions of the seed, the link and
// how many messages it carried before, whatever happens elsewhere.
func (s *streams) Draw(from, to int) (loss, latency uint64) {
	i := (from-1)*s.size + to - 1
	s.sent[i]++
	k := 2 * uint64(s.sent[i])
	key := s.links.Sub(uint64(from)<<32 | uint64(to))
	return key.At(k), key.At(k + 1)
}
