package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

func newScenariosCmd() *cobra.Command {
	var engine string
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List the built-in scenarios",
		Long: "List the built-in scenarios: classic election experiments, each with an explanation and " +
			"expectations. Run one headless with `raftty run --scenario NAME`, or watch it with `raftty --scenario NAME` " +
			"(NAME may be the full name, the name without its number, or the number alone). " +
			"A lesson that holds on one engine only says so; with --engine, the list says why the others do not hold there.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if engine != "" {
				if _, ok := cluster.EngineNamed(engine); !ok {
					return badInput(fmt.Errorf("--engine %s: no engine %q (choose from %s)", engine, engine, strings.Join(engineNames(), ", ")))
				}
			}
			out := &checkedWriter{w: cmd.OutOrStdout()}
			for _, b := range scenario.Builtins() {
				switch {
				case b.Only == "":
					fmt.Fprintf(out, "%-32s %s\n", b.Name, b.Title)
				case engine == "":
					fmt.Fprintf(out, "%-32s %s (%s only)\n", b.Name, b.Title, b.Only)
				case engine == b.Only:
					fmt.Fprintf(out, "%-32s %s\n", b.Name, b.Title)
				default:
					fmt.Fprintf(out, "%-32s does not hold on %s (%s only): %s\n", b.Name, engine, b.Only, b.OnlyWhy)
				}
			}
			if out.err != nil {
				return outputError(out.err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&engine, "engine", "", "say which scenarios hold on this engine ("+strings.Join(engineNames(), ", ")+"), and why the others do not")
	return cmd
}

// engineNames lists the engines by name.
func engineNames() []string {
	var names []string
	for _, e := range cluster.Engines() {
		names = append(names, e.String())
	}
	return names
}
