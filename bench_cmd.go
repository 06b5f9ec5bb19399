package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"raftty/cluster"
	"raftty/cluster/bench"
)

type benchFlags struct {
	trials    int
	nodes     int
	latency   string
	diskWrite string
	jitter    string
	eligible  int
	parallel  int
	seed      string
	set       string
	limit     string
	json      bool
	csv       string
	svg       string
	engine    string
	ticks     int
}

func newBenchCmd() *cobra.Command {
	var f benchFlags
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Reproduce the Raft paper's election measurements (Figure 16)",
		Long: "Reproduce section 9.3 of the Raft paper from its setup: five servers, two of the four survivors with " +
			"shorter logs; crash the leader at a random moment within its heartbeat interval (half the minimum election " +
			"timeout), right after a heartbeat broadcast, and time how long until every other server has received the " +
			"new leader's first heartbeat; 1000 trials per election timeout range (100 for 150-150ms).\n\n" +
			"Set 1 varies the randomness (150-150ms to 150-300ms); set 2 the scale (12-24ms to 150-300ms). " +
			"The network is a 1 GbE LAN (0.1-0.2ms one way), a disk write takes 3ms, and timers fire up " +
			"to 50us late; the README derives each value from the paper. Settings run in parallel on every core; " +
			"the results do not depend on it.",
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
	fs.StringVar(&f.latency, "latency", cluster.FormatRange(d.LatencyMin, d.LatencyMax), "one-way message latency range")
	fs.StringVar(&f.diskWrite, "disk-write", cluster.FormatDuration(d.DiskWrite), "how long persisting term and vote takes")
	fs.StringVar(&f.jitter, "timer-jitter", cluster.FormatDuration(d.TimerJitter), "election timers fire up to this much late")
	fs.IntVar(&f.eligible, "eligible", -1, "survivors whose logs are as long as the leader's (-1: half of them, two of four at 5 nodes)")
	fs.IntVar(&f.parallel, "parallel", 0, "trials run on this many cores at once (default: all)")
	fs.StringVar(&f.seed, "seed", "", "random seed (default: a random one, always printed)")
	fs.StringVar(&f.set, "set", "all", "which settings: 1 (randomness), 2 (scale) or all")
	fs.StringVar(&f.limit, "limit", d.Limit.String(), "give up on a trial without a leader after this long (counted as censored)")
	fs.BoolVar(&f.json, "json", false, "print one JSON object per setting")
	fs.StringVar(&f.csv, "csv", "", "write every trial's downtime to this CSV file")
	fs.StringVar(&f.svg, "svg", "", "draw the results beside the paper's as Figure 16 in this SVG file")
	fs.StringVar(&f.engine, "engine", cluster.EngineTextbook.String(), "the Raft the nodes run: "+strings.Join(engineNames(), " or ")+
		" (etcd: set 2's [T, 2T] settings, no timer jitter, no log handicap; printed beside the textbook engine on the same setup)")
	fs.IntVar(&f.ticks, "ticks", bench.DefaultElectionTicks, "with --engine etcd: ElectionTick, the minimum timeout in ticks (even; the heartbeat is half as many)")
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

func (f benchFlags) options(changed func(string) bool) (bench.Options, []benchSet, error) {
	o := bench.DefaultOptions()
	engine, err := namedEngine(f.engine, "the bench runs the paper's settings (a heartbeat of half the minimum timeout, ElectionTick --ticks)")
	if err != nil {
		return o, nil, err
	}
	o.Engine, o.ElectionTicks = engine, f.ticks
	if engine == cluster.EngineEtcd {
		if !changed("timer-jitter") {
			f.jitter = "0"
		}
		if !changed("eligible") {
			f.eligible = f.nodes - 1
		}
		if f.set == "1" {
			return o, nil, fmt.Errorf("--set 1 --engine etcd: set 1 varies the randomness, which etcd fixes at [T, 2T): run set 2")
		}
		f.set = "2"
	} else if changed("ticks") {
		return o, nil, fmt.Errorf("--ticks %d: only the etcd engine counts ticks (add --engine etcd)", f.ticks)
	}
	if f.trials < 1 {
		return o, nil, fmt.Errorf("--trials %d: need at least 1", f.trials)
	}
	if f.trials > maxTrials {
		return o, nil, fmt.Errorf("--trials %d: want at most %d per setting (the paper ran 1000)", f.trials, maxTrials)
	}
	if f.nodes < 3 || f.nodes > 101 {
		return o, nil, fmt.Errorf("--nodes %d: bench runs 3 to 101 nodes (with fewer, the crashed leader leaves no majority to elect another)", f.nodes)
	}
	o.Trials, o.Nodes, o.Parallel = f.trials, f.nodes, f.parallel
	if f.eligible < -1 || f.eligible > f.nodes-1 {
		return o, nil, fmt.Errorf("--eligible %d: want 0 to %d survivors, or -1 for half", f.eligible, f.nodes-1)
	}
	if f.eligible >= 0 {
		o.Eligible = f.eligible
	}
	if f.parallel < 0 {
		return o, nil, fmt.Errorf("--parallel %d: want 0 (all cores) or more", f.parallel)
	}
	if o.LatencyMin, o.LatencyMax, err = cluster.ParseRange(f.latency); err != nil {
		return o, nil, fmt.Errorf("--latency %s: %w", f.latency, err)
	}
	if o.DiskWrite, err = cluster.ParseDuration(f.diskWrite); err != nil {
		return o, nil, fmt.Errorf("--disk-write %s: %w", f.diskWrite, err)
	}
	if o.TimerJitter, err = cluster.ParseDuration(f.jitter); err != nil {
		return o, nil, fmt.Errorf("--timer-jitter %s: %w", f.jitter, err)
	}
	if o.Limit, err = cluster.ParseDuration(f.limit); err != nil || o.Limit == 0 {
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

// benchOptionError names the flag behind a refusal of bench.Options.
func benchOptionError(err error) error {
	for field, flag := range map[string]string{"election ticks ": "--ticks ", "timer jitter ": "--timer-jitter ", "eligible ": "--eligible "} {
		if rest, ok := strings.CutPrefix(err.Error(), field); ok {
			return errors.New(flag + rest)
		}
	}
	return err
}

func runBench(cmd *cobra.Command, f benchFlags) error {
	opts, sets, err := f.options(cmd.Flags().Changed)
	if err == nil {
		if err = opts.Validate(); err != nil {
			err = benchOptionError(err)
		}
	}
	if err != nil {
		return badInput(err)
	}
	var csvFile, svgFile *os.File
	if f.csv != "" {
		if csvFile, err = createOutput("--csv", f.csv); err != nil {
			return badInput(err)
		}
		defer csvFile.Close()
	}
	if f.svg != "" {
		if svgFile, err = createOutput("--svg", f.svg); err != nil {
			return badInput(err)
		}
		defer svgFile.Close()
	}
	stdout, stderr := &checkedWriter{w: cmd.OutOrStdout()}, cmd.ErrOrStderr()
	opts.Progress = progressReporter(stderr)
	started := time.Now()
	// Every setting of every set in one run, so that all cores stay busy;
	// a setting in two sets (150-300ms) is measured once.
	var settings []bench.Setting
	for _, set := range sets {
		for _, s := range set.settings {
			if !slices.Contains(settings, s) {
				settings = append(settings, s)
			}
		}
	}
	results, err := bench.Run(cmd.Context(), settings, opts)
	if err != nil {
		return err
	}
	// etcd's figures come with the textbook engine's on the same setup,
	// so that what differs is the engine alone.
	var textbook []bench.Result
	if opts.Engine != cluster.EngineTextbook {
		same := opts
		same.Engine, same.Progress = cluster.EngineTextbook, nil
		if textbook, err = bench.Run(cmd.Context(), settings, same); err != nil {
			return err
		}
	}
	of := func(rs []bench.Result, s bench.Setting) bench.Result { return rs[slices.Index(settings, s)] }
	if !f.json {
		eligible := fmt.Sprintf("%d of %d survivors eligible", (opts.Nodes-1)/2, opts.Nodes-1)
		if opts.Eligible >= 0 {
			eligible = fmt.Sprintf("%d of %d survivors eligible", opts.Eligible, opts.Nodes-1)
		}
		fmt.Fprintf(stdout, "raftty bench: %d nodes, %s, latency %s one way, disk write %v, timer jitter %v, heartbeat = min timeout / 2, seed %d\n",
			opts.Nodes, eligible, cluster.FormatRange(opts.LatencyMin, opts.LatencyMax), opts.DiskWrite, opts.TimerJitter, opts.Seed)
		if opts.Engine == cluster.EngineEtcd {
			fmt.Fprintf(stdout, "etcd engine: ElectionTick %d (tick = min timeout / %d), HeartbeatTick %d; no log handicap: etcd's logs grow only through the leader\n",
				opts.ElectionTicks, opts.ElectionTicks, opts.ElectionTicks/2)
		}
		fmt.Fprintln(stdout)
	}
	for _, set := range sets {
		if stdout.err != nil {
			return outputError(stdout.err) // stop at the first failed write
		}
		var rs, ts []bench.Result
		for _, s := range set.settings {
			rs = append(rs, of(results, s))
			if textbook != nil {
				ts = append(ts, of(textbook, s))
			}
		}
		if f.json {
			enc := json.NewEncoder(stdout)
			for _, r := range append(rs, ts...) {
				_ = enc.Encode(r.Summarize())
			}
			continue
		}
		fmt.Fprintln(stdout, set.title)
		if ts != nil {
			fmt.Fprintf(stdout, "%v engine\n", opts.Engine)
		}
		writeBenchTable(stdout, rs)
		fmt.Fprintln(stdout)
		if ts != nil {
			fmt.Fprintln(stdout, "textbook engine, the same setup")
			writeBenchTable(stdout, ts)
			fmt.Fprintln(stdout)
		}
		fmt.Fprintln(stdout, bench.Chart(rs, 64, 16))
	}
	if stdout.err != nil {
		return outputError(stdout.err)
	}
	if csvFile != nil {
		if err := writeBenchCSV(csvFile, append(results, textbook...), opts.Limit); err != nil {
			return outputError(fmt.Errorf("--csv %s: %w", f.csv, err))
		}
	}
	if svgFile != nil {
		if err := writeFig16(svgFile, sets, func(s bench.Setting) (bench.Result, *bench.Result) {
			if textbook == nil {
				return of(results, s), nil
			}
			t := of(textbook, s)
			return of(results, s), &t
		}, opts); err != nil {
			return outputError(err)
		}
	}
	fmt.Fprintf(stderr, "raftty bench: %d settings in %v (seed %d)\n", len(results), time.Since(started).Round(time.Millisecond), opts.Seed)
	return nil
}

// writeBenchTable prints each setting's figures beside the paper's: the
// downtime's median, mean, p90 and max (raftty, then the paper in
// parentheses), the winner's median (when the winner counted its deciding
// vote), split votes per trial and censored trials. A figure that rests on
// censored trials is a lower bound and says so with ">".
func writeBenchTable(w io.Writer, results []bench.Result) {
	fmt.Fprintf(w, "  %-11s %6s %18s %18s %18s %18s %8s %6s %8s\n",
		"timeout", "trials", "median (paper)", "mean (paper)", "p90 (paper)", "max (paper)", "elected", "splits", "censored")
	for _, r := range results {
		s := r.Summarize()
		p, hasPaper := bench.Paper(r.Setting)
		cell := func(v float64, lower bool, pv float64) string {
			text := msText(v)
			if lower {
				text = ">" + text
			}
			if hasPaper {
				text += " (" + msText(pv) + ")"
			}
			return text
		}
		fmt.Fprintf(w, "  %-11s %6d %18s %18s %18s %18s %8s %6.2f %8d\n", s.Timeout, s.Trials,
			cell(s.MedianMS, s.LowerBound(0.5), p.MedianMS), cell(s.MeanMS, s.Censored > 0, p.MeanMS),
			cell(s.P90MS, s.LowerBound(0.9), p.P90MS), cell(s.MaxMS, s.Censored > 0, p.MaxMS),
			msText(s.ElectedMedianMS), s.SplitVotesPerTrial, s.Censored)
	}
	fmt.Fprintln(w, "  (downtime: from the crash until every other server received the new leader's first heartbeat;")
	fmt.Fprintln(w, "  elected: median time until the winner counted its deciding vote; splits: split votes per trial)")
	for _, r := range results {
		if n := len(r.Deposed); n > 0 {
			fmt.Fprintf(w, "  %s: %d of %d trials left out (%s): a follower timed out and deposed the healthy leader before the crash, so nothing was timed\n",
				r.Setting.Name(), n, n+len(r.Downtimes), trialNumbers(r.Deposed))
		}
	}
}

// trialNumbers lists trial numbers, the first few of many.
func trialNumbers(ns []int) string {
	const shown = 5
	var b strings.Builder
	b.WriteString(plural(len(ns), "trial ", "trials "))
	for i, n := range ns[:min(len(ns), shown)] {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(n))
	}
	if len(ns) > shown {
		fmt.Fprintf(&b, " and %d more", len(ns)-shown)
	}
	return b.String()
}

func msText(v float64) string {
	if v >= 10000 {
		return fmt.Sprintf("%.1fs", v/1000)
	}
	if v < 100 {
		return fmt.Sprintf("%.1fms", v)
	}
	return fmt.Sprintf("%.0fms", v)
}

// writeBenchCSV writes a row per trial, in trial order: its downtime and
// split votes, its engine, and its outcome: "leader" (measured),
// "censored" (no leader within limit: the downtime is the limit, a lower
// bound) or "deposed" (the leader was deposed before the crash: no
// downtime, left out of every figure).
func writeBenchCSV(file *os.File, results []bench.Result, limit time.Duration) error {
	w := csv.NewWriter(file)
	_ = w.Write([]string{"timeout", "trial", "downtime_ms", "split_votes", "engine", "outcome"})
	for _, r := range results {
		engine, m := r.Engine.String(), 0
		for trial := 1; trial <= len(r.Downtimes)+len(r.Deposed); trial++ {
			if slices.Contains(r.Deposed, trial) {
				_ = w.Write([]string{r.Setting.Name(), strconv.Itoa(trial), "", "", engine, "deposed"})
				continue
			}
			d, outcome := r.Downtimes[m], "leader"
			if d >= limit {
				outcome = "censored"
			}
			_ = w.Write([]string{r.Setting.Name(), strconv.Itoa(trial),
				strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 3, 64), strconv.Itoa(r.SplitVotes[m]), engine, outcome})
			m++
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
