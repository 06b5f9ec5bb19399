package tui

import (
	"math"
	"time"

	tea "charm.land/bubbletea/v2"

	"raftty/cluster"
)

// timeCursor is the moment the view shows: the present, or a moment of the
// past, and the timeline's scale. In the past every panel shows that
// moment: the snapshot is rebuilt by the cluster's History
// (Cluster.SnapshotAt), the timeline and the log are drawn from the UI's
// own history up to the cursor.
//
// It moves itself (seek, scrub, play, step by decision) with commands that
// rebuild the moment off Update, and shows what they rebuilt; the cluster,
// the snapshot shown and the status line it sets are its view's.
type timeCursor struct {
	view *Model
	past bool
	at   time.Duration
	// end is the timeline's right edge while in the past: it moves only
	// when the cursor would leave the screen, so the picture holds still.
	end time.Duration
	// playing: the cursor moves forward at the cluster's speed (space in
	// the past), and joins the live cluster at the live edge.
	playing bool
	// resume: the cluster was running when the view went back, so going
	// back to live starts it again.
	resume bool
	// live is the live cluster's latest snapshot.
	live cluster.Snapshot
	// dec is the decision shown (cluster.Event.Decision): the state right
	// after it and before the next, which may share its instant. A move
	// in time shows everything at its moment (wholeInstant) until the
	// rebuilt moment says which decision that was. want is the decision
	// a step or a jump asked for and waits for (0: none).
	dec, want int
	// wrapped: the search that asked for want went on from the other
	// end of the log (n past the last match), which the status says.
	wrapped bool
	// stepped: the cursor was put at decision dec (a step, a jump), not
	// at a moment: a view that follows it goes to the decision.
	stepped bool
	// zoom indexes zoomLevels: the timeline's time per column, which is
	// also how far ← and → move the cursor.
	zoom int
}

// toLive makes the cursor show the present, its zoom kept.
func (c *timeCursor) toLive() { *c = timeCursor{view: c.view, live: c.live, zoom: c.zoom} }

// step is the timeline's time per column.
func (c *timeCursor) step() time.Duration { return zoomLevels[c.zoom] }

// timelineEnd is the right edge of a timeline whose newest column holds t.
func (c *timeCursor) timelineEnd(t time.Duration) time.Duration {
	zoom := c.step()
	return (t/zoom + 1) * zoom
}

// keepOnScreen scrolls the past timeline (cols columns wide) so that the
// cursor's column is on it, a quarter of a screen from the edge it crossed.
func (c *timeCursor) keepOnScreen(cols int) {
	zoom := c.step()
	n := time.Duration(max(cols, 10))
	start := c.end - n*zoom
	switch {
	case c.at < start:
		c.end = c.timelineEnd(c.at + n*zoom*3/4)
	case c.at >= c.end:
		c.end = c.timelineEnd(c.at + n*zoom/4)
	}
	c.end = min(c.end, c.timelineEnd(c.live.Now))
}

// setZoom changes the timeline's time per column, keeping the cursor on a
// timeline cols wide when it is in the past.
func (c *timeCursor) setZoom(z, cols int) {
	c.zoom = min(max(z, 0), len(zoomLevels)-1)
	if c.past {
		c.end = c.timelineEnd(c.at + time.Duration(max(cols, 4))*c.step()/4)
		c.end = min(c.end, c.timelineEnd(c.live.Now))
	}
}

// timelineGeom is where a timeline's columns were drawn, so that a mouse
// event can be turned into a moment.
type timelineGeom struct {
	x0, y0, cols, rows int
	start, zoom        time.Duration
}

// momentAt returns the time of the timeline column under x, and whether
// (x, y) is on the timeline.
func (g timelineGeom) momentAt(x, y int) (time.Duration, bool) {
	if g.cols <= 0 || y < g.y0 || y >= g.y0+g.rows || x < g.x0 || x >= g.x0+g.cols {
		return 0, false
	}
	return g.start + time.Duration(x-g.x0+1)*g.zoom - 1, true
}

// seek moves the cursor to t: into the past (pausing the cluster the first
// time, so that the moment stays put), or back to live at or after the
// present.
//
// The cursor moves at once; rebuilding the moment (a copy of a checkpoint
// replayed to t: a millisecond at 5 nodes, a dozen at 101) runs in a
// command, off Update, and its answer is shown if the cursor is still
// there (seekedMsg).
func (c *timeCursor) seek(t time.Duration) tea.Cmd {
	m := c.view
	if t >= c.live.Now {
		return c.goLive()
	}
	t = max(t, c.live.Oldest)
	cmd := c.enterPast()
	c.at, c.dec, c.want, c.stepped = t, wholeInstant, 0, false
	m.lecture.placeTimeline()
	live := m.live
	rebuild := func() tea.Msg {
		s, err := live.SnapshotAt(t)
		return seekedMsg{at: t, snap: s, err: err}
	}
	return tea.Batch(cmd, rebuild)
}

// wholeInstant is the cursor's decision after a move in time: every
// decision at its moment.
const wholeInstant = math.MaxInt

// enterPast takes the view into the past, if it is not there yet: the
// cluster pauses (the first time), so that the moment stays put.
func (c *timeCursor) enterPast() tea.Cmd {
	m := c.view
	if c.past {
		return nil
	}
	c.past = true
	// A watcher's look back pauses nothing (only the teacher changes the
	// cluster), so its way back resumes nothing.
	c.resume = !c.live.Paused && !m.watching
	c.end = c.timelineEnd(c.live.Now)
	m.paused = true
	m.setStatus("the past: ←/→ move, . and , step by decision, space replays, a command forks, end: back to live", nil)
	if c.resume {
		return pace(m.live, cluster.Command{Action: cluster.ActPause})
	}
	return nil
}

