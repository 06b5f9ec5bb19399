package tui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// commandKey ties a key to the cluster command it runs, made from what the
// screen shows: the selected node, the current settings, pause and speed.
type commandKey struct {
	binding key.Binding
	command func(m *Model) (cluster.Command, error)
}

// viewKey ties a key to a change of the view alone (selection, zoom,
// scrolling, a form or the command line opening).
type viewKey struct {
	binding key.Binding
	do      func(m *Model, msg tea.KeyPressMsg) tea.Cmd
}

func onSelected(a cluster.Action) func(m *Model) (cluster.Command, error) {
	return func(m *Model) (cluster.Command, error) {
		return cluster.Command{Action: a, Nodes: []int{m.selected}}, nil
	}
}

func always(cmd cluster.Command) func(m *Model) (cluster.Command, error) {
	return func(*Model) (cluster.Command, error) { return cmd, nil }
}

func toggle(p cluster.Param, on func(cluster.Config) bool) func(m *Model) (cluster.Command, error) {
	return func(m *Model) (cluster.Command, error) {
		return cluster.Command{Action: cluster.ActSet, Param: p, On: !on(m.snap.Config)}, nil
	}
}

func speedBy(f float64) func(m *Model) (cluster.Command, error) {
	return func(m *Model) (cluster.Command, error) {
		s := min(max(m.speed*f, cluster.MinSpeed), cluster.MaxSpeed)
		return cluster.Command{Action: cluster.ActSpeed, Speed: s}, nil
	}
}

// commandKeys are the keys that act on the cluster, each with the command
// it runs; the status line shows that command as the : line would take it.
func (k keyMap) commandKeys() []commandKey {
	return []commandKey{
		{k.Disconnect, onSelected(cluster.ActDisconnect)},
		{k.Reconnect, onSelected(cluster.ActReconnect)},
		{k.Kill, onSelected(cluster.ActKill)},
		{k.Restart, onSelected(cluster.ActRestart)},
		{k.Timeout, onSelected(cluster.ActTimeout)},
		{k.Heal, always(cluster.Command{Action: cluster.ActHeal})},
		{k.PreVote, toggle(cluster.ParamPreVote, func(c cluster.Config) bool { return c.PreVote })},
		{k.CheckQuorum, toggle(cluster.ParamCheckQuorum, func(c cluster.Config) bool { return c.CheckQuorum })},
		{k.Pause, func(m *Model) (cluster.Command, error) {
			if m.paused {
				return cluster.Command{Action: cluster.ActResume}, nil
			}
			return cluster.Command{Action: cluster.ActPause}, nil
		}},
		{k.Step, func(m *Model) (cluster.Command, error) {
			if !m.paused {
				return cluster.Command{}, errors.New("step works while paused: press space first")
			}
			return cluster.Command{Action: cluster.ActStep}, nil
		}},
		{k.SlowVotes, func(m *Model) (cluster.Command, error) {
			return cluster.Command{Action: cluster.ActSlowVotes, On: !m.cur.live.SlowVotes}, nil
		}},
		{k.Faster, speedBy(2)},
		{k.Slower, speedBy(0.5)},
	}
}

