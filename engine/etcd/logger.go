package etcd

import (
	"fmt"
	"strings"

	"raftty/engine"
)

// lineKind is what a line of etcd's log means to the adapter.
type lineKind uint8

const (
	// lineContext: words that explain the next decision of the same step.
	lineContext lineKind = iota
	lineBecameFollower
	lineBecameCandidate
	lineBecameLeader
	lineBecamePreCandidate
	// lineElection: the election timer fired (or was forced, or a
	// MsgTimeoutNow asked for an election).
	lineElection
	lineVoteGranted
	lineVoteRejected
	// lineIgnored: the node did nothing with the message it was stepping.
	lineIgnored
	// lineIgnoredHup: a leader ignored a forced election.
	lineIgnoredHup
)

// decisions maps the format strings of etcd's decisions, verbatim from
// raft.go of Version, to what they mean. Lines are told apart by format
// string, never by parsing their text; pin_test.go checks that each is in
// etcd's source and that the three "became" lines are written by the only
// functions that reset the election timer.
var decisions = map[string]lineKind{
	"%x became follower at term %d":            lineBecameFollower,
	"%x became candidate at term %d":           lineBecameCandidate,
	"%x became leader at term %d":              lineBecameLeader,
	"%x became pre-candidate at term %d":       lineBecamePreCandidate,
	"%x is starting a new election at term %d": lineElection,
	"%x [logterm: %d, index: %d, vote: %x] cast %s for %x [logterm: %d, index: %d] at term %d":                                                 lineVoteGranted,
	"%x [logterm: %d, index: %d, vote: %x] rejected %s from %x [logterm: %d, index: %d] at term %d":                                            lineVoteRejected,
	"%x [logterm: %d, index: %d, vote: %x] ignored %s from %x [logterm: %d, index: %d] at term %d: lease is not expired (remaining ticks: %d)": lineIgnored,
	"%x [term: %d] ignored a %s message with lower term from %x [term: %d]":                                                                    lineIgnored,
	"%x [term %d state %v] ignored MsgTimeoutNow from %x":                                                                                      lineIgnored,
	"%x ignoring MsgHup because already leader":                                                                                                lineIgnoredHup,
}

// logLine is one call to the logger, formatted only if its words are used.
type logLine struct {
	format string // "" for the Print-style methods
	args   []any
}

// logger is a node's etcd Logger: every line goes to the node, which turns
// decisions into events and keeps the rest as their context.
type logger struct{ n *node }

func (l logger) Debug(v ...any)                 { l.n.logged(logLine{args: v}) }
func (l logger) Debugf(format string, v ...any) { l.n.logged(logLine{format, v}) }
func (l logger) Info(v ...any)                  { l.n.logged(logLine{args: v}) }
func (l logger) Infof(format string, v ...any)  { l.n.logged(logLine{format, v}) }
func (l logger) Warning(v ...any)               { l.n.logged(logLine{args: v}) }
func (l logger) Warningf(format string, v ...any) {
	l.n.logged(logLine{format, v})
}
func (l logger) Error(v ...any)                 { l.n.logged(logLine{args: v}) }
func (l logger) Errorf(format string, v ...any) { l.n.logged(logLine{format, v}) }

// etcd calls Fatal and Panic when its own invariants break: a bug in etcd
// or in the adapter, never a consequence of faults. The simulator stops
// there, as an etcd process would, without exiting the program.

func (l logger) Fatal(v ...any)                 { panic("etcd: " + fmt.Sprint(v...)) }
func (l logger) Fatalf(format string, v ...any) { panic("etcd: " + fmt.Sprintf(format, v...)) }
func (l logger) Panic(v ...any)                 { panic("etcd: " + fmt.Sprint(v...)) }
func (l logger) Panicf(format string, v ...any) { panic("etcd: " + fmt.Sprintf(format, v...)) }

// logged handles one line of etcd's log, at the moment etcd writes it: in
// the middle of a step, so that events come out in the order etcd decided.
func (n *node) logged(l logLine) {
	if n.in == nil {
		return // newRaft's own lines, while the RawNode is being built
	}
	kind := lineContext
	if l.format != "" {
		kind = decisions[l.format]
	}
	switch kind {
	case lineBecameFollower, lineBecameCandidate, lineBecameLeader:
		n.resets++
	}
	switch kind {
	case lineBecameFollower:
		n.redraw()
		n.emitState(engine.Follower, l)
	case lineBecameCandidate:
		n.redraw()
		n.emitState(engine.Candidate, l)
	case lineBecameLeader:
		n.redraw()
		n.emitState(engine.Leader, l)
	case lineBecamePreCandidate:
		// No reset: a pre-candidate keeps the timeout it drew as a follower.
		n.emitState(engine.PreCandidate, l)
	case lineElection:
		n.emit(engine.Event{Kind: engine.EventTimeout, Term: *n.in.term}, l)
	case lineVoteGranted, lineVoteRejected:
		if !n.cause.Type.IsVote() {
			n.keep(l)
			return
		}
		n.emit(engine.Event{Kind: engine.EventVote, Peer: n.cause.From, Term: n.cause.Term,
			Granted: kind == lineVoteGranted, PreVote: n.cause.Type == engine.EtcdPreVote}, l)
	case lineIgnored:
		if n.cause.Type == 0 {
			n.keep(l)
			return
		}
		n.emit(engine.Event{Kind: engine.EventIgnore, Peer: n.cause.From, Type: n.cause.Type, Term: n.cause.Term}, l)
	case lineIgnoredHup:
		n.emit(engine.Event{Kind: engine.EventIgnore, Peer: n.id, Type: engine.EtcdHup, Term: *n.in.term}, l)
	default:
		n.keep(l)
	}
}

// keep holds a line as context for the step's next decision.
func (n *node) keep(l logLine) {
	if !n.terse {
		n.context = append(n.context, l)
	}
}

func (n *node) emitState(r engine.Role, l logLine) {
	n.emit(engine.Event{Kind: engine.EventState, Role: r, Term: *n.in.term}, l)
	n.shown = shownState{role: r, term: *n.in.term}
}

// emit adds an event whose reason is the step's context so far and the
// deciding line l.
func (n *node) emit(e engine.Event, l logLine) {
	e.Node = n.id
	if e.Kind != engine.EventState {
		e.Role = role(*n.in.state)
	}
	e.Reason = n.explain(l)
	n.events = append(n.events, e)
}

// explain joins the step's context and l into a reason, and forgets the
// context: each line explains one decision.
func (n *node) explain(l logLine) string {
	defer func() { n.context = n.context[:0] }()
	if n.terse {
		return ""
	}
	var b strings.Builder
	for _, c := range n.context {
		b.WriteString(n.words(c))
		b.WriteString("; ")
	}
	b.WriteString(n.words(l))
	return b.String()
}

// words formats a line as etcd would, less the node's own id at the start
// ("1 became leader at term 2" is node 1's "became leader at term 2"). etcd
// prints node ids in hexadecimal.
func (n *node) words(l logLine) string {
	if l.format == "" {
		return fmt.Sprint(l.args...)
	}
	f, a := l.format, l.args
	if strings.HasPrefix(f, "%x ") && len(a) > 0 && a[0] == any(uint64(n.id)) {
		f, a = f[3:], a[1:]
	}
	return fmt.Sprintf(f, a...)
}
