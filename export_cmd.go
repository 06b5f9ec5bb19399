package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"raftty/cluster"
	"raftty/cluster/bench"
	"raftty/export"
)

// exportFlags are the flags of `raftty run` that take a run out of the
// terminal as a picture.
type exportFlags struct {
	spacetime string
	from, to  string
}

func (f *exportFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.spacetime, "spacetime", "", "draw every message of the run as a spacetime diagram in this SVG file")
	fs.StringVar(&f.from, "from", "", "where the diagram starts, in virtual time (default: the start)")
	fs.StringVar(&f.to, "to", "", "where the diagram ends, in virtual time (default: the end of the run)")
}

// exporter collects what a run's pictures need while it runs, and writes
// them when it ends.
type exporter struct {
	spacetime *export.Spacetime
	from, to  time.Duration
	file      *os.File
	path      string
}

// start checks the flags against the run and creates the files, so that a
// path that cannot be written is bad input now rather than an error after
// the run. It returns nil when no picture was asked for.
func (f *exportFlags) start(s setup) (*exporter, error) {
	from, to := time.Duration(0), s.runFor
	var err error
	if f.from != "" {
		if from, err = cluster.ParseDuration(f.from); err != nil {
			return nil, fmt.Errorf("--from %s: %w", f.from, err)
		}
	}
	if f.to != "" {
		if to, err = cluster.ParseDuration(f.to); err != nil {
			return nil, fmt.Errorf("--to %s: %w", f.to, err)
		}
	}
	switch {
	case (f.from != "" || f.to != "") && f.spacetime == "":
		return nil, errors.New("--from and --to choose the window of --spacetime: give it too")
	case f.spacetime == "":
		return nil, nil
	case from >= to:
		return nil, fmt.Errorf("--from %v --to %v: the window must end after it starts", from, to)
	case to > s.runFor:
		return nil, fmt.Errorf("--to %v: after the end of the run (%v)", to, s.runFor)
	}
	file, err := createOutput("--spacetime", f.spacetime)
	if err != nil {
		return nil, err
	}
	return &exporter{spacetime: export.NewSpacetime(s.cfg.Nodes, from, to), from: from, to: to, file: file, path: f.spacetime}, nil
}

// add takes an event of the run.
func (x *exporter) add(e cluster.Event) {
	if x != nil {
		x.spacetime.Add(e)
	}
}

// finish writes the pictures and says on w what they left out.
func (x *exporter) finish(s setup, w io.Writer) error {
	if x == nil {
		return nil
	}
	title := fmt.Sprintf("raftty run · %d nodes · seed %d · %v to %v", s.cfg.Nodes, s.cfg.Seed, x.from, x.to)
	if s.script.Name != "" {
		title = fmt.Sprintf("raftty run --scenario %s · %d nodes · seed %d · %v to %v", s.script.Name, s.cfg.Nodes, s.cfg.Seed, x.from, x.to)
	}
	_, err := x.file.Write(x.spacetime.SVG(title))
	if cerr := x.file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--spacetime %s: %w", x.path, err)
	}
	if n := x.spacetime.Truncated(); n > 0 {
		fmt.Fprintf(w, "raftty: warning: --spacetime %s: %d messages left out (it draws at most the first %d); narrow the window with --from and --to\n",
			x.path, n, export.MaxArrows)
	}
	return nil
}

// abandon closes and removes the files of a run that failed.
func (x *exporter) abandon() {
	if x != nil {
		_ = x.file.Close()
		_ = os.Remove(x.path)
	}
}

// createOutput creates the file a flag names. Commands create their files
// before their work, so that a path that cannot be written is bad input
// now, not an error after minutes of work.
func createOutput(flag, path string) (*os.File, error) {
	file, err := os.Create(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s %s: %w", flag, path, err)
	}
	return file, nil
}

// writeFig16 draws the bench's results as the paper's Figure 16, a panel
// per set, into file, and closes it.
func writeFig16(file *os.File, sets []benchSet, of func(bench.Setting) bench.Result, opts bench.Options) error {
	var panels []export.Fig16Panel
	for _, set := range sets {
		p := export.Fig16Panel{Title: set.title}
		for _, s := range set.settings {
			p.Results = append(p.Results, of(s))
		}
		panels = append(panels, p)
	}
	title := fmt.Sprintf("raftty bench (%d nodes, up to %d trials per setting, seed %d) beside the Raft paper's Figure 16",
		opts.Nodes, opts.Trials, opts.Seed)
	_, err := file.Write(export.Fig16SVG(title, panels))
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--svg %s: %w", file.Name(), err)
	}
	return nil
}
