package tui

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
	"raftty/raft"
)

// The map's styles, by index into renders.mapStyles. A cell where lines
// cross takes the highest, so a broken link shows over a healthy one.
const (
	mapPlain uint8 = iota
	mapLink
	mapLinkBroken
	mapFollower
	mapPreCandidate
	mapCandidate
	mapDead
	mapSelected
	mapGranted
	mapRefused
	mapReply
	mapDrop
	mapDoomed
	mapTimerFull
	mapTimerEmpty
	mapDim
	mapNode // node colours follow
)

// ringMax is the largest cluster drawn as a ring of labelled nodes with
// every link; beyond it each node is one letter (named when it leads,
// campaigns or is selected), messages fly without lines under them, and
// only the selected node's broken links are drawn.
const ringMax = 9

// mapPanel is the cluster map in its box, with a legend when there is
// room. Its key (m) shows and hides it; the root, which owns the layout,
// carries that out.
type mapPanel struct {
	still
	size
	draw clusterMap
	// hits are the messages and node labels the last View drew.
	hits []hit
}

func newMapPanel() *mapPanel { return &mapPanel{} }

// hitList is the messages and node labels the last View drew.
func (p *mapPanel) hitList() []hit { return p.hits }

// View draws the map, its legend under it on one line or two when the box
// has room, in a box whose title counts the messages in flight.
func (p *mapPanel) View(f *Frame) []string {
	inner := p.h - 2
	var legend []string
	switch l := mapLegendOf(f.snap.Config.Engine); {
	case inner < 12:
	case p.w-2 >= ansi.StringWidth(l.line()):
		legend = []string{l.line()}
	case inner >= 16 && p.w-2 >= ansi.StringWidth(l.one):
		legend = []string{l.one, l.two}
	}
	cm := &p.draw
	cm.SetSize(p.w-2, inner-len(legend))
	lines := cm.render(f.snap, &f.hist.drops, f.selected, f.styles)
	for _, l := range legend {
		lines = append(lines, f.styles.dim.apply(l))
	}
	p.hits = p.hits[:0]
	for _, fl := range cm.flights {
		p.hits = append(p.hits, hit{x: 1 + fl.x, y: 1 + fl.y, w: 1, h: 1, logLine: -1, flight: fl.i + 1})
	}
	for i, pos := range cm.pos {
		p.hits = append(p.hits, hit{x: 1 + pos.x, y: 1 + pos.y, w: cm.lw, h: cm.labelH(len(cm.pos)), node: i + 1, logLine: -1})
	}
	title := fmt.Sprintf("map · %d in flight · m hides", len(f.snap.Flights))
	if len(f.snap.Nodes) > ringMax {
		title = fmt.Sprintf("map · %d in flight · links of n%d · m hides", len(f.snap.Flights), f.selected)
	}
	return f.styles.box(title, lines, p.w, p.h)
}

// clusterMap is the map's drawing: the nodes on a ring, the links between
// them, the messages in flight and the drops just seen. It is a pure
// function of a snapshot, the drops of the history and the selection; the
// links, which change only with a fault, are drawn once and kept.
type clusterMap struct {
	w, h  int
	base  *canvas // links and cuts: redrawn only when baseKey changes
	frame *canvas
	key   []byte
	next  []byte
	pos   []point // by node id - 1: the cell where its label starts
	lw    int     // label width
	// placed is the (w, h, nodes) pos was computed for.
	placed [3]int
	// flights are where the last render drew each message, for clicks.
	flights []flightAt
}

// flightAt is a message drawn at cell (x, y): index i of the snapshot's
// Flights.
type flightAt struct{ x, y, i int }

type point struct{ x, y int }

// SetSize sets the size of the drawing, inside the panel's border.
func (cm *clusterMap) SetSize(w, h int) {
	if cm.w == w && cm.h == h && cm.base != nil {
		return
	}
	cm.w, cm.h = max(w, 0), max(h, 0)
	cm.base, cm.frame = newCanvas(cm.w, cm.h), newCanvas(cm.w, cm.h)
	cm.key = cm.key[:0]
}

// minMapW and minMapH are the smallest drawing a ring fits in.
const (
	minMapW = 24
	minMapH = 6
)

