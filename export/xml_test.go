package export

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// ParseScreen starts a goroutine to drain the terminal emulator's answers:
// goleak checks it ends.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// element is an XML element as the tests read it back.
type element struct {
	name     string
	attrs    map[string]string
	text     string
	children []*element
}

// parseXML decodes doc with encoding/xml, failing the test if it is not
// well-formed, and returns its root element.
func parseXML(t testing.TB, doc []byte) *element {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.Strict = true
	var stack []*element
	var root *element
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			el := &element{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				el.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, el)
			} else if root == nil {
				root = el
			} else {
				t.Fatal("two root elements")
			}
			stack = append(stack, el)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	if root == nil || root.name != "svg" {
		t.Fatalf("the root is not <svg>: %+v", root)
	}
	return root
}

// all returns every element below e (e included) that keep accepts, in
// document order.
func (e *element) all(keep func(*element) bool) []*element {
	var out []*element
	if keep(e) {
		out = append(out, e)
	}
	for _, c := range e.children {
		out = append(out, c.all(keep)...)
	}
	return out
}

// named returns every element with the given name.
func (e *element) named(name string) []*element {
	return e.all(func(x *element) bool { return x.name == name })
}

// floats parses a space-separated list of numbers.
func floats(t testing.TB, s string) []float64 {
	t.Helper()
	var out []float64
	for _, f := range strings.Fields(s) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatalf("not a number list: %q", s)
		}
		out = append(out, v)
	}
	return out
}

// float parses one number attribute.
func float(t testing.TB, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}
