// Package engine is the seam between raftty's simulator and the Raft
// implementations it drives: raftty's own textbook node (package raft,
// wrapped by engine/textbook) and go.etcd.io/raft/v3's RawNode (engine/etcd).
//
// An engine's node is a pure state machine, as raft.Node is: no goroutines,
// locks, wall clock, global random source or I/O of its own. Its inputs are a
// message (Step), the passing of virtual time (Tick) and a forced election
// (Campaign); its outputs are the messages to send, the events that happened
// (Output) and the virtual time at which it next wants Tick (NextDeadline).
// What survives a crash is its Storage, from which Engine.New builds the node
// again.
//
// The seam names ids, roles, timing and random sources with raft's types:
// they are raftty's vocabulary for those things, not the textbook engine's
// alone. Messages and events have types of their own here, because their
// vocabulary is wider than any one engine's: it names raftty's six message
// types and every one of etcd's.
package engine

import (
	"time"

	"raftty/raft"
)

// NodeID names a node: 1..N, and None (0) for nobody.
type NodeID = raft.NodeID

// None is the NodeID of nobody: no vote cast, no leader known.
const None = raft.None

// Role is a node's part in the protocol.
type Role = raft.Role

// The roles, for every engine.
const (
	Follower     = raft.Follower
	PreCandidate = raft.PreCandidate
	Candidate    = raft.Candidate
	Leader       = raft.Leader
)

// Timing holds the durations that drive elections: the election timeout is
// drawn from [ElectionMin, ElectionMax) at every reset, and a leader sends
// heartbeats every Heartbeat. An engine that cannot express a Timing says so
// (Engine.CheckTiming).
type Timing = raft.Timing

// Rand is the random source a node draws its election timeouts from: the
// node's own seeded stream, handed in by the cluster.
type Rand = raft.Rand

// Config is what every engine's node is made from. Options that only one
// engine has (etcd's tick, the textbook engine's timer jitter) belong to
// that engine's Engine value instead.
type Config struct {
	// ID is this node's id; it must be among Peers.
	ID NodeID
	// Peers lists every member of the cluster, this node included.
	Peers []NodeID
	Timing
	// PreVote and CheckQuorum are the dissertation's options (sections 9.6
	// and 6.2), as the engine implements them.
	PreVote     bool
	CheckQuorum bool
	// Rand is the node's source of randomness. It must not be shared with
	// anything whose draws could vary between two runs of the same seed.
	Rand Rand
	// Terse leaves every event's Reason empty, for measurements that read
	// none; decisions are the same.
	Terse bool
}

// Engine makes nodes of one Raft implementation.
type Engine interface {
	// Name is the engine's name on the command line: "textbook", "etcd".
	Name() string
	// CheckTiming reports, in one line, why the engine cannot run with t
	// (nil if it can): etcd counts whole ticks and draws its timeout from
	// [ElectionTick, 2*ElectionTick-1], so not every range has its shape.
	CheckTiming(t Timing) error
	// DescribeTiming says how the engine runs t, for headers and
	// inspectors: "election timeout 15-29 ticks of 10ms, heartbeat 5 ticks".
	DescribeTiming(t Timing) string
	// Supports says whether the engine's nodes can carry out c, or, in one
	// line, why not and what to do instead.
	Supports(c Capability) error
	// New builds a node from cfg at virtual time now: a fresh node if st is
	// nil, else a restart from what an earlier node of this engine left in
	// st (Node.Storage).
	New(cfg Config, st Storage, now time.Duration) (Node, error)
}

