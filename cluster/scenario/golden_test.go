package scenario

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"raftty/cluster"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata/golden from the current behaviour")

// goldenSeed is the seed every transcript is made with.
const goldenSeed = 1

// Every built-in scenario, at a fixed seed and at 1, 3 and 5 nodes (those
// its steps allow), leaves a transcript of its decisions: every role change,
// vote, timeout, ignored message, fault, parameter, explanation,
// expectation and error, with its reason, and no message traffic. The test
// compares them with testdata/golden, so that any change of behaviour shows
// up in review as a diff of decisions; `go test ./cluster/scenario -update`
// rewrites them, for a change that is meant.
func TestGoldenTranscripts(t *testing.T) {
	dir := filepath.Join("testdata", "golden")
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	made := 0
	for _, b := range Builtins() {
		for _, nodes := range []int{1, 3, 5} {
			script, err := Load(b.Name)
			if err != nil {
				t.Fatal(err)
			}
			if script.Validate(nodes) != nil {
				continue // the scenario names a node this cluster lacks
			}
			name := fmt.Sprintf("%s-n%d.txt", b.Name, nodes)
			t.Run(name, func(t *testing.T) {
				got := transcript(t, script, nodes)
				path := filepath.Join(dir, name)
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (go test ./cluster/scenario -update writes it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the golden transcript; %s\n(if the change is meant, rewrite with go test ./cluster/scenario -update and review the diff)",
						path, firstDifference(want, got))
				}
			})
			made++
		}
	}
	if !*update {
		files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
		if len(files) != made {
			t.Errorf("%d golden files for %d transcripts: some belong to no scenario (go test ./cluster/scenario -update)", len(files), made)
		}
	}
}

// transcript runs script as raftty run does, at goldenSeed and the given
// size, and writes one line per decision event.
func transcript(t *testing.T, script *Script, nodes int) []byte {
	t.Helper()
	var out bytes.Buffer
	fmt.Fprintf(&out, "# %s at %d nodes, seed %d: decision events (no message traffic)\n", script.Name, nodes, goldenSeed)
	cfg := cluster.DefaultConfig()
	cfg.Nodes, cfg.Seed = nodes, goldenSeed
	c, err := cluster.New(cfg, func(e cluster.Event) {
		switch e.Kind {
		case cluster.KindSend, cluster.KindDeliver, cluster.KindDrop:
			return
		}
		fmt.Fprintf(&out, "%9.3fs  %-9s %s\n", e.At.Seconds(), e.Kind, e.String())
	})
	if err != nil {
		t.Fatal(err)
	}
	c.ReportParams()
	if script.Explain != "" {
		c.Explain(script.Explain)
	}
	runFor := script.For
	if runFor == 0 {
		runFor = 10 * time.Second
	}
	p := NewPlayer(script)
	p.RunUntil(c, runFor)
	p.Finish(c)
	return out.Bytes()
}

// firstDifference names the first line that differs.
func firstDifference(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
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
