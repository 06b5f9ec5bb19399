// Package tui is raftty's face: a Bubble Tea program that draws a live
// cluster's event stream (nodes, timeline, event log, statistics) and turns
// keys into cluster commands.
//
// The cluster runs in its own goroutine (cluster.Live). The UI drains its
// events once per frame, so View runs at the frame rate however many events
// arrive, and every command runs as a tea.Cmd on the cluster's goroutine.
package tui

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// Cluster is what the UI needs of a live cluster; *cluster.Live is one.
// Everything the UI does to it is a cluster.Command given to Apply: keys,
// forms and the command line make Commands, never closures.
type Cluster interface {
	Apply(cmd cluster.Command) error
	Drain(buf []cluster.Event) ([]cluster.Event, int)
	Snapshot() cluster.Snapshot
	Recording() []cluster.TimedCommand
	// SnapshotAt rebuilds the cluster as it was at a past moment, in the
	// caller's goroutine; Fork goes back to a moment, forgets the future
	// after it, and goes on (paused) with a command applied.
	SnapshotAt(t time.Duration) (cluster.Snapshot, error)
	Fork(t time.Duration, cmd cluster.Command) error
}

// frameInterval is how often the UI drains events and redraws: 30 fps.
const frameInterval = time.Second / 30

// zoomLevels are the timeline's time per column.
var zoomLevels = []time.Duration{
	time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond,
	20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond,
	200 * time.Millisecond, 500 * time.Millisecond, time.Second,
}

const defaultZoom = 3 // 10ms a column

// voteSlowdown is how much slower the clock runs while votes are on the
// wire (cluster.LiveOptions.VoteSlowdown's default), for the header.
const voteSlowdown = 20

type mode uint8

const (
	modeNormal mode = iota
	modePartition
	modeEdit
	modeScenario
	modeFilter
	modeCommand
	modeConfirm
)

// frameMsg asks the model to drain events and redraw.
type frameMsg time.Time

// commandDoneMsg reports the outcome of a cluster command.
type commandDoneMsg struct {
	what string
	err  error
}

// scenarioStartedMsg reports a scenario restart, which runs off the UI's
// goroutine.
type scenarioStartedMsg struct {
	name   string
	live   Cluster
	script *scenario.Script
	err    error
}

// Restarter replaces the running cluster with a fresh one playing the
// named built-in scenario; the old one is stopped.
type Restarter func(scenarioName string) (Cluster, *scenario.Script, error)

// Model is the root Bubble Tea model.
type Model struct {
	live    Cluster
	keys    keyMap
	help    help.Model
	title   string
	explain string
	restart Restarter
	// script is the scenario playing, if any: a saved session includes it.
	script *scenario.Script
	// saveDir is where w saves ("" is the current directory); noSave,
	// if set, says why this view may not save (over SSH, the file would
	// land on the server's disk).
	saveDir string
	noSave  string

	width, height int
	snap          cluster.Snapshot
	hist          *history
	wraps         renders
	evbuf         []cluster.Event
	uiDropped     int

	selected       int
	zoom           int
	showHeartbeats bool
	logScroll      int
	showFullHelp   bool
	paused         bool
	speed          float64

	mode      mode
	partition promptForm
	edit      editForm
	picker    scenarioPicker
	cmdline   commandLine
	// pending is a save waiting for "overwrite? y/n".
	pending savedMsg

	status    string
	statusErr bool

	// checks is the running scenario's expectations and their outcomes.
	checks checklist

	// cur is the time cursor; tl where the timeline was last drawn;
	// dragging: the mouse button went down on the timeline.
	cur      timeCursor
	tl       timelineGeom
	dragging bool
	// pending is a command drain could not return (a seek after another
	// viewer's fork); the next frame sends it.
	pendingCmd tea.Cmd

	// The map, the inspector, the log's filter and selection, and what the
	// screen shows (see layout.go, clustermap.go, inspector.go, filter.go).
	cmap         clusterMap
	showMap      bool
	showTimeline bool
	inspect      inspector
	filter       logFilter
	filterForm   promptForm
	// matches are the lines the filter keeps; textBuf is where a log
	// line is put into words.
	matches    filtered
	textBuf    []byte
	logSel     int // the selected log line's number (ring.total order), or -1
	helpScroll int
	hits       []hit
	// dirty: something changed since View last drew drawn, its result.
	dirty bool
	drawn string
	// tick schedules the next frame (frameTick; tests drive frames
	// themselves); ticking says one is scheduled.
	tick    func() tea.Cmd
	ticking bool
}

// New makes the model over a live cluster.
func New(live Cluster, styles Styles) *Model {
	snap := live.Snapshot()
	m := &Model{
		live:     live,
		wraps:    newRenders(styles),
		keys:     defaultKeyMap(),
		help:     help.New(),
		snap:     snap,
		hist:     newHistory(len(snap.Nodes)),
		selected: 1,
		zoom:     defaultZoom,
		paused:   snap.Paused,
		speed:    snap.Speed,
		status:   "watch the first election; 1-9 selects a node, then d k t ...; ? lists every key",
		cur:      timeCursor{live: snap},

		showMap:      true,
		showTimeline: true,
		logSel:       -1,
		tick:         frameTick,
	}
	m.inspect.keys = newInspectorKeys()
	m.filterForm = newPromptForm("filter", "n3 vote refused")
	m.help.Styles = styles.Help
	m.partition = newPromptForm("partition", "1,2 | 3,4,5")
	m.cmdline = newCommandLine()
	m.edit = newEditForm()
	m.drain()
	return m
}

