package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
)

// castTerm is the terminal a recording says it was made on. An xterm is
// what every player emulates; the renderer then keeps to the sequences
// xterm has (no REP, no HPA).
const castTerm = "xterm-256color"

// CastHeader describes a recording.
type CastHeader struct {
	// Cols and Rows are the terminal's size.
	Cols, Rows int
	// Title names the recording in players that show one; it may be empty.
	Title string
}

// Cast writes an asciicast v2 recording (docs.asciinema.org/manual/asciicast/v2):
// a JSON header line, then one line [seconds, "o", data] per frame that
// changed the screen. Each frame carries only the changes from the one
// before, written by the renderer Bubble Tea itself uses (ultraviolet's),
// so that a recording is what the live view would have sent a terminal:
// a full redraw of a 120x40 screen is some 20 kB, and most frames change a
// few lines. The header has no timestamp: the same frames give the same
// bytes.
type Cast struct {
	w        io.Writer
	buf      uv.ScreenBuffer
	renderer *uv.TerminalRenderer
	out      bytes.Buffer // what the renderer wrote for this frame
	line     bytes.Buffer
	enc      *json.Encoder // encodes into line, HTML characters as they are
	last     time.Duration
	prev     string // the last frame's view
	frames   int
	err      error
}

// castHeader is the header's JSON, fields in the order the format's
// documentation lists them.
type castHeader struct {
	Version int               `json:"version"`
	Width   int               `json:"width"`
	Height  int               `json:"height"`
	Title   string            `json:"title,omitempty"`
	Env     map[string]string `json:"env"`
	Theme   castTheme         `json:"theme"`
}

type castTheme struct {
	FG      string `json:"fg"`
	BG      string `json:"bg"`
	Palette string `json:"palette"`
}

// NewCast writes the header of a recording to w and returns the writer of
// its frames.
func NewCast(w io.Writer, h CastHeader) (*Cast, error) {
	if h.Cols < 1 || h.Rows < 1 {
		return nil, fmt.Errorf("cast: size %dx%d: need at least one column and one row", h.Cols, h.Rows)
	}
	c := &Cast{w: w, buf: uv.NewScreenBuffer(h.Cols, h.Rows)}
	c.enc = json.NewEncoder(&c.line)
	c.enc.SetEscapeHTML(false)
	t := DefaultTheme
	palette := make([]string, len(t.Palette))
	for i, p := range t.Palette {
		palette[i] = hex(p)
	}
	header := castHeader{
		Version: 2, Width: h.Cols, Height: h.Rows, Title: h.Title,
		Env:   map[string]string{"TERM": castTerm},
		Theme: castTheme{FG: hex(t.FG), BG: hex(t.BG), Palette: strings.Join(palette, ":")},
	}
	if err := c.enc.Encode(header); err != nil {
		return nil, err
	}
	if _, err := w.Write(c.line.Bytes()); err != nil {
		return nil, err
	}

	r := uv.NewTerminalRenderer(&c.out, []string{"TERM=" + castTerm})
	r.SetColorProfile(colorprofile.TrueColor)
	r.SetFullscreen(true)
	r.SetRelativeCursor(false)
	r.SetTabStops(-1)
	r.Resize(h.Cols, h.Rows)
	c.renderer = r
	return c, nil
}

// Frame records the screen view (what a Bubble Tea view draws) at time at
// since the start of the recording. A frame that changes nothing writes
// nothing. Times must not go backward.
func (c *Cast) Frame(at time.Duration, view string) error {
	if c.err != nil {
		return c.err
	}
	if at < c.last {
		return fmt.Errorf("cast: frame at %v before the previous one at %v", at, c.last)
	}
	if c.frames > 0 && view == c.prev {
		// The renderer would repaint rows with wide characters anyway (a
		// terminal might measure them otherwise); an unchanged view
		// changes nothing.
		return nil
	}
	c.prev = view
	uv.NewStyledString(view).Draw(c.buf, c.buf.Bounds()) // clears, then draws
	if c.frames == 0 {
		// A player starts with a blank screen and a visible cursor; the
		// live view hides it.
		_, _ = c.renderer.WriteString("\x1b[?25l")
		c.renderer.Erase()
	}
	c.renderer.Render(c.buf.RenderBuffer)
	if err := c.renderer.Flush(); err != nil {
		return err
	}
	if c.out.Len() == 0 {
		return nil
	}
	c.frames++
	err := c.event(at, "o", c.out.String())
	c.out.Reset()
	return err
}

