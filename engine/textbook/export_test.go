package textbook

import (
	"raftty/engine"
	"raftty/raft"
)

// RoundTrip converts m to the seam's Message and back.
func RoundTrip(m raft.Message) raft.Message {
	em := fromRaft(&m)
	return toRaft(&em)
}

// EventFromRaft converts e to the seam's Event.
func EventFromRaft(e raft.Event) engine.Event { return eventFromRaft(&e) }
