package cluster

import (
	"maps"
	"slices"

	"raftty/engine"
)

// Clone returns a deep copy of c, at the same virtual time, that sends its
// events to sink (which may be nil). The copy has its own random streams in
// the same state as c's, so that run forward with the same commands it
// produces the same event stream as c, byte for byte: time travel keeps
// clones as checkpoints and rebuilds any moment from the nearest one.
//
// An engine that cannot copy its nodes (etcd: a RawNode holds method values
// bound to itself) has a cluster that can be copied only while it is
// pristine, by building it again from its Config: CanClone says which.
// Time travel then keeps that one copy and replays everything from it.
func (c *Cluster) Clone(sink func(Event)) *Cluster {
	if c.eng.Supports(engine.CanClone) != nil {
		return c.rebuild(sink)
	}
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
		mc := *m // stored too: a dead textbook node's storage is a value
		mc.inbox = slices.Clone(m.inbox)
		mc.writes = slices.Clone(m.writes)
		if m.node != nil {
			mc.node = m.node.(engine.Cloner).Clone(n.streams.timer(id))
		}
		n.members[id] = &mc
	}
	n.checker = c.checker.clone()
	n.logs = c.logs.clone()
	n.pending = maps.Clone(c.pending)
	n.stats = c.stats.clone()
	return &n
}

// CanClone reports whether Clone can copy c now: always, unless its engine
// cannot copy nodes and c has changed since it was built.
func (c *Cluster) CanClone() bool {
	return c.pristine || c.eng.Supports(engine.CanClone) == nil
}

// rebuild is Clone for a pristine cluster whose nodes cannot be copied: the
// same cluster built again, which has only reported events so far.
func (c *Cluster) rebuild(sink func(Event)) *Cluster {
	if !c.pristine {
		panic("cluster: " + c.eng.Supports(engine.CanClone).Error() + "; Clone after the cluster changed")
	}
	n, err := New(c.cfg, sink)
	if err != nil {
		panic("cluster: rebuilding from a config that built once: " + err.Error())
	}
	n.now, n.world = c.now, c.world
	n.decision, n.deciding = c.decision, c.deciding
	n.checker = c.checker.clone()
	n.stats = c.stats.clone()
	return n
}

func (k checker) clone() checker {
	return checker{lastTerm: slices.Clone(k.lastTerm), vote: slices.Clone(k.vote), leaderOf: maps.Clone(k.leaderOf)}
}

func (s Stats) clone() Stats {
	s.DroppedBy = maps.Clone(s.DroppedBy)
	s.Leaders = slices.Clone(s.Leaders)
	s.CommitLatencies = slices.Clip(s.CommitLatencies) // only appended to: share it
	s.openTerms = maps.Clone(s.openTerms)
	return s
}