// viewKeys are the keys that change only the view.
func (k keyMap) viewKeys() []viewKey {
	return []viewKey{
		{k.Quit, func(*Model, tea.KeyPressMsg) tea.Cmd { return tea.Quit }},
		{k.Select, func(m *Model, msg tea.KeyPressMsg) tea.Cmd { m.selectNode(int(msg.String()[0] - '0')); return nil }},
		{k.Next, func(m *Model, _ tea.KeyPressMsg) tea.Cmd { m.selectNode(m.selected%len(m.snap.Nodes) + 1); return nil }},
		{k.Prev, func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.selectNode((m.selected+len(m.snap.Nodes)-2)%len(m.snap.Nodes) + 1)
			return nil
		}},
		{k.SelectLeader, func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			if m.snap.Leader == 0 {
				m.setStatus("there is no leader to select", nil)
				return nil
			}
			m.selectNode(m.snap.Leader)
			return nil
		}},
		{k.Partition, func(m *Model, _ tea.KeyPressMsg) tea.Cmd { m.mode = modePartition; return m.partition.open("") }},
		{k.Edit, func(m *Model, _ tea.KeyPressMsg) tea.Cmd { m.mode = modeEdit; return m.edit.open(m.snap.Config) }},
		{k.Command, func(m *Model, _ tea.KeyPressMsg) tea.Cmd { m.mode = modeCommand; return m.cmdline.open() }},
		{k.Write, func(m *Model, _ tea.KeyPressMsg) tea.Cmd { return m.save("", false) }},
		{k.ZoomIn, func(m *Model, _ tea.KeyPressMsg) tea.Cmd { m.setZoom(m.zoom - 1); return nil }},
		{k.ZoomOut, func(m *Model, _ tea.KeyPressMsg) tea.Cmd { m.setZoom(m.zoom + 1); return nil }},
		{k.TimeBack, func(m *Model, _ tea.KeyPressMsg) tea.Cmd { return m.moveCursor(-zoomLevels[m.zoom]) }},
		{k.TimeForward, func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			if !m.cur.past {
				m.setStatus("this is the present: ← goes back in time", nil)
				return nil
			}
			return m.moveCursor(zoomLevels[m.zoom])
		}},
		{k.PageBack, func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			return m.moveCursor(-time.Duration(max(m.tl.cols, 1)) * zoomLevels[m.zoom])
		}},
		{k.PageForward, func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			if !m.cur.past {
				return nil
			}
			return m.moveCursor(time.Duration(max(m.tl.cols, 1)) * zoomLevels[m.zoom])
		}},
		{k.Oldest, func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			cmd := m.scrub(m.oldest())
			m.setStatus(fmt.Sprintf("the oldest moment kept: t=%.3fs (end: back to live)", m.cur.at.Seconds()), nil)
			return cmd
		}},
		{k.Live, func(m *Model, _ tea.KeyPressMsg) tea.Cmd { m.logScroll, m.logSel = 0, -1; return m.goLive() }},
		{k.PrevDecision, func(m *Model, _ tea.KeyPressMsg) tea.Cmd { return m.stepDecision(-1) }},
		{k.Heartbeats, func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.showHeartbeats = !m.showHeartbeats
			m.logScroll = 0
			m.setStatus("event log: heartbeats and message traffic "+map[bool]string{true: "shown", false: "hidden"}[m.showHeartbeats], nil)
			return nil
		}},
		{k.LogUp, func(m *Model, msg tea.KeyPressMsg) tea.Cmd { m.moveLogSelection(m.scrollStep(msg)); return nil }},
		{k.LogDown, func(m *Model, msg tea.KeyPressMsg) tea.Cmd { m.moveLogSelection(-m.scrollStep(msg)); return nil }},
		{k.LogEnd, func(m *Model, _ tea.KeyPressMsg) tea.Cmd { m.logScroll, m.logSel = 0, -1; return nil }},
		{k.Inspect, func(m *Model, _ tea.KeyPressMsg) tea.Cmd { m.openInspector(); return nil }},
		{k.Filter, func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.mode = modeFilter
			return m.filterForm.open(m.filter.text)
		}},
		{k.Close, func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			switch {
			case m.logSel >= 0:
				m.logSel = -1
			case m.filter.text != "":
				m.filter = logFilter{}
				m.setStatus("log filter cleared", nil)
			}
			return nil
		}},
		{k.Map, func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.showMap = !m.showMap
			m.setStatus("map "+map[bool]string{true: "shown", false: "hidden (m shows it)"}[m.showMap], nil)
			return nil
		}},
		{k.Timeline, func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.showTimeline = !m.showTimeline
			m.setStatus("timeline "+map[bool]string{true: "shown", false: "hidden (T shows it)"}[m.showTimeline], nil)
			return nil
		}},
		{k.Scenario, func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			if m.restart == nil {
				m.setStatus("no scenarios here", nil)
				return nil
			}
			m.mode = modeScenario
			m.picker.open(scenario.Builtins())
			return nil
		}},
		{k.Help, func(m *Model, _ tea.KeyPressMsg) tea.Cmd {
			m.showFullHelp = !m.showFullHelp
			m.helpScroll = 0
			return nil
		}},
	}
}

