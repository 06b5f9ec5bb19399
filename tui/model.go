// Package tui is raftty's face: a Bubble Tea program that draws a live
// cluster's event stream (nodes, timeline, event log, map, statistics) and
// turns keys into cluster commands.
//
// The root model owns the cluster handle, the time cursor and the layout;
// each part of the screen is a component (layout.go) that draws from one
// read-only Frame built per render. The cluster runs in its own goroutine
// (cluster.Live); the model drains its events once per frame, so View runs
// at the frame rate however many events arrive, and every command runs as a
// tea.Cmd, off Update.
package tui

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
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
	// SnapshotAtDecision rebuilds the cluster right after a decision of
	// the past (cluster.Event.Decision), before the next one even at the
	// same instant, and returns the events that decision made.
	SnapshotAtDecision(d int) (cluster.Snapshot, []cluster.Event, error)
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

// frameMsg asks the model to drain events and redraw.
type frameMsg time.Time

// commandDoneMsg reports the outcome of a cluster command.
type commandDoneMsg struct {
	what string
	err  error
	// step: the command was a step of the live cluster, which the status
	// names as . names a decision of the past.
	step bool
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

// Model is the root Bubble Tea model: the cluster handle, the time cursor,
// the selection, what the view keeps of the event stream, and the screen
// of components.
type Model struct {
	live    Cluster
	restart Restarter
	// scenarios are what s lists (Options.Scenarios).
	scenarios []scenario.Builtin
	// script is the scenario playing, if any: a saved session includes it;
	// checks is what came of its expectations.
	script *scenario.Script
	checks checklist
	// title and explain are shown above the panels: explain is what the
	// scenario said to watch first (its explain events say the rest).
	title, explain string
	// out writes sessions, pictures and recordings (w, :export, :record);
	// cmds gives commands to the cluster.
	out  output
	cmds commander
	// lecture: the view's part in a class (class.go).
	lecture class

	width, height int
	styles        renders
	keys          *keyMap
	commands      []commandKey
	views         []viewKey
	routes        []route
	scr           *screen

	// snap is the cluster at the moment shown (the cursor's, or the
	// present); hist what the view keeps of the event stream. Of two
	// worlds, they are world A's (snap.Compared holds world B's) and histB
	// world B's history; histB is nil for one world.
	snap  cluster.Snapshot
	hist  *history
	histB *history
	// divSel is the divergence the view last stepped to (D, >, <), or -1.
	divSel int
	evbuf  []cluster.Event
	// lastMade are the events of the newest decision drained (world
	// A's): what a step of the live cluster did, for the status line.
	lastMade  []cluster.Event
	uiDropped int

	selected int
	paused   bool
	speed    float64

	status    string
	statusErr bool

	// cur is the time cursor; dragging: the mouse button went down on
	// the timeline.
	cur      timeCursor
	dragging bool
	// pendingCmd is a command drain could not return (a seek after
	// another viewer's fork); the next frame sends it.
	pendingCmd tea.Cmd

	// dirty: something changed since View last drew; drawn is what it
	// drew.
	dirty bool
	drawn string
	// tick schedules the next frame (frameTick; tests drive frames
	// themselves); ticking says one is scheduled.
	tick    func() tea.Cmd
	ticking bool

	// class is the lecture the view is part of (nil: none), classState
	// what it last said; watching: a watcher's view, which may look but
	// never change the cluster. following: the cursor follows the
	// teacher's, and followed is the teacher's cursor it last took.
	class      Class
	classState ClassState
	watching   bool
	following  bool
	followed   Cursor
	// opened is how the view looked when it opened (Plain).
	opened look
}

// route gives the keys a component answers to that component.
type route struct {
	keys []key.Binding
	c    component
}

// New makes the model over a live cluster, showing it as opts says.
func New(live Cluster, opts Options) *Model {
	snap := live.Snapshot()
	styles := DefaultStyles(opts.NoColor)
	m := &Model{
		live:     live,
		restart:  opts.Restart,
		script:   opts.Script,
		checks:   newChecklist(opts.Script),
		title:    opts.Title,
		explain:  opts.Explain,
		styles:   newRenders(styles),
		keys:     &keyMap{root: newRootKeys(), layout: newLayoutKeys()},
		scr:      newScreen(styles.Help),
		snap:     snap,
		hist:     newHistory(len(snap.Nodes)),
		histB:    historyB(snap),
		divSel:   -1,
		selected: 1,
		paused:   snap.Paused,
		speed:    snap.Speed,
		status:   opts.Status,
		cur:      timeCursor{live: snap, zoom: defaultZoom},
		tick:     frameTick,
		class:    opts.Class,
		watching: opts.Watching,
	}
	m.scenarios = opts.Scenarios
	m.cur.view = m
	m.cmds = commander{view: m}
	m.lecture = class{view: m}
	m.out = output{view: m, saver: saver{dir: opts.SaveDir, confined: opts.SaveDir != "", off: opts.NoSave}}
	if m.status == "" {
		m.status = "watch the first election; 1-9 selects a node, then d k t ...; ? lists every key"
	}
	s := m.scr
	m.keys.forRole(m.watching, m.class != nil, &s.log.logKeys)
	m.keys.nodes, m.keys.timeline, m.keys.log, m.keys.prompt = s.nodes.nodeKeys, s.timeline.timelineKeys, s.log.logKeys, s.prompt.promptKeys
	m.keys.root.enableDivergences(m.histB != nil)
	m.commands, m.views = commandKeys(m.keys), viewKeys(m.keys)
	n, t, l := &m.keys.nodes, &m.keys.timeline, &m.keys.log
	m.routes = []route{
		{[]key.Binding{n.Select, n.Next, n.Prev, n.SelectLeader}, s.nodes},
		{[]key.Binding{t.ZoomIn, t.ZoomOut, t.TimeBack, t.TimeForward, t.PageBack, t.PageForward, t.Oldest, t.Live, t.PrevDecision}, s.timeline},
		{[]key.Binding{l.LogUp, l.LogDown, l.LogEnd, l.Heartbeats, l.Close, l.NextMatch, l.PrevMatch}, s.log},
	}
	m.drain()
	m.opened = m.look()
	if opts.Follow && m.class != nil {
		status := m.status
		m.pendingCmd = m.lecture.follow()
		m.status = status // the first status line says more
	}
	return m
}

func frameTick() tea.Cmd {
	return tea.Tick(frameInterval, func(t time.Time) tea.Msg { return frameMsg(t) })
}

// Init starts the frame clock (and takes a following view where the
// teacher looks).
func (m *Model) Init() tea.Cmd {
	m.ticking = true
	pending := m.pendingCmd
	m.pendingCmd = nil
	return tea.Batch(pending, m.tick())
}

// Update changes the model's state in answer to a message. Any message but
// a frame restarts the frame clock if it had stopped.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if t, ok := msg.(frameMsg); ok {
		cmd := m.onFrame()
		m.out.recordFrame(time.Time(t))
		return m, cmd
	}
	m.dirty = true
	cmd := tea.Batch(m.handle(msg), m.lecture.syncClass())
	if !m.ticking {
		m.ticking = true
		cmd = tea.Batch(cmd, m.tick())
	}
	return m, cmd
}

