package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
	"raftty/raft"
)

// nodesPanel is the node list: a line a node, with its role in colour, its
// term, its vote or tally, the end of its log, its election timer draining
// and its connection, scrolled to keep the selection in view. Its keys
// select a node and act on the selected one; the root carries them out.
type nodesPanel struct {
	size
	nodeKeys
	// hits are the node lines the last View drew, for clicks.
	hits []hit
}

// nodeKeys select a node and act on the selected one.
type nodeKeys struct {
	Select, Next, Prev, SelectLeader              key.Binding
	Disconnect, Reconnect, Kill, Restart, Timeout key.Binding
	// Put sends the selected node a client's command (a made-up value): a
	// leader appends and replicates it, any other node refuses it and
	// names the leader.
	Put key.Binding
}

func newNodeKeys() nodeKeys {
	return nodeKeys{
		Select:       binding("1-9", "select", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
		Next:         binding("tab", "next node", "tab"),
		Prev:         binding("shift+tab", "previous node", "shift+tab"),
		SelectLeader: binding("L", "select leader", "L"),
		Disconnect:   binding("d", "disconnect", "d"),
		Reconnect:    binding("c", "reconnect", "c"),
		Kill:         binding("k", "kill", "k"),
		Restart:      binding("r", "restart", "r"),
		Timeout:      binding("t", "force timeout", "t"),
		Put:          binding("C", "client command", "C"),
	}
}

// ShortHelp and FullHelp make nodeKeys a help.KeyMap.
func (k nodeKeys) ShortHelp() []key.Binding { return []key.Binding{k.Select, k.Kill, k.Disconnect} }
func (k nodeKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Select, k.Next, k.Prev, k.SelectLeader}, {k.Disconnect, k.Reconnect, k.Kill, k.Restart, k.Timeout, k.Put}}
}

func newNodesPanel() *nodesPanel { return &nodesPanel{nodeKeys: newNodeKeys()} }

// Update answers the selection keys: a digit, tab and shift+tab, L for the
// leader. The selection is the root's: the panel asks for it (selectMsg).
func (p *nodesPanel) Update(msg tea.Msg, f *Frame) (tea.Cmd, tea.Msg) {
	return onKey(msg, f, p.updateKey)
}

func (p *nodesPanel) updateKey(k tea.KeyPressMsg, f *Frame) (tea.Cmd, tea.Msg) {
	n := len(f.snap.Nodes)
	switch {
	case key.Matches(k, p.nodeKeys.Select):
		return nil, selectMsg(k.String()[0] - '0')
	case key.Matches(k, p.nodeKeys.Next):
		return nil, selectMsg(f.selected%n + 1)
	case key.Matches(k, p.nodeKeys.Prev):
		return nil, selectMsg((f.selected+n-2)%n + 1)
	case key.Matches(k, p.nodeKeys.SelectLeader):
		if f.snap.Leader == 0 {
			return nil, statusMsg("there is no leader to select")
		}
		return nil, selectMsg(f.snap.Leader)
	}
	return nil, nil
}

// View draws the node list in its box.
func (p *nodesPanel) View(f *Frame) []string {
	n := len(f.snap.Nodes)
	rows := max(p.h-2, 0)
	first := window(n, rows, f.selected-1)
	title := "nodes"
	if rows < n {
		title = fmt.Sprintf("nodes %d-%d of %d (tab, 1-9 scroll)", first+1, min(first+rows, n), n)
	}
	lines, strips := nodeLines(f, first, min(first+rows, n), p.w-2)
	if win, ok := logWindowOf(f.snap.Nodes, p.w-2); ok && strips {
		title += fmt.Sprintf(" · log %d-%d (■ committed □ not yet)", win.lo, win.hi)
	}
	if w := f.worldTitle(); w != "" {
		title = w + " · " + title
	}
	p.hits = p.hits[:0]
	for i := range lines {
		p.hits = append(p.hits, hit{x: 1, y: 1 + i, w: p.w - 2, h: 1, node: first + i + 1, logLine: -1})
	}
	return f.styles.box(title, lines, p.w, p.h)
}

// logWindow is the indexes the log strips show, lo to hi: the last few of
// the longest log, the same for every node, so that the strips line up by
// index: a node behind shows its missing entries as ·, and two entries of
// different terms at one index (a conflict) as two colours. An entry is ■
// once the node knows it committed, □ before; its colour is its term's.
type logWindow struct{ lo, hi uint64 }

// logWindowOf is the window for a panel w cells wide: 6 entries where the
// line is short of room, 16 where it has it; false while every log is
// empty.
func logWindowOf(nodes []cluster.NodeStatus, w int) (logWindow, bool) {
	var hi uint64
	for i := range nodes {
		hi = max(hi, nodes[i].LastLogIndex)
	}
	if hi == 0 {
		return logWindow{}, false
	}
	k := uint64(6)
	if w >= 75 {
		k = 16
	}
	lo := uint64(1)
	if hi > k {
		lo = hi - k + 1
	}
	return logWindow{lo: lo, hi: max(hi, lo+k-1)}, true
}

