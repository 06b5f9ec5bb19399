package export

import (
	"image/color"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
)

// A screen picture places every cell on a fixed grid: cellW x cellH pixels,
// whatever font the viewer has. Text is written one <text> per run of
// cells of one style, with an explicit x for every character, so that a
// font whose advance differs from cellW still puts each glyph in its own
// cell. Box drawing, block elements and braille are drawn as shapes, cell
// by cell, so that borders join and the map's dots line up in any viewer.
const (
	cellW    = 9  // pixels: 0.6 of the font size, a monospace font's advance
	cellH    = 18 // pixels: 1.2 lines
	fontSize = 15
	baseline = 14 // pixels from a cell's top to the text's baseline
	margin   = 10 // pixels of background around the screen
)

// fontFamily names monospace fonts that have box drawing, arrows and
// geometric shapes; any of them (or the viewer's monospace) will do, since
// no position depends on the font.
const fontFamily = `'DejaVu Sans Mono','Menlo','Consolas','Liberation Mono',monospace`

// Screen is what a terminal shows: cols x rows cells, each with its
// grapheme and style, as a terminal emulator decoded them.
type Screen struct {
	Cols, Rows int
	cells      []uv.Cell // row by row
}

// ParseScreen shows s (what a Bubble Tea view draws: lines of text and
// escape codes, separated by newlines) on a cols x rows terminal emulator
// and returns the screen it shows. Lines past the last row and cells past
// the last column are cut off, as the live view cuts them.
func ParseScreen(s string, cols, rows int) *Screen {
	p := newTerminal(cols, rows)
	defer p.close()
	return p.show(s)
}

// terminal is a terminal emulator that views are shown on, one after the
// other.
type terminal struct {
	emu        *vt.Emulator
	cols, rows int
	answers    io.Closer
	drained    chan struct{}
}

func newTerminal(cols, rows int) *terminal {
	t := &terminal{cols: max(cols, 1), rows: max(rows, 1), drained: make(chan struct{})}
	t.emu = vt.NewEmulator(t.cols, t.rows)
	// The emulator answers queries (a cursor position report, say) on its
	// input pipe, and a write blocks until someone reads the answer: drain
	// it, so that no screen can hang the parse. Closing the pipe's writer
	// ends the drain; Emulator.Close would too, but it sets a flag that
	// Read reads without a lock (a data race in vt v0.1.0).
	t.answers = t.emu.InputPipe().(io.Closer)
	go func() {
		_, _ = io.Copy(io.Discard, t.emu)
		close(t.drained)
	}()
	return t
}

// close stops the drain of the emulator's answers.
func (t *terminal) close() {
	_ = t.answers.Close()
	<-t.drained
}

// resize makes the terminal cols x rows.
func (t *terminal) resize(cols, rows int) {
	t.cols, t.rows = cols, rows
	t.emu.Resize(cols, rows)
}

// write sends raw output to the terminal, as a program writes it.
func (t *terminal) write(s string) { _, _ = t.emu.WriteString(s) }

// show clears the screen and draws view on it, each line from its row's
// first column.
func (t *terminal) show(view string) *Screen {
	var b strings.Builder
	b.WriteString("\x1b[0m\x1b[H\x1b[2J")
	b.WriteString("\x1b[?7l") // no wrapping, should a line be wider than it measures
	for i, line := range strings.SplitN(view, "\n", t.rows+1) {
		if i == t.rows {
			break
		}
		b.WriteString("\x1b[")
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteString(";1H")
		b.WriteString(ansi.Truncate(strings.TrimSuffix(line, "\r"), t.cols, ""))
	}
	t.write(b.String())
	return t.screen()
}

// screen returns what the terminal shows.
func (t *terminal) screen() *Screen {
	scr := &Screen{Cols: t.cols, Rows: t.rows, cells: make([]uv.Cell, t.cols*t.rows)}
	for y := range t.rows {
		for x := range t.cols {
			if c := t.emu.CellAt(x, y); c != nil {
				scr.cells[y*t.cols+x] = *c
			} else {
				scr.cells[y*t.cols+x] = uv.EmptyCell
			}
		}
	}
	return scr
}

// Cell returns the cell at column x, row y (from 0).
func (s *Screen) Cell(x, y int) uv.Cell { return s.cells[y*s.Cols+x] }

