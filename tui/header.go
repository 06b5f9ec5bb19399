package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
)

// header is the top line: the leader and its term, the clock's speed, the
// options, the size and seed, the scenario's end and the virtual time; in
// the past, a banner that says so. It has no keys and no state but its
// width.
type header struct {
	still
	size
}

// headerPart is a part of the header with its rank: when the terminal is
// narrow the lowest ranks go first.
type headerPart struct {
	text string
	rank int
}

// View draws the header: the parts in screen order, as many of the highest
// ranks as fit, the clock at the right. The seed, the size, the highest
// term and the name go first; PreVote and CheckQuorum stay at 80 columns;
// the clock, and in the past the banner, always stay.
func (h *header) View(f *Frame) []string {
	s := f.snap
	leader, term := leaderParts(f)
	speedRank := 8
	if f.cur.past {
		speedRank = 2 // the banner says it is the past; the options matter more
	}
	parts := []headerPart{
		{f.styles.header.apply("raftty"), 4},
		{leader, 9},
		{h.speed(f), speedRank},
		{term, 3},
		{"PreVote " + cluster.OnOff(s.Config.PreVote), 7},
		{"CheckQuorum " + cluster.OnOff(s.Config.CheckQuorum), 6},
		{fmt.Sprintf("%d nodes", len(s.Nodes)), 2},
		{fmt.Sprintf("seed %d", s.Config.Seed), 1},
	}
	if s.Config.Engine != cluster.EngineTextbook {
		// The other engine is said, with its timing in its own ticks.
		parts = append(parts, headerPart{s.Config.EngineName(), 5})
	}
	if end := f.scenarioEnd(); end > 0 {
		text := fmt.Sprintf("scenario ends at %v", end)
		if f.cursorMoment() >= end {
			text = f.styles.title.apply(fmt.Sprintf("scenario over at %v", end))
		}
		parts = append(parts, headerPart{text, 5})
	}
	clock := fmt.Sprintf("t=%.3fs ", s.Now.Seconds())
	if f.cur.past {
		// Said so that the back row of a class can read it.
		parts = append(parts[:1], append([]headerPart{{h.pastBanner(f), 10}}, parts[1:]...)...)
		clock = ""
	}
	return []string{fitParts(parts, f.styles.dim.apply(" · "), f.styles.header.apply(clock), len(clock), h.w)}
}

// leaderParts name the leader with its own term, and the highest term any
// node holds apart when it differs (a node cut off has campaigned alone).
func leaderParts(f *Frame) (leader, term string) {
	s := f.snap
	if s.Leader == 0 {
		return fmt.Sprintf("no leader %v", roundDur(s.Now-s.Stats.NoLeaderSince)), fmt.Sprintf("term %d", s.MaxTerm)
	}
	lt := s.Nodes[s.Leader-1].Term
	leader = fmt.Sprintf("leader %s term %d", f.nodeName(s.Leader), lt)
	if lt != s.MaxTerm {
		term = f.styles.cutOff.apply(fmt.Sprintf("highest term %d", s.MaxTerm))
	}
	return leader, term
}

// speed is the clock's speed, slowed while votes fly, and whether it runs.
func (h *header) speed(f *Frame) string {
	speed := formatSpeed(f.speed)
	if l := f.live; l.SlowVotes && l.VotesInFlight && !f.paused && !f.cur.past {
		speed = formatSpeed(f.speed/voteSlowdown) + " while votes fly (v)"
		if h.w < 100 {
			speed = formatSpeed(f.speed/voteSlowdown) + " votes fly"
		}
	}
	switch {
	case f.cur.past:
		// The banner says what the past view is doing.
	case f.paused:
		speed += " PAUSED"
	case f.live.Behind:
		// More events than a tick may simulate: the clock runs slower
		// than asked, and says so rather than freezing the program.
		speed = f.styles.cutOff.apply(speed + " (clock behind: too many events)")
	}
	return speed
}

// pastBanner says what the past view is doing (replaying) and what the live
// cluster does (paused, or running on: a watcher's look back pauses
// nothing), in fewer words on a narrow screen, so that the options stay.
func (h *header) pastBanner(f *Frame) string {
	live, short := "live paused at", "paused"
	switch {
	case f.cur.playing:
		live, short = "▶ replaying · live at", "▶"
	case !f.live.Paused:
		live, short = "live runs on at", "live on"
	}
	text := fmt.Sprintf(" PAST t=%.3fs · %s %.3fs · end: back to live ", f.cur.at.Seconds(), live, f.liveNow().Seconds())
	switch {
	case h.w < 100:
		text = fmt.Sprintf(" PAST %.3fs · %s ", f.cur.at.Seconds(), short)
	case h.w < 140:
		text = fmt.Sprintf(" PAST t=%.3fs · %s %.3fs · end ", f.cur.at.Seconds(), live, f.liveNow().Seconds())
	}
	return f.styles.banner.apply(text)
}

// fitParts joins the parts of the highest ranks that fit in w cells with
// sep, and puts the clock (clockW cells) at the right.
func fitParts(parts []headerPart, sep, clock string, clockW, w int) string {
	for rank := 0; ; rank++ {
		var keep []string
		for _, p := range parts {
			if p.rank > rank && p.text != "" {
				keep = append(keep, p.text)
			}
		}
		left := " " + strings.Join(keep, sep)
		if gap := w - ansi.StringWidth(left) - clockW; gap >= 1 || len(keep) <= 1 {
			return fit(left+strings.Repeat(" ", max(gap, 1))+clock, w)
		}
	}
}
