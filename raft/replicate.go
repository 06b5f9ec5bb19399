package raft

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Log replication: Figure 2's AppendEntries, nextIndex and matchIndex, and
// the commit rule of section 5.4.2.
//
// A leader sends a follower the entries from its nextIndex on (at most
// MaxEntries), with the index and term of the entry before them; the
// follower refuses unless its log holds that entry, and the leader then
// backs off and tries again at once. When a leader has nothing to send a
// follower (its nextIndex is past the leader's log), the AppendEntries is a
// heartbeat: no entries, and a prevLogIndex at the follower's matchIndex,
// the point up to which the leader knows their logs agree, so a heartbeat
// never fails the check and never starts backing off. A leader therefore
// finds out that a follower lacks entries when it next has entries to send
// it (a client's command, or its no-op), not from idle heartbeats: a
// cluster without client traffic sends only heartbeats, and logs set up by
// hand (AppendLog) stay as they were set.

// resetProgress starts a new leader's view of its followers (Figure 2:
// nextIndex just past the leader's log, matchIndex 0).
func (n *Node) resetProgress() {
	if n.next == nil {
		n.next = make([]uint64, len(n.isPeer))
		n.match = make([]uint64, len(n.isPeer))
	}
	next := n.lastIndex() + 1
	for _, p := range n.peers {
		n.next[p], n.match[p] = next, 0
	}
	n.held = 0
}

// Propose hands the node a client's command. A leader appends it to its log
// in its term, sends it to the followers that are up to date (the others get
// it as they catch up), and reports its index. A node that is not the leader
// refuses it with an EventRedirect naming the leader it knows, and reports
// false. The node keeps data: the caller must not change it afterwards.
func (n *Node) Propose(data []byte) (index uint64, ok bool) {
	n.beginStep()
	if n.role != Leader {
		n.emit(Event{Kind: EventRedirect, Role: n.role, Term: n.term, Peer: n.leader, Reason: n.redirectReason()})
		return 0, false
	}
	what := ""
	if !n.terse {
		what = "a client's command " + strconv.Quote(string(data))
	}
	index = n.appendOwn(Entry{Term: n.term, Data: data}, what)
	for _, p := range n.peers {
		if p != n.id && n.next[p] == index {
			n.sendAppend(p)
		}
	}
	return index, true
}

func (n *Node) redirectReason() string {
	switch {
	case n.terse:
		return ""
	case n.role == Candidate:
		return fmt.Sprintf("not the leader: a candidate in term %d, which has no leader yet", n.term)
	case n.role == PreCandidate:
		return fmt.Sprintf("not the leader: a pre-candidate in term %d, which knows no leader", n.term)
	case n.leader != None:
		return fmt.Sprintf("not the leader: %v leads term %d", n.leader, n.term)
	}
	return fmt.Sprintf("not the leader, and knows no leader in term %d", n.term)
}

// appendOwn appends a leader's own entry (what describes it) and reports
// its index. A lone node, its own majority, commits it at once.
func (n *Node) appendOwn(e Entry, what string) uint64 {
	n.log = append(grow(n.log, 1), e)
	index := n.lastIndex()
	ev := Event{Kind: EventAppend, Role: Leader, Term: n.term, Index: index, Count: 1}
	if !n.terse {
		ev.Reason = what
	}
	n.emit(ev)
	n.maybeCommit()
	return index
}

// sendAppend sends follower p the entries from its nextIndex on, or a
// heartbeat if it has them all (see the comment at the top of this file).
func (n *Node) sendAppend(p NodeID) {
	next, last := n.next[p], n.lastIndex()
	if next > last {
		prev := n.match[p]
		n.send(Message{Type: MsgAppendEntries, To: p, Term: n.term,
			PrevLogIndex: prev, PrevLogTerm: n.termAt(prev), LeaderCommit: min(n.commitIndex, prev)})
		return
	}
	prev := next - 1
	end := min(last, prev+n.maxEntries)
	n.send(Message{Type: MsgAppendEntries, To: p, Term: n.term,
		PrevLogIndex: prev, PrevLogTerm: n.termAt(prev), Entries: n.log[prev:end:end], LeaderCommit: n.commitIndex})
}

// acceptAppendEntries takes an AppendEntries from the leader of our term. It
// proves a live leader, so the election timer starts again whether or not
// the entries fit (Figure 2: the timer runs from the leader's last
// AppendEntries). Then the consistency check: the log must hold the entry
// before the new ones, with the same term; if it does, the entries are
// merged, and the commit index follows the leader's.
func (n *Node) acceptAppendEntries(now time.Duration, m Message) {
	n.leader = m.From
	n.heardLeader = true
	n.lastLeader = m.From
	n.lastLeaderContact = now
	n.resetElectionTimer(now)
	last := n.lastIndex()
	if m.PrevLogIndex > last || n.termAt(m.PrevLogIndex) != m.PrevLogTerm {
		n.refuse(m, last)
		return
	}
	if len(m.Entries) > 0 {
		n.merge(m)
	}
	match := m.PrevLogIndex + uint64(len(m.Entries))
	if m.LeaderCommit > n.commitIndex {
		n.commitFrom(min(m.LeaderCommit, match), m)
	}
	n.send(Message{Type: MsgAppendEntriesReply, To: m.From, Term: n.term, Success: true, Index: match})
}

