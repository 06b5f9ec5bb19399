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
	}
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
	m.hist = newHistory(len(m.snap.Nodes))
	m.selected, m.logScroll, m.uiDropped = 1, 0, 0
	m.paused, m.speed = m.snap.Paused, m.snap.Speed
	m.SetScenario(script.Title, script.Explain)
	m.drain()
}

func frameTick() tea.Cmd {
	return tea.Tick(frameInterval, func(t time.Time) tea.Msg { return frameMsg(t) })
}

// Init starts the frame clock.
func (m *Model) Init() tea.Cmd {
	return frameTick()
}

// Update changes the model's state in answer to a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		return m, nil
	case frameMsg:
		m.drain()
		return m, frameTick()
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
		}
		return m, m.handleKey(msg)
	case tea.PasteMsg:
		switch m.mode {
		case modePartition:
			return m, m.partition.update(msg)
		case modeEdit:
			return m, m.edit.update(msg)
		}
	}
	return m, nil
}

// drain takes the events that arrived since the last frame into the
// history, and the cluster's latest state.
func (m *Model) drain() {
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
	m.snap = m.live.Snapshot()
	// Pause and speed follow the cluster: another viewer (a teacher over
	// SSH) may change them, and an action refused changes nothing.
	m.paused, m.speed = m.snap.Paused, m.snap.Speed
	m.hist.updateCutOff(&m.snap)
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

// onSelected runs a per-node command on the selected node.
func (m *Model) onSelected(verb string, fn func(c *cluster.Cluster, id int) error) tea.Cmd {
	id := m.selected
	return m.do(fmt.Sprintf("%s n%d", verb, id), func(c *cluster.Cluster) error { return fn(c, id) })
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
		return m.onSelected("disconnect", (*cluster.Cluster).Disconnect)
	case key.Matches(msg, k.Reconnect):
		return m.onSelected("reconnect", (*cluster.Cluster).Reconnect)
	case key.Matches(msg, k.Kill):
		return m.onSelected("kill", (*cluster.Cluster).Kill)
	case key.Matches(msg, k.Restart):
		return m.onSelected("restart", (*cluster.Cluster).Restart)
	case key.Matches(msg, k.Timeout):
		return m.onSelected("force timeout of", (*cluster.Cluster).Timeout)
	case key.Matches(msg, k.Heal):
		return m.do("heal: everything connected", func(c *cluster.Cluster) error { c.Heal(); return nil })
	case key.Matches(msg, k.Partition):
		m.mode = modePartition
		return m.partition.open("")
	case key.Matches(msg, k.Edit):
		m.mode = modeEdit
		return m.edit.open(m.snap.Config)
	case key.Matches(msg, k.PreVote):
		on := !m.snap.Config.PreVote
		m.snap.Config.PreVote = on // until the next frame confirms it
		return m.do("PreVote "+onOff(on), func(c *cluster.Cluster) error { c.SetPreVote(on); return nil })
	case key.Matches(msg, k.CheckQuorum):
		on := !m.snap.Config.CheckQuorum
		m.snap.Config.CheckQuorum = on
		return m.do("CheckQuorum "+onOff(on), func(c *cluster.Cluster) error { c.SetCheckQuorum(on); return nil })
	case key.Matches(msg, k.Pause):
		return m.togglePause()
	case key.Matches(msg, k.Step):
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
		m.zoom = max(m.zoom-1, 0)
	case key.Matches(msg, k.ZoomOut):
		m.zoom = min(m.zoom+1, len(zoomLevels)-1)
	case key.Matches(msg, k.Heartbeats):
		m.showHeartbeats = !m.showHeartbeats
		m.logScroll = 0
		m.setStatus("event log: heartbeats and message traffic "+map[bool]string{true: "shown", false: "hidden"}[m.showHeartbeats], nil)
	case key.Matches(msg, k.LogUp):
		m.logScroll += m.scrollStep(msg)
	case key.Matches(msg, k.LogDown):
		m.logScroll = max(m.logScroll-m.scrollStep(msg), 0)
	case key.Matches(msg, k.LogEnd):
		m.logScroll = 0
	case key.Matches(msg, k.Scenario):
		if m.restart == nil {
			m.setStatus("no scenarios here", nil)
			return nil
		}
		m.mode = modeScenario
		m.picker.open(scenario.Builtins())
	case key.Matches(msg, k.Help):
		m.showFullHelp = !m.showFullHelp
	}
	return nil
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

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

func formatSpeed(s float64) string {
	if s >= 1 {
		return fmt.Sprintf("%gx", s)
	}
	return fmt.Sprintf("%.3gx", s)
}
