package raft

import (
	"strconv"
	"time"
)

// Step hands the node a message that arrived at virtual time now. Terms are
// dealt with first, for every role alike; then the role decides.
func (n *Node) Step(now time.Duration, m Message) {
	n.beginStep()
	if m.To != n.id || m.From == n.id || !n.isPeerID(m.From) || !m.Type.Valid() {
		n.ignore(m, n.whyf("not a valid message for %v", n.id))
		return
	}
	switch {
	case m.Term > n.term:
		if !n.stepHigherTerm(now, m) {
			return
		}
	case m.Term < n.term:
		n.stepStaleTerm(m)
		return
	}
	switch m.Type {
	case MsgRequestVote:
		n.handleRequestVote(now, m)
	case MsgPreVote:
		n.handlePreVote(now, m)
	default:
		switch n.role {
		case Leader:
			n.stepLeader(m)
		case Candidate, PreCandidate:
			n.stepCandidate(now, m)
		default:
			n.stepFollower(now, m)
		}
	}
}

func u64(x uint64) string { return strconv.FormatUint(x, 10) }

func (n *Node) isPeerID(id NodeID) bool {
	if n.dense {
		return id >= n.peers[0] && id <= n.peers[len(n.peers)-1]
	}
	return id > None && int(id) < len(n.isPeer) && n.isPeer[id]
}

// stepHigherTerm handles a message from a term ahead of ours: whoever sees a
// higher term becomes its follower. Pre-vote traffic is the exception: a
// PreVote and a granted PreVoteReply carry a term that nobody has entered
// yet. It reports whether the message should go on to be handled.
func (n *Node) stepHigherTerm(now time.Duration, m Message) bool {
	switch {
	case m.Type == MsgPreVote:
		return true
	case m.Type == MsgPreVoteReply && m.Granted:
		return true
	case m.Type == MsgPreVoteReply:
		if n.role == PreCandidate {
			n.recordVote(m.From, false)
		}
		n.becomeFollower(now, m.Term, None, n.whyf("%v refused its pre-vote from term %d > %d: adopts that term", m.From, m.Term, n.term))
		return false
	}
	leader := None
	if m.Type == MsgAppendEntries {
		leader = m.From
	}
	n.becomeFollower(now, m.Term, leader, n.lazyWhy(func() string {
		// Built by hand: in a large cluster every node says this once per
		// election, and Sprintf was a fifth of an election's cost.
		return "saw term " + u64(m.Term) + " > " + u64(n.term) + " in " + m.Type.String() + " from " + m.From.String()
	}))
	// A request still wants an answer in the new term; a reply has said
	// all it had to say.
	return m.Type == MsgAppendEntries || m.Type == MsgRequestVote
}

// stepStaleTerm answers a message from a term behind ours, so that its
// sender learns the current term and steps down.
func (n *Node) stepStaleTerm(m Message) {
	why := n.whyf("stale term %d < %d", m.Term, n.term)
	switch m.Type {
	case MsgAppendEntries:
		n.ignore(m, why)
		n.send(Message{Type: MsgAppendEntriesReply, To: m.From, Term: n.term, Success: false})
	case MsgRequestVote, MsgPreVote:
		n.answerVote(m, false, n.term, why)
	default:
		n.ignore(m, why)
	}
}

func (n *Node) ignore(m Message, why string) {
	n.emit(Event{Kind: EventIgnore, Peer: m.From, Type: m.Type, Term: m.Term, Role: n.role, Reason: why})
}

func (n *Node) answerVote(m Message, granted bool, term uint64, why string) {
	pre := m.Type == MsgPreVote
	reply := MsgRequestVoteReply
	if pre {
		reply = MsgPreVoteReply
	}
	n.emit(Event{Kind: EventVote, Peer: m.From, Term: m.Term, Granted: granted, PreVote: pre, Role: n.role, Reason: why})
	n.send(Message{Type: reply, To: m.From, Term: term, Granted: granted})
}

// logUpToDate reports whether a candidate's log is at least as up to date
// as this node's (section 5.4.1): a later last term, or the same last term
// and at least as long.
func (n *Node) logUpToDate(m Message) bool {
	idx, term := n.lastLog()
	return m.LastLogTerm > term || (m.LastLogTerm == term && m.LastLogIndex >= idx)
}