// refuse answers an AppendEntries whose previous entry this log lacks, and
// says why in numbers.
func (n *Node) refuse(m Message, last uint64) {
	var why string
	switch {
	case n.terse:
	case m.PrevLogIndex > last:
		why = "no entry at index " + u64(m.PrevLogIndex) + " (its log ends at " + u64(last) + ")"
	default:
		why = fmt.Sprintf("its entry at index %d has term %d, not %d", m.PrevLogIndex, n.termAt(m.PrevLogIndex), m.PrevLogTerm)
	}
	n.emit(Event{Kind: EventReject, Role: n.role, Term: n.term, Peer: m.From, Type: m.Type, Index: m.PrevLogIndex, Reason: why})
	n.send(Message{Type: MsgAppendEntriesReply, To: m.From, Term: n.term, Index: m.PrevLogIndex, LastLogIndex: last})
}

// merge adds m's entries after its PrevLogIndex, which matches: entries
// the log already has are skipped (a late or repeated message changes
// nothing), the first conflicting one and all after it are deleted (Figure
// 2, rule 3), and the rest appended (rule 4).
func (n *Node) merge(m Message) {
	index, entries := m.PrevLogIndex, m.Entries
	for len(entries) > 0 && index < n.lastIndex() {
		if n.log[index].Term != entries[0].Term {
			n.truncate(index+1, m.From, entries[0].Term)
			break
		}
		index++
		entries = entries[1:]
	}
	if len(entries) == 0 {
		return
	}
	first := n.lastIndex() + 1
	n.log = append(grow(n.log, len(entries)), entries...)
	ev := Event{Kind: EventAppend, Role: n.role, Term: n.term, Peer: m.From, Index: first, Count: len(entries)}
	if !n.terse {
		ev.Because = Because{Kind: BecauseLogMatches, Index: m.PrevLogIndex, Term: m.PrevLogTerm}
	}
	n.emit(ev)
}

// truncate deletes the entries from index from on, because the leader's
// entry there has term theirs. The log is clipped first, so that slices of
// it handed out before keep their contents. In a correct cluster no
// committed entry is ever deleted; if one is (UnsafeCommit elsewhere), the
// commit index comes back to the end of what is left and the event says so.
func (n *Node) truncate(from uint64, leader NodeID, theirs uint64) {
	last := n.lastIndex()
	ours := n.termAt(from)
	ev := Event{Kind: EventTruncate, Role: n.role, Term: n.term, Peer: leader, Index: from, Count: int(last - from + 1)}
	if !n.terse {
		ev.Reason = fmt.Sprintf("its entry at index %d has term %d, leader %v's has term %d", from, ours, leader, theirs)
		if from <= n.commitIndex {
			ev.Reason += fmt.Sprintf("; %s had been committed: State Machine Safety is broken", indexRange(from, n.commitIndex))
		}
	}
	n.commitIndex = min(n.commitIndex, from-1)
	n.log = slices.Clip(n.log[:from-1])
	n.emit(ev)
}

// commitFrom raises a follower's commit index to index, as its leader's
// commit index in m allows.
func (n *Node) commitFrom(index uint64, m Message) {
	if index <= n.commitIndex {
		return
	}
	ev := Event{Kind: EventCommit, Role: n.role, Term: n.term, Peer: m.From, Index: index, Count: int(index - n.commitIndex)}
	if !n.terse {
		ev.Because = Because{Kind: BecauseLeaderCommitted, Index: m.LeaderCommit}
	}
	n.commitIndex = index
	n.emit(ev)
}

// stepLeaderReply handles a follower's answer to an AppendEntries of our
// term.
func (n *Node) stepLeaderReply(m Message) {
	// Any answer of our term proves the follower is there and follows us,
	// refusals included: that is what CheckQuorum counts.
	n.markActive(m.From)
	if m.Index > n.lastIndex() {
		n.ignore(m, n.whyf("answers for index %d, past the end of my log (%d)", m.Index, n.lastIndex()))
		return
	}
	if m.Success {
		n.progress(m.From, m.Index)
		return
	}
	n.backOff(m)
}

// progress records that follower p stores the leader's log up to index,
// commits what a majority now stores, and sends p what it still lacks.
func (n *Node) progress(p NodeID, index uint64) {
	if index >= n.next[p] {
		n.next[p] = index + 1
	}
	if index <= n.match[p] {
		return // a late or repeated answer: nothing new
	}
	n.match[p] = index
	if index > n.commitIndex {
		n.maybeCommit()
	}
	if n.next[p] <= n.lastIndex() {
		n.sendAppend(p)
	}
}

