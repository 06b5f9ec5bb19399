package tui

import (
	"fmt"
	"sort"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"raftty/cluster"
)

// The split view: two worlds (raftty --compare KEY=VALUE, or a scenario's
// compare line) on one clock and one time cursor. World A's panels are
// the screen's own; world B has its own copies of the panels that show one
// world (worldPanels), drawn from world B's frame (Frame.b). Side by side
// from splitWide columns, each world a column: its nodes, its timeline,
// then its event log or, with m, its map. Narrower, stacked: each world a
// band of its nodes beside its timeline, their rows side by side, and the
// log or map below when rows are left. Above them, where the worlds part.
//
// Every command reaches both worlds at one instant (the cluster runs them
// as one); the keys of the panels act on world A's copy (the selection,
// the inspector, a log line), and the log's scrolling and filter on both.

// splitWide is the narrowest screen that puts the worlds side by side:
// two node lists in full.
const splitWide = 120

// worldPanels are world B's own copies of the panels that show one world.
type worldPanels struct {
	nodes    *nodesPanel
	stats    *statsPanel
	timeline *timelinePanel
	cmap     *mapPanel
	log      *eventLog
}

func newWorldPanels() worldPanels {
	return worldPanels{nodes: newNodesPanel(), stats: &statsPanel{}, timeline: newTimelinePanel(), cmap: newMapPanel(), log: newEventLog()}
}

// historyB is world B's history for a snapshot of two worlds, or nil for
// one world.
func historyB(s cluster.Snapshot) *history {
	if s.Compared == nil {
		return nil
	}
	return newHistory(len(s.Compared.B.Nodes))
}

// historyOf is the history an event goes into: world B's (b), or world
// A's (a, the only one with one world, where b is nil). A fork's marker
// belongs to neither.
func historyOf(e *cluster.Event, a, b *history) *history {
	if e.World == cluster.WorldB && b != nil {
		return b
	}
	return a
}

// truncateAfter forgets what the view keeps of both worlds after t, and
// the expectations decided after it: a fork replaced that future.
func (m *Model) truncateAfter(t time.Duration) {
	m.hist.truncateAfter(t)
	if m.histB != nil {
		m.histB.truncateAfter(t)
	}
	m.checks.forgetAfter(t)
	m.divSel = -1
}

// splitBody draws both worlds in h rows at screen row y0.
func (s *screen) splitBody(f *Frame, w, h, y0 int) []string {
	a := worldPanels{nodes: s.nodes, stats: &s.stats, timeline: s.timeline, cmap: s.cmap, log: s.log}
	if w >= splitWide {
		wa := w / 2
		left := s.worldColumn(f, a, 0, y0, wa, h)
		right := s.worldColumn(f.b, s.b, wa, y0, w-wa, h)
		for i := range left {
			left[i] += right[i]
		}
		return left
	}
	// Both worlds get the same rows, so that what one shows the other
	// does; an odd row is left blank below.
	hw := h / 2
	out := append(s.worldBand(f, a, y0, w, hw), s.worldBand(f.b, s.b, y0+hw, w, hw)...)
	for len(out) < h {
		out = append(out, fit("", w))
	}
	return out
}

// worldRows is how many node rows each of a world's nodes panel and
// timeline shows, in a body of h rows that also wants room for other
// rows.
func worldRows(n, h, other int) int {
	return max(min(n, h-other), 1)
}

// worldColumn is one world, w by h at (x, y): its nodes, a line of its
// statistics, its timeline, and its log or map in the rows left.
func (s *screen) worldColumn(f *Frame, p worldPanels, x, y, w, h int) []string {
	n := len(f.snap.Nodes)
	// The nodes and the timeline share what the log leaves, a box each.
	rows := worldRows(n, (h-minLogBox-1)/2, 2)
	if 2*rows+6 > h {
		rows = max((h-6)/2, 1)
	}
	out := s.placeWorld(f, p.nodes, x, y, w, min(rows+2, h))
	if len(out) < h {
		out = append(out, s.placeWorld(f, p.stats, x, y+len(out), w, 1)...)
	}
	p.timeline.axis = true
	out = append(out, s.placeWorld(f, p.timeline, x, y+len(out), w, min(rows+3, h-len(out)))...)
	if rest := h - len(out); rest > 0 {
		out = append(out, s.placeWorld(f, s.bottomOf(p), x, y+len(out), w, rest)...)
	}
	return out[:h]
}