// strip draws node ns's entries in the window, one cell each.
func (win logWindow) strip(r *renders, ns cluster.NodeStatus) string {
	var b strings.Builder
	for i := win.lo; i <= win.hi; i++ {
		switch {
		case i > uint64(len(ns.Log)):
			b.WriteString(r.dim.apply("·"))
		case i <= ns.CommitIndex:
			b.WriteString(r.term(ns.Log[i-1].Term).apply("■"))
		default:
			b.WriteString(r.term(ns.Log[i-1].Term).apply("□"))
		}
	}
	return b.String()
}

// hitList is the node lines the last View drew.
func (p *nodesPanel) hitList() []hit { return p.hits }

// nodeLines are the panel's rows for nodes first+1..end, w cells wide:
// role in colour, term, vote or tally, the end of the log (a strip of its
// last entries, once any node has entries: see logWindow), the election
// timer draining, connection, and for a (pre-)candidate who granted and
// who refused. The panel's width is the screen's to fix, never the
// lines': what does not fit is said shorter (lineShapes), and a line
// still too long ends in "…", never a word cut short. The inspector has
// it all.
func nodeLines(f *Frame, first, end, w int) (lines []string, strips bool) {
	for i, sh := range lineShapes {
		var fits bool
		lines, fits = shapedLines(f, first, end, w, sh)
		if fits || i == len(lineShapes)-1 {
			strips = sh.strip
			break
		}
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			// The columns' padding is not cut: "voted n4 …" told of
			// something more where there was nothing.
			l = strings.TrimRight(l, " ")
		}
		if ansi.StringWidth(l) > w {
			l = ansi.Truncate(l, w, "…")
		}
		lines[i] = l
	}
	return lines, strips
}

// lineShape is how much a node line says: its timer as a bar and a share
// (timer 2), a bar (1) or not at all (0); the tally and the connection in
// full (by name, every cut link) or summed up ("✓2 ✗3", "partition B
// (minority)"); the strip of its log's end or not (the inspector lists
// the log). One shape serves every line of the panel, so that the columns
// line up.
type lineShape struct {
	timer       int
	full, strip bool
}

// lineShapes are the shapes, from the fullest: the first whose lines all
// fit is drawn.
var lineShapes = []lineShape{{2, true, true}, {2, false, true}, {1, false, true}, {0, false, true}, {0, false, false}}

// shapedLines are the lines in shape sh, and whether they all fit in w.
func shapedLines(f *Frame, first, end, w int, sh lineShape) ([]string, bool) {
	s := f.snap
	size := len(s.Nodes)
	lines := make([]string, 0, end-first)
	win, logs := logWindowOf(s.Nodes, w)
	fits := true
	for _, ns := range s.Nodes[first:end] {
		id := int(ns.ID)
		sel := "  "
		if id == f.selected {
			sel = f.styles.selected.apply("▶") + " "
		}
		role, roleStyle := roleLabel(f.styles, ns)
		vote, tally := "", ""
		if ns.VotedFor != raft.None {
			vote = fmt.Sprintf("voted n%d", ns.VotedFor)
		}
		if campaigns(stateOf(&ns)) {
			vote = fmt.Sprintf("votes %d/%d", len(ns.Granted), raft.Majority(size))
			tally = tallyText(f.styles, ns, sh.full)
		}
		line := sel + f.nodeLabel(id, 5) + roleStyle.apply(fmt.Sprintf("%-10s", role)) +
			fmt.Sprintf(" t%-4d %-10s ", ns.Term, vote)
		if logs && sh.strip {
			line += win.strip(f.styles, ns) + " "
		}
		line += timerCell(f, ns, sh.timer)
		if tally != "" {
			line += " " + tally
		}
		conn := connection(f.styles, ns, size)
		if !sh.full {
			conn = connectionSummary(f.styles, ns, size)
		}
		if !isConnected(ns, size) || ansi.StringWidth(line)+1+ansi.StringWidth(conn) <= w {
			line += " " + conn
		}
		fits = fits && ansi.StringWidth(line) <= w
		lines = append(lines, line)
	}
	return lines, fits
}

// tallyText names who granted (✓) and who refused (✗) a (pre-)candidate,
// in the glyphs the map gives their answers; not full, it counts them.
func tallyText(r *renders, ns cluster.NodeStatus, full bool) string {
	granted, refused := idList(ns.Granted), idList(ns.Refused)
	if !full {
		granted, refused = fmt.Sprint(len(ns.Granted)), fmt.Sprint(len(ns.Refused))
	}
	s := r.log[logVote].apply("✓" + granted)
	if len(ns.Refused) > 0 {
		s += " " + r.log[logDeny].apply("✗"+refused)
	}
	return s
}

// tallyWords is tallyText in words, for the inspector.
func tallyWords(ns cluster.NodeStatus) string {
	s := "granted by " + idList(ns.Granted)
	if len(ns.Refused) > 0 {
		s += ", refused by " + idList(ns.Refused)
	}
	return s
}

