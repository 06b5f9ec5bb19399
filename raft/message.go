// Package raft is one Raft node as a pure, deterministic state machine:
// Figure 2 of the Raft paper (leader election, log replication and the
// commit rule of section 5.4.2), plus the PreVote, CheckQuorum and no-op
// options of Ongaro's dissertation.
//
// A Node has no goroutines, locks, wall clock, global random source or I/O.
// Its inputs are a message (Step), a client's command (Propose) or the passing
// of virtual time (Tick); its
// outputs are the messages to send and the events that happened (Output),
// and the virtual time at which it next wants to be ticked (NextDeadline).
package raft

import (
	"fmt"
	"strconv"
)

// NodeID names a node. Ids are 1..N; 0 means "nobody".
type NodeID int

// None is the NodeID of nobody: no vote cast, no leader known.
const None NodeID = 0

// String renders an id the way raftty shows it everywhere: n1, n2, ...
func (id NodeID) String() string {
	if id == None {
		return "nobody"
	}
	return "n" + strconv.Itoa(int(id))
}

// MsgType says what a Message is.
type MsgType uint8

// The message types of leader election. AppendEntries with no entries is a
// heartbeat.
const (
	MsgRequestVote MsgType = iota + 1
	MsgRequestVoteReply
	MsgPreVote
	MsgPreVoteReply
	MsgAppendEntries
	MsgAppendEntriesReply
)

var msgTypeNames = [...]string{
	MsgRequestVote:        "RequestVote",
	MsgRequestVoteReply:   "RequestVoteReply",
	MsgPreVote:            "PreVote",
	MsgPreVoteReply:       "PreVoteReply",
	MsgAppendEntries:      "AppendEntries",
	MsgAppendEntriesReply: "AppendEntriesReply",
}

// String returns the type's name as it appears in events and JSON.
func (t MsgType) String() string {
	if int(t) < len(msgTypeNames) && msgTypeNames[t] != "" {
		return msgTypeNames[t]
	}
	return fmt.Sprintf("MsgType(%d)", uint8(t))
}

// Valid reports whether t is one of the defined message types.
func (t MsgType) Valid() bool { return t >= MsgRequestVote && t <= MsgAppendEntriesReply }

// Entry is a log entry: the term of the leader that created it and the
// client's command. A no-op (appended by a new leader with Config.NoOp) and an
// entry appended by hand (AppendLog) have no Data. Data is never modified
// once in a log: logs, messages and snapshots share it.
type Entry struct {
	Term uint64
	Data []byte
}

// Message is the one message type of the protocol; Type says which fields
// matter.
type Message struct {
	Type MsgType
	From NodeID
	To   NodeID
	// Term is the sender's current term, except for PreVote (the term the
	// sender would campaign in) and a granted PreVoteReply (that same term).
	Term uint64

	// LastLogIndex and LastLogTerm describe the candidate's log (RequestVote,
	// PreVote): voters refuse a candidate whose log is behind their own. A
	// refused AppendEntriesReply carries the refuser's LastLogIndex too: the
	// hint a leader with Config.BackOffHint jumps back to.
	LastLogIndex uint64
	LastLogTerm  uint64

	// PrevLogIndex, PrevLogTerm, Entries and LeaderCommit are AppendEntries'
	// fields. Entries is empty for a heartbeat. Entries shares its array with
	// the sender's log: treat it as read-only.
	PrevLogIndex uint64
	PrevLogTerm  uint64
	Entries      []Entry
	LeaderCommit uint64

	// Index answers an AppendEntries: on success, the last index the
	// follower now knows to match the leader's log (PrevLogIndex plus the
	// entries); on a refusal, the PrevLogIndex refused, so that the leader
	// can tell a refusal of its latest attempt from a stale one.
	Index uint64

	// Granted answers a RequestVote or PreVote.
	Granted bool
	// Success answers an AppendEntries.
	Success bool
}
