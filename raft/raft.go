package raft

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Rand is the random source a node draws its election timeouts from. The
// cluster hands every node the same seeded source, so that a run is
// reproducible. *math/rand/v2.Rand satisfies it.
type Rand interface {
	// Int64N returns a uniform number in [0, n); n > 0.
	Int64N(n int64) int64
}

// Timing holds the durations that drive elections.
type Timing struct {
	// ElectionMin and ElectionMax bound the election timeout, drawn
	// uniformly from [ElectionMin, ElectionMax) at every reset. Equal bounds
	// mean no randomness at all.
	ElectionMin time.Duration
	ElectionMax time.Duration
	// Heartbeat is how often a leader sends AppendEntries to every peer.
	Heartbeat time.Duration
}

// Validate reports what is wrong with t, if anything. A heartbeat at or
// above the minimum election timeout is valid: leadership churns, which is an
// experiment worth running.
func (t Timing) Validate() error {
	switch {
	case t.ElectionMin <= 0:
		return fmt.Errorf("election timeout must be positive, got %v", t.ElectionMin)
	case t.ElectionMin > t.ElectionMax:
		return fmt.Errorf("election timeout %v-%v: min must not exceed max", t.ElectionMin, t.ElectionMax)
	case t.Heartbeat <= 0:
		return fmt.Errorf("heartbeat must be positive, got %v", t.Heartbeat)
	}
	return nil
}

// Config is what a node is made from.
type Config struct {
	// ID is this node's id; it must be among Peers.
	ID NodeID
	// Peers lists every member of the cluster, this node included.
	Peers []NodeID
	Timing
	// PreVote makes a node whose timer fires ask first whether it could win
	// (dissertation section 9.6) instead of raising its term at once.
	PreVote bool
	// CheckQuorum makes a leader step down when a majority has not answered
	// its heartbeats within the minimum election timeout (section 6.2).
	CheckQuorum bool
	// Rand is the source of election timeouts.
	Rand Rand
	// UnsafeForgetVotes is a deliberately broken variant for experiments
	// and for testing the invariant checker: the node grants every vote
	// request of its current term, as if it forgot whom it voted for.
	// Figure 2 allows one vote per term; without that rule two leaders can
	// win the same term.
	UnsafeForgetVotes bool
}

// HardState is what a node keeps across a crash: the persistent state of
// Figure 2 (the log, always empty here, would be the third part).
type HardState struct {
	Term     uint64
	VotedFor NodeID
}

// Status is a snapshot of a node's volatile and persistent state, for
// displays and tests.
type Status struct {
	ID       NodeID
	Role     Role
	Term     uint64
	VotedFor NodeID
	// Leader is the leader this node currently follows (itself if leader).
	Leader NodeID
	// ElectionDeadline is when the election timer fires, and
	// ElectionTimeout the duration it was drawn with (zero for a leader).
	ElectionDeadline time.Duration
	ElectionTimeout  time.Duration
	// NextHeartbeat is when a leader next broadcasts.
	NextHeartbeat time.Duration
	Timing        Timing
	PreVote       bool
	CheckQuorum   bool
}

// Node is one Raft node's election logic. It is not safe for concurrent use;
// the cluster drives each node from a single goroutine.
type Node struct {
	id          NodeID
	peers       []NodeID // every member, self included, sorted
	timing      Timing
	preVote     bool
	checkQuorum bool
	forgetVotes bool
	rand        Rand

	// Persistent state (Figure 2).
	term     uint64
	votedFor NodeID
	log      []Entry

	role   Role
	leader NodeID

	electionTimeout  time.Duration
	electionDeadline time.Duration

	// heardLeader and lastLeaderContact: when this node last accepted an
	// AppendEntries from a leader. PreVote refuses candidates while a leader
	// was heard from within the minimum election timeout.
	heardLeader       bool
	lastLeaderContact time.Duration

	// votes records the answers of the current (pre-)election.
	votes map[NodeID]bool

	// Leader state.
	lastHeartbeat time.Duration
	heartbeatDue  time.Duration
	quorumDue     time.Duration
	recentActive  map[NodeID]bool

	msgs   []Message
	events []Event
}

