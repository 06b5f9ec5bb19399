package tui

import (
	"raftty/cluster"
	"raftty/engine"
)

// Message types as the event stream carries them: engine.MsgType, whose
// class says what a message does whichever engine sent it (a RequestVote or
// etcd's MsgVote, an AppendEntries or etcd's MsgHeartbeat). Every comparison
// of an event's or a flight's type in this package goes through this file.

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
	switch f.Type.Class() {
	case engine.ClassVote:
		return classRequestVote
	case engine.ClassPreVote:
		return classPreVote
	case engine.ClassVoteReply, engine.ClassPreVoteReply:
		if f.Granted {
			return classGranted
		}
		return classRefused
	case engine.ClassAppend, engine.ClassHeartbeat:
		return classAppend
	case engine.ClassAppendReply:
		if f.Success {
			return classAppendReply
		}
		return classAppendRefused
	case engine.ClassHeartbeatReply:
		return classAppendReply
	}
	return classOther
}

// isVoteReply reports whether a message type answers a (pre-)vote request.
func isVoteReply(t engine.MsgType) bool { return t.IsVoteReply() }

// isAppendEntries reports whether a message type is a leader's heartbeat
// (or append): what tells a follower it has a live leader.
func isAppendEntries(t engine.MsgType) bool {
	c := t.Class()
	return c == engine.ClassAppend || c == engine.ClassHeartbeat
}

// carriesEntries reports whether a message in flight is a leader's append
// with log entries in it (an AppendEntries, etcd's MsgApp), which the map
// draws with their count.
func carriesEntries(f *cluster.Flight) bool {
	return f.Entries > 0 && f.Type.Class() == engine.ClassAppend
}

// legendTypes are the types of engine e the map's legend names: its vote
// request, its pre-vote request and its append.
func legendTypes(e cluster.Engine) (vote, preVote, app engine.MsgType) {
	if e == cluster.EngineEtcd {
		return engine.EtcdVote, engine.EtcdPreVote, engine.EtcdApp
	}
	return engine.MsgRequestVote, engine.MsgPreVote, engine.MsgAppendEntries
}
