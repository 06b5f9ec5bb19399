package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"raftty/cluster/scenario"
)

func newScenariosCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "scenarios",
		Short: "List the built-in scenarios",
		Long: "List the built-in scenarios: classic election experiments, each with an explanation and " +
			"expectations. Run one headless with `raftty run --scenario NAME`, or watch it with `raftty --scenario NAME` " +
			"(NAME may be the full name, the name without its number, or the number alone).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := &checkedWriter{w: cmd.OutOrStdout()}
			for _, b := range scenario.Builtins() {
				fmt.Fprintf(out, "%-30s %s\n", b.Name, b.Title)
			}
			if out.err != nil {
				return outputError(out.err)
			}
			return nil
		},
	}
}
