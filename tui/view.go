package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// wrap is a style reduced to its opening and closing escape sequences, so
// that styling a string costs two concatenations instead of a lipgloss
// render. Styles are rendered once, when the model is made.
type wrap struct{ open, close string }

func newWrap(s lipgloss.Style) wrap {
	const placeholder = "\uE000"
	r := s.Render(placeholder)
	i := strings.Index(r, placeholder)
	if i < 0 {
		return wrap{}
	}
	return wrap{open: r[:i], close: r[i+len(placeholder):]}
}

func (w wrap) apply(s string) string {
	if w.open == "" {
		return s
	}
	return w.open + s + w.close
}

// maxExplainLines bounds a scenario's explanation on screen.
const maxExplainLines = 3

// wrapText breaks s into at most n lines of at most w cells, at spaces; the
// last line ends in … if text was left out.
func wrapText(s string, w, n int) []string {
	if s == "" || w < 10 || n < 1 {
		return nil
	}
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case ansi.StringWidth(line)+1+ansi.StringWidth(word) <= w:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	lines = append(lines, line)
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = ansi.Truncate(lines[n-1], w-1, "") + "…"
	}
	return lines
}

func tooSmall(w, h, needW, needH int) string {
	msg := fmt.Sprintf("terminal too small (%dx%d): raftty needs at least %dx%d", w, h, needW, needH)
	lines := make([]string, h)
	for i := range lines {
		lines[i] = strings.Repeat(" ", w)
	}
	for i := 0; i*w < len(msg) && i < h; i++ {
		lines[i] = fit(msg[i*w:min(len(msg), (i+1)*w)], w)
	}
	return strings.Join(lines, "\n")
}

// fit pads or cuts a styled line to exactly w cells; a line cut ends in
// "…", so that no word looks whole that is not.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	switch {
	case sw > w:
		s = ansi.Truncate(s, w, "…")
		return s + strings.Repeat(" ", max(0, w-ansi.StringWidth(s)))
	case sw < w:
		return s + strings.Repeat(" ", w-sw)
	}
	return s
}

// plural is "1 line", "2 lines".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func roundDur(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
