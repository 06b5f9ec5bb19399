package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"raftty/internal/race"
)

// generated reads the //go:generate lines of export_cmd.go: the raftty
// command lines that draw the documentation's pictures.
func generated(t *testing.T) [][]string {
	t.Helper()
	src, err := os.ReadFile("export_cmd.go")
	if err != nil {
		t.Fatal(err)
	}
	var cmds [][]string
	for _, line := range strings.Split(string(src), "\n") {
		if args, ok := strings.CutPrefix(line, "//go:generate go run . "); ok {
			cmds = append(cmds, strings.Fields(args))
		}
	}
	if len(cmds) == 0 {
		t.Fatal("export_cmd.go has no //go:generate go run . line")
	}
	return cmds
}

var (
	panelRE     = regexp.MustCompile(`(?s)<g class="panel" transform="translate\(0 [0-9.]+\)">.*?\n</g>`)
	translateRE = regexp.MustCompile(`translate\(0 [0-9.]+\)`)
)

// panels cuts a Figure 16 picture into its panels, each drawn in its own
// coordinates, whatever its place, but for where it is moved to.
func panels(svg []byte) []string {
	var out []string
	for _, p := range panelRE.FindAll(svg, -1) {
		out = append(out, translateRE.ReplaceAllString(string(p), ""))
	}
	return out
}

// TestPicturesAreCurrent draws each picture of the documentation with its
// command and compares it with the file checked in: a change to what
// raftty draws, or to what it measures, fails here until `go generate`
// draws them again. With the race detector the bench's thousand trials
// per setting take most of a minute: the figure is then checked by its
// second panel alone (its set drawn alone), which takes seconds.
func TestPicturesAreCurrent(t *testing.T) {
	dir := t.TempDir()
	for _, args := range generated(t) {
		out := -1
		for i, a := range args {
			if a == "--svg" || a == "--spacetime" || a == "--cast" {
				out = i + 1
			}
		}
		if out < 0 || out >= len(args) {
			t.Fatalf("go:generate %v names no file", args)
		}
		want, err := os.ReadFile(args[out])
		if err != nil {
			t.Fatalf("%v: %v (go generate draws it)", args, err)
		}
		got := filepath.Join(dir, filepath.Base(args[out]))
		cmd := slices.Clone(args)
		cmd[out] = got
		bench := args[0] == "bench"
		if bench && race.Enabled {
			cmd = append(cmd, "--set", "2")
		}
		if code, _, stderr := run(t, cmd...); code != 0 {
			t.Fatalf("%v: exit %d: %s", cmd, code, stderr)
		}
		drawn, err := os.ReadFile(got)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case bench && race.Enabled:
			if w, g := panels(want), panels(drawn); len(w) != 2 || len(g) != 1 || w[1] != g[0] {
				t.Errorf("%s: its second panel is not what `raftty %s --set 2` draws now: run go generate", args[out], strings.Join(args, " "))
			}
		case !bytes.Equal(drawn, want):
			t.Errorf("%s is not what `raftty %s` draws now: run go generate", args[out], strings.Join(args, " "))
		}
	}
}
