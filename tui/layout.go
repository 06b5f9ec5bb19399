package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// The screen is cut into panels by width class:
//
//   - wide (w >= wideWidth): nodes, statistics and the timeline legend on the
//     left; the map above the event log on the right, or beside it in its own
//     column from threeColumns up; the timeline across the bottom.
//   - narrow: nodes, a line of statistics, then the event log with the map
//     beside it; the timeline below when the rows allow, and instead of the
//     map when the map is hidden (m).
//
// The node list and the timeline show a window of rows that follows the
// selection when the nodes outnumber the rows.
const (
	minWidth     = 60
	minHeight    = 12
	wideWidth    = 110
	threeColumns = 180
	leftPanel    = 60
	minLogLines  = 5
	minLogBox    = minLogLines + 2
)

// hit is a screen rectangle that a mouse click selects something in.
type hit struct {
	x, y, w, h int
	node       int // a node id, or 0
	logLine    int // a log line's number (ring.total order), or -1
	flight     int // 1 + an index into the snapshot's Flights, or 0
}

func (m *Model) render() string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return ""
	}
	m.hits = m.hits[:0]
	if w < minWidth || h < minHeight {
		return tooSmall(w, h, minWidth, minHeight)
	}
	var top []string
	top = append(top, m.header(w))
	if m.hist.violation != "" {
		top = append(top, fit(m.wraps.banner.apply(" "+m.hist.violation+" "), w))
	}
	bottom := append(m.bottomLines(w), fit(m.help.ShortHelpView(m.keys.ShortHelp()), w))
	// A scenario's title and explanation take the rows the panels can
	// spare beyond a comfortable minimum, up to maxExplainLines.
	spare := h - len(top) - len(bottom) - m.comfortableRows(w)
	if h >= 24 {
		// A lesson's title, checklist and first line of what to watch
		// are what a class reads first: on a small screen they take rows
		// from the panels rather than go unseen.
		spare = max(spare, m.lessonRows())
	}
	if m.title != "" && spare > 0 {
		top = append(top, fit(m.wraps.title.apply(" "+m.title), w))
		spare--
	}
	if line := m.checklistLine(w, m.cursorMoment()); line != "" && spare > 0 {
		top = append(top, line)
		spare--
	}
	for _, line := range wrapText(m.explain, w-2, min(maxExplainLines, max(spare, 0))) {
		top = append(top, fit(m.wraps.status.apply(" "+line), w))
	}
	avail := h - len(top) - len(bottom)

	var body []string
	switch {
	case m.mode == modeScenario && avail >= 3:
		body = m.pickerBox(w, avail)
	case m.showFullHelp:
		body = m.fullHelp(w, avail)
	case m.inspect.open:
		body = m.inspectorBox(w, avail)
	case w >= wideWidth:
		body = m.wideBody(w, avail, len(top))
	default:
		body = m.narrowBody(w, avail, len(top))
	}
	out := make([]string, 0, h)
	out = append(out, top...)
	out = append(out, body...)
	out = append(out, bottom...)
	return strings.Join(out, "\n")
}

// comfortableRows is what the panels want before a scenario's text may
// take rows.
func (m *Model) comfortableRows(w int) int {
	n := min(len(m.snap.Nodes), 9)
	if w >= wideWidth {
		return (n + 2) + 8 + (n + 3) + 4
	}
	return (n + 2) + 1 + minLogBox + (n + 3)
}

// window returns the first of rows consecutive items out of n that keep
// item sel (0-based) in view, near the middle.
func window(n, rows, sel int) int {
	if rows >= n {
		return 0
	}
	return min(max(sel-rows/2, 0), n-rows)
}

// timelineRows is how many node rows the timeline shows in a body of h
// rows: all of them if they fit in two fifths of it.
func (m *Model) timelineRows(h int) int {
	n := len(m.snap.Nodes)
	return max(min(n, h*2/5-3), min(n, 3))
}

