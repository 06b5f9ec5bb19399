package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

type runOptions struct {
	json    bool
	verbose bool
	export  exportFlags
	// pictures collects what --spacetime, --cast and --svg draw; nil
	// without them.
	pictures *exporter
}

func newRunCmd() *cobra.Command {
	var flags clusterFlags
	var opts runOptions
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run a cluster headless, as fast as the CPU allows",
		Long: "Run a cluster on the simulated clock without a terminal and print a summary, " +
			"or with --json every event as one JSON object per line, then a summary line.\n\n" +
			"A timed step that cannot be carried out when its time comes (kill leader with no leader, restart of a live node) is an error event, " +
			"a warning on stderr and a line of the summary; the run goes on, and the exit status does not change.\n\n" +
			"Exit status: 0 ok, 1 an invariant broke or an expectation failed, 2 bad input (including a timed step after the end of the run), " +
			"3 the output could not be written.",
		Example: `  raftty run --at "2s kill leader" --json
  raftty run --heartbeat 3s --for 5s
  raftty run --nodes 5 --seed 42 --at "1s disconnect 2" --at "3s reconnect 2" --prevote`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runHeadless(cmd, &flags, opts)
		},
	}
	flags.register(cmd)
	cmd.Flags().BoolVar(&opts.json, "json", false, "print every event as JSON Lines, then a summary line")
	// No -v: fang gives -v to --version, on the root.
	cmd.Flags().BoolVar(&opts.verbose, "verbose", false, "print every decision in plain words (heartbeat traffic left out)")
	opts.export.register(cmd)
	return cmd
}

func runHeadless(cmd *cobra.Command, flags *clusterFlags, opts runOptions) error {
	s, err := flags.parse(cmd.Flags().Changed)
	if err != nil {
		return badInput(err)
	}
	for _, w := range s.warnings {
		fmt.Fprintf(cmd.ErrOrStderr(), "raftty: warning: %s\n", w)
	}
	if opts.pictures, err = opts.export.start(s, cmd.Flags().Changed); err != nil {
		return badInput(err)
	}
	out := bufio.NewWriterSize(cmd.OutOrStdout(), 64<<10)
	prog := newProgress(cmd.ErrOrStderr())
	sum, report, err := headless(s, out, opts, prog)
	prog.done()
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		opts.pictures.abandon()
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	} else if err != nil {
		return outputError(err)
	}
	if err := opts.pictures.finish(cmd.Context(), s, cmd.ErrOrStderr()); err != nil {
		return outputError(err)
	}
	switch errs := report.errors; {
	case len(errs) == 1:
		fmt.Fprintf(cmd.ErrOrStderr(), "raftty: warning: a timed step could not be carried out at %v: %s\n", errs[0].At, errs[0].Detail)
	case len(errs) > 1:
		fmt.Fprintf(cmd.ErrOrStderr(), "raftty: warning: %d timed steps could not be carried out (the summary lists them); the first at %v: %s\n",
			len(errs), errs[0].At, errs[0].Detail)
	}
	failed := report.failed
	if sum.Violations > 0 {
		replay := fmt.Sprintf("--seed %d", sum.Seed)
		if flags.scenario != "" {
			replay = fmt.Sprintf("--scenario %s --seed %d", flags.scenario, sum.Seed)
		}
		return &exitError{code: exitFailed, err: fmt.Errorf("%d invariant violation(s); replay with %s and the same flags", sum.Violations, replay)}
	}
	if len(failed) == 1 {
		return &exitError{code: exitFailed, err: errors.New(expectationFailure(failed[0]))}
	}
	if len(failed) > 1 {
		for _, e := range failed {
			fmt.Fprintf(cmd.ErrOrStderr(), "raftty: %s\n", expectationFailure(e))
		}
		return &exitError{code: exitFailed, err: fmt.Errorf("%d expectations failed", len(failed))}
	}
	return nil
}

func expectationFailure(e cluster.Event) string {
	return fmt.Sprintf("%s: expectation failed: %s (got %s)", e.Source, e.Detail, e.Got)
}

// runReport is what a headless run found besides its numbers: its failed
// expectations, and the timed commands that could not be carried out when
// their time came ("kill leader" with no leader). Those errors do not fail
// the run: a step may depend on what the cluster does (restart 1,2,3
// restarts whichever is dead), so they are warned of and listed.
type runReport struct {
	failed []cluster.Event
	errors []cluster.Event
}

