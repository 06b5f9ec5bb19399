package tui

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
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
	leftPanel    = 64
	maxLeftPanel = 90
	minLogLines  = 5
	minLogBox    = minLogLines + 2
)

// component is the contract every part of the screen keeps, as Charm's
// applications have it (soft-serve's pkg/ui/common/component.go): a key
// map a help view can list, a size, Update and View. A component holds
// only its own state. It draws from the frame it is given, read-only; what
// it wants of the rest of the program (select a node, apply a command,
// say something on the status line) it returns from Update as a request,
// which the root carries out at once.
type component interface {
	help.KeyMap
	SetSize(w, h int)
	Update(msg tea.Msg, f *Frame) (tea.Cmd, tea.Msg)
	View(f *Frame) []string
}

// size is a component's size, border included; every component embeds it.
type size struct{ w, h int }

// SetSize sets the size the component draws at.
func (s *size) SetSize(w, h int) { s.w, s.h = w, h }

// onKey gives a key press to update; a component's Update that takes keys
// alone is onKey with its own update.
func onKey(msg tea.Msg, f *Frame, update func(tea.KeyPressMsg, *Frame) (tea.Cmd, tea.Msg)) (tea.Cmd, tea.Msg) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		return update(k, f)
	}
	return nil, nil
}

// overlay is a box drawn over the panels (the inspector, the full help):
// open or not, scrolled with its up and down keys, closed with its close
// key.
type overlay struct {
	size
	overlayKeys
	open   bool
	scroll scrolled
}

// overlayKeys scroll and close an overlay.
type overlayKeys struct {
	Up, Down, Close key.Binding
}

