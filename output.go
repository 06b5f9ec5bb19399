package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/charmbracelet/x/term"
)

// exitOutput is the status when the output could not be written (a full
// disk, a closed file): the work stops at the first failed write.
const exitOutput = 3

// outputError is the one line and the status of a failed write.
func outputError(err error) error {
	return &exitError{code: exitOutput, err: fmt.Errorf("writing the output: %w", err)}
}

// checkedWriter remembers the first write error, and refuses every write
// after it, so that a command can write freely and ask once whether it all
// went out.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err != nil {
		c.err = err
	}
	return n, err
}

// progress draws one line of progress on stderr, redrawn in place, for
// headless work that has taken longer than a couple of seconds, and only
// when stderr is a terminal: logs and pipes get nothing.
type progress struct {
	w       io.Writer
	tty     bool
	now     func() time.Time
	started time.Time
	last    time.Time
	drawn   bool
}

// progressAfter is how long work runs before progress is shown.
const progressAfter = 2 * time.Second

func newProgress(w io.Writer) *progress {
	f, isFile := w.(*os.File)
	p := &progress{w: w, tty: isFile && term.IsTerminal(f.Fd()), now: time.Now}
	p.started = p.now()
	return p
}

// show draws the line (at most four times a second).
func (p *progress) show(format string, args ...any) {
	if !p.tty {
		return
	}
	now := p.now()
	if now.Sub(p.started) < progressAfter || now.Sub(p.last) < 250*time.Millisecond {
		return
	}
	p.last, p.drawn = now, true
	fmt.Fprintf(p.w, "\r\x1b[K"+format, args...)
}

// done clears the line, if one was drawn.
func (p *progress) done() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}
