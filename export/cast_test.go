package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// castEvent is one event line of a recording, decoded.
type castEvent struct {
	at   float64
	kind string
	data string
}

// readCast decodes a recording, failing the test on any line that is not
// what asciicast v2 says.
func readCast(t *testing.T, b []byte) (map[string]any, []castEvent) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<24)
	if !sc.Scan() {
		t.Fatal("no header line")
	}
	var header map[string]any
	if err := json.Unmarshal(sc.Bytes(), &header); err != nil {
		t.Fatalf("header: %v", err)
	}
	var events []castEvent
	for sc.Scan() {
		var raw []any
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			t.Fatalf("event line %d: %v", len(events)+2, err)
		}
		at, ok1 := raw[0].(float64)
		kind, ok2 := raw[1].(string)
		data, ok3 := raw[2].(string)
		if len(raw) != 3 || !ok1 || !ok2 || !ok3 {
			t.Fatalf("event line %d is not [time, code, data]: %s", len(events)+2, sc.Bytes())
		}
		events = append(events, castEvent{at, kind, data})
	}
	return header, events
}

// frames makes n screens of cols x rows, each a random change of the one
// before: lines rewritten in colours, bold and reverse, lines scrolled up
// as the event log scrolls, borders, braille and wide characters, and now
// and then a view that leaves the lower half of the screen blank.
func testFrames(n, cols, rows int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"leader", "n2", "term", "7", "┌──┐", "│", "⣿⡀⠉", "世界", "█░", "·", "→"}
	// A line is as wide as the screen at most, as a view's lines are.
	line := func() string {
		var b strings.Builder
		width := 0
		for {
			w := words[rng.IntN(len(words))]
			if width += ansi.StringWidth(w) + 1; width > cols {
				return b.String()
			}
			switch rng.IntN(4) {
			case 0:
				fmt.Fprintf(&b, "\x1b[38;2;%d;%d;%dm%s\x1b[0m ", rng.IntN(256), rng.IntN(256), rng.IntN(256), w)
			case 1:
				fmt.Fprintf(&b, "\x1b[1;7m%s\x1b[0m ", w)
			default:
				b.WriteString(w + " ")
			}
		}
	}
	screen := make([]string, rows)
	for i := range screen {
		screen[i] = line()
	}
	var out []string
	for range n {
		switch rng.IntN(3) {
		case 0: // scroll
			screen = append(screen[1:], line())
		default:
			for range 1 + rng.IntN(3) {
				screen[rng.IntN(rows)] = line()
			}
		}
		shown := screen
		if rng.IntN(10) == 0 { // a view shorter than the screen
			shown = screen[:rows/2]
		}
		out = append(out, strings.Join(shown, "\n"))
	}
	return out
}

