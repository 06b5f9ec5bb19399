package tui

import (
	"fmt"
	"slices"
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
	if m.dirty || m.drawn == "" {
		m.drawn, m.dirty = m.render(), false
	}
	v := tea.NewView(m.drawn)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "raftty"
	return v
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
	// The leader with its own term; the highest term any node holds
	// named apart when it differs (a node cut off has campaigned alone).
	var leader, term string
	switch {
	case s.Leader == 0:
		leader = fmt.Sprintf("no leader %v", roundDur(s.Now-s.Stats.NoLeaderSince))
		term = fmt.Sprintf("term %d", s.MaxTerm)
	default:
		lt := s.Nodes[s.Leader-1].Term
		leader = fmt.Sprintf("leader %s term %d", m.nodeName(s.Leader), lt)
		if lt != s.MaxTerm {
			term = m.wraps.cutOff.apply(fmt.Sprintf("highest term %d", s.MaxTerm))
		}
	}
	speed := formatSpeed(m.speed)
	if s := m.cur.live; s.SlowVotes && s.VotesInFlight && !m.paused && !m.cur.past {
		speed = formatSpeed(m.speed/voteSlowdown) + " while votes fly (v)"
		if w < 100 {
			speed = formatSpeed(m.speed/voteSlowdown) + " votes fly"
		}
	}
	paused := m.paused
	if m.cur.past {
		paused = m.cur.live.Paused // a watcher's look back pauses nothing
	}
	switch {
	case m.cur.past:
		// The banner says what the past view is doing.
	case paused:
		speed += " PAUSED"
	case m.cur.live.Behind:
		// More events than a tick may simulate: the clock runs slower
		// than asked, and says so rather than freezing the program.
		speed = m.wraps.cutOff.apply(speed + " (clock behind: too many events)")
	}
	// Parts in screen order, each with its rank: when the terminal is
	// narrow the lowest ranks go first (the seed, the size, the highest
	// term, the name); PreVote and CheckQuorum stay at 80 columns. The
	// clock always stays.
	type part struct {
		text string
		rank int
	}
	speedRank := 8
	if m.cur.past {
		speedRank = 2 // the banner says it is the past; the options matter more
	}
	parts := []part{
		{m.wraps.header.apply("raftty"), 4},
		{leader, 9},
		{speed, speedRank},
		{term, 3},
		{"PreVote " + cluster.OnOff(s.Config.PreVote), 7},
		{"CheckQuorum " + cluster.OnOff(s.Config.CheckQuorum), 6},
		{fmt.Sprintf("%d nodes", len(s.Nodes)), 2},
		{fmt.Sprintf("seed %d", s.Config.Seed), 1},
	}
	if s.Config.Engine != cluster.EngineTextbook {
		// The other engine is said, with its timing in its own ticks.
		parts = append(parts, part{s.Config.EngineName(), 5})
	}
	if end := m.scenarioEnd(); end > 0 {
		text := fmt.Sprintf("scenario ends at %v", end)
		if m.cursorMoment() >= end {
			text = m.wraps.title.apply(fmt.Sprintf("scenario over at %v", end))
		}
		parts = append(parts, part{text, 5})
	}
	clock := fmt.Sprintf("t=%.3fs ", s.Now.Seconds())
	if m.cur.past {
		// Said so that the back row of a class can read it.
		// What the view does (replaying) and the live cluster (paused, or
		// running on: a watcher's look back pauses nothing) go in the
		// banner, which stays at any width.
		live, short := "live paused at", "paused"
		switch {
		case m.cur.playing:
			live, short = "▶ replaying · live at", "▶"
		case !paused:
			live, short = "live runs on at", "live on"
		}
		text := fmt.Sprintf(" PAST t=%.3fs · %s %.3fs · end: back to live ", m.cur.at.Seconds(), live, m.liveNow().Seconds())
		switch { // narrow: fewer words, so that the options stay
		case w < 100:
			text = fmt.Sprintf(" PAST %.3fs · %s ", m.cur.at.Seconds(), short)
		case w < 140:
			text = fmt.Sprintf(" PAST t=%.3fs · %s %.3fs · end ", m.cur.at.Seconds(), live, m.liveNow().Seconds())
		}
		past := m.wraps.banner.apply(text)
		parts = append(parts[:1], append([]part{{past, 10}}, parts[1:]...)...)
		clock = ""
	}
	sep := m.wraps.dim.apply(" · ")
	for rank := 0; rank <= 10; rank++ {
		var keep []string
		for _, p := range parts {
			if p.rank > rank && p.text != "" {
				keep = append(keep, p.text)
			}
		}
		left := " " + strings.Join(keep, sep)
		if gap := w - ansi.StringWidth(left) - len(clock); gap >= 1 || len(keep) <= 1 {
			return fit(left+strings.Repeat(" ", max(gap, 1))+m.wraps.header.apply(clock), w)
		}
	}
	return fit(clock, w)
}

