package export

import (
	"fmt"
	"image/color"

	"github.com/charmbracelet/x/ansi"
)

// Theme is what a terminal's colours mean: the default foreground and
// background, and the 16 ANSI colours that a program names by number. The
// SVG of a screen and the header of a recording carry the same theme, so
// that a frame looks the same in both.
type Theme struct {
	FG, BG  color.RGBA
	Palette [16]color.RGBA
}

// DefaultTheme is a dark terminal, as raftty's styles assume, with xterm's
// 16 colours.
var DefaultTheme = Theme{
	FG: hexColor(0xd0d0d0),
	BG: hexColor(0x161616),
	Palette: [16]color.RGBA{
		hexColor(0x000000), hexColor(0xcd0000), hexColor(0x00cd00), hexColor(0xcdcd00),
		hexColor(0x0000ee), hexColor(0xcd00cd), hexColor(0x00cdcd), hexColor(0xe5e5e5),
		hexColor(0x7f7f7f), hexColor(0xff0000), hexColor(0x00ff00), hexColor(0xffff00),
		hexColor(0x5c5cff), hexColor(0xff00ff), hexColor(0x00ffff), hexColor(0xffffff),
	},
}

func hexColor(v uint32) color.RGBA {
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// resolve turns a cell's colour into RGB: nil is the default (def), the
// 16 ANSI colours come from the theme, the rest are what they say.
func (t *Theme) resolve(c color.Color, def color.RGBA) color.RGBA {
	switch c := c.(type) {
	case nil:
		return def
	case ansi.BasicColor:
		return t.Palette[c&15]
	case ansi.IndexedColor:
		if c < 16 {
			return t.Palette[c]
		}
	}
	r, g, b, _ := c.RGBA()
	return color.RGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0xff}
}

// mix returns a blended with b: frac of a, the rest b.
func mix(a, b color.RGBA, frac float64) color.RGBA {
	// Each product is rounded before the sum, so that no machine fuses
	// them into a multiply-add that rounds otherwise.
	m := func(x, y uint8) uint8 { return uint8(float64(float64(x)*frac) + float64(float64(y)*(1-frac)) + 0.5) }
	return color.RGBA{R: m(a.R, b.R), G: m(a.G, b.G), B: m(a.B, b.B), A: 0xff}
}

// hex writes c as #rrggbb.
func hex(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