func writeCast(t *testing.T, frames []string, cols, rows int) []byte {
	t.Helper()
	var out bytes.Buffer
	c, err := NewCast(&out, CastHeader{Cols: cols, Rows: rows, Title: "test <&>"})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range frames {
		if err := c.Frame(time.Duration(i)*33*time.Millisecond, f); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

// TestCastPlaysBackTheFrames plays a recording in a terminal emulator and
// checks that after each event the terminal shows that frame, cell for
// cell, colours included: the changes between frames are complete.
func TestCastPlaysBackTheFrames(t *testing.T) {
	const cols, rows = 40, 10
	frames := testFrames(150, cols, rows)
	// One unchanged frame writes no event.
	frames = append(frames[:100], append([]string{frames[99]}, frames[100:]...)...)
	recording := writeCast(t, frames, cols, rows)
	header, events := readCast(t, recording)
	if header["version"] != 2.0 || header["width"] != float64(cols) || header["height"] != float64(rows) || header["title"] != "test <&>" {
		t.Errorf("header %v: want version 2, %dx%d, the title", header, cols, rows)
	}
	if _, ok := header["timestamp"]; ok {
		t.Error("the header has a timestamp: two recordings of one run would differ")
	}
	if len(events) != len(frames)-1 {
		t.Fatalf("%d events for %d frames, one of them unchanged", len(events), len(frames))
	}

	shown := append(frames[:100:100], frames[101:]...)
	for i, ev := range events {
		at := time.Duration(i) * 33 * time.Millisecond
		if i >= 100 {
			at += 33 * time.Millisecond // after the unchanged frame
		}
		if ev.kind != "o" || math.Round(ev.at*1e6) != float64(at.Microseconds()) {
			t.Fatalf("event %d: %q at %vs, want output at %vs", i, ev.kind, ev.at, at.Seconds())
		}
	}
	frame := newTerminal(cols, rows)
	defer frame.close()
	i := 0
	err := PlayCast(bytes.NewReader(recording), func(_ time.Duration, got *Screen) error {
		want := frame.show(shown[i])
		for y := range rows {
			for x := range cols {
				g, w := got.Cell(x, y), want.Cell(x, y)
				if g.Content != w.Content || !g.Style.Equal(&w.Style) {
					return fmt.Errorf("frame %d, cell %d,%d: the player shows %q %+v, the frame has %q %+v\nplayer:\n%s\nframe:\n%s",
						i, x, y, g.Content, g.Style, w.Content, w.Style, got.Text(), want.Text())
				}
			}
		}
		i++
		return nil
	})
	if err != nil || i != len(shown) {
		t.Fatalf("after %d frames of %d: %v", i, len(shown), err)
	}
}

// TestCastIsDeterministic checks that the same frames give the same bytes.
func TestCastIsDeterministic(t *testing.T) {
	frames := testFrames(50, 30, 8)
	if a, b := writeCast(t, frames, 30, 8), writeCast(t, frames, 30, 8); !bytes.Equal(a, b) {
		t.Error("the same frames gave two recordings")
	}
}

// TestCastRefusesTimeGoingBack checks the one rule on frame times.
func TestCastRefusesTimeGoingBack(t *testing.T) {
	c, err := NewCast(io.Discard, CastHeader{Cols: 10, Rows: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Frame(time.Second, "a"); err != nil {
		t.Fatal(err)
	}
	if err := c.Frame(time.Millisecond, "b"); err == nil {
		t.Error("a frame before the previous one was accepted")
	}
	if _, err := NewCast(io.Discard, CastHeader{Cols: 0, Rows: 2}); err == nil {
		t.Error("a recording of no columns was accepted")
	}
}

// TestCastResizes checks a recording whose terminal changes size: an "r"
// event with the new size, then frames a player at that size shows cell
// for cell.
func TestCastResizes(t *testing.T) {
	small, tall := testFrames(20, 40, 10), testFrames(20, 30, 14)
	var out bytes.Buffer
	c, err := NewCast(&out, CastHeader{Cols: 40, Rows: 10})
	if err != nil {
		t.Fatal(err)
	}
	at := func(i int) time.Duration { return time.Duration(i) * 33 * time.Millisecond }
	for i, f := range small {
		must(t, c.Frame(at(i), f))
	}
	must(t, c.Resize(at(20), 30, 14))
	for i, f := range tall {
		must(t, c.Frame(at(21+i), f))
	}
	_, events := readCast(t, out.Bytes())
	if resizes := slices.IndexFunc(events, func(e castEvent) bool { return e.kind == "r" }); resizes < 0 || events[resizes].data != "30x14" {
		t.Fatalf("no resize event to 30x14 in %v", events)
	}
	shown := 0
	err = PlayCast(bytes.NewReader(out.Bytes()), func(_ time.Duration, got *Screen) error {
		frames, cols, rows, i := small, 40, 10, shown
		if shown >= len(small) {
			frames, cols, rows, i = tall, 30, 14, shown-len(small)
		}
		if want := ParseScreen(frames[i], cols, rows); got.Cols != cols || got.Rows != rows || got.Text() != want.Text() {
			return fmt.Errorf("frame %d: the player shows %dx%d\n%s\nthe frame is\n%s", shown, got.Cols, got.Rows, got.Text(), want.Text())
		}
		shown++
		return nil
	})
	if err != nil || shown != len(small)+len(tall) {
		t.Errorf("%d frames shown: %v", shown, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
