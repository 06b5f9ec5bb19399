package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
	"raftty/raft"
)

// inspector shows one thing in full: a node (everything the cluster knows
// of it and its last decisions with their whole reasons) or one log line.
// Nothing that explains a decision is cut off: lines wrap, the box scrolls.
type inspector struct {
	open bool
	node int // the node shown, or 0
	line logLine
	// flight is a message picked on the map, as it was at time at.
	flight cluster.Flight
	at     time.Duration
	scroll int
	keys   inspectorKeys
}

type inspectorKeys struct {
	Up, Down, Close key.Binding
}

func newInspectorKeys() inspectorKeys {
	return inspectorKeys{
		Up:    key.NewBinding(key.WithKeys("up", "pgup", "k"), key.WithHelp("↑/pgup", "scroll")),
		Down:  key.NewBinding(key.WithKeys("down", "pgdown", "j"), key.WithHelp("↓/pgdn", "scroll")),
		Close: key.NewBinding(key.WithKeys("esc", "enter", "q"), key.WithHelp("esc", "close")),
	}
}

// ShortHelp and FullHelp make inspectorKeys a help.KeyMap.
func (k inspectorKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Up, k.Down, k.Close} }
func (k inspectorKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// decisionsShown bounds the decisions the node inspector lists.
const decisionsShown = 40

// inspectorBox draws the inspector over the panels, w by h.
func (m *Model) inspectorBox(w, h int) []string {
	in := &m.inspect
	var title string
	var text []string
	switch {
	case in.node > 0 && in.node <= len(m.snap.Nodes):
		title = fmt.Sprintf("inspect n%d", in.node)
		text = m.nodeReport(in.node)
	case in.flight.From > 0:
		title = "inspect message"
		text = flightReport(&in.flight, in.at)
	default:
		title = "inspect log line"
		text = []string{in.line.text}
	}
	var lines []string
	for _, t := range text {
		if t == "" {
			lines = append(lines, "")
			continue
		}
		lines = append(lines, wrapIndent(t, w-2)...)
	}
	rows := max(h-2, 0)
	in.scroll = min(in.scroll, max(len(lines)-rows, 0))
	if len(lines) > rows {
		title += fmt.Sprintf(" · lines %d-%d of %d · ↑/↓ scroll", in.scroll+1, min(in.scroll+rows, len(lines)), len(lines))
	}
	title += " · esc closes"
	return m.box(title, lines[in.scroll:], w, h)
}

// nodeReport is everything about node id at the snapshot's time: a pure
// function of the snapshot and the history.
func (m *Model) nodeReport(id int) []string {
	s := &m.snap
	ns := s.Nodes[id-1]
	now := s.Now
	role, _ := m.roleLabel(ns)
	out := []string{fmt.Sprintf("n%d · %s · term %d · voted for %s", id, role, ns.Term, votedFor(ns.VotedFor))}
	switch {
	case !ns.Alive:
		out = append(out, "dead: no timer runs; its term and vote survive for its restart")
	case ns.Role == raft.Leader:
		out = append(out, fmt.Sprintf("leader: next heartbeat at t=%.3fs (in %v), every %v",
			ns.NextHeartbeat.Seconds(), roundDur(ns.NextHeartbeat-now), ns.Timing.Heartbeat))
	default:
		out = append(out, fmt.Sprintf("election timer: fires at t=%.3fs, in %v (drawn %v from %v-%v)",
			ns.ElectionDeadline.Seconds(), roundDur(max(ns.ElectionDeadline-now, 0)), roundDur(ns.ElectionTimeout),
			ns.Timing.ElectionMin, ns.Timing.ElectionMax))
	}
	if tk := ns.Ticks; ns.Alive && tk.Tick > 0 {
		// etcd's own counters, as of its last tick.
		out = append(out, fmt.Sprintf("etcd ticks of %v: election %d of %d elapsed (ElectionTick %d), heartbeat %d of %d",
			tk.Tick, tk.ElectionElapsed, tk.RandomizedElectionTick, tk.ElectionTick, tk.HeartbeatElapsed, tk.HeartbeatTick))
	}
	if ns.Alive && (ns.Role == raft.Candidate || ns.Role == raft.PreCandidate) {
		out = append(out, fmt.Sprintf("votes %d/%d needed: %s", len(ns.Granted), len(s.Nodes)/2+1, tallyWords(ns)))
	}
	switch {
	case ns.HeardLeader:
		out = append(out, fmt.Sprintf("last heard from a leader at t=%.3fs, %v ago (following %s)",
			ns.LastLeaderContact.Seconds(), roundDur(now-ns.LastLeaderContact), votedFor(ns.Leader)))
	default:
		out = append(out, "has never heard from a leader")
	}
	out = append(out, "", "links ("+ansi.Strip(m.connection(ns, len(s.Nodes)))+"):")
	for peer := 1; peer <= len(s.Nodes); peer++ {
		if peer != id {
			out = append(out, "  "+linkReport(s, id, peer))
		}
	}
	var flying []string
	for i := range s.Flights {
		if f := &s.Flights[i]; f.From == id || f.To == id {
			l := fmt.Sprintf("  n%d -> n%d %s t%d, arrives at t=%.3fs", f.From, f.To, f.Type, f.Term, f.ArriveAt.Seconds())
			if f.Drop != "" {
				l += " (will be dropped: " + f.Drop + ")"
			}
			flying = append(flying, l)
		}
	}
	if len(flying) > 0 {
		out = append(out, "", "messages in flight:")
		out = append(out, flying...)
	}
	out = append(out, "", "last decisions, newest first:")
	found := 0
	prefix := fmt.Sprintf("n%d ", id)
	log := &m.hist.decisions
	for i := log.len() - 1; i >= 0 && found < decisionsShown; i-- {
		l := log.at(i)
		if len(l.text) > 9 && (strings.HasPrefix(l.text[9:], prefix) || (l.ev == cluster.KindFault && mentions(l.text, prefix[:len(prefix)-1]))) {
			out = append(out, "  "+l.text)
			found++
		}
	}
	if found == 0 {
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
	out = append(out, fmt.Sprintf("sent at t=%.3fs, arrives at t=%.3fs (latency %v)", f.SentAt.Seconds(), f.ArriveAt.Seconds(), lat))
	if lat > 0 {
		out = append(out, fmt.Sprintf("at t=%.3fs it was %d%% of the way", at.Seconds(), int(100*float64(at-f.SentAt)/float64(lat))))
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

// openInspector shows the inspector for the selected log line or, with
// none selected, the selected node.
func (m *Model) openInspector() {
	m.inspect = inspector{open: true, node: m.selected, keys: m.inspect.keys}
	log, _ := m.shownLog()
	if i := m.logSel - (log.total - log.n); m.logSel >= 0 && i >= 0 && i < log.n {
		m.inspect.node, m.inspect.line = 0, log.at(i)
	}
}
