package tui

import (
	"errors"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// binding is a key binding with its help.
func binding(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// rootKeys are the keys the root model answers itself: the cluster as a
// whole, the clock, the prompts and lists it opens, saving, help and quit.
type rootKeys struct {
	Heal, Partition, PreVote, CheckQuorum, Edit, Scenario, Command, Write key.Binding
	Lesson                                                                key.Binding
	Pause, Step, Faster, Slower, SlowVotes                                key.Binding
	Help, Quit                                                            key.Binding
	// With two worlds: the cursor to where they first part, and to the
	// next and previous moment they part again.
	FirstDivergence, NextDivergence, PrevDivergence key.Binding
	// In a lecture, a watcher's f follows the teacher again.
	Follow key.Binding
}

func newRootKeys() rootKeys {
	return rootKeys{
		Heal:        binding("h", "heal all", "h"),
		Partition:   binding("p", "partition", "p"),
		PreVote:     binding("P", "toggle PreVote", "P"),
		CheckQuorum: binding("Q", "toggle CheckQuorum", "Q"),
		Edit:        binding("e", "edit timing", "e"),
		Scenario:    binding("s", "scenarios", "s"),
		Command:     binding(":", "command", ":"),
		Write:       binding("w", "save", "w"),
		Lesson:      binding("i", "the lesson in full", "i"),
		Pause:       binding("space", "pause", "space"),
		Step:        binding(".", "next decision (paused: step)", "."),
		Faster:      binding("+", "speed x2", "+", "="),
		Slower:      binding("-", "speed /2", "-", "_"),
		SlowVotes:   binding("v", "slow motion on/off", "v"),
		Help:        binding("?", "more", "?"),
		Quit:        binding("q", "quit", "q", "ctrl+c"),

		Follow: binding("f", "follow the teacher", "f"),

		FirstDivergence: binding("D", "where worlds part", "D"),
		NextDivergence:  binding(">", "next parting", ">"),
		PrevDivergence:  binding("<", "previous parting", "<"),
	}
}

// enableDivergences turns the keys of two worlds on or off: with one
// world they do nothing, and the help does not list them.
func (k *rootKeys) enableDivergences(on bool) {
	k.FirstDivergence.SetEnabled(on)
	k.NextDivergence.SetEnabled(on)
	k.PrevDivergence.SetEnabled(on)
}

// keyMap is every key of the main screen, each component's own and the
// root's, built once. It implements help.KeyMap, so the help bar and the
// full help are drawn from it.
type keyMap struct {
	root     rootKeys
	nodes    nodeKeys
	timeline timelineKeys
	log      logKeys
	layout   layoutKeys
	prompt   promptKeys
	// watching: the keys are a watcher's, who may look but never change
	// the cluster (watcher has the help their keys say); class: in a
	// lecture, where f follows the teacher.
	watching, class bool
	watcher         watcherKeys
}

// watcherKeys are keys that do something else for a watcher, as the help
// says them: in the past, space replays and . steps; with a poll open,
// a digit answers it.
type watcherKeys struct {
	Replay, Step, Answer key.Binding
}

// forRole makes the keys a watcher's (watching), in a lecture or not
// (class): in a lecture f follows the teacher, and the log's heartbeats
// move to H (log is the event log's own keys, before the root copies
// them).
func (k *keyMap) forRole(watching, class bool, log *logKeys) {
	k.watching, k.class = watching, class
	k.root.Follow.SetEnabled(watching && class)
	if class {
		// f is a watcher's follow: in a class, teacher and watchers alike
		// show heartbeats with H, so that a teacher says one key to all.
		log.Heartbeats = binding("H", "show heartbeats", "H")
	}
	k.watcher = watcherKeys{
		Replay: binding("space", "replay the past", "space"),
		Step:   binding(".", "next decision (in the past)", "."),
		Answer: binding("1-9", "answer the poll (while one is open)", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
	}
}

// ShortHelp is the help bar: the keys a first-time user needs, ? among
// those that fit in 80 columns; a watcher's are those that look.
func (k *keyMap) ShortHelp() []key.Binding {
	if k.watching {
		return []key.Binding{k.root.Follow, k.timeline.TimeBack, k.timeline.Live, k.root.Help, k.root.Quit,
			k.root.FirstDivergence, k.log.Inspect, k.layout.Map, k.root.Lesson}
	}
	return []key.Binding{k.nodes.Select, k.nodes.Kill, k.nodes.Disconnect, k.root.Pause, k.root.FirstDivergence,
		k.timeline.TimeBack, k.timeline.Live, k.root.Command, k.root.Write, k.log.Inspect, k.layout.Map, k.root.Help, k.root.Quit}
}

// FullHelp is every key, in columns; the last is the keys of the prompts
// (p, e, /, : and "overwrite?"). A watcher's lists only what a watcher
// may do.
func (k *keyMap) FullHelp() [][]key.Binding {
	r, n, t, l := &k.root, &k.nodes, &k.timeline, &k.log
	if k.watching {
		w := &k.watcher
		groups := [][]key.Binding{
			{r.Follow, n.Select, n.Next, n.Prev, n.SelectLeader, t.ZoomIn, t.ZoomOut, l.Heartbeats},
			{w.Step, t.PrevDecision, t.TimeBack, t.TimeForward, t.PageBack, t.PageForward, t.Oldest, t.Live, w.Replay},
			{k.layout.Map, k.layout.Timeline, r.Lesson, l.Inspect, l.LogUp, l.LogDown, l.LogEnd, l.Filter, l.NextMatch, l.PrevMatch, l.Close,
				r.FirstDivergence, r.NextDivergence, r.PrevDivergence},
			{r.Help, r.Quit},
		}
		if k.class {
			groups[3] = append([]key.Binding{w.Answer}, groups[3]...)
		}
		return groups
	}
	return [][]key.Binding{
		{n.Select, n.Next, n.Prev, n.SelectLeader, r.Heal, r.Partition, r.PreVote, r.CheckQuorum},
		{n.Disconnect, n.Reconnect, n.Kill, n.Restart, n.Timeout, n.Put, r.Edit, r.Scenario, r.Command, r.Write},
		{r.Pause, r.Step, t.PrevDecision, t.TimeBack, t.TimeForward, t.PageBack, t.PageForward, t.Oldest, t.Live},
		{r.Faster, r.Slower, r.SlowVotes, t.ZoomIn, t.ZoomOut, l.Heartbeats, r.Help, r.Quit},
		{k.layout.Map, k.layout.Timeline, r.Lesson, l.Inspect, l.LogUp, l.LogDown, l.LogEnd, l.Filter, l.NextMatch, l.PrevMatch, l.Close,
			r.FirstDivergence, r.NextDivergence, r.PrevDivergence},
		k.prompt.FullHelp()[0],
	}
}

// commandKey ties a key to the cluster command it runs, made from the
// frame: the selected node, the current settings, pause and speed.
type commandKey struct {
	binding key.Binding
	command func(f *Frame) (cluster.Command, error)
}

// commandKeys are the keys that act on the cluster, each with the command
// it runs; the status line shows that command as the : line would take it.
func commandKeys(k *keyMap) []commandKey {
	n, r := &k.nodes, &k.root
	return []commandKey{
		{n.Disconnect, onSelected(cluster.ActDisconnect)},
		{n.Reconnect, onSelected(cluster.ActReconnect)},
		{n.Kill, onSelected(cluster.ActKill)},
		{n.Restart, onSelected(cluster.ActRestart)},
		{n.Timeout, onSelected(cluster.ActTimeout)},
		{n.Put, onSelected(cluster.ActPut)},
		{r.Heal, always(cluster.Command{Action: cluster.ActHeal})},
		{r.PreVote, toggle(cluster.ParamPreVote, func(c cluster.Config) bool { return c.PreVote })},
		{r.CheckQuorum, toggle(cluster.ParamCheckQuorum, func(c cluster.Config) bool { return c.CheckQuorum })},
		{r.Pause, pauseOrResume},
		{r.Step, step},
		{r.SlowVotes, func(f *Frame) (cluster.Command, error) {
			return cluster.Command{Action: cluster.ActSlowVotes, On: !f.live.SlowVotes}, nil
		}},
		{r.Faster, speedBy(2)},
		{r.Slower, speedBy(0.5)},
	}
}

func onSelected(a cluster.Action) func(f *Frame) (cluster.Command, error) {
	return func(f *Frame) (cluster.Command, error) {
		return cluster.Command{Action: a, Nodes: []int{f.selected}}, nil
	}
}

func always(cmd cluster.Command) func(f *Frame) (cluster.Command, error) {
	return func(*Frame) (cluster.Command, error) { return cmd, nil }
}

func toggle(p cluster.Param, on func(cluster.Config) bool) func(f *Frame) (cluster.Command, error) {
	return func(f *Frame) (cluster.Command, error) {
		return cluster.Command{Action: cluster.ActSet, Param: p, On: !on(f.snap.Config)}, nil
	}
}

func speedBy(x float64) func(f *Frame) (cluster.Command, error) {
	return func(f *Frame) (cluster.Command, error) {
		s := min(max(f.speed*x, cluster.MinSpeed), cluster.MaxSpeed)
		return cluster.Command{Action: cluster.ActSpeed, Speed: s}, nil
	}
}

func pauseOrResume(f *Frame) (cluster.Command, error) {
	if f.paused {
		return cluster.Command{Action: cluster.ActResume}, nil
	}
	return cluster.Command{Action: cluster.ActPause}, nil
}

func step(f *Frame) (cluster.Command, error) {
	switch {
	case f.watching:
		// A watcher's space would pause nothing: its steps are the past's.
		return cluster.Command{}, errors.New("step works in the past: ← goes back, then . steps")
	case !f.paused:
		return cluster.Command{}, errors.New("step works while paused: press space first")
	}
	return cluster.Command{Action: cluster.ActStep}, nil
}

// viewKey ties a key to what the root does for it beyond the cluster: a
// prompt, a list or the help opens, the layout changes, a save.
type viewKey struct {
	binding key.Binding
	do      func(m *Model, f *Frame) tea.Cmd
}

// watcherCommandLine is what a watcher's : says.
const watcherCommandLine = "watching: the : line is the teacher's (? lists your keys)"

// viewKeys are the root's keys that change the view alone.
func viewKeys(k *keyMap) []viewKey {
	r, l := &k.root, &k.log
	return []viewKey{
		{r.Quit, func(*Model, *Frame) tea.Cmd { return tea.Quit }},
		{r.Partition, func(m *Model, _ *Frame) tea.Cmd { return m.scr.prompt.openPartition() }},
		{r.Edit, func(m *Model, f *Frame) tea.Cmd { return m.scr.prompt.openEdit(f.snap.Config) }},
		{r.Command, func(m *Model, _ *Frame) tea.Cmd {
			if m.watching {
				// Every command of the line changes the cluster or writes
				// on the server: a watcher's line would offer nothing.
				m.setStatus(watcherCommandLine, nil)
				return nil
			}
			return m.scr.prompt.openCommand()
		}},
		{l.Filter, func(m *Model, _ *Frame) tea.Cmd { return m.scr.prompt.openFilter(m.scr.log.filter.text) }},
		{r.Write, func(m *Model, _ *Frame) tea.Cmd { return m.out.save("", false) }},
		{l.Inspect, func(m *Model, f *Frame) tea.Cmd { return m.request(m.scr.inspect(f)) }},
		{r.Lesson, func(m *Model, _ *Frame) tea.Cmd { m.scr.inspector.showLesson(); return nil }},
		{r.FirstDivergence, func(m *Model, f *Frame) tea.Cmd { return m.cur.toDivergence(f, 0) }},
		{r.NextDivergence, func(m *Model, f *Frame) tea.Cmd { return m.cur.toDivergence(f, 1) }},
		{r.PrevDivergence, func(m *Model, f *Frame) tea.Cmd { return m.cur.toDivergence(f, -1) }},
		{k.layout.Map, func(m *Model, f *Frame) tea.Cmd {
			if f.b != nil {
				m.scr.splitMap = !m.scr.splitMap
				m.setStatus(onOffText("each world's map", m.scr.splitMap, "gives way to its log (m: the map)"), nil)
				if !m.scr.drew(m.scr.log) && !m.scr.drew(m.scr.cmap) {
					// The stacked worlds took every row: nothing changes on screen.
					m.setStatus(onOffText("each world's map", m.scr.splitMap, "gives way to its log")+
						": no rows left for either below the timelines at this size", nil)
				}
			} else {
				m.scr.showMap = !m.scr.showMap
				m.setStatus(onOffText("map", m.scr.showMap, "hidden (m shows it)"), nil)
			}
			// Slow motion covers every message while a map shows them.
			on := f.live.SlowVotes && m.scr.mapShown(f)
			m.cur.live.SlowMessages = on
			return pace(m.live, cluster.Command{Action: cluster.ActSlowMessages, On: on})
		}},
		{k.layout.Timeline, func(m *Model, f *Frame) tea.Cmd {
			if f.b != nil {
				m.setStatus("two worlds always show both timelines: they are what the worlds are compared on", nil)
				return nil
			}
			m.scr.showTimeline = !m.scr.showTimeline
			m.setStatus(onOffText("timeline", m.scr.showTimeline, "hidden (T shows it)"), nil)
			return nil
		}},
		{r.Scenario, func(m *Model, _ *Frame) tea.Cmd {
			if m.restart == nil {
				m.setStatus("no scenarios here", nil)
				return nil
			}
			items := m.scenarios
			if items == nil {
				items = scenario.Builtins()
			}
			m.scr.picker.show(items)
			return nil
		}},
		{r.Help, func(m *Model, _ *Frame) tea.Cmd { m.scr.help.toggle(); return nil }},
	}
}

// onOffText says a panel is shown, or hidden as off says.
func onOffText(what string, on bool, off string) string {
	if on {
		return what + " shown"
	}
	return what + " " + off
}