func (m *Model) nodeName(id int) string {
	if id == 0 {
		return "none"
	}
	return m.wraps.node(id).apply(fmt.Sprintf("n%d", id))
}

// nodeLines are the nodes panel's rows for nodes first+1..end: role in
// colour, term, vote or tally, the end of the log (last index and term, once
// any node has entries: the election restriction compares them), the
// election timer draining, connection, and for a (pre-)candidate who
// granted and who refused.
func (m *Model) nodeLines(w, first, end int) []string {
	size := len(m.snap.Nodes)
	lines := make([]string, 0, end-first)
	logs := false
	for _, ns := range m.snap.Nodes {
		logs = logs || ns.LastLogIndex > 0
	}
	for _, ns := range m.snap.Nodes[first:end] {
		id := int(ns.ID)
		sel := "  "
		if id == m.selected {
			sel = m.wraps.selected.apply("▶") + " "
		}
		name := m.nodeLabel(id, 5)
		role, roleStyle := m.roleLabel(ns)
		vote := ""
		if ns.VotedFor != raft.None {
			vote = fmt.Sprintf("voted n%d", ns.VotedFor)
		}
		tally := ""
		if ns.Alive && (ns.Role == raft.Candidate || ns.Role == raft.PreCandidate) {
			vote = fmt.Sprintf("votes %d/%d", len(ns.Granted), size/2+1)
			tally = " " + m.tallyText(ns)
		}
		line := sel + name + roleStyle.apply(fmt.Sprintf("%-10s", role)) +
			fmt.Sprintf(" t%-4d %-10s ", ns.Term, vote)
		if logs {
			line += fmt.Sprintf("log %-8s ", fmt.Sprintf("%d/t%d", ns.LastLogIndex, ns.LastLogTerm))
		}
		line += m.timerCell(ns) + tally + " " + m.connection(ns, size)
		lines = append(lines, line)
	}
	return lines
}

