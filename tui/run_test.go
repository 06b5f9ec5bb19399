package tui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
	"raftty/cluster/scenario"
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

// A timing warning and a scenario's title are both shown at start-up.
func TestSessionShowsWarningAndTitle(t *testing.T) {
	live, err := cluster.StartLive(context.Background(), cluster.DefaultConfig(), cluster.LiveOptions{Speed: 1, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Stop()
	warning := "heartbeat 3s >= minimum election timeout 150ms"
	script := &scenario.Script{Name: "07-slow-heartbeat", Title: "Slow heartbeats"}
	for _, tc := range []struct {
		name   string
		script *scenario.Script
		want   []string
	}{
		{"with a scenario", script, []string{"Slow heartbeats", "warning: " + warning}},
		{"without", nil, []string{"warning: " + warning}},
	} {
		m := newSession(live, Options{Script: tc.script, Warnings: []string{warning}, NoColor: true})
		m.Update(tea.WindowSizeMsg{Width: 160, Height: 40})
		view := ansi.Strip(m.View().Content)
		for _, want := range tc.want {
			if !strings.Contains(view, want) {
				t.Errorf("%s: the first view lacks %q:\n%s", tc.name, want, view)
			}
		}
	}
}

// Quitting is never an error: an interruption (SIGINT) included.
func TestQuitError(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		err     error
		wantErr bool
	}{
		{"quit", context.Background(), nil, false},
		{"SIGINT", context.Background(), fmt.Errorf("%w: %w", tea.ErrProgramKilled, tea.ErrInterrupted), false},
		{"context", cancelled, tea.ErrProgramKilled, false},
		{"a real failure", context.Background(), fmt.Errorf("%w: %w", tea.ErrProgramKilled, tea.ErrProgramPanic), true},
	} {
		if err := quitError(tc.ctx, tc.err); (err != nil) != tc.wantErr {
			t.Errorf("%s: %v, want an error: %v", tc.name, err, tc.wantErr)
		}
	}
}

// A real SIGINT ends Run without an error. The test holds SIGINT itself, so
// the signal can never kill the test binary, and repeats it until the
// program has taken it: Bubble Tea registers its handler in a goroutine.
func TestRunSIGINT(t *testing.T) {
	held := make(chan os.Signal, 16)
	signal.Notify(held, syscall.SIGINT)
	defer signal.Stop(held)
	out := &signalWriter{mark: "\x1b[?1049h", seen: make(chan struct{})}
	in, press := io.Pipe()
	defer press.Close()
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), Options{Config: cluster.DefaultConfig(), Speed: 1, Input: in, Output: out, NoColor: true})
	}()
	<-out.seen
	for {
		if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("SIGINT: %v, want a quiet quit", err)
			}
			return
		case <-time.After(20 * time.Millisecond): // not yet registered: send again
		}
	}
}
