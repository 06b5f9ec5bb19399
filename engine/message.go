package engine

import (
	"strconv"

	"raftty/raft"
)

// MsgType says what a Message is. One vocabulary names every engine's
// messages: raftty's six (with raft's own values, so that converting is a
// cast) and every type of etcd's raftpb.MessageType (at etcdBase plus
// etcd's own number, so that converting is an addition).
type MsgType uint8

// The textbook engine's messages: raft's six types, same values.
const (
	MsgRequestVote        = MsgType(raft.MsgRequestVote)
	MsgRequestVoteReply   = MsgType(raft.MsgRequestVoteReply)
	MsgPreVote            = MsgType(raft.MsgPreVote)
	MsgPreVoteReply       = MsgType(raft.MsgPreVoteReply)
	MsgAppendEntries      = MsgType(raft.MsgAppendEntries)
	MsgAppendEntriesReply = MsgType(raft.MsgAppendEntriesReply)
)

// EtcdBase is the MsgType of etcd's message type 0 (MsgHup): etcd's type
// number n is MsgType(EtcdBase + n).
const EtcdBase MsgType = 32

// etcd's messages, in raftpb's order. Their names are etcd's; the local ones
// (Hup, Beat, CheckQuorum, Unreachable, SnapStatus, the Storage ones) never
// cross a network, but events name them, e.g. a MsgHup a leader ignores.
const (
	EtcdHup MsgType = EtcdBase + iota
	EtcdBeat
	EtcdProp
	EtcdApp
	EtcdAppResp
	EtcdVote
	EtcdVoteResp
	EtcdSnap
	EtcdHeartbeat
	EtcdHeartbeatResp
	EtcdUnreachable
	EtcdSnapStatus
	EtcdCheckQuorum
	EtcdTransferLeader
	EtcdTimeoutNow
	EtcdReadIndex
	EtcdReadIndexResp
	EtcdPreVote
	EtcdPreVoteResp
	EtcdStorageAppend
	EtcdStorageAppendResp
	EtcdStorageApply
	EtcdStorageApplyResp
	EtcdForgetLeader
	etcdEnd
)

// msgTypes is the vocabulary: each type's name, as events and JSON show it,
// and its class.
var msgTypes = [...]struct {
	name  string
	class MsgClass
}{
	MsgRequestVote:        {"RequestVote", ClassVote},
	MsgRequestVoteReply:   {"RequestVoteReply", ClassVoteReply},
	MsgPreVote:            {"PreVote", ClassPreVote},
	MsgPreVoteReply:       {"PreVoteReply", ClassPreVoteReply},
	MsgAppendEntries:      {"AppendEntries", ClassAppend},
	MsgAppendEntriesReply: {"AppendEntriesReply", ClassAppendReply},

	EtcdHup:               {"MsgHup", ClassLocal},
	EtcdBeat:              {"MsgBeat", ClassLocal},
	EtcdProp:              {"MsgProp", ClassProposal},
	EtcdApp:               {"MsgApp", ClassAppend},
	EtcdAppResp:           {"MsgAppResp", ClassAppendReply},
	EtcdVote:              {"MsgVote", ClassVote},
	EtcdVoteResp:          {"MsgVoteResp", ClassVoteReply},
	EtcdSnap:              {"MsgSnap", ClassAppend},
	EtcdHeartbeat:         {"MsgHeartbeat", ClassHeartbeat},
	EtcdHeartbeatResp:     {"MsgHeartbeatResp", ClassHeartbeatReply},
	EtcdUnreachable:       {"MsgUnreachable", ClassLocal},
	EtcdSnapStatus:        {"MsgSnapStatus", ClassLocal},
	EtcdCheckQuorum:       {"MsgCheckQuorum", ClassLocal},
	EtcdTransferLeader:    {"MsgTransferLeader", ClassOther},
	EtcdTimeoutNow:        {"MsgTimeoutNow", ClassOther},
	EtcdReadIndex:         {"MsgReadIndex", ClassOther},
	EtcdReadIndexResp:     {"MsgReadIndexResp", ClassOther},
	EtcdPreVote:           {"MsgPreVote", ClassPreVote},
	EtcdPreVoteResp:       {"MsgPreVoteResp", ClassPreVoteReply},
	EtcdStorageAppend:     {"MsgStorageAppend", ClassLocal},
	EtcdStorageAppendResp: {"MsgStorageAppendResp", ClassLocal},
	EtcdStorageApply:      {"MsgStorageApply", ClassLocal},
	EtcdStorageApplyResp:  {"MsgStorageApplyResp", ClassLocal},
	EtcdForgetLeader:      {"MsgForgetLeader", ClassLocal},
}