// render draws the map of s at its time s.Now: h lines of w cells.
func (cm *clusterMap) render(s *cluster.Snapshot, drops *ring[dropMark], selected int, r *renders) []string {
	n := len(s.Nodes)
	if cm.w < minMapW || cm.h < minMapH || n == 0 {
		cm.pos, cm.flights, cm.placed = cm.pos[:0], cm.flights[:0], [3]int{}
		lines := make([]string, cm.h)
		if cm.h > 0 {
			lines[0] = r.dim.apply("(the map needs more room: m hides it)")
		}
		return lines
	}
	cm.layout(n)
	if cm.next = cm.baseKeyOf(cm.next[:0], s, selected); string(cm.next) != string(cm.key) {
		cm.key = append(cm.key[:0], cm.next...)
		cm.drawBase(s, selected)
	}
	c := cm.frame
	c.copyFrom(cm.base)
	cm.flights = cm.flights[:0]
	for i := range s.Flights {
		if x, y, ok := cm.drawFlight(c, s, &s.Flights[i]); ok {
			cm.flights = append(cm.flights, flightAt{x, y, i})
		}
	}
	cm.drawDrops(c, s, drops)
	if len(s.Nodes) > ringMax {
		cm.drawCompact(c, s, selected)
	} else {
		for i := range s.Nodes {
			cm.drawNode(c, s, &s.Nodes[i], selected)
		}
	}
	lines := make([]string, cm.h)
	var b strings.Builder
	for y := range lines {
		b.Reset()
		c.row(&b, y, r.mapStyles)
		lines[y] = b.String()
	}
	return lines
}

// layout places n nodes on an ellipse, node 1 at the top, clockwise.
func (cm *clusterMap) layout(n int) {
	cm.lw = 7
	if n > ringMax {
		cm.lw = 1
	}
	if cm.placed == [3]int{cm.w, cm.h, n} {
		return
	}
	cm.placed = [3]int{cm.w, cm.h, n}
	cm.pos = cm.pos[:0]
	lh := cm.labelH(n)
	// The ring is stretched to fill the drawing: with 5 nodes the lowest
	// sit above the ellipse's bottom, so scale by the extent actually used.
	cos, sin := make([]float64, n), make([]float64, n)
	minC, maxC, minS, maxS := 1.0, -1.0, 1.0, -1.0
	for i := range n {
		a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(n)
		cos[i], sin[i] = math.Cos(a), math.Sin(a)
		minC, maxC = min(minC, cos[i]), max(maxC, cos[i])
		minS, maxS = min(minS, sin[i]), max(maxS, sin[i])
	}
	scale := func(v, lo, hi float64, span int) int {
		if hi-lo < 1e-9 {
			return span / 2
		}
		return int(math.Round((v - lo) / (hi - lo) * float64(span)))
	}
	for i := range n {
		cm.pos = append(cm.pos, point{scale(cos[i], minC, maxC, cm.w-cm.lw), scale(sin[i], minS, maxS, cm.h-lh)})
	}
}

func (cm *clusterMap) labelH(n int) int {
	if n > ringMax {
		return 1
	}
	return 2
}

// centre is node id's label centre in dot coordinates.
func (cm *clusterMap) centre(id int) (float64, float64) {
	p := cm.pos[id-1]
	return float64(p.x*2) + float64(cm.lw), float64(p.y*4) + float64(cm.labelH(len(cm.pos))*2)
}

// inLabel reports whether dot (x, y) lies on node id's label.
func (cm *clusterMap) inLabel(id int, x, y float64) bool {
	p := cm.pos[id-1]
	cx, cy := int(x)/2, int(y)/4
	return cx >= p.x && cx < p.x+cm.lw && cy >= p.y && cy < p.y+cm.labelH(len(cm.pos))
}

// span returns the part of the line from a to b that lies outside both
// labels, as fractions of the line.
func (cm *clusterMap) span(a, b int) (float64, float64) {
	x0, y0 := cm.centre(a)
	x1, y1 := cm.centre(b)
	const steps = 48
	t0, t1 := 0.0, 1.0
	for i := 0; i <= steps; i++ {
		t := float64(i) / steps
		if !cm.inLabel(a, x0+(x1-x0)*t, y0+(y1-y0)*t) {
			t0 = t
			break
		}
	}
	for i := steps; i >= 0; i-- {
		t := float64(i) / steps
		if !cm.inLabel(b, x0+(x1-x0)*t, y0+(y1-y0)*t) {
			t1 = t
			break
		}
	}
	if t1 < t0 {
		t0, t1 = 0.5, 0.5
	}
	return t0, t1
}

