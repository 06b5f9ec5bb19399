package cluster

import (
	"fmt"
	"slices"
	"strconv"

	"raftty/engine"
	"raftty/engine/etcd"
	"raftty/raft"
)

// A command that cannot be carried out (a node that does not exist, killing
// a dead node) returns an error, and leaves the cluster as it was.

func (c *Cluster) member(id int) (*member, error) {
	if id < 1 || id > c.cfg.Nodes {
		return nil, fmt.Errorf("no node %d (nodes are 1..%d)", id, c.cfg.Nodes)
	}
	return c.members[id], nil
}

func (c *Cluster) fault(action Action, nodes ...int) {
	c.emit(Event{At: c.now, Kind: KindFault, Action: action, Nodes: nodes})
}

// Disconnect cuts every link of node id, both ways.
func (c *Cluster) Disconnect(id int) error {
	if _, err := c.member(id); err != nil {
		return err
	}
	if c.net.IsDisconnected(id) {
		return fmt.Errorf("n%d is already disconnected", id)
	}
	_ = c.net.Disconnect(id)
	c.fault(ActDisconnect, id)
	c.updateLeader()
	return nil
}

// Reconnect undoes Disconnect for node id.
func (c *Cluster) Reconnect(id int) error {
	if _, err := c.member(id); err != nil {
		return err
	}
	if !c.net.IsDisconnected(id) {
		return fmt.Errorf("n%d is not disconnected", id)
	}
	_ = c.net.Reconnect(id)
	c.fault(ActReconnect, id)
	c.updateLeader()
	return nil
}

// Kill stops node id: its timers and volatile state are gone, messages to
// it are dropped, and only its persistent state (term, vote, log) is kept:
// what reached its disk. A write still under way is lost, and so are the
// messages waiting for it, as with a real disk: Raft answers only once a
// vote is stable, so the voter that dies writing it was never counted.
func (c *Cluster) Kill(id int) error { return c.kill(id, "") }

// kill is Kill; a non-empty why says why the cluster itself kills the node
// (in the fault's detail and before the state event's reason).
func (c *Cluster) kill(id int, why string) error {
	m, err := c.member(id)
	if err != nil {
		return err
	}
	if m.node == nil {
		return fmt.Errorf("n%d is already dead", id)
	}
	hard, stored := m.node.HardState(), m.node.Storage()
	m.settle(c.now)
	was := termVote{hard.Term, hard.VotedFor}
	if was != m.disk {
		stored = stored.Rewound(m.disk.term, m.disk.vote)
		hard = stored.HardState()
	}
	m.hard, m.stored = hard, stored
	if c.now < m.busyUntil {
		c.net.Withdraw(id, c.now) // they wait for the write: they never leave
	}
	m.node = nil
	m.timerPending = false
	m.inbox, m.busyUntil, m.writes = nil, 0, nil // what waited for the disk is lost with the process
	_ = c.net.Close(id)
	c.faultWhy(ActKill, why, id)
	reason := fmt.Sprintf("killed; only its term %d and its vote (%v)%s survive", hard.Term, hard.VotedFor, logText(hard, " and"))
	if was != m.disk {
		// The checker saw term and vote change; the disk never did.
		c.checker.forget(id, hard.Term, int(hard.VotedFor))
		reason = fmt.Sprintf("killed while writing term %d and vote %v to disk: that write and the messages waiting for it are lost; only its term %d and its vote (%v)%s survive",
			was.term, was.vote, hard.Term, hard.VotedFor, logText(hard, " and"))
	}
	c.emit(Event{At: c.now, Kind: KindState, Node: id, State: StateDead, Term: hard.Term, Reason: prefixed(why, reason)})
	return nil
}

// faultWhy emits a fault with why as its detail.
func (c *Cluster) faultWhy(action Action, why string, nodes ...int) {
	c.emit(Event{At: c.now, Kind: KindFault, Action: action, Nodes: nodes, Detail: why})
}

// prefixed puts why, if any, before reason.
func prefixed(why, reason string) string {
	if why == "" {
		return reason
	}
	return why + ": " + reason
}

// Restart brings a dead node back as a follower with the term and vote it
// had when it died.
func (c *Cluster) Restart(id int) error { return c.restart(id, "") }

// restart is Restart, with why as kill's.
func (c *Cluster) restart(id int, why string) error {
	m, err := c.member(id)
	if err != nil {
		return err
	}
	if m.node != nil {
		return fmt.Errorf("n%d is not dead", id)
	}
	if err := c.start(m); err != nil {
		return err
	}
	_ = c.net.Open(id)
	c.faultWhy(ActRestart, why, id)
	c.emit(Event{At: c.now, Kind: KindState, Node: id, State: StateFollower, Term: m.hard.Term,
		Reason: prefixed(why, fmt.Sprintf("restarted with its persistent state: term %d, voted %v%s", m.hard.Term, m.hard.VotedFor, logText(m.hard, ",")))})
	return nil
}

