package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
	"raftty/raft"
)

// inspector shows one thing in full, over the panels: a node (everything
// the cluster knows of it and its last decisions with their whole reasons),
// a log line, or a message picked on the map. Nothing that explains a
// decision is cut off: lines wrap, the box scrolls.
type inspector struct {
	overlay
	node int // the node shown, or 0
	// lesson: the running scenario is shown (showLesson).
	lesson bool
	line   logLine
	// flight is a message picked on the map, as it was at time at.
	flight cluster.Flight
	at     time.Duration
}

func newInspector() *inspector {
	in := &inspector{}
	in.overlayKeys = overlayKeys{
		Up:    binding("↑/pgup", "scroll", "up", "pgup", "k"),
		Down:  binding("↓/pgdn", "scroll", "down", "pgdown", "j"),
		Close: binding("esc", "close", "esc", "enter", "q"),
	}
	return in
}

// showNode, showLine and showFlight open the inspector on a node, a log
// line, or a message at time at.
func (in *inspector) showNode(id int) {
	in.show()
	in.node, in.line, in.flight, in.lesson = id, logLine{}, cluster.Flight{}, false
}
func (in *inspector) showLine(l logLine) {
	in.show()
	in.node, in.line, in.flight, in.lesson = 0, l, cluster.Flight{}, false
}
func (in *inspector) showFlight(fl cluster.Flight, at time.Duration) {
	in.show()
	in.node, in.line, in.flight, in.at, in.lesson = 0, logLine{}, fl, at, false
}

// showLesson opens the inspector on the running scenario: all of what it
// says to watch and every expectation, where a small screen shows a line
// of each.
func (in *inspector) showLesson() {
	in.show()
	in.node, in.line, in.flight, in.lesson = 0, logLine{}, cluster.Flight{}, true
}

// decisionsShown bounds the decisions the node inspector lists.
const decisionsShown = 40

// View draws the inspector, its text wrapped, scrolled.
func (in *inspector) View(f *Frame) []string {
	var title string
	var text []string
	switch {
	case in.lesson:
		title = "the lesson"
		text = lessonReport(f)
	case in.node > 0 && in.node <= len(f.snap.Nodes):
		title = fmt.Sprintf("inspect n%d", in.node)
		text = nodeReport(f, in.node)
		if f.b != nil {
			// Two worlds: the node in each, one after the other.
			text = append(append([]string{f.worldTitle() + ":"}, text...), "", f.b.worldTitle()+":")
			text = append(text, nodeReport(f.b, in.node)...)
		}
	case in.flight.From > 0:
		title = "inspect message"
		text = flightReport(&in.flight, in.at)
	default:
		title = "inspect log line"
		if !f.shows(in.line.at(), in.line.dec) {
			title += " of the recorded future"
		}
		text = []string{in.line.text()}
		if id := in.line.subject(); id > 0 && id <= len(f.snap.Nodes) {
			// The node that decided, as the moment shown has it: its
			// state and its decisions up to then, none later.
			text = append(text, "", fmt.Sprintf("n%d at t=%s, the moment shown:", id, clock(f.snap.Now)))
			text = append(text, nodeReport(f, id)...)
		}
	}
	var lines []string
	for _, t := range text {
		if t == "" {
			lines = append(lines, "")
			continue
		}
		lines = append(lines, wrapIndent(t, in.w-2)...)
	}
	lines, part := in.scroll.window(lines, max(in.h-2, 0))
	if part != "" {
		title += " · lines " + part + " · ↑/↓ scroll"
	}
	return f.styles.box(title+" · esc closes", lines, in.w, in.h)
}

