package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenArgs is a fixed-seed run that uses every command form: its JSON
// event stream must not change by a byte unless behaviour does (then
// rewrite it with -update and review the diff).
var goldenArgs = []string{"run", "--seed", "3", "--for", "5s", "--json",
	"--at", "1s kill leader", "--at", "1.5s cut 1 -> 2", "--at", "2s partition 1,2 | 3,4,5",
	"--at", "2.5s set drop 30%", "--at", "3s heal", "--at", "3s restart 1,2,3,4,5",
	"--at", "3.5s set latency 0-2ms", "--at", "4s timeout leader",
	"--at", "4s set election-timeout 100ms-200ms", "--at", "4.2s disconnect 3", "--at", "4.5s reconnect 3"}

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