// onFrame drains the cluster and asks for the next frame. Paused with
// nothing new, it asks for none: the program then sleeps, drawing nothing,
// until a key, a click or a command's answer comes.
func (m *Model) onFrame() tea.Cmd {
	before := m.cur.live
	live := &m.cur.live
	drained := m.drain()
	follow := m.lecture.syncClass()
	if drained || before.Now != live.Now || before.Paused != live.Paused || before.Speed != live.Speed {
		m.dirty = true
	} else if m.paused && live.Paused && !m.cur.playing && follow == nil && m.pendingCmd == nil {
		m.ticking = false
		return nil
	}
	var play tea.Cmd
	if m.cur.playing {
		play = m.cur.playFrame()
		m.dirty = true
	}
	pending := m.pendingCmd
	m.pendingCmd = nil
	m.ticking = true
	return tea.Batch(play, pending, follow, m.tick())
}

// handle carries out a message from the runtime: a key, the mouse, a
// paste, a new size, or the answer of a command that ran off Update.
func (m *Model) handle(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case tea.KeyPressMsg:
		defer m.lecture.ownMove(m.following, m.Cursor())
		return m.handleKey(msg)
	case tea.MouseMsg:
		if !m.scr.prompt.isOpen() && !m.scr.picker.open {
			defer m.lecture.ownMove(m.following, m.Cursor())
			return m.cur.handleMouse(msg)
		}
	case tea.PasteMsg:
		return m.ask(m.scr.prompt, msg)
	case commandDoneMsg:
		m.setStatus(msg.what, msg.err)
		m.drain()
		if made := m.lastMade; msg.step && msg.err == nil && len(made) > 0 && made[0].Decision == m.cur.live.Decision {
			m.setStatus("step: "+describeDecision(made), nil)
		}
	case scenarioStartedMsg:
		if msg.err != nil {
			m.setStatus("scenario "+msg.name, msg.err)
			return nil
		}
		m.SwitchTo(msg.live, msg.script)
		m.setStatus("scenario "+msg.name+": paused at its start; space starts it (s: another)", nil)
		if it, ok := m.scr.picker.item(msg.name); ok && it.Mismatch != "" {
			// As `raftty run` warns of it.
			m.setStatus("scenario "+msg.name+": warning: it "+it.Mismatch+" (paused: space starts it; s: another)", nil)
		}
	case savedMsg:
		m.out.saved(msg)
	case exportedMsg:
		if msg.err != nil {
			m.setStatus("export", msg.err)
		} else {
			m.setStatus("exported the screen to "+msg.path, nil)
		}
	case recordStartedMsg:
		m.out.recordStarted(msg)
	case recordStoppedMsg:
		m.out.recordStopped(msg)
	case seekedMsg:
		m.cur.seeked(msg)
	case decidedMsg:
		m.cur.decided(msg)
	case decisionFromMsg:
		return m.cur.fromDecision(msg)
	case forkedMsg:
		return m.cmds.forked(msg)
	default:
		return m.request(msg)
	}
	return nil
}

