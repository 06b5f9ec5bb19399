package cluster

import (
	"time"

	"raftty/engine"
)

// termVote is what one disk write persists: a term and a vote.
type termVote struct {
	term uint64
	vote engine.NodeID
}

// pendingWrite is a disk write under way: durable from done on.
type pendingWrite struct {
	done time.Duration
	termVote
}

// diskWrites lists, in order, the writes that persist the change from
// before to after, as LogCabin (which produced the paper's Figure 16) makes
// them: a new term is one write (with the candidate's vote for itself, if
// it is one); a vote for another node one more, so that a voter that adopts
// a candidate's term and grants it writes twice before it answers.
func diskWrites(before, after engine.HardState, self engine.NodeID) []termVote {
	var writes []termVote
	if after.Term != before.Term {
		w := termVote{term: after.Term}
		if after.VotedFor == self {
			w.vote = self
		}
		writes = append(writes, w)
	}
	if after.VotedFor != before.VotedFor && after.VotedFor != engine.None && after.VotedFor != self {
		writes = append(writes, termVote{after.Term, after.VotedFor})
	}
	return writes
}

// write starts the writes that persist m's step from before to after at
// now, after those already under way, and returns when the last ends: the
// step's messages leave then, and not before (Figure 2: update stable
// storage before responding to RPCs).
func (m *member) write(now, each time.Duration, before, after engine.HardState) time.Duration {
	if after.Term == before.Term && after.VotedFor == before.VotedFor && len(m.writes) == 0 {
		return now // the common step (a heartbeat): nothing to write, nothing under way
	}
	m.settle(now)
	writes := diskWrites(before, after, engine.NodeID(m.id))
	if len(writes) == 0 {
		return now
	}
	at := max(now, m.busyUntil)
	for _, w := range writes {
		at += each
		m.writes = append(m.writes, pendingWrite{done: at, termVote: w})
	}
	return at
}

// settle moves the writes that have ended by now to the disk.
func (m *member) settle(now time.Duration) {
	done := 0
	for _, w := range m.writes {
		if w.done > now {
			break
		}
		m.disk = w.termVote
		done++
	}
	if done == len(m.writes) {
		m.writes = m.writes[:0]
	} else {
		m.writes = append(m.writes[:0], m.writes[done:]...)
	}
}
