package tui

import (
	"strings"

	"raftty/cluster"
)

// logFilter is what / keeps in the event log: every word must match a
// line. A word like n3 matches the lines that name node 3 (not n31); a
// kind of event (state, vote, timeout, drop, deliver, fault, param, ignore,
// violation, error) matches lines of that kind; any other word matches
// text, ignoring case.
type logFilter struct {
	text  string
	nodes []string
	kinds []cluster.Kind
	words []string
}

var filterKinds = map[string]cluster.Kind{
	"state": cluster.KindState, "vote": cluster.KindVote, "timeout": cluster.KindTimeout,
	"drop": cluster.KindDrop, "deliver": cluster.KindDeliver, "fault": cluster.KindFault,
	"param": cluster.KindParam, "ignore": cluster.KindIgnore, "violation": cluster.KindViolation,
	"error": cluster.KindError, "explain": cluster.KindExplain, "expect": cluster.KindExpect,
}

func parseFilter(text string) logFilter {
	f := logFilter{text: strings.TrimSpace(text)}
	for _, w := range strings.Fields(strings.ToLower(text)) {
		if k, ok := filterKinds[w]; ok {
			f.kinds = append(f.kinds, k)
		} else if isNodeName(w) {
			f.nodes = append(f.nodes, w)
		} else {
			f.words = append(f.words, w)
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

// match reports whether l passes every word of the filter.
func (f *logFilter) match(l *logLine) bool {
	for _, k := range f.kinds {
		if l.ev != k {
			return false
		}
	}
	for _, n := range f.nodes {
		if !mentions(l.text, n) {
			return false
		}
	}
	if len(f.words) == 0 {
		return true
	}
	lower := strings.ToLower(l.text)
	for _, w := range f.words {
		if !strings.Contains(lower, w) {
			return false
		}
	}
	return true
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
