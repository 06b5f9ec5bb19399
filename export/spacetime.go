package export

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
	"raftty/engine"
)

// Spacetime collects a run's events and draws the messages of a window of
// virtual time as a spacetime diagram: one vertical line per node, time
// going down, each message an arrow from its send to its delivery, a drop
// ending in a cross where the message was lost. Roles and terms are marked
// on the lines, elections shaded, and every mark carries its reason as a
// tooltip (an SVG <title>).
//
// Add every event of the run, in order, from the start (roles and
// elections before the window decide how it begins); only what the window
// needs is kept.
type Spacetime struct {
	nodes    int
	from, to time.Duration
	last     time.Duration // the time of the last event added

	pending map[uint64]*arrow // sent, not yet delivered or dropped
	arrows  []*arrow          // in the window: ended, or pending at the end
	dropped int               // arrows left out past MaxArrows

	// received finds the last request delivered to a node, to give it the
	// receiver's decision; answer the decision its reply carries.
	received map[link]*arrow
	answer   map[link]*cluster.Event

	roles     []roleChange // every state event of the run
	marks     []*cluster.Event
	elections []election
	open      *election // the election under way, if any
}

// MaxArrows bounds a diagram: past it, a browser struggles and nobody can
// read the arrows anyway. A thousand nodes make 40,000 messages a second.
const MaxArrows = 20_000

// arrow is one message.
type arrow struct {
	id       uint64
	from, to int
	typ      engine.MsgType
	term     uint64
	sent     time.Duration
	end      time.Duration // delivered or dropped; 0 while in flight
	ended    bool
	drop     string // why it was dropped, "" if delivered
	refused  bool   // a vote reply that refuses
	decision string // what its receiver decided, or for a reply, what it answers
}

// link names a message's direction and class, for pairing a decision with
// the message it is about, whichever engine's type it has.
type link struct {
	from, to int
	class    engine.MsgClass
}

type roleChange struct {
	at     time.Duration
	node   int
	state  cluster.State
	term   uint64
	reason string
}

// election is a stretch of time from a candidate's campaign to the next
// leader: won (by winner, in term), or still under way when the run ended.
type election struct {
	start, end time.Duration
	firstTerm  uint64
	term       uint64 // the last term campaigned for
	winner     int
	candidates map[int]bool
}

// NewSpacetime returns a collector for a run of n nodes that will draw the
// window from..to of virtual time.
func NewSpacetime(nodes int, from, to time.Duration) *Spacetime {
	return &Spacetime{
		nodes: nodes, from: from, to: max(to, from+time.Millisecond),
		pending: map[uint64]*arrow{}, received: map[link]*arrow{}, answer: map[link]*cluster.Event{},
	}
}

// Truncated returns how many messages of the window were left out because
// the diagram holds at most MaxArrows.
func (s *Spacetime) Truncated() int {
	return s.dropped + max(0, len(s.pending)-max(0, MaxArrows-len(s.arrows)))
}

