package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"raftty/cluster"
	"raftty/cluster/bench"
	"raftty/export"
	"raftty/session"
	"raftty/tui"
)

// The pictures of the documentation, each drawn by a raftty command:
// `go generate` draws them again, and TestPicturesAreCurrent fails when one
// no longer matches what its command draws. The live view at the telling
// moment of scenario 03 (the new candidate's votes on their way) heads the
// README; the same moment as a spacetime diagram, and the bench as the
// paper's Figure 16, illustrate docs/pictures.md and docs/bench.md.
//
//go:generate go run . run --scenario 03 --seed 5 --svg docs/img/crash.svg --svg-at 2.1545s
//go:generate go run . run --scenario 03 --seed 5 --spacetime docs/img/crash-spacetime.svg --from 1.95s --to 2.35s
//go:generate go run . bench --seed 1 --svg docs/img/fig16.svg

// exportFlags are the flags of `raftty run` that take a run out of the
// terminal: a spacetime diagram, a recording of the live view, a picture
// of one of its frames.
type exportFlags struct {
	spacetime, cast, svg string
	from, to, svgAt      string
	size                 string
	speed                float64
}

func (f *exportFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.spacetime, "spacetime", "", "draw every message of the run as a spacetime diagram in this SVG file")
	fs.StringVar(&f.cast, "cast", "", "record the live view of the run in this asciicast file (asciinema play FILE)")
	fs.StringVar(&f.svg, "svg", "", "draw the live view at the end of the run (or at --svg-at) in this SVG file")
	fs.StringVar(&f.svgAt, "svg-at", "", "the moment --svg draws, in virtual time (default: the end of the run)")
	fs.StringVar(&f.from, "from", "", "where --spacetime and --cast start, in virtual time (default: the start)")
	fs.StringVar(&f.to, "to", "", "where --spacetime and --cast end, in virtual time (default: the end of the run)")
	fs.StringVar(&f.size, "size", "120x40", "the screen of --cast and --svg, COLSxROWS")
	fs.Float64Var(&f.speed, "speed", defaultSpeed, "the pace of --cast and --svg: virtual time per wall time, as the live view's --speed")
}

// exporter collects what a run's pictures need while it runs, and writes
// them when it ends.
type exporter struct {
	from, to  time.Duration
	spacetime *export.Spacetime
	// files are the files asked for, by flag.
	files map[string]*os.File
	// The recording's screen, pace and the moment of --svg.
	cols, rows int
	speed      float64
	svgAt      time.Duration
}

// start checks the flags against the run and creates the files, so that a
// path that cannot be written is bad input now rather than an error after
// the run. It returns nil when nothing was asked for.
func (f *exportFlags) start(s setup, changed func(string) bool) (*exporter, error) {
	x := &exporter{to: s.runFor, svgAt: s.runFor, speed: f.speed, files: map[string]*os.File{}}
	if err := f.check(s, x, changed); err != nil {
		return nil, err
	}
	if f.spacetime == "" && f.cast == "" && f.svg == "" {
		return nil, nil
	}
	for _, out := range []struct{ flag, path string }{{"--spacetime", f.spacetime}, {"--cast", f.cast}, {"--svg", f.svg}} {
		if out.path == "" {
			continue
		}
		file, err := createOutput(out.flag, out.path)
		if err != nil {
			x.abandon()
			return nil, err
		}
		x.files[out.flag] = file
	}
	if f.spacetime != "" {
		x.spacetime = export.NewSpacetime(s.cfg.Nodes, x.from, x.to)
	}
	return x, nil
}