// worldBand is one world across the screen, w by h at row y: its nodes
// beside its timeline, row by row (the timeline without its axis when
// that keeps every node's row), a line of its statistics if a row is
// left, then its log or map if rows are left.
func (s *screen) worldBand(f *Frame, p worldPanels, y, w, h int) []string {
	n := len(f.snap.Nodes)
	rows := worldRows(n, h, 3)
	bandH := min(rows+3, h)
	// The node lines up to their vote, the timeline the rest.
	nw := min(max(w*45/100, 36), leftPanel) // the screen's, never the moment's: scrubbing moves nothing
	left := s.placeWorld(f, p.nodes, 0, y, nw, bandH)
	// The axis gives its row to the nodes when it is what would hide one:
	// a node's row beside its row in the node list says more than times.
	p.timeline.axis = !(bandH-2 >= n && bandH-3 < n)
	right := s.placeWorld(f, p.timeline, nw, y, w-nw, bandH)
	out := make([]string, 0, h)
	for i := range bandH {
		out = append(out, left[i]+right[i])
	}
	if h > bandH {
		out = append(out, s.placeWorld(f, p.stats, 0, y+bandH, w, 1)...)
	}
	if rest := h - len(out); rest >= minLogBox {
		out = append(out, s.placeWorld(f, s.bottomOf(p), 0, y+len(out), w, rest)...)
	}
	for len(out) < h {
		out = append(out, fit("", w))
	}
	return out
}

// bottomOf is the panel under a world's nodes and timeline: its log, or
// its map (m).
func (s *screen) bottomOf(p worldPanels) component {
	if s.splitMap {
		return p.cmap
	}
	return p.log
}

// placeWorld places a panel of either world. World A's are placed as the
// single view's are; of world B's, only what a click selects the same in
// both worlds (a node) is kept for clicks, and its timeline for the mouse.
func (s *screen) placeWorld(f *Frame, c component, x, y, w, h int) []string {
	if h < 3 && c != component(&s.stats) && c != component(s.b.stats) {
		// No room for a box: blank rows (a tiny terminal, a long lesson).
		out := make([]string, max(h, 0))
		for i := range out {
			out[i] = fit("", w)
		}
		return out
	}
	if f.world != cluster.WorldB {
		return s.place(c, f, x, y, w, h)
	}
	lines := s.view(c, f, w, h)
	switch c {
	case component(s.b.nodes):
		s.placed = append(s.placed, placement{x: x, y: y, w: w, h: h, c: s.b.nodes})
	case component(s.b.timeline):
		s.placed = append(s.placed, placement{x: x, y: y, w: w, h: h, c: s.b.timeline})
		s.tlB, s.tlBShown = s.b.timeline.geom, true
		s.tlB.x0 += x
		s.tlB.y0 += y
	}
	return lines
}

// timelineMoment is the moment of the timeline column under (x, y), on
// either world's timeline, and that timeline's place (a drag follows it).
func (s *screen) timelineMoment(x, y int) (time.Duration, timelineGeom, bool) {
	if t, ok := s.tl.momentAt(x, y); ok && s.tlShown {
		return t, s.tl, true
	}
	if t, ok := s.tlB.momentAt(x, y); ok && s.tlBShown {
		return t, s.tlB, true
	}
	return 0, timelineGeom{}, false
}

// worldTitle names the world a frame draws, for its panels' titles: "A",
// "B · prevote=on"; "" with one world.
func (f *Frame) worldTitle() string {
	switch f.world {
	case cluster.WorldA:
		return "world A"
	case cluster.WorldB:
		return "world B · " + cluster.CompareText(f.compared.Diff)
	}
	return ""
}

// shownDivergence is the divergence the header names: the one the view
// stepped to, or the first; false before the worlds part.
func (f *Frame) shownDivergence() (int, cluster.Divergence, bool) {
	divs := f.compared.Divergences
	if len(divs) == 0 {
		return 0, cluster.Divergence{}, false
	}
	i := f.divSel
	if i < 0 || i >= len(divs) {
		i = 0
	}
	return i, divs[i], true
}

// divergenceLines say where the worlds part, each world's side on up to
// perSide lines of w cells: "◆ worlds diverge at 0.167s · A: n4 becomes
// candidate ..." and "B: n4 becomes precandidate ...". Before they part,
// one line says they are the same so far.
func divergenceLines(f *Frame, w, perSide int) []string {
	i, d, ok := f.shownDivergence()
	if !ok {
		return []string{fit(f.styles.dim.apply(" worlds identical so far · world B is world A with "+cluster.CompareText(f.compared.Diff)), w)}
	}
	head := "worlds diverge at " + d.Clock(d.At)
	if i > 0 {
		head = fmt.Sprintf("again at %s (%d of %d)", d.Clock(d.At), i+1, f.compared.Count)
	}
	var out []string
	for k, text := range []string{head + " · " + d.Side(cluster.WorldA), d.Side(cluster.WorldB)} {
		mark := "◆ "
		if k > 0 {
			mark = "  "
		}
		for j, line := range wrapText(text, w-3, perSide) {
			if j > 0 {
				mark = "  "
			}
			out = append(out, fit(" "+f.styles.title.apply(mark)+line, w))
		}
	}
	return out
}

