package tui

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"raftty/cluster"
	"raftty/export"
)

// The : line's export and record: the screen as an SVG picture, and what
// the person sees, frame by frame, as an asciicast recording. Both write
// files where w saves, and not at all where saving is off (over SSH).

// exportMsg draws the screen into an SVG file (name "": one made up).
type exportMsg string

// recordMsg starts a recording into a file (name "": one made up), or
// stops the one running ("stop").
type recordMsg string

// exportedMsg and the record messages report what the commands that write
// files did.
type (
	exportedMsg struct {
		path string
		err  error
	}
	recordStartedMsg struct {
		path string
		file *os.File
		err  error
	}
	recordStoppedMsg struct {
		path   string
		frames int
		err    error
	}
)

// recording is the live view recording itself: each frame the screen
// changed goes into cast, which writes into buf on the UI's goroutine; a
// chunk of buf at a time goes to a writer goroutine, in order, so that
// Update does no I/O. The writer ends when chunks closes (stop, or the
// program's end), closing the file, and done says it has.
type recording struct {
	path   string
	cast   *export.Cast
	buf    bytes.Buffer
	chunks chan []byte
	done   chan struct{}
	err    error // the writer's; read after done
	// start is the wall time of the first frame; last the time of the
	// latest; w and h the size the cast draws at.
	start, last time.Time
	w, h        int
}

// output is what the view writes to files: w's sessions (save.go), the
// screen as a picture and the running recording, where saver says, or
// nowhere when saving is off. It owns the recording; the screen, the
// cluster and the status line it writes from are its view's.
type output struct {
	view  *Model
	saver saver
	// rec is the recording of :record, nil when none runs.
	rec *recording
}

// flushAt is how much a recording gathers before it hands a chunk over.
const flushAt = 16 << 10

// outPath is where a file of the view goes: name, or one made from the
// seed, the virtual time shown and ext, in the saver's directory. A
// confined saver (a teacher's over SSH) takes a file name only: a path
// would write elsewhere on the server.
func (o *output) outPath(name, ext string) (string, error) {
	m := o.view
	if name == "" {
		snap := m.live.Snapshot()
		name = fmt.Sprintf("raftty-seed%d-%s%s", snap.Start.Seed, cluster.FormatDuration(m.cur.moment(snap.Now).Round(time.Millisecond)), ext)
	}
	if o.saver.confined && (name != filepath.Base(name) || name == "..") {
		return "", errors.New("a file name only: files are written in " + o.saver.dir)
	}
	if !filepath.IsAbs(name) && o.saver.dir != "" {
		return filepath.Join(o.saver.dir, name), nil
	}
	return name, nil
}

// exportSVG draws the screen as the person sees it, the command line
// closed, into an SVG file, never over an existing one.
func (o *output) exportSVG(name string) tea.Cmd {
	m := o.view
	if o.saver.off != "" {
		m.setStatus(o.saver.off, nil)
		return nil
	}
	path, err := o.outPath(name, ".svg")
	if err != nil {
		m.setStatus("export "+name, err)
		return nil
	}
	view, w, h := m.render(), m.width, m.height
	snap := m.live.Snapshot()
	title := fmt.Sprintf("raftty · seed %d · t=%v", snap.Start.Seed, m.cur.moment(snap.Now))
	return func() tea.Msg {
		f, err := createNew(path)
		if err == nil {
			_, err = f.Write(export.ParseScreen(view, w, h).SVG(title))
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		return exportedMsg{path: path, err: err}
	}
}

// createNew creates path, refusing to replace a file.
func createNew(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%s exists: give another name", path)
	}
	return f, err
}

// record starts a recording, or stops it ("stop").
func (o *output) record(arg string) tea.Cmd {
	m := o.view
	switch {
	case o.saver.off != "":
		m.setStatus(o.saver.off, nil)
		return nil
	case arg == "stop" && o.rec == nil:
		m.setStatus("no recording to stop (:record FILE starts one)", nil)
		return nil
	case arg == "stop":
		return o.stopRecording()
	case o.rec != nil:
		m.setStatus("already recording to "+o.rec.path+" (:record stop ends it)", nil)
		return nil
	}
	path, err := o.outPath(arg, ".cast")
	if err != nil {
		m.setStatus("record "+arg, err)
		return nil
	}
	return func() tea.Msg {
		f, err := createNew(path)
		return recordStartedMsg{path: path, file: f, err: err}
	}
}

