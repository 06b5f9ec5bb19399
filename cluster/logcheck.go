package cluster

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"time"

	"raftty/raft"
)

// The invariants of log replication (Raft paper, Figure 3), checked beside
// the election's.
const (
	// Log Matching: if two logs hold an entry with the same index and term,
	// they are identical up to that index.
	InvLogMatching = "log-matching"
	// Leader Completeness: a leader's log holds every entry committed
	// before its term.
	InvLeaderCompleteness = "leader-completeness"
	// State Machine Safety: no two nodes commit different entries at one
	// index.
	InvStateMachineSafety = "state-machine-safety"
)

// logChecker follows every node's log through the replication events, as
// a hash of each prefix (a chain: entry i's hash covers entries 1 to i), and
// keeps the first entry committed at each index. With them each invariant
// costs a few comparisons per event: two logs hold the same history up to
// an index exactly when their chains agree there.
//
// Both only grow at their ends, and a truncated chain is clipped first, so
// a checkpoint shares them with the cluster it was taken from (see clone).
// Entries set up by hand (log N append K) extend the chains but are never
// judged: Raft did not make them, and the bench's log handicap breaks Log
// Matching on purpose.
type logChecker struct {
	chains    [][]uint64 // by node id
	committed []committedEntry
}

// committedEntry is the first entry a node committed at an index: what
// every other node must commit there.
type committedEntry struct {
	term  uint64
	data  []byte
	chain uint64
	node  int
	at    time.Duration
}

func (k *logChecker) init(nodes int) { k.chains = make([][]uint64, nodes+1) }

// clone shares everything, clipped: neither copy writes where the other
// can read.
func (k *logChecker) clone() logChecker {
	chains := make([][]uint64, len(k.chains))
	for i, ch := range k.chains {
		chains[i] = slices.Clip(ch)
	}
	return logChecker{chains: chains, committed: slices.Clip(k.committed)}
}

// extend brings node id's chain to the end of its log, from index first on
// (or from the end of the chain, if that is before first).
func (k *logChecker) extend(id int, log []raft.Entry, first uint64) {
	ch := k.chains[id]
	if n := uint64(len(ch)); n >= first {
		ch = slices.Clip(ch[:first-1]) // never write where a checkpoint reads
	} else {
		first = n + 1
	}
	for i := first; i <= uint64(len(log)); i++ {
		h := uint64(0x9e3779b97f4a7c15)
		if i > 1 {
			h = ch[i-2]
		}
		ch = append(grow(ch), chainHash(h, log[i-1]))
	}
	k.chains[id] = ch
}

// chainHash extends the hash h of a log's prefix by entry e, eight bytes at
// a time (a multiply-xorshift mix): the chains are on the path of every
// client command, and a byte at a time was most of the checker's cost.
func chainHash(h uint64, e raft.Entry) uint64 {
	h = mix(h, e.Term)
	h = mix(h, uint64(len(e.Data)))
	d := e.Data
	for len(d) >= 8 {
		h = mix(h, binary.LittleEndian.Uint64(d))
		d = d[8:]
	}
	var tail uint64
	for i, b := range d {
		tail |= uint64(b) << (8 * i)
	}
	return mix(h, tail)
}

// grow makes room for one more element, doubling the capacity when it must
// grow (append adds only a quarter to a large slice): chains and the
// committed table grow with every client command.
func grow[T any](s []T) []T {
	if len(s) < cap(s) {
		return s
	}
	return slices.Grow(s, max(1, len(s)))
}

func mix(h, v uint64) uint64 {
	h = (h ^ v) * 0xff51afd7ed558ccd
	return h ^ h>>32
}

// handAppended follows an append set up by hand: not judged.
func (k *logChecker) handAppended(id int, log []raft.Entry) {
	k.extend(id, log, uint64(len(k.chains[id]))+1)
}

// truncated follows node id's deletion of its entries from index from on.
func (k *logChecker) truncated(id int, from uint64) {
	k.chains[id] = slices.Clip(k.chains[id][:from-1])
}

