package export

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// texts returns the screen picture's <text> elements.
func screenTexts(t *testing.T, scr string, cols, rows int) []*element {
	t.Helper()
	return parseXML(t, ParseScreen(scr, cols, rows).SVG("test")).named("text")
}

// TestScreenPlacesEveryCell checks that each character is placed at its own
// cell's x, a wide one taking two cells, and on its row's baseline.
func TestScreenPlacesEveryCell(t *testing.T) {
	texts := screenTexts(t, "ab 世x\x1b[1mB\x1b[0m\n\x1b[31mred\x1b[0m  é", 12, 3)
	type want struct {
		text string
		cols []int
		row  int
		fill string
		bold bool
	}
	wants := []want{
		{"ab 世x", []int{0, 1, 2, 3, 5}, 0, hex(DefaultTheme.FG), false},
		{"B", []int{6}, 0, hex(DefaultTheme.FG), true},
		{"red", []int{0, 1, 2}, 1, hex(DefaultTheme.Palette[1]), false},
		{"é", []int{5}, 1, hex(DefaultTheme.FG), false},
	}
	if len(texts) != len(wants) {
		t.Fatalf("got %d text elements, want %d", len(texts), len(wants))
	}
	for i, w := range wants {
		el := texts[i]
		var xs []float64
		for _, c := range w.cols {
			xs = append(xs, float64(margin+c*cellW))
		}
		if el.text != w.text || !slices.Equal(floats(t, el.attrs["x"]), xs) {
			t.Errorf("text %d: %q at x=%s, want %q at %v", i, el.text, el.attrs["x"], w.text, xs)
		}
		if y := float(t, el.attrs["y"]); y != float64(margin+w.row*cellH+baseline) {
			t.Errorf("text %q on y=%v, want row %d", el.text, y, w.row)
		}
		if el.attrs["fill"] != w.fill || (el.attrs["font-weight"] == "bold") != w.bold {
			t.Errorf("text %q: fill %s bold %q, want %s bold %v", el.text, el.attrs["fill"], el.attrs["font-weight"], w.fill, w.bold)
		}
	}
}

// TestScreenColours checks backgrounds, reverse video, faint text and
// 24-bit colours.
func TestScreenColours(t *testing.T) {
	svg := parseXML(t, ParseScreen("\x1b[44m  \x1b[0m\x1b[7mR\x1b[0m\x1b[38;2;1;2;3mT\x1b[2mF\x1b[0m", 8, 1).SVG(""))
	var rects []string
	for _, r := range svg.named("rect")[1:] { // the first is the page
		rects = append(rects, fmt.Sprintf("%s,%s %sx%s %s", r.attrs["x"], r.attrs["y"], r.attrs["width"], r.attrs["height"], r.attrs["fill"]))
	}
	want := []string{
		fmt.Sprintf("%d,%d %dx%d %s", margin, margin, 2*cellW, cellH, hex(DefaultTheme.Palette[4])),
		fmt.Sprintf("%d,%d %dx%d %s", margin+2*cellW, margin, cellW, cellH, hex(DefaultTheme.FG)),
	}
	if !slices.Equal(rects, want) {
		t.Errorf("background rectangles %q, want %q", rects, want)
	}
	fills := map[string]string{}
	for _, el := range svg.named("text") {
		fills[el.text] = el.attrs["fill"]
	}
	faint := hex(mix(hexColor(0x010203), DefaultTheme.BG, 0.6))
	if fills["R"] != hex(DefaultTheme.BG) || fills["T"] != "#010203" || fills["F"] != faint {
		t.Errorf("text fills %v: want R in the background colour, T #010203, F %s", fills, faint)
	}
}

// segment is a straight line of a stroked path.
type seg struct{ x1, y1, x2, y2, width float64 }

