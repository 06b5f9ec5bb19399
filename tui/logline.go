package tui

import (
	"fmt"
	"strconv"
	"time"

	"raftty/cluster"
)

// logLine is one line of the event log: the event it reports, kept typed.
// Its text is made only when the line is drawn or searched (appendText);
// the filter, the folding of lines and the inspector read the event's
// fields.
//
// A line may stand for several events: a broadcast dropped alike to
// several peers, and the parameters reported at the start, fold into the
// first one's line; folded holds the others, in order.
type logLine struct {
	ev     cluster.Event
	folded []cluster.Event
}

// at is when the line's event happened.
func (l *logLine) at() time.Duration { return l.ev.At }

// appendText appends the line as the log shows it: the time in seconds,
// then the event in words.
func (l *logLine) appendText(b []byte) []byte {
	b = fmt.Appendf(b, "%8.3f ", l.ev.At.Seconds())
	e := &l.ev
	switch {
	case len(l.folded) == 0:
		return append(b, e.String()...)
	case e.Kind == cluster.KindDrop:
		b = fmt.Appendf(b, "n%d -> n%d", e.From, e.To)
		for i := range l.folded {
			b = fmt.Appendf(b, ",n%d", l.folded[i].To)
		}
		return fmt.Appendf(b, " %s t%d dropped: %s", e.Type, e.Term, e.Reason)
	}
	b = append(b, e.String()...)
	for i := range l.folded {
		b = fmt.Appendf(b, ", %s = %s", l.folded[i].Name, l.folded[i].Value)
	}
	return b
}

// text is the line as the log shows it.
func (l *logLine) text() string { return string(l.appendText(nil)) }

// style is how the line is coloured.
func (l *logLine) style() logKind { return logKindOf(&l.ev) }

// subject is the node the line's text starts with: the one that decided
// (state, vote, timeout, ignore) or the sender of a message (the receiver
// of a delivery, which reads "n2 <- n1"); 0 for the other kinds.
func (l *logLine) subject() int {
	switch e := &l.ev; e.Kind {
	case cluster.KindState, cluster.KindVote, cluster.KindTimeout, cluster.KindIgnore:
		return e.Node
	case cluster.KindSend, cluster.KindDrop:
		return e.From
	case cluster.KindDeliver:
		return e.To
	}
	return 0
}

// names reports whether the line's text names node id by one of the
// event's node fields (not in a reason or a detail written in words).
func (l *logLine) names(id int) bool {
	e := &l.ev
	switch e.Kind {
	case cluster.KindState, cluster.KindTimeout:
		return e.Node == id
	case cluster.KindVote:
		return e.Node == id || e.For == id
	case cluster.KindIgnore:
		return e.Node == id || e.From == id
	case cluster.KindSend, cluster.KindDeliver:
		return e.From == id || e.To == id
	case cluster.KindDrop:
		if e.From == id || e.To == id {
			return true
		}
		for i := range l.folded {
			if l.folded[i].To == id {
				return true
			}
		}
	case cluster.KindFault:
		return faultNames(e, id)
	}
	return false
}

// faultNames reports whether a fault event names node id.
func faultNames(e *cluster.Event, id int) bool {
	for _, n := range e.Nodes {
		if n == id {
			return true
		}
	}
	for _, g := range e.Groups {
		for _, n := range g {
			if n == id {
				return true
			}
		}
	}
	return false
}

// wordsName reports whether a text field of the line's events (a reason,
// a detail, a value) names node as a word of its own ("n3", not "n31").
func (l *logLine) wordsName(node string) bool {
	if eventWordsName(&l.ev, node) {
		return true
	}
	for i := range l.folded {
		if eventWordsName(&l.folded[i], node) {
			return true
		}
	}
	return false
}

func eventWordsName(e *cluster.Event, node string) bool {
	for _, s := range [...]string{e.Reason, e.Name, e.Value, e.Invariant, e.Detail, e.Got, e.Source} {
		if s != "" && mentions(s, node) {
			return true
		}
	}
	return false
}

// nodeID is the id a node name gives (3 for n3), or -1 if the name is not
// one the log writes (n03).
func nodeID(name string) int {
	id, err := strconv.Atoi(name[1:])
	if err != nil || "n"+strconv.Itoa(id) != name {
		return -1
	}
	return id
}