// Node is one running node. It is not safe for concurrent use: the cluster
// drives each node from a single goroutine.
type Node interface {
	// ID returns the node's id.
	ID() NodeID
	// Step hands the node a message that arrived at virtual time now.
	Step(now time.Duration, m Message)
	// Tick tells the node that virtual time is now; it acts on every timer
	// that has come due.
	Tick(now time.Duration)
	// Campaign forces the node's election timer to fire now: the "timeout
	// N" command. What a leader does with it depends on the engine.
	Campaign(now time.Duration)
	// Output returns the messages to send and the events that happened
	// during the last call to Step, Tick, Campaign or Propose. The slices
	// are reused by the next such call: copy what must be kept.
	Output() ([]Message, []Event)
	// NextDeadline is the virtual time at which the node next needs Tick.
	NextDeadline() time.Duration
	// Status returns a snapshot of the node for displays and tests.
	Status() Status
	// HardState returns the persistent state as it stands: what a crash now
	// would leave. A call to Step, Tick, Campaign or Propose that changes
	// it reports at least one event (a new term or role, a vote, an
	// append, a commit), so that a caller may skip asking after a call
	// with none: the heartbeats that are most of a run.
	HardState() HardState
	// Log returns the node's log, the entry of index i at Log()[i-1]. It is
	// shared with the node and read-only: the node only ever appends to it,
	// and replaces it by a new slice when it must delete a suffix, so a log
	// taken earlier stays as it was. Cheap enough to take after every step.
	Log() []Entry
	// Storage returns what survives a crash, to build the node again with
	// Engine.New after a kill. The node keeps writing to it while it runs,
	// as a process writes to its disk: take it at the kill.
	Storage() Storage
}

// Storage is what a node leaves behind when it dies: its stable storage. Only
// the engine that made it can read it; everyone else sees its HardState.
type Storage interface {
	HardState() HardState
	// Rewound returns the storage as it would be had the last writes of
	// term and vote not reached the disk: with term and vote as given, the
	// log as it is. It may change the storage it is called on, which only
	// a dead node has.
	Rewound(term uint64, vote NodeID) Storage
}

// HardState is the persistent state of a node as the cluster shows it and
// counts disk writes by.
type HardState struct {
	Term     uint64
	VotedFor NodeID
	// Commit is the highest log index known to be committed, for engines
	// that persist it (etcd does; the textbook engine keeps it volatile,
	// as Figure 2 has it).
	Commit uint64
	// LastIndex and LastTerm describe the end of the log.
	LastIndex uint64
	LastTerm  uint64
}

// Status is a snapshot of a node. It is raft.Status, which every engine fills
// as far as it can (Log and CommitIndex included), plus what only some
// engines have.
type Status struct {
	raft.Status
	// Ticks describes a tick-counting engine's timers: etcd's own counters,
	// from which ElectionDeadline and ElectionTimeout are worked out. It is
	// zero (Tick == 0) for an engine that keeps time in durations.
	Ticks TickStatus
}

// TickStatus is a tick-counting engine's view of its timers.
type TickStatus struct {
	// Tick is the virtual duration of one tick.
	Tick time.Duration
	// LastTick is the virtual time of the last tick the node has counted.
	// An engine may count the ticks that change nothing but its counters
	// late, when its next input comes: the counters below are as of
	// LastTick.
	LastTick time.Duration
	// ElectionTick and HeartbeatTick are the configured timeouts, in ticks.
	ElectionTick, HeartbeatTick int
	// RandomizedElectionTick is the election timeout drawn at the last reset,
	// in [ElectionTick, 2*ElectionTick-1].
	RandomizedElectionTick int
	// ElectionElapsed and HeartbeatElapsed count the ticks since the timers
	// last restarted, as the engine itself counts them.
	ElectionElapsed, HeartbeatElapsed int
}

