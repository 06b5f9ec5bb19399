package export

import "strings"

// Box drawing (U+2500-U+257F), block elements (U+2580-U+259F) and braille
// (U+2800-U+28FF) are drawn as shapes that fill their cell exactly, as
// terminals such as kitty and WezTerm draw them: a font's glyphs for them
// are sized to the font's own line height, so that a border drawn with
// them has gaps between rows, and a braille dot's place varies from font to
// font.

func isShape(r rune) bool {
	return r >= 0x2500 && r <= 0x259f || r >= 0x2800 && r <= 0x28ff
}

// boxLines gives, for each character from U+2500 on, the weight of its line
// toward up, right, down and left: 0 none, 1 light, 2 heavy, 3 double. It
// was made from the characters' Unicode names (BOX DRAWINGS DOWN LIGHT AND
// RIGHT HEAVY is 0210). Dashes, arcs and diagonals are drawn apart (see
// drawBox); their entries give the directions they join.
const boxLines = "" +
	"01010202101020200101020210102020" + // ─━│┃┄┅┆┇
	"01010202101020200110021001200220" + // ┈┉┊┋┌┍┎┏
	"00110012002100221100120021002200" + // ┐┑┒┓└┕┖┗
	"10011002200120021110121021101120" + // ┘┙┚┛├┝┞┟
	"21202210122022201011101220111021" + // ┠┡┢┣┤┥┦┧
	"20212012102220220111011202110212" + // ┨┩┪┫┬┭┮┯
	"01210122022102221101110212011202" + // ┰┱┲┳┴┵┶┷
	"21012102220122021111111212111212" + // ┸┹┺┻┼┽┾┿
	"21111121212121122211112212212212" + // ╀╁╂╃╄╅╆╇
	"12222122222122220101020210102020" + // ╈╉╊╋╌╍╎╏
	"03033030031001300330001300310033" + // ═║╒╓╔╕╖╗
	"13003100330010033001300313103130" + // ╘╙╚╛╜╝╞╟
	"33301013303130330313013103331303" + // ╠╡╢╣╤╥╦╧
	"31013303131331313333011000111001" + // ╨╩╪╫╬╭╮╯
	"11000000000000000001100001000010" + // ╰╱╲╳╴╵╶╷
	"00022000020000200201102001022010" // ╸╹╺╻╼╽╾╿

// The directions, in boxLines' order.
const (
	up = iota
	right
	down
	left
)

// Line widths and the distance of a double line's two strokes from the
// cell's centre line. The centre sits on a pixel's middle (see drawBox), so
// 1- and 3-pixel lines are crisp.
const (
	lightWidth = 1
	heavyWidth = 3
	doubleGap  = 2
)

// halfWidth is how far a line of weight w reaches from the centre line: the
// length by which a crossing line must reach past the centre to join it.
func halfWidth(w byte) float64 {
	switch w {
	case 1:
		return lightWidth / 2.0
	case 2:
		return heavyWidth / 2.0
	case 3:
		return doubleGap + lightWidth/2.0
	}
	return 0
}

// dashes is how many dashes a dashed line has, by character.
var dashes = map[rune]int{
	'┄': 3, '┅': 3, '┆': 3, '┇': 3, '┈': 4, '┉': 4, '┊': 4, '┋': 4,
	'╌': 2, '╍': 2, '╎': 2, '╏': 2,
}

// drawGlyph adds the shapes of r, if it is drawn as shapes, to ps for the
// cell at (x0, y0).
func drawGlyph(ps *paths, r rune, x0, y0 float64, l look) {
	switch {
	case r >= 0x2500 && r <= 0x257f:
		drawBox(ps, r, x0, y0, hex(l.fg))
	case r >= 0x2580 && r <= 0x259f:
		drawBlock(ps, r, x0, y0, l)
	case r >= 0x2800 && r <= 0x28ff:
		drawBraille(ps.get("f"+hex(l.fg)), r, x0, y0)
	}
}