// check reads the flags into x, or says what is wrong with them.
func (f *exportFlags) check(s setup, x *exporter, changed func(string) bool) error {
	moment := func(flag, v string, d *time.Duration) error {
		var err error
		if v != "" {
			if *d, err = cluster.ParseDuration(v); err != nil {
				return fmt.Errorf("--%s %s: %w", flag, v, err)
			}
			if *d > s.runFor {
				return fmt.Errorf("--%s %v: after the end of the run (%v)", flag, *d, s.runFor)
			}
		}
		return nil
	}
	recording := f.cast != "" || f.svg != ""
	switch {
	case len(s.compare) > 0 && (recording || f.spacetime != ""):
		return errors.New("--spacetime, --cast and --svg draw one world: leave out --compare")
	case (f.from != "" || f.to != "") && f.spacetime == "" && f.cast == "":
		return errors.New("--from and --to choose the window of --spacetime or --cast: give one of them")
	case f.svgAt != "" && f.svg == "":
		return errors.New("--svg-at chooses the moment of --svg: give it too")
	case (changed("size") || changed("speed")) && !recording:
		return errors.New("--size and --speed set the screen of --cast or --svg: give one of them")
	case recording && s.cfg.Nodes > maxLiveNodes:
		return fmt.Errorf("--nodes %d: --cast and --svg show the live view, which shows 1 to %d nodes", s.cfg.Nodes, maxLiveNodes)
	case !(f.speed >= cluster.MinSpeed && f.speed <= cluster.MaxSpeed):
		return fmt.Errorf("--speed %g: want a number from 1/256 (%g) to %g, as the live view takes", f.speed, cluster.MinSpeed, cluster.MaxSpeed)
	}
	if err := moment("from", f.from, &x.from); err != nil {
		return err
	}
	if err := moment("to", f.to, &x.to); err != nil {
		return err
	}
	if err := moment("svg-at", f.svgAt, &x.svgAt); err != nil {
		return err
	}
	switch {
	case f.spacetime == "" && f.cast == "":
	case s.runFor == 0:
		return errors.New("the run lasts 0s: --spacetime and --cast have nothing to draw (lengthen it with --for)")
	case x.from >= x.to:
		return fmt.Errorf("--from %v --to %v: the window must end after it starts", x.from, x.to)
	}
	var err error
	x.cols, x.rows, err = parseSize(f.size)
	return err
}

// parseSize reads COLSxROWS: a screen the live view can draw on.
func parseSize(v string) (cols, rows int, err error) {
	minW, minH := tui.MinSize()
	c, r, ok := strings.Cut(v, "x")
	cols, err1 := strconv.Atoi(c)
	rows, err2 := strconv.Atoi(r)
	switch {
	case !ok || err1 != nil || err2 != nil:
		return 0, 0, fmt.Errorf("--size %s: want COLSxROWS, as 120x40", v)
	case cols < minW || rows < minH || cols > 1000 || rows > 500:
		return 0, 0, fmt.Errorf("--size %s: the live view draws on %dx%d to 1000x500 cells", v, minW, minH)
	}
	return cols, rows, nil
}

// add takes an event of the run.
func (x *exporter) add(e *cluster.Event) {
	if x != nil && x.spacetime != nil {
		x.spacetime.Add(*e)
	}
}

// finish writes what was asked for: the spacetime diagram from the events
// collected, then the recording and the picture from a recording of the
// same session (its own run of the cluster, paced as the live view). It
// says on w what a diagram left out.
func (x *exporter) finish(ctx context.Context, s setup, w io.Writer) error {
	if x == nil {
		return nil
	}
	defer x.abandon()
	title := fmt.Sprintf("raftty run · %d nodes · seed %d", s.cfg.Nodes, s.cfg.Seed)
	if s.script.Name != "" {
		title = fmt.Sprintf("raftty run --scenario %s · %d nodes · seed %d", s.script.Name, s.cfg.Nodes, s.cfg.Seed)
	}
	if x.spacetime != nil {
		if err := x.write("--spacetime", x.spacetime.SVG(fmt.Sprintf("%s · %v to %v", title, x.from, x.to))); err != nil {
			return err
		}
		if n := x.spacetime.Truncated(); n > 0 {
			fmt.Fprintf(w, "raftty: warning: --spacetime %s: %d messages left out (it draws at most the first %d); narrow the window with --from and --to\n",
				x.files["--spacetime"].Name(), n, export.MaxArrows)
		}
	}
	if x.files["--cast"] == nil && x.files["--svg"] == nil {
		return nil
	}
	return x.record(ctx, s, title)
}

