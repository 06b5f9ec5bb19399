package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
	"raftty/raft"
)

// wrap is a style reduced to its opening and closing escape sequences, so
// that styling a string costs two concatenations instead of a lipgloss
// render. Styles are rendered once, when the model is made.
type wrap struct{ open, close string }

func newWrap(s lipgloss.Style) wrap {
	const placeholder = "\uE000"
	r := s.Render(placeholder)
	i := strings.Index(r, placeholder)
	if i < 0 {
		return wrap{}
	}
	return wrap{open: r[:i], close: r[i+len(placeholder):]}
}

func (w wrap) apply(s string) string {
	if w.open == "" {
		return s
	}
	return w.open + s + w.close
}

// View draws the model. It only reads state, in time proportional to the
// screen, whatever the length of the history.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "raftty"
	return v
}

// Minimum sizes: below them the UI asks for a larger terminal.
const (
	minWidth     = 60
	wideWidth    = 110
	leftPanel    = 58
	minLogHeight = 3
)

func (m *Model) render() string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return ""
	}
	n := len(m.snap.Nodes)
	var top []string
	top = append(top, m.header(w))
	if m.hist.violation != "" {
		top = append(top, fit(m.wraps.banner.apply(" "+m.hist.violation+" "), w))
	}
	bottom := append(m.bottomLines(w), fit(m.help.ShortHelpView(m.keys.ShortHelp()), w))
	timelineH := n + 3
	// A scenario's title and explanation take the rows the panels can
	// spare, up to maxExplainLines of explanation.
	spare := h - len(top) - len(bottom) - timelineH - (n + 2 + 1 + minLogHeight)
	if m.title != "" && spare > 0 {
		top = append(top, fit(m.wraps.title.apply(" "+m.title), w))
		spare--
	}
	for _, line := range wrapText(m.explain, w-2, min(maxExplainLines, max(spare, 0))) {
		top = append(top, fit(m.wraps.status.apply(" "+line), w))
	}
	avail := h - len(top) - len(bottom) - timelineH

	var middle []string
	switch {
	case m.mode == modeScenario && avail >= 3:
		middle = m.pickerBox(w, avail)
	case m.showFullHelp && avail >= 3:
		middle = m.fullHelp(w, avail)
	case w >= wideWidth && avail >= n+2+1+minLogHeight:
		middle = m.wideMiddle(w, avail)
	case w >= minWidth && avail >= n+2+1+minLogHeight:
		middle = m.narrowMiddle(w, avail)
	default:
		return tooSmall(w, h, minWidth, h-avail+n+2+1+minLogHeight)
	}
	out := make([]string, 0, h)
	out = append(out, top...)
	out = append(out, middle...)
	m.tl.y0 = len(out) + 1 // below the box's top border
	out = append(out, m.timeline(w, timelineH)...)
	out = append(out, bottom...)
	return strings.Join(out, "\n")
}

// wideMiddle: nodes and statistics on the left, the event log on the right.
func (m *Model) wideMiddle(w, h int) []string {
	n := len(m.snap.Nodes)
	left := min(leftPanel, w/2)
	nodes := m.box("nodes", m.nodeLines(left-2), left, n+2)
	statsLines := m.statsLines(left-2, h)
	statsH := min(len(statsLines)+2, h-(n+2))
	leftCol := append(nodes, m.box("statistics", statsLines, left, statsH)...)
	if rest := h - len(leftCol); rest >= len(legendLines)+2 {
		leftCol = append(leftCol, m.box("timeline legend", legendLines, left, rest)...)
	} else if rest > 0 {
		leftCol = append(leftCol, m.box("", nil, left, rest)...)
	}
	right := m.eventBox(w-left, h)
	out := make([]string, h)
	for i := range out {
		out[i] = leftCol[i] + right[i]
	}
	return out
}

// narrowMiddle stacks nodes, a line of statistics and the event log.
func (m *Model) narrowMiddle(w, h int) []string {
	n := len(m.snap.Nodes)
	out := m.box("nodes", m.nodeLines(w-2), w, n+2)
	out = append(out, fit(" "+m.wraps.dim.apply(strings.Join(m.statsParts(), " · ")), w))
	return append(out, m.eventBox(w, h-n-3)...)
}

// maxExplainLines bounds a scenario's explanation on screen.
const maxExplainLines = 3

