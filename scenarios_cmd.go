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
			all := scenario.Builtins()
			if engine != "" {
				if err := cluster.UseEngine(&cluster.Config{}, engine, nil); err != nil {
					return badInput(fmt.Errorf("--engine %s: %w", engine, err))
				}
				all = scenario.BuiltinsFor(cluster.DefaultConfig(), engine)
			}
			out := &checkedWriter{w: cmd.OutOrStdout()}
			for _, b := range all {
				switch {
				case engine == "" && b.Only != "":
					fmt.Fprintf(out, "%-32s %s (%s only)\n", b.Name, b.Title, b.Only)
				case b.Mismatch == "":
					fmt.Fprintf(out, "%-32s %s\n", b.Name, b.Title)
				case b.OtherEngine:
					fmt.Fprintf(out, "%-32s does not hold on %s (%s only): %s\n", b.Name, engine, b.Only, b.OnlyWhy)
				case b.Refused:
					fmt.Fprintf(out, "%-32s refused on %s: %s\n", b.Name, engine, b.Mismatch)
				default:
					fmt.Fprintf(out, "%-32s may not hold on %s: it %s\n", b.Name, engine, b.Mismatch)
				}
			}
			if out.err != nil {
				return outputError(out.err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&engine, "engine", "", "say which scenarios hold on this engine ("+strings.Join(cluster.EngineChoices(), ", ")+"), and why the others do not")
	return cmd
}

// namedEngine reads --engine for a command that sets every run's timing
// itself (chaos, bench): an engine's name. The etcd-server preset, an etcd
// server's timing, is refused saying why (instead), and --engine etcd
// named as the engine it runs.
func namedEngine(name, instead string) (cluster.Engine, error) {
	if name == cluster.EtcdServer {
		return 0, fmt.Errorf("--engine %s: the preset is an etcd server's timing, and %s; --engine etcd runs the same engine", name, instead)
	}
	e, ok := cluster.EngineNamed(name)
	if !ok {
		return 0, fmt.Errorf("--engine %s: no engine %q (choose from %s)", name, name, strings.Join(engineNames(), ", "))
	}
	return e, nil
}

// engineNames lists the engines by name.
func engineNames() []string {
	var names []string
	for _, e := range cluster.Engines() {
		names = append(names, e.String())
	}
	return names
}