// Add takes one event of the run.
func (s *Spacetime) Add(e cluster.Event) {
	s.last = e.At
	inWindow := e.At >= s.from && e.At <= s.to
	switch e.Kind {
	case cluster.KindSend:
		if e.At > s.to {
			return
		}
		a := &arrow{id: e.Msg, from: e.From, to: e.To, typ: e.Type, term: e.Term, sent: e.At}
		if v, ok := s.answer[link{e.From, e.To, e.Type.Class()}]; ok {
			a.refused, a.decision = !v.Granted, v.String()
			delete(s.answer, link{e.From, e.To, e.Type.Class()})
		}
		s.pending[e.Msg] = a
	case cluster.KindDeliver, cluster.KindDrop:
		a, ok := s.pending[e.Msg]
		if !ok {
			return
		}
		delete(s.pending, e.Msg)
		if e.At < s.from {
			return
		}
		a.end, a.ended = e.At, true
		if e.Kind == cluster.KindDrop {
			a.drop = e.Reason
		} else {
			s.received[link{a.from, a.to, a.typ.Class()}] = a
		}
		s.keep(a)
	case cluster.KindVote:
		req, reply := engine.ClassVote, engine.ClassVoteReply
		if e.PreVote {
			req, reply = engine.ClassPreVote, engine.ClassPreVoteReply
		}
		if a := s.received[link{e.For, e.Node, req}]; a != nil && a.decision == "" {
			a.decision = e.String()
		}
		s.answer[link{e.Node, e.For, reply}] = &e
	case cluster.KindIgnore:
		if a := s.received[link{e.From, e.Node, e.Type.Class()}]; a != nil && a.decision == "" {
			a.decision = e.String()
		}
	case cluster.KindState:
		s.roles = append(s.roles, roleChange{e.At, e.Node, e.State, e.Term, e.Reason})
		s.noteElection(&e)
	}
	if inWindow {
		switch e.Kind {
		case cluster.KindTimeout, cluster.KindFault, cluster.KindExplain, cluster.KindViolation, cluster.KindError:
			s.marks = append(s.marks, &e)
		}
	}
}

func (s *Spacetime) keep(a *arrow) {
	if len(s.arrows) >= MaxArrows {
		s.dropped++
		return
	}
	s.arrows = append(s.arrows, a)
}

// noteElection follows elections: one starts when a node campaigns (a
// candidate, not a pre-candidate: a pre-vote round that fails changes
// nothing) and ends when a node becomes leader.
func (s *Spacetime) noteElection(e *cluster.Event) {
	switch e.State {
	case cluster.StateCandidate:
		if s.open == nil {
			s.open = &election{start: e.At, firstTerm: e.Term, candidates: map[int]bool{}}
		}
		s.open.term = max(s.open.term, e.Term)
		s.open.candidates[e.Node] = true
	case cluster.StateLeader:
		if s.open != nil {
			s.open.end, s.open.winner, s.open.term = e.At, e.Node, e.Term
			s.elections = append(s.elections, *s.open)
			s.open = nil
		}
	}
}

// The diagram's geometry, in pixels. Time runs down at a steady scale,
// and every moment at which something happens adds a gap below it, larger
// for elections than for heartbeats: a message that takes 2ms still slopes
// visibly, and an election's few milliseconds of votes get the room that
// seconds of steady heartbeats do not need.
const (
	stLeft      = 84  // the time axis
	stRight     = 280 // faults and explanations
	stTop       = 124 // title, legend and node names
	stBottom    = 24
	stTimeH     = 1500.0 // pixels for the window's time, within the scale's bounds
	stEventH    = 2500.0 // pixels for its moments, within the gap's bounds
	stMinScale  = 0.2    // pixels per millisecond
	stMaxScale  = 20.0
	stMaxGap    = 3.0 // pixels per unit of a moment's weight
	stMinGap    = 0.2
	voteWeight  = 4 // a moment of election traffic, a role change, a fault
	plainWeight = 1 // a moment of heartbeat traffic
)

// Colours on the dark background the live view has.
const (
	stBackground = "#161616"
	stText       = "#d0d0d0"
	stDim        = "#808080"
	stGrid       = "#2a2a2a"
	stFollower   = "#6c6c6c"
	stPreCand    = "#d7d787"
	stCandidate  = "#ffd700"
	stDead       = "#af0000"
	stFault      = "#ff87af"
	stExplain    = "#afd7ff"
	stElection   = "#ffd700"
)

// stLeaders colour a leader by its node id, as the live view does.
var stLeaders = []string{"#5FD7FF", "#FF87D7", "#87FF5F", "#FFAF5F", "#AF87FF", "#5FFFD7", "#FF5F5F", "#D7D75F", "#87AFFF"}

// msgStyle is how a class of message is drawn.
type msgStyle struct {
	color string
	width float64
	label string
}

