package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"raftty/cluster/chaos"
	"raftty/cluster/scenario"
)

type chaosFlags struct {
	runs     int
	seed     uint64
	duration string
	out      string
	unsafe   bool
}

func newChaosCmd() *cobra.Command {
	var f chaosFlags
	cmd := &cobra.Command{
		Use:   "chaos",
		Short: "Hunt for bugs: many random clusters under random faults",
		Long: "Run many seeded clusters (1-9 nodes, random timing, latency and loss, PreVote and CheckQuorum on or off) " +
			"under random schedules of disconnects, kills, restarts, partitions, cut links, heals, forced timeouts and " +
			"parameter changes. The invariant checker watches every run, and wherever a majority is connected, alive, " +
			"isolated, without loss and with heartbeats below the election timeout for 10 election timeouts, there must " +
			"be a leader.\n\nA failure prints the command that replays it, writes the schedule as a scenario file, " +
			"and shrinks it to the fewest steps that still fail. Exit status 1 on a failure.",
		Example: `  raftty chaos --runs 10000
  raftty chaos --runs 200 --unsafe-forget-votes    # a broken Raft: watch chaos catch it`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runChaos(cmd, f) },
	}
	fs := cmd.Flags()
	fs.IntVar(&f.runs, "runs", 1000, "how many runs")
	fs.Uint64Var(&f.seed, "seed", 1, "the first run's seed; run i uses seed+i")
	fs.StringVar(&f.duration, "duration", "20s", "virtual time per run")
	fs.StringVar(&f.out, "out", ".", "where a failing run's scenario files are written")
	fs.BoolVar(&f.unsafe, "unsafe-forget-votes", false, "run the broken variant, to see a failure found and shrunk")
	return cmd
}

func runChaos(cmd *cobra.Command, f chaosFlags) error {
	if f.runs < 1 {
		return badInput(fmt.Errorf("--runs %d: need at least 1", f.runs))
	}
	duration, err := scenario.ParseDuration(f.duration)
	if err != nil || duration < time.Second {
		return badInput(fmt.Errorf("--duration %s: want at least 1s", f.duration))
	}
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	started := time.Now()
	var virtual time.Duration
	checks, events := 0, 0
	for i := 0; i < f.runs; i++ {
		plan := chaos.Generate(f.seed+uint64(i), duration, f.unsafe)
		outcome := chaos.Execute(plan)
		virtual += plan.Duration
		checks += outcome.LivenessChecks
		events += outcome.Events
		if outcome.Failure != nil {
			return reportChaosFailure(cmd, f, plan, *outcome.Failure)
		}
		if (i+1)%1000 == 0 && i+1 < f.runs {
			fmt.Fprintf(stderr, "raftty chaos: %d runs, no failure so far\n", i+1)
		}
	}
	fmt.Fprintf(stdout, "raftty chaos: %d runs (seeds %d-%d), %.1f virtual hours, %d events, %d liveness checks: "+
		"no invariant violation, no liveness failure, in %v\n",
		f.runs, f.seed, f.seed+uint64(f.runs)-1, virtual.Hours(), events, checks, time.Since(started).Round(time.Millisecond))
	return nil
}

func reportChaosFailure(cmd *cobra.Command, f chaosFlags, plan chaos.Plan, failure chaos.Failure) error {
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "raftty chaos: run with seed %d failed: %s\n", plan.Config.Seed, failure)
	original, err := writeChaosScenario(f.out, fmt.Sprintf("raftty-chaos-%d.txt", plan.Config.Seed), plan, &failure)
	if err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	fmt.Fprintf(w, "  schedule of %d steps written to %s; replay:\n    raftty run --scenario %s\n",
		len(plan.Steps), original, original)
	small := chaos.Shrink(plan, failure)
	smallFailure := chaos.Execute(small).Failure
	shrunk, err := writeChaosScenario(f.out, fmt.Sprintf("raftty-chaos-%d-shrunk.txt", plan.Config.Seed), small, smallFailure)
	if err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	fmt.Fprintf(w, "  shrunk to %d steps (%s), written to %s; replay:\n    raftty run --scenario %s\n",
		len(small.Steps), smallFailure, shrunk, shrunk)
	return &exitError{code: exitFailed, err: fmt.Errorf("chaos run %d failed: %s", plan.Config.Seed, failure.Kind)}
}

func writeChaosScenario(dir, name string, plan chaos.Plan, failure *chaos.Failure) (string, error) {
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(plan.ScenarioText(failure)), 0o644); err != nil {
		return "", fmt.Errorf("writing the failing schedule: %w", err)
	}
	return path, nil
}
