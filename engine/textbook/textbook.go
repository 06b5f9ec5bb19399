// Package textbook puts raftty's own node (package raft: Figure 2 and the
// dissertation's PreVote and CheckQuorum) behind the engine seam. It is a
// thin wrapper: it converts messages and events between raft's types and the
// seam's, and adds nothing to the node's decisions.
package textbook

import (
	"fmt"
	"slices"
	"time"

	"raftty/engine"
	"raftty/raft"
)

// Engine makes textbook nodes. Its fields are the options only this engine
// has (see raft.Config).
type Engine struct {
	// TimerJitter makes every election timer fire up to this much later
	// than drawn.
	TimerJitter time.Duration
	// UnsafeForgetVotes breaks Raft on purpose: every node grants every
	// vote request of its term.
	UnsafeForgetVotes bool
	// NoOp, UnsafeCommit and MaxEntries are raft.Config's: the no-op on
	// election, the commit rule without its current-term condition, and the
	// bound on entries per AppendEntries.
	NoOp         bool
	UnsafeCommit bool
	MaxEntries   int
}

// Name is "textbook".
func (Engine) Name() string { return "textbook" }

// CheckTiming accepts every valid Timing: the textbook engine keeps time in
// durations.
func (Engine) CheckTiming(t engine.Timing) error { return t.Validate() }

// DescribeTiming says how the engine runs t.
func (Engine) DescribeTiming(t engine.Timing) string {
	return fmt.Sprintf("election timeout %v-%v, heartbeat %v", t.ElectionMin, t.ElectionMax, t.Heartbeat)
}

// Supports: the textbook engine can do everything the seam names.
func (Engine) Supports(engine.Capability) error { return nil }

// Storage is what a textbook node leaves behind: raft's HardState.
type Storage struct{ Hard raft.HardState }

// HardState describes the stored state.
func (s Storage) HardState() engine.HardState { return hardState(s.Hard) }

// Log returns the stored log, shared: read-only.
func (s Storage) Log() []engine.Entry { return s.Hard.Log }

// Rewound returns the storage with another term and vote.
func (s Storage) Rewound(term uint64, vote engine.NodeID) engine.Storage {
	s.Hard.Term, s.Hard.VotedFor = term, vote
	return s
}

func hardState(h raft.HardState) engine.HardState {
	hs := engine.HardState{Term: h.Term, VotedFor: h.VotedFor}
	if n := len(h.Log); n > 0 {
		hs.LastIndex, hs.LastTerm = uint64(n), h.Log[n-1].Term
	}
	return hs
}

// New builds a node from cfg, fresh if st is nil, else from a Storage that
// a textbook node left.
func (e Engine) New(cfg engine.Config, st engine.Storage, now time.Duration) (engine.Node, error) {
	var hard raft.HardState
	switch s := st.(type) {
	case nil:
	case Storage:
		hard = s.Hard
	default:
		return nil, fmt.Errorf("textbook engine: cannot restart from %T", st)
	}
	n, err := raft.New(raft.Config{
		ID: cfg.ID, Peers: cfg.Peers, Timing: cfg.Timing,
		PreVote: cfg.PreVote, CheckQuorum: cfg.CheckQuorum, Rand: cfg.Rand, Terse: cfg.Terse,
		TimerJitter: e.TimerJitter, UnsafeForgetVotes: e.UnsafeForgetVotes,
		NoOp: e.NoOp, UnsafeCommit: e.UnsafeCommit, MaxEntries: e.MaxEntries,
	}, hard, now)
	if err != nil {
		return nil, err
	}
	return &Node{n: n}, nil
}

// Node is a raft.Node behind the seam. Besides engine.Node it is a Tuner, a
// LogAppender and a Cloner.
type Node struct {
	n      *raft.Node
	msgs   []engine.Message
	events []engine.Event
}

// Raft returns the wrapped node.
func (w *Node) Raft() *raft.Node { return w.n }

// ID returns the node's id.
func (w *Node) ID() engine.NodeID { return w.n.ID() }

// Step hands the node a message. A message of another engine's vocabulary
// reaches raft as a type it rejects, with its reason.
func (w *Node) Step(now time.Duration, m engine.Message) {
	w.n.Step(now, toRaft(&m))
	w.collect()
}

