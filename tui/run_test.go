package tui

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	"raftty/cluster"
)

// Run, the entry point main uses, quits on q and stops the cluster it
// started: goleak (TestMain) fails the package if anything is left running.
func TestRunQuitsAndStopsEverything(t *testing.T) {
	for _, input := range []string{"q", "\x03"} { // q and ctrl+c
		var out bytes.Buffer
		cfg := cluster.DefaultConfig()
		cfg.Seed = 1
		err := Run(context.Background(), Options{Config: cfg, Speed: 1, Input: strings.NewReader(input), Output: &out, NoColor: true})
		if err != nil {
			t.Fatalf("input %q: %v", input, err)
		}
	}
}

// A cancelled context (the signal handler's, in main) ends the UI too.
func TestRunEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	if err := Run(ctx, Options{Config: cluster.DefaultConfig(), Speed: 1, Input: strings.NewReader(""), Output: &out}); err != nil {
		t.Fatal(err)
	}
}

// panicking is a cluster whose commands panic, as a bug in one would.
type panicking struct{ Cluster }

func (panicking) Apply(cluster.Command) error { panic("a bug in a command") }

// A panic in a command ends the program with an error, and the terminal is
// put back: the alternate screen left, the cursor shown.
func TestPanicInCommandRestoresTerminal(t *testing.T) {
	live, err := cluster.StartLive(context.Background(), cluster.DefaultConfig(), cluster.LiveOptions{Speed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Stop()
	m := New(panicking{live}, DefaultStyles(true))
	// Press k only once the program has drawn, in the alternate screen.
	out := &signalWriter{mark: "\x1b[?1049h", seen: make(chan struct{})}
	in, press := io.Pipe()
	go func() {
		<-out.seen
		_, _ = press.Write([]byte("k"))
	}()
	opts := Options{Input: in, Output: out}
	_, err = tea.NewProgram(m, programOptions(context.Background(), opts)...).Run()
	press.Close() // ends the program's input reader and the goroutine above
	if err == nil {
		t.Fatal("a panicking command did not end the program with an error")
	}
	all := out.String()
	restored := all[strings.LastIndex(all, "\x1b[?1049h")+1:]
	for _, seq := range []string{"\x1b[?1049l", "\x1b[?25h"} {
		if !strings.Contains(restored, seq) {
			t.Errorf("terminal not restored: %q missing after entering the alternate screen", seq)
		}
	}
}

// signalWriter records output and closes seen once mark has been written.
type signalWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	mark string
	seen chan struct{}
	once sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.mark) {
		w.once.Do(func() { close(w.seen) })
	}
	return n, err
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// Quitting with q or ctrl+c also leaves the alternate screen.
func TestQuitRestoresTerminal(t *testing.T) {
	for _, input := range []string{"q", "\x03"} {
		var out bytes.Buffer
		cfg := cluster.DefaultConfig()
		if err := Run(context.Background(), Options{Config: cfg, Speed: 1, Input: strings.NewReader(input), Output: &out}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "\x1b[?1049l") {
			t.Errorf("input %q: the alternate screen was not left", input)
		}
	}
}