// at returns the cell at fraction p of the visible part of the line from
// a to b.
func (cm *clusterMap) at(a, b int, p float64) (int, int) {
	t0, t1 := cm.span(a, b)
	t := t0 + (t1-t0)*min(max(p, 0), 1)
	x0, y0 := cm.centre(a)
	x1, y1 := cm.centre(b)
	return int(x0+(x1-x0)*t) / 2, int(y0+(y1-y0)*t) / 4
}

// link says how a message from a to b fares on the links now: "" if it
// passes, else the reason it would not.
func link(s *cluster.Snapshot, a, b int) string {
	na, nb := &s.Nodes[a-1], &s.Nodes[b-1]
	switch {
	case na.Disconnected || nb.Disconnected:
		return "disconnected"
	case na.Group != nb.Group:
		return "partitioned"
	}
	for _, c := range s.Cuts {
		if c.From == a && c.To == b {
			return "cut"
		}
	}
	return ""
}

func (cm *clusterMap) baseKeyOf(b []byte, s *cluster.Snapshot, selected int) []byte {
	b = fmt.Appendf(b, "%d %d %d|", cm.w, cm.h, len(s.Nodes))
	if len(s.Nodes) > ringMax {
		b = fmt.Appendf(b, "%d|", selected)
	}
	for _, ns := range s.Nodes {
		b = fmt.Appendf(b, "%t%t%d,", ns.Alive, ns.Disconnected, ns.Group)
	}
	for _, c := range s.Cuts {
		b = fmt.Appendf(b, "%d>%d,", c.From, c.To)
	}
	return b
}

// drawBase draws the links: dim when healthy, dashed and orange when
// partitioned or disconnected, with a × where a cut stops a message (at
// the middle for a link cut both ways, near the receiver for one way).
func (cm *clusterMap) drawBase(s *cluster.Snapshot, selected int) {
	c := cm.base
	c.clear()
	n := len(s.Nodes)
	for a := 1; a <= n; a++ {
		for b := a + 1; b <= n; b++ {
			ab, ba := link(s, a, b), link(s, b, a)
			// Beyond the ring's size, only the selected node's broken
			// links are drawn: all N² would be a grey blot.
			if n > ringMax && ((a != selected && b != selected) || (ab == "" && ba == "")) {
				continue
			}
			style, dashed := mapLink, false
			switch {
			case ab == "disconnected" || ab == "partitioned":
				style, dashed = mapLinkBroken, true
			case !s.Nodes[a-1].Alive || !s.Nodes[b-1].Alive:
				dashed = true
			}
			x0, y0 := cm.centre(a)
			x1, y1 := cm.centre(b)
			c.line(int(x0), int(y0), int(x1), int(y1), style, dashed)
			switch {
			case ab == "cut" && ba == "cut":
				x, y := cm.at(a, b, 0.5)
				c.set(x, y, '×', mapLinkBroken)
			case ab == "cut":
				x, y := cm.at(a, b, 0.8)
				c.set(x, y, '×', mapLinkBroken)
			case ba == "cut":
				x, y := cm.at(b, a, 0.8)
				c.set(x, y, '×', mapLinkBroken)
			}
		}
	}
}

// flightGlyphs are the messages' glyphs by class.
var flightGlyphs = [...]rune{
	classRequestVote: '◆', classPreVote: '◇', classGranted: '✓', classRefused: '✗',
	classAppend: '●', classAppendReply: '∘', classAppendRefused: '∘', classOther: '•',
}

func (cm *clusterMap) flightStyle(f *cluster.Flight) uint8 {
	if f.Drop != "" {
		return mapDoomed
	}
	switch classOf(f) {
	case classRequestVote:
		return mapCandidate
	case classPreVote:
		return mapPreCandidate
	case classGranted:
		return mapGranted
	case classRefused, classAppendRefused:
		return mapRefused
	case classAppend:
		return mapNode + uint8((f.From-1)%len(palette))
	}
	return mapReply
}

