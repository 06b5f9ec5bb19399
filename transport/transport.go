// Package transport is raftty's in-process network: a wire between N nodes
// that decides, for every message, whether it arrives and when.
//
// A node can be disconnected (all its links, both ways), a single link can be
// cut one way or both, the nodes can be split into partitions and healed, and
// every message takes a latency drawn from a range and may be lost with a
// probability. Every message ends in exactly one of two ways: delivered, or
// dropped with a Reason. Nothing vanishes silently.
//
// The transport knows messages only as envelopes with a sender and a
// receiver; the payload is opaque to it. It has no goroutines and no
// clock: the caller says what time it is, and takes arrivals out in order of
// virtual time, so that one seed gives one history.
package transport

import (
	"fmt"
	"iter"
	"slices"
	"time"

	"raftty/internal/rng"
)

// Rand decides the random part of every message's fate. Draw returns two
// uniform 64-bit numbers for the next message from -> to: the first decides
// whether it is lost, the second its latency. The network asks once for
// every message it is given, whether the links let it pass or not, so that
// a source that keys its draws by a count of messages per link counts them
// all; it uses only the numbers it needs.
type Rand interface {
	Draw(from, to int) (loss, latency uint64)
}

// Reason says why a message was dropped; Delivered means it was not.
type Reason uint8

// The fates of a message.
const (
	Delivered    Reason = iota
	Disconnected        // sender or receiver is disconnected
	Partitioned         // sender and receiver are in different partitions
	Cut                 // the link from sender to receiver is cut
	Lost                // the network lost it (drop probability)
	Dead                // the receiver is dead, or the sender died before it left
)

var reasonNames = [...]string{"delivered", "disconnected", "partitioned", "cut", "loss", "dead"}

// String returns the reason as it appears in events and JSON.
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// Envelope is a message on the wire.
type Envelope[P any] struct {
	From, To int
	Payload  P
	// Delay holds the message back before it leaves, as a disk write
	// before a reply does; its latency counts from now + Delay.
	Delay time.Duration
	// SentAt and ArriveAt are set by Send.
	SentAt   time.Duration
	ArriveAt time.Duration
	seq      uint64
	// withdrawn: its sender died before it left (see Withdraw).
	withdrawn bool
}

// Network is the wire between nodes 1..N.
type Network[P any] struct {
	size int
	rand Rand

	disconnected []bool // by node id
	closed       []bool // by node id: the receiver is dead
	group        []int  // by node id: partition group, all 0 when healed
	cut          []bool // (from-1)*size + (to-1): the one-way link is cut
	// cuts counts the true entries of cut, so that a healthy network of
	// 1000 nodes does not read a megabyte table for every message.
	cuts int

	latencyMin, latencyMax time.Duration
	dropRate               float64

	// inFlight orders the messages on the wire by small keys that point
	// into slots, so that ordering moves 24 bytes rather than an envelope:
	// a 1000-node heartbeat round puts 999 messages in flight at once.
	inFlight *arrivals
	slots    []Envelope[P]
	free     []int32
	seq      uint64
}

// flight is a message's place in the arrival order: its slot in slots.
type flight struct {
	at   time.Duration
	seq  uint64
	slot int32
}

// Before orders messages by arrival, then by sending order.
func (f *flight) Before(o *flight) bool {
	if f.at != o.at {
		return f.at < o.at
	}
	return f.seq < o.seq
}

// New makes a fully connected network of size nodes with the given latency
// range (one way) and drop probability.
func New[P any](size int, rnd Rand, latencyMin, latencyMax time.Duration, dropRate float64) (*Network[P], error) {
	if size < 1 {
		return nil, fmt.Errorf("transport: need at least one node, got %d", size)
	}
	nw := &Network[P]{
		size:         size,
		rand:         rnd,
		disconnected: make([]bool, size+1),
		closed:       make([]bool, size+1),
		group:        make([]int, size+1),
		cut:          make([]bool, size*size),
		inFlight:     newArrivals(),
	}
	if err := nw.SetLatency(latencyMin, latencyMax); err != nil {
		return nil, err
	}
	if err := nw.SetDropRate(dropRate); err != nil {
		return nil, err
	}
	return nw, nil
}

func (nw *Network[P]) valid(id int) error {
	if id < 1 || id > nw.size {
		return fmt.Errorf("no node %d (nodes are 1..%d)", id, nw.size)
	}
	return nil
}

