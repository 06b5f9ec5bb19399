// Package export takes a raftty run out of the terminal: a screen as an SVG
// picture, a run as an asciicast recording, its messages as a spacetime
// diagram, and the bench's measurements as the paper's Figure 16.
//
// Everything here is a pure function of its input: the same screen, run or
// results give the same bytes, so that a picture checked into the
// repository can be compared with what the command makes now.
package export

import (
	"bytes"
	"math"
	"strconv"
	"strings"
)

// svgDoc builds an SVG document: elements are appended as text, numbers
// written with at most two decimals, so that the output is compact and the
// same on every machine.
type svgDoc struct {
	bytes.Buffer
}

// open writes the document's start: a width x height picture in user units
// (pixels), with an accessible title.
func (d *svgDoc) open(width, height float64, title string, attrs string) {
	d.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="`)
	d.num(width)
	d.WriteString(`" height="`)
	d.num(height)
	d.WriteString(`" viewBox="0 0 `)
	d.num(width)
	d.WriteByte(' ')
	d.num(height)
	d.WriteByte('"')
	d.extra(attrs)
	d.WriteString(">\n")
	if title != "" {
		d.WriteString("<title>")
		d.text(title)
		d.WriteString("</title>\n")
	}
}

func (d *svgDoc) close() { d.WriteString("</svg>\n") }

// num writes v with at most two decimals.
func (d *svgDoc) num(v float64) {
	d.Write(appendNum(d.AvailableBuffer(), v))
}

func appendNum(b []byte, v float64) []byte {
	v = math.Round(v*100) / 100
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// text writes s escaped for XML character data and attribute values.
func (d *svgDoc) text(s string) { d.WriteString(xmlEscaper.Replace(s)) }

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// attr writes ` name="value"`, value escaped.
func (d *svgDoc) attr(name, value string) {
	d.WriteByte(' ')
	d.WriteString(name)
	d.WriteString(`="`)
	d.text(value)
	d.WriteByte('"')
}

// extra writes attributes given as text, if any.
func (d *svgDoc) extra(attrs string) {
	if attrs != "" {
		d.WriteByte(' ')
		d.WriteString(attrs)
	}
}

// numAttr writes ` name="v"`.
func (d *svgDoc) numAttr(name string, v float64) {
	d.WriteByte(' ')
	d.WriteString(name)
	d.WriteString(`="`)
	d.num(v)
	d.WriteByte('"')
}

// rect writes a rectangle filled with fill (which may be "none"); attrs
// are more attributes, written as they are.
func (d *svgDoc) rect(x, y, w, h float64, fill, attrs string) {
	d.WriteString("<rect")
	d.numAttr("x", x)
	d.numAttr("y", y)
	d.numAttr("width", w)
	d.numAttr("height", h)
	d.attr("fill", fill)
	d.extra(attrs)
	d.WriteString("/>\n")
}

// textAt writes body as a <text> at (x, y) in colour fill; attrs are more
// attributes, written as they are.
func (d *svgDoc) textAt(x, y float64, fill, attrs, body string) {
	d.WriteString("<text")
	d.numAttr("x", x)
	d.numAttr("y", y)
	d.attr("fill", fill)
	d.extra(attrs)
	d.WriteByte('>')
	d.text(body)
	d.WriteString("</text>\n")
}

// line writes a line in colour stroke, dashed by dash if it is set; attrs
// are more attributes, written as they are.
func (d *svgDoc) line(x1, y1, x2, y2 float64, stroke string, width float64, dash, attrs string) {
	d.WriteString("<line")
	d.numAttr("x1", x1)
	d.numAttr("y1", y1)
	d.numAttr("x2", x2)
	d.numAttr("y2", y2)
	d.attr("stroke", stroke)
	d.numAttr("stroke-width", width)
	if dash != "" {
		d.attr("stroke-dasharray", dash)
	}
	d.extra(attrs)
	d.WriteString("/>")
}

// path collects path data: many shapes of one colour drawn as one element.
type path struct {
	b []byte
}

func (p *path) op(c byte, vs ...float64) {
	p.b = append(p.b, c)
	for i, v := range vs {
		if i > 0 {
			p.b = append(p.b, ' ')
		}
		p.b = appendNum(p.b, v)
	}
}

// paths keeps one path per key in order of first use, so that the output
// does not depend on map order.
type paths struct {
	keys []string
	byID map[string]*path
}

func (ps *paths) get(key string) *path {
	if p, ok := ps.byID[key]; ok {
		return p
	}
	if ps.byID == nil {
		ps.byID = map[string]*path{}
	}
	p := &path{}
	ps.byID[key] = p
	ps.keys = append(ps.keys, key)
	return p
}