// keyCommand returns the cluster command a key runs now, if it runs one.
func (m *Model) keyCommand(msg tea.KeyPressMsg) (cluster.Command, bool, error) {
	for _, ck := range m.keys.commandKeys() {
		if key.Matches(msg, ck.binding) {
			cmd, err := ck.command(m)
			return cmd, true, err
		}
	}
	return cluster.Command{}, false, nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	// With the time cursor in the past, space plays the history and .
	// steps to the next decision: the view moves, the cluster does not.
	if m.cur.past {
		switch {
		case key.Matches(msg, m.keys.Pause):
			m.togglePlay()
			return nil
		case key.Matches(msg, m.keys.Step):
			return m.stepDecision(1)
		}
	}
	if cmd, ok, err := m.keyCommand(msg); ok {
		if err != nil {
			m.setStatus(err.Error(), nil)
			return nil
		}
		return m.applyAll("", cmd)
	}
	for _, vk := range m.keys.viewKeys() {
		if key.Matches(msg, vk.binding) {
			return vk.do(m, msg)
		}
	}
	return nil
}

// hints follow a command in the status line where the next key is not
// obvious.
var hints = map[cluster.Action]string{
	cluster.ActPause: ". steps one event, space resumes",
}

// applyAll gives the commands to the live cluster, in order, off the UI's
// goroutine; the status line then shows them as the : line takes them
// ("kill 3"), with note, or the first error. The screen follows pause,
// speed and the switches at once; the next frame confirms them. Given
// while the time cursor is in the past, a command that changes the cluster
// forks: the recorded future after the cursor is discarded, and the
// cluster goes on from the cursor with the commands applied.
func (m *Model) applyAll(note string, cmds ...cluster.Command) tea.Cmd {
	if m.cur.past && !cmds[0].Action.Paces() {
		return m.fork(note, cmds)
	}
	var said []string
	for _, cmd := range cmds {
		switch cmd.Action {
		case cluster.ActPause:
			m.paused = true
		case cluster.ActResume:
			m.paused = false
		case cluster.ActSpeed:
			m.speed = cmd.Speed
		case cluster.ActSlowVotes:
			m.cur.live.SlowVotes = cmd.On // until the next frame confirms it
		case cluster.ActSet:
			cluster.SetConfig(&m.snap.Config, cmd)
		}
		said = append(said, cmd.String())
	}
	what := strings.Join(said, "; ")
	if h := hints[cmds[0].Action]; h != "" && note == "" {
		note = h
	}
	if note != "" {
		what += "  (" + note + ")"
	}
	live := m.live
	return func() tea.Msg {
		for _, cmd := range cmds {
			if err := live.Apply(cmd); err != nil {
				return commandDoneMsg{what: cmd.String(), err: err}
			}
		}
		return commandDoneMsg{what: what}
	}
}

// fork carries out cmds at the time cursor, in the past (see applyAll).
func (m *Model) fork(note string, cmds []cluster.Command) tea.Cmd {
	at, resume := m.cur.at, m.cur.resume
	var said []string
	for _, cmd := range cmds {
		said = append(said, cmd.String())
	}
	what := fmt.Sprintf("forked at t=%.3fs: %s", at.Seconds(), strings.Join(said, "; "))
	if note != "" {
		what += "  (" + note + ")"
	}
	live := m.live
	return func() tea.Msg {
		// The fork leaves the cluster paused: the view forgets the
		// discarded future (forked) before anything new happens.
		err := live.Fork(at, cmds[0])
		for _, cmd := range cmds[1:] {
			if err == nil {
				err = live.Apply(cmd)
			}
		}
		if err != nil {
			return commandDoneMsg{what: what, err: err} // refused (a watcher): the past stays
		}
		return forkedMsg{at: at, resume: resume, what: what}
	}
}

// forkedMsg reports a fork the cluster carried out at at.
type forkedMsg struct {
	at     time.Duration
	resume bool
	what   string
}

// forked makes the view follow a fork: the future after the fork point is
// forgotten, the view goes live from there, and the cluster runs on if it
// ran before the view went back.
func (m *Model) forked(msg forkedMsg) tea.Cmd {
	m.hist.truncateAfter(msg.at)
	m.checks.forgetAfter(msg.at)
	m.cur = timeCursor{live: m.cur.live}
	m.paused = true
	m.setStatus(msg.what, nil)
	m.drain()
	if !msg.resume {
		return nil
	}
	m.paused = false
	live := m.live
	return func() tea.Msg {
		return commandDoneMsg{what: msg.what, err: live.Apply(cluster.Command{Action: cluster.ActResume})}
	}
}

// commandLine is the : prompt: any scenario line without its time, applied
// at the current virtual time, with completion and a history.
type commandLine struct {
	form    promptForm
	history []string
	// pos walks the history: len(history) is the line being typed.
	pos   int
	typed string
	// choices are the completions of an ambiguous tab.
	choices []string
}

