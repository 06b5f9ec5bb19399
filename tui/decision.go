package tui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"raftty/cluster"
)

// A decision is one input handled by one node (a message delivered, a
// timer fired, a command applied) with everything it caused; every event
// carries its decision's number (cluster.Event.Decision). The time cursor
// can stop right after any decision, before the next, even when many share
// one instant: . and , step through them, enter and n/N jump to a log
// line's.

// stepDecision moves the cursor to the next (dir > 0) or previous decision,
// from the one shown.
func (c *timeCursor) stepDecision(dir int) tea.Cmd {
	m := c.view
	c.playing, c.wrapped = false, false
	switch {
	case c.want > 0:
		return c.seekDecision(c.want + dir)
	case !c.past:
		return c.seekDecision(c.live.Decision + dir)
	case c.dec != wholeInstant:
		return c.seekDecision(c.dec + dir)
	}
	// A move in time whose moment is still being rebuilt: which decision
	// it shows is asked first.
	at, live := c.at, m.live
	c.want = -1
	return func() tea.Msg {
		s, err := live.SnapshotAt(at)
		return decisionFromMsg{at: at, from: s.Decision, dir: dir, err: err}
	}
}

// decisionFromMsg says which decision the moment at shows, for a step of
// dir from it.
type decisionFromMsg struct {
	at        time.Duration
	from, dir int
	err       error
}

// seekDecision moves the cursor to decision d, into the past (pausing the
// cluster, as seek does), or back to live after the newest. The moment is
// rebuilt off Update; decided shows it if the cursor still wants it.
func (c *timeCursor) seekDecision(d int) tea.Cmd {
	m := c.view
	c.playing = false
	switch {
	case d > c.live.Decision && c.past:
		return c.pastTheNewest()
	case d > c.live.Decision:
		m.setStatus("this is the newest decision: . steps a paused cluster, , goes back", nil)
		return nil
	case d < 1:
		m.setStatus("no earlier decision: this is the first", nil)
		return nil
	}
	cmd := c.enterPast()
	c.want = d
	live := m.live
	return tea.Batch(cmd, func() tea.Msg {
		s, made, err := live.SnapshotAtDecision(d)
		return decidedMsg{dec: d, snap: s, made: made, err: err}
	})
}

// pastTheNewest is a step forward from the newest decision: back to live,
// and a step of the cluster too if it stays paused, so that . walks from
// the past into the present without a stop.
func (c *timeCursor) pastTheNewest() tea.Cmd {
	m := c.view
	resume := c.resume
	back := c.goLive()
	if resume {
		return back
	}
	return tea.Batch(back, m.cmds.applyAll("", cluster.Command{Action: cluster.ActStep}))
}

// decidedMsg is a decision of the past, rebuilt: the state right after it
// and the events it made.
type decidedMsg struct {
	dec  int
	snap cluster.Snapshot
	made []cluster.Event
	err  error
}

// decided shows a rebuilt decision, unless the cursor has moved on since,
// and names it on the status line.
func (c *timeCursor) decided(msg decidedMsg) {
	m := c.view
	switch {
	case !c.past || msg.dec != c.want:
		// stale: the cursor moved on
	case errors.Is(msg.err, cluster.ErrNoHistory):
		c.want, c.wrapped = 0, false
		m.setStatus("no earlier decision is kept (home: the oldest moment)", nil)
	case msg.err != nil:
		c.want, c.wrapped = 0, false
		m.setStatus(fmt.Sprintf("decision %d", msg.dec), msg.err)
	default:
		m.snap = msg.snap
		c.at, c.dec, c.want, c.stepped = msg.snap.Now, msg.dec, 0, true
		m.lecture.placeTimeline()
		what := describeDecision(msg.made)
		if c.wrapped {
			what = "search went on from the other end: " + what
			c.wrapped = false
		}
		m.setStatus(what, nil)
	}
}

// fromDecision carries on a step asked for before its starting moment was
// known.
func (c *timeCursor) fromDecision(msg decisionFromMsg) tea.Cmd {
	m := c.view
	switch {
	case !c.past || c.want != -1 || msg.at != c.at:
		return nil
	case msg.err != nil:
		c.want = 0
		m.setStatus("t="+clock(msg.at), msg.err)
		return nil
	}
	c.want = 0
	return c.seekDecision(msg.from + msg.dir)
}

// describeDecision says what a decision did, in the log's words: its first
// event in full, with the reason (a delivery only when nothing came of it
// but messages); the rest of what the same node did in short; the messages
// it sent, by type.
func describeDecision(made []cluster.Event) string {
	if len(made) == 0 {
		return "a decision of the past (its events are no longer kept)"
	}
	main := -1
	for i := range made {
		if k := made[i].Kind; k != cluster.KindSend && k != cluster.KindDeliver {
			main = i
			break
		}
	}
	if main < 0 {
		main = 0
	}
	e := &made[main]
	parts := []string{clock(e.At) + " " + e.String()}
	var sent []sends
	for i := range made {
		x := &made[i]
		switch {
		case i == main:
		case x.Kind == cluster.KindSend:
			sent = addSend(sent, x)
		case x.Kind == cluster.KindDeliver && i < main:
			// the input: the main event says what came of it
		case x.Kind == cluster.KindState || x.Kind == cluster.KindVote || x.Kind == cluster.KindTimeout:
			short := *x
			short.Reason = ""
			parts = append(parts, short.String())
		default:
			parts = append(parts, x.String())
		}
	}
	for _, s := range sent {
		parts = append(parts, s.String())
	}
	return strings.Join(parts, " · ")
}

// sends are the messages of one type and term a node sent in one decision.
type sends struct {
	from int
	typ  string
	term uint64
	to   []int
}

func addSend(sent []sends, e *cluster.Event) []sends {
	typ := e.Type.String()
	for i := range sent {
		if s := &sent[i]; s.from == e.From && s.typ == typ && s.term == e.Term {
			s.to = append(s.to, e.To)
			return sent
		}
	}
	return append(sent, sends{from: e.From, typ: typ, term: e.Term, to: []int{e.To}})
}

func (s sends) String() string {
	to := make([]string, len(s.to))
	for i, id := range s.to {
		to[i] = fmt.Sprintf("n%d", id)
	}
	return fmt.Sprintf("n%d sends %s t%d to %s", s.from, s.typ, s.term, strings.Join(to, ","))
}

// clock is a moment as the view writes it: secs and a unit.
func clock(t time.Duration) string { return secs(t) + "s" }

// secs is a moment in seconds to the millisecond, cut rather than rounded,
// as the timeline's columns cut time: what happened at 0.5096s is in the
// column of 0.500-0.510s, and so is a time cursor put there by a click.
// Rounded, both read 0.510.
func secs(t time.Duration) string {
	ms := t / time.Millisecond
	return fmt.Sprintf("%d.%03d", ms/1000, ms%1000)
}
