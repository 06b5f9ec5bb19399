package tui

import (
	"sort"
	"time"

	"raftty/cluster"
	"raftty/raft"
)

// ring is a bounded, time-ordered buffer: when full, the oldest goes. It
// grows as it fills, so that a generous bound costs nothing until used.
type ring[T any] struct {
	items []T
	head  int
	n     int
	limit int
	// dropped counts the items that fell off the old end.
	dropped int
	// total counts every push: item i is the (total-n+i)-th ever pushed,
	// a number that names it while it stays.
	total int
	// cuts counts the items forgotten at the new end (dropLast): a
	// number that changes whenever the ring's past is rewritten.
	cuts int
}

func newRing[T any](limit int) ring[T] { return ring[T]{limit: max(limit, 1)} }

func (r *ring[T]) push(x T) {
	r.total++
	switch {
	case r.n == r.limit:
		r.items[r.head] = x
		r.head = (r.head + 1) % len(r.items)
		r.dropped++
		return
	case r.head+r.n < len(r.items):
		r.items[r.head+r.n] = x
	case len(r.items) < r.limit: // head is 0 until the ring first wraps
		r.items = append(r.items, x)
	default:
		r.items[(r.head+r.n)%len(r.items)] = x
	}
	r.n++
}

func (r *ring[T]) len() int { return r.n }

// setLast replaces the newest item.
func (r *ring[T]) setLast(x T) { r.items[(r.head+r.n-1)%len(r.items)] = x }

// dropLast forgets the newest item.
func (r *ring[T]) dropLast() {
	if r.n > 0 {
		r.n--
		r.total--
		r.cuts++
	}
}

// at returns the i-th oldest item.
func (r *ring[T]) at(i int) T { return r.items[(r.head+i)%len(r.items)] }

// ptr returns the i-th oldest item in place, for items too large to copy.
func (r *ring[T]) ptr(i int) *T { return &r.items[(r.head+i)%len(r.items)] }

func (r *ring[T]) last() (T, bool) {
	if r.n == 0 {
		var zero T
		return zero, false
	}
	return r.at(r.n - 1), true
}

// markKind is a point event on a timeline row. Later kinds win when two fall
// in the same column.
type markKind uint8

const (
	markNone markKind = iota
	markHeartbeatIn
	markHeartbeatOut
	markVote
	markPreVote
	markLink
	// A one-way cut: > on the row of the node whose messages stop, < on
	// the row of the node that stops hearing them.
	markCutOut
	markCutIn
	markReconnect
	markDisconnect
	markRestart
	markKill
	markPreCandidate
	markCandidate
	// A timeout makes a node a (pre-)candidate at the same instant; the
	// timeout wins the column, so that each failed election shows as an x
	// inside the candidate band.
	markTimeout
	markStepDown
	markLeader
)

type mark struct {
	at time.Duration
	// dec is the low bits of the decision that made it (see shows): in
	// the padding after at, so a mark stays 16 bytes.
	dec  uint32
	kind markKind
}

// bandChange is where what a node's timeline row shows between marks
// changes: its role (none before the history begins), and whether it is
// cut off from a majority.
type bandChange struct {
	at     time.Duration
	dec    uint32 // as mark's
	state  cluster.State
	cutOff bool
}

// nodeHistory is one timeline row's memory.
type nodeHistory struct {
	marks ring[mark]
	bands ring[bandChange]
}

func (h *nodeHistory) addMark(at time.Duration, dec int, k markKind) {
	if last, ok := h.marks.last(); ok && last.at == at && last.kind >= k {
		return // a heartbeat round is one mark, not one per peer
	}
	h.marks.push(mark{at: at, dec: uint32(dec), kind: k})
}

func (h *nodeHistory) current() bandChange {
	if last, ok := h.bands.last(); ok {
		return last
	}
	return bandChange{}
}

func (h *nodeHistory) setBand(at time.Duration, dec int, s cluster.State) {
	cur := h.current()
	if cur.state != s {
		h.bands.push(bandChange{at: at, dec: uint32(dec), state: s, cutOff: cur.cutOff})
	}
}

func (h *nodeHistory) setCutOff(at time.Duration, dec int, cut bool) {
	cur := h.current()
	if cur.cutOff != cut {
		cur.at, cur.dec, cur.cutOff = at, uint32(dec), cut
		h.bands.push(cur)
	}
}

// keptFrom is the earliest moment the row still knows in full: older marks
// or role changes have fallen off its rings.
func (h *nodeHistory) keptFrom() time.Duration {
	var from time.Duration
	if h.marks.dropped > 0 {
		from = h.marks.at(0).at
	}
	if h.bands.dropped > 0 {
		from = max(from, h.bands.at(0).at)
	}
	return from
}

// firstMarkFrom returns the index of the first mark at or after t.
func (h *nodeHistory) firstMarkFrom(t time.Duration) int {
	return sort.Search(h.marks.len(), func(i int) bool { return h.marks.at(i).at >= t })
}

