package tui

import (
	"context"
	"fmt"
	"io"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// Options configure a UI session.
type Options struct {
	Config  cluster.Config
	Speed   float64
	Script  *scenario.Script
	Title   string
	NoColor bool
	// Input and Output default to the terminal.
	Input  io.Reader
	Output io.Writer
}

// Run starts a live cluster, shows it until the user quits, then stops the
// cluster: when Run returns, nothing it started is still running.
func Run(ctx context.Context, opts Options) error {
	live, err := cluster.StartLive(ctx, opts.Config, cluster.LiveOptions{
		Speed:   opts.Speed,
		Advance: scenario.NewPlayer(opts.Script),
	})
	if err != nil {
		return err
	}
	defer live.Stop()

	m := New(live, DefaultStyles(opts.NoColor))
	m.SetTitle(opts.Title)
	progOpts := []tea.ProgramOption{tea.WithContext(ctx)}
	if opts.NoColor {
		progOpts = append(progOpts, tea.WithColorProfile(colorprofile.Ascii))
	}
	if opts.Input != nil {
		progOpts = append(progOpts, tea.WithInput(opts.Input))
	}
	if opts.Output != nil {
		progOpts = append(progOpts, tea.WithOutput(opts.Output))
	}
	if _, err := tea.NewProgram(m, progOpts...).Run(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("terminal UI: %w", err)
	}
	return nil
}
