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
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// Cluster is what the UI needs of a live cluster; *cluster.Live is one.
type Cluster interface {
	Do(fn func(c *cluster.Cluster) error) error
	Drain(buf []cluster.Event) ([]cluster.Event, int)
	Snapshot() cluster.Snapshot
	Pause() error
	Resume() error
	StepEvent() error
	SetSpeed(s float64) error
	// Apply carries out a command at the present.
	Apply(cmd cluster.Command) error
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

// Speed bounds for + and -.
const (
	minSpeed = 1.0 / 256
	maxSpeed = 64
)

type mode uint8

const (
	modeNormal mode = iota
	modePartition
	modeEdit
	modeScenario
	modeFilter
)

// frameMsg asks the model to drain events and redraw.
type frameMsg time.Time

// commandDoneMsg reports the outcome of a cluster command.
type commandDoneMsg struct {
	what string
	err  error
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

	status    string
	statusErr bool

	// cur is the time cursor; tl where the timeline was last drawn;
	// dragging: the mouse button went down on the timeline.
	cur      timeCursor
	tl       timelineGeom
	dragging bool

	// The map, the inspector, the log's filter and selection, and what the
	// screen shows (see layout.go, clustermap.go, inspector.go, filter.go).
	cmap         clusterMap
	showMap      bool
	showTimeline bool
	inspect      inspector
	filter       logFilter
	filterForm   promptForm
	filterIdx    []int
	logSel       int // the selected log line's number (ring.total order), or -1
	helpScroll   int
	hits         []hit
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
		status:   "watch the first election; select a node with 1-9, then d, k, t ... (? for every key)",
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
	m.edit = newEditForm()
	m.drain()
	return m
}

// SetTitle shows a line above the panels: a scenario's title, a warning.
func (m *Model) SetTitle(s string) { m.title = s }

// SetScenario shows a scenario's title and what to watch; the text is
// replaced as each of its explain steps fires.
func (m *Model) SetScenario(title, explain string) { m.title, m.explain = title, explain }

// SetRestarter lets s choose a built-in scenario, restarting the cluster.
func (m *Model) SetRestarter(r Restarter) { m.restart = r }

// switchTo shows a new cluster from its start.
func (m *Model) switchTo(live Cluster, script *scenario.Script) {
	m.live = live
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
	m.ticking = true
	return tea.Batch(play, m.tick())
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
	case tea.KeyPressMsg:
		switch m.mode {
		case modePartition:
			return m, m.updatePartition(msg)
		case modeEdit:
			return m, m.updateEdit(msg)
		case modeScenario:
			return m, m.updatePicker(msg)
		case modeFilter:
			return m, m.updateFilter(msg)
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
	for i := range m.evbuf {
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
	}
	return len(m.evbuf) > 0 || dropped > 0
}

func (m *Model) setStatus(s string, err error) {
	m.status, m.statusErr = s, err != nil
	if err != nil {
		m.status = fmt.Sprintf("%s: %v", s, err)
	}
}

// do runs fn on the cluster's goroutine, off the UI's, and reports back.
func (m *Model) do(what string, fn func(c *cluster.Cluster) error) tea.Cmd {
	live := m.live
	return func() tea.Msg { return commandDoneMsg{what: what, err: live.Do(fn)} }
}

// apply carries out cmd off the UI's goroutine and reports it in the
// language, so that the keys teach the syntax. Given while the cursor is
// in the past, it forks: the recorded future after the cursor is
// discarded, and the cluster goes on from the cursor with cmd applied.
func (m *Model) apply(cmd cluster.Command) tea.Cmd {
	live := m.live
	if !m.cur.past {
		return func() tea.Msg { return commandDoneMsg{what: cmd.String(), err: live.Apply(cmd)} }
	}
	at, resume := m.cur.at, m.cur.resume
	m.hist.truncateAfter(at)
	m.cur = timeCursor{live: m.cur.live}
	m.paused = !resume
	return func() tea.Msg {
		what := fmt.Sprintf("forked at t=%.3fs: %s", at.Seconds(), cmd)
		err := live.Fork(at, cmd)
		if err == nil && resume {
			err = live.Apply(cluster.Command{Action: cluster.ActResume})
		}
		return commandDoneMsg{what: what, err: err}
	}
}

// onSelected runs a per-node command on the selected node.
func (m *Model) onSelected(a cluster.Action) tea.Cmd {
	return m.apply(cluster.Command{Action: a, Nodes: []int{m.selected}})
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Select):
		m.selectNode(int(msg.String()[0] - '0'))
	case key.Matches(msg, k.Next):
		m.selectNode(m.selected%len(m.snap.Nodes) + 1)
	case key.Matches(msg, k.Prev):
		m.selectNode((m.selected+len(m.snap.Nodes)-2)%len(m.snap.Nodes) + 1)
	case key.Matches(msg, k.SelectLeader):
		if m.snap.Leader == 0 {
			m.setStatus("there is no leader to select", nil)
			return nil
		}
		m.selectNode(m.snap.Leader)
	case key.Matches(msg, k.Disconnect):
		return m.onSelected(cluster.ActDisconnect)
	case key.Matches(msg, k.Reconnect):
		return m.onSelected(cluster.ActReconnect)
	case key.Matches(msg, k.Kill):
		return m.onSelected(cluster.ActKill)
	case key.Matches(msg, k.Restart):
		return m.onSelected(cluster.ActRestart)
	case key.Matches(msg, k.Timeout):
		return m.onSelected(cluster.ActTimeout)
	case key.Matches(msg, k.Heal):
		return m.apply(cluster.Command{Action: cluster.ActHeal})
	case key.Matches(msg, k.Partition):
		m.mode = modePartition
		return m.partition.open("")
	case key.Matches(msg, k.Edit):
		m.mode = modeEdit
		return m.edit.open(m.snap.Config)
	case key.Matches(msg, k.PreVote):
		on := !m.snap.Config.PreVote
		m.snap.Config.PreVote = on // until the next frame confirms it
		return m.apply(cluster.Command{Action: cluster.ActSet, Param: cluster.ParamPreVote, On: on})
	case key.Matches(msg, k.CheckQuorum):
		on := !m.snap.Config.CheckQuorum
		m.snap.Config.CheckQuorum = on
		return m.apply(cluster.Command{Action: cluster.ActSet, Param: cluster.ParamCheckQuorum, On: on})
	case key.Matches(msg, k.Pause):
		if m.cur.past {
			m.togglePlay()
			return nil
		}
		return m.togglePause()
	case key.Matches(msg, k.TimeBack):
		return m.moveCursor(-zoomLevels[m.zoom])
	case key.Matches(msg, k.TimeForward):
		if !m.cur.past {
			m.setStatus("this is the present: ← goes back in time", nil)
			return nil
		}
		return m.moveCursor(zoomLevels[m.zoom])
	case key.Matches(msg, k.PageBack):
		return m.moveCursor(-time.Duration(max(m.tl.cols, 1)) * zoomLevels[m.zoom])
	case key.Matches(msg, k.PageForward):
		if !m.cur.past {
			return nil
		}
		return m.moveCursor(time.Duration(max(m.tl.cols, 1)) * zoomLevels[m.zoom])
	case key.Matches(msg, k.Oldest):
		return m.seek(m.oldest())
	case key.Matches(msg, k.Live):
		m.logScroll = 0
		return m.goLive()
	case key.Matches(msg, k.PrevDecision):
		return m.stepDecision(-1)
	case key.Matches(msg, k.Step):
		if m.cur.past {
			return m.stepDecision(1)
		}
		if !m.paused {
			m.setStatus("step works while paused: press space first", nil)
			return nil
		}
		live := m.live
		return func() tea.Msg { return commandDoneMsg{what: "stepped one event", err: live.StepEvent()} }
	case key.Matches(msg, k.Faster):
		return m.setSpeed(m.speed * 2)
	case key.Matches(msg, k.Slower):
		return m.setSpeed(m.speed / 2)
	case key.Matches(msg, k.ZoomIn):
		m.setZoom(m.zoom - 1)
	case key.Matches(msg, k.ZoomOut):
		m.setZoom(m.zoom + 1)
	case key.Matches(msg, k.Heartbeats):
		m.showHeartbeats = !m.showHeartbeats
		m.logScroll = 0
		m.setStatus("event log: heartbeats and message traffic "+map[bool]string{true: "shown", false: "hidden"}[m.showHeartbeats], nil)
	case key.Matches(msg, k.LogUp):
		m.moveLogSelection(m.scrollStep(msg))
	case key.Matches(msg, k.LogDown):
		m.moveLogSelection(-m.scrollStep(msg))
	case key.Matches(msg, k.LogEnd):
		m.logScroll, m.logSel = 0, -1
	case key.Matches(msg, k.Inspect):
		m.openInspector()
	case key.Matches(msg, k.Filter):
		m.mode = modeFilter
		return m.filterForm.open(m.filter.text)
	case key.Matches(msg, k.Close):
		switch {
		case m.logSel >= 0:
			m.logSel = -1
		case m.filter.text != "":
			m.filter = logFilter{}
			m.setStatus("log filter cleared", nil)
		}
	case key.Matches(msg, k.Map):
		m.showMap = !m.showMap
		m.setStatus("map "+map[bool]string{true: "shown", false: "hidden (m shows it)"}[m.showMap], nil)
	case key.Matches(msg, k.Timeline):
		m.showTimeline = !m.showTimeline
		m.setStatus("timeline "+map[bool]string{true: "shown", false: "hidden (T shows it)"}[m.showTimeline], nil)
	case key.Matches(msg, k.Scenario):
		if m.restart == nil {
			m.setStatus("no scenarios here", nil)
			return nil
		}
		m.mode = modeScenario
		m.picker.open(scenario.Builtins())
	case key.Matches(msg, k.Help):
		m.showFullHelp = !m.showFullHelp
		m.helpScroll = 0
	}
	return nil
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

func (m *Model) togglePause() tea.Cmd {
	m.paused = !m.paused
	live, paused := m.live, m.paused
	if paused {
		return func() tea.Msg {
			return commandDoneMsg{what: "paused: . steps one event, space resumes", err: live.Pause()}
		}
	}
	return func() tea.Msg { return commandDoneMsg{what: "running", err: live.Resume()} }
}

func (m *Model) setSpeed(s float64) tea.Cmd {
	s = min(max(s, minSpeed), maxSpeed)
	m.speed = s
	live := m.live
	return func() tea.Msg { return commandDoneMsg{what: "speed " + formatSpeed(s), err: live.SetSpeed(s)} }
}

func (m *Model) updatePartition(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		m.mode = modeNormal
		m.setStatus("partition cancelled", nil)
		return nil
	case "enter":
		text := m.partition.input.Value()
		groups, err := scenario.ParsePartition(text)
		if err != nil {
			m.partition.err = err.Error()
			return nil
		}
		m.mode = modeNormal
		return m.do("partition "+strings.TrimSpace(text), func(c *cluster.Cluster) error { return c.Partition(groups) })
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
		apply, summary, err := m.edit.parse(m.snap.Config)
		if err != nil {
			m.edit.err = err.Error()
			return nil
		}
		m.mode = modeNormal
		return m.do(summary, apply)
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
		m.mode = modeNormal
		name := m.picker.chosen()
		live, script, err := m.restart(name)
		if err != nil {
			m.setStatus("scenario "+name, err)
			return nil
		}
		m.switchTo(live, script)
		m.setStatus("scenario "+name+" started (s chooses another)", nil)
	}
	return nil
}

func formatSpeed(s float64) string {
	if s >= 1 {
		return fmt.Sprintf("%gx", s)
	}
	return fmt.Sprintf("%.3gx", s)
}
