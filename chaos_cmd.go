package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"raftty/cluster"
	"raftty/cluster/chaos"
)

type chaosFlags struct {
	runs     int
	seed     uint64
	duration string
	out      string
	unsafe   chaos.Unsafe
	engine   string
}

func newChaosCmd() *cobra.Command {
	var f chaosFlags
	cmd := &cobra.Command{
		Use:   "chaos",
		Short: "Hunt for bugs: many random clusters under random faults",
		Long: "Run many seeded clusters (1-9 nodes, random timing, latency and loss, PreVote, CheckQuorum and the no-op on or off) " +
			"under random schedules of disconnects, kills, restarts, partitions, cut links, heals, forced timeouts and " +
			"parameter changes, with a client sending commands. The invariant checker watches every run (election safety, " +
			"Log Matching, Leader Completeness, State Machine Safety), and wherever a majority is connected, alive, " +
			"isolated, without loss and with heartbeats below the election timeout for " + strconv.Itoa(chaos.StableTimeouts) +
			" maximum election timeouts, there must be a leader.\n\nA failure prints the command that replays it, writes the schedule as a scenario file, " +
			"and shrinks it to the fewest steps that still fail; the files go to a new temporary directory unless --out names one. " +
			"Exit status 1 on a failure, 3 if the output could not be written.",
		Example: `  raftty chaos --runs 10000
  raftty chaos --runs 200 --unsafe-forget-votes    # a broken Raft: watch chaos catch it
  raftty chaos --runs 1000 --unsafe-commit         # Figure 8's lost commit, found and shrunk`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runChaos(cmd, f) },
	}
	fs := cmd.Flags()
	fs.IntVar(&f.runs, "runs", 1000, "how many runs")
	fs.Uint64Var(&f.seed, "seed", 1, "the first run's seed; the runs use seed, seed+1, seed+2, ...")
	fs.StringVar(&f.duration, "duration", "20s", "virtual time per run")
	fs.StringVar(&f.out, "out", "", "where a failing run's scenario files are written (default: a new temporary directory, printed)")
	fs.BoolVar(&f.unsafe.ForgetVotes, "unsafe-forget-votes", false, "run the broken variant, to see a failure found and shrunk")
	fs.BoolVar(&f.unsafe.Commit, "unsafe-commit", false, "run leaders that commit earlier terms' entries by counting copies (Figure 8), to see the lost commit found and shrunk; the runs lean towards what makes it (3 nodes, churn, loss, the no-op, one entry per AppendEntries)")
	fs.StringVar(&f.engine, "engine", cluster.EngineTextbook.String(), "the Raft the nodes run: "+strings.Join(engineNames(), " or ")+" (etcd's timing is drawn in whole ticks)")
	return cmd
}

// maxChaosDuration bounds one run: a 9-node run with 2ms heartbeats makes
// about 16,000 events per virtual second, so an hour is already a minute of
// work, and a hunt is many short runs rather than one long one.
const maxChaosDuration = time.Hour