// msgStyles style messages by what they do, not by engine (a textbook
// RequestVote and etcd's MsgVote alike), as every display of raftty does.
var msgStyles = map[engine.MsgClass]msgStyle{
	engine.ClassVote:           {"#ffaf00", 1.6, "vote request"},
	engine.ClassVoteReply:      {"#87d787", 1.6, "vote reply (dashed: refused)"},
	engine.ClassPreVote:        {"#d787ff", 1.6, "pre-vote request"},
	engine.ClassPreVoteReply:   {"#87afaf", 1.6, "pre-vote reply"},
	engine.ClassAppend:         {"#5fafff", 1, "append (a heartbeat)"},
	engine.ClassAppendReply:    {"#4e6e8e", 1, "its reply"},
	engine.ClassHeartbeat:      {"#5fafff", 1, "heartbeat"},
	engine.ClassHeartbeatReply: {"#4e6e8e", 1, "its reply"},
}

// legendClasses are the classes the legend shows, in its order.
var legendClasses = []engine.MsgClass{engine.ClassVote, engine.ClassVoteReply, engine.ClassPreVote, engine.ClassPreVoteReply, engine.ClassAppend, engine.ClassAppendReply}

func styleOf(t engine.MsgType) msgStyle {
	if st, ok := msgStyles[t.Class()]; ok {
		return st
	}
	return msgStyle{"#bcbcbc", 1, t.String()}
}

// layout maps nodes and times to the picture.
type layout struct {
	from, to     time.Duration
	colW, scale  float64 // pixels per column, per millisecond
	gap          float64 // pixels per unit of weight
	moments      []time.Duration
	before       []float64 // before[i]: the weight of moments[:i]
	width, plotH float64
}

// x is node's column. Products are converted before a sum (here and in
// y), which keeps the compiler from fusing them into one multiply-add on
// the machines that have one: the picture is the same on all of them.
func (l *layout) x(node int) float64 { return stLeft + float64((float64(node)-0.5)*l.colW) }

// y is where time t is drawn: its share of the window's time, plus the gaps
// of the moments before it.
func (l *layout) y(t time.Duration) float64 {
	i, _ := slices.BinarySearch(l.moments, t)
	return stTop + float64(float64(t-l.from)/float64(time.Millisecond)*l.scale) + float64(l.gap*l.before[i])
}

// newLayout fits the window: columns to the number of nodes, time and
// moments to their budgets of height.
func (s *Spacetime) newLayout(arrows []*arrow) *layout {
	to := min(s.to, max(s.last, s.from+time.Millisecond))
	l := &layout{from: s.from, to: to}
	l.colW = min(160, max(14, 1000/float64(s.nodes)))
	ms := float64(to-s.from) / float64(time.Millisecond)
	l.scale = min(stMaxScale, max(stMinScale, stTimeH/ms))

	weight := map[time.Duration]float64{}
	note := func(t time.Duration, w float64) {
		if t >= s.from && t <= to {
			weight[t] = max(weight[t], w)
		}
	}
	for _, a := range arrows {
		w := float64(voteWeight)
		if a.typ.IsLeaderTraffic() {
			w = plainWeight
		}
		note(a.sent, w)
		if a.ended {
			note(a.end, w)
		}
	}
	for _, r := range s.roles {
		note(r.at, voteWeight)
	}
	for _, e := range s.marks {
		note(e.At, voteWeight)
	}
	var total float64
	for t, w := range weight {
		l.moments = append(l.moments, t)
		total += w
	}
	slices.Sort(l.moments)
	l.before = make([]float64, len(l.moments)+1)
	for i, t := range l.moments {
		l.before[i+1] = l.before[i] + weight[t]
	}
	if total > 0 {
		l.gap = min(stMaxGap, max(stMinGap, stEventH/total))
	}
	l.plotH = l.y(to) - stTop
	l.width = stLeft + float64(float64(s.nodes)*l.colW) + stRight
	return l
}

