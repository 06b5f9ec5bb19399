package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"raftty/cluster/bench"
	"raftty/cluster/scenario"
)

type benchFlags struct {
	trials  int
	nodes   int
	latency string
	seed    string
	set     string
	limit   string
	json    bool
	csv     string
}

func newBenchCmd() *cobra.Command {
	var f benchFlags
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Reproduce the Raft paper's election measurements (Figure 16)",
		Long: "Reproduce section 9.3 of the Raft paper: crash the leader of a 5-node cluster at a random moment " +
			"within its heartbeat interval (half the minimum election timeout), right after a heartbeat broadcast, " +
			"and time how long until a new leader is elected; 1000 trials per election timeout range.\n\n" +
			"Set 1 varies the randomness (150-150ms to 150-300ms); set 2 the scale (12-24ms to 150-300ms). " +
			"The default one-way latency, 5-10ms, makes a broadcast take about 15ms, as in the paper.",
		Example: `  raftty bench
  raftty bench --set 2 --trials 200 --json
  raftty bench --csv samples.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBench(cmd, f) },
	}
	d := bench.DefaultOptions()
	fs := cmd.Flags()
	fs.IntVar(&f.trials, "trials", d.Trials, "trials per setting (150-150ms runs at most 100)")
	fs.IntVar(&f.nodes, "nodes", d.Nodes, "cluster size")
	fs.StringVar(&f.latency, "latency", "5ms-10ms", "one-way message latency range")
	fs.StringVar(&f.seed, "seed", "", "random seed (default: a random one, always printed)")
	fs.StringVar(&f.set, "set", "all", "which settings: 1 (randomness), 2 (scale) or all")
	fs.StringVar(&f.limit, "limit", d.Limit.String(), "give up on a trial without a leader after this long (counted as censored)")
	fs.BoolVar(&f.json, "json", false, "print one JSON object per setting")
	fs.StringVar(&f.csv, "csv", "", "write every trial's downtime to this CSV file")
	return cmd
}

// maxTrials bounds the trials per setting: `raftty bench --seed 1` (1000
// per setting) took 9.5 s of CPU on a 2-vCPU AMD EPYC, so 10,000 take
// minutes, and 99,999,999 would take days and gigabytes.
const maxTrials = 10000

// benchSet is one of the paper's two sets of settings.
type benchSet struct {
	title    string
	settings []bench.Setting
}

func (f benchFlags) options() (bench.Options, []benchSet, error) {
	o := bench.DefaultOptions()
	if f.trials < 1 {
		return o, nil, fmt.Errorf("--trials %d: need at least 1", f.trials)
	}
	if f.trials > maxTrials {
		return o, nil, fmt.Errorf("--trials %d: want at most %d per setting (the paper ran 1000)", f.trials, maxTrials)
	}
	if f.nodes < 1 || f.nodes > 101 {
		return o, nil, fmt.Errorf("--nodes %d: bench runs 1 to 101 nodes", f.nodes)
	}
	o.Trials, o.Nodes = f.trials, f.nodes
	var err error
	if o.LatencyMin, o.LatencyMax, err = scenario.ParseRange(f.latency); err != nil {
		return o, nil, fmt.Errorf("--latency %s: %w", f.latency, err)
	}
	if o.Limit, err = scenario.ParseDuration(f.limit); err != nil || o.Limit == 0 {
		return o, nil, fmt.Errorf("--limit %s: want a positive duration", f.limit)
	}
	if f.seed == "" {
		o.Seed = rand.Uint64() % 1_000_000
	} else if o.Seed, err = strconv.ParseUint(f.seed, 10, 64); err != nil {
		return o, nil, fmt.Errorf("--seed %s: want a whole number from 0", f.seed)
	}
	randomness := benchSet{"Set 1: randomness (the paper's Figure 16, top)", bench.Randomness}
	scale := benchSet{"Set 2: scale (the paper's Figure 16, bottom)", bench.Scale}
	switch f.set {
	case "1":
		return o, []benchSet{randomness}, nil
	case "2":
		return o, []benchSet{scale}, nil
	case "all":
		return o, []benchSet{randomness, scale}, nil
	}
	return o, nil, fmt.Errorf("--set %s: want 1, 2 or all", f.set)
}

func runBench(cmd *cobra.Command, f benchFlags) error {
	opts, sets, err := f.options()
	if err != nil {
		return badInput(err)
	}
	// The CSV file is opened before the bench, so that a path that cannot
	// be written is bad input now, not an error after minutes of work.
	var csvFile *os.File
	if f.csv != "" {
		if csvFile, err = os.Create(f.csv); err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return badInput(fmt.Errorf("--csv %s: %w", f.csv, err))
		}
		defer csvFile.Close()
	}
	stdout, stderr := &checkedWriter{w: cmd.OutOrStdout()}, cmd.ErrOrStderr()
	opts.Progress = progressReporter(stderr)
	started := time.Now()
	var all []bench.Result
	if !f.json {
		fmt.Fprintf(stdout, "raftty bench: %d nodes, latency %s one way, heartbeat = min timeout / 2, seed %d\n\n",
			opts.Nodes, f.latency, opts.Seed)
	}
	for _, set := range sets {
		if stdout.err != nil {
			return outputError(stdout.err) // stop at the first failed write
		}
		results, err := bench.Run(set.settings, opts)
		if err != nil {
			return err
		}
		all = append(all, results...)
		if f.json {
			enc := json.NewEncoder(stdout)
			for _, r := range results {
				_ = enc.Encode(r.Summarize())
			}
			continue
		}
		fmt.Fprintln(stdout, set.title)
		writeBenchTable(stdout, results)
		fmt.Fprintln(stdout)
		fmt.Fprintln(stdout, bench.Chart(results, 64, 16))
	}
	if stdout.err != nil {
		return outputError(stdout.err)
	}
	if csvFile != nil {
		if err := writeBenchCSV(csvFile, all); err != nil {
			return outputError(fmt.Errorf("--csv %s: %w", f.csv, err))
		}
	}
	fmt.Fprintf(stderr, "raftty bench: %d settings in %v (seed %d)\n", len(all), time.Since(started).Round(time.Millisecond), opts.Seed)
	return nil
}

func writeBenchTable(w io.Writer, results []bench.Result) {
	fmt.Fprintf(w, "  %-12s %6s %9s %9s %9s %9s %9s %9s %7s\n", "timeout", "trials", "min", "median", "mean", "p90", "p99", "max", "splits")
	for _, r := range results {
		s := r.Summarize()
		fmt.Fprintf(w, "  %-12s %6d %9s %9s %9s %9s %9s %9s %7.2f", s.Timeout, s.Trials,
			msText(s.MinMS), msText(s.MedianMS), msText(s.MeanMS), msText(s.P90MS), msText(s.P99MS), msText(s.MaxMS), s.SplitVotesPerTrial)
		if s.Censored > 0 {
			fmt.Fprintf(w, "  %d trials had no leader after the %v limit", s.Censored, time.Duration(s.MaxMS*float64(time.Millisecond)).Round(time.Second))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "  (times: from the crash to a new leader; splits: split votes per trial)")
}

func msText(v float64) string {
	if v >= 10000 {
		return fmt.Sprintf("%.1fs", v/1000)
	}
	return fmt.Sprintf("%.0fms", v)
}

func writeBenchCSV(file *os.File, results []bench.Result) error {
	w := csv.NewWriter(file)
	_ = w.Write([]string{"timeout", "trial", "downtime_ms", "split_votes"})
	for _, r := range results {
		for i, d := range r.Downtimes {
			_ = w.Write([]string{r.Setting.Name(), strconv.Itoa(i + 1),
				strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 3, 64), strconv.Itoa(r.SplitVotes[i])})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		file.Close()
		return err
	}
	return file.Close()
}

// progressReporter draws a bar on stderr when it is a terminal, redrawn in
// place; logs and pipes get no progress.
func progressReporter(w io.Writer) func(bench.Setting, int, int) {
	f, isFile := w.(*os.File)
	tty := isFile && term.IsTerminal(f.Fd())
	return func(s bench.Setting, done, total int) {
		if tty && (done%10 == 0 || done == total) {
			const width = 30
			full := width * done / total
			fmt.Fprintf(w, "\r  %-12s [%s%s] %d/%d", s.Name(), strings.Repeat("#", full), strings.Repeat(".", width-full), done, total)
			if done == total {
				fmt.Fprint(w, "\r\x1b[K")
			}
		}
	}
}
