package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	var res runResult
	if len(s.compare) > 0 {
		res, err = headlessCompare(s, out, opts, prog)
	} else {
		res.sums[0], res.runReport, err = headless(s, out, opts, prog)
	}
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
	switch errs := res.errors; {
	case len(errs) == 1:
		fmt.Fprintf(cmd.ErrOrStderr(), "raftty: warning: a timed step could not be carried out at %v: %s\n", errs[0].At, detailIn(errs[0]))
	case len(errs) > 1:
		fmt.Fprintf(cmd.ErrOrStderr(), "raftty: warning: %d timed steps could not be carried out (the summary lists them); the first at %v: %s\n",
			len(errs), errs[0].At, detailIn(errs[0]))
	}
	if v := res.sums[0].Violations + res.sums[1].Violations; v > 0 {
		replay := fmt.Sprintf("--seed %d", res.sums[0].Seed)
		if flags.scenario != "" {
			replay = fmt.Sprintf("--scenario %s --seed %d", flags.scenario, res.sums[0].Seed)
		}
		return &exitError{code: exitFailed, err: fmt.Errorf("%d invariant violation(s); replay with %s and the same flags", v, replay)}
	}
	failed := res.failed
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

// runResult is what a headless run, of one world or two, found: each
// world's summary, and its failed expectations and steps not carried out.
type runResult struct {
	sums [2]cluster.Summary
	runReport
}

func expectationFailure(e cluster.Event) string {
	return fmt.Sprintf("%s: expectation failed%s: %s (got %s)", e.Source, inWorld(e), e.Detail, e.Got)
}

// inWorld names an event's world, in a comparison: " in world B".
func inWorld(e cluster.Event) string {
	if e.World == 0 {
		return ""
	}
	return " in world " + strings.ToUpper(e.World.String())
}

