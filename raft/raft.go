package raft

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Rand is the random source a node draws its election timeouts from. The
// cluster hands every node a seeded stream of its own, so that a run is
// reproducible and one node's draws do not move another's.
// *math/rand/v2.Rand satisfies it.
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
	// TimerJitter makes every election timer fire up to this much later
	// than drawn, uniformly: real timers and clocks are not exact, and
	// without that physics a cluster with equal timeouts (150-150ms) that
	// splits once splits forever. Zero (the default) draws nothing extra,
	// so the random stream is as without it.
	TimerJitter time.Duration
	// Terse leaves every event's Reason empty. Decisions are the same; only
	// the explaining is skipped, which is most of the cost of an election
	// for a measurement that reads no reasons (raftty bench).
	Terse bool
	// UnsafeForgetVotes is a deliberately broken variant for experiments
	// and for testing the invariant checker: the node grants every vote
	// request of its current term, as if it forgot whom it voted for.
	// Figure 2 allows one vote per term; without that rule two leaders can
	// win the same term.
	UnsafeForgetVotes bool
	// UnsafeCommit is the commit rule without its second half, for
	// teaching Figure 8: a leader commits any index a majority stores,
	// even one whose entry is from an earlier term. Section 5.4.2 shows how
	// such an entry can still be overwritten after it was committed.
	UnsafeCommit bool
	// NoOp makes a new leader append an entry with no command at once
	// (dissertation section 6.4): it commits entries of earlier terms
	// without waiting for a client, and brings every follower's log up to
	// date. The zero Config leaves it off, so that a node without client
	// traffic sends nothing but heartbeats.
	NoOp bool
	// MaxEntries bounds the entries in one AppendEntries; zero means
	// DefaultMaxEntries.
	MaxEntries int
	// BackOffHint makes a leader whose AppendEntries is refused jump back
	// to just past the end of the follower's log, which the refusal
	// carries, when that is further back than one entry: the simplest form
	// of the optimisation section 5.3 describes. Without it the leader backs
	// off one entry per refusal, as in Figure 2.
	BackOffHint bool
}

// DefaultMaxEntries is the bound on entries per AppendEntries when
// Config.MaxEntries is zero.
const DefaultMaxEntries = 64

// HardState is what a node keeps across a crash: the persistent state of
// Figure 2.
type HardState struct {
	Term     uint64
	VotedFor NodeID
	// Log is the node's log. HardState shares it with the node rather than
	// copying it, because the cluster takes a HardState after every step;
	// the node only ever appends in place (it clips its log before deleting
	// a suffix), so a shared prefix never changes. Treat it as read-only.
	Log []Entry
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
	// LastLogIndex and LastLogTerm describe the end of the node's log: what
	// the election restriction compares.
	LastLogIndex uint64
	LastLogTerm  uint64
	Timing       Timing
	PreVote      bool
	CheckQuorum  bool
	// Granted and Refused are, for a candidate or pre-candidate, the
	// nodes that have answered its current round, in id order (itself
	// among Granted); nil in other roles.
	Granted, Refused []NodeID
	// HeardLeader says whether this node has accepted an AppendEntries
	// from a leader, and LastLeaderContact when it last did.
	HeardLeader       bool
	LastLeaderContact time.Duration
	// Log is the node's log, shared with the node: read-only (see
	// HardState). CommitIndex is the highest index it knows committed.
	Log          []Entry
	CommitIndex  uint64
	NoOp         bool
	UnsafeCommit bool
}

// Progress is a leader's view of one follower's log (Figure 2).
type Progress struct {
	ID NodeID
	// Next is the index of the next entry to send it; Match the highest
	// index known to be stored on it.
	Next, Match uint64
}