// String returns the type's name as it appears in events and JSON:
// "RequestVote" for the textbook engine, "MsgVote" for etcd.
func (t MsgType) String() string {
	if t.Valid() {
		return msgTypes[t].name
	}
	return "MsgType(" + itoa(int(t)) + ")"
}

// Valid reports whether t is in the vocabulary.
func (t MsgType) Valid() bool { return int(t) < len(msgTypes) && msgTypes[t].name != "" }

// ParseMsgType returns the type named s, as String writes it.
func ParseMsgType(s string) (MsgType, bool) {
	for t, e := range msgTypes {
		if e.name != "" && e.name == s {
			return MsgType(t), true
		}
	}
	return 0, false
}

// MsgTypes lists every type of the vocabulary, in order.
func MsgTypes() []MsgType {
	var out []MsgType
	for t, e := range msgTypes {
		if e.name != "" {
			out = append(out, MsgType(t))
		}
	}
	return out
}

// MsgClass is what a message does in the protocol, whichever engine sent it:
// displays colour, count and slow down by class, not by engine.
type MsgClass uint8

// The classes.
const (
	ClassOther MsgClass = iota
	// ClassVote and ClassVoteReply: a request for a vote and its answer.
	ClassVote
	ClassVoteReply
	// ClassPreVote and ClassPreVoteReply: the same, for a pre-vote.
	ClassPreVote
	ClassPreVoteReply
	// ClassAppend and ClassAppendReply: a leader's log replication (the
	// textbook engine's heartbeat is an empty AppendEntries).
	ClassAppend
	ClassAppendReply
	// ClassHeartbeat and ClassHeartbeatReply: a heartbeat that is not an
	// append (etcd's MsgHeartbeat).
	ClassHeartbeat
	ClassHeartbeatReply
	// ClassProposal: a proposal forwarded to the leader.
	ClassProposal
	// ClassLocal: a message a node only ever gives itself.
	ClassLocal
)

// Class returns what a message of type t does.
func (t MsgType) Class() MsgClass {
	if t.Valid() {
		return msgTypes[t].class
	}
	return ClassOther
}

// IsVote reports whether t asks for or answers a vote or a pre-vote.
func (t MsgType) IsVote() bool {
	c := t.Class()
	return c >= ClassVote && c <= ClassPreVoteReply
}

// IsVoteReply reports whether t answers a vote or a pre-vote request.
func (t MsgType) IsVoteReply() bool {
	c := t.Class()
	return c == ClassVoteReply || c == ClassPreVoteReply
}

// IsLeaderTraffic reports whether t is a leader's append or heartbeat or an
// answer to one: the bulk of all messages in a healthy cluster.
func (t MsgType) IsLeaderTraffic() bool {
	c := t.Class()
	return c >= ClassAppend && c <= ClassHeartbeatReply
}

// Entry is a log entry: raft's, which has nothing only one engine has.
type Entry = raft.Entry

// Message is a message on the wire between two nodes of one engine: raft's
// Message, with Type widened to the whole vocabulary. The textbook engine's
// message is the embedded raft.Message itself, so that it crosses the seam as
// one copy; etcd fills the fields its message has, for displays, and sends
// its own message as Body. Every engine fills Type, From, To and Term, which
// is all the cluster and the transport read.
type Message struct {
	// Type is what the message is. It hides raft.Message's Type, which only
	// the textbook engine sets (to the same value).
	Type MsgType
	raft.Message
	// Body is the message in the engine's own form, when that is not
	// raft.Message (etcd's *raftpb.Message); nil for the textbook engine.
	// When set, it is what the receiving node reads: the fields describe it.
	Body any
}

func itoa(n int) string { return strconv.Itoa(n) }