// wrapText breaks s into at most n lines of at most w cells, at spaces; the
// last line ends in … if text was left out.
func wrapText(s string, w, n int) []string {
	if s == "" || w < 10 || n < 1 {
		return nil
	}
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case ansi.StringWidth(line)+1+ansi.StringWidth(word) <= w:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	lines = append(lines, line)
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = ansi.Truncate(lines[n-1], w-1, "") + "…"
	}
	return lines
}

func tooSmall(w, h, needW, needH int) string {
	msg := fmt.Sprintf("terminal too small (%dx%d): raftty needs at least %dx%d", w, h, needW, needH)
	lines := make([]string, h)
	for i := range lines {
		lines[i] = strings.Repeat(" ", w)
	}
	for i := 0; i*w < len(msg) && i < h; i++ {
		lines[i] = fit(msg[i*w:min(len(msg), (i+1)*w)], w)
	}
	return strings.Join(lines, "\n")
}

// fit pads or cuts a styled line to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	switch {
	case sw > w:
		s = ansi.Truncate(s, w, "")
		return s + strings.Repeat(" ", max(0, w-ansi.StringWidth(s)))
	case sw < w:
		return s + strings.Repeat(" ", w-sw)
	}
	return s
}

// box draws lines in a titled border, exactly w wide and h tall.
func (m *Model) box(title string, lines []string, w, h int) []string {
	if h < 2 || w < 4 {
		out := make([]string, max(h, 0))
		for i := range out {
			out[i] = strings.Repeat(" ", max(w, 0))
		}
		return out
	}
	b := m.wraps.border
	inner := w - 2
	t := ansi.Truncate(title, max(inner-3, 0), "…")
	out := make([]string, 0, h)
	out = append(out, b.apply("┌ ")+m.wraps.title.apply(t)+" "+b.apply(strings.Repeat("─", max(0, inner-2-ansi.StringWidth(t)))+"┐"))
	for i := 0; i < h-2; i++ {
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		out = append(out, b.apply("│")+fit(line, inner)+b.apply("│"))
	}
	out = append(out, b.apply("└"+strings.Repeat("─", inner)+"┘"))
	return out
}

func (m *Model) header(w int) string {
	s := m.snap
	leader := "leader " + m.nodeName(s.Leader)
	if s.Leader == 0 {
		leader = fmt.Sprintf("no leader for %v", roundDur(s.Now-s.Stats.NoLeaderSince))
	}
	state := "running"
	if m.paused {
		state = "PAUSED"
	}
	// Parts in order of importance: the last ones go first when the
	// terminal is narrow; the clock always stays.
	parts := []string{
		m.wraps.header.apply(" raftty"),
		fmt.Sprintf("term %d", s.MaxTerm),
		leader,
		formatSpeed(m.speed) + " " + state,
		fmt.Sprintf("seed %d", s.Config.Seed),
		fmt.Sprintf("%d nodes", len(s.Nodes)),
		"PreVote " + cluster.OnOff(s.Config.PreVote),
		"CheckQuorum " + cluster.OnOff(s.Config.CheckQuorum),
	}
	clock := fmt.Sprintf("t=%.3fs ", s.Now.Seconds())
	if m.cur.past {
		// Said so that the back row of a class can read it.
		past := m.wraps.banner.apply(fmt.Sprintf(" PAST t=%.3fs · live at %.3fs · end: back to live ",
			m.cur.at.Seconds(), m.liveNow().Seconds()))
		parts = append(parts[:1], append([]string{past}, parts[1:]...)...)
		clock = ""
	}
	sep := m.wraps.dim.apply(" · ")
	for len(parts) > 1 {
		left := strings.Join(parts, sep)
		if gap := w - ansi.StringWidth(left) - len(clock); gap >= 1 {
			return left + strings.Repeat(" ", gap) + m.wraps.header.apply(clock)
		}
		parts = parts[:len(parts)-1]
	}
	return fit(parts[0]+" "+clock, w)
}

func (m *Model) nodeName(id int) string {
	if id == 0 {
		return "none"
	}
	return m.wraps.node(id).apply(fmt.Sprintf("n%d", id))
}