// SVG draws the window, with title on top.
func (s *Spacetime) SVG(title string) []byte {
	arrows := s.window()
	l := s.newLayout(arrows)
	height := stTop + l.plotH + stBottom

	d := &svgDoc{}
	d.open(l.width, height, title, `font-family="DejaVu Sans,Helvetica,Arial,sans-serif" font-size="11"`)
	d.rect(0, 0, l.width, height, stBackground, "")
	s.defs(d, l)
	s.header(d, l, title)
	s.drawElections(d, l)
	s.grid(d, l)
	s.lifelines(d, l)
	s.messages(d, l, arrows)
	s.drawMarks(d, l)
	d.close()
	return d.Bytes()
}

// defs writes an arrowhead per message colour and the plot's clip.
func (s *Spacetime) defs(d *svgDoc, l *layout) {
	d.WriteString("<defs>\n")
	var colors []string
	for _, st := range msgStyles {
		colors = append(colors, st.color)
	}
	colors = append(colors, styleOf(0).color)
	slices.Sort(colors)
	for _, c := range slices.Compact(colors) {
		fmt.Fprintf(d, `<marker id="h%s" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L8 4L0 8z" fill="%s"/></marker>`+"\n", c[1:], c)
	}
	d.WriteString(`<clipPath id="plot">`)
	d.rect(0, stTop, l.width, l.plotH, "#000000", "")
	d.WriteString("</clipPath>\n</defs>\n")
}

// header writes the title, the legend and the nodes' names.
func (s *Spacetime) header(d *svgDoc, l *layout, title string) {
	d.textAt(12, 22, stText, `font-size="15" font-weight="bold"`, title)
	x, y := 12.0, 46.0
	item := func(draw func(x float64), label string) {
		draw(x)
		d.textAt(x+34, y+4, stDim, "", label)
		x += 44 + float64(len(label))*6.2
		if x > l.width-200 {
			x, y = 12, y+18
		}
	}
	for _, c := range legendClasses {
		st := msgStyles[c]
		item(func(x float64) { s.line(d, x, y, x+28, y, st.color, st.width, "", true) }, st.label)
	}
	item(func(x float64) { s.cross(d, x+14, y, stDead) }, "dropped")
	item(func(x float64) { d.rect(x, y-6, 28, 12, stElection, `fill-opacity="0.25"`) }, "election")
	item(func(x float64) { s.line(d, x, y, x+28, y, stLeaders[0], 4, "", false) }, "leader")
	item(func(x float64) { s.line(d, x, y, x+28, y, stCandidate, 3, "", false) }, "candidate")
	item(func(x float64) { s.line(d, x, y, x+28, y, stPreCand, 2, "4 3", false) }, "pre-candidate")
	item(func(x float64) { s.line(d, x, y, x+28, y, stFollower, 1, "", false) }, "follower")

	for n := 1; n <= s.nodes; n++ {
		x, name := l.x(n), "n"+strconv.Itoa(n)
		if l.colW < 30 { // too narrow for a name across
			d.textAt(x+3, stTop-6, stText, fmt.Sprintf(`transform="rotate(-90 %s %d)"`, appendNum(nil, x+3), stTop-6), name)
		} else {
			d.textAt(x, stTop-8, stText, `text-anchor="middle"`, name)
		}
	}
}

// drawElections shades each election in the window, across every node.
func (s *Spacetime) drawElections(d *svgDoc, l *layout) {
	all := s.elections
	if s.open != nil {
		all = append(slices.Clip(all), *s.open)
	}
	for _, e := range all {
		end := e.end
		if e.winner == 0 {
			end = l.to
		}
		if end < l.from || e.start > l.to {
			continue
		}
		y0, y1 := l.y(max(e.start, l.from)), l.y(min(end, l.to))
		d.WriteString(`<g class="election"><title>`)
		d.text(electionText(&e))
		d.WriteString("</title>")
		d.rect(stLeft, y0, float64(s.nodes)*l.colW, max(y1-y0, 1), stElection, `fill-opacity="0.12"`)
		d.WriteString("</g>\n")
	}
}