// bandAt returns the index of the last band change at or before t, or -1.
func (h *nodeHistory) bandAt(t time.Duration) int {
	return sort.Search(h.bands.len(), func(i int) bool { return h.bands.at(i).at > t }) - 1
}

type logKind uint8

const (
	logState logKind = iota
	logVote
	logDeny
	logTimeout
	logFault
	logTraffic
	logViolation
)

// Bounds on what the UI remembers, shared out among the nodes. A healthy
// 5-node cluster's leader marks a heartbeat every 50ms, 72000 an hour, so
// the timeline keeps more than an hour of it (README, "Time travel"); the
// rings grow as they fill, so a short session costs little.
const (
	marksBudget   = 2_000_000
	bandsBudget   = 500_000
	decisionLines = 100_000
	trafficLines  = 5000
	dropMarks     = 4096
)

func perNode(budget, nodes, least, most int) int {
	return min(max(budget/max(nodes, 1), least), most)
}

// history is everything the UI remembers of the event stream.
type history struct {
	nodes []nodeHistory // by node id - 1
	// decisions are the log lines shown by default; traffic adds message
	// deliveries and drops of every kind, heartbeats included.
	decisions ring[logLine]
	traffic   ring[logLine]
	// violation is the first violation, kept on screen from its moment.
	violation said
	// explains are a scenario's explanations of what to watch, in order:
	// the view shows the latest one by the moment shown.
	explains []said
	// lastFault and lastFaultDec are the latest fault's moment.
	lastFault    time.Duration
	lastFaultDec int
	// lastDrop is the latest drop shown in the decisions log, so that a
	// broadcast dropped for one reason shows as one line, not one per peer.
	lastDrop cluster.Event
	// drops are every drop, heartbeats included, for the map to mark
	// where each message died; lastSend tells a drop at sending (which
	// follows its send event at once) from one on arrival.
	drops    ring[dropMark]
	lastSend cluster.Event
}

// dropMark is a dropped message: when, on which link, and whether it died
// leaving its sender or arriving at its receiver.
type dropMark struct {
	at       time.Duration
	dec      int
	from, to int
	atSend   bool
}

// said is a text the stream said at a moment: a violation, an
// explanation.
type said struct {
	at   time.Duration
	dec  int
	text string
}

func newHistory(nodes int) *history {
	h := &history{
		nodes:     make([]nodeHistory, nodes),
		decisions: newRing[logLine](decisionLines),
		traffic:   newRing[logLine](trafficLines),
		drops:     newRing[dropMark](dropMarks),
	}
	marks, bands := perNode(marksBudget, nodes, 8192, 400_000), perNode(bandsBudget, nodes, 2048, 100_000)
	for i := range h.nodes {
		h.nodes[i] = nodeHistory{marks: newRing[mark](marks), bands: newRing[bandChange](bands)}
		h.nodes[i].setBand(0, 0, cluster.StateFollower)
	}
	return h
}

func (h *history) node(id int) *nodeHistory {
	if id < 1 || id > len(h.nodes) {
		return nil
	}
	return &h.nodes[id-1]
}

// ingest takes one event into the timeline and the log.
func (h *history) ingest(e *cluster.Event) {
	h.timeline(e)
	if e.Kind == cluster.KindSend {
		h.lastSend = cluster.Event{At: e.At, Kind: e.Kind, From: e.From, To: e.To, Type: e.Type}
		return // its delivery or drop says the same, later
	}
	if e.Kind == cluster.KindDrop {
		ls := &h.lastSend
		h.drops.push(dropMark{at: e.At, dec: e.Decision, from: e.From, to: e.To,
			atSend: ls.At == e.At && ls.From == e.From && ls.To == e.To && ls.Type == e.Type})
	}
	line := newLogLine(e)
	if e.Kind == cluster.KindViolation && h.violation.text == "" {
		h.violation = said{at: e.At, dec: e.Decision, text: e.String()}
	}
	if e.Kind == cluster.KindExplain {
		h.explains = append(h.explains, said{at: e.At, dec: e.Decision, text: e.Detail})
	}
	// The parameters reported at the start fold into one line.
	if e.Kind == cluster.KindParam && e.At == 0 && h.foldParam(e) {
		return
	}
	h.traffic.push(line)
	if e.Kind == cluster.KindDeliver || (e.Kind == cluster.KindDrop && e.IsHeartbeatTraffic()) || isLateVote(e) {
		return
	}
	if e.Kind == cluster.KindDrop {
		h.pushDrop(e, line)
		return
	}
	h.lastDrop = cluster.Event{}
	h.decisions.push(line)
}

// foldParam folds a parameter reported at the start into the line of the
// first; it reports whether there was one.
func (h *history) foldParam(e *cluster.Event) bool {
	if h.decisions.n == 0 {
		return false
	}
	last := h.decisions.ptr(h.decisions.n - 1)
	if last.kind != cluster.KindParam || last.at() != 0 {
		return false
	}
	last.folded = append(last.folded, *e)
	if h.traffic.n > 0 {
		if t := h.traffic.ptr(h.traffic.n - 1); t.kind == cluster.KindParam {
			*t = *last
		}
	}
	return true
}