// strokes reads back the stroked paths' segments: the M, H, V and L
// commands that box drawing uses.
func strokes(t *testing.T, svg *element) []seg {
	t.Helper()
	var out []seg
	for _, p := range svg.named("path") {
		if p.attrs["stroke"] == "" {
			continue
		}
		width := float(t, p.attrs["stroke-width"])
		var x, y float64
		for _, op := range splitPath(p.attrs["d"]) {
			args := floats(t, op[1:])
			switch op[0] {
			case 'M':
				x, y = args[0], args[1]
			case 'H':
				out = append(out, seg{x, y, args[0], y, width})
				x = args[0]
			case 'V':
				out = append(out, seg{x, y, x, args[0], width})
				y = args[0]
			case 'L':
				out = append(out, seg{x, y, args[0], args[1], width})
				x, y = args[0], args[1]
			case 'h':
				out = append(out, seg{x, y, x + args[0], y, width})
				x += args[0]
			case 'v':
				out = append(out, seg{x, y, x, y + args[0], width})
				y += args[0]
			case 'Q':
				x, y = args[2], args[3]
			}
		}
	}
	return out
}

// splitPath cuts path data into commands, each its letter and arguments.
func splitPath(d string) []string {
	var out []string
	start := 0
	for i := 1; i <= len(d); i++ {
		if i == len(d) || (d[i] >= 'A' && d[i] <= 'Z' || d[i] >= 'a' && d[i] <= 'z') {
			out = append(out, strings.ReplaceAll(d[start:i], "-", " -"))
			start = i
		}
	}
	return out
}

// covered reports whether the segments on the line x = at (vertical) or
// y = at (horizontal), of the given width, cover exactly from lo to hi,
// without a gap and without reaching past.
func covered(segs []seg, vertical bool, at, width, lo, hi float64) bool {
	var spans [][2]float64
	for _, s := range segs {
		switch {
		case s.width != width:
		case vertical && s.x1 == at && s.x2 == at:
			spans = append(spans, [2]float64{min(s.y1, s.y2), max(s.y1, s.y2)})
		case !vertical && s.y1 == at && s.y2 == at:
			spans = append(spans, [2]float64{min(s.x1, s.x2), max(s.x1, s.x2)})
		}
	}
	slices.SortFunc(spans, func(a, b [2]float64) int { return int(math.Copysign(1, a[0]-b[0])) })
	if len(spans) == 0 || spans[0][0] != lo {
		return false
	}
	reach := lo
	for _, sp := range spans {
		if sp[0] > reach {
			return false
		}
		reach = max(reach, sp[1])
	}
	return reach == hi
}

// TestScreenBordersJoin checks that box drawing lines run without a gap
// from cell to cell and into the corners, for light, heavy and double
// boxes: the alignment a font's glyphs do not give.
func TestScreenBordersJoin(t *testing.T) {
	for _, box := range []struct {
		name   string
		chars  string // ┌ ─ ┐ │ └ ┘
		widths []float64
		gap    float64 // the offset of each stroke from the centre line
	}{
		{"light", "┌─┐│└┘", []float64{lightWidth}, 0},
		{"heavy", "┏━┓┃┗┛", []float64{heavyWidth}, 0},
		{"double", "╔═╗║╚╝", []float64{lightWidth, lightWidth}, doubleGap},
	} {
		t.Run(box.name, func(t *testing.T) {
			c := []rune(box.chars)
			scr := string(c[0]) + strings.Repeat(string(c[1]), 3) + string(c[2]) + "\n" +
				strings.Repeat(string(c[3])+"   "+string(c[3])+"\n", 2) +
				string(c[4]) + strings.Repeat(string(c[1]), 3) + string(c[5])
			segs := strokes(t, parseXML(t, ParseScreen(scr, 5, 4).SVG("")))
			cx := func(col int) float64 { return float64(margin+col*cellW) + cellW/2.0 }
			cy := func(row int) float64 { return float64(margin+row*cellH) + cellH/2.0 + 0.5 }
			w := box.widths[0]
			// The outer strokes run corner to corner, reaching half a
			// line's width past the crossing line so that the corner is
			// filled; the inner ones (double only) stop at the inner
			// corners.
			outer, inner := -box.gap, box.gap
			checks := []struct {
				what     string
				vertical bool
				at       float64
				lo, hi   float64
			}{
				{"top, outer", false, cy(0) + outer, cx(0) + outer - w/2, cx(4) - outer + w/2},
				{"bottom, outer", false, cy(3) - outer, cx(0) + outer - w/2, cx(4) - outer + w/2},
				{"left, outer", true, cx(0) + outer, cy(0) + outer - w/2, cy(3) - outer + w/2},
				{"right, outer", true, cx(4) - outer, cy(0) + outer - w/2, cy(3) - outer + w/2},
				{"top, inner", false, cy(0) + inner, cx(0) + inner - w/2, cx(4) - inner + w/2},
				{"left, inner", true, cx(0) + inner, cy(0) + inner - w/2, cy(3) - inner + w/2},
			}
			for _, ch := range checks {
				if !covered(segs, ch.vertical, ch.at, w, ch.lo, ch.hi) {
					t.Errorf("%s line at %v: not drawn from %v to %v in width %v", ch.what, ch.at, ch.lo, ch.hi, w)
				}
			}
		})
	}
}

