package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"raftty/cluster"
)

// hints follow a command in the status line where the next key is not
// obvious.
var hints = map[cluster.Action]string{
	cluster.ActPause: ". steps one decision, space resumes",
}

// commander gives the view's commands to its cluster: at once in the
// present, as a fork at the time cursor in the past, and makes the view
// follow a fork. What it changes (pause, speed, the cursor, the histories)
// is its view's.
type commander struct {
	view *Model
}

// applyAll gives the commands to the live cluster, in order, off the UI's
// goroutine; the status line then shows them as the : line takes them
// ("kill 3"), with note, or the first error. The screen follows pause,
// speed and the switches at once; the next frame confirms them. Given
// while the time cursor is in the past, a command that changes the cluster
// forks: the recorded future after the cursor is discarded, and the
// cluster goes on from the cursor with the commands applied.
func (k *commander) applyAll(note string, cmds ...cluster.Command) tea.Cmd {
	m := k.view
	if m.cur.past && !cmds[0].Action.Paces() {
		return k.fork(note, cmds)
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
			m.cur.live.SlowMessages = cmd.On && m.scr.mapShown(m.Frame())
		case cluster.ActSet:
			cluster.SetConfig(&m.snap.Config, cmd)
		}
		said = append(said, cmd.String())
	}
	what := strings.Join(said, "; ")
	if cmds[0].Action == cluster.ActSlowVotes {
		// v is slow motion as a whole: for every message while the map
		// shows them, for votes alone while it is hidden.
		shown := m.scr.mapShown(m.Frame())
		cmds = append(cmds, cluster.Command{Action: cluster.ActSlowMessages, On: cmds[0].On && shown})
		what = "slow motion " + cluster.OnOff(cmds[0].On) + slowMotionNote(cmds[0].On, shown)
	}
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
		if len(cmds) == 1 && cmds[0].Action == cluster.ActStep {
			return commandDoneMsg{what: "step", step: true}
		}
		return commandDoneMsg{what: what}
	}
}

// slowMotionNote says what slow motion covers, when on.
func slowMotionNote(on, mapShown bool) string {
	switch {
	case !on:
		return ""
	case mapShown:
		return fmt.Sprintf(": the clock runs %dx slower while messages fly (below 1x; votes always)", voteSlowdown)
	}
	return fmt.Sprintf(": the clock runs %dx slower while votes fly", voteSlowdown)
}

// fork carries out cmds at the time cursor, in the past (see applyAll).
func (k *commander) fork(note string, cmds []cluster.Command) tea.Cmd {
	m := k.view
	at, resume := m.cur.at, m.cur.resume
	var said []string
	for _, cmd := range cmds {
		said = append(said, cmd.String())
	}
	what := fmt.Sprintf("forked at t=%s: %s", clock(at), strings.Join(said, "; "))
	if m.cur.dec != wholeInstant && note == "" {
		// The cursor stood between two decisions of an instant: the
		// command lands after all of it, as a scenario's "at" line does.
		note = "after the rest of its instant, as a scenario's at " + clock(at) + " does"
	}
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
func (k *commander) forked(msg forkedMsg) tea.Cmd {
	m := k.view
	m.truncateAfter(msg.at)
	m.cur.toLive()
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
