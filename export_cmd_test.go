package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// svgElements decodes an SVG file, failing the test if it is not
// well-formed XML, and counts its elements by their class attribute.
func svgElements(t *testing.T, path string) map[string]int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	classes := map[string]int{}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return classes
		}
		if err != nil {
			t.Fatalf("%s is not well-formed: %v", path, err)
		}
		if el, ok := tok.(xml.StartElement); ok {
			for _, a := range el.Attr {
				if a.Name.Local == "class" {
					classes[a.Value]++
				}
			}
		}
	}
}

// TestRunSpacetime checks `raftty run --spacetime`: a diagram of the run,
// the same for the same seed, and a window that holds fewer messages.
func TestRunSpacetime(t *testing.T) {
	dir := t.TempDir()
	whole, again, window := filepath.Join(dir, "a.svg"), filepath.Join(dir, "b.svg"), filepath.Join(dir, "w.svg")
	for _, path := range []string{whole, again} {
		if code, _, stderr := run(t, "run", "--scenario", "03", "--seed", "5", "--spacetime", path); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	a, _ := os.ReadFile(whole)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Error("the same run drew two diagrams")
	}
	if code, _, stderr := run(t, "run", "--scenario", "03", "--seed", "5", "--spacetime", window, "--from", "1.9s", "--to", "2.4s"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	all, part := svgElements(t, whole), svgElements(t, window)
	if all["lifeline"] != 5 || part["lifeline"] != 5 {
		t.Errorf("%d and %d lifelines, want 5 in each", all["lifeline"], part["lifeline"])
	}
	if msgs := part["msg"] + part["msg drop"]; msgs == 0 || msgs >= all["msg"]+all["msg drop"] {
		t.Errorf("the window 1.9s-2.4s draws %d messages, the run %d", msgs, all["msg"]+all["msg drop"])
	}
	if part["msg drop"] == 0 {
		t.Error("the window around the leader's death draws no dropped message")
	}
}

// TestExportBadInput checks the export flags' mistakes: one line naming the
// flag, status 2, and no file left behind.
func TestExportBadInput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.svg")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--spacetime", out, "--from", "3s", "--to", "2s"}, "--from 3s --to 2s: the window must end after it starts"},
		{[]string{"run", "--spacetime", out, "--to", "20s"}, "--to 20s: after the end of the run (10s)"},
		{[]string{"run", "--spacetime", out, "--from", "soon"}, "--from soon: not a duration"},
		{[]string{"run", "--spacetime", "/no/such/dir/x.svg"}, "--spacetime /no/such/dir/x.svg: no such file or directory"},
		{[]string{"bench", "--svg", "/no/such/dir/x.svg"}, "--svg /no/such/dir/x.svg: no such file or directory"},
		{[]string{"run", "--from", "1s"}, "--from and --to choose the window of --spacetime or --cast: give one of them"},
		{[]string{"run", "--svg-at", "1s"}, "--svg-at chooses the moment of --svg: give it too"},
		{[]string{"run", "--for", "0s", "--cast", out}, "the run lasts 0s: --spacetime and --cast have nothing to draw (lengthen it with --for)"},
		{[]string{"run", "--size", "80x24"}, "--size and --speed set the screen of --cast or --svg: give one of them"},
		{[]string{"run", "--speed", "0.5"}, "--size and --speed set the screen of --cast or --svg: give one of them"},
		{[]string{"run", "--cast", out, "--size", "80"}, "--size 80: want COLSxROWS, as 120x40"},
		{[]string{"run", "--cast", out, "--size", "20x5"}, "--size 20x5: the live view draws on 60x12 to 1000x500 cells"},
		{[]string{"run", "--cast", out, "--speed", "0"}, "--speed 0: want a number from 1/256"},
		{[]string{"run", "--svg", out, "--svg-at", "11s"}, "--svg-at 11s: after the end of the run (10s)"},
		{[]string{"run", "--cast", out, "--nodes", "102"}, "--nodes 102: --cast and --svg show the live view, which shows 1 to 101 nodes"},
		{[]string{"run", "--cast", out, "--spacetime", "/no/such/dir/x.svg"}, "--spacetime /no/such/dir/x.svg: no such file or directory"},
		{[]string{"run", "--cast", out, "--compare", "prevote=on"}, "--spacetime, --cast and --svg draw one world: leave out --compare"},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line with %q", tc.args, code, stderr, tc.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v left %s behind", tc.args, out)
		}
	}
}