// event writes one event line: [seconds, code, data].
func (c *Cast) event(at time.Duration, code, data string) error {
	c.line.Reset()
	c.line.WriteByte('[')
	c.line.Write(strconv.AppendFloat(c.line.AvailableBuffer(), at.Seconds(), 'f', 6, 64))
	c.line.WriteString(`, "` + code + `", `)
	if err := c.enc.Encode(data); err != nil { // valid UTF-8 or not, JSON out
		c.err = err
		return err
	}
	c.line.Truncate(c.line.Len() - 1) // the encoder's newline
	c.line.WriteString("]\n")
	c.last = at
	if _, err := c.w.Write(c.line.Bytes()); err != nil {
		c.err = err
	}
	return c.err
}

// Resize records that the terminal is now cols x rows (an "r" event, which
// players follow); the next frame is drawn whole at the new size.
func (c *Cast) Resize(at time.Duration, cols, rows int) error {
	if c.err != nil {
		return c.err
	}
	if cols < 1 || rows < 1 {
		return fmt.Errorf("cast: size %dx%d: need at least one column and one row", cols, rows)
	}
	if at < c.last {
		return fmt.Errorf("cast: resize at %v before the previous frame at %v", at, c.last)
	}
	// A buffer of another size makes the renderer clear the screen and
	// draw the next frame whole; Resize tells it the terminal's size.
	c.buf = uv.NewScreenBuffer(cols, rows)
	c.renderer.Resize(cols, rows)
	c.prev = ""
	return c.event(at, "r", fmt.Sprintf("%dx%d", cols, rows))
}

// Frames returns how many frames were written.
func (c *Cast) Frames() int { return c.frames }

// PlayCast plays an asciicast v2 recording on a terminal emulator of its
// size, following its resizes, and calls each with the screen after every
// output event: what a player shows, frame by frame.
func PlayCast(r io.Reader, each func(at time.Duration, s *Screen) error) error {
	dec := json.NewDecoder(r)
	var h castHeader
	if err := dec.Decode(&h); err != nil {
		return fmt.Errorf("cast header: %w", err)
	}
	if h.Version != 2 || h.Width < 1 || h.Height < 1 {
		return fmt.Errorf("cast header: version %d, %dx%d: want version 2 and a size", h.Version, h.Width, h.Height)
	}
	t := newTerminal(h.Width, h.Height)
	defer t.close()
	for n := 1; ; n++ {
		var ev [3]any
		if err := dec.Decode(&ev); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("cast event %d: %w", n, err)
		}
		secs, ok1 := ev[0].(float64)
		code, ok2 := ev[1].(string)
		data, ok3 := ev[2].(string)
		if !ok1 || !ok2 || !ok3 {
			return fmt.Errorf("cast event %d: want [seconds, code, data], got %v", n, ev)
		}
		at := time.Duration(math.Round(secs*1e6)) * time.Microsecond
		switch code {
		case "r":
			var cols, rows int
			if _, err := fmt.Sscanf(data, "%dx%d", &cols, &rows); err != nil || cols < 1 || rows < 1 {
				return fmt.Errorf("cast event %d: resize to %q", n, data)
			}
			t.resize(cols, rows)
		case "o":
			t.write(data)
			if err := each(at, t.screen()); err != nil {
				return err
			}
		}
	}
}
