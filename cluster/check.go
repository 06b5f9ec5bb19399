package cluster

import (
	"fmt"
	"maps"
)

// The invariants the checker watches, as violation events name them.
const (
	InvElectionSafety = "election-safety"      // at most one leader per term
	InvOneVote        = "one-vote-per-term"    // a node votes at most once per term
	InvTermMonotonic  = "term-never-decreases" // kill and restart included
)

// checker watches the event stream for broken invariants. It is always on;
// a violation is an event like any other.
type checker struct {
	lastTerm []uint64 // by node id: highest term seen
	vote     []castVote
	leaderOf map[uint64]int
}

type castVote struct {
	term uint64
	node int
}

func (k *checker) init(nodes int) {
	k.lastTerm = make([]uint64, nodes+1)
	k.vote = make([]castVote, nodes+1)
	k.leaderOf = make(map[uint64]int)
}

// observe checks a state or vote event and returns the violations it
// reveals.
func (k *checker) observe(e *Event) []Event {
	var out []Event
	violation := func(inv, format string, args ...any) {
		out = append(out, Event{At: e.At, Kind: KindViolation, Invariant: inv, Detail: fmt.Sprintf(format, args...)})
	}
	switch e.Kind {
	case KindState:
		if e.Term < k.lastTerm[e.Node] {
			violation(InvTermMonotonic, "n%d went from term %d back to %d", e.Node, k.lastTerm[e.Node], e.Term)
		}
		k.lastTerm[e.Node] = max(k.lastTerm[e.Node], e.Term)
		switch e.State {
		case StateCandidate:
			if other, ok := k.castVote(e.Node, e.Term, e.Node); !ok {
				violation(InvOneVote, "n%d voted n%d and then itself in term %d", e.Node, other, e.Term)
			}
		case StateLeader:
			if other, ok := k.leaderOf[e.Term]; ok && other != e.Node {
				violation(InvElectionSafety, "n%d and n%d both lead term %d", other, e.Node, e.Term)
			}
			k.leaderOf[e.Term] = e.Node
			k.prune()
		}
	case KindVote:
		if e.Granted && !e.PreVote {
			if other, ok := k.castVote(e.Node, e.Term, e.For); !ok {
				violation(InvOneVote, "n%d voted n%d and then n%d in term %d", e.Node, other, e.For, e.Term)
			}
		}
	}
	return out
}

// castVote records that node voted for candidate in term. Terms never go
// back, so remembering each node's latest vote is enough. It returns the
// earlier choice and false if the node had voted otherwise in that term.
func (k *checker) castVote(node int, term uint64, candidate int) (int, bool) {
	prev := k.vote[node]
	if prev.term == term && prev.node != 0 && prev.node != candidate {
		return prev.node, false
	}
	if term >= prev.term {
		k.vote[node] = castVote{term: term, node: candidate}
	}
	return 0, true
}

// forget takes back what node did that never reached its disk (killed
// while writing): it comes back with the term and vote it had stored, and
// the messages that would have told anyone otherwise never left.
func (k *checker) forget(node int, term uint64, vote int) {
	k.lastTerm[node] = term
	k.vote[node] = castVote{term: term, node: vote}
}

// prune forgets the leaders of terms that no node can enter any more (every
// node is already past them), so that a long run with many terms keeps a
// bounded map.
func (k *checker) prune() {
	if len(k.leaderOf) < 1024 {
		return
	}
	low := k.lastTerm[1]
	for _, t := range k.lastTerm[1:] {
		low = min(low, t)
	}
	maps.DeleteFunc(k.leaderOf, func(term uint64, _ int) bool { return term < low })
}