// SetLatency sets the one-way latency range; each message takes a uniform
// draw from [min, max].
func (nw *Network[P]) SetLatency(minimum, maximum time.Duration) error {
	if minimum < 0 || minimum > maximum {
		return fmt.Errorf("latency %v-%v: need 0 <= min <= max", minimum, maximum)
	}
	nw.latencyMin, nw.latencyMax = minimum, maximum
	return nil
}

// SetDropRate sets the probability, in [0, 1], that a message is lost.
func (nw *Network[P]) SetDropRate(p float64) error {
	if !(p >= 0 && p <= 1) { // also refuses NaN
		return fmt.Errorf("drop rate %v: need a probability between 0 and 1", p)
	}
	nw.dropRate = p
	return nil
}

// Disconnect cuts all of a node's links, both ways, until Reconnect or Heal.
func (nw *Network[P]) Disconnect(id int) error {
	if err := nw.valid(id); err != nil {
		return err
	}
	nw.disconnected[id] = true
	return nil
}

// Reconnect undoes Disconnect. Partitions and cut links stay as they are.
func (nw *Network[P]) Reconnect(id int) error {
	if err := nw.valid(id); err != nil {
		return err
	}
	nw.disconnected[id] = false
	return nil
}

// IsDisconnected reports whether Disconnect holds for a node.
func (nw *Network[P]) IsDisconnected(id int) bool {
	return nw.valid(id) == nil && nw.disconnected[id]
}

// Close marks a node's endpoint dead: messages to it are dropped, including
// those already on the wire when they arrive. Open undoes it.
func (nw *Network[P]) Close(id int) error {
	if err := nw.valid(id); err != nil {
		return err
	}
	nw.closed[id] = true
	return nil
}

// Open marks a node's endpoint alive again.
func (nw *Network[P]) Open(id int) error {
	if err := nw.valid(id); err != nil {
		return err
	}
	nw.closed[id] = false
	return nil
}

// Partition splits the nodes into groups that cannot reach each other.
// Nodes named in no group form one more group together. A node named twice
// is an error.
func (nw *Network[P]) Partition(groups [][]int) error {
	next := make([]int, nw.size+1)
	for g, members := range groups {
		for _, id := range members {
			if err := nw.valid(id); err != nil {
				return err
			}
			if next[id] != 0 {
				return fmt.Errorf("node %d is in two groups", id)
			}
			next[id] = g + 1
		}
	}
	for id := 1; id <= nw.size; id++ {
		if next[id] == 0 {
			next[id] = len(groups) + 1
		}
	}
	nw.group = next
	return nil
}

// Group returns a node's partition group, counted from 1, or 0 when the
// network is not partitioned.
func (nw *Network[P]) Group(id int) int {
	if nw.valid(id) != nil {
		return 0
	}
	return nw.group[id]
}

// Cut cuts the link from a to b, and from b to a too if bothWays.
func (nw *Network[P]) Cut(a, b int, bothWays bool) error {
	return nw.setLink(a, b, bothWays, true)
}

// Link restores the link between a and b, both ways.
func (nw *Network[P]) Link(a, b int) error {
	return nw.setLink(a, b, true, false)
}

func (nw *Network[P]) setLink(a, b int, bothWays, cut bool) error {
	if err := nw.valid(a); err != nil {
		return err
	}
	if err := nw.valid(b); err != nil {
		return err
	}
	if a == b {
		return fmt.Errorf("a link joins two different nodes, got %d and %d", a, b)
	}
	nw.setCut((a-1)*nw.size+b-1, cut)
	if bothWays {
		nw.setCut((b-1)*nw.size+a-1, cut)
	}
	return nil
}

func (nw *Network[P]) setCut(i int, cut bool) {
	if nw.cut[i] != cut {
		nw.cut[i] = cut
		if cut {
			nw.cuts++
		} else {
			nw.cuts--
		}
	}
}

// IsCut reports whether the one-way link from a to b is cut.
func (nw *Network[P]) IsCut(from, to int) bool {
	return nw.valid(from) == nil && nw.valid(to) == nil && nw.cut[(from-1)*nw.size+to-1]
}

// Heal reconnects every node, ends every partition and restores every link.
func (nw *Network[P]) Heal() {
	clear(nw.disconnected)
	clear(nw.group)
	clear(nw.cut)
	nw.cuts = 0
}

// Reachable says whether a message from one node to another would pass the
// links now (loss and dead receivers aside): Delivered, or the reason not.
func (nw *Network[P]) Reachable(from, to int) Reason {
	switch {
	case nw.disconnected[from] || nw.disconnected[to]:
		return Disconnected
	case nw.group[from] != nw.group[to]:
		return Partitioned
	case nw.cuts > 0 && nw.cut[(from-1)*nw.size+to-1]:
		return Cut
	}
	return Delivered
}