// record plays the session as the live view and writes --cast and --svg:
// the recording from --from to --to, the picture at --svg-at.
func (x *exporter) record(ctx context.Context, s setup, title string) error {
	castFile, svgFile := x.files["--cast"], x.files["--svg"]
	rec := session.Recording{Width: x.cols, Height: x.rows, From: x.svgAt, Until: x.svgAt}
	var cast *export.Cast
	out := bufio.NewWriterSize(castFile, 64<<10)
	if castFile != nil {
		rec.From, rec.Until = x.from, x.to
		if svgFile != nil {
			rec.From, rec.Until = min(x.from, x.svgAt), max(x.to, x.svgAt)
		}
		var err error
		if cast, err = export.NewCast(out, export.CastHeader{Cols: x.cols, Rows: x.rows, Title: title}); err != nil {
			return fmt.Errorf("--cast %s: %w", castFile.Name(), err)
		}
	}
	var picture string
	castDone, castStart := cast == nil, time.Duration(-1)
	err := session.Record(ctx, session.Options{Config: s.cfg, Speed: x.speed, Script: s.script, Warnings: s.warnings}, rec,
		func(f session.Frame) error {
			if svgFile != nil && picture == "" && f.Now >= x.svgAt {
				picture = f.View
			}
			if castDone || f.Now < x.from {
				return nil
			}
			if castStart < 0 {
				castStart = f.At
			}
			castDone = f.Now >= x.to // the last frame: the first at or after --to
			return cast.Frame(f.At-castStart, f.View)
		})
	if err != nil {
		return fmt.Errorf("recording the live view: %w", err)
	}
	if cast != nil {
		if err := out.Flush(); err != nil {
			return fmt.Errorf("--cast %s: %w", castFile.Name(), err)
		}
		if err := x.write("--cast", nil); err != nil {
			return err
		}
	}
	if svgFile != nil {
		return x.write("--svg", export.ParseScreen(picture, x.cols, x.rows).SVG(fmt.Sprintf("%s · t=%v", title, x.svgAt)))
	}
	return nil
}

// write writes data to the file of flag and closes it.
func (x *exporter) write(flag string, data []byte) error {
	f := x.files[flag]
	delete(x.files, flag)
	_, err := f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", flag, f.Name(), err)
	}
	return nil
}

// abandon closes and removes the files not written: the run failed, or
// one of them could not be created.
func (x *exporter) abandon() {
	if x == nil {
		return
	}
	for flag, f := range x.files {
		_ = f.Close()
		_ = os.Remove(f.Name())
		delete(x.files, flag)
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
// per set, into file, and closes it. of gives a setting's result, and the
// textbook engine's on the same setup when the bench ran another engine.
func writeFig16(file *os.File, sets []benchSet, of func(bench.Setting) (bench.Result, *bench.Result), opts bench.Options) error {
	var panels []export.Fig16Panel
	for _, set := range sets {
		p := export.Fig16Panel{Title: set.title}
		if opts.Engine != cluster.EngineTextbook {
			p.Engine = opts.Engine.String()
		}
		for _, s := range set.settings {
			r, textbook := of(s)
			p.Results = append(p.Results, r)
			if textbook != nil {
				p.Beside = append(p.Beside, *textbook)
			}
		}
		panels = append(panels, p)
	}
	title := fmt.Sprintf("raftty bench (%d nodes, up to %d trials per setting, seed %d) beside the Raft paper's Figure 16",
		opts.Nodes, opts.Trials, opts.Seed)
	if opts.Engine != cluster.EngineTextbook {
		title = fmt.Sprintf("raftty bench --engine %v --ticks %d (seed %d, %d nodes, up to %d trials) beside textbook and the paper",
			opts.Engine, opts.ElectionTicks, opts.Seed, opts.Nodes, opts.Trials)
	}
	_, err := file.Write(export.Fig16SVG(title, panels))
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--svg %s: %w", file.Name(), err)
	}
	return nil
}