func newCommandLine() commandLine {
	return commandLine{form: newPromptForm(":", "kill 2,3   cut 1 -> 2   set drop 30%   write FILE")}
}

func (c *commandLine) open() tea.Cmd {
	c.pos, c.typed, c.choices = len(c.history), "", nil
	return c.form.open("")
}

func (m *Model) updateCommandLine(msg tea.KeyPressMsg) tea.Cmd {
	c := &m.cmdline
	switch msg.String() {
	case "esc":
		m.mode = modeNormal
		m.setStatus("command line closed", nil)
		return nil
	case "enter":
		return m.runLine(strings.TrimSpace(c.form.input.Value()))
	case "tab":
		text, choices := complete(c.form.input.Value())
		c.form.input.SetValue(text)
		c.form.input.CursorEnd()
		c.choices = choices
		return nil
	case "up", "down":
		if c.pos == len(c.history) {
			c.typed = c.form.input.Value()
		}
		if msg.String() == "up" {
			c.pos = max(c.pos-1, 0)
		} else {
			c.pos = min(c.pos+1, len(c.history))
		}
		line := c.typed
		if c.pos < len(c.history) {
			line = c.history[c.pos]
		}
		c.form.input.SetValue(line)
		c.form.input.CursorEnd()
		return nil
	}
	c.form.err, c.choices = "", nil
	return c.form.update(msg)
}

// runLine carries out a : line. A line that does not parse, or names a
// node the cluster lacks, keeps the prompt open with the parser's message
// and changes nothing.
func (m *Model) runLine(line string) tea.Cmd {
	c := &m.cmdline
	if line == "" {
		m.mode = modeNormal
		return nil
	}
	if n := len(c.history); n == 0 || c.history[n-1] != line {
		c.history = append(c.history, line)
	}
	c.pos = len(c.history)
	word, rest, _ := strings.Cut(line, " ")
	switch word {
	case "write", "w":
		m.mode = modeNormal
		return m.save(strings.TrimSpace(rest), false)
	case "quit", "q":
		return tea.Quit
	}
	cmd, err := scenario.ParseCommand(line)
	if err == nil {
		err = cmd.Check(len(m.snap.Nodes))
	}
	if err != nil {
		c.form.err = err.Error()
		return nil
	}
	m.mode = modeNormal
	return m.applyAll("", cmd)
}

// lineWords are what the first word of a : line may be.
func lineWords() []string { return append(scenario.CommandNames(), "write", "quit") }

// complete extends the word being typed: an action, a parameter of set, a
// switch's on or off, leader. It returns the new text and, when the word is
// ambiguous, the choices.
func complete(text string) (string, []string) {
	fields := strings.Fields(text)
	if strings.HasSuffix(text, " ") || len(fields) == 0 {
		fields = append(fields, "")
	}
	last := fields[len(fields)-1]
	var words []string
	switch n := len(fields); {
	case n == 1:
		words = lineWords()
	case n == 2 && fields[0] == "set":
		words = scenario.Params
	case n == 3 && fields[0] == "set" && isSwitch(fields[1]):
		words = []string{"on", "off"}
	case n == 2:
		if a, ok := cluster.ActionNamed(fields[0]); ok && a.TakesNodes() {
			words = []string{"leader"}
		}
	}
	var matches []string
	for _, w := range words {
		if strings.HasPrefix(w, last) {
			matches = append(matches, w)
		}
	}
	head := strings.Join(fields[:len(fields)-1], " ")
	if head != "" {
		head += " "
	}
	switch len(matches) {
	case 0:
		return text, nil
	case 1:
		return head + matches[0] + " ", nil
	}
	return head + commonPrefix(matches), matches
}

func isSwitch(name string) bool {
	p, ok := cluster.ParamNamed(name)
	return ok && p.IsSwitch()
}