// drawFlight puts a message where its send and arrival times say it is at
// the snapshot's time.
func (cm *clusterMap) drawFlight(c *canvas, s *cluster.Snapshot, f *cluster.Flight) (int, int, bool) {
	if f.From < 1 || f.To < 1 || f.From > len(cm.pos) || f.To > len(cm.pos) || f.From == f.To {
		return 0, 0, false
	}
	p := 1.0
	if d := f.ArriveAt - f.SentAt; d > 0 {
		p = float64(s.Now-f.SentAt) / float64(d)
	}
	x, y := cm.at(f.From, f.To, p)
	c.set(x, y, flightGlyphs[classOf(f)], cm.flightStyle(f))
	if carriesEntries(f) {
		c.set(x+1, y, entryCount(f.Entries), cm.flightStyle(f)) // ●3: an AppendEntries (MsgApp) with 3 entries
	}
	return x, y, true
}

// entryCount is the digit drawn beside an AppendEntries that carries
// entries: 1 to 9, + for more.
func entryCount(n int) rune {
	if n > 9 {
		return '+'
	}
	return rune('0' + n)
}

// dropLinger is how long a drop stays marked on the map: long enough to be
// seen at slow speeds, short enough that a dead node's links show the
// heartbeats dying now, not a pile of old ones.
func dropLinger(s *cluster.Snapshot) time.Duration {
	return max(s.Config.Heartbeat, 4*s.Config.LatencyMax, 10*time.Millisecond)
}

// drawDrops marks with ✕ where each message dropped lately died: beside its
// sender if it never left, beside its receiver if it died on arrival.
func (cm *clusterMap) drawDrops(c *canvas, s *cluster.Snapshot, drops *ring[dropMark]) {
	if drops == nil {
		return
	}
	from := s.Now - dropLinger(s)
	i := sort.Search(drops.len(), func(i int) bool { return drops.at(i).at > from })
	for ; i < drops.len(); i++ {
		d := drops.at(i)
		if d.at > s.Now {
			break
		}
		if d.at == s.Now && d.dec > s.Decision {
			continue // after the decision shown, at its instant
		}
		if d.from < 1 || d.to < 1 || d.from > len(cm.pos) || d.to > len(cm.pos) || d.from == d.to {
			continue
		}
		p := 1.0
		if d.atSend {
			p = 0
		}
		x, y := cm.at(d.from, d.to, p)
		c.set(x, y, '✕', mapDrop)
	}
}

// roleStyle is the map's style of a node's role: a leader in its own
// colour.
func (cm *clusterMap) roleStyle(ns *cluster.NodeStatus) uint8 {
	switch stateOf(ns) {
	case cluster.StateDead:
		return mapDead
	case cluster.StateLeader:
		return mapNode + uint8((int(ns.ID)-1)%len(palette))
	case cluster.StateCandidate:
		return mapCandidate
	case cluster.StatePreCandidate:
		return mapPreCandidate
	}
	return mapFollower
}

// compactLetters are the one-letter nodes of the compact map, by role.
var compactLetters = [...]rune{
	cluster.StateFollower: 'f', cluster.StatePreCandidate: 'P', cluster.StateCandidate: 'C',
	cluster.StateLeader: 'L', cluster.StateDead: 'x',
}

// drawNode writes a node's label on the ring: its name and term over its
// election timer (or its tally, or LEADER). The compact form is
// drawCompact's.
func (cm *clusterMap) drawNode(c *canvas, s *cluster.Snapshot, ns *cluster.NodeStatus, selected int) {
	id := int(ns.ID)
	p := cm.pos[id-1]
	st := cm.roleStyle(ns)
	nameSt := st
	if id == selected {
		nameSt = mapSelected
	}
	state := stateOf(ns)
	name := fmt.Sprintf("n%d", id)
	c.text(p.x, p.y, fmt.Sprintf("%-7s", ""), st)
	c.text(p.x, p.y, name, nameSt)
	c.text(p.x+len(name), p.y, fmt.Sprintf(" t%d", ns.Term), st)
	c.text(p.x, p.y+1, "       ", mapPlain)
	switch state {
	case cluster.StateDead:
		c.text(p.x, p.y+1, "dead", mapDead)
	case cluster.StateLeader:
		c.text(p.x, p.y+1, "LEADER", st)
	default:
		cm.drawTimer(c, s, ns, p, st)
	}
}

