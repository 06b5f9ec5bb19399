package cluster

import (
	"time"

	"raftty/engine"
)

// termVote is the term and vote on stable storage once a disk write ends.
type termVote struct {
	term uint64
	vote engine.NodeID
}

// pendingWrite is a disk write under way: durable from done on.
type pendingWrite struct {
	done time.Duration
	termVote
}

// diskWrite is a write a step needs: what is on disk after it, and
// whether it writes log entries (which take LogWrite) rather than term and
// vote (DiskWrite).
type diskWrite struct {
	termVote
	log bool
}

// diskWrites lists, in order, the writes that persist the change from
// before to after, as LogCabin (which produced the paper's Figure 16) makes
// them: a new term is one write (with the candidate's vote for itself, if
// it is one); a vote for another node one more, so that a voter that adopts
// a candidate's term and grants it writes twice before it answers; and a
// step that changed a follower's log (logged: see followerLogged) one more,
// last, as LogCabin writes its metadata and its log apart: a follower
// answers an AppendEntries once its entries are stable.
func diskWrites(before, after engine.HardState, self engine.NodeID, logged bool) []diskWrite {
	var writes []diskWrite
	if after.Term != before.Term {
		w := termVote{term: after.Term}
		if after.VotedFor == self {
			w.vote = self
		}
		writes = append(writes, diskWrite{termVote: w})
	}
	if after.VotedFor != before.VotedFor && after.VotedFor != engine.None && after.VotedFor != self {
		writes = append(writes, diskWrite{termVote: termVote{after.Term, after.VotedFor}})
	}
	if logged {
		writes = append(writes, diskWrite{termVote: termVote{after.Term, after.VotedFor}, log: true})
	}
	return writes
}

// write starts the writes that persist m's step from before to after
// (logged: the step changed a follower's log) at now, after those
// already under way, and returns when the last ends: the step's messages
// leave then, and not before (Figure 2: update stable storage before
// responding to RPCs).
//
// A kill keeps the term and vote that reached the disk, but the log as it
// is: a log write cut short by a kill counts as done, its messages lost.
// That is one of the outcomes a real disk allows, and nobody can tell it
// from the other, since no message about those entries had left.
func (m *member) write(now, each, logEach time.Duration, before, after engine.HardState, logged bool) time.Duration {
	if after.Term == before.Term && after.VotedFor == before.VotedFor && !logged && len(m.writes) == 0 {
		return now // the common step (a heartbeat): nothing to write, nothing under way
	}
	m.settle(now)
	writes := diskWrites(before, after, engine.NodeID(m.id), logged)
	if len(writes) == 0 {
		return now
	}
	at := max(now, m.busyUntil)
	for _, w := range writes {
		if w.log {
			at += logEach
		} else {
			at += each
		}
		m.writes = append(m.writes, pendingWrite{done: at, termVote: w.termVote})
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