// divergenceMarks writes ◆ on a timeline's axis line at the column of
// every divergence on screen.
func divergenceMarks(f *Frame, axisLine string, start, zoom time.Duration, cols int) string {
	if f.compared == nil || len(f.compared.Divergences) == 0 {
		return axisLine
	}
	divs := f.compared.Divergences
	end := start + time.Duration(cols)*zoom
	i := sort.Search(len(divs), func(i int) bool { return divs[i].At >= start })
	if i == len(divs) || divs[i].At >= end {
		return axisLine
	}
	line := []rune(axisLine)
	for ; i < len(divs) && divs[i].At < end; i++ {
		place(line, int((divs[i].At-start)/zoom), []rune("◆"))
	}
	return string(line)
}

// toDivergence moves the time cursor to where the worlds part: the first
// divergence (dir 0), or the next (1) or previous (-1) from the moment
// shown, and names it in the header.
func (c *timeCursor) toDivergence(f *Frame, dir int) tea.Cmd {
	m := c.view
	if f.b == nil {
		m.setStatus("one world here: raftty --compare KEY=VALUE runs two, and D, > and < step through where they part", nil)
		return nil
	}
	divs := f.compared.Divergences
	if len(divs) == 0 {
		m.setStatus("the worlds have not parted yet: they are the same event for event", nil)
		return nil
	}
	now := f.cursorMoment()
	at := m.divSel >= 0 && m.divSel < len(divs) && c.past && c.at == divs[m.divSel].At
	i := 0
	switch {
	case dir > 0 && at:
		i = m.divSel + 1
	case dir > 0:
		i = sort.Search(len(divs), func(i int) bool { return divs[i].At > now })
	case dir < 0 && at:
		i = m.divSel - 1
	case dir < 0:
		i = sort.Search(len(divs), func(i int) bool { return divs[i].At >= now }) - 1
	}
	switch {
	case i >= len(divs) && !c.past:
		m.setStatus("this is the present: < goes back to the latest place the worlds part, D to the first", nil)
		return nil
	case i >= len(divs):
		m.setStatus("no later divergence found so far (they are found as the clock passes them)", nil)
		return nil
	case i < 0:
		m.setStatus("no earlier divergence: < goes back, > forward, D to the first", nil)
		return nil
	}
	m.divSel = i
	cmd := c.scrub(divs[i].At)
	m.setStatus(fmt.Sprintf("divergence %d of %d, at t=%.3fs: > next, < previous, end: back to live", i+1, f.compared.Count, divs[i].At.Seconds()), nil)
	return cmd
}

// splitRows is what the split view's panels want before a scenario's text
// may take rows: both worlds' nodes and timelines (their statistics lines
// come after, if rows are left).
func splitRows(n, w int) int {
	if w >= splitWide {
		return (n + 2) + (n + 3) + minLogBox
	}
	return 2 * (n + 3)
}

// perSide is how many lines each world's side of the divergence gets, of
// room rows on a screen h tall: two, so that both reasons are read in
// full, unless the panels would lose rows they need. The rows a lesson's
// text takes from the panels anyway (lessonFloor) are not the
// divergence's to take.
func (s *screen) perSide(f *Frame, w, h, room int) int {
	lesson := lessonFloor(f, len(titleLines(f.title, w)), h)
	if room-4-lesson >= splitRows(min(len(f.snap.Nodes), 5), w) {
		return 2
	}
	return 1
}

// alsoInB gives world B's log the keys of world A's that choose what a
// log shows (message traffic, the newest, esc): both show the same.
// Selecting a line (↑/↓) is world A's alone, for the inspector; world B's
// log follows the cursor. What B's log asks for is world A's to ask. l is
// world A's log, c the component the key went to, b world B's log; f is
// the frame now (f.b is world B's, nil for one world).
func (l *eventLog) alsoInB(c component, b *eventLog, msg tea.KeyPressMsg, f *Frame) {
	k := &f.keys.log
	if c != component(l) || f.b == nil || !key.Matches(msg, k.Heartbeats, k.LogEnd, k.Close) {
		return
	}
	b.Update(msg, f.b)
}