// seekedMsg is a moment of the past, rebuilt for the cursor.
type seekedMsg struct {
	at   time.Duration
	snap cluster.Snapshot
	err  error
}

// seeked shows a rebuilt moment, unless the cursor has moved on since.
func (c *timeCursor) seeked(msg seekedMsg) {
	m := c.view
	switch {
	case !c.past || msg.at != c.at:
		// stale: a later seek's answer will come
	case msg.err != nil:
		m.setStatus("t="+clock(msg.at), msg.err)
	default:
		m.snap = msg.snap
		if c.want == 0 {
			c.dec = msg.snap.Decision
		}
	}
}

// goLive returns the view to the present, and the cluster to running if it
// ran before the view went back.
func (c *timeCursor) goLive() tea.Cmd {
	m := c.view
	if !c.past {
		return nil
	}
	resume := c.resume
	c.toLive()
	m.snap = c.live
	m.paused = c.live.Paused // as the cluster last said: another (the teacher) may have paused it meanwhile
	m.scr.log.scroll = 0
	m.setStatus("live", nil)
	if resume {
		m.paused = false
		return pace(m.live, cluster.Command{Action: cluster.ActResume})
	}
	return nil
}

// pace sends a pacing command (pause, resume) whose failure only a
// watcher sees; it is not worth a status line.
func pace(live Cluster, cmd cluster.Command) tea.Cmd {
	return func() tea.Msg {
		_ = live.Apply(cmd)
		return nil
	}
}

// moment is the moment the panels show: the cursor's, or the present (now).
func (c *timeCursor) moment(now time.Duration) time.Duration {
	if c.past {
		return c.at
	}
	return now
}

// scrub is a move of the cursor by a person: it stops a replay.
func (c *timeCursor) scrub(t time.Duration) tea.Cmd {
	c.playing = false
	return c.seek(t)
}

// playFrame moves a playing cursor forward by one frame of wall time at the
// cluster's speed; at the live edge the view joins the live cluster.
func (c *timeCursor) playFrame() tea.Cmd {
	m := c.view
	if !c.past || !c.playing {
		return nil
	}
	speed := m.speed
	if slowed(&c.live, &m.snap, speed) {
		speed /= voteSlowdown // a replayed election is as slow as a live one
	}
	next := c.at + time.Duration(float64(frameInterval)*speed)
	if next >= c.live.Now {
		// Playing goes on into the present: the cluster runs, whether or
		// not it ran before the view went back.
		c.resume = true
	}
	return c.seek(next)
}

// slowed says whether slow motion (as the live cluster has it) holds the
// clock back at moment s, at speed (cluster.Live's slowing, for a replay).
func slowed(live, s *cluster.Snapshot, speed float64) bool {
	return (live.SlowVotes && s.VotesInFlight) || (live.SlowMessages && speed < 1 && len(s.Flights) > 0)
}

// handleMouse: a click on the timeline puts the cursor there, dragging
// scrubs, the wheel scrolls time back and forward; a click elsewhere
// selects what is under it (click).
func (c *timeCursor) handleMouse(msg tea.MouseMsg) tea.Cmd {
	m := c.view
	mouse := msg.Mouse()
	g := m.scr.dragOn
	switch msg.(type) {
	case tea.MouseClickMsg:
		if mouse.Button != tea.MouseLeft {
			return nil
		}
		if t, on, ok := m.scr.timelineMoment(mouse.X, mouse.Y); ok {
			m.dragging, m.scr.dragOn = true, on
			return c.scrub(t)
		}
		return m.request(m.scr.click(mouse.X, mouse.Y, m.Frame()))
	case tea.MouseMotionMsg:
		if !m.dragging {
			return nil
		}
		x := min(max(mouse.X, g.x0), g.x0+g.cols-1)
		t, _ := g.momentAt(x, g.y0)
		return c.scrub(t)
	case tea.MouseReleaseMsg:
		m.dragging = false
	case tea.MouseWheelMsg:
		switch mouse.Button {
		case tea.MouseWheelUp, tea.MouseWheelLeft:
			return c.scrub(c.moment(m.snap.Now) - 3*c.step())
		case tea.MouseWheelDown, tea.MouseWheelRight:
			return c.scrub(c.moment(m.snap.Now) + 3*c.step())
		}
	}
	return nil
}

// truncateAfter forgets everything the history holds after t: a fork
// replaces that future.
func (h *history) truncateAfter(t time.Duration) {
	for i := range h.nodes {
		n := &h.nodes[i]
		for l, ok := n.marks.last(); ok && l.at > t; l, ok = n.marks.last() {
			n.marks.dropLast()
		}
		for l, ok := n.bands.last(); ok && l.at > t; l, ok = n.bands.last() {
			n.bands.dropLast()
		}
	}
	for _, r := range []*ring[logLine]{&h.decisions, &h.traffic} {
		for r.n > 0 && r.ptr(r.n-1).at() > t {
			r.dropLast()
		}
	}
	for d, ok := h.drops.last(); ok && d.at > t; d, ok = h.drops.last() {
		h.drops.dropLast()
	}
	for n := len(h.explains); n > 0 && h.explains[n-1].at > t; n-- {
		h.explains = h.explains[:n-1]
	}
	if h.violation.at > t {
		h.violation = said{}
	}
	h.lastDrop = cluster.Event{}
}
