package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// timelinePanel draws one row per node, newest time at the right edge,
// and a time axis. Columns are aligned to multiples of the zoom, so that a
// mark stays in its column as time scrolls past. With more nodes than rows
// it shows a window that follows the selection. Its keys move the time
// cursor and zoom; the root carries them out (it owns the cursor).
type timelinePanel struct {
	size
	// axis: a row of times under the nodes' rows.
	axis bool
	timelineKeys
	// geom is where the last View drew the columns, inside the panel, so
	// that a click can be turned into a moment; hits are its node labels.
	geom timelineGeom
	hits []hit
}

// timelineKeys move the time cursor and zoom the timeline.
type timelineKeys struct {
	ZoomIn, ZoomOut                                                          key.Binding
	TimeBack, TimeForward, PageBack, PageForward, Oldest, Live, PrevDecision key.Binding
}

func newTimelineKeys() timelineKeys {
	return timelineKeys{
		ZoomIn:       binding("[", "zoom in", "["),
		ZoomOut:      binding("]", "zoom out", "]"),
		TimeBack:     binding("←", "back in time", "left"),
		TimeForward:  binding("→", "forward in time", "right"),
		PageBack:     binding("shift+←", "a screen back", "shift+left"),
		PageForward:  binding("shift+→", "a screen forward", "shift+right"),
		Oldest:       binding("home", "oldest kept moment", "home"),
		Live:         binding("end", "back to live", "end"),
		PrevDecision: binding(",", "previous decision", ","),
	}
}

// ShortHelp and FullHelp make timelineKeys a help.KeyMap.
func (k timelineKeys) ShortHelp() []key.Binding { return []key.Binding{k.TimeBack, k.Live} }
func (k timelineKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.PrevDecision, k.TimeBack, k.TimeForward, k.PageBack, k.PageForward, k.Oldest, k.Live}, {k.ZoomIn, k.ZoomOut}}
}

func newTimelinePanel() *timelinePanel {
	return &timelinePanel{timelineKeys: newTimelineKeys(), axis: true}
}

// Update answers the keys that move the time cursor and zoom. The cursor
// is the root's: the panel asks it to move (moveMsg, oldestMsg, liveMsg,
// decisionMsg) or to zoom (zoomMsg).
func (p *timelinePanel) Update(msg tea.Msg, f *Frame) (tea.Cmd, tea.Msg) {
	return onKey(msg, f, p.updateKey)
}

func (p *timelinePanel) updateKey(k tea.KeyPressMsg, f *Frame) (tea.Cmd, tea.Msg) {
	zoom := f.cur.step()
	switch {
	case key.Matches(k, p.timelineKeys.ZoomIn):
		return nil, zoomMsg(-1)
	case key.Matches(k, p.timelineKeys.ZoomOut):
		return nil, zoomMsg(1)
	case key.Matches(k, p.timelineKeys.TimeBack):
		return nil, moveMsg(-zoom)
	case key.Matches(k, p.timelineKeys.PageBack):
		return nil, pageMsg(-1)
	case key.Matches(k, p.timelineKeys.TimeForward) && !f.cur.past:
		return nil, statusMsg("this is the present: ← goes back in time")
	case key.Matches(k, p.timelineKeys.TimeForward):
		return nil, moveMsg(zoom)
	case key.Matches(k, p.timelineKeys.PageForward) && f.cur.past:
		return nil, pageMsg(1)
	case key.Matches(k, p.timelineKeys.Oldest):
		return nil, oldestMsg{}
	case key.Matches(k, p.timelineKeys.Live):
		return nil, liveMsg{}
	case key.Matches(k, p.timelineKeys.PrevDecision):
		return nil, decisionMsg(-1)
	}
	return nil, nil
}

// hitList is the node labels the last View drew.
func (p *timelinePanel) hitList() []hit { return p.hits }

// timelineLabel is the width of a row's label ("n1   ").
const timelineLabel = 5

// timelineCols is how many columns a timeline w cells wide draws: a page
// of shift+← and shift+→, whether or not it is on screen (the map can
// take its place).
func timelineCols(w int) int { return max(w-2-timelineLabel, 0) }