// wideBody: the left column (nodes, statistics, legend), the map and the
// event log, the timeline below.
func (m *Model) wideBody(w, h, y0 int) []string {
	n := len(m.snap.Nodes)
	tlH := 0
	if m.showTimeline {
		tlH = m.timelineRows(h) + 3
	}
	if h-tlH < minWideTop {
		// A form open at the smallest heights leaves no room for the
		// timeline above which the panels would still show: it goes.
		tlH = 0
	}
	mh := max(h-tlH, 0)
	// The left column is as wide as the node lines want (a partition and
	// cut links in full), within a half (or all but minRightPanel) or,
	// beside a map column of its own, a third of the screen.
	left := min(max(m.nodeLinesWidth()+2, leftPanel), max(w/2, w-minRightPanel))
	if m.showMap && w >= threeColumns {
		left = min(max(m.nodeLinesWidth()+2, leftPanel), w/3)
	}
	nodeRows := min(n, max(mh-2-minStatsBox, 3))
	leftCol := m.nodesBox(left, nodeRows+2, 0, y0)
	statsLines := m.statsLines(left-2, mh-len(leftCol)-2)
	if rest := mh - len(leftCol); rest >= 3 {
		leftCol = append(leftCol, m.box("statistics", statsLines, left, min(len(statsLines)+2, rest))...)
	}
	if rest := mh - len(leftCol); rest >= len(legendLines)+2 {
		leftCol = append(leftCol, m.box("timeline legend", legendLines, left, rest)...)
	} else if rest > 0 {
		leftCol = append(leftCol, m.box("", nil, left, rest)...)
	}
	leftCol = leftCol[:mh]

	var right []string
	rw := w - left
	switch {
	case m.showMap && w >= threeColumns:
		mw := rw / 2
		mapCol := m.mapBox(mw, mh, left, y0)
		logCol := m.eventBox(rw-mw, mh, left+mw, y0)
		right = make([]string, mh)
		for i := range right {
			right[i] = mapCol[i] + logCol[i]
		}
	case m.showMap && mh >= minLogBox+minMapH+2:
		mapH := max(mh-max(minLogBox, mh*2/5), minMapH+2)
		right = append(m.mapBox(rw, mapH, left, y0), m.eventBox(rw, mh-mapH, left, y0+mapH)...)
	default:
		right = m.eventBox(rw, mh, left, y0)
	}
	out := make([]string, 0, h)
	for i := range mh {
		out = append(out, leftCol[i]+right[i])
	}
	if tlH > 0 {
		out = append(out, m.timeline(w, tlH, y0+mh)...)
	}
	return out
}

// nodeLinesWidth is the width the node lines want: the longest
// connection in full. A candidate's tally is left out, so that the panels
// keep their places through an election and move only with a fault; when
// it does not fit it pushes the candidate's connection out of sight (the
// inspector has both).
func (m *Model) nodeLinesWidth() int {
	size, widest := len(m.snap.Nodes), 0
	for _, ns := range m.snap.Nodes {
		widest = max(widest, ansi.StringWidth(m.connection(ns, size)))
	}
	return nodeLineFixed + widest
}

// minRightPanel is the narrowest the map and log column gets when the
// node lines want more room.
const minRightPanel = 48

// nodeLineFixed is the width of a node line before its connection.
const nodeLineFixed = 2 + 5 + 10 + 18 + 12 + 1

// minWideTop is the fewest rows worth giving the wide layout's panels
// above the timeline: a box and one line in it.
const minWideTop = 3

// minStatsBox is the smallest statistics box worth drawing in the wide
// layout.
const minStatsBox = 7

// narrowBody stacks the nodes, a line of statistics, the event log (with
// the map beside it) and the timeline, shrinking what it must so that the
// log keeps minLogLines.
func (m *Model) narrowBody(w, h, y0 int) []string {
	n := len(m.snap.Nodes)
	stats := 1
	// A long node list scrolls in a third of the rows, leaving the rest
	// to the log, the map and the timeline.
	nodeRows := min(n, max(5, h/3))
	tlRows := 0
	if m.showTimeline && !m.showMap {
		tlRows = n
	}
	axis := 1
	mapBeside := m.showMap && w >= 2*minMapW+20
	logMin := minLogBox
	if mapBeside {
		logMin = max(minLogBox, minMapH+2)
	}
	need := func() int {
		tl := 0
		if tlRows > 0 {
			tl = tlRows + 2 + axis
		}
		return nodeRows + 2 + stats + logMin + tl
	}
	// Give up, in order: the axis, the statistics line, then rows of the
	// node list and the timeline in turn, down to three each.
	if need() > h && tlRows > 0 {
		axis = 0
	}
	if need() > h {
		stats = 0
	}
	for need() > h && (nodeRows > 3 || tlRows > 3) {
		if nodeRows >= tlRows && nodeRows > 3 {
			nodeRows--
		} else {
			tlRows--
		}
	}
	if m.showMap && m.showTimeline && !mapBeside {
		tlRows = 0 // no room for the map: it replaces the timeline
	}
	// With the map shown, the timeline comes back when rows are left over.
	if m.showMap && m.showTimeline && tlRows == 0 && mapBeside {
		if free := h - need(); free >= min(n, 3)+3 {
			tlRows = min(n, free-3)
		}
	}
	out := m.nodesBox(w, nodeRows+2, 0, y0)
	if stats > 0 {
		out = append(out, " "+m.wraps.dim.apply(joinFit(m.statsParts(), " · ", w-1)))
	}
	tlH := 0
	if tlRows > 0 {
		tlH = tlRows + 2 + axis
	}
	logH := max(h-len(out)-tlH, 0)
	y := y0 + len(out)
	switch {
	case mapBeside && logH >= minMapH+2:
		lw := max(w/2, w-(logH-2)*4-2) // a map no wider than its height draws well
		logCol := m.eventBox(lw, logH, 0, y)
		mapCol := m.mapBox(w-lw, logH, lw, y)
		for i := range logH {
			out = append(out, logCol[i]+mapCol[i])
		}
	case m.showMap && !m.showTimeline && logH >= minLogBox+minMapH+2:
		mapH := logH - minLogBox
		out = append(out, m.eventBox(w, logH-mapH, 0, y)...)
		out = append(out, m.mapBox(w, mapH, 0, y+logH-mapH)...)
	default:
		out = append(out, m.eventBox(w, logH, 0, y)...)
	}
	if tlH > 0 {
		out = append(out, m.timelineAxis(w, tlH, y0+len(out), axis == 1)...)
	}
	for len(out) < h {
		out = append(out, strings.Repeat(" ", w))
	}
	return out[:h]
}