// SetTitle shows a line above the panels: a scenario's title, a warning.
func (m *Model) SetTitle(s string) { m.title = s }

// SetScenario shows a scenario's title and what to watch; the text is
// replaced as each of its explain steps fires.
func (m *Model) SetScenario(title, explain string) { m.title, m.explain = title, explain }

// SetScript shows a scenario that plays from the start: its title and
// explanation, and its steps in a saved session.
func (m *Model) SetScript(script *scenario.Script) {
	m.script = script
	m.checks = m.newChecklist()
	if script != nil && script.Title != "" {
		m.SetScenario(script.Title, script.Explain)
	}
}

// SetRestarter lets s choose a built-in scenario, restarting the cluster.
func (m *Model) SetRestarter(r Restarter) { m.restart = r }

// switchTo shows a new cluster from its start.
func (m *Model) switchTo(live Cluster, script *scenario.Script) {
	m.live = live
	m.script = script
	m.checks = m.newChecklist()
	m.snap = live.Snapshot()
	m.cur = timeCursor{live: m.snap}
	m.hist = newHistory(len(m.snap.Nodes))
	m.selected, m.logScroll, m.uiDropped, m.logSel = 1, 0, 0, -1
	m.inspect.open = false
	m.paused, m.speed = m.snap.Paused, m.snap.Speed
	m.SetScenario(script.Title, script.Explain)
	m.drain()
}

func frameTick() tea.Cmd {
	return tea.Tick(frameInterval, func(t time.Time) tea.Msg { return frameMsg(t) })
}

// Init starts the frame clock.
func (m *Model) Init() tea.Cmd {
	m.ticking = true
	return m.tick()
}

// Update changes the model's state in answer to a message. Any message but
// a frame restarts the frame clock if it had stopped.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(frameMsg); ok {
		return m, m.frame()
	}
	m.dirty = true
	model, cmd := m.update(msg)
	if !m.ticking {
		m.ticking = true
		cmd = tea.Batch(cmd, m.tick())
	}
	return model, cmd
}

// frame drains the cluster and asks for the next frame. Paused with
// nothing new, it asks for none: the program then sleeps, drawing nothing,
// until a key, a click or a command's answer comes.
func (m *Model) frame() tea.Cmd {
	before := m.cur.live
	live := &m.cur.live
	if m.drain() || before.Now != live.Now || before.Paused != live.Paused || before.Speed != live.Speed {
		m.dirty = true
	} else if m.paused && live.Paused && !m.cur.playing {
		m.ticking = false
		return nil
	}
	var play tea.Cmd
	if m.cur.playing {
		play = m.playFrame()
		m.dirty = true
	}
	pending := m.pendingCmd
	m.pendingCmd = nil
	m.ticking = true
	return tea.Batch(play, pending, m.tick())
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		return m, nil
	case tea.MouseMsg:
		if m.mode != modeNormal {
			return m, nil
		}
		return m, m.handleMouse(msg)
	case commandDoneMsg:
		m.setStatus(msg.what, msg.err)
		m.drain()
		return m, nil
	case scenarioStartedMsg:
		if msg.err != nil {
			m.setStatus("scenario "+msg.name, msg.err)
			return m, nil
		}
		m.switchTo(msg.live, msg.script)
		m.setStatus("scenario "+msg.name+": paused at its start; space starts it (s: another)", nil)
		return m, nil
	case savedMsg:
		return m, m.saved(msg)
	case seekedMsg:
		m.seeked(msg)
		return m, nil
	case forkedMsg:
		return m, m.forked(msg)
	case tea.KeyPressMsg:
		if msg.String() == "ctrl+c" { // quits from any prompt, too
			return m, tea.Quit
		}
		switch m.mode {
		case modePartition:
			return m, m.updatePartition(msg)
		case modeEdit:
			return m, m.updateEdit(msg)
		case modeScenario:
			return m, m.updatePicker(msg)
		case modeFilter:
			return m, m.updateFilter(msg)
		case modeCommand:
			return m, m.updateCommandLine(msg)
		case modeConfirm:
			return m, m.updateConfirm(msg)
		}
		if m.inspect.open {
			return m, m.updateInspector(msg)
		}
		if m.showFullHelp && m.scrollHelp(msg) {
			return m, nil
		}
		return m, m.handleKey(msg)
	case tea.PasteMsg:
		switch m.mode {
		case modePartition:
			return m, m.partition.update(msg)
		case modeEdit:
			return m, m.edit.update(msg)
		case modeFilter:
			return m, m.filterForm.update(msg)
		case modeCommand:
			return m, m.cmdline.form.update(msg)
		}
	}
	return m, nil
}