// appended follows node id's append of count entries from index first,
// and checks Log Matching against every other node's log as it is now:
// a log changes only by appends, so checking each new entry once, when it
// arrives, checks every pair of logs at every moment. Chains that agree at
// an index mean the same history up to it, so the search stops at the
// highest such index; below it, an entry of equal index and term with
// another chain breaks Log Matching.
func (k *logChecker) appended(e *Event, logs func(id int) []raft.Entry) []Event {
	id := e.Node
	log := logs(id)
	k.extend(id, log, e.Index)
	mine := k.chains[id]
	last := e.Index + uint64(e.Count) - 1
	for other := 1; other < len(k.chains); other++ {
		theirs := k.chains[other]
		if other == id || uint64(len(theirs)) < e.Index {
			continue
		}
		var olog []raft.Entry
		for i := min(last, uint64(len(theirs))); i >= e.Index; i-- {
			if theirs[i-1] == mine[i-1] {
				break // the same history up to i, and so below it
			}
			if olog == nil {
				olog = logs(other)
			}
			if olog[i-1].Term == log[i-1].Term {
				return []Event{{At: e.At, Kind: KindViolation, Invariant: InvLogMatching, Detail: fmt.Sprintf(
					"n%d and n%d both hold an entry of term %d at index %d, but their logs differ up to it: %s",
					id, other, log[i-1].Term, i, firstDifference(id, log, other, olog))}}
			}
		}
	}
	return nil
}

// firstDifference says where two logs first differ: "at index 2, term 2
// in n1's, term 3 in n5's".
func firstDifference(a int, alog []raft.Entry, b int, blog []raft.Entry) string {
	for i := range min(len(alog), len(blog)) {
		if alog[i].Term != blog[i].Term || !bytes.Equal(alog[i].Data, blog[i].Data) {
			return fmt.Sprintf("at index %d, %s in n%d's, %s in n%d's", i+1, entryText(alog[i]), a, entryText(blog[i]), b)
		}
	}
	return "nowhere (a hash collision)"
}

// committedTo follows node id's commit of count entries up to index, and
// checks State Machine Safety: the first node to commit an index says what
// every other must commit there.
func (k *logChecker) committedTo(e *Event, log []raft.Entry) []Event {
	var out []Event
	for i := e.Index - uint64(e.Count) + 1; i <= e.Index; i++ {
		entry := log[i-1]
		if i > uint64(len(k.committed)) {
			k.committed = append(grow(k.committed), committedEntry{
				term: entry.Term, data: entry.Data, chain: k.chains[e.Node][i-1], node: e.Node, at: e.At})
			continue
		}
		first := k.committed[i-1]
		if first.term != entry.Term || !bytes.Equal(first.data, entry.Data) {
			out = append(out, Event{At: e.At, Kind: KindViolation, Invariant: InvStateMachineSafety, Detail: fmt.Sprintf(
				"n%d commits %s at index %d, but n%d committed %s there at %s",
				e.Node, entryText(entry), i, first.node, entryText(raft.Entry{Term: first.term, Data: first.data}), seconds(first.at))})
		}
	}
	return out
}

// leaderElected checks Leader Completeness for node id, which just won a
// term with log: it must hold every entry committed so far, which (Log
// Matching and State Machine Safety holding) is one comparison, at the last
// committed index.
func (k *logChecker) leaderElected(e *Event, log []raft.Entry) []Event {
	n := uint64(len(k.committed))
	if n == 0 {
		return nil
	}
	chain := k.chains[e.Node]
	if uint64(len(chain)) >= n && chain[n-1] == k.committed[n-1].chain {
		return nil
	}
	for i, c := range k.committed {
		if i >= len(log) {
			return []Event{k.incomplete(e, uint64(i)+1, c, fmt.Sprintf("its log ends at index %d", len(log)))}
		}
		if log[i].Term != c.term || !bytes.Equal(log[i].Data, c.data) {
			return []Event{k.incomplete(e, uint64(i)+1, c, "its log has "+entryText(log[i])+" there")}
		}
	}
	return nil // the committed entries differ among themselves: State Machine Safety said so
}

func (k *logChecker) incomplete(e *Event, index uint64, c committedEntry, what string) Event {
	return Event{At: e.At, Kind: KindViolation, Invariant: InvLeaderCompleteness, Detail: fmt.Sprintf(
		"n%d leads term %d without the entry n%d committed at index %d at %s (%s): %s",
		e.Node, e.Term, c.node, index, seconds(c.at), entryText(raft.Entry{Term: c.term, Data: c.data}), what)}
}

// entryText names an entry by its term and command: `term 2 "v1"`, or
// `term 2, empty` for a no-op or an entry set up by hand.
func entryText(e raft.Entry) string {
	if e.Data == nil {
		return fmt.Sprintf("term %d, empty", e.Term)
	}
	return fmt.Sprintf("term %d %q", e.Term, e.Data)
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) + "s" }