// drawBox draws a box drawing character: from the cell's centre a line to
// the middle of each side it joins, so that neighbouring cells' lines meet.
func drawBox(ps *paths, r rune, x0, y0 float64, col string) {
	c := boxCell{x0: x0, y0: y0, cx: x0 + cellW/2.0, cy: y0 + cellH/2.0 + 0.5}
	i := int(r-0x2500) * 4
	c.w = [4]byte{boxLines[i] - '0', boxLines[i+1] - '0', boxLines[i+2] - '0', boxLines[i+3] - '0'}
	stroke := func(width float64) *path { return ps.get("s" + col + " " + string(appendNum(nil, width))) }
	switch {
	case r >= '╱' && r <= '╳':
		c.diagonals(stroke(lightWidth), r)
	case r >= '╭' && r <= '╰':
		c.arc(stroke(lightWidth))
	case dashes[r] > 0:
		width := float64(lightWidth)
		if max(c.w[up], c.w[right]) == 2 {
			width = heavyWidth
		}
		drawDashes(stroke(width), dashes[r], c.w[right] != 0, x0, y0, c.cx, c.cy)
	default:
		for dir := range 4 {
			c.arm(stroke, dir)
		}
	}
}

// boxCell is a cell of box drawing: its corner, its centre, and the weight
// of its line in each direction.
type boxCell struct {
	x0, y0, cx, cy float64
	w              [4]byte
}

// diagonals draws ╱, ╲ or both (╳), corner to corner.
func (c *boxCell) diagonals(p *path, r rune) {
	if r != '╲' {
		p.op('M', c.x0+cellW, c.y0)
		p.op('L', c.x0, c.y0+cellH)
	}
	if r != '╱' {
		p.op('M', c.x0, c.y0)
		p.op('L', c.x0+cellW, c.y0+cellH)
	}
}

// arc draws a rounded corner: a quarter curve around the corner between
// its two lines, a quadratic curve with the centre as control.
func (c *boxCell) arc(p *path) {
	vert, horiz := up, left
	if c.w[down] != 0 {
		vert = down
	}
	if c.w[right] != 0 {
		horiz = right
	}
	const radius = 4
	sx, sy := sign(horiz), sign(vert)
	p.op('M', c.cx, edge(vert, c.x0, c.y0))
	p.op('V', c.cy+sy*radius)
	p.op('Q', c.cx, c.cy, c.cx+sx*radius, c.cy)
	p.op('H', edge(horiz, c.x0, c.y0))
}

// arm draws the line toward dir, if the character has one: reaching past
// the centre to join the crossing lines; a double line as two strokes,
// each stopping where it meets a crossing double line on its own side (an
// inner corner), or reaching past the centre to meet the crossing line on
// the other side (an outer corner), or to cover a single crossing line.
func (c *boxCell) arm(stroke func(float64) *path, dir int) {
	if c.w[dir] == 0 {
		return
	}
	// The two crossing directions, on the negative side (up or left) and
	// the positive side (down or right) of this line.
	neg, pos := c.w[up], c.w[down]
	if dir == up || dir == down {
		neg, pos = c.w[left], c.w[right]
	}
	if c.w[dir] != 3 {
		width := float64(lightWidth)
		if c.w[dir] == 2 {
			width = heavyWidth
		}
		segment(stroke(width), dir, c.x0, c.y0, c.cx, c.cy, 0, max(halfWidth(neg), halfWidth(pos)))
		return
	}
	for _, side := range []float64{-1, 1} {
		own, other := neg, pos
		if side > 0 {
			own, other = pos, neg
		}
		var back float64
		switch {
		case own == 3:
			back = -(doubleGap - lightWidth/2.0)
		case own != 0:
			back = halfWidth(own)
		case other != 0:
			back = halfWidth(other)
		}
		segment(stroke(lightWidth), dir, c.x0, c.y0, c.cx, c.cy, side*doubleGap, back)
	}
}

// segment draws a line from the centre, moved across by offset, to the cell's
// edge in direction dir, starting back pixels behind the centre.
func segment(p *path, dir int, x0, y0, cx, cy, offset, back float64) {
	switch dir {
	case up, down:
		s := sign(dir)
		p.op('M', cx+offset, cy-s*back)
		p.op('V', edge(dir, x0, y0))
	default:
		s := sign(dir)
		p.op('M', cx-s*back, cy+offset)
		p.op('H', edge(dir, x0, y0))
	}
}

// edge is the coordinate of the cell's side in direction dir.
func edge(dir int, x0, y0 float64) float64 {
	switch dir {
	case up:
		return y0
	case down:
		return y0 + cellH
	case left:
		return x0
	}
	return x0 + cellW
}

