package raft

import "fmt"

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
)

// Event is one decision of a node, with the reason for it in plain words.
type Event struct {
	Kind    EventKind
	Node    NodeID
	Role    Role
	Term    uint64
	Peer    NodeID
	Type    MsgType
	Granted bool
	PreVote bool
	Reason  string
}