// nodeReport is everything about node id at the snapshot's time: a pure
// function of the frame.
func nodeReport(f *Frame, id int) []string {
	s := f.snap
	ns := s.Nodes[id-1]
	role, _ := roleLabel(f.styles, ns)
	out := []string{fmt.Sprintf("n%d · %s · term %d · voted for %s", id, role, ns.Term, votedFor(ns.VotedFor))}
	out = append(out, timerReport(ns, s.Now))
	if tk := ns.Ticks.At(s.Now, ns.Role == raft.Leader); ns.Alive && tk.Tick > 0 {
		// etcd's own counters, with the ticks due by the moment shown
		// counted, as etcd counts them at its next input. A leader counts
		// its election ticks to ElectionTick (CheckQuorum's round), the
		// others to their drawn timeout.
		of := tk.RandomizedElectionTick
		if ns.Role == raft.Leader {
			of = tk.ElectionTick
		}
		out = append(out, fmt.Sprintf("etcd ticks of %v: election %d of %d elapsed (ElectionTick %d), heartbeat %d of %d",
			tk.Tick, tk.ElectionElapsed, of, tk.ElectionTick, tk.HeartbeatElapsed, tk.HeartbeatTick))
	}
	if campaigns(stateOf(&ns)) {
		out = append(out, fmt.Sprintf("votes %d/%d needed: %s", len(ns.Granted), raft.Majority(len(s.Nodes)), tallyWords(ns)))
	}
	switch {
	case ns.Alive && ns.Role == raft.Leader:
		// Its own heartbeats are what the others hear; what it heard
		// from an earlier leader is past.
		out = append(out, fmt.Sprintf("leads term %d: it hears from no leader, its followers hear from it", ns.Term))
	case ns.HeardLeader:
		out = append(out, fmt.Sprintf("last heard from a leader at t=%s, %v ago (following %s)",
			clock(ns.LastLeaderContact), roundDur(s.Now-ns.LastLeaderContact), votedFor(ns.Leader)))
	default:
		out = append(out, "has never heard from a leader")
	}
	out = append(out, logReport(ns)...)
	out = append(out, "", linksTitle(ansi.Strip(connection(f.styles, ns, len(s.Nodes)))))
	for peer := 1; peer <= len(s.Nodes); peer++ {
		if peer != id {
			out = append(out, "  "+linkReport(s, id, peer))
		}
	}
	if flying := flightsOf(s, id); len(flying) > 0 {
		out = append(out, "", "messages in flight:")
		out = append(out, flying...)
	}
	out = append(out, "", "last decisions, newest first:")
	return append(out, decisionsOf(f, id)...)
}

// lessonReport is the running scenario as of the moment shown: its title,
// what it says to watch, and each expectation with what came of it; first
// the violation its banner names, if any, whole.
func lessonReport(f *Frame) []string {
	var out []string
	if v := f.violationShown(); v != "" {
		out = append(out, v, "")
	}
	if f.b != nil {
		if v := f.b.violationShown(); v != "" {
			out = append(out, "world B: "+v, "")
		}
	}
	if f.title != "" {
		out = append(out, f.title, "")
	}
	if text := f.explainShown(); text != "" {
		out = append(out, "what to watch: "+text, "")
	}
	if len(f.checks.items) > 0 {
		out = append(out, "what it expects:")
		for _, p := range checkParts(f, f.cursorMoment()) {
			out = append(out, "  "+ansi.Strip(p))
		}
	}
	if f.title == "" && f.explainShown() == "" && len(f.checks.items) == 0 {
		out = append(out, "no scenario is playing: s picks one")
	}
	return out
}

// entriesShown bounds the log entries the node inspector lists: the last
// ones, where replication happens.
const entriesShown = 20

// logReport is a node's log, its last entries in full (index, term,
// command, committed or not), and for a leader what it knows of each
// follower's log: nextIndex and matchIndex (Figure 2).
func logReport(ns cluster.NodeStatus) []string {
	if len(ns.Log) == 0 && ns.CommitIndex == 0 {
		return nil
	}
	entries := "entries"
	if len(ns.Log) == 1 {
		entries = "entry"
	}
	out := []string{"", fmt.Sprintf("log: %d %s (last term %d), committed up to index %d as far as it knows",
		len(ns.Log), entries, ns.LastLogTerm, ns.CommitIndex)}
	first := max(len(ns.Log)-entriesShown, 0)
	if first > 0 {
		out = append(out, fmt.Sprintf("  … %d earlier entries", first))
	}
	for i := first; i < len(ns.Log); i++ {
		e := ns.Log[i]
		what := "(empty: a no-op or set up by hand)"
		if e.Data != nil {
			what = strconv.Quote(string(e.Data))
		}
		mark := "  not known committed"
		if uint64(i+1) <= ns.CommitIndex {
			mark = "  committed"
		}
		out = append(out, fmt.Sprintf("  %4d  t%-4d %s%s", i+1, e.Term, what, mark))
	}
	if len(ns.Progress) > 0 {
		out = append(out, "", "followers' logs as this leader knows them (nextIndex: the next entry it sends; matchIndex: stored up to):")
		for _, p := range ns.Progress {
			out = append(out, fmt.Sprintf("  %v  nextIndex %d  matchIndex %d", p.ID, p.Next, p.Match))
		}
	}
	return out
}

