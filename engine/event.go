package engine

import "raftty/raft"

// EventKind says what an Event reports. The values are raft's, so that the
// textbook engine converts a kind with a cast; the replication kinds are
// those raft's log replication reports, which etcd reports too.
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
)

// The events of log replication. Term is the node's current term; Index and
// Count say which entries.
const (
	// EventAppend: the node added Count entries to its log, the first at
	// Index (Peer: the leader they came from, None for a leader's own).
	EventAppend = EventKind(raft.EventAppend)
	// EventTruncate: the node deleted Count entries from Index on, for
	// different ones from its leader (Peer).
	EventTruncate = EventKind(raft.EventTruncate)
	// EventCommit: the node's commit index rose by Count to Index.
	EventCommit = EventKind(raft.EventCommit)
	// EventHold: a leader does not commit Index, an entry of an earlier
	// term, although a majority stores it.
	EventHold = EventKind(raft.EventHold)
	// EventReject: a follower refused an append from Peer whose previous
	// index (Index) its log does not match.
	EventReject = EventKind(raft.EventReject)
	// EventBackOff: a leader lowered Peer's next index to Index.
	EventBackOff = EventKind(raft.EventBackOff)
	// EventRedirect: a node that is not the leader refused a client's
	// command; Peer is the leader it knows.
	EventRedirect = EventKind(raft.EventRedirect)
)

var eventKindNames = [...]string{
	EventState: "state", EventVote: "vote", EventTimeout: "timeout", EventIgnore: "ignore",
	EventAppend: "append", EventTruncate: "truncate", EventCommit: "commit", EventHold: "hold",
	EventReject: "reject", EventBackOff: "backoff", EventRedirect: "redirect",
}

// String names the kind, as the cluster's event vocabulary does.
func (k EventKind) String() string {
	if int(k) < len(eventKindNames) && eventKindNames[k] != "" {
		return eventKindNames[k]
	}
	return "EventKind(" + itoa(int(k)) + ")"
}

// Event is one decision of a node, with the reason for it: the textbook
// engine's plain words (in Reason, or in numbers in Because), or etcd's own
// log lines.
type Event struct {
	Kind    EventKind
	Node    NodeID
	Role    Role
	Term    uint64
	Peer    NodeID
	Type    MsgType
	Granted bool
	PreVote bool
	// Index and Count locate the entries of a replication event.
	Index   uint64
	Count   int
	Reason  string
	Because Because
}

// Because is a reason in numbers, put in words when read: see raft.Because.
type Because = raft.Because

// Why returns the event's reason in plain words.
func (e *Event) Why() string {
	if e.Because.Kind == raft.BecauseNothing {
		return e.Reason
	}
	return string(e.Because.AppendText(nil, e.Peer))
}