// ShortHelp and FullHelp make overlayKeys a help.KeyMap.
func (k overlayKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Up, k.Down, k.Close} }
func (k overlayKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// show opens the overlay at its top.
func (o *overlay) show() { o.open, o.scroll = true, scrolled{} }

// handles reports whether a key is one of the overlay's own, while it is
// open.
func (o *overlay) handles(k tea.KeyPressMsg) bool {
	return o.open && key.Matches(k, o.Up, o.Down, o.Close)
}

// Update scrolls the overlay, or closes it.
func (o *overlay) Update(msg tea.Msg, f *Frame) (tea.Cmd, tea.Msg) {
	return onKey(msg, f, func(k tea.KeyPressMsg, _ *Frame) (tea.Cmd, tea.Msg) {
		if !o.scroll.key(k, o.Up, o.Down) && key.Matches(k, o.Close) {
			o.open = false
		}
		return nil, nil
	})
}

// scrolled is where a box of more lines than rows starts: ↑/↓ move it a
// line, pgup/pgdn ten; drawing keeps it within the lines.
type scrolled struct{ top int }

// key moves the start for up and down, and reports whether k was one.
func (s *scrolled) key(k tea.KeyPressMsg, up, down key.Binding) bool {
	switch {
	case key.Matches(k, up):
		s.top = max(s.top-scrollStep(k), 0)
	case key.Matches(k, down):
		s.top += scrollStep(k) // window clamps it
	default:
		return false
	}
	return true
}

// window is the lines shown in rows, and "a-b of n" when some are not.
func (s *scrolled) window(lines []string, rows int) ([]string, string) {
	s.top = min(s.top, max(len(lines)-rows, 0))
	if len(lines) <= rows {
		return lines[s.top:], ""
	}
	return lines[s.top:], fmt.Sprintf("%d-%d of %d", s.top+1, min(s.top+rows, len(lines)), len(lines))
}

// still is what a component that takes no keys embeds: an empty key map
// and an Update that does nothing.
type still struct{}

// ShortHelp and FullHelp make still a help.KeyMap with no keys.
func (still) ShortHelp() []key.Binding  { return nil }
func (still) FullHelp() [][]key.Binding { return nil }

// Update does nothing: a still component takes no input.
func (still) Update(tea.Msg, *Frame) (tea.Cmd, tea.Msg) { return nil, nil }

// clickable is a component a click can select something in: hitList is
// what its last View drew that a click selects, inside it.
type clickable interface {
	hitList() []hit
}

// hit is a rectangle inside a component that a click selects something
// in.
type hit struct {
	x, y, w, h int
	node       int // a node id, or 0
	logLine    int // a log line's number (ring.total order), or -1
	flight     int // 1 + an index into the snapshot's Flights, or 0
}

// hitIn is the first of hits that holds (x, y).
func hitIn(hits []hit, x, y int) (hit, bool) {
	for _, h := range hits {
		if x >= h.x && x < h.x+h.w && y >= h.y && y < h.y+h.h {
			return h, true
		}
	}
	return hit{}, false
}

// placement is where the last draw put a component a click can reach.
type placement struct {
	x, y, w, h int
	c          clickable
}

// screen is every component and the layout that places them: what the
// root draws, and what Draw draws from a frame alone. Its choices (the
// map, the timeline) are the root's to change.
type screen struct {
	header    header
	checklist checklistLine
	nodes     *nodesPanel
	stats     statsPanel
	timeline  *timelinePanel
	cmap      *mapPanel
	log       *eventLog
	inspector *inspector
	help      *helpView
	picker    *scenarioPicker
	prompt    *prompt
	bar       help.Model
	// showMap and showTimeline: m and T.
	showMap, showTimeline bool
	placed                []placement
	// extraRows are the rows the bottom lines take beyond a status line
	// and the help bar, in the last draw: a wrapped status, a prompt.
	extraRows int
	// tl is where the timeline's columns were last drawn, on the screen;
	// tlShown says whether the last draw drew it.
	tl      timelineGeom
	tlShown bool
	// b is world B's panels, in the split view of two worlds (split.go);
	// splitMap: each world shows its map rather than its log (m); tlB is
	// where world B's timeline was last drawn.
	b        worldPanels
	splitMap bool
	tlB      timelineGeom
	tlBShown bool
	// dragOn is the timeline a drag started on.
	dragOn timelineGeom
	// lessonExtra is the rows a paused lesson's explanation takes from
	// the event log in this layout; measuring: the layout only measures,
	// drawing nothing (lessonAndBody).
	lessonExtra int
	measuring   bool
}

func newScreen(styles help.Styles) *screen {
	s := &screen{
		nodes: newNodesPanel(), timeline: newTimelinePanel(), cmap: newMapPanel(), log: newEventLog(),
		inspector: newInspector(), help: newHelpView(styles), picker: newScenarioPicker(), prompt: newPrompt(),
		bar: help.New(), showMap: true, showTimeline: true, b: newWorldPanels(),
	}
	s.bar.Styles = styles
	return s
}

// Draw draws the whole screen of w by h cells from f alone, as the live
// view shows it with no prompt, inspector or help open: no terminal and no
// program needed (a recording, an exported frame).
func Draw(f *Frame, w, h int) string {
	return newScreen(f.styles.help).draw(f, w, h)
}

// draw draws the screen from f: the header, a violation banner, a
// scenario's title, checklist and explanation as rows allow, the body, the
// prompt or the status line, and the help bar.
func (s *screen) draw(f *Frame, w, h int) string {
	s.placed, s.tlShown, s.tlBShown = s.placed[:0], false, false
	if w <= 0 || h <= 0 {
		return ""
	}
	if w < minWidth || h < minHeight {
		return tooSmall(w, h, minWidth, minHeight)
	}
	s.header.SetSize(w, 1)
	top := s.header.View(f)
	if v := f.violationShown(); v != "" {
		top = append(top, bannerLines(f.styles.banner, v, w)...)
	}
	if v := ""; f.b != nil {
		if v = f.b.violationShown(); v != "" {
			top = append(top, bannerLines(f.styles.banner, "world B: "+v, w)...)
		}
	}
	if p := classLine(f, w); p != "" {
		top = append(top, p)
	}
	s.bar.SetWidth(w)
	bottom := append(s.bottomLines(f, w), fit(s.bar.ShortHelpView(f.keys.ShortHelp()), w))
	if f.b != nil {
		top = append(top, divergenceLines(f, w, s.perSide(f, w, h, h-len(top)-len(bottom)))...)
	}
	// A status of two lines, or a prompt, takes rows from the panels
	// for a moment: their widths stay as they were (see narrowBody).
	s.extraRows = len(bottom) - 2
	lesson, body := s.lessonAndBody(f, top, len(bottom), w, h)
	out := make([]string, 0, h)
	out = append(out, lesson...)
	out = append(out, body...)
	out = append(out, bottom...)
	return strings.Join(out, "\n")
}

// bannerLines are a violation's banner, text wrapped to w on at most
// bannerRows lines: a text longer still ends in "… (i)", the lesson
// inspector holding it whole (lessonReport). Cut at the width, a banner
// stopped mid-word.
func bannerLines(st wrap, text string, w int) []string {
	lines := wrapText(text, w-2, math.MaxInt)
	if len(lines) > bannerRows {
		lines = lines[:bannerRows]
		lines[bannerRows-1] = ansi.Truncate(lines[bannerRows-1], w-2-ansi.StringWidth("… (i)"), "") + "… (i)"
	}
	for i, line := range lines {
		lines[i] = fit(st.apply(" "+line+" "), w)
	}
	return lines
}

// bannerRows is the most rows a violation's banner takes from the panels.
const bannerRows = 2

// lessonAndBody are a scenario's lines below top and the panels below
// them, with below rows left under the panels. Paused (at a scenario's
// start, say), an explanation cut short takes rows of the event log, as
// many as it can while every panel stays and the node list, the
// statistics and the timeline keep every row (the map may shrink, the
// timeline's legend go), if the log's lines still fit: it is read there,
// not only with i. That is all or nothing, never a row per line the log
// gains while one steps; and never while the clock runs, when the panels
// would move at every line. The rows are found by measuring layouts,
// which draw nothing: the screen is drawn once.
func (s *screen) lessonAndBody(f *Frame, top []string, below, w, h int) (lesson, body []string) {
	above, text := len(top), s.lessonText(f, w)
	layout := func(extra int, measure bool) (cut int) {
		s.placed, s.tlShown, s.tlBShown = s.placed[:0], false, false
		s.log.empty, s.b.log.empty = notDrawn, notDrawn
		s.stats.h, s.b.stats.h = 0, 0
		s.measuring, s.lessonExtra = measure, extra
		lesson, cut = s.lessonLines(f, &text, top[:above:above], w, h, h-above-below, extra)
		body = s.body(f, w, h-len(lesson)-below, len(lesson))
		s.measuring = false
		return cut
	}
	extra := 0
	if f.paused && len(text.explain) > 0 {
		if cut := layout(0, true); cut > 0 && s.logsEmpty(f) > 0 {
			extra = s.mostRowsKept(cut, func(extra int) { layout(extra, true) })
			if extra > 0 {
				if layout(extra, true); s.logsEmpty(f) < 0 {
					extra = 0 // the log's lines would not fit
				}
			}
		}
	}
	layout(extra, false)
	return lesson, body
}

// mostRowsKept is the most rows, up to most, that the explanation can take
// while the panels of the last layout stay as lessonAndBody says; measure
// lays the screen out with that many. A row more for the text is a row
// less for the panels: the number is found by halving.
func (s *screen) mostRowsKept(most int, measure func(extra int)) int {
	first, stats := slices.Clone(s.placed), [2]int{s.stats.h, s.b.stats.h}
	lo, hi := 0, most
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if measure(mid); s.keepsPanels(first) && stats == [2]int{s.stats.h, s.b.stats.h} {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// logsEmpty is how many rows the event log (each world's, with two) left
// empty in the last layout: negative when lines did not fit, or a log was
// not drawn.
func (s *screen) logsEmpty(f *Frame) int {
	if f.b != nil {
		return min(s.log.empty, s.b.log.empty)
	}
	return s.log.empty
}

// keepsPanels reports whether the last layout placed every panel of first
// again, the node lists and timelines as tall and wide as they were.
func (s *screen) keepsPanels(first []placement) bool {
	for _, was := range first {
		i := slices.IndexFunc(s.placed, func(p placement) bool { return p.c == was.c })
		if i < 0 {
			return false
		}
		switch was.c.(type) {
		case *nodesPanel, *timelinePanel:
			if s.placed[i].h != was.h || s.placed[i].w != was.w {
				return false
			}
		}
	}
	return true
}

// notDrawn is an event log's empty rows when a layout did not draw it.
const notDrawn = math.MinInt / 2

// lessonText is a scenario's text above the panels, put into lines once
// a frame: its title, its checklist's line ("" for none) and what it says
// to watch, wrapped to the screen's width.
type lessonText struct {
	title   []string
	check   string
	explain []string
}

func (s *screen) lessonText(f *Frame, w int) lessonText {
	t := lessonText{title: titleLines(f.title, w), explain: wrapText(f.explainShown(), w-2, math.MaxInt)}
	s.checklist.SetSize(w, 1)
	if lines := s.checklist.View(f); len(lines) > 0 {
		t.check = lines[0]
	}
	return t
}

// lessonLines add a scenario's title, checklist and explanation to top, in
// the rows the panels can spare (of room, on a screen h tall) beyond a
// comfortable minimum, up to maxExplainLines of explanation and extra
// lines more; cut is how many lines of the explanation are left out.
// While the screen is only measured, the lines are blank.
func (s *screen) lessonLines(f *Frame, t *lessonText, top []string, w, h, room, extra int) (lines []string, cut int) {
	spare := max(room-comfortableRows(f, w), lessonFloor(f, len(t.title), h))
	add := func(line string) {
		if s.measuring {
			line = ""
		}
		top = append(top, line)
		spare--
	}
	styled := func(st wrap, line string) string {
		if s.measuring {
			return ""
		}
		return fit(st.apply(" "+line), w)
	}
	for _, line := range t.title[:min(len(t.title), max(spare, 0))] {
		add(styled(f.styles.title, line))
	}
	if t.check != "" && spare > 0 {
		add(t.check)
	}
	n := min(maxExplainLines, max(spare, 0))
	if n > 0 {
		n += extra
	}
	explain := t.explain[:min(len(t.explain), n)]
	if len(t.explain) > n && n > 0 {
		cut = len(t.explain) - n
	}
	for i, line := range explain {
		if cut > 0 && i == n-1 && !s.measuring {
			// The rest is a key away.
			line = ansi.Truncate(line, w-2-len("… (i)"), "") + "… (i)"
		}
		add(styled(f.styles.status, line))
	}
	return top, cut
}

// body is what goes between the top lines and the bottom ones, h rows at
// screen row y0: the picker, the help or the inspector over the panels
// when open, else the panels as the width allows.
func (s *screen) body(f *Frame, w, h, y0 int) []string {
	switch {
	case s.picker.open && h >= 3:
		return s.place(s.picker, f, 0, y0, w, h)
	case s.help.open:
		return s.place(s.help, f, 0, y0, w, h)
	case s.inspector.open:
		return s.place(s.inspector, f, 0, y0, w, h)
	case f.b != nil:
		return s.splitBody(f, w, h, y0)
	case w >= wideWidth:
		return s.wideBody(f, w, h, y0)
	}
	return s.narrowBody(f, w, h, y0)
}

// mapShown reports whether a map shows the messages flying in frame f:
// the map (m), or with two worlds each world's (m there too).
func (s *screen) mapShown(f *Frame) bool {
	if f.b != nil {
		return s.splitMap
	}
	return s.showMap
}

// drew reports whether the last draw placed c on the screen.
func (s *screen) drew(c clickable) bool {
	for _, p := range s.placed {
		if p.c == c {
			return true
		}
	}
	return false
}

// place sizes c to w by h, draws it from f at screen position (x, y), and
// keeps where it went for clicks.
func (s *screen) place(c component, f *Frame, x, y, w, h int) []string {
	lines := s.view(c, f, w, h)
	if cl, ok := c.(clickable); ok {
		s.placed = append(s.placed, placement{x: x, y: y, w: w, h: h, c: cl})
	}
	if c == component(s.timeline) {
		s.tl, s.tlShown = s.timeline.geom, true
		s.tl.x0 += x
		s.tl.y0 += y
	}
	return lines
}

// view sizes c to w by h and draws it from f; while the screen is only
// measured (lessonAndBody), h blank lines, and the event log says how many
// rows it would leave empty.
func (s *screen) view(c component, f *Frame, w, h int) []string {
	c.SetSize(w, h)
	if !s.measuring {
		return c.View(f)
	}
	if l, ok := c.(*eventLog); ok {
		l.empty = max(h-2, 0) - l.shown(f).len()
	}
	blank := strings.Repeat(" ", max(w, 0))
	lines := make([]string, max(h, 0))
	for i := range lines {
		lines[i] = blank
	}
	return lines
}

// hitAt is what a click at screen cell (x, y) selects, if anything: the
// first component placed there that has something under the click.
func (s *screen) hitAt(x, y int) (hit, bool) {
	for _, p := range s.placed {
		if x < p.x || x >= p.x+p.w || y < p.y || y >= p.y+p.h {
			continue
		}
		if h, ok := hitIn(p.c.hitList(), x-p.x, y-p.y); ok {
			h.x, h.y = h.x+p.x, h.y+p.y
			return h, true
		}
	}
	return hit{}, false
}

// click selects what is under the mouse at screen cell (x, y): a message
// on the map (the inspector shows it: it is gone in a moment), a node (in
// the node list, on the map, on a timeline label) or a log line. Clicking
// what is already selected opens the inspector on it. The selection is the
// root's: a click on a node asks for it (selectMsg).
func (s *screen) click(x, y int, f *Frame) tea.Msg {
	h, ok := s.hitAt(x, y)
	switch {
	case !ok:
	case h.flight > 0 && h.flight <= len(f.snap.Flights):
		s.inspector.showFlight(f.snap.Flights[h.flight-1], f.snap.Now)
	case h.node > 0:
		if h.node == f.selected && s.log.sel < 0 {
			s.inspector.showNode(h.node)
		}
		s.log.sel = -1
		return selectMsg(h.node)
	case h.logLine >= 0:
		s.log.sel = h.logLine
		return s.inspect(f)
	}
	return nil
}

// inspect is enter (or a click) on the selected log line: the time cursor
// goes to the line's decision (a request for the root) or, already there,
// the inspector shows the line in full. With no line selected it shows
// the selected node.
func (s *screen) inspect(f *Frame) tea.Msg {
	l, ok := s.log.selected(f)
	switch {
	case !ok:
		s.inspector.showNode(f.selected)
	case l.dec != f.decisionShown() && l.kind != cluster.KindFork:
		return jumpMsg{dec: l.dec}
	default:
		s.inspector.showLine(l)
	}
	return nil
}

// hits are every rectangle the last draw placed that a click selects
// something in, on the screen.
func (s *screen) hits() []hit {
	var out []hit
	for _, p := range s.placed {
		for _, h := range p.c.hitList() {
			h.x, h.y = h.x+p.x, h.y+p.y
			out = append(out, h)
		}
	}
	return out
}

// bottomLines are the open prompt, or the status line: on two lines when
// it is longer than the screen is wide, so that a warning or a decision
// is read in full, not cut.
func (s *screen) bottomLines(f *Frame, w int) []string {
	s.prompt.SetSize(w, 0)
	if lines := s.prompt.View(f); len(lines) > 0 {
		return lines
	}
	st := f.styles.status
	if f.statusErr {
		st = f.styles.errorText
	}
	lines := []string{f.status}
	if ansi.StringWidth(f.status) > w-1 {
		lines = wrapText(f.status, w-1, maxStatusLines)
	}
	for i, l := range lines {
		lines[i] = fit(st.apply(" "+l), w)
	}
	return lines
}

// maxStatusLines bounds the status line's wrapping, and a title's: a
// start-up warning (two of them, some 330 characters) is read in full at
// 80 columns; a line that needs fewer rows takes fewer.
const maxStatusLines = 5

// comfortableRows is what the panels want before a scenario's text may
// take rows.
func comfortableRows(f *Frame, w int) int {
	n := min(len(f.snap.Nodes), 9)
	if f.b != nil {
		return splitRows(n, w)
	}
	if w >= wideWidth {
		return (n + 2) + 8 + (n + 3) + 4
	}
	return (n + 2) + 1 + minLogBox + (n + 3)
}

// titleLines is the title above the panels, on two lines when it is
// longer than the screen is wide (a warning, a long scenario title).
func titleLines(title string, w int) []string {
	if title == "" {
		return nil
	}
	if ansi.StringWidth(title) <= w-1 {
		return []string{title}
	}
	return wrapText(title, w-1, maxStatusLines)
}

// lessonRows is how many rows a playing scenario's text wants at the
// least: its title (on titleRows), its checklist and one line of what to
// watch.
func lessonRows(f *Frame, titleRows int) int {
	n := titleRows
	if len(f.checks.items) > 0 {
		n++
	}
	if f.explainShown() != "" {
		n++
	}
	return n
}

// lessonFloor is how many rows a lesson's text takes on a screen h tall
// even from the panels: its title (on titleRows), checklist and first line
// of what to watch are what a class reads first, so from 24 rows they take
// rows from the panels rather than go unseen; none on a smaller screen.
func lessonFloor(f *Frame, titleRows, h int) int {
	if h < 24 {
		return 0
	}
	return lessonRows(f, titleRows)
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
func timelineRows(n, h int) int {
	return max(min(n, h*2/5-3), min(n, 3))
}

// layoutKeys show and hide the map and the timeline.
type layoutKeys struct {
	Map, Timeline key.Binding
}

func newLayoutKeys() layoutKeys {
	return layoutKeys{Map: binding("m", "map on/off", "m"), Timeline: binding("T", "timeline on/off", "T")}
}

// wideBody: the left column (nodes, statistics, legend), the map and the
// event log, the timeline below.
func (s *screen) wideBody(f *Frame, w, h, y0 int) []string {
	tlH := 0
	if s.showTimeline {
		tlH = timelineRows(len(f.snap.Nodes), h) + 3
	}
	if h-tlH < minWideTop {
		// A form open at the smallest heights leaves no room for the
		// timeline above which the panels would still show: it goes.
		tlH = 0
	}
	mh := max(h-tlH, 0)
	// The left column's width is the screen's alone, never what the
	// moment shown holds: scrubbing through a partition moves neither the
	// map nor the log (the node lines say less instead: lineShapes).
	left := leftPanel
	if s.showMap && w >= threeColumns {
		left = max(leftPanel, min(w/3, maxLeftPanel))
	}
	leftCol := s.leftColumn(f, left, mh, y0)
	right := s.rightColumn(f, w, left, mh, y0)
	out := make([]string, 0, h)
	for i := range mh {
		out = append(out, leftCol[i]+right[i])
	}
	if tlH > 0 {
		s.timeline.axis = true
		out = append(out, s.place(s.timeline, f, 0, y0+mh, w, tlH)...)
	}
	return out
}

// leftColumn is the wide layout's left column, w by h: the nodes, the
// statistics and the timeline's legend, each as the rows allow.
func (s *screen) leftColumn(f *Frame, w, h, y0 int) []string {
	nodeRows := min(len(f.snap.Nodes), max(h-2-minStatsBox, 3))
	col := s.place(s.nodes, f, 0, y0, w, nodeRows+2)
	if rest := h - len(col); rest >= 3 {
		col = append(col, s.place(&s.stats, f, 0, y0+len(col), w, s.stats.rows(f, rest))...)
	}
	if rest := h - len(col); rest >= len(legendLines)+2 {
		col = append(col, f.styles.box("timeline legend", legendLines, w, rest)...)
	} else if rest > 0 {
		col = append(col, f.styles.box("", nil, w, rest)...)
	}
	return col[:h]
}

// rightColumn is the wide layout's right part, from column x to w, h
// rows: the map beside the log (from threeColumns up) or above it, or the
// log alone.
func (s *screen) rightColumn(f *Frame, w, x, h, y0 int) []string {
	rw := w - x
	switch {
	case s.showMap && w >= threeColumns:
		mw := rw / 2
		mapCol := s.place(s.cmap, f, x, y0, mw, h)
		logCol := s.place(s.log, f, x+mw, y0, rw-mw, h)
		for i := range mapCol {
			mapCol[i] += logCol[i]
		}
		return mapCol
	case s.showMap && h >= minLogBox+minMapH+2:
		mapH := max(h-max(minLogBox, h*2/5), minMapH+2)
		return append(s.place(s.cmap, f, x, y0, rw, mapH), s.place(s.log, f, x, y0+mapH, rw, h-mapH)...)
	}
	return s.place(s.log, f, x, y0, rw, h)
}

// minRightPanel is the narrowest the map and log column gets when the
// node lines want more room.
const minRightPanel = 48

// minWideTop is the fewest rows worth giving the wide layout's panels
// above the timeline: a box and one line in it.
const minWideTop = 3

// minStatsBox is the smallest statistics box worth drawing in the wide
// layout.
const minStatsBox = 7

// narrowRows is how the narrow layout shares its rows out.
type narrowRows struct {
	nodes, stats, timeline, axis, logMin int
}

func (r narrowRows) need() int {
	tl := 0
	if r.timeline > 0 {
		tl = r.timeline + 2 + r.axis
	}
	return r.nodes + 2 + r.stats + r.logMin + tl
}

// narrowShares shares h rows out among the nodes, the statistics line,
// the log (with the map beside it when it fits) and the timeline,
// shrinking what it must so that the log keeps minLogLines.
func (s *screen) narrowShares(n, w, h int) (r narrowRows, mapBeside bool) {
	// A long node list scrolls in a third of the rows, leaving the rest
	// to the log, the map and the timeline.
	r = narrowRows{nodes: min(n, max(5, h/3)), stats: 1, axis: 1, logMin: minLogBox}
	if s.showTimeline && !s.showMap {
		r.timeline = n
	}
	mapBeside = s.showMap && w >= 2*minMapW+20
	if mapBeside {
		r.logMin = max(minLogBox, minMapH+2)
	}
	// Give up, in order: the axis, the statistics line, then rows of the
	// node list and the timeline in turn, down to three each.
	if r.need() > h && r.timeline > 0 {
		r.axis = 0
	}
	if r.need() > h {
		r.stats = 0
	}
	for r.need() > h && (r.nodes > 3 || r.timeline > 3) {
		if r.nodes >= r.timeline && r.nodes > 3 {
			r.nodes--
		} else {
			r.timeline--
		}
	}
	if s.showMap && s.showTimeline && !mapBeside {
		r.timeline = 0 // no room for the map: it replaces the timeline
	}
	// With the map shown, the timeline comes back when rows are left over.
	if s.showMap && s.showTimeline && r.timeline == 0 && mapBeside {
		if free := h - r.need(); free >= min(n, 3)+3 {
			r.timeline = min(n, free-3)
		}
	}
	return r, mapBeside
}

// narrowBody stacks the nodes, a line of statistics, the event log (with
// the map beside it) and the timeline.
func (s *screen) narrowBody(f *Frame, w, h, y0 int) []string {
	r, mapBeside := s.narrowShares(len(f.snap.Nodes), w, h)
	out := s.place(s.nodes, f, 0, y0, w, r.nodes+2)
	if r.stats > 0 {
		out = append(out, s.place(&s.stats, f, 0, y0+len(out), w, 1)...)
	}
	tlH := 0
	if r.timeline > 0 {
		tlH = r.timeline + 2 + r.axis
	}
	logH := max(h-len(out)-tlH, 0)
	y := y0 + len(out)
	switch {
	case mapBeside && logH >= minMapH+2:
		// A map no wider than its height draws well; the height a
		// one-line status and the explanation's usual rows would leave
		// decides, so that a decision named on two lines while one steps,
		// or a paused lesson read in full, does not narrow the map.
		lw := max(w/2, w-(logH+s.extraRows+s.lessonExtra-2)*4-2)
		logCol := s.place(s.log, f, 0, y, lw, logH)
		mapCol := s.place(s.cmap, f, lw, y, w-lw, logH)
		for i := range logH {
			out = append(out, logCol[i]+mapCol[i])
		}
	case s.showMap && !s.showTimeline && logH >= minLogBox+minMapH+2:
		mapH := logH - minLogBox
		out = append(out, s.place(s.log, f, 0, y, w, logH-mapH)...)
		out = append(out, s.place(s.cmap, f, 0, y+logH-mapH, w, mapH)...)
	default:
		out = append(out, s.place(s.log, f, 0, y, w, logH)...)
	}
	if tlH > 0 {
		s.timeline.axis = r.axis == 1
		out = append(out, s.place(s.timeline, f, 0, y0+len(out), w, tlH)...)
	}
	for len(out) < h {
		out = append(out, strings.Repeat(" ", w))
	}
	return out[:h]
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
