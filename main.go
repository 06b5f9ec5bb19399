// Command raftty is Raft leader election that you can watch and break:
// `raftty` opens the live cluster, `raftty run` runs it headless.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"
)

// version may be set at build time with -ldflags "-X main.version=...";
// otherwise it comes from the build info (see versionString).
var version string

// Exit statuses: 1 when an invariant broke (or a scenario's expectation
// failed, or a chaos run), 2 on bad input, 3 when the output could not be
// written (exitOutput, in output.go).
const (
	exitFailed   = 1
	exitBadInput = 2
)

// exitError carries an exit status with its error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func badInput(err error) error { return &exitError{code: exitBadInput, err: err} }

func main() {
	os.Exit(execute(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// execute runs the command line and returns the exit status.
func execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := fang.Execute(ctx, root, fang.WithVersion(versionString()), fang.WithErrorHandler(errorHandler))
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitBadInput // cobra's own errors are all about the command line
}

// versionString is the version -v and --version print: the one set at build
// time, else the one the Go toolchain stamps when it builds from a git
// checkout (a pseudo-version naming the commit, such as
// v0.0.0-20261207003928-68bcdcba5b02, with +dirty for uncommitted
// changes), else "devel" (a build with -buildvcs=false, or outside git).
func versionString() string {
	info, ok := debug.ReadBuildInfo()
	return versionFrom(version, info, ok)
}

func versionFrom(set string, info *debug.BuildInfo, ok bool) string {
	switch {
	case set != "":
		return set
	case !ok:
		return "unknown"
	case info.Main.Version != "" && info.Main.Version != "(devel)":
		return info.Main.Version
	}
	return "devel"
}

// errorHandler prints one plain line: "raftty: --heartbeat 0s: must be
// positive", on the error stream.
func errorHandler(w io.Writer, _ fang.Styles, err error) {
	fmt.Fprintf(w, "raftty: %v\n", err)
}

// defaultSpeed is the UI's slow motion: an election of a few hundred
// milliseconds takes a few seconds to watch.
const defaultSpeed = 0.1

func newRootCmd() *cobra.Command {
	flags := clusterFlags{live: true}
	var ui uiOptions
	root := &cobra.Command{
		Use:   "raftty",
		Short: "Raft leader election you can watch and break",
		Long: "raftty opens a live Raft cluster in the terminal, in slow motion: watch elections and " +
			"heartbeats on a timeline, and break the cluster with keys (? lists them).\n\n" +
			"`raftty run` runs the same cluster headless, as fast as the CPU allows, and prints the events.",
		Example: `  raftty                          # 5 nodes, slow motion
  raftty --heartbeat 3s           # watch leadership churn
  raftty --election-timeout 150ms-150ms --latency 1ms-1ms   # split votes
  raftty --seed 42 --speed 0.05   # a reproducible, slower demo`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runUI(cmd, &flags, ui)
		},
	}
	flags.register(root)
	root.Flags().Float64Var(&ui.speed, "speed", defaultSpeed, "virtual time per wall time (0.1 = ten times slower than real)")
	root.Flags().BoolVar(&ui.noColor, "no-color", false, "draw without colours (also when NO_COLOR is set)")
	root.Flags().BoolVar(&ui.startPaused, "start-paused", false, "start with the clock stopped (space starts it); a scenario always does")
	// Subcommands inherit this: every flag error is bad input, exit 2.
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return badInput(err) })
	root.AddCommand(newRunCmd(), newScenariosCmd(), newBenchCmd(), newChaosCmd(), newServeCmd())
	refuseUnknownShells(root)
	return root
}

// refuseUnknownShells makes `raftty completion klingon` bad input: cobra's
// completion command is not runnable, so it printed its help and exited 0
// for any argument; runnable, it refuses an unknown one.
func refuseUnknownShells(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		}
	}
}
