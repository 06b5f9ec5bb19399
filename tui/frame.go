package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// Frame is what one render draws from, the same for every component and
// read-only to all of them: the cluster at the moment the view shows, the
// history the view keeps of it, the time cursor, the selection, the
// scenario's text and the styles. The root model builds one per render
// (Model.Frame); a component draws from whichever frame it is given,
// so that one can exist twice, over two clusters, and the whole screen can
// be drawn from a frame with no terminal (Draw).
type Frame struct {
	// snap is the cluster at the moment shown: the cursor's, or the
	// present; live is the live cluster's latest state.
	snap, live *cluster.Snapshot
	hist       *history
	// cur is the time cursor, and the timeline's scale.
	cur      *timeCursor
	selected int
	// paused and speed are the clock as the view last set or saw it.
	paused bool
	speed  float64
	// script is the scenario playing (nil: none) and checks what came of
	// its expectations.
	script *scenario.Script
	checks *checklist
	// title and explain are shown above the panels (explain until the
	// scenario says something else: explainShown); status below them.
	title, explain string
	status         string
	statusErr      bool
	// uiDropped counts the events the view had no room for.
	uiDropped int
	styles    *renders
	keys      *keyMap
	// world is the world of two this frame draws (0: the only one), and
	// compared the comparison as the live cluster last told it (nil: one
	// world): world B and every divergence found so far. b is world B's
	// frame, set on world A's: the same cursor, selection and clock, over
	// world B's snapshots and history.
	world    cluster.World
	compared *cluster.Compared
	b        *Frame
	// divSel is the divergence the view stepped to (an index into
	// compared.Divergences), or -1: the header names it, else the first.
	divSel int
}

// worldB is world B's frame beside f, world A's: f's with world B's
// snapshots and history.
func (f *Frame) worldB(hist *history) *Frame {
	b := *f
	b.snap, b.live, b.hist = &f.snap.Compared.B, &f.live.Compared.B, hist
	b.world, b.b = cluster.WorldB, nil
	return &b
}

// cursorMoment is the moment the panels show: the cursor's, or the present.
func (f *Frame) cursorMoment() time.Duration { return f.cur.moment(f.snap.Now) }

// shows reports whether what happened at time at, in decision dec, had
// happened by the moment shown: live, everything the view has; in the
// past, what came no later than the snapshot's decision, so that no panel
// shows the recorded future but where it says so.
func (f *Frame) shows(at time.Duration, dec int) bool {
	return !f.cur.past || at < f.snap.Now || (at == f.snap.Now && dec <= f.snap.Decision)
}

// showsLow is shows for the timeline's marks and role changes, which keep
// the low 32 bits of their decision: at one instant, decisions differ by
// far less than 2³¹.
func (f *Frame) showsLow(at time.Duration, dec uint32) bool {
	return !f.cur.past || at < f.snap.Now || (at == f.snap.Now && int32(dec-uint32(f.snap.Decision)) <= 0)
}

// decisionShown is the decision the panels show, or will once it is
// rebuilt: the one a step or a jump asked for, the cursor's, the live
// cluster's newest.
func (f *Frame) decisionShown() int {
	switch {
	case f.cur.want > 0:
		return f.cur.want
	case f.cur.past && f.cur.dec != wholeInstant:
		return f.cur.dec
	}
	return f.snap.Decision
}

// explainShown is what the scenario says to watch at the moment shown: its
// latest explanation by then, or the one it started with.
func (f *Frame) explainShown() string {
	text := f.explain
	for _, e := range f.hist.explains {
		if !f.shows(e.at, e.dec) {
			break
		}
		text = e.text
	}
	return text
}

// violationShown is the first violation, once the moment shown is past it.
func (f *Frame) violationShown() string {
	if v := f.hist.violation; v.text != "" && f.shows(v.at, v.dec) {
		return v.text
	}
	return ""
}

// liveNow is the live cluster's present.
func (f *Frame) liveNow() time.Duration { return f.live.Now }

// scenarioEnd is when the running scenario ends, or 0.
func (f *Frame) scenarioEnd() time.Duration {
	if f.script == nil {
		return 0
	}
	return f.script.For
}

// nodeName is "n3" in node 3's colour; "none" for 0.
func (f *Frame) nodeName(id int) string {
	if id == 0 {
		return "none"
	}
	return f.styles.node(id).apply(fmt.Sprintf("n%d", id))
}

// nodeLabel is "n3" padded to width, reversed when selected.
func (f *Frame) nodeLabel(id, width int) string {
	name := fmt.Sprintf("n%d", id)
	pad := strings.Repeat(" ", max(width-len(name), 0))
	if id == f.selected {
		return f.styles.selected.apply(name) + pad
	}
	return name + pad
}

// box draws lines in a titled border, exactly w wide and h tall.
func (r *renders) box(title string, lines []string, w, h int) []string {
	if h < 2 || w < 4 {
		out := make([]string, max(h, 0))
		for i := range out {
			out[i] = strings.Repeat(" ", max(w, 0))
		}
		return out
	}
	b := r.border
	inner := w - 2
	t := ansi.Truncate(title, max(inner-3, 0), "…")
	out := make([]string, 0, h)
	out = append(out, b.apply("┌ ")+r.title.apply(t)+" "+b.apply(strings.Repeat("─", max(0, inner-2-ansi.StringWidth(t)))+"┐"))
	for i := 0; i < h-2; i++ {
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		out = append(out, b.apply("│")+fit(line, inner)+b.apply("│"))
	}
	out = append(out, b.apply("└"+strings.Repeat("─", inner)+"┘"))
	return out
}
