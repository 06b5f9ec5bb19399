package cluster

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"raftty/engine"
	"raftty/raft"
)

// Kind says what an Event reports.
type Kind uint8

// The event kinds (docs/events.md describes each): what nodes do, what
// becomes of messages, faults, parameters and violations; ignore (a node
// received a message and did nothing with it, with the reason), error (a
// command could not be carried out, e.g. "kill leader" with no leader), a
// scenario's explain (what to watch now) and expect (an expectation
// checked), and, in a live cluster only, fork (history was rewritten from
// At on: whoever keeps the events forgets those after At; see Live.Fork).
const (
	KindState Kind = iota + 1
	KindVote
	KindTimeout
	KindSend
	KindDeliver
	KindDrop
	KindFault
	KindParam
	KindViolation
	KindIgnore
	KindError
	KindExplain
	KindExpect
	KindFork

	// Log replication (see raft.EventAppend and the rest): a node added
	// entries, deleted a conflicting suffix, committed, held back from
	// committing an entry of an earlier term, refused an AppendEntries, backed
	// off for a follower, or refused a client's command.
	KindAppend
	KindTruncate
	KindCommit
	KindHold
	KindReject
	KindBackOff
	KindRedirect
)

var kindNames = vocabulary[Kind]{
	KindState: "state", KindVote: "vote", KindTimeout: "timeout", KindSend: "send",
	KindDeliver: "deliver", KindDrop: "drop", KindFault: "fault", KindParam: "param",
	KindViolation: "violation", KindIgnore: "ignore", KindError: "error",
	KindExplain: "explain", KindExpect: "expect", KindFork: "fork",
	KindAppend: "append", KindTruncate: "truncate", KindCommit: "commit", KindHold: "hold",
	KindReject: "reject", KindBackOff: "backoff", KindRedirect: "redirect",
}

// String returns the kind as it appears in JSON.
func (k Kind) String() string { return kindNames.name(k, "Kind") }

// State is a node's role as a state event reports it: one of raft's
// roles, or dead. Its String is the word JSON and the event log use.
type State uint8

// The states. The zero State is none (an event that is not a state event).
const (
	StateFollower State = iota + 1
	StatePreCandidate
	StateCandidate
	StateLeader
	StateDead
)

// StateOf is the state of a live node in role r.
func StateOf(r raft.Role) State { return State(r) + StateFollower }

