package session

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// record records opts from..until on an 80x24 screen and returns the
// frames.
func record(t *testing.T, opts Options, from, until time.Duration) []Frame {
	t.Helper()
	var frames []Frame
	err := Record(context.Background(), opts, Recording{Width: 80, Height: 24, From: from, Until: until}, func(f Frame) error {
		frames = append(frames, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return frames
}

func recordOptions(t *testing.T, scenarioText string) Options {
	t.Helper()
	cfg := cluster.DefaultConfig()
	cfg.Seed = 7
	opts := Options{Config: cfg, Speed: 0.1}
	if scenarioText != "" {
		script, err := scenario.Parse("test", strings.NewReader(scenarioText))
		if err != nil {
			t.Fatal(err)
		}
		script.Configure(&opts.Config, nil)
		opts.Script = script
	}
	return opts
}

// TestRecordPacesAsTheLiveView checks a recording's clock: a frame every
// 30th of a second of wall time, the virtual time advancing at the speed
// (a tenth), slower while votes fly, from the first frame at or after From
// to the first at or after Until.
func TestRecordPacesAsTheLiveView(t *testing.T) {
	frames := record(t, recordOptions(t, ""), 100*time.Millisecond, 600*time.Millisecond)
	first, last := frames[0], frames[len(frames)-1]
	if first.At != 0 || first.Now < 100*time.Millisecond || first.Now > 110*time.Millisecond {
		t.Errorf("the first frame at %v shows t=%v: want 0, just at or after 100ms", first.At, first.Now)
	}
	if last.Now < 600*time.Millisecond || frames[len(frames)-2].Now >= 600*time.Millisecond {
		t.Errorf("the recording ends at t=%v after t=%v: want the first frame at or after 600ms", last.Now, frames[len(frames)-2].Now)
	}
	slowed := false
	for i := 1; i < len(frames); i++ {
		step, moved := frames[i].At-frames[i-1].At, frames[i].Now-frames[i-1].Now
		if step != frameInterval {
			t.Fatalf("frame %d comes %v after the one before, want %v", i, step, frameInterval)
		}
		// At 0.1x a frame moves 3.33ms of virtual time; while votes
		// fly, 20 times less (a vote may leave mid-frame: less still).
		if moved > frameInterval/10+time.Microsecond || moved <= 0 {
			t.Fatalf("frame %d moves the cluster %v: want at most a tenth of %v", i, moved, frameInterval)
		}
		slowed = slowed || moved < frameInterval/100
	}
	if !slowed {
		t.Error("no frame was slowed down: the first election's votes should be")
	}
	if !strings.Contains(ansi.Strip(last.View), "┌ nodes") || strings.Count(last.View, "\n") != 23 {
		t.Errorf("the last frame is not the 24-row live view:\n%s", ansi.Strip(last.View))
	}
}

// TestRecordHoldsALessonsStart checks that a lesson, which the live view
// starts paused until someone presses space, is held paused on its first
// frame for a reading time, then runs, as after the space key.
func TestRecordHoldsALessonsStart(t *testing.T) {
	opts := recordOptions(t, "title A test lesson\nexplain Watch the first election: one node wins.\nfor 2s\n")
	frames := record(t, opts, 0, 300*time.Millisecond)
	if got := ansi.Strip(frames[0].View); !strings.Contains(got, "A test lesson") || !strings.Contains(got, "PAUSED") || frames[0].Now != 0 {
		t.Errorf("the first frame is not the lesson paused at its start:\n%s", got)
	}
	if frames[1].At != readingTime(opts) || strings.Contains(ansi.Strip(frames[1].View), "PAUSED") || frames[2].Now <= 0 {
		t.Errorf("the second frame, at %v, does not run after a reading time of %v:\n%s", frames[1].At, readingTime(opts), ansi.Strip(frames[1].View))
	}
}

// TestRecordIsDeterministic checks that one session gives the same frames.
// At 1x, not the 0.1x of the other tests: the frames still hold the first
// election in slow motion, the kill and the next election, but are a tenth
// as many (3.4 s of CPU under -race at 0.1x). A recorder that does not
// wait for the cluster to take each tick (tick without Sync) fails here
// every time at either speed.
func TestRecordIsDeterministic(t *testing.T) {
	opts := recordOptions(t, "at 0.3s kill leader\nfor 1s\n")
	opts.Speed = 1
	a, b := record(t, opts, 0, 700*time.Millisecond), record(t, opts, 0, 700*time.Millisecond)
	if !slices.Equal(a, b) {
		t.Error("the same session recorded twice gave different frames")
	}
}

// TestRecordStopsOnAnError checks that the frame function's error ends the
// recording, and the cluster with it (goleak checks).
func TestRecordStopsOnAnError(t *testing.T) {
	stop := errors.New("enough")
	n := 0
	err := Record(context.Background(), recordOptions(t, ""), Recording{Width: 80, Height: 24, Until: time.Second}, func(Frame) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("after %d frames: %v, want the frame's error at the third", n, err)
	}
}