// logText describes a non-empty log for kill and restart messages, after
// sep: " and its log (last term 2, index 5)". An empty log says nothing,
// as before logs existed.
func logText(h engine.HardState, sep string) string {
	if h.LastIndex == 0 {
		return ""
	}
	return fmt.Sprintf("%s its log (last term %d, index %d)", sep, h.LastTerm, h.LastIndex)
}

// reboot kills and restarts every live node at once, keeping its storage:
// how an engine that fixes a setting when it builds a node (etcd) takes a
// new value. why says so in every event.
func (c *Cluster) reboot(why string) {
	for _, m := range c.members[1:] {
		if m.node != nil {
			_ = c.kill(m.id, why)
			_ = c.restart(m.id, why)
		}
	}
}

// AppendLog appends count entries in each node's current term to the logs of
// nodes ids, as if a leader had replicated them. Nodes whose logs are behind
// others' cannot win an election: the election restriction of section
// 5.4.1. Every id is checked before any log changes; the fault event's
// action is "log".
//
// An engine whose logs grow only through the leader (etcd) takes count
// proposals at each node instead: a follower forwards them to its leader,
// which replicates them to everyone it reaches. Each named node must know a
// leader, or etcd would drop them.
//
// Entries appended by hand are not Raft's: on a follower whose term has a
// leader they can contradict the leader's entry at the same index and term,
// which no consistency check can see (it compares terms). The checker does
// not judge them, but if replication later builds on them it reports Log
// Matching broken, rightly.
func (c *Cluster) AppendLog(ids []int, count int) error {
	if count < 1 {
		return fmt.Errorf("log append %d: need at least 1 entry", count)
	}
	if len(ids) == 0 {
		return fmt.Errorf("log append needs at least one node")
	}
	direct := c.eng.Supports(engine.CanAppendLog) == nil
	for _, id := range ids {
		m, err := c.member(id)
		if err != nil {
			return err
		}
		if m.node == nil {
			return fmt.Errorf("n%d is dead: its log cannot grow", id)
		}
		if !direct && m.node.Status().Leader == engine.None {
			return fmt.Errorf("n%d knows no leader to forward a proposal to (the %v engine's logs grow only through the leader)", id, c.cfg.Engine)
		}
	}
	c.emit(Event{At: c.now, Kind: KindFault, Action: ActLog, Nodes: slices.Clone(ids), Detail: fmt.Sprintf("append %d", count)})
	for _, id := range ids {
		m := c.members[id]
		if direct {
			m.node.(engine.LogAppender).AppendLog(count)
			m.hard = m.node.HardState()
			c.logs.handAppended(id, m.node.Log())
			continue
		}
		for range count {
			err := m.node.(engine.Proposer).Propose(c.now, nil)
			c.afterNode(m)
			if err != nil {
				return fmt.Errorf("n%d: %w", id, err)
			}
		}
	}
	return nil
}

// Put hands node id a client's command, value: a leader appends it to its
// log and replicates it; any other node refuses it, naming the leader it
// knows (a redirect event). The put itself is a fault event of action
// "put", so that the event stream says what the client asked of whom.
func (c *Cluster) Put(id int, value string) error {
	m, err := c.member(id)
	if err != nil {
		return err
	}
	if m.node == nil {
		return fmt.Errorf("n%d is dead: it takes no command", id)
	}
	if err := CheckValue(value); err != nil {
		return err
	}
	c.puts++
	p, ok := m.node.(engine.Proposer)
	if !ok {
		return fmt.Errorf("the %v engine takes no client commands", c.cfg.Engine)
	}
	c.emit(Event{At: c.now, Kind: KindFault, Action: ActPut, Nodes: []int{id}, Detail: value})
	err = p.Propose(c.now, []byte(value))
	// A leader that took it says so, and where: its own append event.
	_, events := m.node.Output()
	for i := range events {
		if e := &events[i]; e.Kind == engine.EventAppend && (e.Peer == engine.None || e.Peer == e.Node) {
			if c.pending == nil {
				c.pending = make(map[uint64]pendingPut)
			}
			c.pending[e.Index] = pendingPut{term: e.Term, data: value, at: c.now}
		}
	}
	c.afterNode(m)
	if err != nil {
		return fmt.Errorf("n%d: %w", id, err)
	}
	return nil
}

