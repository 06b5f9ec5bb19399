package tui

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"raftty/export"
)

// command types a : line and runs it.
func (h *harness) command(line string) {
	h.t.Helper()
	h.press(":")
	h.typeText(line)
	h.press("enter")
}

// TestExportDrawsTheScreen checks :export: the screen as an SVG picture in
// the save directory, never over a file, and nowhere over SSH.
func TestExportDrawsTheScreen(t *testing.T) {
	h := newHarness(t, 42)
	h.advance(time.Second)
	h.command("export shot.svg")
	path := filepath.Join(h.m.out.saver.dir, "shot.svg")
	svg, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (status: %s)", err, h.m.status)
	}
	if err := xml.Unmarshal(svg, new(struct{})); err != nil || !bytes.Contains(svg, []byte(">t=1.000s<")) || !strings.Contains(h.m.status, "exported the screen to "+path) {
		t.Errorf("the picture (%v) should show the live view at t=1.000s; status %q", err, h.m.status)
	}
	h.command("export shot.svg")
	if after, _ := os.ReadFile(path); !bytes.Equal(after, svg) || !strings.Contains(h.m.status, "exists") {
		t.Errorf("a second export to the same name: status %q; the file must stay as it was", h.m.status)
	}
	h.m.out.saver.off = "saving is off over SSH"
	h.command("export other.svg")
	if _, err := os.Stat(filepath.Join(h.m.out.saver.dir, "other.svg")); err == nil || h.m.status != "saving is off over SSH" {
		t.Errorf("over SSH: status %q, and no file should be written", h.m.status)
	}
}

// TestRecordWhatIsSeen checks :record: every frame the person sees, with
// their times, through a kill and a resize of the terminal, played back
// as the screen was, and the file complete once :record stop says so.
func TestRecordWhatIsSeen(t *testing.T) {
	h := newHarness(t, 42)
	h.command("record rec.cast")
	if h.m.out.rec == nil {
		t.Fatalf("no recording started: %s", h.m.status)
	}
	start := h.wall
	var want string
	for i := range 40 {
		h.advance(50 * time.Millisecond)
		switch i {
		case 15:
			h.press("L", "k") // kill the leader: the screen changes
		case 25:
			h.m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
		}
		want = h.m.drawn
	}
	end := h.wall
	h.command("record stop")
	if h.m.out.rec != nil || !strings.Contains(h.m.status, "recorded") {
		t.Fatalf("the recording did not stop: %s", h.m.status)
	}
	f, err := os.Open(filepath.Join(h.m.out.saver.dir, "rec.cast"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var last *export.Screen
	var lastAt time.Duration
	err = export.PlayCast(f, func(at time.Duration, s *export.Screen) error {
		if at < lastAt {
			t.Errorf("a frame at %v after one at %v", at, lastAt)
		}
		last, lastAt = s, at
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := export.ParseScreen(want, 100, 30).Text(); last == nil || last.Cols != 100 || last.Text() != got {
		t.Fatalf("the recording ends on\n%v\nthe screen was\n%s", last, got)
	}
	if lastAt != end.Sub(start)-50*time.Millisecond {
		t.Errorf("the last frame at %v, want %v after the first", lastAt, end.Sub(start)-50*time.Millisecond)
	}
}

// TestRecordEndsWithTheProgram checks that a recording still running when
// the program ends is written out whole, and its writer stops (goleak).
func TestRecordEndsWithTheProgram(t *testing.T) {
	h := newHarness(t, 7)
	h.command("record")
	h.advance(time.Second)
	h.m.EndRecording()
	matches, _ := filepath.Glob(filepath.Join(h.m.out.saver.dir, "raftty-seed7-*.cast"))
	if len(matches) != 1 {
		t.Fatalf("recordings %v, want one named for the seed", matches)
	}
	f, err := os.Open(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	frames := 0
	if err := export.PlayCast(f, func(time.Duration, *export.Screen) error { frames++; return nil }); err != nil || frames == 0 {
		t.Errorf("%d frames played: %v", frames, err)
	}
}