func runChaos(cmd *cobra.Command, f chaosFlags) error {
	if f.runs < 1 {
		return badInput(fmt.Errorf("--runs %d: need at least 1", f.runs))
	}
	engine, err := namedEngine(f.engine, "chaos draws every run's timing (etcd's in whole ticks)")
	if err != nil {
		return badInput(err)
	}
	if f.unsafe.ForgetVotes && engine != cluster.EngineTextbook {
		return badInput(fmt.Errorf("--unsafe-forget-votes breaks the textbook engine only, not --engine %s", f.engine))
	}
	if f.unsafe.Commit && engine != cluster.EngineTextbook {
		return badInput(fmt.Errorf("--unsafe-commit breaks the textbook engine only, not --engine %s", f.engine))
	}
	duration, err := cluster.ParseDuration(f.duration)
	if err != nil || duration < time.Second {
		return badInput(fmt.Errorf("--duration %s: want at least 1s", f.duration))
	}
	if duration > maxChaosDuration {
		return badInput(fmt.Errorf("--duration %s: want at most %s per run (for a longer hunt, raise --runs)", f.duration, shortDuration(maxChaosDuration)))
	}
	if f.out != "" {
		if err := checkDirWritable(f.out); err != nil {
			return badInput(fmt.Errorf("--out %s: %w", f.out, err))
		}
	}
	stdout := &checkedWriter{w: cmd.OutOrStdout()}
	prog := newProgress(cmd.ErrOrStderr())
	defer prog.done()
	started := time.Now()
	var virtual time.Duration
	checks, events := 0, 0
	for i := 0; i < f.runs; i++ {
		plan := chaos.GenerateFor(engine, f.seed+uint64(i), duration, f.unsafe)
		outcome := chaos.Execute(plan)
		virtual += plan.Duration
		checks += outcome.LivenessChecks
		events += outcome.Events
		if outcome.Failure != nil {
			prog.done()
			return reportChaosFailure(stdout, f, plan, *outcome.Failure)
		}
		prog.show("raftty chaos: %d of %d runs, no failure so far", i+1, f.runs)
	}
	prog.done()
	of := ""
	if engine != cluster.EngineTextbook {
		of = fmt.Sprintf(" of the %v engine", engine)
	}
	fmt.Fprintf(stdout, "raftty chaos: %d runs (seeds %d-%d)%s, %.1f virtual hours, %d events, %d liveness checks: "+
		"no invariant violation, no liveness failure, in %v\n",
		f.runs, f.seed, f.seed+uint64(f.runs)-1, of, virtual.Hours(), events, checks, time.Since(started).Round(time.Millisecond))
	if stdout.err != nil {
		return outputError(stdout.err)
	}
	return nil
}

// reportChaosFailure prints the failure and the command that replays it,
// writes the schedule and its shrunk version as scenario files (into --out,
// or a new temporary directory), and returns exit status 1; 3 if what it
// printed could not be written.
func reportChaosFailure(w *checkedWriter, f chaosFlags, plan chaos.Plan, failure chaos.Failure) error {
	fmt.Fprintf(w, "raftty chaos: run with seed %d failed: %s\n", plan.Config.Seed, failure)
	if w.err != nil {
		return outputError(w.err)
	}
	dir := f.out
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "raftty-chaos-"); err != nil {
			return outputError(fmt.Errorf("a directory for the failing schedule: %w", err))
		}
	}
	original, err := writeChaosScenario(dir, fmt.Sprintf("raftty-chaos-%d.txt", plan.Config.Seed), plan, &failure)
	if err != nil {
		return outputError(err)
	}
	fmt.Fprintf(w, "  schedule of %d steps written to %s; replay:\n    raftty run --scenario %s\n",
		len(plan.Steps), original, original)
	small := chaos.Shrink(plan, failure)
	smallFailure := chaos.Execute(small).Failure
	shrunk, err := writeChaosScenario(dir, fmt.Sprintf("raftty-chaos-%d-shrunk.txt", plan.Config.Seed), small, smallFailure)
	if err != nil {
		return outputError(err)
	}
	fmt.Fprintf(w, "  shrunk to %d steps (%s), written to %s; replay:\n    raftty run --scenario %s\n",
		len(small.Steps), smallFailure, shrunk, shrunk)
	if w.err != nil {
		return outputError(w.err)
	}
	return &exitError{code: exitFailed, err: fmt.Errorf("chaos run %d failed: %s", plan.Config.Seed, failure.Kind)}
}

// checkDirWritable says, before a hunt that may take minutes, why the
// directory a failing run's files go to could not take them.
func checkDirWritable(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errors.New("no such directory")
	case err != nil:
		return err
	case !info.IsDir():
		return errors.New("not a directory")
	}
	probe, err := os.CreateTemp(dir, ".raftty-chaos-probe-*")
	if err != nil {
		return errors.New("cannot write files there")
	}
	probe.Close()
	return os.Remove(probe.Name())
}

func writeChaosScenario(dir, name string, plan chaos.Plan, failure *chaos.Failure) (string, error) {
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(plan.ScenarioText(failure)), 0o644); err != nil {
		return "", fmt.Errorf("writing the failing schedule: %w", err)
	}
	return path, nil
}