// backOff handles a refusal: the follower's log does not hold the entry
// before those sent. Figure 2: decrement nextIndex and retry. A refusal of
// an earlier attempt, which the leader has already backed off from, is
// ignored, so that a late answer does not make it back off twice.
func (n *Node) backOff(m Message) {
	p, old := m.From, n.next[m.From]
	if m.Index+1 != old {
		n.ignore(m, n.whyf("refusal of index %d is stale: nextIndex for %v is %d", m.Index, p, old))
		return
	}
	next, how := m.Index, "one back"
	if n.backOffHint && m.LastLogIndex+1 < next {
		next, how = m.LastLogIndex+1, "just past the end of its log"
	}
	if next <= n.match[p] {
		next, how = n.match[p]+1, "just past its matchIndex"
	}
	if next >= old {
		n.ignore(m, n.whyf("refusal of index %d leaves nothing earlier to try", m.Index))
		return
	}
	n.next[p] = next
	ev := Event{Kind: EventBackOff, Role: Leader, Term: n.term, Peer: p, Index: next}
	if !n.terse {
		ev.Reason = fmt.Sprintf("its log does not match mine at index %d (it ends at %d): nextIndex %d -> %d, %s",
			m.Index, m.LastLogIndex, old, next, how)
	}
	n.emit(ev)
	n.sendAppend(p)
}

// maybeCommit applies the commit rule of section 5.4.2: the leader commits
// up to the highest index a majority stores (itself included), but only if
// that entry is of its current term; entries before it commit with it. An
// older entry on a majority can still be overwritten (Figure 8), unless
// UnsafeCommit says otherwise. Since a log's terms never decrease, if the
// majority's highest index is of an older term, so is every index below it:
// looking at that one index is enough.
func (n *Node) maybeCommit() {
	s := n.scratch[:0]
	for _, p := range n.peers {
		if p == n.id {
			s = append(s, n.lastIndex())
		} else {
			s = append(s, n.match[p])
		}
	}
	slices.Sort(s)
	n.scratch = s
	index := s[len(s)-n.quorum()]
	if index <= n.commitIndex {
		return
	}
	term := n.termAt(index)
	if term != n.term && !n.unsafeCommit {
		if index > n.held {
			n.held = index
			n.emit(Event{Kind: EventHold, Role: Leader, Term: n.term, Index: index, Reason: n.lazyWhy(func() string {
				return fmt.Sprintf("stored on %s, but its entry is from term %d, not the current %d: it commits once an entry of term %d is stored on a majority (section 5.4.2)",
					n.storedOn(nil, index), term, n.term, n.term)
			})})
		}
		return
	}
	ev := Event{Kind: EventCommit, Role: Leader, Term: n.term, Index: index, Count: int(index - n.commitIndex)}
	if !n.terse {
		w := n.why().s("index ").n(index).s(" (term ").n(term).s(") is stored on ")
		w = n.storedOn(w, index)
		if term != n.term {
			w = w.s(" (unsafe-commit: its entry is from term ").n(term).s(", not the current ").n(n.term).s(")")
		}
		ev.Reason = w.done(n)
	}
	n.commitIndex = index
	n.emit(ev)
}

// storedOn appends the nodes known to store index to w: "3 of 5 [n1 n2
// n4]".
func (n *Node) storedOn(w why, index uint64) why {
	count := 0
	for _, p := range n.peers {
		if p == n.id || n.match[p] >= index {
			count++
		}
	}
	w = w.n(uint64(count)).s(" of ").n(uint64(len(n.peers))).s(" [")
	sep := ""
	for _, p := range n.peers {
		if p == n.id || n.match[p] >= index {
			w = w.s(sep).id(p)
			sep = " "
		}
	}
	return w.s("]")
}

// grow makes room for k more elements, doubling the capacity when it must
// grow: append's growth of a quarter for large slices allocates five times
// a log's final size over its life, doubling twice, and a log grows on
// every client command. Used for the logs here and in the cluster's
// checker.
func grow[T any](s []T, k int) []T {
	if len(s)+k <= cap(s) {
		return s
	}
	return slices.Grow(s, max(k, len(s)))
}

// why builds a reason without fmt: every client command makes a handful
// of replication events, and fmt.Sprintf was most of their cost. It is
// built in the node's buffer (Node.why) and copied out once (done).
type why []byte

// why starts a reason in the node's buffer.
func (n *Node) why() why { return why(n.reasonBuf[:0]) }

// done returns the reason built, and keeps the buffer for the next.
func (w why) done(n *Node) string {
	n.reasonBuf = w
	return string(w)
}

func (w why) s(s string) why   { return append(w, s...) }
func (w why) n(v uint64) why   { return strconv.AppendUint(w, v, 10) }
func (w why) id(id NodeID) why { return strconv.AppendInt(append(w, 'n'), int64(id), 10) }
func (w why) String() string   { return string(w) }

// indexRange renders the indexes from first to last: "index 4" or
// "indexes 4-6".
func indexRange(first, last uint64) string {
	if first == last {
		return "index " + u64(first)
	}
	return "indexes " + u64(first) + "-" + u64(last)
}