// request carries out what a component asked for (requests.go).
func (m *Model) request(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case statusMsg:
		m.setStatus(string(msg), nil)
	case failedMsg:
		m.setStatus(msg.what, msg.err)
	case selectMsg:
		m.selectNode(int(msg))
	case applyMsg:
		return m.cmds.applyAll(msg.note, msg.cmds...)
	case filterMsg:
		m.scr.log.setFilter(string(msg))
		m.scr.b.log.setFilter(string(msg))
		m.setStatus(filterStatus(m.scr.log.filter.text), nil)
	case saveMsg:
		return m.out.save(string(msg), false)
	case exportMsg:
		return m.out.exportSVG(string(msg))
	case recordMsg:
		return m.out.record(string(msg))
	case scenarioMsg:
		// Starting a cluster is work: it runs as a command, off Update.
		name, restart := string(msg), m.restart
		m.setStatus("starting scenario "+name+" ...", nil)
		return func() tea.Msg {
			live, script, err := restart(name)
			return scenarioStartedMsg{name: name, live: live, script: script, err: err}
		}
	case zoomMsg:
		m.cur.setZoom(m.cur.zoom+int(msg), m.scr.tl.cols)
	case moveMsg:
		return m.cur.scrub(m.cur.moment(m.snap.Now) + time.Duration(msg))
	case pageMsg:
		page := time.Duration(max(timelineCols(m.width), 1)) * m.cur.step()
		return m.cur.scrub(m.cur.moment(m.snap.Now) + time.Duration(msg)*page)
	case oldestMsg:
		cmd := m.cur.scrub(m.cur.live.Oldest)
		m.setStatus(fmt.Sprintf("the oldest moment kept: t=%s (end: back to live)", clock(m.cur.at)), nil)
		return cmd
	case liveMsg:
		m.scr.log.follow()
		return m.cur.goLive()
	case decisionMsg:
		return m.cur.stepDecision(int(msg))
	case pollMsg:
		return m.lecture.poll(string(msg))
	case revealMsg:
		return m.lecture.reveal()
	case jumpMsg:
		m.cur.wrapped = msg.wrapped
		return m.cur.seekDecision(msg.dec)
	}
	return nil
}