// logBehind says in numbers why a candidate's log is behind this node's.
func (n *Node) logBehind(m Message) string {
	idx, term := n.lastLog()
	return n.whyf("its log (last term %d, index %d) is behind mine (last term %d, index %d)",
		m.LastLogTerm, m.LastLogIndex, term, idx)
}

// handleRequestVote answers a vote request of our own term (a higher term
// has already made us its follower): Figure 2's rule, one vote per term.
func (n *Node) handleRequestVote(now time.Duration, m Message) {
	if n.votedFor != None && n.votedFor != m.From && !n.forgetVotes {
		n.answerVote(m, false, n.term, n.lazyWhy(func() string {
			return "already voted " + n.votedFor.String() + " in term " + u64(n.term)
		}))
		return
	}
	if !n.logUpToDate(m) {
		n.answerVote(m, false, n.term, n.logBehind(m))
		return
	}
	n.votedFor = m.From
	n.resetElectionTimer(now)
	n.answerVote(m, true, n.term, n.lazyWhy(func() string {
		return "first request in term " + u64(n.term) + " and its log is up to date"
	}))
}

// handlePreVote answers "would you vote for me in term m.Term?" without
// changing any state (dissertation section 9.6). Yes only if that term is
// ahead of ours, the candidate's log is up to date, and no live leader was
// heard from within the minimum election timeout: the last condition is what
// keeps a returning node from deposing a healthy leader.
func (n *Node) handlePreVote(now time.Duration, m Message) {
	var why string
	switch {
	case m.Term <= n.term:
		why = n.whyf("term %d is not ahead of mine (%d)", m.Term, n.term)
	case n.role == Leader:
		why = n.whyf("I am the live leader of term %d", n.term)
	case n.heardLeader && now-n.lastLeaderContact < n.timing.ElectionMin:
		why = n.whyf("heard from leader %v %v ago, within the minimum election timeout %v",
			n.lastLeader, round(now-n.lastLeaderContact), n.timing.ElectionMin)
	case !n.logUpToDate(m):
		why = n.logBehind(m)
	default:
		n.answerVote(m, true, m.Term, n.whyf("would vote in term %d: no leader heard within %v and its log is up to date", m.Term, n.timing.ElectionMin))
		return
	}
	n.answerVote(m, false, n.term, why)
}

func (n *Node) stepFollower(now time.Duration, m Message) {
	if m.Type != MsgAppendEntries {
		n.ignore(m, "a follower expects no replies")
		return
	}
	if n.leader != None && n.leader != m.From {
		n.ignore(m, n.whyf("already follows %v in term %d", n.leader, n.term))
		return
	}
	n.acceptAppendEntries(now, m)
}

// stepCandidate handles a message of our term for a candidate or a
// pre-candidate: one function for both, as in etcd-io/raft, because they
// differ only in which answers they count and what winning leads to.
func (n *Node) stepCandidate(now time.Duration, m Message) {
	pre := n.role == PreCandidate
	answer, what := MsgRequestVoteReply, "candidacy"
	if pre {
		answer, what = MsgPreVoteReply, "pre-vote"
	}
	switch m.Type {
	case MsgAppendEntries:
		n.becomeFollower(now, n.term, m.From, n.whyf("%v leads term %d: abandons its %s", m.From, n.term, what))
		n.acceptAppendEntries(now, m)
	case answer:
		// A granted pre-vote carries the term asked for; a refusal, the
		// voter's own term, which is ours here (a higher one made us a
		// follower). A vote answer always carries our term.
		if pre && m.Granted && m.Term != n.term+1 {
			n.ignore(m, n.whyf("pre-vote answer for term %d, not for this round's %d", m.Term, n.term+1))
			return
		}
		if !n.recordVote(m.From, m.Granted) {
			n.ignore(m, n.whyf("%v's answer already counted", m.From))
			return
		}
		if n.granted < n.quorum() {
			return
		}
		if pre {
			n.becomeCandidate(now, n.lazyWhy(func() string { return "pre-vote won: " + n.tally() }))
		} else {
			n.becomeLeader(now)
		}
	default:
		n.ignore(m, n.whyf("a %v counts only %v", n.role, answer))
	}
}

func (n *Node) stepLeader(m Message) {
	switch m.Type {
	case MsgAppendEntriesReply:
		n.stepLeaderReply(m)
	case MsgAppendEntries:
		n.ignore(m, n.whyf("another leader in my term %d", n.term))
	default:
		n.ignore(m, n.whyf("already leader of term %d", n.term))
	}
}