// recordStarted begins the recording once its file exists.
func (o *output) recordStarted(msg recordStartedMsg) {
	m := o.view
	if msg.err != nil {
		m.setStatus("record", msg.err)
		return
	}
	if o.rec != nil { // two :record lines raced: keep the first
		_ = msg.file.Close()
		_ = os.Remove(msg.path)
		return
	}
	r := &recording{path: msg.path, chunks: make(chan []byte, 64), done: make(chan struct{}), w: m.width, h: m.height}
	snap := m.live.Snapshot()
	cast, err := export.NewCast(&r.buf, export.CastHeader{Cols: m.width, Rows: m.height, Title: fmt.Sprintf("raftty · seed %d", snap.Start.Seed)})
	if err != nil {
		_ = msg.file.Close()
		m.setStatus("record", err)
		return
	}
	r.cast = cast
	go r.write(msg.file)
	o.rec = r
	m.setStatus("recording to "+msg.path+" (:record stop ends it)", nil)
}

// write writes the chunks to file, in order, until chunks closes.
func (r *recording) write(file *os.File) {
	defer close(r.done)
	for chunk := range r.chunks {
		if r.err == nil {
			_, r.err = file.Write(chunk)
		}
	}
	if err := file.Close(); r.err == nil {
		r.err = err
	}
}

// recordFrame records the screen as the frame at wall time now shows it,
// if a recording runs, and hands its bytes over when enough have gathered.
func (o *output) recordFrame(now time.Time) {
	m := o.view
	r := o.rec
	if r == nil {
		return
	}
	if r.start.IsZero() {
		r.start = now
	}
	if now.Before(r.last) {
		now = r.last
	}
	r.last = now
	at := now.Sub(r.start)
	if m.width != r.w || m.height != r.h {
		r.w, r.h = m.width, m.height
		if err := r.cast.Resize(at, r.w, r.h); err != nil {
			return
		}
	}
	if m.dirty || m.drawn == "" {
		m.drawn, m.dirty = m.render(), false
	}
	_ = r.cast.Frame(at, m.drawn) // into buf: it cannot fail
	if r.buf.Len() >= flushAt {
		select {
		case r.chunks <- bytes.Clone(r.buf.Bytes()):
			r.buf.Reset()
		default: // the disk is behind: keep gathering
		}
	}
}

// stopRecording ends the recording: a command hands the rest of it to the
// writer and reports when the file is complete.
func (o *output) stopRecording() tea.Cmd {
	m := o.view
	r, rest := o.rec, bytes.Clone(o.rec.buf.Bytes())
	o.rec = nil
	m.setStatus("finishing the recording "+r.path+" ...", nil)
	return func() tea.Msg { return r.finish(rest) }
}

// finish hands the last bytes to the writer and waits for the file to be
// complete.
func (r *recording) finish(rest []byte) recordStoppedMsg {
	r.chunks <- rest
	close(r.chunks)
	<-r.done
	return recordStoppedMsg{path: r.path, frames: r.cast.Frames(), err: r.err}
}

// recordStopped says where the recording went.
func (o *output) recordStopped(msg recordStoppedMsg) {
	m := o.view
	if msg.err != nil {
		m.setStatus("record "+msg.path, msg.err)
		return
	}
	m.setStatus(fmt.Sprintf("recorded %d frames to %s (asciinema play %s)", msg.frames, msg.path, msg.path), nil)
}

// endRecording finishes a recording still running when the program ends,
// so that its file is complete; it returns once it is.
func (o *output) endRecording() {
	if r := o.rec; r != nil {
		o.rec = nil
		r.finish(bytes.Clone(r.buf.Bytes()))
	}
}

// EndRecording finishes a recording still running when the program ends,
// so that its file is complete; it returns once it is.
func (m *Model) EndRecording() { m.out.endRecording() }
