package tui

import (
	"fmt"
	"strings"
	"time"
)

// timeline draws one row per node, newest time at the right edge, and a
// time axis, in a box h tall. Columns are aligned to multiples of the zoom,
// so that a mark stays in its column as time scrolls past.
func (m *Model) timeline(w, h int) []string {
	zoom := zoomLevels[m.zoom]
	const label = 4 // "n1  "
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
	m.tl = timelineGeom{x0: 1 + label, y0: m.tl.y0, cols: cols, rows: len(m.hist.nodes), start: start, zoom: zoom}

	rows := make([]string, 0, h-2)
	var b strings.Builder
	for i := range m.hist.nodes {
		id := i + 1
		b.Reset()
		b.WriteString(m.nodeLabel(id, label))
		m.timelineRow(&b, id, start, zoom, cols, cursorCol)
		rows = append(rows, b.String())
	}
	rows = append(rows, strings.Repeat(" ", label)+axis(start, zoom, cols, cursorCol))
	title := fmt.Sprintf("timeline · one column = %v · now at the right · %s/%s zoom · ←/→ back in time · ? legend",
		zoom, m.keys.ZoomIn.Help().Key, m.keys.ZoomOut.Help().Key)
	if m.cur.past {
		title = fmt.Sprintf("timeline · one column = %v · ▲ cursor t=%.3fs · ←/→ move · click/drag · end: live",
			zoom, m.cur.at.Seconds())
	}
	return m.box(title, rows, w, h)
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
	for col := 0; col < cols; col++ {
		colEnd := start + time.Duration(col+1)*zoom
		if col == cursorCol {
			// The cursor's cell breaks the run of styles.
			if style >= 0 {
				b.WriteString(m.wraps.cellStyles[style].close)
				style = -1
			}
			for mi < h.marks.len() && h.marks.at(mi).at < colEnd {
				mi++
			}
			for bi+1 < h.bands.len() && h.bands.at(bi+1).at < colEnd {
				bi++
			}
			r := '│'
			if bi >= 0 {
				r = m.wraps.bandCell(id, h.bands.at(bi)).r
			}
			b.WriteString(m.wraps.selected.apply(string(r)))
			continue
		}
		for bi+1 < h.bands.len() && h.bands.at(bi+1).at < colEnd {
			bi++
		}
		best := markNone
		for mi < h.marks.len() && h.marks.at(mi).at < colEnd {
			best = max(best, h.marks.at(mi).kind)
			mi++
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
		line[cursorCol] = '▲'
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