// Send puts e on the wire at virtual time now. It returns Delivered if the
// message is now in flight (Receive will hand it out at its arrival time),
// or the reason it was dropped at once.
func (nw *Network[P]) Send(now time.Duration, e Envelope[P]) (Reason, error) {
	if err := nw.valid(e.From); err != nil {
		return 0, fmt.Errorf("send from: %w", err)
	}
	if err := nw.valid(e.To); err != nil {
		return 0, fmt.Errorf("send to: %w", err)
	}
	lossDraw, latencyDraw := nw.rand.Draw(e.From, e.To)
	if r := nw.Reachable(e.From, e.To); r != Delivered {
		return r, nil
	}
	if nw.dropRate > 0 && rng.Float(lossDraw) < nw.dropRate {
		return Lost, nil
	}
	latency := nw.latencyMin
	if spread := nw.latencyMax - nw.latencyMin; spread > 0 {
		latency += time.Duration(rng.Below(latencyDraw, int64(spread)+1))
	}
	nw.inFlight.advance(now)
	e.SentAt, e.ArriveAt = now, now+e.Delay+latency
	nw.seq++
	e.seq = nw.seq
	var slot int32
	if n := len(nw.free); n > 0 {
		slot = nw.free[n-1]
		nw.free = nw.free[:n-1]
		nw.slots[slot] = e
	} else {
		slot = int32(len(nw.slots))
		nw.slots = append(nw.slots, e)
	}
	nw.inFlight.push(flight{at: e.ArriveAt, seq: e.seq, slot: slot})
	return Delivered, nil
}

// InFlight returns the number of messages on the wire.
func (nw *Network[P]) InFlight() int { return nw.inFlight.len() }

// All yields every message on the wire, in no particular order, without
// copying or allocating per message. The envelopes must not be changed or
// kept after the iteration, and the network must not be changed during it.
func (nw *Network[P]) All() iter.Seq[*Envelope[P]] {
	return func(yield func(*Envelope[P]) bool) {
		nw.inFlight.each(func(f flight) bool { return yield(&nw.slots[f.slot]) })
	}
}

// Withdraw takes back the messages from sender that have not left by now
// (their Delay is still running: a disk write the sender did not live to
// finish). Each ends dropped as Dead when it would have arrived, so that
// it ends like every other message, and Fate says so meanwhile. It returns
// how many it took back.
func (nw *Network[P]) Withdraw(from int, now time.Duration) int {
	n := 0
	nw.inFlight.each(func(f flight) bool {
		if e := &nw.slots[f.slot]; e.From == from && e.SentAt+e.Delay > now && !e.withdrawn {
			e.withdrawn = true
			n++
		}
		return true
	})
	return n
}

// Fate says what would become of e if it arrived now: Delivered, or the
// reason it would be dropped (its link broke or its receiver died while it
// travelled, or its sender died before it left). Receive decides by the
// same rule.
func (nw *Network[P]) Fate(e *Envelope[P]) Reason {
	if nw.closed[e.To] || e.withdrawn {
		return Dead
	}
	return nw.Reachable(e.From, e.To)
}

// NextArrival returns the arrival time of the earliest message on the wire.
func (nw *Network[P]) NextArrival() (time.Duration, bool) {
	f, ok := nw.inFlight.peek()
	return f.at, ok
}

// Receive takes the earliest message off the wire (ties in the order they
// were sent) and says whether it is delivered or, because its link broke or
// its receiver died while it travelled, dropped.
func (nw *Network[P]) Receive() (Envelope[P], Reason, bool) {
	if nw.inFlight.len() == 0 {
		var zero Envelope[P]
		return zero, Delivered, false
	}
	f := nw.inFlight.pop()
	e := nw.slots[f.slot]
	var zero Envelope[P]
	nw.slots[f.slot] = zero // let the garbage collector have the payload
	nw.free = append(nw.free, f.slot)
	return e, nw.Fate(&e), true
}

// Clone returns a deep copy of the network, messages in flight included,
// that draws from rnd from now on. Payloads are copied by value.
func (nw *Network[P]) Clone(rnd Rand) *Network[P] {
	c := *nw
	c.rand = rnd
	c.disconnected = slices.Clone(nw.disconnected)
	c.closed = slices.Clone(nw.closed)
	c.group = slices.Clone(nw.group)
	c.cut = slices.Clone(nw.cut)
	c.inFlight = nw.inFlight.clone()
	c.slots = slices.Clone(nw.slots)
	c.free = slices.Clone(nw.free)
	return &c
}
