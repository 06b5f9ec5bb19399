package etcd

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
	"go.etcd.io/raft/v3/tracker"
	"google.golang.org/protobuf/proto"

	"raftty/engine"
)

// never is the deadline of a node whose timer cannot fire.
const never = time.Duration(math.MaxInt64)

// node is a RawNode driven by virtual time. Every call (Step, Tick,
// Campaign, Propose) first counts the ticks that came due before it, then
// hands etcd its input, then drains etcd's Ready: entries and hard state to
// storage, messages to Output, Advance, until etcd has nothing more.
type node struct {
	id     engine.NodeID
	cfg    engine.Config
	rand   engine.Rand
	terse  bool
	tick   time.Duration
	rn     *raft.RawNode
	st     *Storage
	in     *inside // nil while the RawNode is being built
	origin time.Duration
	// committed is the highest index etcd has handed out as committed.
	committed uint64
	// log mirrors the entries in storage, in the seam's form (Log).
	log []engine.Entry
	// ticks counts the ticks etcd has been given; tick k comes at virtual
	// time origin + k*tick (tickAt).
	ticks int64

	// cause is the message etcd is stepping (zero outside Step and
	// Campaign): what a vote or an ignore line is about.
	cause cause
	// context holds the lines of the current step that decided nothing
	// yet: they explain its next decision.
	context []logLine
	// shown is the role and term the last state event reported.
	shown shownState
	// heard says the node has followed a leader, and heardAt the tick it
	// last heard from one: etcd forgets who leads when a candidate asks
	// for its vote, the node does not forget that it heard.
	heard   bool
	heardAt time.Duration
	// resets counts etcd's election timer resets: the redraws.
	resets int
	// noRedraw leaves etcd's own draws in place, and checkTicks makes sure
	// that no tick before a deadline does anything: tests only.
	noRedraw, checkTicks bool
	// surprises lists the ticks etcd acted on that NextDeadline did not
	// announce (with checkTicks).
	surprises []time.Duration

	msgs   []engine.Message
	events []engine.Event
}

type cause struct {
	Type engine.MsgType
	From engine.NodeID
	Term uint64
}

type shownState struct {
	role engine.Role
	term uint64
}

// New builds a node: fresh if st is nil, else a restart on the Storage an
// earlier etcd node left (its hard state and log).
func (e Engine) New(cfg engine.Config, st engine.Storage, now time.Duration) (_ engine.Node, err error) {
	if layout.err != nil {
		return nil, layout.err
	}
	election, heartbeat, err := e.Ticks(cfg.Timing)
	if err != nil {
		return nil, err
	}
	if cfg.Rand == nil {
		return nil, errors.New("etcd engine: Config.Rand is nil")
	}
	if cfg.ID <= engine.None || !slices.Contains(cfg.Peers, cfg.ID) || slices.Min(cfg.Peers) <= engine.None {
		return nil, fmt.Errorf("etcd engine: node id %d is not among the peers %v (ids from 1)", cfg.ID, cfg.Peers)
	}
	var s *Storage
	switch x := st.(type) {
	case nil:
		s = newStorage(cfg.Peers)
	case *Storage:
		s = x
	default:
		return nil, fmt.Errorf("etcd engine: cannot restart from %T", st)
	}
	n := &node{id: cfg.ID, cfg: cfg, rand: cfg.Rand, terse: cfg.Terse, tick: e.tick(), st: s}
	hs, _, _ := s.ms.InitialState()
	n.committed = hs.GetCommit()
	n.log = s.entries()
	defer func() {
		// newRaft panics on what it cannot load; say so in one line.
		if p := recover(); p != nil {
			err = fmt.Errorf("etcd engine: cannot build node %d: %v", cfg.ID, p)
		}
	}()
	n.rn, err = raft.NewRawNode(&raft.Config{
		ID: uint64(cfg.ID), ElectionTick: election, HeartbeatTick: heartbeat,
		Storage: s.ms, Applied: hs.GetCommit(),
		MaxSizePerMsg: 1 << 20, MaxInflightMsgs: 256,
		CheckQuorum: cfg.CheckQuorum, PreVote: cfg.PreVote,
		Logger: logger{n},
	})
	if err != nil {
		return nil, fmt.Errorf("etcd engine: %w", err)
	}
	in := look(n.rn)
	n.in = &in
	// An etcd process's ticker starts when the process does: the phase
	// keeps independent nodes from ticking in lockstep.
	n.origin = now + time.Duration(n.rand.Int64N(int64(n.tick)))
	// newRaft became a follower, so etcd has drawn once already.
	n.redraw()
	n.shown = n.state()
	return n, nil
}

