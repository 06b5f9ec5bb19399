package tui

import (
	"fmt"
	"strconv"
	"time"

	"raftty/cluster"
	"raftty/engine"
)

// logLine is one line of the event log: the event it reports, kept typed.
// Its text is made only when the line is drawn or searched (appendText);
// the filter, the folding of lines and the inspector read the event's
// fields.
//
// The kinds a cluster makes by the hundred thousand (state, vote,
// timeout, send, deliver, drop, ignore) are kept in place, in a third of
// an Event's size; the others whole. event gives the Event back, and a
// test holds it equal to the one taken, for every kind.
//
// A line may stand for several events: a broadcast dropped alike to
// several peers, and the parameters reported at the start, fold into the
// first one's line; folded holds the others, in order.
type logLine struct {
	moment time.Duration
	// dec is the decision that made it (cluster.Event.Decision): the
	// time cursor stops right after it.
	dec    int
	term   uint64
	reason string
	// a and b are the nodes the event names: Node and For (vote), Node
	// and From (ignore), From and To (a message), Node (state, timeout).
	a, b int32
	// id is a message's number (cluster.Event.Msg), which pairs a send
	// with its delivery or drop.
	id     uint64
	kind   cluster.Kind
	state  cluster.State
	msg    engine.MsgType
	flags  uint8 // lineGranted, linePreVote
	whole  *cluster.Event
	folded []cluster.Event
}

const (
	lineGranted = 1 << iota
	linePreVote
)

// newLogLine keeps e as a log line.
func newLogLine(e *cluster.Event) logLine {
	l := logLine{moment: e.At, dec: e.Decision, term: e.Term, reason: e.Reason, kind: e.Kind, state: e.State, msg: e.Type}
	if e.Granted {
		l.flags |= lineGranted
	}
	if e.PreVote {
		l.flags |= linePreVote
	}
	switch e.Kind {
	case cluster.KindState, cluster.KindTimeout:
		l.a = int32(e.Node)
	case cluster.KindVote:
		l.a, l.b = int32(e.Node), int32(e.For)
	case cluster.KindIgnore:
		l.a, l.b = int32(e.Node), int32(e.From)
	case cluster.KindSend, cluster.KindDeliver, cluster.KindDrop:
		l.a, l.b, l.id = int32(e.From), int32(e.To), e.Msg
	default:
		whole := *e
		return logLine{moment: e.At, dec: e.Decision, kind: e.Kind, whole: &whole}
	}
	return l
}

// event is the event the line reports (the first, when it folds several).
func (l *logLine) event() cluster.Event {
	if l.whole != nil {
		return *l.whole
	}
	e := cluster.Event{At: l.moment, Decision: l.dec, Kind: l.kind, Term: l.term, Reason: l.reason, State: l.state, Type: l.msg,
		Granted: l.flags&lineGranted != 0, PreVote: l.flags&linePreVote != 0}
	a, b := int(l.a), int(l.b)
	switch l.kind {
	case cluster.KindState, cluster.KindTimeout:
		e.Node = a
	case cluster.KindVote:
		e.Node, e.For = a, b
	case cluster.KindIgnore:
		e.Node, e.From = a, b
	default: // a message
		e.From, e.To, e.Msg = a, b, l.id
	}
	return e
}

// at is when the line's event happened.
func (l *logLine) at() time.Duration { return l.moment }

// appendText appends the line as the log shows it: the time in seconds,
// then the event in words.
func (l *logLine) appendText(b []byte) []byte {
	ms := l.moment / time.Millisecond // cut, as secs cuts
	b = fmt.Appendf(b, "%4d.%03d ", ms/1000, ms%1000)
	e := l.event()
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
func (l *logLine) style() logKind {
	e := l.event()
	return logKindOf(&e)
}

// subject is the node the line's text starts with: the one that decided
// (state, vote, timeout, ignore) or the sender of a message (the receiver
// of a delivery, which reads "n2 <- n1"); 0 for the other kinds.
func (l *logLine) subject() int {
	switch l.kind {
	case cluster.KindState, cluster.KindVote, cluster.KindTimeout, cluster.KindIgnore, cluster.KindSend, cluster.KindDrop:
		return int(l.a)
	case cluster.KindDeliver:
		return int(l.b)
	}
	if l.whole != nil {
		node, _ := replicationNodes(l.whole)
		return node
	}
	return 0
}

// replicationNodes returns the nodes a replication event's text names by
// its fields: the node that acted, and the peer it names (the leader an
// append came from or a refusal answers, the follower a leader backs off
// for), 0 if none; 0, 0 for an event of another kind.
func replicationNodes(e *cluster.Event) (node, peer int) {
	switch e.Kind {
	case cluster.KindAppend, cluster.KindReject:
		return e.Node, e.From // From is 0 for a leader's own entry
	case cluster.KindBackOff:
		return e.Node, e.To
	case cluster.KindTruncate, cluster.KindCommit, cluster.KindHold, cluster.KindRedirect:
		return e.Node, 0
	}
	return 0, 0
}

// names reports whether the line's text names node id by one of the
// event's node fields (not in a reason or a detail written in words).
func (l *logLine) names(id int) bool {
	switch l.kind {
	case cluster.KindState, cluster.KindTimeout:
		return int(l.a) == id
	case cluster.KindVote, cluster.KindIgnore, cluster.KindSend, cluster.KindDeliver:
		return int(l.a) == id || int(l.b) == id
	case cluster.KindDrop:
		if int(l.a) == id || int(l.b) == id {
			return true
		}
		for i := range l.folded {
			if l.folded[i].To == id {
				return true
			}
		}
	case cluster.KindFault:
		return faultNames(l.whole, id)
	default:
		if l.whole != nil {
			node, peer := replicationNodes(l.whole)
			return node == id || peer == id
		}
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
	if l.reason != "" && mentions(l.reason, node) {
		return true
	}
	if l.whole != nil && eventWordsName(l.whole, node) {
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
	for _, s := range [...]string{e.Why(), e.Name, e.Value, e.Invariant, e.Detail, e.Got, e.Source} {
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