// sign is -1 toward up or left, 1 toward down or right.
func sign(dir int) float64 {
	if dir == up || dir == left {
		return -1
	}
	return 1
}

// drawDashes draws a dashed line of n dashes across the cell.
func drawDashes(p *path, n int, horizontal bool, x0, y0, cx, cy float64) {
	length := float64(cellH)
	if horizontal {
		length = cellW
	}
	step := length / float64(n)
	for i := range n {
		from := float64(i)*step + step/4
		if horizontal {
			p.op('M', x0+from, cy)
			p.op('h', step/2)
		} else {
			p.op('M', cx, y0+from)
			p.op('v', step/2)
		}
	}
}

// drawBlock draws a block element: a part of the cell filled, or a shade.
func drawBlock(ps *paths, r rune, x0, y0 float64, l look) {
	p := ps.get("f" + hex(l.fg))
	const w, h = float64(cellW), float64(cellH)
	switch {
	case r == '▀':
		p.rect(x0, y0, w, h/2)
	case r >= '▁' && r <= '█': // lower eighths, up to full
		f := float64(r-'▁'+1) / 8
		p.rect(x0, y0+h*(1-f), w, h*f)
	case r >= '▉' && r <= '▏': // left eighths, from 7/8 down
		p.rect(x0, y0, w*float64('▏'-r+1)/8, h)
	case r == '▐':
		p.rect(x0+w/2, y0, w/2, h)
	case r >= '░' && r <= '▓':
		shade := float64(r-'░'+1) / 4
		ps.get("f"+hex(mix(l.fg, l.bg, shade))).rect(x0, y0, w, h)
	case r == '▔':
		p.rect(x0, y0, w, h/8)
	case r == '▕':
		p.rect(x0+w*7/8, y0, w/8, h)
	default: // quadrants, U+2596-U+259F
		for q, on := range quadrants[r-'▖'] {
			if on != ' ' {
				p.rect(x0+float64(q%2)*w/2, y0+float64(q/2)*h/2, w/2, h/2)
			}
		}
	}
}

// quadrants lists, for each quadrant character from U+2596, which of
// upper left, upper right, lower left, lower right it fills.
var quadrants = [...]string{
	"  # ", // ▖
	"   #", // ▗
	"#   ", // ▘
	"# ##", // ▙
	"#  #", // ▚
	"### ", // ▛
	"## #", // ▜
	" #  ", // ▝
	" ## ", // ▞
	" ###", // ▟
}

// brailleDots lists the dots of a braille cell by bit: column, row.
var brailleDots = [8][2]float64{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}, {0, 3}, {1, 3}}

// drawBraille draws a braille character's dots: two columns at a quarter
// and three quarters of the cell's width, four rows at the eighths.
func drawBraille(p *path, r rune, x0, y0 float64) {
	const radius = 1.25
	bits := r - 0x2800
	for bit, at := range brailleDots {
		if bits&(1<<bit) == 0 {
			continue
		}
		cx := x0 + cellW*(1+2*at[0])/4
		cy := y0 + cellH*(1+2*at[1])/8
		p.circle(cx, cy, radius)
	}
}

func (p *path) rect(x, y, w, h float64) {
	p.op('M', x, y)
	p.op('h', w)
	p.op('v', h)
	p.op('h', -w)
	p.b = append(p.b, 'z')
}

func (p *path) circle(cx, cy, r float64) {
	p.op('M', cx-r, cy)
	p.op('a', r, r, 0, 1, 0, 2*r, 0)
	p.op('a', r, r, 0, 1, 0, -2*r, 0)
}

// writePaths writes the collected shapes: keys starting with f are fills
// ("f#rrggbb"), with s strokes ("s#rrggbb width").
func writePaths(d *svgDoc, ps *paths) {
	for _, k := range ps.keys {
		p := ps.byID[k]
		d.WriteString("<path")
		if k[0] == 'f' {
			d.attr("fill", k[1:])
		} else {
			col, width, _ := strings.Cut(k[1:], " ")
			d.WriteString(` fill="none"`)
			d.attr("stroke", col)
			d.attr("stroke-width", width)
		}
		d.WriteString(` d="`)
		d.Write(p.b)
		d.WriteString("\"/>\n")
	}
}