// View draws the rows of the nodes in the window, the axis if it has one,
// in a titled box.
func (p *timelinePanel) View(f *Frame) []string {
	zoom := f.cur.step()
	const label = timelineLabel
	cols := timelineCols(p.w)
	end, cursorCol := f.cur.timelineEnd(f.snap.Now), -1
	if f.cur.past {
		end = f.cur.end
	}
	start := end - time.Duration(cols)*zoom
	if f.cur.past {
		cursorCol = int((f.cur.at - start) / zoom)
	}
	n := len(f.hist.nodes)
	rows := max(p.h-2, 0)
	if p.axis {
		rows = max(rows-1, 0)
	}
	first := window(n, rows, f.selected-1)
	last := min(first+rows, n)
	p.geom = timelineGeom{x0: 1 + label, y0: 1, cols: cols, rows: last - first, start: start, zoom: zoom}
	p.hits = p.hits[:0]
	lines := make([]string, 0, p.h-2)
	var b strings.Builder
	for id := first + 1; id <= last; id++ {
		b.Reset()
		b.WriteString(f.nodeLabel(id, label))
		timelineRow(&b, f, id, start, zoom, cols, cursorCol)
		lines = append(lines, b.String())
		p.hits = append(p.hits, hit{x: 1, y: id - first, w: label, h: 1, node: id, logLine: -1})
	}
	if p.axis {
		line := markEnd(f, axis(start, zoom, cols, cursorCol), start, zoom, cols)
		lines = append(lines, strings.Repeat(" ", label)+divergenceMarks(f, line, start, zoom, cols))
	}
	return f.styles.box(p.title(f, first, last), lines, p.w, p.h)
}

// title says which nodes' rows it shows when not all, the zoom and how
// to move in time, and in the past where the cursor is.
func (p *timelinePanel) title(f *Frame, first, last int) string {
	zoom, n := f.cur.step(), len(f.hist.nodes)
	in, out := p.timelineKeys.ZoomIn.Help().Key, p.timelineKeys.ZoomOut.Help().Key
	name := "timeline"
	if last-first < n {
		name = fmt.Sprintf("timeline n%d-n%d of %d", first+1, last, n)
	}
	parts := "◆ worlds part (D > <)"
	if !p.axis {
		parts = "worlds part: D > <" // the ◆ are on the axis
	}
	switch {
	case f.compared != nil && f.cur.past:
		return fmt.Sprintf("%s · %s · ▲ t=%.3fs · %v a column", name, parts, f.cur.at.Seconds(), zoom)
	case f.compared != nil:
		return fmt.Sprintf("%s · %s · %v a column · ←/→ back in time", name, parts, zoom)
	case f.cur.past:
		return fmt.Sprintf("%s · one column = %v · ▲ cursor t=%s · dim: the recorded future · ←/→ · click/drag · end: live", name, zoom, clock(f.cur.at))
	case last-first < n:
		return fmt.Sprintf("%s · one column = %v · %s/%s zoom · ←/→ back in time", name, zoom, in, out)
	}
	return fmt.Sprintf("%s · one column = %v · now at the right · %s/%s zoom · ←/→ back in time · ? legend", name, zoom, in, out)
}

// timelineRow writes cols cells of node id's row covering [start, start +
// cols*zoom): in each column the most important mark in it, or else the
// band in force at its end. Runs of one style share one escape sequence.
//
// Columns at or before what the row has forgotten show ░, and the column of
// a time cursor shows in reverse video, with only what had happened by the
// moment shown (a step can stop between two decisions of one instant);
// the columns after it, the recorded future, are dimmed.
func timelineRow(b *strings.Builder, f *Frame, id int, start, zoom time.Duration, cols, cursorCol int) {
	h := f.hist.node(id)
	r := f.styles
	bi := h.bandAt(start)
	mi := h.firstMarkFrom(start)
	kept := h.keptFrom()
	style := -1
	carry := markNone // a decision pushed out of the previous column
	for col := 0; col < cols; col++ {
		colEnd := start + time.Duration(col+1)*zoom
		var shown func(at time.Duration, dec uint32) bool
		if col == cursorCol {
			shown = f.showsLow
		}
		cbi := bi // the band the cursor's cell shows
		for bi+1 < h.bands.len() && h.bands.at(bi+1).at < colEnd {
			bi++
			if bc := h.bands.at(bi); shown == nil || shown(bc.at, bc.dec) {
				cbi = bi
			}
		}
		if shown == nil {
			cbi = bi
		}
		var best markKind
		best, carry, mi = columnMark(h, mi, colEnd, carry, shown)
		c := timelineCell(r, h, id, best, cbi, kept > 0 && colEnd <= kept)
		if cursorCol >= 0 && col > cursorCol {
			c.style = cellFuture
		}
		if col == cursorCol {
			// The cursor's cell, in reverse video, breaks the run of
			// styles; it shows what the column holds, mark or band.
			style = closeStyle(b, r, style)
			if c.r == ' ' {
				c.r = '│'
			}
			b.WriteString(r.selected.apply(string(c.r)))
			continue
		}
		if c.style != style {
			closeStyle(b, r, style)
			style = c.style
			b.WriteString(r.cellStyles[style].open)
		}
		b.WriteRune(c.r)
	}
	closeStyle(b, r, style)
}