// At returns the counters as of virtual time now (at or after LastTick):
// the ticks due since LastTick counted, as the engine counts them when its
// next input comes. Those ticks fire nothing (one that fires a timer is
// counted when it comes), so they only add to the elapsed counts; a
// leader's counts start again at ElectionTick and HeartbeatTick, as
// etcd's tickHeartbeat has them.
func (t TickStatus) At(now time.Duration, leader bool) TickStatus {
	if t.Tick <= 0 || now < t.LastTick+t.Tick {
		return t
	}
	due := int((now - t.LastTick) / t.Tick)
	t.LastTick += time.Duration(due) * t.Tick
	t.ElectionElapsed += due
	if leader {
		t.HeartbeatElapsed += due
		if t.ElectionTick > 0 {
			t.ElectionElapsed %= t.ElectionTick
		}
		if t.HeartbeatTick > 0 {
			t.HeartbeatElapsed %= t.HeartbeatTick
		}
	}
	return t
}

// Capability is something a command may ask of an engine's nodes beyond the
// Node interface.
type Capability uint8

// The capabilities. A node of an engine that supports one implements the
// matching optional interface.
const (
	// CanSetTiming: change the timing of a running node (Tuner).
	CanSetTiming Capability = iota + 1
	// CanSetPreVote: turn PreVote on or off in a running node (Tuner).
	CanSetPreVote
	// CanSetCheckQuorum: turn CheckQuorum on or off in a running node
	// (Tuner).
	CanSetCheckQuorum
	// CanAppendLog: write entries straight into a node's log, as if a
	// leader had replicated them (LogAppender).
	CanAppendLog
	// CanPropose: propose an entry, which the leader replicates (Proposer).
	CanPropose
	// CanClone: copy a running node, for checkpoints (Cloner). Without it,
	// the past is rebuilt by replay.
	CanClone
)

var capabilityNames = [...]string{
	CanSetTiming: "set timing", CanSetPreVote: "set prevote", CanSetCheckQuorum: "set checkquorum",
	CanAppendLog: "append to a log", CanPropose: "propose", CanClone: "clone",
}

// String names the capability in messages.
func (c Capability) String() string {
	if int(c) < len(capabilityNames) && capabilityNames[c] != "" {
		return capabilityNames[c]
	}
	return "Capability(" + itoa(int(c)) + ")"
}

// Tuner is a node whose settings can change while it runs.
type Tuner interface {
	SetTiming(now time.Duration, t Timing) error
	SetPreVote(on bool)
	SetCheckQuorum(now time.Duration, on bool)
}

// LogAppender is a node whose log can be written directly.
type LogAppender interface {
	// AppendLog appends count entries in the node's current term.
	AppendLog(count int)
}

// Proposer is a node that takes proposals: a leader appends and replicates
// them, a follower forwards them to its leader, if the engine does.
type Proposer interface {
	// Propose proposes an entry with data at virtual time now; its messages
	// and events come out in Output. It returns the engine's reason if the
	// proposal was dropped.
	Propose(now time.Duration, data []byte) error
}

// Progress is a leader's view of one follower's log: nextIndex and
// matchIndex (Figure 2).
type Progress = raft.Progress

// ProgressReader is a node that says what it knows, as a leader, of each
// follower's log (nextIndex and matchIndex), for the inspector.
type ProgressReader interface {
	// Progress appends one Progress per follower, in id order, to dst; a
	// node that does not lead appends nothing.
	Progress(dst []Progress) []Progress
}

// ReplicationTuner is a node whose replication settings can change while
// it runs: the textbook engine's no-op on election, its unsafe commit rule
// and its bound on entries per AppendEntries. An engine without them
// refuses the settings (the cluster's Config.checkEngine).
type ReplicationTuner interface {
	SetNoOp(on bool)
	SetUnsafeCommit(on bool)
	SetMaxEntries(n int)
}

// LogReader is a Storage that can show the log it keeps: what a dead node's
// log was, for displays and the invariant checker. Read-only.
type LogReader interface {
	Log() []Entry
}

// Cloner is a node that can be copied.
type Cloner interface {
	// Clone returns a deep copy that draws from r from now on: with r in the
	// same state as the original's source and the same inputs, it makes the
	// same decisions.
	Clone(r Rand) Node
}