// nodeLines are the nodes panel: role in colour, term, vote, the election
// timer draining, connection.
func (m *Model) nodeLines(w int) []string {
	size := len(m.snap.Nodes)
	lines := make([]string, 0, size)
	for _, ns := range m.snap.Nodes {
		id := int(ns.ID)
		sel := "  "
		if id == m.selected {
			sel = m.wraps.selected.apply("▶") + " "
		}
		name := m.nodeLabel(id, 4)
		role, roleStyle := m.roleLabel(ns)
		vote := ""
		if ns.VotedFor != raft.None {
			vote = fmt.Sprintf("voted n%d", ns.VotedFor)
		}
		line := sel + name + roleStyle.apply(fmt.Sprintf("%-10s", role)) +
			fmt.Sprintf(" t%-4d %-9s ", ns.Term, vote) + m.timerCell(ns) + " " + m.connection(ns, size)
		lines = append(lines, line)
	}
	return lines
}

// nodeLabel is "n3" padded to width, reversed when selected.
func (m *Model) nodeLabel(id, width int) string {
	name := fmt.Sprintf("n%d", id)
	pad := strings.Repeat(" ", max(width-len(name), 0))
	if id == m.selected {
		return m.wraps.selected.apply(name) + pad
	}
	return name + pad
}

func (m *Model) roleLabel(ns cluster.NodeStatus) (string, wrap) {
	switch {
	case !ns.Alive:
		return "dead", m.wraps.dead
	case ns.Role == raft.Leader:
		return "LEADER", m.wraps.node(int(ns.ID))
	case ns.Role == raft.Candidate:
		return "candidate", m.wraps.candidate
	case ns.Role == raft.PreCandidate:
		return "pre-cand.", m.wraps.preCandidate
	}
	return "follower", m.wraps.follower
}

const timerCells = 6

// timerCell is 12 cells: the election timer as a draining bar, or a
// leader's heartbeat interval.
func (m *Model) timerCell(ns cluster.NodeStatus) string {
	switch {
	case !ns.Alive:
		return strings.Repeat(" ", 12)
	case ns.Role == raft.Leader:
		return fmt.Sprintf("%-12s", "hb "+cluster.FormatDuration(ns.Timing.Heartbeat))
	}
	frac := 0.0
	if ns.ElectionTimeout > 0 {
		frac = float64(ns.ElectionDeadline-m.snap.Now) / float64(ns.ElectionTimeout)
	}
	frac = min(max(frac, 0), 1)
	full := int(frac*timerCells + 0.5)
	return m.wraps.timerFull.apply(strings.Repeat("█", full)) +
		m.wraps.timerEmpty.apply(strings.Repeat("░", timerCells-full)) + fmt.Sprintf(" %3d%% ", int(frac*100+0.5))
}

func (m *Model) connection(ns cluster.NodeStatus, size int) string {
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
	if ns.CutLinks > 0 {
		parts = append(parts, cutLinks(ns))
	}
	if !ns.Disconnected && ns.Reaches <= size/2 {
		parts = append(parts, "minority")
	}
	if len(parts) == 0 {
		return m.wraps.dim.apply("connected")
	}
	return m.wraps.cutOff.apply(strings.Join(parts, ", "))
}

func (m *Model) statsParts() []string {
	st := m.snap.Stats
	parts := []string{
		fmt.Sprintf("elections %d", st.Elections),
		fmt.Sprintf("won %d", st.LeadersElected),
		fmt.Sprintf("split votes %d", st.SplitVotes),
		fmt.Sprintf("leader changes %d", st.LeaderChanges),
		fmt.Sprintf("no leader %v", roundDur(st.NoLeader)),
		fmt.Sprintf("last election took %v", roundDur(st.LastElection)),
	}
	if m.uiDropped > 0 {
		parts = append(parts, fmt.Sprintf("UI skipped %d events", m.uiDropped))
	}
	return parts
}

func (m *Model) statsLines(w, h int) []string {
	st := m.snap.Stats
	lines := []string{
		fmt.Sprintf("elections started %-6d leaders elected %d", st.Elections, st.LeadersElected),
		fmt.Sprintf("split votes       %-6d leader changes  %d", st.SplitVotes, st.LeaderChanges),
		fmt.Sprintf("time without a leader %v in all", roundDur(st.NoLeader)),
		fmt.Sprintf("last election took    %v", roundDur(st.LastElection)),
		fmt.Sprintf("messages %d sent, %d dropped", st.Sent, st.Dropped),
	}
	if st.PreVotes > 0 {
		lines = append(lines, fmt.Sprintf("pre-vote rounds   %d", st.PreVotes))
	}
	if m.uiDropped > 0 {
		lines = append(lines, m.wraps.errorText.apply(fmt.Sprintf("UI skipped %d events (too fast to show)", m.uiDropped)))
	}
	if len(lines) > h {
		lines = lines[:max(h, 0)]
	}
	return lines
}