// String returns the state's name as it appears in events and JSON.
func (s State) String() string {
	switch {
	case s == StateDead:
		return "dead"
	case s >= StateFollower && s < StateDead:
		return raft.Role(s - StateFollower).String()
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// World says which of two compared worlds an event happened in (see
// Worlds); zero for a cluster on its own.
type World uint8

// The two worlds of a comparison: A, and B, which is A with a difference.
const (
	WorldA World = iota + 1
	WorldB
)

// String returns the world as JSON writes it: "a" or "b".
func (w World) String() string {
	switch w {
	case WorldA:
		return "a"
	case WorldB:
		return "b"
	}
	return ""
}

// Event is one thing that happened in the cluster. Which fields matter
// depends on Kind (docs/events.md has the table); the rest are zero.
type Event struct {
	// At is the virtual time since the start of the run.
	At   time.Duration
	Kind Kind
	// World is the world it happened in, when two are compared.
	World World
	// Decision numbers the decision that made it (see Cluster.Decide):
	// the events of one decision share it, and a later decision has a
	// larger one. Time travel rebuilds the moment right after any of
	// them. It is not part of the JSON: a run's text stays as it was.
	Decision int

	// Node is the node the event is about (state, vote, timeout, ignore,
	// and the replication kinds).
	Node int
	// State is the node's new role, or StateDead (state).
	State State
	Term  uint64
	// For is the candidate a vote answers (vote), or the leader a node
	// names when it refuses a client's command (redirect).
	For     int
	Granted bool
	PreVote bool

	// From, To and Type describe a message (send, deliver, drop, ignore).
	// From is also the leader that sent what a node appends, deletes for,
	// commits after or rejects (0 for a leader's own entry or commit), and
	// To the follower a leader backs off for.
	From, To int
	Type     engine.MsgType
	// Msg numbers a message in the order the cluster sent it, from 1: its
	// send event and its delivery or drop carry the same number, so that a
	// spacetime diagram can draw each message from its send to its end
	// (send, deliver, drop). Latency is drawn per message, so two messages
	// on one link can overtake each other: nothing else pairs them. JSON
	// leaves it out, as it has no use there yet.
	Msg uint64

	// Index and Count locate entries: the first appended or deleted and
	// how many; the new commit index and how many it adds; the index held
	// back, or refused (the AppendEntries' prevLogIndex); a backed-off
	// follower's new nextIndex.
	Index uint64
	Count int

	// Reason says why: the explanation of a decision, or why a message
	// was dropped. A follower's append and commit say it in numbers
	// instead, in Because: read either through Why.
	Reason  string
	Because engine.Because

	// Action and Nodes describe a fault; Groups a partition; OneWay a cut.
	Action Action
	Nodes  []int
	Groups [][]int
	OneWay bool

	// Name and Value describe a parameter change (param).
	Name, Value string

	// Invariant and Detail describe a violation, Detail an error, an
	// explanation's text or an expectation as written.
	Invariant string
	Detail    string

	// Passed, Got and Source describe a checked expectation: whether it
	// held, what was found, and where it was written.
	Passed bool
	Got    string
	Source string
}

// IsHeartbeatTraffic reports whether e is a send, delivery or drop of a
// leader's append or heartbeat or an answer to one (engine.MsgType's
// IsLeaderTraffic): the bulk of all events in a healthy cluster.
func (e *Event) IsHeartbeatTraffic() bool {
	return (e.Kind == KindSend || e.Kind == KindDeliver || e.Kind == KindDrop) && e.Type.IsLeaderTraffic()
}

// AppendJSON appends e as one JSON object, fields in a fixed order, without
// a newline. It is written by hand because it runs for every event of a
// headless run and must give the same bytes for the same event.
func (e *Event) AppendJSON(b []byte) []byte {
	b = append(b, `{"t_us":`...)
	b = strconv.AppendInt(b, e.At.Microseconds(), 10)
	b = append(b, `,"kind":"`...)
	b = append(b, e.Kind.String()...)
	b = append(b, '"')
	switch e.World { // literal: every event of a compared run has it
	case WorldA:
		b = append(b, `,"world":"a"`...)
	case WorldB:
		b = append(b, `,"world":"b"`...)
	}
	switch e.Kind {
	case KindState:
		b = appendInt(b, "node", e.Node)
		b = appendString(b, "state", e.State.String())
		b = appendUint(b, "term", e.Term)
		b = appendString(b, "reason", e.Reason)
	case KindVote:
		b = appendInt(b, "node", e.Node)
		b = appendInt(b, "for", e.For)
		b = appendUint(b, "term", e.Term)
		b = appendBool(b, "granted", e.Granted)
		b = appendBool(b, "prevote", e.PreVote)
		b = appendString(b, "reason", e.Reason)
	case KindTimeout:
		b = appendInt(b, "node", e.Node)
		b = appendUint(b, "term", e.Term)
		b = appendString(b, "reason", e.Reason)
	case KindSend, KindDeliver, KindDrop:
		b = appendInt(b, "from", e.From)
		b = appendInt(b, "to", e.To)
		b = appendString(b, "type", e.Type.String())
		b = appendUint(b, "term", e.Term)
		if e.Kind == KindDrop {
			b = appendString(b, "reason", e.Reason)
		}
	case KindIgnore:
		b = appendInt(b, "node", e.Node)
		b = appendInt(b, "from", e.From)
		b = appendString(b, "type", e.Type.String())
		b = appendUint(b, "term", e.Term)
		b = appendString(b, "reason", e.Reason)
	case KindFault:
		b = appendString(b, "action", e.Action.String())
		b = append(b, `,"nodes":`...)
		b = appendInts(b, e.Nodes)
		if e.Groups != nil {
			b = append(b, `,"groups":[`...)
			for i, g := range e.Groups {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendInts(b, g)
			}
			b = append(b, ']')
		}
		if e.OneWay {
			b = appendBool(b, "oneway", true)
		}
		if e.Detail != "" {
			b = appendString(b, "detail", e.Detail)
		}
	case KindParam:
		b = appendString(b, "name", e.Name)
		b = appendString(b, "value", e.Value)
	case KindViolation:
		b = appendString(b, "invariant", e.Invariant)
		b = appendString(b, "detail", e.Detail)
	case KindError:
		b = appendString(b, "detail", e.Detail)
	case KindExplain:
		b = appendString(b, "text", e.Detail)
	case KindExpect:
		b = appendString(b, "expect", e.Detail)
		b = appendBool(b, "passed", e.Passed)
		b = appendString(b, "got", e.Got)
		b = appendString(b, "source", e.Source)
	case KindAppend, KindTruncate, KindCommit, KindHold, KindReject, KindBackOff, KindRedirect:
		b = e.appendReplicationJSON(b)
	}
	return append(b, '}')
}

// appendReplicationJSON appends a replication event's fields: node and
// term, what each kind says, then the reason.
func (e *Event) appendReplicationJSON(b []byte) []byte {
	b = appendInt(b, "node", e.Node)
	b = appendUint(b, "term", e.Term)
	switch e.Kind {
	case KindAppend, KindTruncate, KindCommit:
		b = appendUint(b, "index", e.Index)
		b = appendInt(b, "count", e.Count)
		b = appendInt(b, "from", e.From)
	case KindHold:
		b = appendUint(b, "index", e.Index)
	case KindReject:
		b = appendInt(b, "from", e.From)
		b = appendString(b, "type", e.Type.String())
		b = appendUint(b, "index", e.Index)
	case KindBackOff:
		b = appendInt(b, "to", e.To)
		b = appendUint(b, "index", e.Index)
	case KindRedirect:
		b = appendInt(b, "leader", e.For)
	}
	if e.Because.Kind == raft.BecauseNothing {
		return appendString(b, "reason", e.Reason)
	}
	// In words here, straight into b: they need no escaping (see
	// raft.Because.AppendText).
	b = append(appendKey(b, "reason"), '"')
	return append(e.Because.AppendText(b, engine.NodeID(e.From)), '"')
}

// Why returns the event's reason in plain words: Reason, or Because put in
// words (the leader it names is From).
func (e *Event) Why() string {
	if e.Because.Kind == raft.BecauseNothing {
		return e.Reason
	}
	return string(e.Because.AppendText(nil, engine.NodeID(e.From)))
}

func appendKey(b []byte, key string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func appendInt(b []byte, key string, v int) []byte {
	return strconv.AppendInt(appendKey(b, key), int64(v), 10)
}

func appendUint(b []byte, key string, v uint64) []byte {
	return strconv.AppendUint(appendKey(b, key), v, 10)
}

func appendBool(b []byte, key string, v bool) []byte {
	return strconv.AppendBool(appendKey(b, key), v)
}

func appendString(b []byte, key, v string) []byte {
	return appendJSONString(appendKey(b, key), v)
}

func appendInts(b []byte, vs []int) []byte {
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(v), 10)
	}
	return append(b, ']')
}

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// String renders e in plain words, as the event log shows it:
// "n3 denies vote to n4 in term 7: already voted n2 in term 7".
func (e *Event) String() string {
	switch e.Kind {
	case KindState:
		if e.State == StateDead {
			return withReason(fmt.Sprintf("n%d dies in term %d", e.Node, e.Term), e.Reason)
		}
		return withReason(fmt.Sprintf("n%d becomes %s in term %d", e.Node, e.State, e.Term), e.Reason)
	case KindVote:
		verb, what := "denies", "vote"
		if e.Granted {
			verb = "grants"
		}
		if e.PreVote {
			what = "pre-vote"
		}
		return withReason(fmt.Sprintf("n%d %s %s to n%d for term %d", e.Node, verb, what, e.For, e.Term), e.Reason)
	case KindTimeout:
		return withReason(fmt.Sprintf("n%d times out in term %d", e.Node, e.Term), e.Reason)
	case KindSend:
		return fmt.Sprintf("n%d -> n%d %s t%d", e.From, e.To, e.Type, e.Term)
	case KindDeliver:
		return fmt.Sprintf("n%d <- n%d %s t%d", e.To, e.From, e.Type, e.Term)
	case KindDrop:
		return fmt.Sprintf("n%d -> n%d %s t%d dropped: %s", e.From, e.To, e.Type, e.Term, e.Reason)
	case KindIgnore:
		return withReason(fmt.Sprintf("n%d ignores %s from n%d (term %d)", e.Node, e.Type, e.From, e.Term), e.Reason)
	case KindFault:
		return e.faultString()
	case KindParam:
		return fmt.Sprintf("set %s = %s", e.Name, e.Value)
	case KindViolation:
		return fmt.Sprintf("VIOLATION of %s: %s", e.Invariant, e.Detail)
	case KindError:
		return "error: " + e.Detail
	case KindExplain:
		return "» " + e.Detail
	case KindFork:
		return "history forked here: what was recorded after this moment is gone"
	case KindAppend:
		if e.From == 0 {
			return withReason(fmt.Sprintf("n%d appends %s in term %d", e.Node, indexRange(e.Index, e.Count), e.Term), e.Why())
		}
		return withReason(fmt.Sprintf("n%d appends %s from n%d", e.Node, indexRange(e.Index, e.Count), e.From), e.Why())
	case KindTruncate:
		return withReason(fmt.Sprintf("n%d deletes %s", e.Node, indexRange(e.Index, e.Count)), e.Why())
	case KindCommit:
		return withReason(fmt.Sprintf("n%d commits %s", e.Node, indexRange(e.Index-uint64(e.Count)+1, e.Count)), e.Why())
	case KindHold:
		return withReason(fmt.Sprintf("n%d does not commit index %d", e.Node, e.Index), e.Why())
	case KindReject:
		return withReason(fmt.Sprintf("n%d rejects %s from n%d", e.Node, e.Type, e.From), e.Why())
	case KindBackOff:
		return withReason(fmt.Sprintf("n%d backs off for n%d to nextIndex %d", e.Node, e.To, e.Index), e.Why())
	case KindRedirect:
		return withReason(fmt.Sprintf("n%d refuses a client's command", e.Node), e.Why())
	case KindExpect:
		verdict := "holds"
		if !e.Passed {
			verdict = "FAILED"
		}
		return fmt.Sprintf("expect %s: %s (got %s) [%s]", e.Detail, verdict, e.Got, e.Source)
	}
	return e.Kind.String()
}

// indexRange names count entries from first: "index 4", "indexes 4-6".
func indexRange(first uint64, count int) string {
	if count <= 1 {
		return "index " + strconv.FormatUint(first, 10)
	}
	return fmt.Sprintf("indexes %d-%d", first, first+uint64(count)-1)
}

func withReason(s, reason string) string {
	if reason == "" {
		return s
	}
	return s + ": " + reason
}

func (e *Event) faultString() string {
	switch e.Action {
	case ActPartition:
		groups := make([]string, len(e.Groups))
		for i, g := range e.Groups {
			groups[i] = nodeList(g)
		}
		return "partition " + strings.Join(groups, " | ")
	case ActCut:
		if e.OneWay {
			return fmt.Sprintf("cut link n%d -> n%d", e.Nodes[0], e.Nodes[1])
		}
		return fmt.Sprintf("cut link n%d <-> n%d", e.Nodes[0], e.Nodes[1])
	case ActLink:
		return fmt.Sprintf("restore link n%d <-> n%d", e.Nodes[0], e.Nodes[1])
	case ActHeal:
		return "heal: everything connected"
	case ActLog:
		return nodeList(e.Nodes) + " log: " + e.Detail + " entries in the current term"
	case ActPut:
		return fmt.Sprintf("client: put %s to %s", e.Detail, nodeList(e.Nodes))
	}
	past := e.Action.String()
	if int(e.Action) < len(pastTense) && pastTense[e.Action] != "" {
		past = pastTense[e.Action]
	}
	return nodeList(e.Nodes) + " " + past
}

// pastTense says what a fault on nodes did to them: "n3 killed".
var pastTense = [...]string{
	ActDisconnect: "disconnected", ActReconnect: "reconnected", ActKill: "killed",
	ActRestart: "restarted", ActTimeout: "forced to time out",
}

func nodeList(ids []int) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = "n" + strconv.Itoa(id)
	}
	return strings.Join(parts, ",")
}