// New makes a follower from cfg and the persistent state it had before (the
// zero HardState for a fresh node). Its election timer starts at now.
func New(cfg Config, hs HardState, now time.Duration) (*Node, error) {
	if err := cfg.Timing.Validate(); err != nil {
		return nil, err
	}
	if cfg.Rand == nil {
		return nil, errors.New("raft: Config.Rand is nil")
	}
	if cfg.ID <= None || !slices.Contains(cfg.Peers, cfg.ID) {
		return nil, fmt.Errorf("raft: node id %d is not among the peers %v", cfg.ID, cfg.Peers)
	}
	peers := slices.Clone(cfg.Peers)
	slices.Sort(peers)
	if hs.VotedFor != None && !slices.Contains(peers, hs.VotedFor) {
		return nil, fmt.Errorf("raft: voted for %v, not a peer", hs.VotedFor)
	}
	n := &Node{
		id:           cfg.ID,
		peers:        slices.Compact(peers),
		timing:       cfg.Timing,
		preVote:      cfg.PreVote,
		checkQuorum:  cfg.CheckQuorum,
		forgetVotes:  cfg.UnsafeForgetVotes,
		rand:         cfg.Rand,
		term:         hs.Term,
		votedFor:     hs.VotedFor,
		role:         Follower,
		votes:        make(map[NodeID]bool),
		recentActive: make(map[NodeID]bool),
	}
	n.resetElectionTimer(now)
	return n, nil
}

// ID returns the node's id.
func (n *Node) ID() NodeID { return n.id }

// HardState returns what survives a crash.
func (n *Node) HardState() HardState { return HardState{Term: n.term, VotedFor: n.votedFor} }

// Status returns a snapshot of the node.
func (n *Node) Status() Status {
	s := Status{
		ID: n.id, Role: n.role, Term: n.term, VotedFor: n.votedFor, Leader: n.leader,
		Timing: n.timing, PreVote: n.preVote, CheckQuorum: n.checkQuorum,
	}
	if n.role == Leader {
		s.NextHeartbeat = n.heartbeatDue
	} else {
		s.ElectionDeadline = n.electionDeadline
		s.ElectionTimeout = n.electionTimeout
	}
	return s
}

// Output returns the messages to send and the events that happened during
// the last call to Step, Tick or Campaign. The slices are reused by the next
// such call: copy what must be kept.
func (n *Node) Output() ([]Message, []Event) { return n.msgs, n.events }

// NextDeadline is the virtual time at which the node next needs Tick: its
// election deadline, or for a leader its next heartbeat or quorum check.
func (n *Node) NextDeadline() time.Duration {
	if n.role != Leader {
		return n.electionDeadline
	}
	if n.checkQuorum && n.quorumDue < n.heartbeatDue {
		return n.quorumDue
	}
	return n.heartbeatDue
}

// SetTiming changes the timing while the node runs. A pending timer that now
// lies beyond the new bounds is brought in, so that shortening a timeout
// takes effect at once rather than after the old one expires.
func (n *Node) SetTiming(now time.Duration, t Timing) error {
	if err := t.Validate(); err != nil {
		return err
	}
	n.timing = t
	if n.role == Leader {
		n.heartbeatDue = min(n.heartbeatDue, max(now, n.lastHeartbeat+t.Heartbeat))
		n.quorumDue = min(n.quorumDue, now+t.ElectionMin)
		return nil
	}
	if n.electionDeadline-now > t.ElectionMax {
		n.resetElectionTimer(now)
	}
	return nil
}

// SetPreVote turns PreVote on or off; it applies from the next election.
func (n *Node) SetPreVote(on bool) { n.preVote = on }

// SetCheckQuorum turns CheckQuorum on or off. Turning it on starts a fresh
// quorum window for a leader, so that it is not judged on a window during
// which nobody was counting.
func (n *Node) SetCheckQuorum(now time.Duration, on bool) {
	if on && !n.checkQuorum && n.role == Leader {
		clear(n.recentActive)
		n.quorumDue = now + n.timing.ElectionMin
	}
	n.checkQuorum = on
}