// nodesBox is the node list, h rows tall, scrolled to keep the selection in
// view, at screen position (x, y) for the mouse.
func (m *Model) nodesBox(w, h, x, y int) []string {
	n := len(m.snap.Nodes)
	rows := max(h-2, 0)
	first := window(n, rows, m.selected-1)
	title := "nodes"
	if rows < n {
		title = fmt.Sprintf("nodes %d-%d of %d (tab, 1-9 scroll)", first+1, min(first+rows, n), n)
	}
	lines := m.nodeLines(w-2, first, min(first+rows, n))
	for i := range lines {
		m.hits = append(m.hits, hit{x: x + 1, y: y + 1 + i, w: w - 2, h: 1, node: first + i + 1, logLine: -1})
	}
	return m.box(title, lines, w, h)
}

// mapBox is the cluster map in a box.
func (m *Model) mapBox(w, h, x, y int) []string {
	inner := h - 2
	var legend []string
	switch {
	case inner < 12:
	case w-2 >= ansi.StringWidth(mapLegend):
		legend = []string{mapLegend}
	case inner >= 16 && w-2 >= ansi.StringWidth(mapLegend1):
		legend = []string{mapLegend1, mapLegend2}
	}
	m.cmap.SetSize(w-2, inner-len(legend))
	lines := m.cmap.render(&m.snap, &m.hist.drops, m.selected, &m.wraps)
	for _, l := range legend {
		lines = append(lines, m.wraps.dim.apply(l))
	}
	for _, f := range m.cmap.flights {
		m.hits = append(m.hits, hit{x: x + 1 + f.x, y: y + 1 + f.y, w: 1, h: 1, logLine: -1, flight: f.i + 1})
	}
	for i, p := range m.cmap.pos {
		m.hits = append(m.hits, hit{x: x + 1 + p.x, y: y + 1 + p.y, w: m.cmap.lw, h: m.cmap.labelH(len(m.cmap.pos)), node: i + 1, logLine: -1})
	}
	title := fmt.Sprintf("map · %d in flight · m hides", len(m.snap.Flights))
	if len(m.snap.Nodes) > ringMax {
		title = fmt.Sprintf("map · %d in flight · links of n%d · m hides", len(m.snap.Flights), m.selected)
	}
	return m.box(title, lines, w, h)
}

// joinFit joins parts with sep, as many whole parts as fit in w cells, so
// that a narrow screen drops a figure rather than cutting one in two ("no
// leader 16" for 161ms). The result is padded to w.
func joinFit(parts []string, sep string, w int) string {
	s, _ := joinFitN(parts, sep, w)
	return s
}

// joinFitN is joinFit that also says how many parts it took.
func joinFitN(parts []string, sep string, w int) (string, int) {
	var b strings.Builder
	used, n := 0, 0
	for i, p := range parts {
		width := ansi.StringWidth(p)
		if i > 0 {
			width += ansi.StringWidth(sep)
		}
		if used+width > w {
			break
		}
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(p)
		used += width
		n++
	}
	return b.String() + strings.Repeat(" ", max(w-used, 0)), n
}

// lessonRows is how many rows a playing scenario's text wants at the
// least: its title, its checklist and one line of what to watch.
func (m *Model) lessonRows() int {
	n := 0
	if m.title != "" {
		n++
	}
	if len(m.checks.items) > 0 {
		n++
	}
	if m.explain != "" {
		n++
	}
	return n
}