// drain takes the events that arrived since the last frame into the
// history, and the cluster's latest state; it reports whether any arrived.
func (m *Model) drain() bool {
	var dropped int
	m.evbuf, dropped = m.live.Drain(m.evbuf[:0])
	m.uiDropped += dropped
	forkedAt := time.Duration(-1)
	for i := range m.evbuf {
		if e := &m.evbuf[i]; e.Kind == cluster.KindFork {
			// History was rewritten from e.At on (by this view or, over
			// SSH, by the teacher's): forget the discarded future first.
			m.hist.truncateAfter(e.At)
			m.checks.forgetAfter(e.At)
			forkedAt = e.At
		}
		m.checks.observe(&m.evbuf[i])
		if m.evbuf[i].Kind == cluster.KindExplain {
			m.explain = m.evbuf[i].Detail
		}
		m.hist.ingest(&m.evbuf[i])
	}
	clear(m.evbuf) // do not keep the events' slices alive until next frame
	m.cur.live = m.live.Snapshot()
	m.hist.updateCutOff(&m.cur.live)
	if !m.cur.past {
		m.snap = m.cur.live
		// Pause and speed follow the cluster: another viewer (a teacher
		// over SSH) may change them, and an action refused changes nothing.
		m.paused, m.speed = m.snap.Paused, m.snap.Speed
	}
	if forkedAt >= 0 && m.cur.past {
		// Someone else forked while this view looked back: what it showed
		// after the fork point no longer happened.
		m.pendingCmd = m.seek(min(m.cur.at, forkedAt))
		m.setStatus(fmt.Sprintf("history was forked at t=%.3fs: what came after it is gone", forkedAt.Seconds()), nil)
	}
	return len(m.evbuf) > 0 || dropped > 0
}

func (m *Model) setStatus(s string, err error) {
	m.status, m.statusErr = s, err != nil
	if err != nil {
		m.status = fmt.Sprintf("%s: %v", s, err)
	}
}

// setZoom changes the timeline's time per column, keeping the cursor on
// screen when it is in the past.
func (m *Model) setZoom(z int) {
	m.zoom = min(max(z, 0), len(zoomLevels)-1)
	if m.cur.past {
		m.cur.end = m.timelineEnd(m.cur.at + time.Duration(max(m.tl.cols, 4))*zoomLevels[m.zoom]/4)
		m.cur.end = min(m.cur.end, m.timelineEnd(m.liveNow()))
	}
}

func (m *Model) scrollStep(msg tea.KeyPressMsg) int {
	if s := msg.String(); s == "pgup" || s == "pgdown" {
		return 10
	}
	return 1
}

func (m *Model) selectNode(id int) {
	if id < 1 || id > len(m.snap.Nodes) {
		m.setStatus(fmt.Sprintf("no node %d (nodes are 1..%d)", id, len(m.snap.Nodes)), nil)
		return
	}
	m.selected = id
}

func (m *Model) updatePartition(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		m.mode = modeNormal
		m.setStatus("partition cancelled", nil)
		return nil
	case "enter":
		text := m.partition.input.Value()
		cmd, err := scenario.ParseCommand("partition " + text)
		if err == nil {
			err = cmd.Check(len(m.snap.Nodes))
		}
		if err != nil {
			m.partition.err = err.Error()
			return nil
		}
		m.mode = modeNormal
		return m.applyAll("", cmd)
	}
	m.partition.err = ""
	return m.partition.update(msg)
}

func (m *Model) updateEdit(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		m.mode = modeNormal
		m.setStatus("timing unchanged", nil)
		return nil
	case "tab", "down":
		return m.edit.focus(m.edit.focused + 1)
	case "shift+tab", "up":
		return m.edit.focus(m.edit.focused - 1)
	case "enter":
		cmds, note, err := m.edit.parse(m.snap.Config)
		if err != nil {
			m.edit.err = err.Error()
			return nil
		}
		m.mode = modeNormal
		if len(cmds) == 0 {
			m.setStatus("timing unchanged", nil)
			return nil
		}
		return m.applyAll(note, cmds...)
	}
	m.edit.err = ""
	return m.edit.update(msg)
}

func (m *Model) updatePicker(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc", "q", "s":
		m.mode = modeNormal
		m.setStatus("scenario unchanged", nil)
	case "up", "k", "shift+tab":
		m.picker.move(-1)
	case "down", "j", "tab":
		m.picker.move(1)
	case "enter":
		// Starting a cluster is work: it runs as a command, off Update.
		m.mode = modeNormal
		name, restart := m.picker.chosen(), m.restart
		m.setStatus("starting scenario "+name+" ...", nil)
		return func() tea.Msg {
			live, script, err := restart(name)
			return scenarioStartedMsg{name: name, live: live, script: script, err: err}
		}
	}
	return nil
}

func formatSpeed(s float64) string {
	if s >= 1 {
		return fmt.Sprintf("%gx", s)
	}
	return fmt.Sprintf("%.3gx", s)
}