// Text returns the screen's characters without styles, one line per row,
// trailing spaces trimmed.
func (s *Screen) Text() string {
	var b strings.Builder
	for y := range s.Rows {
		var line strings.Builder
		for x := range s.Cols {
			c := s.Cell(x, y)
			switch {
			case c.Width == 0 && c.Content == "":
				// the second half of a wide character
			case c.Content == "":
				line.WriteByte(' ')
			default:
				line.WriteString(c.Content)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// look is how a cell is drawn, its colours resolved against the theme.
type look struct {
	fg, bg                  color.RGBA
	bold, italic, invisible bool
	underline, strike       bool
}

func (t *Theme) look(st *uv.Style) look {
	l := look{fg: t.resolve(st.Fg, t.FG), bg: t.resolve(st.Bg, t.BG)}
	if st.Attrs&uv.AttrReverse != 0 {
		l.fg, l.bg = l.bg, l.fg
	}
	if st.Attrs&uv.AttrFaint != 0 {
		l.fg = mix(l.fg, l.bg, 0.6)
	}
	l.bold = st.Attrs&uv.AttrBold != 0
	l.italic = st.Attrs&uv.AttrItalic != 0
	l.invisible = st.Attrs&uv.AttrConceal != 0
	l.underline = st.Underline != uv.UnderlineNone
	l.strike = st.Attrs&uv.AttrStrikethrough != 0
	return l
}

// sameText reports whether two looks write text the same way.
func (l look) sameText(o look) bool {
	return l.fg == o.fg && l.bold == o.bold && l.italic == o.italic
}

// SVG draws the screen as an SVG picture with the given title (which may be
// empty), in DefaultTheme's colours.
func (s *Screen) SVG(title string) []byte {
	t := &DefaultTheme
	d := &svgDoc{}
	w, h := float64(s.Cols*cellW+2*margin), float64(s.Rows*cellH+2*margin)
	d.open(w, h, title, `font-family="`+fontFamily+`" font-size="`+strconv.Itoa(fontSize)+`" xml:space="preserve"`)
	d.rect(0, 0, w, h, hex(t.BG), "")

	looks := make([]look, len(s.cells))
	for i := range s.cells {
		looks[i] = t.look(&s.cells[i].Style)
	}
	s.backgrounds(d, looks, t.BG)
	var shapes paths
	for y := range s.Rows {
		for x := range s.Cols {
			c, l := s.Cell(x, y), looks[y*s.Cols+x]
			x0, y0 := cellX(x), cellY(y)
			if l.underline {
				shapes.get("f"+hex(l.fg)).rect(x0, y0+cellH-2, float64(max(c.Width, 1)*cellW), 1)
			}
			if l.strike {
				shapes.get("f"+hex(l.fg)).rect(x0, y0+cellH/2, float64(max(c.Width, 1)*cellW), 1)
			}
			if r, size := utf8.DecodeRuneInString(c.Content); !l.invisible && size == len(c.Content) {
				drawGlyph(&shapes, r, x0, y0, l)
			}
		}
	}
	writePaths(d, &shapes)
	s.texts(d, looks)
	d.close()
	return d.Bytes()
}

func cellX(x int) float64 { return float64(margin + x*cellW) }
func cellY(y int) float64 { return float64(margin + y*cellH) }

// backgrounds draws one rectangle per run of cells in a row that share a
// background other than the default.
func (s *Screen) backgrounds(d *svgDoc, looks []look, def color.RGBA) {
	for y := range s.Rows {
		row := looks[y*s.Cols : (y+1)*s.Cols]
		for x := 0; x < s.Cols; {
			end := x + 1
			for end < s.Cols && row[end].bg == row[x].bg {
				end++
			}
			if row[x].bg != def {
				d.rect(cellX(x), cellY(y), float64((end-x)*cellW), cellH, hex(row[x].bg), "")
			}
			x = end
		}
	}
}

// texts writes the characters that are drawn as text: one <text> per run
// of cells in a row with the same look, spaces included inside a run,
// each character at its own cell's x.
func (s *Screen) texts(d *svgDoc, looks []look) {
	var cur *textRun
	flush := func() {
		if cur != nil {
			cur.write(d)
			cur = nil
		}
	}
	for y := range s.Rows {
		for x := range s.Cols {
			c, l := s.Cell(x, y), looks[y*s.Cols+x]
			if c.Width == 0 && c.Content == "" {
				continue // the second half of a wide character
			}
			if c.Content == "" || c.Content == " " || l.invisible {
				if cur != nil {
					cur.add(x, " ")
				}
				continue
			}
			r, size := utf8.DecodeRuneInString(c.Content)
			if isShape(r) && size == len(c.Content) {
				flush()
				continue
			}
			if cur != nil && !cur.l.sameText(l) {
				flush()
			}
			if cur == nil {
				cur = &textRun{l: l, y: y}
			}
			cur.add(x, c.Content)
			if size != len(c.Content) {
				// A cluster of several runes (a base and its combining
				// marks) gets one x: it stands alone.
				flush()
			}
		}
		flush()
	}
}

// textRun is a run of cells in row y written as one <text>: their
// characters, and the x of each.
type textRun struct {
	l     look
	y     int
	xs    []float64
	chars strings.Builder
}

func (t *textRun) add(col int, chars string) {
	t.xs = append(t.xs, cellX(col))
	t.chars.WriteString(chars)
}

// write writes the run, its trailing spaces left out.
func (t *textRun) write(d *svgDoc) {
	text := t.chars.String()
	trimmed := strings.TrimRight(text, " ")
	d.WriteString(`<text x="`)
	for i, x := range t.xs[:len(t.xs)-(len(text)-len(trimmed))] {
		if i > 0 {
			d.WriteByte(' ')
		}
		d.num(x)
	}
	d.WriteByte('"')
	d.numAttr("y", cellY(t.y)+baseline)
	d.attr("fill", hex(t.l.fg))
	if t.l.bold {
		d.attr("font-weight", "bold")
	}
	if t.l.italic {
		d.attr("font-style", "italic")
	}
	d.WriteByte('>')
	d.text(trimmed)
	d.WriteString("</text>\n")
}