// fullHelp lists every key and the timeline legend, across the screen.
func (m *Model) fullHelp(w, h int) []string {
	help := m.help
	help.SetWidth(w - 2)
	groups := m.keys.FullHelp()
	if w < 100 { // two columns of keys instead of four
		groups = [][]key.Binding{append(groups[0], groups[1]...), append(groups[2], groups[3]...)}
	}
	lines := strings.Split(help.FullHelpView(groups), "\n")
	lines = append(lines, "")
	lines = append(lines, commandHelp...)
	lines = append(lines, "")
	lines = append(lines, legendLines...)
	return m.box("every key (? closes)", lines, w, h)
}

// eventBox is the event log, newest at the bottom.
func (m *Model) eventBox(w, h int) []string {
	log := &m.hist.decisions
	title := "events"
	if m.showHeartbeats {
		log = &m.hist.traffic
		title = "events, with message traffic"
	}
	rows := h - 2
	end := log.len() - min(m.logScroll, max(log.len()-rows, 0))
	at := -1 // the line at the cursor, highlighted
	if m.cur.past {
		// The line at the cursor sits two thirds down, the recorded
		// future below it.
		at = sort.Search(log.len(), func(i int) bool { return log.at(i).at > m.cur.at }) - 1
		end = min(max(at+1+rows/3, rows), log.len())
		title += fmt.Sprintf(" at t=%.3fs (below: the recorded future)", m.cur.at.Seconds())
	} else if end < log.len() {
		title += fmt.Sprintf("  (scrolled back %d, G for newest)", log.len()-end)
	}
	start := max(end-rows, 0)
	lines := make([]string, 0, rows)
	for i := start; i < end; i++ {
		l := log.at(i)
		text := ansi.Truncate(l.text, w-2, "…")
		switch {
		case i == at:
			lines = append(lines, m.wraps.selected.apply(text))
		case at >= 0 && i > at:
			lines = append(lines, m.wraps.dim.apply(text))
		default:
			lines = append(lines, m.wraps.log[l.kind].apply(text))
		}
	}
	return m.box(title, lines, w, h)
}

// legendLines explain the timeline's glyphs, beside it on a wide screen and
// in the full help.
var legendLines = []string{
	"━ leader (own colour) ═ candidate ╌ pre-cand. ─ follower",
	"· dead    orange band: cut off from a majority",
	"┃ heartbeat sent   ╵ heartbeat received",
	"x timeout: (pre-)campaigns   C pre-vote won: campaigns",
	"L wins   F steps down   v votes   p grants a pre-vote",
	"X killed  R restarted  / disconnected  + reconnected",
	"¦ link cut, restored or partitioned  > < cut one way",
}

func (m *Model) bottomLines(w int) []string {
	switch m.mode {
	case modePartition:
		lines := []string{fit(m.wraps.prompt.apply("partition (groups split by |, enter applies, esc cancels): ")+m.partition.input.View(), w)}
		if m.partition.err != "" {
			lines = append(lines, fit(m.wraps.errorText.apply(m.partition.err), w))
		}
		return lines
	case modeCommand:
		return m.commandLineLines(w)
	case modeEdit:
		lines := []string{fit(m.wraps.prompt.apply("edit timing (tab moves, enter applies to the running cluster, esc cancels)"), w)}
		for i, f := range m.edit.fields {
			cursor := "  "
			if i == m.edit.focused {
				cursor = m.wraps.prompt.apply("▶ ")
			}
			lines = append(lines, fit(fmt.Sprintf("%s%-17s %s", cursor, f.label, f.input.View()), w))
		}
		if m.edit.err != "" {
			lines = append(lines, fit(m.wraps.errorText.apply(m.edit.err), w))
		}
		return lines
	}
	st := m.wraps.status
	if m.statusErr {
		st = m.wraps.errorText
	}
	return []string{fit(st.apply(" "+m.status), w)}
}

func roundDur(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
