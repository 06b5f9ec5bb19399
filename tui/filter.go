package tui

import (
	"bytes"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"raftty/cluster"
)

// logFilter is what / keeps in the event log: every word must match a
// line. A word like n3 matches the lines that name node 3 (not n31); a
// kind of event (state, vote, timeout, drop, deliver, fault, param, ignore,
// violation, error, explain, expect, fork, and log replication's append,
// truncate, commit, hold, reject, backoff, redirect) matches lines of that
// kind; any other word matches text, ignoring case.
type logFilter struct {
	text  string
	kinds []cluster.Kind
	nodes []nodeWord
	words [][]byte
}

// nodeWord is a node named in a filter: as typed, and its id (-1 if the
// log never writes it so).
type nodeWord struct {
	name string
	id   int
}

var filterKinds = map[string]cluster.Kind{
	"state": cluster.KindState, "vote": cluster.KindVote, "timeout": cluster.KindTimeout,
	"drop": cluster.KindDrop, "deliver": cluster.KindDeliver, "fault": cluster.KindFault,
	"param": cluster.KindParam, "ignore": cluster.KindIgnore, "violation": cluster.KindViolation,
	"error": cluster.KindError, "explain": cluster.KindExplain, "expect": cluster.KindExpect,
	"append": cluster.KindAppend, "truncate": cluster.KindTruncate, "commit": cluster.KindCommit,
	"hold": cluster.KindHold, "reject": cluster.KindReject, "backoff": cluster.KindBackOff,
	"redirect": cluster.KindRedirect, "fork": cluster.KindFork,
}

func parseFilter(text string) logFilter {
	f := logFilter{text: strings.TrimSpace(text)}
	for _, w := range strings.Fields(strings.ToLower(text)) {
		if k, ok := filterKinds[w]; ok {
			f.kinds = append(f.kinds, k)
		} else if isNodeName(w) {
			f.nodes = append(f.nodes, nodeWord{name: w, id: nodeID(w)})
		} else {
			f.words = append(f.words, []byte(w))
		}
	}
	return f
}

func isNodeName(w string) bool {
	if len(w) < 2 || w[0] != 'n' {
		return false
	}
	for _, c := range w[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// match reports whether l passes every word of the filter. Kinds and nodes
// are matched on the event's fields (a node also on the words of a reason
// or a detail); only the other words need the line's text, which is made
// in scratch.
func (f *logFilter) match(l *logLine, scratch *[]byte) bool {
	for _, k := range f.kinds {
		if l.kind != k {
			return false
		}
	}
	for _, n := range f.nodes {
		if !(n.id > 0 && l.names(n.id)) && !l.wordsName(n.name) {
			return false
		}
	}
	if len(f.words) == 0 {
		return true
	}
	*scratch = lower(l.appendText((*scratch)[:0]))
	for _, w := range f.words {
		if !bytes.Contains(*scratch, w) {
			return false
		}
	}
	return true
}

// lower lowers b's letters in place when it is ASCII, as event text is but
// for words a scenario wrote.
func lower(b []byte) []byte {
	for i, c := range b {
		if c >= utf8.RuneSelf {
			return bytes.ToLower(b)
		}
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b
}

// mentions reports whether text names node (n3) as a word of its own.
func mentions(text, node string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], node)
		if j < 0 {
			return false
		}
		j += i
		before := j == 0 || !isAlnum(text[j-1])
		after := j+len(node) == len(text) || !isDigit(text[j+len(node)])
		if before && after {
			return true
		}
		i = j + 1
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') }

// filtered is the lines of one log that pass one filter, by their ring
// numbers. It is brought up to date as lines arrive (sync), not found
// again each frame: a frame then costs the same with a filter as
// without, however long the log.
type filtered struct {
	log    *ring[logLine]
	filter string
	lines  []int
	// upto: the lines numbered below it have been looked at; cuts: the
	// log's cuts then (a fork rewrites its end: everything is looked at
	// again).
	upto, cuts int
	scratch    []byte
}

// sync brings the matching lines of log up to date with f.
func (x *filtered) sync(log *ring[logLine], f *logFilter) []int {
	first := log.total - log.n
	if x.log != log || x.filter != f.text || x.cuts != log.cuts {
		*x = filtered{log: log, filter: f.text, lines: x.lines[:0], cuts: log.cuts, upto: first, scratch: x.scratch}
	}
	// The newest line looked at may have changed since (a drop or a
	// parameter folded into it): it is looked at again.
	from := max(x.upto-1, first)
	n, _ := slices.BinarySearch(x.lines, from)
	x.lines = x.lines[:n]
	n, _ = slices.BinarySearch(x.lines, first)
	x.lines = x.lines[n:] // lines that fell off the old end
	if x.lines == nil {
		x.lines = make([]int, 0, 64) // nil means "no filter" to shownLines
	}
	for num := from; num < log.total; num++ {
		if f.match(log.ptr(num-first), &x.scratch) {
			x.lines = append(x.lines, num)
		}
	}
	x.upto = log.total
	return x.lines
}

// shownLines are the lines the log panel shows: all of a log, or those a
// filter keeps, oldest first.
type shownLines struct {
	log *ring[logLine]
	// nums are the ring numbers of the lines kept; nil: every line.
	nums []int
}

func (s shownLines) len() int {
	if s.nums == nil {
		return s.log.len()
	}
	return len(s.nums)
}

// num is the ring number of the k-th line shown.
func (s shownLines) num(k int) int {
	if s.nums == nil {
		return s.log.total - s.log.n + k
	}
	return s.nums[k]
}

// line is the k-th line shown.
func (s shownLines) line(k int) *logLine { return s.log.ptr(s.num(k) - (s.log.total - s.log.n)) }

// pos is where the line numbered num is among those shown, if it is.
func (s shownLines) pos(num int) (int, bool) {
	if s.nums == nil {
		k := num - (s.log.total - s.log.n)
		return k, k >= 0 && k < s.log.n
	}
	return slices.BinarySearch(s.nums, num)
}

// before is the position of the last line shown at or before t, or -1.
func (s shownLines) before(t time.Duration) int {
	return sort.Search(s.len(), func(k int) bool { return s.line(k).at() > t }) - 1
}
