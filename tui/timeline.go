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
	end := (m.snap.Now/zoom + 1) * zoom
	start := end - time.Duration(cols)*zoom

	rows := make([]string, 0, h-2)
	var b strings.Builder
	for i := range m.hist.nodes {
		id := i + 1
		b.Reset()
		b.WriteString(m.nodeLabel(id, label))
		m.timelineRow(&b, id, start, zoom, cols)
		rows = append(rows, b.String())
	}
	rows = append(rows, strings.Repeat(" ", label)+axis(start, zoom, cols))
	title := fmt.Sprintf("timeline · one column = %v · now at the right · %s/%s zoom · ? legend",
		zoom, m.keys.ZoomIn.Help().Key, m.keys.ZoomOut.Help().Key)
	return m.box(title, rows, w, h)
}

// timelineRow writes cols cells of node id's row covering [start, start +
// cols*zoom): in each column the most important mark in it, or else the
// band in force at its end. Runs of one style share one escape sequence.
func (m *Model) timelineRow(b *strings.Builder, id int, start, zoom time.Duration, cols int) {
	h := m.hist.node(id)
	bi := h.bandAt(start)
	mi := h.firstMarkFrom(start)
	style := -1
	for col := 0; col < cols; col++ {
		colEnd := start + time.Duration(col+1)*zoom
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

// axis labels every tenth column with its time.
func axis(start, zoom time.Duration, cols int) string {
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