// Tick passes virtual time.
func (w *Node) Tick(now time.Duration) {
	w.n.Tick(now)
	w.collect()
}

// Campaign fires the election timer now; a leader starts a new election too.
func (w *Node) Campaign(now time.Duration) {
	w.n.Campaign(now)
	w.collect()
}

// Output returns what the last call produced; the slices are reused.
func (w *Node) Output() ([]engine.Message, []engine.Event) { return w.msgs, w.events }

// NextDeadline is raft's.
func (w *Node) NextDeadline() time.Duration { return w.n.NextDeadline() }

// Status is raft's.
func (w *Node) Status() engine.Status { return engine.Status{Status: w.n.Status()} }

// Progress appends what a leader knows of each follower's log.
func (w *Node) Progress(dst []raft.Progress) []raft.Progress { return w.n.Progress(dst) }

// Propose hands the node a client's command: a leader appends and
// replicates it; any other node refuses it with a redirect event, naming
// the leader it knows. Either way the events say what happened, so there is
// no error to return.
func (w *Node) Propose(_ time.Duration, data []byte) error {
	w.n.Propose(data)
	w.collect()
	return nil
}

// SetNoOp, SetUnsafeCommit and SetMaxEntries change the replication
// settings while the node runs.
func (w *Node) SetNoOp(on bool)         { w.n.SetNoOp(on) }
func (w *Node) SetUnsafeCommit(on bool) { w.n.SetUnsafeCommit(on) }
func (w *Node) SetMaxEntries(n int)     { w.n.SetMaxEntries(n) }

// HardState describes raft's HardState.
func (w *Node) HardState() engine.HardState { return hardState(w.n.HardState()) }

// Log returns raft's log, shared with the node.
func (w *Node) Log() []engine.Entry { return w.n.HardState().Log }

// Storage returns raft's HardState, which shares the log with the node: the
// node only ever appends to it, so what it holds at a kill stays as it was.
func (w *Node) Storage() engine.Storage { return Storage{Hard: w.n.HardState()} }

// SetTiming changes the timing while the node runs.
func (w *Node) SetTiming(now time.Duration, t engine.Timing) error { return w.n.SetTiming(now, t) }

// SetPreVote turns PreVote on or off.
func (w *Node) SetPreVote(on bool) { w.n.SetPreVote(on) }

// SetCheckQuorum turns CheckQuorum on or off.
func (w *Node) SetCheckQuorum(now time.Duration, on bool) { w.n.SetCheckQuorum(now, on) }

// AppendLog appends count entries in the node's term.
func (w *Node) AppendLog(count int) { w.n.AppendLog(count) }

// Clone copies the node, which draws from r from now on.
func (w *Node) Clone(r engine.Rand) engine.Node {
	return &Node{n: w.n.Clone(r), msgs: slices.Clone(w.msgs), events: slices.Clone(w.events)}
}

// collect converts the node's output into the seam's types, reusing the
// buffers of the previous call.
func (w *Node) collect() {
	msgs, events := w.n.Output()
	w.msgs = slices.Grow(w.msgs[:0], len(msgs))[:len(msgs)]
	for i := range msgs {
		w.msgs[i] = fromRaft(&msgs[i])
	}
	clear(w.events)
	w.events = w.events[:0]
	for i := range events {
		w.events = append(w.events, eventFromRaft(&events[i]))
	}
}

// eventFromRaft converts an event: kinds and types share values.
func eventFromRaft(e *raft.Event) engine.Event {
	return engine.Event{
		Kind: engine.EventKind(e.Kind), Node: e.Node, Role: e.Role, Term: e.Term, Peer: e.Peer,
		Type: engine.MsgType(e.Type), Granted: e.Granted, PreVote: e.PreVote, Index: e.Index, Count: e.Count,
		Reason: e.Reason, Because: e.Because,
	}
}

// The message types share values (engine.MsgRequestVote is
// raft.MsgRequestVote), so converting a type is a cast.

func fromRaft(m *raft.Message) engine.Message {
	return engine.Message{Type: engine.MsgType(m.Type), Message: *m}
}

func toRaft(m *engine.Message) raft.Message {
	r := m.Message
	r.Type = raft.MsgType(m.Type)
	if m.Type > engine.MsgAppendEntriesReply {
		r.Type = 0 // another engine's type: raft rejects it as invalid
	}
	return r
}