// ask gives msg to component c and carries out what it asks for.
func (m *Model) ask(c component, msg tea.Msg) tea.Cmd {
	cmd, req := c.Update(msg, m.Frame())
	if req == nil {
		return cmd
	}
	return tea.Batch(cmd, m.request(req))
}

// handleKey gives a key to what has it: ctrl+c quits from anywhere; an
// open prompt, list, inspector or help takes its keys; in the past, space
// replays and . steps by decision; then the keys that act on the cluster,
// the root's own, and the components' (nodes, timeline, log).
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	s := m.scr
	switch {
	case msg.String() == "ctrl+c":
		return tea.Quit
	case s.prompt.isOpen():
		return m.ask(s.prompt, msg)
	case s.picker.open:
		return m.ask(s.picker, msg)
	case m.watching && m.class != nil && key.Matches(msg, m.keys.root.Follow):
		return m.lecture.follow()
	}
	if n, ok := m.lecture.answerKey(msg); ok {
		return m.lecture.classCmd(fmt.Sprintf("your answer: %d", n), func(c Class) error { return c.Answer(n) })
	}
	switch {
	case s.inspector.open:
		return m.ask(s.inspector, msg)
	case s.help.handles(msg):
		return m.ask(s.help, msg)
	case m.cur.past && key.Matches(msg, m.keys.root.Pause):
		m.cur.playing = !m.cur.playing
		if m.cur.playing {
			// A replay of one's own: the cursor moves away from the
			// teacher's by itself.
			m.lecture.onOwn()
			m.setStatus(fmt.Sprintf("replaying the recorded past at %s; at the live edge the cluster goes on live", formatSpeed(m.speed)), nil)
		} else {
			m.setStatus("replay paused", nil)
		}
		return nil
	case m.cur.past && key.Matches(msg, m.keys.root.Step):
		return m.cur.stepDecision(1)
	}
	if cmd, ok, err := keyCommand(m.commands, msg, m.Frame()); ok {
		if err != nil {
			m.setStatus(err.Error(), nil)
			return nil
		}
		return m.cmds.applyAll("", cmd)
	}
	for _, vk := range m.views {
		if key.Matches(msg, vk.binding) {
			return vk.do(m, m.Frame())
		}
	}
	for _, r := range m.routes {
		if key.Matches(msg, r.keys...) {
			s.log.alsoInB(r.c, s.b.log, msg, m.Frame())
			return m.ask(r.c, msg)
		}
	}
	return nil
}

// keyCommand returns the cluster command a key runs in frame f, if it runs
// one.
func keyCommand(commands []commandKey, msg tea.KeyPressMsg, f *Frame) (cluster.Command, bool, error) {
	for _, ck := range commands {
		if key.Matches(msg, ck.binding) {
			cmd, err := ck.command(f)
			return cmd, true, err
		}
	}
	return cluster.Command{}, false, nil
}

