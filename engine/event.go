package engine

import "raftty/raft"

// EventKind says what an Event reports. The first four are raft's, with its
// values; the vocabulary is open to the events of log replication.
type EventKind uint8

// The kinds of event a node reports.
const (
	// EventState: the node changed role or term (Role, Term, Reason).
	EventState = EventKind(raft.EventState)
	// EventVote: the node answered a vote or pre-vote request (Peer is the
	// candidate, Term the term asked for, Granted, PreVote, Reason).
	EventVote = EventKind(raft.EventVote)
	// EventTimeout: the node's election timer fired, or was forced to
	// (Term, Reason).
	EventTimeout = EventKind(raft.EventTimeout)
	// EventIgnore: the node received a message (or a command) and did
	// nothing with it (Peer is the sender, Type and Term the message's,
	// Reason why).
	EventIgnore = EventKind(raft.EventIgnore)
	// EventAppend: entries reached the node's stable log (Index is the
	// last one's index, Term its term).
	EventAppend = EventIgnore + 1
	// EventCommit: the node's commit index advanced to Index (Term is that
	// entry's term).
	EventCommit = EventIgnore + 2
)

var eventKindNames = [...]string{
	EventState: "state", EventVote: "vote", EventTimeout: "timeout", EventIgnore: "ignore",
	EventAppend: "append", EventCommit: "commit",
}

// String names the kind, as the cluster's event vocabulary does.
func (k EventKind) String() string {
	if int(k) < len(eventKindNames) && eventKindNames[k] != "" {
		return eventKindNames[k]
	}
	return "EventKind(" + itoa(int(k)) + ")"
}

// Event is one decision of a node, with the reason for it: the textbook
// engine's plain words, or etcd's own log lines.
type Event struct {
	Kind    EventKind
	Node    NodeID
	Role    Role
	Term    uint64
	Peer    NodeID
	Type    MsgType
	Granted bool
	PreVote bool
	// Index is the log index an append or commit event reports.
	Index  uint64
	Reason string
}