// redraw replaces the election timeout etcd just drew from crypto/rand
// with one from the node's stream, in the same range: [ElectionTick,
// 2*ElectionTick-1].
func (n *node) redraw() {
	if n.noRedraw {
		return
	}
	e := *n.in.electionTimeout
	*n.in.randomized = e + int(n.rand.Int64N(int64(e)))
}

func (n *node) state() shownState { return shownState{role(*n.in.state), *n.in.term} }

func (n *node) tickAt(k int64) time.Duration { return n.origin + time.Duration(k)*n.tick }

// Log returns the node's log as its storage holds it.
func (n *node) Log() []engine.Entry { return n.log }

// mirror keeps Log in step with entries just written to storage: an entry
// at an index the log already has replaces it and everything after it, in
// a new slice, so that a log handed out before stays as it was.
func (n *node) mirror(entries []*pb.Entry) {
	if first := entries[0].GetIndex(); first <= uint64(len(n.log)) {
		n.log = slices.Clone(n.log[:first-1])
	}
	for _, e := range entries {
		n.log = append(n.log, engine.Entry{Term: e.GetTerm(), Data: e.GetData()})
	}
}

// ID returns the node's id.
func (n *node) ID() engine.NodeID { return n.id }

// Output returns what the last call produced; the slices are reused.
func (n *node) Output() ([]engine.Message, []engine.Event) { return n.msgs, n.events }

// Storage returns the node's stable storage, which it keeps writing to.
func (n *node) Storage() engine.Storage { return n.st }

// HardState describes the stored state, which is the node's own at the end
// of every call.
func (n *node) HardState() engine.HardState { return n.st.HardState() }

// Step hands etcd a message that arrived at now.
func (n *node) Step(now time.Duration, m engine.Message) {
	n.begin(now)
	pm, ok := m.Body.(*pb.Message)
	if !ok || pm == nil {
		n.events = append(n.events, engine.Event{Kind: engine.EventIgnore, Node: n.id, Role: role(*n.in.state),
			Peer: m.From, Type: m.Type, Term: m.Term, Reason: n.why("not an etcd message")})
		return
	}
	switch pm.GetType() {
	case pb.MsgProp, pb.MsgReadIndex, pb.MsgTransferLeader:
		// A follower forwards these by changing and resending the message
		// itself: step a copy, so that the sender's stays as it was sent.
		pm = proto.Clone(pm).(*pb.Message)
	}
	n.cause = cause{Type: msgType(pm.GetType()), From: m.From, Term: pm.GetTerm()}
	err := n.rn.Step(pm)
	n.cause = cause{}
	if err != nil {
		n.emitError(err)
	}
	n.end()
}

// Tick counts every tick due by now; etcd acts on those that fire a timer.
func (n *node) Tick(now time.Duration) {
	n.msgs = n.msgs[:0]
	clear(n.events)
	n.events = n.events[:0]
	n.advance(now, true)
	n.end()
}

// Campaign is RawNode.Campaign: a MsgHup, which starts a pre-vote with
// PreVote on and an election otherwise. A leader ignores it, saying so.
func (n *node) Campaign(now time.Duration) {
	n.begin(now)
	n.cause = cause{Type: engine.EtcdHup, From: n.id}
	err := n.rn.Campaign()
	n.cause = cause{}
	if err != nil {
		n.emitError(err)
	}
	n.end()
}

// Propose is RawNode.Propose: a leader appends the entry and replicates it;
// a follower forwards it to its leader. It returns etcd's reason if the
// proposal was dropped.
func (n *node) Propose(now time.Duration, data []byte) error {
	n.begin(now)
	n.cause = cause{Type: engine.EtcdProp, From: n.id}
	err := n.rn.Propose(data)
	n.cause = cause{}
	if err != nil && len(n.context) > 0 {
		// etcd's reason is in the lines it logged before returning.
		err = fmt.Errorf("%w: %s", err, strings.TrimSuffix(n.explain(logLine{}), "; "))
	}
	n.end()
	return err
}