// drawCompact draws the compact map's nodes: one letter each, and beside
// the letter of each that leads, campaigns or is selected its name. At
// 101 nodes on a small screen neighbours share cells: the others' letters
// go first, then those names, then the named nodes' letters, the leader's
// last, so that nothing hides an L (a neighbour's f did, or its label).
func (cm *clusterMap) drawCompact(c *canvas, s *cluster.Snapshot, selected int) {
	named := func(ns *cluster.NodeStatus) bool {
		st := stateOf(ns)
		return int(ns.ID) == selected || (st != cluster.StateDead && st != cluster.StateFollower)
	}
	style := func(ns *cluster.NodeStatus) uint8 {
		if int(ns.ID) == selected {
			return mapSelected
		}
		return cm.roleStyle(ns)
	}
	letter := func(ns *cluster.NodeStatus) {
		p := cm.pos[ns.ID-1]
		c.set(p.x, p.y, compactLetters[stateOf(ns)], style(ns))
	}
	for i := range s.Nodes {
		if !named(&s.Nodes[i]) {
			letter(&s.Nodes[i])
		}
	}
	for i := range s.Nodes {
		if ns := &s.Nodes[i]; named(ns) {
			p, label := cm.pos[i], fmt.Sprintf("n%d", ns.ID)
			x := p.x + 1
			if p.x > cm.w/2 {
				x = p.x - len(label)
			}
			c.text(x, p.y, label, style(ns))
		}
	}
	for _, leaders := range []bool{false, true} {
		for i := range s.Nodes {
			if ns := &s.Nodes[i]; named(ns) && (stateOf(ns) == cluster.StateLeader) == leaders {
				letter(ns)
			}
		}
	}
}

// drawTimer writes, under a node's name, its election timer draining, and
// for a (pre-)candidate its tally before it.
func (cm *clusterMap) drawTimer(c *canvas, s *cluster.Snapshot, ns *cluster.NodeStatus, p point, st uint8) {
	x, y, bar := p.x, p.y+1, 5
	if campaigns(stateOf(ns)) {
		t := fmt.Sprintf("%d/%d", len(ns.Granted), raft.Majority(len(s.Nodes)))
		c.text(x, y, t, st)
		x += len(t) + 1
		bar = max(p.x+7-x, 1)
	}
	full := int(timerFrac(ns, s.Now)*float64(bar) + 0.5)
	for i := range bar {
		if i < full {
			c.set(x+i, y, '▮', mapTimerFull)
		} else {
			c.set(x+i, y, '▯', mapTimerEmpty)
		}
	}
}

// timerFrac is how much of a node's election timeout is left, 0 to 1.
func timerFrac(ns *cluster.NodeStatus, now time.Duration) float64 {
	if ns.ElectionTimeout <= 0 {
		return 0
	}
	return min(max(float64(ns.ElectionDeadline-now)/float64(ns.ElectionTimeout), 0), 1)
}

// mapLegend explains the map's glyphs in the words of the engine whose
// messages it draws, as the event log names them: under the map on one
// line (one and two) or two; the full help adds three, which the map has
// no room for.
type mapLegend struct{ one, two, three string }

// mapLegendOf is the legend of a map of engine e's messages: etcd's
// MsgVote where the textbook's RequestVote.
func mapLegendOf(e cluster.Engine) mapLegend {
	vote, preVote, app := legendTypes(e)
	return mapLegend{
		one:   fmt.Sprintf("◆ %v ◇ %v ✓ granted ✗ refused", vote, preVote),
		two:   "● heartbeat ∘ its reply ✕ dropped × link cut",
		three: fmt.Sprintf("●3 %s %v carrying 3 entries (+ for more than 9)", article(app.String()), app),
	}
}

// line is the legend on one line.
func (l mapLegend) line() string { return l.one + "  " + l.two }

// article is "a" or "an" before word: an AppendEntries, a MsgApp.
func article(word string) string {
	if word != "" && strings.ContainsRune("AEIOU", rune(word[0])) {
		return "an"
	}
	return "a"
}
