package tui

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"raftty/cluster"
)

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
	m := New(panicking{live}, Options{NoColor: true})
	out := &watchWriter{}
	in, press := io.Pipe()
	defer press.Close() // ends the program's input reader
	done := make(chan error, 1)
	go func() {
		_, err := tea.NewProgram(m, programOptions(context.Background(), Terminal{Input: in, Output: out})...).Run()
		done <- err
	}()
	// Press k only once the program has drawn, in the alternate screen.
	waitFor(t, out.seen(altScreen), "the alternate screen")
	if _, err := press.Write([]byte("k")); err != nil {
		t.Fatal(err)
	}
	select {
	case err = <-done:
	case <-time.After(hangGuard):
		t.Fatal("the program did not end")
	}
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

// altScreen is what a program writes as it enters the alternate screen.
const altScreen = "\x1b[?1049h"

// waitFor waits until ch is closed, or fails the test after hangGuard.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(hangGuard):
		t.Fatalf("no %s within %v", what, hangGuard)
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
// program has taken it: Bubble Tea registers its handler in a goroutine,
// at a moment it tells nobody, so a signal sent before then goes to the
// test's holder alone. The repeats' pace is no verdict: the program either
// ends quietly or, after hangGuard, fails the test.
func TestRunSIGINT(t *testing.T) {
	held := make(chan os.Signal, 16)
	signal.Notify(held, syscall.SIGINT)
	defer signal.Stop(held)
	out := &watchWriter{}
	in, press := io.Pipe()
	defer press.Close()
	live, err := cluster.StartLive(context.Background(), cluster.DefaultConfig(), cluster.LiveOptions{Speed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Stop()
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), New(live, Options{NoColor: true}), Terminal{Input: in, Output: out, NoColor: true})
	}()
	waitFor(t, out.seen(altScreen), "the alternate screen")
	guard := time.After(hangGuard)
	again := time.NewTicker(20 * time.Millisecond)
	defer again.Stop()
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
		case <-again.C: // not yet registered: send again
		case <-guard:
			t.Fatal("SIGINT did not end the program")
		}
	}
}

// Idle means idle: paused and untouched, the program sleeps. The model asks
// for no frame then (TestPausedModelSleeps); Bubble Tea's renderer ticked
// at its frame rate forever until v2.2.0, which parks it when there is
// nothing to draw (0 CPU ticks in 30 s of a paused raftty, from 12). A
// build with an older one would wake 30 times a second again.
func TestRendererParksWhenIdle(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(mod), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "charm.land/bubbletea/v2" {
			if versionBefore(f[1], 2, 2) {
				t.Fatalf("Bubble Tea %s: its renderer wakes the program at its frame rate even when idle; v2.2.0 parks it", f[1])
			}
			return
		}
	}
	t.Fatal("go.mod does not require Bubble Tea v2")
}

// versionBefore reports whether a module version (v2.1.1, a pseudo-version)
// comes before major.minor.
func versionBefore(v string, major, minor int) bool {
	var ma, mi int
	if _, err := fmt.Sscanf(v, "v%d.%d.", &ma, &mi); err != nil {
		return true
	}
	return ma < major || (ma == major && mi < minor)
}
