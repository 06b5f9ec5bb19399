package tui

import (
	"fmt"
	"strings"
	"time"
)

// timeline draws one row per node, newest time at the right edge, and a
// time axis, in a box h tall at screen row y. Columns are aligned to
// multiples of the zoom, so that a mark stays in its column as time scrolls
// past. With more nodes than rows it shows a window that follows the
// selection.
func (m *Model) timeline(w, h, y int) []string { return m.timelineAxis(w, h, y, true) }

func (m *Model) timelineAxis(w, h, y int, withAxis bool) []string {
	zoom := zoomLevels[m.zoom]
	const label = 5 // "n1   "
	cols := max(w-2-label, 0)
	end := m.timelineEnd(m.snap.Now)
	cursorCol := -1
	if m.cur.past {
		end = m.cur.end
	}
	start := end - time.Duration(cols)*zoom
	if m.cur.past {
		cursorCol = int((m.cur.at - start) / zoom)
	}
	m.tl = timelineGeom{x0: 1 + label, cols: cols, start: start, zoom: zoom}

	n := len(m.hist.nodes)
	rows := max(h-2, 0)
	if withAxis {
		rows = max(rows-1, 0)
	}
	first := window(n, rows, m.selected-1)
	last := min(first+rows, n)
	lines := make([]string, 0, h-2)
	var b strings.Builder
	for id := first + 1; id <= last; id++ {
		b.Reset()
		b.WriteString(m.nodeLabel(id, label))
		m.timelineRow(&b, id, start, zoom, cols, cursorCol)
		lines = append(lines, b.String())
		m.hits = append(m.hits, hit{x: 1, y: y + 1 + id - first - 1, w: label, h: 1, node: id, logLine: -1})
	}
	m.tl.y0, m.tl.rows = y+1, last-first
	if withAxis {
		lines = append(lines, strings.Repeat(" ", label)+m.markEnd(axis(start, zoom, cols, cursorCol), start, zoom, cols))
	}
	title := fmt.Sprintf("timeline · one column = %v · now at the right · %s/%s zoom · ←/→ back in time · ? legend",
		zoom, m.keys.ZoomIn.Help().Key, m.keys.ZoomOut.Help().Key)
	if last-first < n {
		title = fmt.Sprintf("timeline n%d-n%d of %d · one column = %v · %s/%s zoom · ←/→ back in time", first+1, last, n,
			zoom, m.keys.ZoomIn.Help().Key, m.keys.ZoomOut.Help().Key)
	}
	if m.cur.past {
		title = fmt.Sprintf("timeline · one column = %v · ▲ cursor t=%.3fs · ←/→ move · click/drag · end: live",
			zoom, m.cur.at.Seconds())
	}
	return m.box(title, lines, w, h)
}

// timelineRow writes cols cells of node id's row covering [start, start +
// cols*zoom): in each column the most important mark in it, or else the
// band in force at its end. Runs of one style share one escape sequence.
//
// Columns at or before what the row has forgotten show ░, and the column of
// a time cursor shows in reverse video.
func (m *Model) timelineRow(b *strings.Builder, id int, start, zoom time.Duration, cols, cursorCol int) {
	h := m.hist.node(id)
	bi := h.bandAt(start)
	mi := h.firstMarkFrom(start)
	kept := h.keptFrom()
	style := -1
	carry := markNone // a decision pushed out of the previous column
	for col := 0; col < cols; col++ {
		colEnd := start + time.Duration(col+1)*zoom
		for bi+1 < h.bands.len() && h.bands.at(bi+1).at < colEnd {
			bi++
		}
		// The column shows its most important mark; when it holds two
		// decisions (a timeout and the win that follows), the earlier
		// shows here and the later takes the next column, so that a
		// short candidacy is never hidden.
		best, decision, decisionAt := carry, carry, time.Duration(-1)
		carry = markNone
		for mi < h.marks.len() && h.marks.at(mi).at < colEnd {
			mk := h.marks.at(mi)
			mi++
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
		var c cell
		switch {
		case kept > 0 && colEnd <= kept:
			c = cell{'░', cellDead}
		case best != markNone:
			c = m.wraps.markCell(id, best)
		case bi >= 0:
			c = m.wraps.bandCell(id, h.bands.at(bi))
		default:
			c = cell{' ', cellPlain}
		}
		if col == cursorCol {
			// The cursor's cell, in reverse video, breaks the run of
			// styles; it shows what the column holds, mark or band.
			if style >= 0 {
				b.WriteString(m.wraps.cellStyles[style].close)
				style = -1
			}
			if c.r == ' ' {
				c.r = '│'
			}
			b.WriteString(m.wraps.selected.apply(string(c.r)))
			continue
		}
		if c.style != style {
			if style >= 0 {
				b.WriteString(m.wraps.cellStyles[style].close)
			}
			style = c.style
			b.WriteString(m.wraps.cellStyles[style].open)
		}
		b.WriteRune(c.r)
	}
	if style >= 0 {
		b.WriteString(m.wraps.cellStyles[style].close)
	}
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
func (m *Model) markEnd(axisLine string, start, zoom time.Duration, cols int) string {
	end := m.scenarioEnd()
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