// electionText says what happened in an election, in plain words.
func electionText(e *election) string {
	cands := slices.Sorted(func(yield func(int) bool) {
		for n := range e.candidates {
			if !yield(n) {
				return
			}
		}
	})
	names := make([]string, len(cands))
	for i, n := range cands {
		names[i] = "n" + strconv.Itoa(n)
	}
	terms := fmt.Sprintf("term %d", e.term)
	if e.firstTerm != e.term {
		terms = fmt.Sprintf("terms %d-%d (%d split)", e.firstTerm, e.term, e.term-e.firstTerm)
	}
	if e.winner == 0 {
		return fmt.Sprintf("election from %s, %s, candidates %s: no leader yet", seconds(e.start), terms, strings.Join(names, ","))
	}
	return fmt.Sprintf("election from %s to %s (%v), %s, candidates %s: n%d won term %d",
		seconds(e.start), seconds(e.end), e.end-e.start, terms, strings.Join(names, ","), e.winner, e.term)
}

func seconds(t time.Duration) string { return strconv.FormatFloat(t.Seconds(), 'f', 3, 64) + "s" }

// grid writes the time axis: a tick, a label and a faint line at round
// times, at least tickGap pixels apart. The steady scale decides the
// coarsest step; where moments stretch the time, finer steps fill in.
func (s *Spacetime) grid(d *svgDoc, l *layout) {
	const tickGap = 40
	coarse := 50 * time.Second
	for _, m := range []time.Duration{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000} {
		if float64(m)*l.scale >= tickGap { // milliseconds times pixels per millisecond
			coarse = m * time.Millisecond
			break
		}
	}
	var ys []float64 // the ticks placed, sorted
	var ticks []time.Duration
	for _, div := range []time.Duration{1, 2, 10, 20, 100} {
		step := coarse / div
		if step < time.Millisecond || step%time.Millisecond != 0 {
			break
		}
		for t := (l.from + step - 1) / step * step; t <= l.to; t += step {
			y := l.y(t)
			i, _ := slices.BinarySearch(ys, y)
			if (i > 0 && y-ys[i-1] < tickGap) || (i < len(ys) && ys[i]-y < tickGap) {
				continue
			}
			ys = slices.Insert(ys, i, y)
			ticks = append(ticks, t)
		}
	}
	slices.Sort(ticks)
	for _, t := range ticks {
		y := l.y(t)
		d.line(stLeft, y, stLeft+float64(float64(s.nodes)*l.colW), y, stGrid, 1, "", "")
		d.textAt(stLeft-8, y+4, stDim, `text-anchor="end"`, seconds(t))
	}
}

// lifelines writes each node's line, and over it its roles: a faint line
// for the whole window, then a segment per stretch of one role.
func (s *Spacetime) lifelines(d *svgDoc, l *layout) {
	state := make([]roleChange, s.nodes+1) // each node's role as the window opens
	for n := range state {
		state[n] = roleChange{node: n, state: cluster.StateFollower}
	}
	var changes []roleChange
	for _, r := range s.roles {
		switch {
		case r.at < l.from:
			state[r.node] = r
		case r.at <= l.to:
			changes = append(changes, r)
		}
	}
	top, bottom := l.y(l.from), l.y(l.to)
	for n := 1; n <= s.nodes; n++ {
		x := l.x(n)
		fmt.Fprintf(d, `<g class="node" id="n%d">`+"\n", n)
		d.line(x, top, x, bottom, "#3a3a3a", 1, "", `class="lifeline"`)
		cur, at := state[n], l.from
		for _, r := range changes {
			if r.node != n {
				continue
			}
			s.role(d, l, cur, at, r.at)
			s.roleMark(d, l, r, cur.state)
			cur, at = r, r.at
		}
		s.role(d, l, cur, at, l.to)
		d.WriteString("</g>\n")
	}
}

