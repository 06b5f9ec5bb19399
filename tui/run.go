package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

// Terminal is where a program runs: its input and output (the process's
// terminal if nil), and whether to draw without colour.
type Terminal struct {
	NoColor bool
	Input   io.Reader
	Output  io.Writer
}

// Run shows m in the terminal until the person quits. Quitting is never an
// error, whether by q, ctrl+c, a cancelled context, SIGTERM or SIGINT.
func Run(ctx context.Context, m *Model, term Terminal) error {
	_, err := tea.NewProgram(m, programOptions(ctx, term)...).Run()
	m.EndRecording()
	return quitError(ctx, err)
}

// quitError is what ending the program means: quitting is never an error,
// whether by q, ctrl+c, a cancelled context, SIGTERM or SIGINT (which
// Bubble Tea reports as an interruption).
func quitError(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil || errors.Is(err, tea.ErrInterrupted) {
		return nil
	}
	return fmt.Errorf("terminal UI: %w", err)
}

// programOptions are the Bubble Tea options of a program on this process's
// terminal. Panics are left to Bubble Tea to catch (no WithoutCatchPanics),
// so that a panic in Update, View or a command restores the terminal before
// the error is reported.
func programOptions(ctx context.Context, term Terminal) []tea.ProgramOption {
	// The renderer flushes no more often than the model draws frames:
	// each of its ticks wakes the program, paused or not.
	progOpts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(int(time.Second / frameInterval))}
	if term.NoColor {
		progOpts = append(progOpts, tea.WithColorProfile(colorprofile.Ascii))
	}
	if term.Input != nil {
		progOpts = append(progOpts, tea.WithInput(term.Input))
	}
	if term.Output != nil {
		progOpts = append(progOpts, tea.WithOutput(term.Output))
	}
	return progOpts
}

// SessionProgramOptions are the Bubble Tea options of a program on a
// terminal that is somebody else's (an SSH session of `raftty serve`), to be
// given after the session's own input, output and size: no signal handler
// (SIGINT belongs to the server), and no colours if asked.
func SessionProgramOptions(noColor bool) []tea.ProgramOption {
	o := []tea.ProgramOption{tea.WithoutSignalHandler()}
	if noColor {
		o = append(o, tea.WithColorProfile(colorprofile.Ascii))
	}
	return o
}