func (n *Node) beginStep() {
	n.msgs = n.msgs[:0]
	clear(n.events)
	n.events = n.events[:0]
}

// Tick tells the node that virtual time is now; it acts on every timer that
// has come due.
func (n *Node) Tick(now time.Duration) {
	n.beginStep()
	if n.role == Leader {
		n.tickLeader(now)
		return
	}
	if now >= n.electionDeadline {
		n.emit(Event{Kind: EventTimeout, Term: n.term, Reason: n.timeoutReason(now)})
		n.startElection(now)
	}
}

// Campaign makes the node's election timer fire now, whatever its role:
// the "force a timeout" command. A leader starts a new election too.
func (n *Node) Campaign(now time.Duration) {
	n.beginStep()
	n.emit(Event{Kind: EventTimeout, Term: n.term, Reason: "election timeout forced by hand"})
	n.startElection(now)
}

func (n *Node) timeoutReason(now time.Duration) string {
	switch n.role {
	case Candidate:
		return fmt.Sprintf("election for term %d failed after %v: %s", n.term, round(n.electionTimeout), n.tally())
	case PreCandidate:
		return fmt.Sprintf("pre-vote for term %d failed after %v: %s", n.term+1, round(n.electionTimeout), n.tally())
	}
	if n.heardLeader {
		return fmt.Sprintf("no heartbeat for %v (timeout %v)", round(now-n.lastLeaderContact), round(n.electionTimeout))
	}
	return fmt.Sprintf("heard from no leader within %v", round(n.electionTimeout))
}

func (n *Node) tickLeader(now time.Duration) {
	if n.checkQuorum && now >= n.quorumDue {
		if active := n.activePeers(); active < n.quorum() {
			n.becomeFollower(now, n.term, None, fmt.Sprintf(
				"CheckQuorum: only %d of %d nodes answered within %v, stepping down",
				active, len(n.peers), n.timing.ElectionMin))
			return
		}
		clear(n.recentActive)
		n.quorumDue = now + n.timing.ElectionMin
	}
	if now >= n.heartbeatDue {
		n.broadcastHeartbeat(now)
	}
}

// activePeers counts the leader itself and every peer that answered since
// the last quorum check.
func (n *Node) activePeers() int {
	active := 1
	for _, p := range n.peers {
		if p != n.id && n.recentActive[p] {
			active++
		}
	}
	return active
}

func (n *Node) quorum() int { return len(n.peers)/2 + 1 }

func (n *Node) emit(e Event) {
	e.Node = n.id
	n.events = append(n.events, e)
}

func (n *Node) send(m Message) {
	m.From = n.id
	n.msgs = append(n.msgs, m)
}

func (n *Node) lastLog() (index, term uint64) {
	if len(n.log) == 0 {
		return 0, 0
	}
	return uint64(len(n.log)), n.log[len(n.log)-1].Term
}

func (n *Node) resetElectionTimer(now time.Duration) {
	d := n.timing.ElectionMin
	if spread := n.timing.ElectionMax - n.timing.ElectionMin; spread > 0 {
		d += time.Duration(n.rand.Int64N(int64(spread)))
	}
	n.electionTimeout = d
	n.electionDeadline = now + d
}

// startElection runs when the election timer fires: a pre-vote round with
// PreVote on, a real election otherwise.
func (n *Node) startElection(now time.Duration) {
	if n.preVote {
		n.becomePreCandidate(now)
		return
	}
	n.becomeCandidate(now, "election timer fired")
}