// Node is one Raft node's election logic. It is not safe for concurrent use;
// the cluster drives each node from a single goroutine.
type Node struct {
	id    NodeID
	peers []NodeID // every member, self included, sorted
	// isPeer is indexed by NodeID: a lookup per message that costs the same
	// at 5 nodes as at 1000 (slices.Contains over peers grew with N). When
	// the peers are consecutive ids (always, in raftty's clusters) dense is
	// set and a range check answers without touching the array.
	isPeer      []bool
	dense       bool
	timing      Timing
	preVote     bool
	checkQuorum bool
	forgetVotes bool
	// unsafeCommit, noOp, maxEntries, backOffHint: see Config.
	unsafeCommit bool
	noOp         bool
	maxEntries   uint64
	backOffHint  bool
	timerJitter  time.Duration
	terse        bool
	rand         Rand

	// Persistent state (Figure 2). The log is only ever appended to in
	// place: deleting a suffix clips it first, so that every slice of it
	// handed out (HardState, Status, the Entries of a message) keeps its
	// contents.
	term     uint64
	votedFor NodeID
	log      []Entry

	// commitIndex is volatile: a restarted node learns it again from its
	// leader.
	commitIndex uint64

	role   Role
	leader NodeID

	electionTimeout  time.Duration
	electionDeadline time.Duration

	// heardLeader, lastLeader and lastLeaderContact: which leader this node
	// last accepted an AppendEntries from, and when. PreVote refuses
	// candidates while a leader was heard from within the minimum election
	// timeout. lastLeader outlives leader, which a pre-candidate clears.
	heardLeader       bool
	lastLeader        NodeID
	lastLeaderContact time.Duration

	// votes records the answers of the current (pre-)election, indexed by
	// NodeID; granted counts the yeses, so that a vote costs O(1) however
	// large the cluster (a recount per vote made the first election of 1000
	// nodes quadratic).
	votes   []voteAnswer
	granted int

	// Leader state. recentActive is indexed by NodeID; active counts the
	// peers marked in it.
	lastHeartbeat time.Duration
	heartbeatDue  time.Duration
	quorumDue     time.Duration
	recentActive  []bool
	active        int
	// next and match are nextIndex and matchIndex, indexed by NodeID; made
	// when the node first leads. held is the last index an EventHold has
	// explained in this term; scratch is room to find the majority's index.
	next, match []uint64
	held        uint64
	scratch     []uint64

	msgs   []Message
	events []Event
	// reasonBuf is where the replication events' reasons are built.
	reasonBuf []byte
}

// maxNodeID bounds peer ids: a node keeps tables indexed by id.
const maxNodeID = 1 << 20

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
	peers = slices.Compact(peers)
	if peers[0] <= None || peers[len(peers)-1] > maxNodeID {
		return nil, fmt.Errorf("raft: peer ids %v: want ids from 1 to %d", peers, maxNodeID)
	}
	if hs.VotedFor != None && !slices.Contains(peers, hs.VotedFor) {
		return nil, fmt.Errorf("raft: voted for %v, not a peer", hs.VotedFor)
	}
	size := int(peers[len(peers)-1]) + 1
	n := &Node{
		id:           cfg.ID,
		peers:        peers,
		isPeer:       make([]bool, size),
		timing:       cfg.Timing,
		preVote:      cfg.PreVote,
		checkQuorum:  cfg.CheckQuorum,
		forgetVotes:  cfg.UnsafeForgetVotes,
		unsafeCommit: cfg.UnsafeCommit,
		noOp:         cfg.NoOp,
		backOffHint:  cfg.BackOffHint,
		timerJitter:  max(cfg.TimerJitter, 0),
		terse:        cfg.Terse,
		rand:         cfg.Rand,
		term:         hs.Term,
		votedFor:     hs.VotedFor,
		log:          slices.Clone(hs.Log),
		role:         Follower,
		votes:        make([]voteAnswer, size),
		recentActive: make([]bool, size),
	}
	n.SetMaxEntries(cfg.MaxEntries)
	for _, p := range peers {
		n.isPeer[p] = true
	}
	n.dense = int(peers[len(peers)-1]-peers[0]) == len(peers)-1
	n.resetElectionTimer(now)
	return n, nil
}

