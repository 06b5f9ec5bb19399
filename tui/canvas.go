package tui

import "strings"

// canvas is a grid of character cells, each a rune and the index of its
// style, with Unicode braille dots (2x4 to a cell) for lines. It is drawn
// by hand rather than with ntcharts' canvas, which keeps a lipgloss.Style
// per cell and renders every cell through lipgloss: too slow for a map
// redrawn 30 times a second within a 2ms View. Here a run of cells in one
// style costs one escape sequence.
type canvas struct {
	w, h  int
	runes []rune
	style []uint8
	dots  []uint8 // braille bits, for cells that hold line dots
}

func newCanvas(w, h int) *canvas {
	w, h = max(w, 0), max(h, 0)
	c := &canvas{w: w, h: h, runes: make([]rune, w*h), style: make([]uint8, w*h), dots: make([]uint8, w*h)}
	c.clear()
	return c
}

func (c *canvas) clear() {
	for i := range c.runes {
		c.runes[i] = ' '
	}
	clear(c.style)
	clear(c.dots)
}

// copyFrom makes c a copy of o, which has the same size.
func (c *canvas) copyFrom(o *canvas) {
	copy(c.runes, o.runes)
	copy(c.style, o.style)
	copy(c.dots, o.dots)
}

// set puts r in style s at cell (x, y), if it is on the canvas.
func (c *canvas) set(x, y int, r rune, s uint8) {
	if x < 0 || y < 0 || x >= c.w || y >= c.h {
		return
	}
	i := y*c.w + x
	c.runes[i], c.style[i], c.dots[i] = r, s, 0
}

// text writes s from cell (x, y) rightwards, one rune a cell.
func (c *canvas) text(x, y int, s string, st uint8) {
	for _, r := range s {
		c.set(x, y, r, st)
		x++
	}
}

// brailleBits[dy][dx] is the dot of sub-cell (dx, dy) in a braille cell.
var brailleBits = [4][2]uint8{{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}}

// dot sets braille dot (x, y), in dot coordinates (2 a cell across, 4
// down), in style s; a cell holding a glyph keeps it.
func (c *canvas) dot(x, y int, s uint8) {
	cx, cy := x>>1, y>>2
	if x < 0 || y < 0 || cx >= c.w || cy >= c.h {
		return
	}
	i := cy*c.w + cx
	if c.dots[i] == 0 && c.runes[i] != ' ' {
		return
	}
	c.dots[i] |= brailleBits[y&3][x&1]
	c.runes[i] = rune(0x2800 + int(c.dots[i]))
	c.style[i] = max(c.style[i], s)
}

// line draws braille dots from (x0, y0) to (x1, y1), in dot coordinates;
// with dashed, every other pair of dots is left out.
func (c *canvas) line(x0, y0, x1, y1 int, s uint8, dashed bool) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	err := dx + dy
	for step := 0; ; step++ {
		if !dashed || step&2 == 0 {
			c.dot(x0, y0, s)
		}
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * err
		if e2 >= dy {
			err += dy
			x0 += sx
		}
		if e2 <= dx {
			err += dx
			y0 += sy
		}
	}
}

// row writes row y to b, styles from wraps, runs of one style sharing
// one escape sequence.
func (c *canvas) row(b *strings.Builder, y int, wraps []wrap) {
	cur := -1
	for x := 0; x < c.w; x++ {
		i := y*c.w + x
		if s := int(c.style[i]); s != cur {
			if cur >= 0 {
				b.WriteString(wraps[cur].close)
			}
			cur = s
			b.WriteString(wraps[cur].open)
		}
		b.WriteRune(c.runes[i])
	}
	if cur >= 0 {
		b.WriteString(wraps[cur].close)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}