func commonPrefix(words []string) string {
	p := words[0]
	for _, w := range words[1:] {
		for !strings.HasPrefix(w, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// commandHelp lists the command line's actions with an example each, for
// the full help.
var commandHelp = []string{
	": command line (tab completes, ↑/↓ history, esc closes); any scenario line without its time:",
	"  kill 2,3  restart 2  disconnect leader  reconnect 2  timeout 4  heal",
	"  cut 1 2  cut 1 -> 2  link 1 2  partition 1,2 | 3,4,5",
	"  set election-timeout 150ms-300ms  set heartbeat 50ms  set latency 1ms-5ms",
	"  set drop 30%  set prevote on  set checkquorum off  set disk-write 3ms",
	"  log 1,2 append 3  pause  resume  step  speed 0.5  slow-votes on",
	"  write FILE (or w): save the session as a scenario file",
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
// seed and the virtual time, in saveDir), never over an existing file
// unless overwrite.
func (m *Model) save(name string, overwrite bool) tea.Cmd {
	if m.noSave != "" {
		m.setStatus(m.noSave, nil)
		return nil
	}
	script, snap := m.sessionScript()
	if name == "" {
		name = fmt.Sprintf("raftty-seed%d-%s.txt", snap.Start.Seed, cluster.FormatDuration(snap.Now.Round(1e6)))
	}
	path := name
	if m.saveDir != "" {
		// A view given a directory saves there and nowhere else: over
		// SSH it is on the server's disk.
		if name != filepath.Base(name) || name == ".." {
			m.setStatus("save "+name, errors.New("a file name only: sessions are saved in "+m.saveDir))
			return nil
		}
		path = filepath.Join(m.saveDir, name)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# raftty session, saved at %s of virtual time; replay: raftty run --scenario %s\n",
		cluster.FormatDuration(snap.Now), filepath.Base(path))
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
func (m *Model) saved(msg savedMsg) tea.Cmd {
	switch {
	case msg.exists:
		m.mode, m.pending = modeConfirm, msg
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
	return nil
}

func (m *Model) updateConfirm(msg tea.KeyPressMsg) tea.Cmd {
	m.mode = modeNormal
	switch msg.String() {
	case "y", "Y":
		return writeFile(m.pending.path, m.pending.data, true)
	case "q":
		return tea.Quit
	}
	m.setStatus("not saved: "+m.pending.path+" left as it was", nil)
	return nil
}

// sessionScript is the session so far as a self-contained scenario: the
// cluster as it started, the playing scenario's title, explanation and
// steps up to now, then every command applied, at its virtual time. At
// equal times the scenario's steps come first: a command given at T ran
// after the scenario's steps at T.
//
// In the past, the session is saved up to the time cursor: the file
// replays to the moment on screen.
func (m *Model) sessionScript() (*scenario.Script, cluster.Snapshot) {
	snap := m.live.Snapshot()
	if m.cur.past {
		snap.Now = m.cur.at
	}
	s := &scenario.Script{For: max(snap.Now, 1)}
	s.SetConfig(snap.Start)
	if m.script != nil {
		s.Title, s.Explain = m.script.Title, m.script.Explain
		for _, st := range m.script.Steps {
			if st.At <= snap.Now {
				s.Steps = append(s.Steps, st)
			}
		}
	}
	for _, tc := range m.live.Recording() {
		if tc.At <= snap.Now {
			s.Steps = append(s.Steps, scenario.Step{At: tc.At, Cmd: tc.Cmd})
		}
	}
	s.Steps = slices.Clone(s.Steps)
	s.Sort()
	return s, snap
}

// commandLineLines draw the : prompt, with the parser's message or the
// completions under it.
func (m *Model) commandLineLines(w int) []string {
	c := &m.cmdline
	lines := []string{fit(m.wraps.prompt.apply(":")+c.form.input.View(), w)}
	switch {
	case c.form.err != "":
		for _, l := range wrapText(c.form.err, w, 3) {
			lines = append(lines, fit(m.wraps.errorText.apply(l), w))
		}
	case len(c.choices) > 0:
		lines = append(lines, fit(m.wraps.dim.apply(strings.Join(c.choices, "  ")), w))
	default:
		lines = append(lines, fit(m.wraps.dim.apply("enter applies now, tab completes, ↑/↓ history, esc closes; ? lists every action"), w))
	}
	return lines
}

// cutLinks says which links of a node are cut, and which way: "cut →n2"
// (it cannot send to n2), "cut ←n1" (it no longer hears n1), "cut ↔n3".
func cutLinks(ns cluster.NodeStatus) string {
	var parts []string
	for _, id := range ns.CutTo {
		if slices.Contains(ns.CutFrom, id) {
			parts = append(parts, fmt.Sprintf("↔n%d", id))
		} else {
			parts = append(parts, fmt.Sprintf("→n%d", id))
		}
	}
	for _, id := range ns.CutFrom {
		if !slices.Contains(ns.CutTo, id) {
			parts = append(parts, fmt.Sprintf("←n%d", id))
		}
	}
	return "cut " + strings.Join(parts, " ")
}