// ID returns the node's id.
func (n *Node) ID() NodeID { return n.id }

// HardState returns what survives a crash. Its Log is shared with the node
// (see HardState).
func (n *Node) HardState() HardState {
	return HardState{Term: n.term, VotedFor: n.votedFor, Log: n.log[:len(n.log):len(n.log)]}
}

// Clone returns a deep copy of the node that draws its election timeouts
// from r from now on: fed the same inputs as the original, with r in the
// same state as the original's source, it makes the same decisions. It lets
// a simulator keep checkpoints and fork from them.
func (n *Node) Clone(r Rand) *Node {
	c := *n
	c.rand = r
	c.peers = slices.Clone(n.peers)
	c.isPeer = slices.Clone(n.isPeer)
	// The log is shared, clipped: neither node ever writes over an entry
	// (see the log field), so what one appends the other never sees, and a
	// checkpoint costs nothing however long the log.
	c.log = slices.Clip(n.log)
	c.votes = slices.Clone(n.votes)
	c.recentActive = slices.Clone(n.recentActive)
	c.next = slices.Clone(n.next)
	c.match = slices.Clone(n.match)
	c.scratch, c.reasonBuf = nil, nil
	c.msgs = slices.Clone(n.msgs)
	c.events = slices.Clone(n.events)
	return &c
}

// AppendLog appends count entries in the node's current term to its log, as
// if a leader of this term had replicated them: a way to set up logs of
// different lengths by hand, so that the election restriction (section
// 5.4.1) has something to decide. It reports no event. A leader takes the
// entries as already on every follower (their nextIndex moves past them,
// their matchIndex does not): it finds out which followers lack them the
// next time it has entries to send, and repairs their logs then.
func (n *Node) AppendLog(count int) {
	for range count {
		n.log = append(n.log, Entry{Term: n.term})
	}
	if n.role == Leader {
		for _, p := range n.peers {
			n.next[p] = n.lastIndex() + 1
		}
	}
}

// Status returns a snapshot of the node.
func (n *Node) Status() Status {
	s := Status{
		ID: n.id, Role: n.role, Term: n.term, VotedFor: n.votedFor, Leader: n.leader,
		Timing: n.timing, PreVote: n.preVote, CheckQuorum: n.checkQuorum,
		HeardLeader: n.heardLeader, LastLeaderContact: n.lastLeaderContact,
		Log: n.log[:len(n.log):len(n.log)], CommitIndex: n.commitIndex,
		NoOp: n.noOp, UnsafeCommit: n.unsafeCommit,
	}
	if n.role == Candidate || n.role == PreCandidate {
		for _, p := range n.peers {
			switch n.votes[p] {
			case voteGranted:
				s.Granted = append(s.Granted, p)
			case voteRefused:
				s.Refused = append(s.Refused, p)
			}
		}
	}
	s.LastLogIndex, s.LastLogTerm = n.lastLog()
	if n.role == Leader {
		s.NextHeartbeat = n.heartbeatDue
	} else {
		s.ElectionDeadline = n.electionDeadline
		s.ElectionTimeout = n.electionTimeout
	}
	return s
}

