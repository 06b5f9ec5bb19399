package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"raftty/cluster/scenario"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenArgs is a fixed-seed run that uses every command form: its JSON
// event stream must not change by a byte unless behaviour does (then
// rewrite it with -update and review the diff).
var goldenArgs = []string{"run", "--seed", "3", "--for", "5s", "--json",
	"--at", "1s kill leader", "--at", "1.5s cut 1 -> 2", "--at", "2s partition 1,2 | 3,4,5",
	"--at", "2.5s set drop 30%", "--at", "3s heal", "--at", "3s restart 1,2,3,4,5",
	"--at", "3.5s set latency 0-2ms", "--at", "4s timeout leader",
	"--at", "4s set election-timeout 100ms-200ms", "--at", "4.2s disconnect 3", "--at", "4.5s reconnect 3",
	"--at", "4.9s put x=1", "--at", "4.95s put to 3"}

func TestGoldenJSON(t *testing.T) {
	code, stdout, stderr := run(t, goldenArgs...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	path := filepath.Join("testdata", "golden-mixed.jsonl")
	if *update {
		if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal([]byte(stdout), want) {
		got, exp := bytes.Split([]byte(stdout), []byte("\n")), bytes.Split(want, []byte("\n"))
		for i := range min(len(got), len(exp)) {
			if !bytes.Equal(got[i], exp[i]) {
				t.Fatalf("line %d differs:\n got %s\nwant %s", i+1, got[i], exp[i])
			}
		}
		t.Fatalf("%d lines, want %d", len(got), len(exp))
	}
}

// Every built-in scenario, at seed 1 and at 1, 3 and 5 nodes (those its
// steps allow), leaves a transcript of `raftty run --verbose`: every role
// change, vote, timeout, ignored message, fault, parameter, explanation,
// expectation and error with its reason, the votes' traffic, and the
// summary. The test compares them with testdata/transcripts, so that any
// change of behaviour shows up in review as a diff of decisions; `go test
// -run TestGoldenTranscripts -update` rewrites them, for a change that is
// meant.
func TestGoldenTranscripts(t *testing.T) {
	dir := filepath.Join("testdata", "transcripts")
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	made := 0
	for _, b := range scenario.Builtins() {
		script, err := scenario.Load(b.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, nodes := range []int{1, 3, 5} {
			if script.Validate(nodes) != nil {
				continue // the scenario names a node this cluster lacks
			}
			name := fmt.Sprintf("%s-n%d.txt", b.Name, nodes)
			made++
			t.Run(name, func(t *testing.T) {
				args := []string{"run", "--scenario", b.Name, "--nodes", strconv.Itoa(nodes), "--seed", "1", "--verbose"}
				code, stdout, stderr := run(t, args...)
				var got bytes.Buffer
				fmt.Fprintf(&got, "# raftty %s: exit %d\n", strings.Join(args, " "), code)
				for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
					if line != "" {
						fmt.Fprintf(&got, "# stderr: %s\n", line)
					}
				}
				got.WriteString(stdout)
				path := filepath.Join(dir, name)
				if *update {
					if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (go test -run TestGoldenTranscripts -update writes it)", err)
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Errorf("%s differs from the golden transcript; %s\n(if the change is meant, rewrite with go test -run TestGoldenTranscripts -update and review the diff)",
						path, firstDifference(want, got.Bytes()))
				}
			})
		}
	}
	if !*update {
		files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
		if len(files) != made {
			t.Errorf("%d golden transcripts for %d runs: some belong to no scenario (go test -run TestGoldenTranscripts -update)", len(files), made)
		}
	}
}

// firstDifference names the first line that differs.
func firstDifference(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, wl, gl)
		}
	}
	return "they differ"
}