func idList(ids []raft.NodeID) string {
	if len(ids) == 0 {
		return "none"
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.String()
	}
	return strings.Join(parts, ",")
}

// roleLabel is a node's role as the panels write it, and its style.
func roleLabel(r *renders, ns cluster.NodeStatus) (string, wrap) {
	switch stateOf(&ns) {
	case cluster.StateDead:
		return "dead", r.dead
	case cluster.StateLeader:
		return "LEADER", r.node(int(ns.ID))
	case cluster.StateCandidate:
		return "candidate", r.candidate
	case cluster.StatePreCandidate:
		return "pre-cand.", r.preCandidate
	}
	return "follower", r.follower
}

// timerCells is the length of the election timer's bar; timerWidths the
// cells the timer takes in each shape (see lineShape): none, the bar, the
// bar and the share left; a leader's heartbeat as much.
const timerCells = 6

var timerWidths = [...]int{0, timerCells + 1, timerCells + len(" 100% ")}

// timerCell is the election timer as a draining bar and the share left, or
// a leader's heartbeat interval, as shape says (lineShape.timer): none (an
// empty string), a bar, or a bar and a share, in timerWidths[shape] cells.
func timerCell(f *Frame, ns cluster.NodeStatus, shape int) string {
	width := timerWidths[shape]
	switch {
	case shape == 0:
		return ""
	case stateOf(&ns) == cluster.StateDead:
		return strings.Repeat(" ", width)
	case stateOf(&ns) == cluster.StateLeader:
		return fit("hb "+cluster.FormatDuration(ns.Timing.Heartbeat), width)
	}
	frac := 0.0
	if ns.ElectionTimeout > 0 {
		frac = float64(ns.ElectionDeadline-f.snap.Now) / float64(ns.ElectionTimeout)
	}
	frac = min(max(frac, 0), 1)
	full := int(frac*timerCells + 0.5)
	bar := f.styles.timerFull.apply(strings.Repeat("█", full)) + f.styles.timerEmpty.apply(strings.Repeat("░", timerCells-full))
	if shape == 1 {
		return bar + " "
	}
	return bar + fmt.Sprintf(" %3d%% ", int(frac*100+0.5))
}

// isConnected reports whether connection says only "connected".
func isConnected(ns cluster.NodeStatus, size int) bool {
	return !ns.Disconnected && ns.Group == 0 && ns.CutLinks == 0 && ns.Reaches >= raft.Majority(size)
}

// connection says how a node is cut off, if it is: disconnected, in which
// partition, which links are cut, and whether it reaches a majority
// ("partition B, cut ↔n3, minority").
func connection(r *renders, ns cluster.NodeStatus, size int) string {
	return connectionText(r, ns, size, true)
}

// connectionSummary is connection summed up, the cut links counted rather
// than named, whether it reaches a majority first ("partition B
// (minority), 1 link cut").
func connectionSummary(r *renders, ns cluster.NodeStatus, size int) string {
	return connectionText(r, ns, size, false)
}

func connectionText(r *renders, ns cluster.NodeStatus, size int, full bool) string {
	if !ns.Alive {
		return ""
	}
	var parts []string
	switch {
	case ns.Disconnected:
		parts = append(parts, "disconnected")
	case ns.Group > 0:
		parts = append(parts, "partition "+string(rune('A'+ns.Group-1)))
	}
	minority := !ns.Disconnected && ns.Reaches < raft.Majority(size)
	switch {
	case minority && !full && len(parts) > 0:
		// Summed up, the word that explains most comes before what may
		// be cut: "partition B (minority), 1 link cut".
		parts[0] += " (minority)"
	case minority && !full:
		parts = append(parts, "minority")
	}
	switch {
	case ns.CutLinks > 0 && full:
		parts = append(parts, cutLinks(ns))
	case ns.CutLinks > 0:
		parts = append(parts, plural(ns.CutLinks, "link")+" cut")
	}
	switch {
	case len(parts) == 0 && !minority:
		return r.dim.apply("connected")
	case minority && full:
		parts = append(parts, "minority")
	}
	return r.cutOff.apply(strings.Join(parts, ", "))
}

// cutLinks says which links of a node are cut, and which way: "cut →n2"
// (it cannot send to n2), "cut ←n1" (it no longer hears n1), "cut ↔n3".
func cutLinks(ns cluster.NodeStatus) string {
	var parts []string
	for _, id := range ns.CutTo {
		if slices.Contains(ns.CutFrom, id) {
			parts = append(parts, fmt.Sprintf("↔n%d", id))
		} else {
			parts = append(parts, fmt.Sprintf("→n%d", id))
		}
	}
	for _, id := range ns.CutFrom {
		if !slices.Contains(ns.CutTo, id) {
			parts = append(parts, fmt.Sprintf("←n%d", id))
		}
	}
	return "cut " + strings.Join(parts, " ")
}