// Partition splits the cluster into groups that cannot reach each other;
// nodes named in no group form one more group.
func (c *Cluster) Partition(groups [][]int) error {
	if len(groups) == 0 {
		return fmt.Errorf("partition needs at least one group")
	}
	if err := c.net.Partition(groups); err != nil {
		return err
	}
	e := Event{At: c.now, Kind: KindFault, Action: ActPartition, Groups: c.partitionGroups()}
	for _, g := range e.Groups {
		e.Nodes = append(e.Nodes, g...)
	}
	c.emit(e)
	c.updateLeader()
	return nil
}

// partitionGroups lists the current groups, each sorted, in group order.
func (c *Cluster) partitionGroups() [][]int {
	var groups [][]int
	for id := 1; id <= c.cfg.Nodes; id++ {
		g := c.net.Group(id)
		for len(groups) < g {
			groups = append(groups, nil)
		}
		if g > 0 {
			groups[g-1] = append(groups[g-1], id)
		}
	}
	return slices.DeleteFunc(groups, func(g []int) bool { return len(g) == 0 })
}

// Cut cuts the link from a to b, and from b to a too unless oneWay.
func (c *Cluster) Cut(a, b int, oneWay bool) error {
	if err := c.net.Cut(a, b, !oneWay); err != nil {
		return err
	}
	c.emit(Event{At: c.now, Kind: KindFault, Action: ActCut, Nodes: []int{a, b}, OneWay: oneWay})
	c.updateLeader()
	return nil
}

// Link restores the link between a and b, both ways.
func (c *Cluster) Link(a, b int) error {
	if err := c.net.Link(a, b); err != nil {
		return err
	}
	c.fault(ActLink, a, b)
	c.updateLeader()
	return nil
}

// Heal reconnects every node, ends partitions and restores every link.
func (c *Cluster) Heal() {
	c.net.Heal()
	c.fault(ActHeal)
	c.updateLeader()
}

// Timeout makes node id's election timer fire now.
func (c *Cluster) Timeout(id int) error {
	m, err := c.member(id)
	if err != nil {
		return err
	}
	if m.node == nil {
		return fmt.Errorf("n%d is dead", id)
	}
	c.fault(ActTimeout, id)
	m.node.Campaign(c.now)
	c.afterNode(m)
	return nil
}

func (c *Cluster) param(name, value string) {
	c.emit(Event{At: c.now, Kind: KindParam, Name: name, Value: value})
}

// ReportParams emits a param event for every setting, seed included, so
// that a recorded event stream says how it was made. An instant disk (for
// term and vote, and for logs), the default, goes unsaid, as do the no-op while on, the default bound on
// entries per AppendEntries and the settings only experiments use.
func (c *Cluster) ReportParams() {
	c.Decide()
	c.param("seed", strconv.FormatUint(c.cfg.Seed, 10))
	c.param("nodes", strconv.Itoa(c.cfg.Nodes))
	if c.cfg.Engine != EngineTextbook {
		// The default engine goes unsaid, so that its streams read as
		// before engines existed.
		c.param("engine", c.cfg.Engine.String())
		c.param("tick", FormatDuration(c.eng.(etcd.Engine).TickDuration()))
	}
	for _, p := range Params() {
		switch {
		case p == ParamDiskWrite && c.cfg.DiskWrite == 0,
			p == ParamLogWrite && c.cfg.LogWrite == 0,
			p == ParamNoOp && c.cfg.NoOp,
			p == ParamUnsafeCommit && !c.cfg.UnsafeCommit,
			p == ParamMaxEntries && c.cfg.MaxEntries == raft.DefaultMaxEntries:
			continue
		}
		c.param(p.String(), SetCommand(p, c.cfg).Value())
	}
	if c.cfg.TimerJitter > 0 {
		c.param("timer-jitter", FormatDuration(c.cfg.TimerJitter))
	}
	if c.cfg.UnsafeForgetVotes {
		c.param("unsafe-forget-votes", "on")
	}
}

// Explain emits a scenario's explanation of what to watch now.
func (c *Cluster) Explain(text string) {
	c.Decide()
	c.emit(Event{At: c.now, Kind: KindExplain, Detail: text})
}

// ReportExpectation emits the outcome of a scenario's expectation.
func (c *Cluster) ReportExpectation(expect, source string, passed bool, got string) {
	c.Decide()
	c.emit(Event{At: c.now, Kind: KindExpect, Detail: expect, Passed: passed, Got: got, Source: source})
}

// ReportError emits an error event: a command that could not be carried out.
func (c *Cluster) ReportError(err error) {
	c.Decide()
	c.emit(Event{At: c.now, Kind: KindError, Detail: err.Error()})
}
