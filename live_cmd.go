package main

import (
	"fmt"
	"os"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"raftty/tui"
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
	if !(ui.speed > 0 && ui.speed <= 64) {
		return badInput(fmt.Errorf("--speed %g: need a speed above 0 and at most 64", ui.speed))
	}
	if !term.IsTerminal(os.Stdout.Fd()) || !term.IsTerminal(os.Stdin.Fd()) {
		return badInput(fmt.Errorf("the live view needs a terminal; use `raftty run` to run headless"))
	}
	return tui.Run(cmd.Context(), tui.Options{
		Config:      s.cfg,
		Speed:       ui.speed,
		Script:      s.script,
		Warnings:    s.warnings,
		NoColor:     ui.noColor || os.Getenv("NO_COLOR") != "",
		StartPaused: ui.startPaused,
	})
}