// begin starts a call at now: fresh output, and the ticks before now
// counted first. At equal times an input comes before the tick, as the
// cluster handles a message before a timer.
func (n *node) begin(now time.Duration) {
	n.msgs = n.msgs[:0]
	clear(n.events)
	n.events = n.events[:0]
	n.advance(now, false)
}

// end drains etcd, checks that every change of role or term was reported,
// notes when the node last heard from a leader, and forgets the lines that
// explained nothing.
func (n *node) end() {
	n.drain()
	if role(*n.in.state) == engine.Follower && *n.in.lead != 0 {
		n.heardAt, n.heard = n.lastHeard(), true
	}
	if s := n.state(); s != n.shown {
		n.events = append(n.events, engine.Event{Kind: engine.EventState, Node: n.id, Role: s.role, Term: s.term,
			Reason: n.explain(logLine{args: []any{"(etcd logged no reason for this change)"}})})
		n.shown = s
	}
	n.context = n.context[:0]
}

// advance gives etcd every tick due by now (at now too if inclusive). Ticks
// before the deadline only count, so etcd is asked for its Ready only after
// the tick that fires a timer.
func (n *node) advance(now time.Duration, inclusive bool) {
	for {
		at := n.tickAt(n.ticks + 1)
		if at > now || (at == now && !inclusive) {
			return
		}
		due := at == n.NextDeadline()
		n.ticks++
		n.rn.Tick()
		if !due && n.checkTicks && n.rn.HasReady() {
			n.surprises = append(n.surprises, at)
		}
		if due {
			n.drain()
		}
	}
}

// drain does what etcd's Ready asks, synchronously, until it asks nothing:
// the log entries and hard state go to storage before any message leaves,
// which is etcd's contract for a node without async storage writes.
func (n *node) drain() {
	for n.rn.HasReady() {
		rd := n.rn.Ready()
		if k := len(rd.Entries); k > 0 {
			_ = n.st.ms.Append(rd.Entries)
			n.mirror(rd.Entries)
			first, last := rd.Entries[0], rd.Entries[k-1]
			n.events = append(n.events, engine.Event{Kind: engine.EventAppend, Node: n.id, Role: role(*n.in.state),
				Term: *n.in.term, Peer: engine.NodeID(*n.in.lead), Index: first.GetIndex(), Count: k,
				Reason: n.whyf("entries %d-%d (last of term %d) written to stable storage", first.GetIndex(), last.GetIndex(), last.GetTerm())})
		}
		if !raft.IsEmptyHardState(rd.HardState) {
			_ = n.st.ms.SetHardState(rd.HardState)
		}
		if !raft.IsEmptySnap(rd.Snapshot) {
			_ = n.st.ms.ApplySnapshot(rd.Snapshot)
		}
		for _, m := range rd.Messages {
			n.msgs = append(n.msgs, fromPB(n.id, m))
		}
		if k := len(rd.CommittedEntries); k > 0 {
			last := rd.CommittedEntries[k-1].GetIndex()
			from := engine.NodeID(*n.in.lead) // the leader it learnt the commit from,
			if from == n.id {
				from = engine.None // or none: the leader counted it itself
			}
			n.events = append(n.events, engine.Event{Kind: engine.EventCommit, Node: n.id, Role: role(*n.in.state),
				Term: *n.in.term, Peer: from, Index: last, Count: int(last - n.committed),
				Reason: n.whyf("committed up to index %d", last)})
			n.committed = last
		}
		n.rn.Advance(rd)
	}
}

// emitError reports an error etcd returned for an input as an ignore event,
// with the lines that led to it.
func (n *node) emitError(err error) {
	n.emit(engine.Event{Kind: engine.EventIgnore, Peer: n.cause.From, Type: n.cause.Type, Term: n.cause.Term},
		logLine{args: []any{err}})
}

func (n *node) why(s string) string {
	if n.terse {
		return ""
	}
	return s
}

func (n *node) whyf(format string, args ...any) string {
	if n.terse {
		return ""
	}
	return fmt.Sprintf(format, args...)
}