// Progress appends to dst what a leader knows of each follower's log, in
// id order, and returns it; a node that does not lead appends nothing. It is
// apart from Status, which the cluster takes after every step, so that only
// a display that shows it pays for it.
func (n *Node) Progress(dst []Progress) []Progress {
	if n.role != Leader {
		return dst
	}
	for _, p := range n.peers {
		if p != n.id {
			dst = append(dst, Progress{ID: p, Next: n.next[p], Match: n.match[p]})
		}
	}
	return dst
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

// SetNoOp turns the no-op on election on or off; it applies from the next
// election.
func (n *Node) SetNoOp(on bool) { n.noOp = on }

// SetMaxEntries changes the bound on entries per AppendEntries (zero or
// less: DefaultMaxEntries); it applies to the next message.
func (n *Node) SetMaxEntries(max int) {
	n.maxEntries = DefaultMaxEntries
	if max > 0 {
		n.maxEntries = uint64(max)
	}
}

// SetUnsafeCommit turns the unsafe commit rule on or off (see
// Config.UnsafeCommit); a leader applies it from the next answer it gets.
func (n *Node) SetUnsafeCommit(on bool) { n.unsafeCommit = on }

// SetCheckQuorum turns CheckQuorum on or off. Turning it on starts a fresh
// quorum window for a leader, so that it is not judged on a window during
// which nobody was counting.
func (n *Node) SetCheckQuorum(now time.Duration, on bool) {
	if on && !n.checkQuorum && n.role == Leader {
		n.resetActive()
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
	if n.terse {
		return ""
	}
	switch n.role {
	case Candidate:
		return fmt.Sprintf("election for term %d failed after %v: %s", n.term, round(n.electionTimeout), n.tally())
	case PreCandidate:
		return fmt.Sprintf("pre-vote for term %d failed after %v: %s", n.term+1, round(n.electionTimeout), n.tally())
	}
	if n.heardLeader {
		return n.whyf("no heartbeat for %v (timeout %v)", round(now-n.lastLeaderContact), round(n.electionTimeout))
	}
	return n.whyf("heard from no leader within %v", round(n.electionTimeout))
}

func (n *Node) tickLeader(now time.Duration) {
	if n.checkQuorum && now >= n.quorumDue {
		if active := n.active + 1; active < n.quorum() {
			n.becomeFollower(now, n.term, None, n.whyf(
				"CheckQuorum: only %d of %d nodes answered within %v, stepping down",
				active, len(n.peers), n.timing.ElectionMin))
			return
		}
		n.resetActive()
		n.quorumDue = now + n.timing.ElectionMin
	}
	if now >= n.heartbeatDue {
		n.broadcastHeartbeat(now)
	}
}

// resetActive starts a new quorum window: no peer has answered yet.
func (n *Node) resetActive() {
	clear(n.recentActive)
	n.active = 0
}

// markActive records that peer answered a heartbeat in this quorum window.
func (n *Node) markActive(peer NodeID) {
	if !n.recentActive[peer] {
		n.recentActive[peer] = true
		n.active++
	}
}

func (n *Node) quorum() int { return Majority(len(n.peers)) }

func (n *Node) emit(e Event) {
	e.Node = n.id
	if n.terse {
		e.Reason, e.Because = "", Because{} // constant reasons too, so that terse means none
	}
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

func (n *Node) lastIndex() uint64 { return uint64(len(n.log)) }

// termAt returns the term of the entry at index i (0 for index 0, where
// every log matches); i must not be past the end of the log.
func (n *Node) termAt(i uint64) uint64 {
	if i == 0 {
		return 0
	}
	return n.log[i-1].Term
}

func (n *Node) resetElectionTimer(now time.Duration) {
	d := n.timing.ElectionMin
	if spread := n.timing.ElectionMax - n.timing.ElectionMin; spread > 0 {
		d += time.Duration(n.rand.Int64N(int64(spread)))
	}
	if n.timerJitter > 0 {
		d += time.Duration(n.rand.Int64N(int64(n.timerJitter)))
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
		Reason: n.whyf("asks whether it could win term %d before raising its term", n.term+1)})
	if n.granted >= n.quorum() {
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
		Reason: n.whyf("%s: starts election for term %d and votes for itself", why, n.term)})
	if n.granted >= n.quorum() {
		n.becomeLeader(now)
		return
	}
	idx, lt := n.lastLog()
	n.broadcast(Message{Type: MsgRequestVote, Term: n.term, LastLogIndex: idx, LastLogTerm: lt})
}

func (n *Node) becomeLeader(now time.Duration) {
	n.role = Leader
	n.leader = n.id
	n.resetActive()
	n.resetProgress()
	n.quorumDue = now + n.timing.ElectionMin
	n.emit(Event{Kind: EventState, Role: Leader, Term: n.term,
		Reason: n.lazyWhy(func() string { return fmt.Sprintf("won the election for term %d: %s", n.term, n.tally()) })})
	if n.noOp {
		n.appendOwn(Entry{Term: n.term}, "a new leader's no-op")
	}
	n.broadcastHeartbeat(now)
}

// becomeFollower moves to term as a follower of leader (None if unknown).
//
// It keeps the election deadline, as Figure 2 says: a follower's timer
// restarts only when it hears from the current leader or grants its vote,
// and both of those reset it themselves. A higher term alone proves nobody
// leads: if adopting it restarted the timer, as etcd-io/raft's becomeFollower
// does, every candidate that cannot win (its log is behind) would push the
// eligible nodes' elections back. Only a leader stepping down starts a timer,
// because it had none running.
func (n *Node) becomeFollower(now time.Duration, term uint64, leader NodeID, why string) {
	if term > n.term {
		n.term = term
		n.votedFor = None
	}
	if n.role == Leader {
		n.resetElectionTimer(now)
	}
	n.role = Follower
	n.leader = leader
	n.emit(Event{Kind: EventState, Role: Follower, Term: n.term, Reason: why})
}

// broadcastHeartbeat sends every follower an AppendEntries: the entries it
// lacks, or none (a heartbeat).
func (n *Node) broadcastHeartbeat(now time.Duration) {
	n.lastHeartbeat = now
	n.heartbeatDue = now + n.timing.Heartbeat
	for _, p := range n.peers {
		if p != n.id {
			n.sendAppend(p)
		}
	}
}

func (n *Node) broadcast(m Message) {
	for _, p := range n.peers {
		if p != n.id {
			m.To = p
			n.send(m)
		}
	}
}

// voteAnswer is a peer's answer in the current (pre-)election.
type voteAnswer uint8

const (
	noAnswer voteAnswer = iota
	voteGranted
	voteRefused
)

func (n *Node) resetVotes() {
	clear(n.votes)
	n.granted = 0
	n.recordVote(n.id, true)
}

// recordVote counts peer's answer, and reports false if it had answered
// already.
func (n *Node) recordVote(peer NodeID, granted bool) bool {
	if n.votes[peer] != noAnswer {
		return false
	}
	if granted {
		n.votes[peer] = voteGranted
		n.granted++
	} else {
		n.votes[peer] = voteRefused
	}
	return true
}

// tally describes the current (pre-)election's answers, e.g.
// "3 of 5 votes (n1 n2 n4), refused by n3".
func (n *Node) tally() string {
	var yes, no []NodeID
	for _, p := range n.peers {
		switch n.votes[p] {
		case voteGranted:
			yes = append(yes, p)
		case voteRefused:
			no = append(no, p)
		}
	}
	s := fmt.Sprintf("%d of %d votes %v", len(yes), len(n.peers), yes)
	if len(no) > 0 {
		s += fmt.Sprintf(", refused by %v", no)
	}
	return s
}

// whyf formats a reason, unless the node is terse. Only explanations go
// through it: a decision never depends on its result.
func (n *Node) whyf(format string, args ...any) string {
	if n.terse {
		return ""
	}
	return fmt.Sprintf(format, args...)
}

// lazyWhy is whyf for a reason that is costly to build (a tally).
func (n *Node) lazyWhy(f func() string) string {
	if n.terse {
		return ""
	}
	return f()
}

// round trims a duration to microseconds for messages: 169.846ms, not
// 169.845647ms.
func round(d time.Duration) time.Duration { return d.Round(time.Microsecond) }