// detailIn is an error event's detail, with its world in a comparison.
func detailIn(e cluster.Event) string {
	if e.World == 0 {
		return e.Detail
	}
	return strings.ToUpper(e.World.String()) + ": " + e.Detail
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

// eventWriter writes a run's events to out as opts ask (JSON Lines, plain
// words, or nothing), keeps the expectations and errors, and remembers the
// first write error, after which the run stops.
type eventWriter struct {
	out     *bufio.Writer
	opts    runOptions
	line    []byte
	expects [2][]cluster.Event
	errs    []cluster.Event
	err     error
}

func (w *eventWriter) write(_ int, err error) {
	if err != nil && w.err == nil {
		w.err = err
	}
}

func worldIndex(e *cluster.Event) int {
	if e.World == cluster.WorldB {
		return 1
	}
	return 0
}

// event writes e (the run's, to read during the call only), and keeps a
// copy of an expectation or an error.
func (w *eventWriter) event(e *cluster.Event) {
	w.opts.pictures.add(e)
	switch e.Kind {
	case cluster.KindExpect:
		w.expects[worldIndex(e)] = append(w.expects[worldIndex(e)], *e)
	case cluster.KindError:
		w.errs = append(w.errs, *e)
	}
	switch {
	case w.opts.json:
		w.line = e.AppendJSON(w.line[:0])
		w.line = append(w.line, '\n')
		w.write(w.out.Write(w.line))
	case w.opts.verbose && !e.IsHeartbeatTraffic() && e.Kind != cluster.KindSend:
		if e.World == cluster.WorldB && (e.Kind == cluster.KindExplain || e.Kind == cluster.KindParam && e.At == 0) {
			return // said once, for both worlds (B's parameters are in its summary's header)
		}
		w.write(fmt.Fprintf(w.out, "%9.3fs  %s%s\n", e.At.Seconds(), worldMark(e.World), e.String()))
	}
}

// worldMark starts a plain-words line with its world, in a comparison.
func worldMark(w cluster.World) string {
	if w == 0 {
		return ""
	}
	return strings.ToUpper(w.String()) + "  "
}

// report collects what the run found: the failed expectations of every
// world, in order, and the steps not carried out.
func (w *eventWriter) report() runReport {
	r := runReport{errors: w.errs}
	for _, expects := range w.expects {
		for _, e := range expects {
			if !e.Passed {
				r.failed = append(r.failed, e)
			}
		}
	}
	return r
}

// runSlices runs a headless run to its end in slices of virtual time
// (about sliceEvents events each), showing progress, and stops after the
// slice in which a write failed.
func runSlices(s setup, runUntil func(time.Duration), w *eventWriter, prog *progress) {
	rate, _ := eventRate(s.cfg, s.script)
	slice := max(time.Duration(sliceEvents/rate*float64(time.Second)), time.Millisecond)
	for at := time.Duration(0); at < s.runFor && w.err == nil; {
		at = min(at+slice, s.runFor)
		runUntil(at)
		prog.show("raftty run: %.0f%% of %v virtual", 100*at.Seconds()/s.runFor.Seconds(), shortDuration(s.runFor))
	}
}

// headless runs the setup to its end on the simulated clock, writing events
// to out as opts ask, and returns the summary and what it found. It runs in
// slices of virtual time and stops after the slice in which a write to out
// failed, returning that error.
func headless(s setup, out *bufio.Writer, opts runOptions, prog *progress) (cluster.Summary, runReport, error) {
	w := &eventWriter{out: out, opts: opts}
	run, err := scenario.NewRun(s.cfg, s.script, s.runFor, func(e cluster.Event) { w.event(&e) })
	if err != nil {
		return cluster.Summary{}, runReport{}, badInput(err)
	}
	runSlices(s, run.RunUntil, w, prog)
	if w.err != nil {
		return run.Cluster.Summary(), runReport{}, w.err // the summary says where it stopped
	}
	run.Finish()
	sum := run.Cluster.Summary()
	if opts.json {
		w.write(out.Write(sum.MarshalLine()))
	} else {
		writeSummary(out, s, sum, w.expects[0], w.errs)
	}
	return sum, w.report(), w.err
}

// headlessCompare is headless for two worlds: B is A with s.compare. It
// writes the events of both, tagged with their world, and the divergences
// as they are found; then, as JSON, both summaries and a compare line, or
// in plain words, the first divergence and both summaries side by side.
func headlessCompare(s setup, out *bufio.Writer, opts runOptions, prog *progress) (runResult, error) {
	w := &eventWriter{out: out, opts: opts}
	diverged := func(d cluster.Divergence) {
		switch {
		case opts.json:
			w.write(out.Write(divergenceJSON(d)))
		case opts.verbose:
			w.write(fmt.Fprintf(out, "%9.3fs  %s\n", d.At.Seconds(), d.String()))
		}
	}
	run, err := scenario.NewComparison(s.cfg, s.compare, s.script, s.runFor, w.event, diverged)
	if err != nil {
		return runResult{}, badInput(err)
	}
	if !opts.json && !opts.verbose {
		run.Worlds.HandOnUnordered() // nothing is printed in time order: only expectations and errors are kept
	}
	res := runResult{}
	runSlices(s, run.RunUntil, w, prog)
	if w.err != nil {
		return res, w.err
	}
	run.Finish()
	worlds := run.Worlds
	res.sums = [2]cluster.Summary{worlds.A().Summary(), worlds.B().Summary()}
	res.runReport = w.report()
	if opts.json {
		for i, world := range []cluster.World{cluster.WorldA, cluster.WorldB} {
			res.sums[i].World = world.String()
			w.write(out.Write(res.sums[i].MarshalLine()))
		}
		w.write(out.Write(compareJSON(worlds)))
		return res, w.err
	}
	if first, ok := worlds.First(); ok {
		fmt.Fprintln(out, first.String())
	} else {
		fmt.Fprintln(out, "worlds never diverge")
	}
	writeSummaries(out, s, res.sums, w.expects, w.errs)
	return res, w.err
}

// divergenceJSON is a divergence as a line of --json:
// {"t_us":167000,"kind":"diverge","a":"n4 becomes candidate ...","b":"..."}.
func divergenceJSON(d cluster.Divergence) []byte {
	line, _ := json.Marshal(struct {
		AtUS int64  `json:"t_us"`
		Kind string `json:"kind"`
		A    string `json:"a"`
		B    string `json:"b"`
	}{d.At.Microseconds(), "diverge", eventText(d.A), eventText(d.B)})
	return append(line, '\n')
}

func eventText(e cluster.Event) string {
	if e.Kind == 0 {
		return ""
	}
	return e.String()
}

// compareJSON is the last line of a compared --json run: what world B
// changes, and where and how often the worlds parted.
func compareJSON(w *cluster.Worlds) []byte {
	c := struct {
		AtUS        int64  `json:"t_us"`
		Kind        string `json:"kind"`
		Compare     string `json:"compare"`
		Diverged    bool   `json:"diverged"`
		FirstUS     int64  `json:"first_us,omitempty"`
		A           string `json:"a,omitempty"`
		B           string `json:"b,omitempty"`
		Divergences int    `json:"divergences"`
	}{AtUS: w.Now().Microseconds(), Kind: "compare", Compare: cluster.CompareText(w.Differences()), Divergences: w.Count()}
	if d, ok := w.First(); ok {
		c.Diverged, c.FirstUS, c.A, c.B = true, d.At.Microseconds(), eventText(d.A), eventText(d.B)
	}
	line, _ := json.Marshal(c)
	return append(line, '\n')
}

// sliceEvents is about how many events a run makes between two looks at
// its output and progress: a failed write stops the run within a few
// milliseconds.
const sliceEvents = 50_000

// summaryRow is one line of a summary: a label and its value, or an item
// of a list (no label).
type summaryRow struct{ label, value string }

// summarySection is a run of rows that lines up with the other world's
// same section, side by side.
type summarySection []summaryRow

// summarize writes the run's numbers for a person, in sections: the
// figures, the leaders, the expectations, the steps not carried out.
func summarize(sum cluster.Summary, expects, errs []cluster.Event) []summarySection {
	leader := "none"
	if sum.Leader != 0 {
		leader = fmt.Sprintf("n%d", sum.Leader)
	}
	figures := summarySection{
		{"leader at the end", fmt.Sprintf("%s (highest term %d)", leader, sum.Term)},
		{"elections", fmt.Sprintf("%d started, %d won, %d split votes, %d pre-vote rounds", sum.Elections, sum.LeadersElected, sum.SplitVotes, sum.PreVotes)},
		{"leader changes", strconv.Itoa(sum.LeaderChanges)},
		{"time without leader", (time.Duration(sum.NoLeaderUS) * time.Microsecond).Round(time.Millisecond).String()},
		{"messages", fmt.Sprintf("%d sent, %d delivered, %d dropped%s", sum.Sent, sum.Delivered, sum.Dropped, dropDetail(sum.DroppedBy))},
	}
	switch {
	case sum.Puts > 0:
		figures = append(figures, summaryRow{"client commands",
			fmt.Sprintf("%d put, %d refused; %d %s committed%s", sum.Puts, sum.Redirects, sum.Committed,
				plural(sum.Committed, "entry", "entries"), latencyDetail(sum))})
	case sum.Committed > 0:
		// No client: what committed is the leaders' no-ops (and entries
		// set up by hand).
		figures = append(figures, summaryRow{"log", fmt.Sprintf("%d %s committed, no client commands",
			sum.Committed, plural(sum.Committed, "entry", "entries"))})
	}
	figures = append(figures, summaryRow{"violations", strconv.Itoa(sum.Violations)})
	if sum.Engine != "" {
		figures = append(summarySection{{"engine", sum.Engine}}, figures...)
	}
	var leaders summarySection
	shown := sum.Leaders
	if len(shown) > 10 {
		leaders = append(leaders, summaryRow{label: fmt.Sprintf("leaders (last 10 of %d)", sum.LeadersElected)})
		shown = shown[len(shown)-10:]
	} else if len(shown) > 0 {
		leaders = append(leaders, summaryRow{label: "leaders"})
	}
	for _, l := range shown {
		leaders = append(leaders, summaryRow{value: fmt.Sprintf("term %-4d n%-3d at %.3fs", l.Term, l.Node, time.Duration(l.AtUS*1000).Seconds())})
	}
	var checks summarySection
	if len(expects) > 0 {
		checks = append(checks, summaryRow{label: "expectations"})
	}
	for _, e := range expects {
		verdict := "ok    "
		if !e.Passed {
			verdict = "FAILED"
		}
		checks = append(checks, summaryRow{value: fmt.Sprintf("%s%s %-28s got %-12s %s", worldMark(e.World), verdict, e.Detail, e.Got, e.Source)})
	}
	var failed summarySection
	if len(errs) > 0 {
		failed = append(failed, summaryRow{"not carried out", fmt.Sprintf("%d timed %s", len(errs), plural(len(errs), "step", "steps"))})
	}
	for _, e := range errs {
		failed = append(failed, summaryRow{value: fmt.Sprintf("%sat %-8v %s", worldMark(e.World), e.At, e.Detail)})
	}
	return []summarySection{figures, leaders, checks, failed}
}

// text writes a row as a line of a summary: "  label               value",
// or "    item".
func (r summaryRow) text() string {
	switch {
	case r.label == "":
		return "    " + r.value
	case r.value == "":
		return "  " + r.label
	}
	return fmt.Sprintf("  %-19s %s", r.label, r.value)
}

// writeSummary prints the run's numbers for a person.
func writeSummary(w io.Writer, s setup, sum cluster.Summary, expects, errs []cluster.Event) {
	if sc := s.script; sc.Title != "" {
		fmt.Fprintf(w, "scenario %s: %s\n", sc.Name, sc.Title)
	}
	fmt.Fprintf(w, "raftty run: %d nodes, seed %d, %v of virtual time\n", sum.Nodes, sum.Seed, s.runFor)
	for _, section := range summarize(sum, expects, errs) {
		for _, r := range section {
			fmt.Fprintln(w, r.text())
		}
	}
}

// latencyDetail describes how long the committed commands waited, if any
// did: " (commit latency: median 4ms, p99 9ms, max 12ms)".
func latencyDetail(sum cluster.Summary) string {
	if sum.CommitLatencyMax == 0 {
		return ""
	}
	us := func(v int64) time.Duration { return (time.Duration(v) * time.Microsecond).Round(10 * time.Microsecond) }
	return fmt.Sprintf(" (commit latency: median %v, p99 %v, max %v)", us(sum.CommitLatencyP50), us(sum.CommitLatencyP99), us(sum.CommitLatencyMax))
}

// writeSummaries prints both worlds' numbers side by side (one label,
// world A's value, world B's; the leaders row by row), then the
// expectations and the steps not carried out of both, each marked with its
// world.
func writeSummaries(w io.Writer, s setup, sums [2]cluster.Summary, expects [2][]cluster.Event, errs []cluster.Event) {
	if sc := s.script; sc.Title != "" {
		fmt.Fprintf(w, "scenario %s: %s\n", sc.Name, sc.Title)
	}
	fmt.Fprintf(w, "raftty run: %d nodes, seed %d, %v of virtual time, two worlds: B has %s\n",
		sums[0].Nodes, sums[0].Seed, s.runFor, cluster.CompareText(s.compare))
	for i := range sums {
		if sums[i].Engine == "" && sums[1-i].Engine != "" {
			// The rows line up only if both worlds say their engine
			// (--compare engine=etcd).
			sums[i].Engine = cluster.EngineTextbook.String()
		}
	}
	a, b := summarize(sums[0], nil, nil), summarize(sums[1], nil, nil)
	width := len("world A")
	for _, section := range a {
		for _, r := range section {
			width = max(width, utf8.RuneCountInString(r.value))
		}
	}
	fmt.Fprintf(w, "  %-19s %-*s   world B: %s\n", "", width, "world A", cluster.CompareText(s.compare))
	for k := range a {
		for _, pair := range pairRows(a[k], b[k]) {
			ra, rb := pair[0], pair[1]
			label := cmp.Or(ra.label, rb.label)
			line := fmt.Sprintf("  %-19s %-*s   %s", label, width, ra.value, rb.value)
			fmt.Fprintln(w, strings.TrimRight(line, " "))
		}
	}
	both := append(slices.Clone(expects[0]), expects[1]...)
	for _, section := range summarize(cluster.Summary{}, both, errs)[2:] {
		for _, r := range section {
			fmt.Fprintln(w, r.text())
		}
	}
}

// pairRows lines two worlds' rows of a section up by label, the order
// kept: a row only one world has (client commands, say) stands beside an
// empty cell, and the items of a list (no label) pair one for one.
func pairRows(a, b summarySection) [][2]summaryRow {
	var out [][2]summaryRow
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i].label == b[j].label:
			out = append(out, [2]summaryRow{a[i], b[j]})
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || !hasLabel(b[j:], a[i].label)):
			out = append(out, [2]summaryRow{a[i], {}})
			i++
		default:
			out = append(out, [2]summaryRow{{}, b[j]})
			j++
		}
	}
	return out
}

// hasLabel reports whether a row of rows has the label.
func hasLabel(rows summarySection, label string) bool {
	return slices.ContainsFunc(rows, func(r summaryRow) bool { return r.label == label })
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

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