// TestBenchSVG checks `raftty bench --svg`: one curve per setting of the
// set, and the paper's beside each.
func TestBenchSVG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fig16.svg")
	if code, _, stderr := run(t, "bench", "--set", "2", "--trials", "5", "--seed", "1", "--svg", path); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if el := svgElements(t, path); el["raftty"] != 5 || el["paper"] != 5 || el["panel"] != 1 {
		t.Errorf("%d raftty curves, %d of the paper's, %d panels; want 5, 5, 1", el["raftty"], el["paper"], el["panel"])
	}
	// etcd's figure names its ticks: ElectionTick moves its curves.
	if code, _, stderr := run(t, "bench", "--engine", "etcd", "--ticks", "4", "--trials", "5", "--seed", "1", "--svg", path); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(path); !bytes.Contains(b, []byte("raftty bench --engine etcd --ticks 4 (seed 1,")) {
		t.Errorf("the etcd figure's title does not name --ticks 4:\n%.400s", b)
	}
}

// TestRunCast checks `raftty run --cast` and `--svg`: an asciicast v2 file
// of the live view, the same for the same seed, cut to --from and --to,
// and a picture of the live view at --svg-at.
func TestRunCast(t *testing.T) {
	dir := t.TempDir()
	cast := func(name string, args ...string) []byte {
		t.Helper()
		path := filepath.Join(dir, name)
		args = append([]string{"run", "--scenario", "03", "--seed", "5", "--size", "80x24", "--speed", "1", "--cast", path}, args...)
		if code, _, stderr := run(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a := cast("a.cast")
	lines := strings.Split(strings.TrimSpace(string(a)), "\n")
	var header struct {
		Version, Width, Height int
		Title                  string
	}
	if err := json.Unmarshal([]byte(lines[0]), &header); err != nil || header.Version != 2 || header.Width != 80 || header.Height != 24 || !strings.Contains(header.Title, "03-leader-crash") {
		t.Errorf("header %s: want asciicast version 2, 80x24, the scenario's name", lines[0])
	}
	last := func(lines []string) float64 {
		var ev []any
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &ev); err != nil {
			t.Fatalf("last event %s: %v", lines[len(lines)-1], err)
		}
		return ev[0].(float64)
	}
	// The lesson's reading time (10s for scenario 03), then 5s at 1x, and
	// a little more while votes fly in slow motion.
	if end := last(lines); end < 15 || end > 20 {
		t.Errorf("the recording lasts %vs: want the live view's pace, 10s of reading then 5s at 1x and more", end)
	}
	// The window's recording is the same whatever moment --svg draws,
	// inside it, before it or after it, and twice the same.
	window := []string{"--from", "1.9s", "--to", "2.4s", "--svg"}
	p1 := cast("part.cast", append(window, filepath.Join(dir, "at.svg"), "--svg-at", "2.2s")...)
	for _, at := range []string{"2.2s", "1.5s", "3s"} {
		if again := cast("again.cast", append(window, filepath.Join(dir, "other.svg"), "--svg-at", at)...); !bytes.Equal(p1, again) {
			t.Errorf("the window recorded again, with --svg-at %s, gave another file", at)
		}
	}
	part := strings.Split(strings.TrimSpace(string(p1)), "\n")
	if end := last(part); len(part) >= len(lines) || end < 0.5 || end > 6 {
		t.Errorf("from 1.9s to 2.4s: %d lines lasting %vs, the whole run %d lines", len(part), end, len(lines))
	}
	svg, err := os.ReadFile(filepath.Join(dir, "at.svg"))
	if err != nil {
		t.Fatal(err)
	}
	// The live view's header says the time of the first frame at or
	// after 2.2s, to the millisecond (the title says 2.2s).
	if err := xml.Unmarshal(svg, new(struct{})); err != nil || !regexp.MustCompile(`t=2\.2\d\ds`).Match(svg) {
		t.Errorf("--svg at 2.2s: %v; the picture should show the live view at t=2.2s", err)
	}
}