// timerReport says what a node's timer does: nothing (dead), the next
// heartbeat (leader), or when its election timer fires.
func timerReport(ns cluster.NodeStatus, now time.Duration) string {
	switch stateOf(&ns) {
	case cluster.StateDead:
		return "dead: no timer runs; its term and vote survive for its restart"
	case cluster.StateLeader:
		return fmt.Sprintf("leader: next heartbeat at t=%s (in %v), every %v",
			clock(ns.NextHeartbeat), roundDur(ns.NextHeartbeat-now), ns.Timing.Heartbeat)
	}
	return fmt.Sprintf("election timer: fires at t=%s, in %v (drawn %v from %v-%v)",
		clock(ns.ElectionDeadline), roundDur(max(ns.ElectionDeadline-now, 0)), roundDur(ns.ElectionTimeout),
		ns.Timing.ElectionMin, ns.Timing.ElectionMax)
}

// flightsOf lists the messages in flight from or to node id.
func flightsOf(s *cluster.Snapshot, id int) []string {
	var flying []string
	for i := range s.Flights {
		if f := &s.Flights[i]; f.From == id || f.To == id {
			l := fmt.Sprintf("  n%d -> n%d %s t%d, arrives at t=%s", f.From, f.To, f.Type, f.Term, clock(f.ArriveAt))
			if f.Drop != "" {
				l += " (will be dropped: " + f.Drop + ")"
			}
			flying = append(flying, l)
		}
	}
	return flying
}

// decisionsOf lists node id's last decisions by the moment shown, newest
// first: the lines it is the subject of, and the faults that name it.
// The recorded future is not among them.
func decisionsOf(f *Frame, id int) []string {
	var out []string
	log := &f.hist.decisions
	for i := log.len() - 1; i >= 0 && len(out) < decisionsShown; i-- {
		l := log.ptr(i)
		if !f.shows(l.at(), l.dec) {
			continue
		}
		if l.subject() == id || (l.kind == cluster.KindFault && l.names(id)) {
			out = append(out, "  "+l.text())
		}
	}
	if len(out) == 0 {
		out = append(out, "  none kept")
	}
	return out
}

func votedFor(id raft.NodeID) string {
	if id == raft.None {
		return "nobody"
	}
	return id.String()
}

// linkReport says how messages fare each way between a and b.
func linkReport(s *cluster.Snapshot, a, b int) string {
	ab, ba := link(s, a, b), link(s, b, a)
	word := func(r string) string {
		if r == "" {
			return "passes"
		}
		return r
	}
	state := ""
	if !s.Nodes[b-1].Alive {
		state = fmt.Sprintf(" (n%d is dead)", b)
	}
	if ab == ba {
		return fmt.Sprintf("n%d <-> n%d %s%s", a, b, word(ab), state)
	}
	return fmt.Sprintf("n%d -> n%d %s, n%d -> n%d %s%s", a, b, word(ab), b, a, word(ba), state)
}

// flightReport describes a message picked on the map at time at.
func flightReport(f *cluster.Flight, at time.Duration) []string {
	what := fmt.Sprintf("n%d -> n%d %s, term %d", f.From, f.To, f.Type, f.Term)
	switch classOf(f) {
	case classGranted:
		what += ": granted"
	case classRefused:
		what += ": refused"
	case classAppendReply:
		what += ": success"
	case classAppendRefused:
		what += ": rejected (stale term)"
	}
	out := []string{what}
	lat := f.ArriveAt - f.SentAt
	out = append(out, fmt.Sprintf("sent at t=%s, arrives at t=%s (latency %v)", clock(f.SentAt), clock(f.ArriveAt), lat))
	if lat > 0 {
		out = append(out, fmt.Sprintf("at t=%s it was %d%% of the way", clock(at), int(100*float64(at-f.SentAt)/float64(lat))))
	}
	if f.Drop == "" {
		out = append(out, "on arrival: delivered, as the links stand")
	} else {
		out = append(out, "on arrival: dropped ("+f.Drop+"): its link broke or its receiver died while it travelled")
	}
	return out
}

// wrapIndent wraps s to w cells, continuation lines indented by four.
func wrapIndent(s string, w int) []string {
	if w < 12 {
		return []string{s}
	}
	var out []string
	first := true
	for s != "" {
		width := w
		if !first {
			width = w - 4
		}
		line := s
		if ansi.StringWidth(s) > width {
			cut := ansi.Truncate(s, width, "")
			if i := strings.LastIndex(cut, " "); i > width/2 {
				cut = cut[:i]
			}
			line = cut
		}
		s = strings.TrimLeft(s[len(line):], " ")
		if !first {
			line = "    " + line
		}
		out = append(out, line)
		first = false
	}
	return out
}

// linksTitle heads the inspector's list of a node's links with what its
// connection is; a dead node has none to tell.
func linksTitle(connection string) string {
	if connection == "" {
		return "links:"
	}
	return "links (" + connection + "):"
}
