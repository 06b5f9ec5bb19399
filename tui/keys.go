package tui

import "charm.land/bubbles/v2/key"

// keyMap is every key the main screen answers to. It implements
// help.KeyMap, so the help bar and the full help are drawn from it.
type keyMap struct {
	Select, Next, Prev, SelectLeader key.Binding

	Disconnect, Reconnect, Kill, Restart, Timeout, Heal, Partition key.Binding

	Pause, Step, Faster, Slower, ZoomIn, ZoomOut key.Binding

	PreVote, CheckQuorum, Edit, Scenario, Command, Write key.Binding

	Heartbeats, LogUp, LogDown, LogEnd key.Binding

	TimeBack, TimeForward, PageBack, PageForward, Oldest, Live, PrevDecision key.Binding

	Map, Timeline, Inspect, Filter, Close, SlowVotes key.Binding

	Help, Quit key.Binding
}

func defaultKeyMap() keyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return keyMap{
		Select:       b("1-9", "select", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
		Next:         b("tab", "next node", "tab"),
		Prev:         b("shift+tab", "previous node", "shift+tab"),
		SelectLeader: b("L", "select leader", "L"),
		Disconnect:   b("d", "disconnect", "d"),
		Reconnect:    b("c", "reconnect", "c"),
		Kill:         b("k", "kill", "k"),
		Restart:      b("r", "restart", "r"),
		Timeout:      b("t", "force timeout", "t"),
		Heal:         b("h", "heal all", "h"),
		Partition:    b("p", "partition", "p"),
		Pause:        b("space", "pause", "space"),
		Step:         b(".", "next decision (paused: step)", "."),
		Faster:       b("+", "speed x2", "+", "="),
		Slower:       b("-", "speed /2", "-", "_"),
		ZoomIn:       b("[", "zoom in", "["),
		ZoomOut:      b("]", "zoom out", "]"),
		PreVote:      b("P", "toggle PreVote", "P"),
		CheckQuorum:  b("Q", "toggle CheckQuorum", "Q"),
		Edit:         b("e", "edit timing", "e"),
		Scenario:     b("s", "scenarios", "s"),
		Command:      b(":", "command", ":"),
		Write:        b("w", "save", "w"),
		Heartbeats:   b("f", "show heartbeats", "f"),
		LogUp:        b("↑/pgup", "select older log line", "up", "pgup"),
		LogDown:      b("↓/pgdn", "select newer log line", "down", "pgdown"),
		LogEnd:       b("G", "log: follow newest", "G"),
		TimeBack:     b("←", "back in time", "left"),
		TimeForward:  b("→", "forward in time", "right"),
		PageBack:     b("shift+←", "a screen back", "shift+left"),
		PageForward:  b("shift+→", "a screen forward", "shift+right"),
		Oldest:       b("home", "oldest kept moment", "home"),
		Live:         b("end", "back to live", "end"),
		PrevDecision: b(",", "previous decision", ","),
		Map:          b("m", "map on/off", "m"),
		SlowVotes:    b("v", "slow motion for votes", "v"),
		Timeline:     b("T", "timeline on/off", "T"),
		Inspect:      b("enter", "inspect node/line", "enter"),
		Filter:       b("/", "filter log", "/"),
		Close:        b("esc", "unselect line, clear filter", "esc"),
		Help:         b("?", "more", "?"),
		Quit:         b("q", "quit", "q", "ctrl+c"),
	}
}

// ShortHelp is the help bar: the keys a first-time user needs, ? among
// those that fit in 80 columns.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Select, k.Kill, k.Disconnect, k.Pause, k.TimeBack, k.Live, k.Command, k.Write, k.Inspect, k.Map, k.Help, k.Quit}
}

// FullHelp is every key, in five columns.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Select, k.Next, k.Prev, k.SelectLeader, k.Heal, k.Partition, k.PreVote, k.CheckQuorum},
		{k.Disconnect, k.Reconnect, k.Kill, k.Restart, k.Timeout, k.Edit, k.Scenario, k.Command, k.Write},
		{k.Pause, k.Step, k.PrevDecision, k.TimeBack, k.TimeForward, k.PageBack, k.PageForward, k.Oldest, k.Live},
		{k.Faster, k.Slower, k.SlowVotes, k.ZoomIn, k.ZoomOut, k.Heartbeats, k.Help, k.Quit},
		{k.Map, k.Timeline, k.Inspect, k.LogUp, k.LogDown, k.LogEnd, k.Filter, k.Close},
	}
}
