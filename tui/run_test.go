package tui

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"raftty/cluster"
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