// headless runs the setup to its end on the simulated clock, writing events
// to out as opts ask, and returns the summary and what it found. It runs in
// slices of virtual time and stops after the slice in which a write to out
// failed, returning that error.
func headless(s setup, out *bufio.Writer, opts runOptions, prog *progress) (cluster.Summary, runReport, error) {
	var line []byte
	var expects, errs []cluster.Event
	var werr error
	write := func(_ int, err error) {
		if err != nil && werr == nil {
			werr = err
		}
	}
	sink := func(e cluster.Event) {
		opts.pictures.add(e)
		switch e.Kind {
		case cluster.KindExpect:
			expects = append(expects, e)
		case cluster.KindError:
			errs = append(errs, e)
		}
		switch {
		case opts.json:
			line = e.AppendJSON(line[:0])
			line = append(line, '\n')
			write(out.Write(line))
		case opts.verbose && !e.IsHeartbeatTraffic() && e.Kind != cluster.KindSend:
			write(fmt.Fprintf(out, "%9.3fs  %s\n", e.At.Seconds(), e.String()))
		}
	}
	run, err := scenario.NewRun(s.cfg, s.script, s.runFor, sink)
	if err != nil {
		return cluster.Summary{}, runReport{}, badInput(err)
	}
	rate, _ := eventRate(s.cfg, s.script)
	slice := max(time.Duration(sliceEvents/rate*float64(time.Second)), time.Millisecond)
	for at := time.Duration(0); at < s.runFor && werr == nil; {
		at = min(at+slice, s.runFor)
		run.RunUntil(at)
		prog.show("raftty run: %.0f%% of %v virtual", 100*at.Seconds()/s.runFor.Seconds(), shortDuration(s.runFor))
	}
	if werr != nil {
		return run.Cluster.Summary(), runReport{}, werr // the summary says where it stopped
	}
	run.Finish()
	sum := run.Cluster.Summary()
	if opts.json {
		write(out.Write(sum.MarshalLine()))
	} else {
		writeSummary(out, s, sum, expects, errs)
	}
	report := runReport{errors: errs}
	for _, e := range expects {
		if !e.Passed {
			report.failed = append(report.failed, e)
		}
	}
	return sum, report, werr
}

// sliceEvents is about how many events a run makes between two looks at
// its output and progress: a failed write stops the run within a few
// milliseconds.
const sliceEvents = 50_000

// writeSummary prints the run's numbers for a person.
func writeSummary(w io.Writer, s setup, sum cluster.Summary, expects, errs []cluster.Event) {
	leader := "none"
	if sum.Leader != 0 {
		leader = fmt.Sprintf("n%d", sum.Leader)
	}
	if sc := s.script; sc.Title != "" {
		fmt.Fprintf(w, "scenario %s: %s\n", sc.Name, sc.Title)
	}
	fmt.Fprintf(w, "raftty run: %d nodes, seed %d, %v of virtual time\n", sum.Nodes, sum.Seed, s.runFor)
	fmt.Fprintf(w, "  leader at the end   %s (highest term %d)\n", leader, sum.Term)
	fmt.Fprintf(w, "  elections           %d started, %d won, %d split votes, %d pre-vote rounds\n",
		sum.Elections, sum.LeadersElected, sum.SplitVotes, sum.PreVotes)
	fmt.Fprintf(w, "  leader changes      %d\n", sum.LeaderChanges)
	fmt.Fprintf(w, "  time without leader %v\n", (time.Duration(sum.NoLeaderUS) * time.Microsecond).Round(time.Millisecond))
	fmt.Fprintf(w, "  messages            %d sent, %d delivered, %d dropped%s\n", sum.Sent, sum.Delivered, sum.Dropped, dropDetail(sum.DroppedBy))
	fmt.Fprintf(w, "  violations          %d\n", sum.Violations)
	shown := sum.Leaders
	if len(shown) > 10 {
		fmt.Fprintf(w, "  leaders (last 10 of %d)\n", sum.LeadersElected)
		shown = shown[len(shown)-10:]
	} else if len(shown) > 0 {
		fmt.Fprintln(w, "  leaders")
	}
	for _, l := range shown {
		fmt.Fprintf(w, "    term %-4d n%-3d at %.3fs\n", l.Term, l.Node, time.Duration(l.AtUS*1000).Seconds())
	}
	if len(expects) > 0 {
		fmt.Fprintln(w, "  expectations")
	}
	for _, e := range expects {
		verdict := "ok    "
		if !e.Passed {
			verdict = "FAILED"
		}
		fmt.Fprintf(w, "    %s %-28s got %-12s %s\n", verdict, e.Detail, e.Got, e.Source)
	}
	if len(errs) > 0 {
		fmt.Fprintf(w, "  not carried out     %d timed %s\n", len(errs), plural(len(errs), "step", "steps"))
	}
	for _, e := range errs {
		fmt.Fprintf(w, "    at %-8v %s\n", e.At, e.Detail)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func dropDetail(by map[string]int) string {
	if len(by) == 0 {
		return ""
	}
	reasons := slices.Sorted(maps.Keys(by))
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%s %d", r, by[r])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
