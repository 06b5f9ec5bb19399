package tui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// saver is where w and :write save a session: dir ("" is the current
// directory; confined: there and nowhere else, the server's directory over
// SSH), or nowhere, saying why (off: over SSH, the file would land on the
// server's disk).
type saver struct {
	dir, off string
	confined bool
}

// savedMsg reports a save: where it went, or that the file exists (then
// data waits for "overwrite? y/n").
type savedMsg struct {
	path   string
	data   []byte
	exists bool
	err    error
}

// save writes the session as a scenario file to name (default: from the
// seed and the virtual time, in the saver's directory), never over an
// existing file unless overwrite.
func (o *output) save(name string, overwrite bool) tea.Cmd {
	m := o.view
	if o.saver.off != "" {
		m.setStatus(o.saver.off, nil)
		return nil
	}
	script, later, snap := sessionScript(m.live, m.script, &m.cur)
	path, err := o.outPath(name, ".txt")
	if err != nil {
		m.setStatus("save "+name, err)
		return nil
	}
	var b strings.Builder
	// The path as saved, as the status line names it: the file's name
	// alone would replay only from the directory it is in.
	fmt.Fprintf(&b, "# raftty session, saved at %s of virtual time; replay: raftty run --scenario %s\n",
		cluster.FormatDuration(snap.Now), path)
	if len(later) > 0 {
		// Checked after the file ends, they would fail for want of time:
		// they are kept, said, where a reader of the file finds them.
		fmt.Fprintf(&b, "# the scenario checks at its end, %s, after this file ends:\n", cluster.FormatDuration(m.script.For))
		for _, st := range later {
			fmt.Fprintf(&b, "#   %s\n", st)
		}
	}
	if err := scenario.Write(&b, script); err != nil {
		m.setStatus("save", err)
		return nil
	}
	return writeFile(path, []byte(b.String()), overwrite)
}

func writeFile(path string, data []byte, overwrite bool) tea.Cmd {
	return func() tea.Msg {
		flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
		if overwrite {
			flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		}
		f, err := os.OpenFile(path, flags, 0o644)
		if errors.Is(err, fs.ErrExist) {
			return savedMsg{path: path, data: data, exists: true}
		}
		if err != nil {
			return savedMsg{path: path, err: err}
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return savedMsg{path: path, err: err}
	}
}

// saved reports a save, or asks before overwriting.
func (o *output) saved(msg savedMsg) {
	m := o.view
	switch {
	case msg.exists:
		m.scr.prompt.confirm(msg)
		m.setStatus(msg.path+" exists: overwrite it? y/n", nil)
	case msg.err != nil:
		m.setStatus("save", msg.err)
	default:
		where := msg.path
		if abs, err := filepath.Abs(msg.path); err == nil {
			where = abs
		}
		m.setStatus("saved to "+where+"  (replay: raftty run --scenario "+msg.path+")", nil)
	}
}

// sessionScript is the session so far as a self-contained scenario: the
// cluster as it started, the playing scenario's title, explanation and
// steps up to now, then every command applied, at its virtual time. At
// equal times the scenario's steps come first: a command given at T ran
// after the scenario's steps at T.
//
// In the past, the session is saved up to the time cursor: the file
// replays to the moment on screen.
//
// The scenario's end-of-run expectations are kept: checked at the end of
// the file when it ends where the scenario does (or the scenario has no
// end), at the scenario's end when the session went on past it; a session
// that ends before returns them as later, for the file to say.
func sessionScript(live Cluster, playing *scenario.Script, cur *timeCursor) (s *scenario.Script, later []scenario.Step, snap cluster.Snapshot) {
	snap = live.Snapshot()
	if cur.past {
		snap.Now = cur.at
	}
	s = &scenario.Script{For: max(snap.Now, 1)}
	s.SetConfig(snap.Start)
	if snap.Compared != nil {
		// One file replays both worlds: its compare line makes world B.
		s.Compare = snap.Compared.Diff
	}
	if playing != nil {
		s.Title, s.Explain = playing.Title, playing.Explain
		for _, st := range playing.Steps {
			if st.At <= snap.Now {
				s.Steps = append(s.Steps, st)
			}
		}
		switch end := playing.For; {
		case end == 0 || end == s.For:
			s.Final = slices.Clone(playing.Final)
		case end < s.For:
			for _, st := range playing.Final {
				st.At = end
				s.Steps = append(s.Steps, st)
			}
		default:
			later = playing.Final
		}
	}
	for _, tc := range live.Recording() {
		if tc.At <= snap.Now {
			s.Steps = append(s.Steps, scenario.Step{At: tc.At, Cmd: tc.Cmd})
		}
	}
	s.Steps = slices.Clone(s.Steps)
	s.Sort()
	return s, later, snap
}
