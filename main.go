// Command raftty is Raft leader election that you can watch and break:
// `raftty` opens the live cluster, `raftty run` runs it headless.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit statuses: 1 when an invariant broke (or a scenario's expectation
// failed), 2 on bad input.
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
	err := fang.Execute(ctx, root, fang.WithVersion(version), fang.WithErrorHandler(errorHandler))
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitBadInput // cobra's own errors are all about the command line
}

// errorHandler prints one plain line: "raftty: --heartbeat 0s: must be
// positive", on the error stream.
func errorHandler(w io.Writer, _ fang.Styles, err error) {
	fmt.Fprintf(w, "raftty: %v\n", err)
}

func newRootCmd() *cobra.Command {
	var flags clusterFlags
	root := &cobra.Command{
		Use:   "raftty",
		Short: "Raft leader election you can watch and break",
		Long: "raftty runs an in-process Raft cluster on a simulated clock. " +
			"`raftty run` runs it headless, as fast as the CPU allows, and prints the events.",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runHeadless(cmd, &flags, runOptions{})
		},
	}
	flags.register(root)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return badInput(err) })
	root.AddCommand(newRunCmd())
	return root
}