// NextDeadline is the virtual time of the next tick that fires one of
// etcd's timers: for a follower or (pre-)candidate, when electionElapsed
// reaches the randomized timeout; for a leader, the next heartbeat or the
// end of its election timeout (CheckQuorum's round).
func (n *node) NextDeadline() time.Duration {
	in := n.in
	var k int
	if *in.state == raft.StateLeader {
		k = min(*in.heartbeatTimeout-*in.heartbeatElapsed, *in.electionTimeout-*in.electionElapsed)
	} else {
		if !n.promotable() {
			return never
		}
		k = *in.randomized - *in.electionElapsed
	}
	return n.tickAt(n.ticks + int64(max(k, 1)))
}

// promotable is etcd's raft.promotable for raftty's clusters, which have
// neither learners nor snapshots: the node is a voter.
func (n *node) promotable() bool {
	pr := n.in.trk.Progress[uint64(n.id)]
	return pr != nil && !pr.IsLearner
}

// Progress appends what a leader knows of each follower's log, in id
// order, as etcd's progress tracker keeps it (RawNode.WithProgress): Next
// and Match. etcd may send entries before earlier ones are acknowledged
// (its StateReplicate), so its Next can run ahead of Match+1 by the
// entries in flight, where the textbook leader's stays at Match+1 once
// they agree. A learner is no follower: left out.
func (n *node) Progress(dst []engine.Progress) []engine.Progress {
	if role(*n.in.state) != engine.Leader {
		return dst
	}
	n.rn.WithProgress(func(id uint64, typ raft.ProgressType, pr tracker.Progress) {
		if id != uint64(n.id) && typ == raft.ProgressTypePeer {
			dst = append(dst, engine.Progress{ID: engine.NodeID(id), Next: pr.Next, Match: pr.Match})
		}
	})
	return dst
}

// Status reads etcd's own state.
func (n *node) Status() engine.Status {
	in := n.in
	var s engine.Status
	s.ID, s.Role, s.Term = n.id, role(*in.state), *in.term
	s.VotedFor, s.Leader = engine.NodeID(*in.vote), engine.NodeID(*in.lead)
	s.Timing, s.PreVote, s.CheckQuorum = n.cfg.Timing, n.cfg.PreVote, n.cfg.CheckQuorum
	hs := n.st.HardState()
	s.LastLogIndex, s.LastLogTerm = hs.LastIndex, hs.LastTerm
	// The log and commit index as the textbook's Status gives them, which
	// the displays read (the log strips, the inspector).
	s.Log, s.CommitIndex = n.log, hs.Commit
	s.Ticks = engine.TickStatus{
		Tick: n.tick, LastTick: n.tickAt(n.ticks),
		ElectionTick: *in.electionTimeout, HeartbeatTick: *in.heartbeatTimeout,
		RandomizedElectionTick: *in.randomized,
		ElectionElapsed:        *in.electionElapsed, HeartbeatElapsed: *in.heartbeatElapsed,
	}
	switch s.Role {
	case engine.Leader:
		s.NextHeartbeat = n.tickAt(n.ticks + int64(max(*in.heartbeatTimeout-*in.heartbeatElapsed, 1)))
	case engine.Candidate, engine.PreCandidate:
		for _, id := range slices.Sorted(maps.Keys(in.trk.Votes)) {
			if in.trk.Votes[id] {
				s.Granted = append(s.Granted, engine.NodeID(id))
			} else {
				s.Refused = append(s.Refused, engine.NodeID(id))
			}
		}
	}
	if s.Role != engine.Leader {
		s.ElectionTimeout = time.Duration(*in.randomized) * n.tick
		s.ElectionDeadline = n.NextDeadline()
	}
	s.HeardLeader, s.LastLeaderContact = n.heard, n.lastHeard()
	return s
}

// lastHeard is when the node last heard from a leader: a follower of one
// restarts electionElapsed at its every message; any other, when it did
// last (heardAt).
func (n *node) lastHeard() time.Duration {
	if role(*n.in.state) == engine.Follower && *n.in.lead != 0 {
		return n.tickAt(n.ticks - int64(*n.in.electionElapsed))
	}
	return n.heardAt
}