// role draws a stretch of one role on a node's line.
func (s *Spacetime) role(d *svgDoc, l *layout, r roleChange, from, to time.Duration) {
	if to <= from {
		return
	}
	x := l.x(r.node)
	switch r.state {
	case cluster.StateLeader:
		s.line(d, x, l.y(from), x, l.y(to), stLeaders[(r.node-1)%len(stLeaders)], 4, "", false)
	case cluster.StateCandidate:
		s.line(d, x, l.y(from), x, l.y(to), stCandidate, 3, "", false)
	case cluster.StatePreCandidate:
		s.line(d, x, l.y(from), x, l.y(to), stPreCand, 2, "4 3", false)
	case cluster.StateFollower:
		s.line(d, x, l.y(from), x, l.y(to), stFollower, 1, "", false)
	}
}

// roleMark marks a change of role where it happens: a label with the new
// role and term (a follower's only when it steps down), a cross for a kill.
func (s *Spacetime) roleMark(d *svgDoc, l *layout, r roleChange, before cluster.State) {
	x, y := l.x(r.node), l.y(r.at)
	text := fmt.Sprintf("n%d becomes %s in term %d", r.node, r.state, r.term)
	if r.state == cluster.StateDead {
		text = fmt.Sprintf("n%d dies in term %d", r.node, r.term)
	}
	if r.reason != "" {
		text += ": " + r.reason
	}
	var label, color string
	switch r.state {
	case cluster.StateLeader:
		label, color = "L"+strconv.FormatUint(r.term, 10), stLeaders[(r.node-1)%len(stLeaders)]
	case cluster.StateCandidate:
		label, color = "C"+strconv.FormatUint(r.term, 10), stCandidate
	case cluster.StatePreCandidate:
		label, color = "pre", stPreCand
	case cluster.StateDead:
		label, color = "dead", stDead
	case cluster.StateFollower:
		color = stFollower
		if before != cluster.StateFollower {
			label = "F" + strconv.FormatUint(r.term, 10)
		}
	}
	d.WriteString(`<g class="role"><title>`)
	d.text(text)
	d.WriteString("</title>")
	if r.state == cluster.StateDead {
		s.cross(d, x, y, stDead)
	} else {
		d.WriteString("<circle")
		d.numAttr("cx", x)
		d.numAttr("cy", y)
		d.WriteString(` r="3"`)
		d.attr("fill", color)
		d.WriteString("/>")
	}
	if label != "" {
		size := ""
		if l.colW < 40 {
			size = `font-size="8"`
		}
		d.textAt(x+5, y-3, color, size, label)
	}
	d.WriteString("</g>\n")
}

// window returns the messages to draw, in the order they were sent: those
// that ended in the window, and those still in flight when the run ended
// (Add keeps none sent after it).
func (s *Spacetime) window() []*arrow {
	byID := func(a, b *arrow) int { return cmp.Compare(a.id, b.id) }
	flying := slices.SortedFunc(maps.Values(s.pending), byID)
	arrows := slices.Concat(s.arrows, flying[:min(len(flying), max(0, MaxArrows-len(s.arrows)))])
	slices.SortFunc(arrows, byID)
	return arrows
}

// messages draws every message of the window as an arrow, in the order
// they were sent.
func (s *Spacetime) messages(d *svgDoc, l *layout, arrows []*arrow) {
	d.WriteString(`<g clip-path="url(#plot)">` + "\n")
	for _, a := range arrows {
		st := styleOf(a.typ)
		x1, y1, x2 := l.x(a.from), l.y(a.sent), l.x(a.to)
		var y2 float64
		switch {
		case !a.ended: // in flight when the run ended: toward the bottom
			y2 = l.y(l.to) + 12
		case a.drop != "" && a.end == a.sent: // never left: stop a quarter of the way
			x2 = x1 + (x2-x1)/4
			y2 = y1
		default:
			y2 = l.y(a.end)
		}
		class := "msg"
		if a.drop != "" {
			class = "msg drop"
		}
		fmt.Fprintf(d, `<g class="%s" data-msg="%d"><title>`, class, a.id)
		d.text(a.describe())
		d.WriteString("</title>")
		dash := ""
		if a.refused {
			dash = "3 2"
		}
		s.line(d, x1, y1, x2, y2, st.color, st.width, dash, a.drop == "" && a.ended)
		if a.drop != "" {
			s.cross(d, x2, y2, stDead)
		}
		d.WriteString("</g>\n")
	}
	d.WriteString("</g>\n")
}

