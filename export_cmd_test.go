package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
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
		{[]string{"run", "--from", "1s"}, "--from and --to choose the window of --spacetime: give it too"},
		{[]string{"run", "--spacetime", out, "--from", "3s", "--to", "2s"}, "--from 3s --to 2s: the window must end after it starts"},
		{[]string{"run", "--spacetime", out, "--to", "20s"}, "--to 20s: after the end of the run (10s)"},
		{[]string{"run", "--spacetime", out, "--from", "soon"}, "--from soon: not a duration"},
		{[]string{"run", "--spacetime", "/no/such/dir/x.svg"}, "--spacetime /no/such/dir/x.svg: no such file or directory"},
		{[]string{"bench", "--svg", "/no/such/dir/x.svg"}, "--svg /no/such/dir/x.svg: no such file or directory"},
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
}
