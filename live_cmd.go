package main

import (
	"fmt"
	"os"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"raftty/cluster"
	"raftty/session"
)

type uiOptions struct {
	speed       float64
	noColor     bool
	startPaused bool
}

func runUI(cmd *cobra.Command, flags *clusterFlags, ui uiOptions) error {
	s, err := flags.parse(cmd.Flags().Changed)
	if err != nil {
		return badInput(err)
	}
	if !(ui.speed >= cluster.MinSpeed && ui.speed <= cluster.MaxSpeed) {
		return badInput(fmt.Errorf("--speed %g: want a number from 1/256 (%g) to %g, as + and - go", ui.speed, cluster.MinSpeed, cluster.MaxSpeed))
	}
	if !term.IsTerminal(os.Stdout.Fd()) || !term.IsTerminal(os.Stdin.Fd()) {
		return badInput(fmt.Errorf("the live view needs a terminal; use `raftty run` to run headless"))
	}
	return session.Run(cmd.Context(), session.Options{
		Config:      s.cfg,
		Speed:       ui.speed,
		Script:      s.script,
		Warnings:    s.warnings,
		NoColor:     ui.noColor || os.Getenv("NO_COLOR") != "",
		StartPaused: ui.startPaused,
		Compare:     s.compareFlags,
	})
}
