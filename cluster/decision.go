package cluster

// A decision is one input handled by one node, with everything it caused:
// a message delivered (or dropped on arrival), a timer fired (an election
// timeout, a leader's heartbeat), or a command applied (a fault, a
// parameter, a scenario's explanation or expectation). Each of the
// cluster's Steps is one decision, and so is each command (one per node of
// a node list); a decision that made no event (a timer that had been moved
// later) goes uncounted.
//
// Decisions are numbered from 1 in the order they happen, and every event
// carries its decision's number (Event.Decision). Many decisions can share
// one instant (at a split vote, every node times out at once): the number
// tells them apart, so that time travel can show the state right after
// any one of them and before the next (History.SeekDecision).

// Decide begins a decision: the next event gets a new number. The
// cluster's Step and Execute call it; a runner that reports something of
// its own (a scenario's explanation) does through the methods that emit
// it.
func (c *Cluster) Decide() { c.deciding = true }

// Decision returns the number of the latest decision that made an event:
// the cluster is now in the state right after it. Zero before any.
func (c *Cluster) Decision() int { return c.decision }

// number gives e its decision's number, starting a new one if a decision
// has begun since the last event. A fault always begins one: a command
// given by calling the cluster's methods (Kill, Partition, ...) rather
// than Execute is a decision too, and a node list's command is one per
// node, each node's fault handled on its own.
func (c *Cluster) number(e *Event) {
	if c.deciding || e.Kind == KindFault {
		c.decision++
		c.deciding = false
	}
	e.Decision = c.decision
}
