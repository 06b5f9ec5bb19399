package tui

import (
	"bytes"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// hangGuard bounds every wait of a test on a program: it is never a
// verdict (every wait is for something the program is bound to do, and is
// woken by it), only the point where a broken program fails the test
// rather than hangs it. Generous, so that a busy machine never reaches it.
const hangGuard = time.Minute

// program is a model run by Bubble Tea as on a terminal of a given size,
// with no input but the messages the test sends and no signal handling;
// what it writes is kept, and can be waited on.
type program struct {
	t    testing.TB
	p    *tea.Program
	out  *watchWriter
	done chan ended
}

type ended struct {
	m   tea.Model
	err error
}

// runProgram starts m in a program on a w x h terminal.
func runProgram(t testing.TB, m tea.Model, w, h int) *program {
	t.Helper()
	pr := &program{t: t, out: &watchWriter{}, done: make(chan ended, 1)}
	pr.p = tea.NewProgram(m, tea.WithInput(nil), tea.WithOutput(pr.out), tea.WithoutSignals(), tea.WithWindowSize(w, h))
	go func() {
		m, err := pr.p.Run()
		pr.done <- ended{m, err}
	}()
	pr.p.Send(tea.WindowSizeMsg{Width: w, Height: h})
	t.Cleanup(func() {
		pr.p.Kill() // a test that failed early ends the program too
		<-pr.done
	})
	return pr
}

// send hands the program keys, in order.
func (pr *program) send(keys ...string) {
	for _, k := range keys {
		pr.p.Send(keyMsg(k))
	}
}

// waitOutput waits until the program has written mark.
func (pr *program) waitOutput(mark string) {
	pr.t.Helper()
	select {
	case <-pr.out.seen(mark):
	case <-time.After(hangGuard):
		pr.t.Fatalf("the program never wrote %q; it wrote:\n%s", mark, pr.out.String())
	}
}

// final waits for the program to end (something sent must end it) and
// returns its model.
func (pr *program) final() tea.Model {
	pr.t.Helper()
	select {
	case e := <-pr.done:
		pr.done <- e // for the cleanup
		if e.err != nil {
			pr.t.Fatalf("the program ended with %v", e.err)
		}
		return e.m
	case <-time.After(hangGuard):
		pr.t.Fatal("the program did not end")
		return nil
	}
}

// watchWriter keeps what is written to it, and tells whoever waits for a
// mark the moment it has been written.
type watchWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	waiters []watcher
}

type watcher struct {
	mark []byte
	seen chan struct{}
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	kept := w.waiters[:0]
	for _, wt := range w.waiters {
		// The mark may straddle this write and the ones before it.
		from := max(w.buf.Len()-len(p)-len(wt.mark)+1, 0)
		if bytes.Contains(w.buf.Bytes()[from:], wt.mark) {
			close(wt.seen)
		} else {
			kept = append(kept, wt)
		}
	}
	w.waiters = kept
	return n, err
}

// seen returns a channel closed once mark has been written (at once, if
// it has been already).
func (w *watchWriter) seen(mark string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	wt := watcher{mark: []byte(mark), seen: make(chan struct{})}
	if bytes.Contains(w.buf.Bytes(), wt.mark) {
		close(wt.seen)
	} else {
		w.waiters = append(w.waiters, wt)
	}
	return wt.seen
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