// describe says what became of a message, in plain words.
func (a *arrow) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "n%d -> n%d %s term %d, sent %s", a.from, a.to, a.typ, a.term, seconds(a.sent))
	switch {
	case !a.ended:
		b.WriteString(", still in flight when the run ended")
	case a.drop != "":
		fmt.Fprintf(&b, ", dropped at %s: %s", seconds(a.end), a.drop)
	default:
		fmt.Fprintf(&b, ", delivered %s (%v)", seconds(a.end), a.end-a.sent)
	}
	if a.decision != "" {
		b.WriteString("\n")
		b.WriteString(a.decision)
	}
	return b.String()
}

// drawMarks writes timeouts on the nodes' lines, and faults, explanations
// and violations across the diagram with their words in the right margin,
// each below the one before when they would overlap.
func (s *Spacetime) drawMarks(d *svgDoc, l *layout) {
	const lineH, perLine, maxLines = 13, 44, 4
	right := stLeft + float64(float64(s.nodes)*l.colW)
	textY := 0.0 // below the last words written
	for _, e := range s.marks {
		y := l.y(e.At)
		fmt.Fprintf(d, `<g class="%s"><title>`, e.Kind)
		d.text(seconds(e.At) + " " + e.String())
		d.WriteString("</title>")
		if e.Kind == cluster.KindTimeout {
			d.WriteString("<circle")
			d.numAttr("cx", l.x(e.Node))
			d.numAttr("cy", y)
			d.WriteString(` r="4" fill="none" stroke-width="1.5"`)
			d.attr("stroke", stCandidate)
			d.WriteString("/></g>\n")
			continue
		}
		color := stFault
		if e.Kind == cluster.KindExplain {
			color = stExplain
		}
		d.line(stLeft, y, right, y, color, 1, "6 4", "")
		ty := max(y+4, textY+lineH)
		d.WriteString("<text")
		d.attr("fill", color)
		d.WriteByte('>')
		for i, line := range wrapWords(e.String(), perLine, maxLines) {
			d.WriteString("<tspan")
			d.numAttr("x", right+8)
			d.numAttr("y", ty+float64(i*lineH))
			d.WriteByte('>')
			d.text(line)
			d.WriteString("</tspan>")
			textY = ty + float64(i*lineH)
		}
		d.WriteString("</text></g>\n")
	}
}

// wrapWords breaks s into at most n lines of at most w characters, at
// spaces; the last ends in … if words were left out.
func wrapWords(s string, w, n int) []string {
	lines := strings.Split(ansi.Wordwrap(s, w, " "), "\n")
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] += " …"
	}
	for i, l := range lines {
		lines[i] = shorten(strings.TrimSpace(l), w)
	}
	return lines
}

// line writes a line, dashed if dash is set, with an arrowhead if head.
func (s *Spacetime) line(d *svgDoc, x1, y1, x2, y2 float64, color string, width float64, dash string, head bool) {
	marker := ""
	if head {
		marker = `marker-end="url(#h` + color[1:] + `)"`
	}
	d.line(x1, y1, x2, y2, color, width, dash, marker)
}

// cross writes an x centred on (x, y).
func (s *Spacetime) cross(d *svgDoc, x, y float64, color string) {
	var p path
	p.op('M', x-4, y-4)
	p.op('l', 8, 8)
	p.op('m', 0, -8)
	p.op('l', -8, 8)
	d.WriteString(`<path class="cross" stroke-width="2"`)
	d.attr("stroke", color)
	d.WriteString(` d="`)
	d.Write(p.b)
	d.WriteString(`"/>`)
}

// shorten cuts s to n characters, ending in … if it was longer.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