// tallyText names who granted (✓) and who refused (✗) a (pre-)candidate,
// in the glyphs the map gives their answers.
func (m *Model) tallyText(ns cluster.NodeStatus) string {
	s := m.wraps.log[logVote].apply("✓" + idList(ns.Granted))
	if len(ns.Refused) > 0 {
		s += " " + m.wraps.log[logDeny].apply("✗"+idList(ns.Refused))
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

// fullHelp lists every key and the legends, across the screen; ↑/↓ scroll
// it when it is taller than the screen.
// helpColumns lays the groups of keys out side by side, as many to a row
// as fit in w cells, the rest in further rows: every key is listed, at
// any width.
func (m *Model) helpColumns(groups [][]key.Binding, w int) []string {
	help := m.help
	help.SetWidth(0) // measure the natural width; the packing keeps it within w
	var lines []string
	var row [][]key.Binding
	flush := func() {
		if len(row) > 0 {
			lines = append(lines, strings.Split(help.FullHelpView(row), "\n")...)
			lines = append(lines, "")
			row = nil
		}
	}
	for _, g := range groups {
		try := append(slices.Clone(row), g)
		if len(row) > 0 && lipgloss.Width(help.FullHelpView(try)) > w {
			flush()
			try = [][]key.Binding{g}
		}
		row = try
	}
	flush()
	return lines[:max(len(lines)-1, 0)]
}

func (m *Model) fullHelp(w, h int) []string {
	lines := m.helpColumns(m.keys.FullHelp(), w-2)
	lines = append(lines, "")
	lines = append(lines, commandHelp...)
	lines = append(lines, "", "timeline:")
	lines = append(lines, legendLines...)
	lines = append(lines, "", "map:", mapLegend, "inspector: enter opens, ↑/↓ scroll, esc closes; a click selects a node or a log line")
	rows := max(h-2, 0)
	m.helpScroll = min(m.helpScroll, max(len(lines)-rows, 0))
	title := "every key (? closes)"
	if len(lines) > rows {
		title = fmt.Sprintf("every key (? closes, ↑/↓ scroll: %d-%d of %d)", m.helpScroll+1, min(m.helpScroll+rows, len(lines)), len(lines))
	}
	return m.box(title, lines[m.helpScroll:], w, h)
}

// eventBox is the event log, newest at the bottom, filtered by /, with the
// selected line (↑/↓, a click) reversed and kept in view.
func (m *Model) eventBox(w, h, x, y int) []string {
	log, idx := m.shownLog()
	title := "events"
	if m.showHeartbeats {
		title = "events, with message traffic"
	}
	count := log.len()
	if idx != nil {
		count = len(idx)
	}
	if m.filter.text != "" {
		title += fmt.Sprintf(" · /%s: %d lines", m.filter.text, count)
	}
	rows := max(h-2, 0)
	end := count - min(m.logScroll, max(count-rows, 0))
	sel := m.selectedLogPos(log, idx)
	if sel >= 0 {
		end = min(max(end, sel+1), sel+rows, count)
	}
	if end < count {
		title += fmt.Sprintf(" · back %d, G for newest", count-end)
	}
	if sel >= 0 {
		title += " · enter shows it all"
	}
	at := -1 // in the past: the line at the cursor, the recorded future dimmed below it
	if m.cur.past {
		at = m.cursorLogPos(log, idx)
		if sel < 0 && at >= 0 {
			end = min(max(at+1+rows/3, rows), count)
		}
		title += fmt.Sprintf(" · at t=%.3fs, below it the recorded future", m.cur.at.Seconds())
	}
	start := max(end-rows, 0)
	lines := make([]string, 0, rows)
	for k := start; k < end; k++ {
		i := k
		if idx != nil {
			i = idx[k]
		}
		l := log.at(i)
		text := ansi.Truncate(l.text, w-2, "…")
		switch {
		case k == sel || (sel < 0 && k == at):
			lines = append(lines, m.wraps.selected.apply(text))
		case at >= 0 && k > at:
			lines = append(lines, m.wraps.dim.apply(text))
		default:
			lines = append(lines, m.wraps.log[l.kind].apply(text))
		}
		m.hits = append(m.hits, hit{x: x + 1, y: y + 1 + k - start, w: w - 2, h: 1, logLine: log.total - log.n + i})
	}
	return m.box(title, lines, w, h)
}

// shownLog is the log the event panel shows and, when a filter is set, the
// indices of the lines that match it (nil: all of them).
func (m *Model) shownLog() (*ring[logLine], []int) {
	log := &m.hist.decisions
	if m.showHeartbeats {
		log = &m.hist.traffic
	}
	if m.filter.text == "" {
		return log, nil
	}
	if m.filterIdx == nil {
		m.filterIdx = make([]int, 0, 64) // nil means "no filter" to the callers
	}
	m.filterIdx = m.filterIdx[:0]
	for i := 0; i < log.len(); i++ {
		if l := log.at(i); m.filter.match(&l) {
			m.filterIdx = append(m.filterIdx, i)
		}
	}
	return log, m.filterIdx
}

// selectedLogPos is the selected line's position among the shown lines,
// or -1.
func (m *Model) selectedLogPos(log *ring[logLine], idx []int) int {
	if m.logSel < 0 {
		return -1
	}
	i := m.logSel - (log.total - log.n)
	if i < 0 || i >= log.n {
		return -1
	}
	if idx == nil {
		return i
	}
	if k, ok := slices.BinarySearch(idx, i); ok {
		return k
	}
	return -1
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
	case modeFilter:
		return []string{fit(m.wraps.prompt.apply("filter the log (node n3, kind vote/timeout/drop/..., or text; enter applies, esc cancels): ")+m.filterForm.input.View(), w)}
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
