package tui

import (
	"raftty/cluster"
	"raftty/raft"
)

// The names of message types and roles as the event stream carries them.
// Every comparison of an event's or a flight's type in this package goes
// through these, so that a change of their Go type touches this file only.
const (
	msgRequestVote        = raft.MsgRequestVote
	msgRequestVoteReply   = raft.MsgRequestVoteReply
	msgPreVote            = raft.MsgPreVote
	msgPreVoteReply       = raft.MsgPreVoteReply
	msgAppendEntries      = raft.MsgAppendEntries
	msgAppendEntriesReply = raft.MsgAppendEntriesReply
)

// The UI has one type for a node's role: cluster.State, the one the events
// carry (follower, pre-candidate, candidate, leader, dead; zero: none,
// before the history begins). A snapshot's node, which holds raft's Role
// and whether it is alive, becomes one by stateOf.
func stateOf(ns *cluster.NodeStatus) cluster.State {
	if !ns.Alive {
		return cluster.StateDead
	}
	return cluster.StateOf(ns.Role)
}

// campaigns reports whether a role is a (pre-)candidate's.
func campaigns(s cluster.State) bool {
	return s == cluster.StateCandidate || s == cluster.StatePreCandidate
}

// msgClass is how the map draws a message: one glyph and colour per class.
type msgClass uint8

const (
	classRequestVote msgClass = iota
	classPreVote
	classGranted
	classRefused
	classAppend
	classAppendReply
	classAppendRefused
	classOther
)

// classOf sorts a message in flight into its class.
func classOf(f *cluster.Flight) msgClass {
	switch f.Type {
	case msgRequestVote:
		return classRequestVote
	case msgPreVote:
		return classPreVote
	case msgRequestVoteReply, msgPreVoteReply:
		if f.Granted {
			return classGranted
		}
		return classRefused
	case msgAppendEntries:
		return classAppend
	case msgAppendEntriesReply:
		if f.Success {
			return classAppendReply
		}
		return classAppendRefused
	}
	return classOther
}

// isVoteReply reports whether a message type answers a (pre-)vote request.
func isVoteReply(t raft.MsgType) bool { return t == msgRequestVoteReply || t == msgPreVoteReply }

// isAppendEntries reports whether a message type is a heartbeat.
func isAppendEntries(t raft.MsgType) bool { return t == msgAppendEntries }