// timelineCell is what one column of node id's row shows: nothing of a
// node already forgotten (dead), else its most important mark, else the
// band (role) it was in.
func timelineCell(r *renders, h *nodeHistory, id int, best markKind, band int, forgotten bool) cell {
	switch {
	case forgotten:
		return cell{'░', cellDead}
	case best != markNone:
		return r.markCell(id, best)
	case band >= 0:
		return r.bandCell(id, h.bands.at(band))
	default:
		return cell{' ', cellPlain}
	}
}

// closeStyle ends the run of cells in style (none when negative) and
// returns -1, the style of no run.
func closeStyle(b *strings.Builder, r *renders, style int) int {
	if style >= 0 {
		b.WriteString(r.cellStyles[style].close)
	}
	return -1
}

// columnMark is the mark a column ending at colEnd shows, reading h's
// marks from index mi on: its most important one. When it holds two
// decisions (a timeout and the win that follows), the earlier shows here
// and the later is carried to the next column, so that a short candidacy
// is never hidden. It returns the mark, what it carries, and the index of
// the first mark after the column.
func columnMark(h *nodeHistory, mi int, colEnd time.Duration, carried markKind, shown func(time.Duration, uint32) bool) (best, carry markKind, next int) {
	best, decision, decisionAt := carried, carried, time.Duration(-1)
	for mi < h.marks.len() && h.marks.at(mi).at < colEnd {
		mk := h.marks.at(mi)
		mi++
		if shown != nil && !shown(mk.at, mk.dec) {
			continue // the recorded future, in the cursor's own column
		}
		if isDecision(mk.kind) {
			if decision != markNone && mk.at > decisionAt && mk.kind != decision && carry == markNone {
				carry = mk.kind
				continue
			}
			if decision == markNone {
				decision, decisionAt = mk.kind, mk.at
			}
		}
		best = max(best, mk.kind)
	}
	return best, carry, mi
}

// axis labels every tenth column with its time, and marks the cursor's
// column with ▲.
func axis(start, zoom time.Duration, cols, cursorCol int) string {
	line := []rune(strings.Repeat(" ", cols))
	first := int((10 - (start/zoom)%10) % 10)
	for col := first; col < cols; col += 10 {
		if start+time.Duration(col)*zoom < 0 {
			continue
		}
		text := []rune("╵" + formatAxis(start+time.Duration(col)*zoom, zoom))
		if col+len(text) > cols {
			break
		}
		copy(line[col:], text)
	}
	if cursorCol >= 0 && cursorCol < cols {
		place(line, cursorCol, []rune("▲"))
	}
	return string(line)
}

func formatAxis(t, zoom time.Duration) string {
	switch {
	case zoom >= 100*time.Millisecond:
		return fmt.Sprintf("%.0fs", t.Seconds())
	case zoom >= 10*time.Millisecond:
		return fmt.Sprintf("%.1fs", t.Seconds())
	}
	return fmt.Sprintf("%.2fs", t.Seconds())
}

// isDecision: a mark that says a node changed what it does (timed out,
// campaigned, won, stepped down), which the timeline must not hide.
func isDecision(k markKind) bool { return k >= markPreCandidate }

// markEnd writes "┃end" on the axis at the column where the running
// scenario ends, if it is on screen.
func markEnd(f *Frame, axisLine string, start, zoom time.Duration, cols int) string {
	end := f.scenarioEnd()
	if end <= 0 || end < start || end >= start+time.Duration(cols)*zoom {
		return axisLine
	}
	line := []rune(axisLine)
	col := int((end - start) / zoom)
	place(line, col, []rune("┃end")[:min(4, cols-col)])
	return string(line)
}

// place writes text into an axis line at col, first blanking every label
// it touches, so that no label is left half overwritten ("╵3.▲s"). A ▲
// already there stays.
func place(line []rune, col int, text []rune) {
	for i := col; i < col+len(text) && i < len(line); i++ {
		if line[i] == ' ' || line[i] == '▲' {
			continue
		}
		lo, hi := i, i
		for lo > 0 && line[lo-1] != ' ' && line[lo-1] != '▲' {
			lo--
		}
		for hi < len(line) && line[hi] != ' ' && line[hi] != '▲' {
			hi++
		}
		for j := lo; j < hi; j++ {
			line[j] = ' '
		}
	}
	for i, r := range text {
		if col+i < len(line) && line[col+i] != '▲' {
			line[col+i] = r
		}
	}
}