func (n *Node) becomePreCandidate(now time.Duration) {
	n.role = PreCandidate
	n.leader = None
	n.resetVotes()
	n.resetElectionTimer(now)
	n.emit(Event{Kind: EventState, Role: PreCandidate, Term: n.term,
		Reason: fmt.Sprintf("asks whether it could win term %d before raising its term", n.term+1)})
	if n.tallyGranted() >= n.quorum() {
		n.becomeCandidate(now, "pre-vote won: a quorum of one")
		return
	}
	idx, lt := n.lastLog()
	n.broadcast(Message{Type: MsgPreVote, Term: n.term + 1, LastLogIndex: idx, LastLogTerm: lt})
}

func (n *Node) becomeCandidate(now time.Duration, why string) {
	n.role = Candidate
	n.term++
	n.votedFor = n.id
	n.leader = None
	n.resetVotes()
	n.resetElectionTimer(now)
	n.emit(Event{Kind: EventState, Role: Candidate, Term: n.term,
		Reason: fmt.Sprintf("%s: starts election for term %d and votes for itself", why, n.term)})
	if n.tallyGranted() >= n.quorum() {
		n.becomeLeader(now)
		return
	}
	idx, lt := n.lastLog()
	n.broadcast(Message{Type: MsgRequestVote, Term: n.term, LastLogIndex: idx, LastLogTerm: lt})
}

func (n *Node) becomeLeader(now time.Duration) {
	n.role = Leader
	n.leader = n.id
	clear(n.recentActive)
	n.quorumDue = now + n.timing.ElectionMin
	n.emit(Event{Kind: EventState, Role: Leader, Term: n.term,
		Reason: fmt.Sprintf("won the election for term %d: %s", n.term, n.tally())})
	n.broadcastHeartbeat(now)
}

// becomeFollower moves to term as a follower of leader (None if unknown).
func (n *Node) becomeFollower(now time.Duration, term uint64, leader NodeID, why string) {
	if term > n.term {
		n.term = term
		n.votedFor = None
	}
	n.role = Follower
	n.leader = leader
	n.resetElectionTimer(now)
	n.emit(Event{Kind: EventState, Role: Follower, Term: n.term, Reason: why})
}

func (n *Node) broadcastHeartbeat(now time.Duration) {
	n.lastHeartbeat = now
	n.heartbeatDue = now + n.timing.Heartbeat
	idx, lt := n.lastLog()
	n.broadcast(Message{Type: MsgAppendEntries, Term: n.term, PrevLogIndex: idx, PrevLogTerm: lt})
}

func (n *Node) broadcast(m Message) {
	for _, p := range n.peers {
		if p != n.id {
			m.To = p
			n.send(m)
		}
	}
}

func (n *Node) resetVotes() {
	clear(n.votes)
	n.votes[n.id] = true
}

func (n *Node) tallyGranted() int {
	granted := 0
	for _, ok := range n.votes {
		if ok {
			granted++
		}
	}
	return granted
}

// tally describes the current (pre-)election's answers, e.g.
// "3 of 5 votes (n1 n2 n4), refused by n3".
func (n *Node) tally() string {
	var yes, no []NodeID
	for _, p := range n.peers {
		if granted, answered := n.votes[p]; answered {
			if granted {
				yes = append(yes, p)
			} else {
				no = append(no, p)
			}
		}
	}
	s := fmt.Sprintf("%d of %d votes %v", len(yes), len(n.peers), yes)
	if len(no) > 0 {
		s += fmt.Sprintf(", refused by %v", no)
	}
	return s
}

// round trims a duration to microseconds for messages: 169.846ms, not
// 169.845647ms.
func round(d time.Duration) time.Duration { return d.Round(time.Microsecond) }

// Clone returns a deep copy of n that draws its election timeouts from r
// from now on. Time travel keeps clones of a whole cluster as checkpoints:
// a clone fed the same inputs, with r in the same state as n's source,
// makes the same decisions as n would.
func (n *Node) Clone(r Rand) *Node {
	c := *n
	c.rand = r
	c.peers = slices.Clone(n.peers)
	c.log = slices.Clone(n.log)
	c.votes = maps.Clone(n.votes)
	c.recentActive = maps.Clone(n.recentActive)
	c.msgs = slices.Clone(n.msgs)
	c.events = slices.Clone(n.events)
	return &c
}
