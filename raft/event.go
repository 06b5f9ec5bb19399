package raft

import (
	"fmt"
	"strconv"
)

// Role is a node's part in the protocol.
type Role uint8

// The roles. PreCandidate exists only with PreVote on: the node asks whether
// it could win before it raises its term.
const (
	Follower Role = iota
	PreCandidate
	Candidate
	Leader
)

var roleNames = [...]string{"follower", "precandidate", "candidate", "leader"}

// String returns the role's name as it appears in events and JSON.
func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return fmt.Sprintf("Role(%d)", uint8(r))
}

// EventKind says what an Event reports.
type EventKind uint8

// The kinds of event a node reports.
const (
	// EventState: the node changed role or term (Role, Term, Reason).
	EventState EventKind = iota + 1
	// EventVote: the node answered a vote or pre-vote request (Peer is the
	// candidate, Term the term asked for, Granted, PreVote, Reason).
	EventVote
	// EventTimeout: the node's election timer fired (Term, Reason).
	EventTimeout
	// EventIgnore: the node received a message and did nothing with it
	// (Peer is the sender, Type and Term the message's, Reason why).
	EventIgnore

	// The events of log replication. Term is the node's current term in
	// all of them; Index and Count say which entries.

	// EventAppend: the node added Count entries to its log, the first at
	// Index: a leader a client's command or its no-op (Peer None), a
	// follower entries from its leader (Peer).
	EventAppend
	// EventTruncate: the node deleted Count entries from Index on, because
	// its leader (Peer) sent different ones for those indexes (Figure 2,
	// AppendEntries rule 3).
	EventTruncate
	// EventCommit: the node's commit index rose by Count to Index; Peer is
	// the leader it learnt that from (None on the leader itself).
	EventCommit
	// EventHold: a leader does not commit Index although a majority stores
	// it, because that entry is from an earlier term (section 5.4.2, Figure
	// 8). Reported once per index.
	EventHold
	// EventReject: a follower refused an AppendEntries from Peer whose
	// PrevLogIndex (Index) its log does not match (Figure 2, rule 2).
	EventReject
	// EventBackOff: a leader lowered Peer's nextIndex to Index after Peer
	// refused an AppendEntries, and tries again from there.
	EventBackOff
	// EventRedirect: a node that is not the leader refused a client's
	// command; Peer is the leader it knows (None if it knows none).
	EventRedirect
)

// Event is one decision of a node, with the reason for it in plain words
// (Why): in Reason, or for the routine replication events in Because.
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

// Why returns the event's reason in plain words: Reason, or Because put in
// words.
func (e *Event) Why() string {
	if e.Because.Kind == BecauseNothing {
		return e.Reason
	}
	return string(e.Because.AppendText(nil, e.Peer))
}

// Because is a reason in numbers. A client's command makes an append and a
// commit on every follower, each with a reason that is only numbers; built
// in words at once, those reasons were most of what a command cost a run
// that never reads them (a headless run, chaos). They are kept as numbers
// and put in words when read (AppendText), in the words they always had.
// The zero Because says nothing: the Event's Reason does.
type Because struct {
	Kind BecauseKind
	// Index and Term are, for BecauseLogMatches, the AppendEntries'
	// prevLogIndex and prevLogTerm; for BecauseLeaderCommitted, Index is
	// the leader's commit index.
	Index, Term uint64
}

// BecauseKind says which reason a Because gives.
type BecauseKind uint8

// The reasons in numbers.
const (
	// BecauseNothing: the Event's Reason says why.
	BecauseNothing BecauseKind = iota
	// BecauseLogMatches: a follower appended what its leader sent, because
	// its log holds the entry before them (Index, of Term).
	BecauseLogMatches
	// BecauseLeaderCommitted: a follower committed, because its leader has
	// committed up to Index.
	BecauseLeaderCommitted
)

// AppendText appends the reason in words to dst; leader is the event's
// peer. The words are letters, digits, spaces, apostrophes and
// parentheses: nothing that JSON or a terminal escapes.
func (b Because) AppendText(dst []byte, leader NodeID) []byte {
	id := func(dst []byte) []byte { return strconv.AppendInt(append(dst, 'n'), int64(leader), 10) }
	switch b.Kind {
	case BecauseLogMatches:
		dst = id(append(dst, "its log matches leader "...))
		dst = strconv.AppendUint(append(dst, "'s up to index "...), b.Index, 10)
		dst = strconv.AppendUint(append(dst, " (term "...), b.Term, 10)
		return append(dst, ')')
	case BecauseLeaderCommitted:
		dst = id(append(dst, "leader "...))
		return strconv.AppendUint(append(dst, " has committed up to index "...), b.Index, 10)
	}
	return dst
}