// TestScreenBrailleDots checks that braille dots sit at their cell's
// quarters across and eighths down, each in its place by the Unicode
// numbering: dots 1-3 down the left, 4-6 down the right, 7 and 8 below.
func TestScreenBrailleDots(t *testing.T) {
	left, right := margin+cellW/4.0, margin+cellW*3/4.0
	row := func(r int) float64 { return margin + cellH*float64(1+2*r)/8 }
	for _, tc := range []struct {
		char string
		dots [][2]float64
	}{
		{"⠁", [][2]float64{{left, row(0)}}},                   // dot 1
		{"⠄", [][2]float64{{left, row(2)}}},                   // dot 3
		{"⠈", [][2]float64{{right, row(0)}}},                  // dot 4
		{"⠠", [][2]float64{{right, row(2)}}},                  // dot 6
		{"⡀", [][2]float64{{left, row(3)}}},                   // dot 7
		{"⢀", [][2]float64{{right, row(3)}}},                  // dot 8
		{"⡂", [][2]float64{{left, row(1)}, {left, row(3)}}},   // dots 2 and 7
		{"⢐", [][2]float64{{right, row(1)}, {right, row(3)}}}, // dots 5 and 8
	} {
		svg := parseXML(t, ParseScreen(tc.char, 1, 1).SVG(""))
		var centres [][2]float64
		for _, p := range svg.named("path") {
			for _, op := range splitPath(p.attrs["d"]) {
				if op[0] == 'M' {
					v := floats(t, op[1:])
					centres = append(centres, [2]float64{v[0] + 1.25, v[1]}) // M starts a dot's left edge
				}
			}
		}
		if !slices.Equal(centres, tc.dots) {
			t.Errorf("%s: dots at %v, want %v", tc.char, centres, tc.dots)
		}
	}
}

// TestScreenCutsToSize checks that lines past the screen and characters
// past its edge are cut off, not wrapped.
func TestScreenCutsToSize(t *testing.T) {
	got := ParseScreen("abcdef\nxy\nthird", 4, 2).Text()
	if want := "abcd\nxy\n"; got != want {
		t.Errorf("screen text %q, want %q", got, want)
	}
}

// TestScreenQueriesDoNotHang checks that a view that asks the terminal for
// its cursor position and attributes is parsed, not stuck waiting for
// someone to read the answers.
func TestScreenQueriesDoNotHang(t *testing.T) {
	if got := ParseScreen("\x1b[6n\x1b[c\x1b[>cok", 4, 1).Text(); got != "ok\n" {
		t.Errorf("screen text %q, want ok", got)
	}
}

// TestScreenSVGIsDeterministic checks that one screen gives one picture.
func TestScreenSVGIsDeterministic(t *testing.T) {
	scr := "\x1b[1;38;2;255;135;215mn2\x1b[0m ┌─┐ ⣿ █▒ ╭╮\n\x1b[7mx\x1b[0m"
	a, b := ParseScreen(scr, 20, 2).SVG("t"), ParseScreen(scr, 20, 2).SVG("t")
	if !bytes.Equal(a, b) {
		t.Error("the same screen gave two pictures")
	}
}