// drain takes the events that arrived since the last frame into the
// history, and the cluster's latest state; it reports whether any arrived.
func (m *Model) drain() bool {
	var dropped int
	m.evbuf, dropped = m.live.Drain(m.evbuf[:0])
	m.uiDropped += dropped
	forkedAt := time.Duration(-1)
	for i := range m.evbuf {
		e := &m.evbuf[i]
		if e.Kind == cluster.KindFork {
			// History was rewritten from e.At on (by this view or, over
			// SSH, by the teacher's): forget the discarded future first.
			m.truncateAfter(e.At)
			forkedAt = e.At
		}
		m.checks.observe(e)
		historyOf(e, m.hist, m.histB).ingest(e)
	}
	m.lastMade = keepLastDecision(m.lastMade, m.evbuf)
	clear(m.evbuf) // do not keep the events' slices alive until next frame
	m.cur.live = m.live.Snapshot()
	m.hist.updateCutOff(&m.cur.live)
	if c := m.cur.live.Compared; c != nil && m.histB != nil {
		m.histB.updateCutOff(&c.B)
	}
	if !m.cur.past {
		m.snap = m.cur.live
		// Pause and speed follow the cluster: another viewer (a teacher
		// over SSH) may change them, and an action refused changes nothing.
		m.paused, m.speed = m.snap.Paused, m.snap.Speed
	}
	if forkedAt >= 0 && m.cur.past {
		// Someone else forked while this view looked back: what it showed
		// after the fork point no longer happened.
		m.pendingCmd = m.cur.seek(min(m.cur.at, forkedAt))
		m.setStatus(fmt.Sprintf("history was forked at t=%s: what came after it is gone", clock(forkedAt)), nil)
	}
	return len(m.evbuf) > 0 || dropped > 0
}

// keepLastDecision returns the events of the newest decision (world A's)
// in the batch just drained, kept in kept's array: a copy of a few events,
// however large the batch. A batch of world B's alone keeps kept as it is.
func keepLastDecision(kept, batch []cluster.Event) []cluster.Event {
	n := len(batch)
	for n > 0 && batch[n-1].World == cluster.WorldB {
		n--
	}
	if n == 0 {
		return kept
	}
	last, i := batch[n-1].Decision, n-1
	for i > 0 && (batch[i-1].Decision == last || batch[i-1].World == cluster.WorldB) {
		i--
	}
	kept = kept[:0]
	for _, e := range batch[i:n] {
		if e.World != cluster.WorldB && e.Decision == last {
			kept = append(kept, e)
		}
	}
	return kept
}

func (m *Model) setStatus(s string, err error) {
	m.status, m.statusErr = s, err != nil
	if err != nil {
		m.status = fmt.Sprintf("%s: %v", s, err)
	}
}

func (m *Model) selectNode(id int) {
	if id < 1 || id > len(m.snap.Nodes) {
		m.setStatus(fmt.Sprintf("no node %d (nodes are 1..%d)", id, len(m.snap.Nodes)), nil)
		return
	}
	m.selected = id
}

// Frame is the frame the components draw from now: with Draw, a picture of
// the view without a terminal (a recording, an export).
func (m *Model) Frame() *Frame {
	f := &Frame{
		snap: &m.snap, live: &m.cur.live, hist: m.hist, cur: &m.cur, selected: m.selected,
		paused: m.paused, speed: m.speed, script: m.script, checks: &m.checks,
		title: m.title, explain: m.explain, status: m.status, statusErr: m.statusErr,
		uiDropped: m.uiDropped, styles: &m.styles, keys: m.keys, divSel: m.divSel,
		watching: m.watching, following: m.following,
	}
	if m.class != nil {
		f.class = &m.classState
	}
	if m.histB != nil && m.snap.Compared != nil && m.cur.live.Compared != nil {
		f.world, f.compared = cluster.WorldA, m.cur.live.Compared
		f.b = f.worldB(m.histB)
	}
	return f
}

// render draws the screen as it is now.
func (m *Model) render() string { return m.scr.draw(m.Frame(), m.width, m.height) }

// View draws the screen when something changed since it last did, in time
// that grows with the screen and with the events that arrived, not with
// the length of the history.
func (m *Model) View() tea.View {
	if m.dirty || m.drawn == "" {
		m.drawn, m.dirty = m.render(), false
	}
	v := tea.NewView(m.drawn)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "raftty"
	return v
}

func formatSpeed(s float64) string {
	if s >= 1 {
		return fmt.Sprintf("%gx", s)
	}
	return fmt.Sprintf("%.3gx", s)
}

// filterStatus is what the status line says when the log's filter
// becomes text.
func filterStatus(text string) string {
	if text == "" {
		return "log filter cleared"
	}
	return "log filtered by " + text + " (esc clears it)"
}
