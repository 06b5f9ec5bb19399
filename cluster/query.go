package cluster

import (
	"raftty/engine"
	"raftty/raft"
	"raftty/transport"
)

// NodeStatus is what the cluster knows of one node, for displays and tests.
type NodeStatus struct {
	engine.Status
	Alive bool
	// Disconnected: all its links are cut (Disconnect).
	Disconnected bool
	// Group is its partition group, counted from 1, or 0 with no partition.
	Group int
	// CutLinks counts the one-way links to or from it that are cut;
	// CutTo and CutFrom name the nodes at their other ends (nil if none).
	CutLinks int
	CutTo    []int
	CutFrom  []int
	// Reaches counts the live nodes, itself included, it can exchange
	// messages with both ways.
	Reaches int
	// Progress is, for a leader, what it knows of each follower's log
	// (nextIndex and matchIndex), in id order; nil for any other node.
	Progress []raft.Progress
}

// Node returns the status of node id (1..N).
func (c *Cluster) Node(id int) (NodeStatus, error) {
	m, err := c.member(id)
	if err != nil {
		return NodeStatus{}, err
	}
	s := NodeStatus{
		Alive:        m.node != nil,
		Disconnected: c.net.IsDisconnected(id),
		Group:        c.net.Group(id),
		Reaches:      c.reaches(id),
	}
	if m.node != nil {
		s.Status = m.node.Status()
		if pr, ok := m.node.(engine.ProgressReader); ok {
			s.Progress = pr.Progress(nil)
		}
	} else {
		s.ID, s.Term, s.VotedFor = engine.NodeID(id), m.hard.Term, m.hard.VotedFor
		// What its storage keeps: the textbook engine's commit index is
		// volatile (0 here), etcd's is on disk.
		s.LastLogIndex, s.LastLogTerm, s.CommitIndex = m.hard.LastIndex, m.hard.LastTerm, m.hard.Commit
		if lr, ok := m.stored.(engine.LogReader); ok {
			s.Log = lr.Log()
		}
	}
	for other := 1; other <= c.cfg.Nodes; other++ {
		if c.net.IsCut(id, other) {
			s.CutLinks++
			s.CutTo = append(s.CutTo, other)
		}
		if c.net.IsCut(other, id) {
			s.CutLinks++
			s.CutFrom = append(s.CutFrom, other)
		}
	}
	return s, nil
}

// Nodes returns the status of every node, in id order.
func (c *Cluster) Nodes() []NodeStatus {
	out := make([]NodeStatus, 0, c.cfg.Nodes)
	for id := 1; id <= c.cfg.Nodes; id++ {
		s, _ := c.Node(id)
		out = append(out, s)
	}
	return out
}

// Leader returns the node that leads the cluster, or 0 if none does. A node
// leads if it is alive, in the leader role, and can exchange messages with a
// majority of the cluster (itself included); among several, the one with the
// highest term. A leader stranded in a minority believes it leads, but
// nothing it does can take effect, so it is not counted.
func (c *Cluster) Leader() int { return c.leader }

// Behind counts the live nodes whose log is not the same as the effective
// leader's, entry for entry; without a leader, every live node.
func (c *Cluster) Behind() int {
	behind := 0
	var want uint64
	n := 0
	if c.leader != 0 {
		ch := c.logs.chains[c.leader]
		if n = len(ch); n > 0 {
			want = ch[n-1]
		}
	}
	for id, m := range c.members[1:] {
		if m.node == nil {
			continue
		}
		ch := c.logs.chains[id+1]
		if c.leader == 0 || len(ch) != n || (n > 0 && ch[n-1] != want) {
			behind++
		}
	}
	return behind
}

// Leaders returns every live node in the leader role, stranded or not.
func (c *Cluster) Leaders() []int {
	var ids []int
	for _, m := range c.members[1:] {
		if m.node != nil && m.node.Status().Role == engine.Leader {
			ids = append(ids, m.id)
		}
	}
	return ids
}

// MaxTerm returns the highest term of any node, dead ones included.
func (c *Cluster) MaxTerm() uint64 {
	var t uint64
	for _, m := range c.members[1:] {
		t = max(t, c.termOf(m))
	}
	return t
}

func (c *Cluster) termOf(m *member) uint64 {
	if m.node != nil {
		return m.node.HardState().Term
	}
	return m.hard.Term
}

// Linked reports whether nodes a and b are both alive and can exchange
// messages both ways.
func (c *Cluster) Linked(a, b int) bool {
	if a < 1 || b < 1 || a > c.cfg.Nodes || b > c.cfg.Nodes {
		return false
	}
	return c.linked(a, b)
}

// Reachable reports whether a message from a to b would pass the links now
// (loss aside), whatever the nodes' liveness.
func (c *Cluster) Reachable(from, to int) bool {
	if from < 1 || to < 1 || from > c.cfg.Nodes || to > c.cfg.Nodes {
		return false
	}
	return from == to || c.net.Reachable(from, to) == transport.Delivered
}

// linked reports whether a and b are both alive and can exchange messages
// both ways.
func (c *Cluster) linked(a, b int) bool {
	if c.members[a].node == nil || c.members[b].node == nil {
		return false
	}
	return a == b || (c.net.Reachable(a, b) == transport.Delivered && c.net.Reachable(b, a) == transport.Delivered)
}

func (c *Cluster) reaches(id int) int {
	n := 0
	for other := 1; other <= c.cfg.Nodes; other++ {
		if c.linked(id, other) {
			n++
		}
	}
	return n
}

// updateLeader recomputes the effective leader after a role change or a
// fault, and accounts for time without one.
func (c *Cluster) updateLeader() {
	best, bestTerm := 0, uint64(0)
	for _, id := range c.inLeaderRole {
		m := c.members[id]
		if m.node == nil {
			continue
		}
		st := m.node.Status()
		if st.Role != engine.Leader || st.Term < bestTerm {
			continue
		}
		if c.reaches(m.id) >= raft.Majority(c.cfg.Nodes) {
			best, bestTerm = m.id, st.Term
		}
	}
	if best != c.leader {
		c.stats.leaderChanged(c.now, c.leader, best)
		c.leader = best
	}
}
