package cluster

import (
	"maps"
	"slices"
)

// Clone returns a deep copy of c, at the same virtual time, that sends its
// events to sink (which may be nil). The copy has its own random streams in
// the same state as c's, so that run forward with the same commands it
// produces the same event stream as c, byte for byte: time travel keeps
// clones as checkpoints and rebuilds any moment from the nearest one.
func (c *Cluster) Clone(sink func(Event)) *Cluster {
	n := *c
	n.streams = c.streams.clone()
	n.sink, n.cmp = sink, nil // a copy is a cluster on its own
	n.peers = slices.Clone(c.peers)
	n.net = c.net.Clone(n.streams)
	n.timers = slices.Clone(c.timers)
	n.inLeaderRole = slices.Clone(c.inLeaderRole)
	n.members = make([]*member, len(c.members))
	for id, m := range c.members {
		if m == nil {
			continue
		}
		mc := *m
		mc.inbox = slices.Clone(m.inbox)
		mc.writes = slices.Clone(m.writes)
		if m.node != nil {
			mc.node = m.node.Clone(n.streams.timer(id))
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
