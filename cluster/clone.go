package cluster

import (
	"maps"
	"math/rand/v2"
	"slices"
)

// Clone returns a deep copy of c, at the same virtual time, that sends its
// events to sink (which may be nil). The copy has its own random source in
// the same state as c's, so that run forward with the same commands it
// produces the same event stream as c, byte for byte: time travel keeps
// clones as checkpoints and rebuilds any moment from the nearest one.
func (c *Cluster) Clone(sink func(Event)) *Cluster {
	pcg := *c.pcg
	n := *c
	n.pcg = &pcg
	n.rand = rand.New(n.pcg)
	n.sink = sink
	n.peers = slices.Clone(c.peers)
	n.net = c.net.Clone(n.rand)
	n.timers = slices.Clone(c.timers)
	n.members = make([]*member, len(c.members))
	for id, m := range c.members {
		if m == nil {
			continue
		}
		mc := *m
		if m.node != nil {
			mc.node = m.node.Clone(n.rand)
		}
		n.members[id] = &mc
	}
	n.checker = checker{
		lastTerm: slices.Clone(c.checker.lastTerm),
		vote:     slices.Clone(c.checker.vote),
		leaderOf: maps.Clone(c.checker.leaderOf),
	}
	n.stats = c.stats.clone()
	return &n
}

func (s Stats) clone() Stats {
	s.DroppedBy = maps.Clone(s.DroppedBy)
	s.Leaders = slices.Clone(s.Leaders)
	s.openTerms = maps.Clone(s.openTerms)
	return s
}