// pushDrop logs a drop, folding it into the previous line when it is the
// same message to another peer, dropped at the same moment for the same
// reason: "n2 -> n1,n3,n5 RequestVote t10 dropped: disconnected".
func (h *history) pushDrop(e *cluster.Event, line logLine) {
	p := &h.lastDrop
	if p.Kind == cluster.KindDrop && p.At == e.At && p.From == e.From && p.Type == e.Type && p.Term == e.Term && p.Reason == e.Reason {
		last := h.decisions.ptr(h.decisions.n - 1)
		last.folded = append(last.folded, *e)
		return
	}
	h.lastDrop = *e
	h.decisions.push(line)
}

// isLateVote: a vote answer that arrived after its election was decided.
// Every won election has a few; they are traffic, not decisions.
func isLateVote(e *cluster.Event) bool {
	return e.Kind == cluster.KindIgnore && isVoteReply(e.Type)
}

func logKindOf(e *cluster.Event) logKind {
	switch e.Kind {
	case cluster.KindVote:
		if e.Granted {
			return logVote
		}
		return logDeny
	case cluster.KindTimeout:
		return logTimeout
	case cluster.KindFault, cluster.KindParam, cluster.KindError:
		return logFault
	case cluster.KindDeliver, cluster.KindDrop, cluster.KindIgnore:
		return logTraffic
	case cluster.KindViolation:
		return logViolation
	}
	return logState
}

func (h *history) timeline(e *cluster.Event) {
	switch e.Kind {
	case cluster.KindState:
		n := h.node(e.Node)
		if n == nil {
			return
		}
		prev := n.current().state
		n.setBand(e.At, e.Decision, e.State)
		n.addMark(e.At, e.Decision, stateMark(prev, e.State))
	case cluster.KindTimeout:
		if n := h.node(e.Node); n != nil {
			n.addMark(e.At, e.Decision, markTimeout)
		}
	case cluster.KindVote:
		if n := h.node(e.Node); n != nil && e.Granted {
			if e.PreVote {
				n.addMark(e.At, e.Decision, markPreVote)
			} else {
				n.addMark(e.At, e.Decision, markVote)
			}
		}
	case cluster.KindSend:
		if n := h.node(e.From); n != nil && isAppendEntries(e.Type) {
			n.addMark(e.At, e.Decision, markHeartbeatOut)
		}
	case cluster.KindDeliver:
		if n := h.node(e.To); n != nil && isAppendEntries(e.Type) {
			n.addMark(e.At, e.Decision, markHeartbeatIn)
		}
	case cluster.KindFault:
		h.lastFault, h.lastFaultDec = e.At, e.Decision
		k := faultMark(e.Action)
		if e.Action == cluster.ActCut && e.OneWay && len(e.Nodes) == 2 {
			if n := h.node(e.Nodes[0]); n != nil {
				n.addMark(e.At, e.Decision, markCutOut)
			}
			if n := h.node(e.Nodes[1]); n != nil {
				n.addMark(e.At, e.Decision, markCutIn)
			}
			return
		}
		for _, id := range e.Nodes {
			if n := h.node(id); n != nil && k != markNone {
				n.addMark(e.At, e.Decision, k)
			}
		}
	}
}

// stateMark is the mark of a change of role from prev to next.
func stateMark(prev, next cluster.State) markKind {
	switch next {
	case cluster.StatePreCandidate:
		return markPreCandidate
	case cluster.StateCandidate:
		return markCandidate
	case cluster.StateLeader:
		return markLeader
	case cluster.StateDead:
		return markKill
	}
	if prev == cluster.StateLeader || campaigns(prev) {
		return markStepDown
	}
	if prev == cluster.StateDead {
		return markRestart
	}
	return markNone
}

func faultMark(action cluster.Action) markKind {
	switch action {
	case cluster.ActDisconnect:
		return markDisconnect
	case cluster.ActReconnect:
		return markReconnect
	case cluster.ActRestart:
		return markRestart
	case cluster.ActCut, cluster.ActLink, cluster.ActPartition:
		return markLink
	}
	return markNone
}

// updateCutOff records which nodes can no longer reach a majority, as the
// latest snapshot says, at the time of the latest fault.
func (h *history) updateCutOff(s *cluster.Snapshot) {
	for _, ns := range s.Nodes {
		if n := h.node(int(ns.ID)); n != nil {
			n.setCutOff(h.lastFault, h.lastFaultDec, isCutOff(ns, len(s.Nodes)))
		}
	}
}

// isCutOff: alive, but unable to exchange messages with a majority.
func isCutOff(ns cluster.NodeStatus, size int) bool {
	return ns.Alive && (ns.Disconnected || ns.Reaches < raft.Majority(size))
}
