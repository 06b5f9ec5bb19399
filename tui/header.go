package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
)

// header is the top line: the leader and its term, the chosen speed and
// slow motion, the options, the size and seed, the scenario's end and the
// virtual time; in
// the past, a banner that says so. It has no keys and no state but its
// width.
type header struct {
	still
	size
}

// headerPart is a part of the header, in full and in short (for a narrow
// screen; "" leaves it out there), and for some in fewer cells still
// (tiny; "" if none), with its rank: when even the tiny forms do not fit,
// the lowest ranks go first.
type headerPart struct {
	text, short string
	rank        int
	tiny        string
}

// part is a header part that says the same in short.
func part(text string, rank int) headerPart { return headerPart{text, text, rank, ""} }

// View draws the header: the parts in screen order, in full if they all
// fit, else in short (then tiny), then as many of the highest ranks as
// fit, the clock at the right. The leader and its term (or, with none, the
// highest term), the chosen speed, the options, the seed and an engine
// other than the textbook's stay at 80 columns; the clock, and in the past
// the banner, always stay.
func (h *header) View(f *Frame) []string {
	s := f.snap
	speedRank := 8
	if f.cur.past {
		speedRank = 2 // the banner says it is the past; the options matter more
	}
	speed := headerPart{h.speed(f, false), h.speed(f, true), speedRank, h.speedTiny(f)}
	parts := []headerPart{
		{f.styles.header.apply("raftty"), "", 4, ""},
		leaderPart(f),
		speed,
		highestTerm(f),
		options(f.styles, s.Config.PreVote, s.Config.CheckQuorum),
		{fmt.Sprintf("%d nodes", len(s.Nodes)), "", 2, ""},
		part(fmt.Sprintf("seed %d", s.Config.Seed), 6),
	}
	if f.b != nil {
		// Two worlds: each one's leader, and what makes world B; the
		// options are each world's own (its nodes' title names B's).
		la, lb := leaderPart(f), leaderPart(f.b)
		la.text, la.short = "A: "+la.text, "A: "+la.short
		lb.text, lb.short = "B: "+lb.text, "B: "+lb.short
		parts = []headerPart{parts[0], la, parts[2], lb, part("B has "+cluster.CompareText(f.compared.Diff), 7), parts[5], parts[6]}
	}
	if s.Config.Engine != cluster.EngineTextbook {
		// The other engine is said, with its timing in its own ticks (of
		// two worlds, world A's: world B's, if it differs, is in "B has"),
		// as long as the seed is.
		// With two worlds it outlives the seed (their header is full at
		// 80 columns), in a word ("etcd") if need be.
		engine := headerPart{s.Config.EngineName(), s.Config.EngineShort(), 6, ""}
		if f.b != nil {
			engine.rank, engine.tiny = 7, s.Config.Engine.String()
		}
		parts = append(parts, engine)
	}
	if end := f.scenarioEnd(); end > 0 {
		// A saved session ends where it was saved, to the nanosecond.
		at := end.Round(time.Millisecond)
		text, short := fmt.Sprintf("scenario ends at %v", at), fmt.Sprintf("ends at %v", at)
		if f.cursorMoment() >= end {
			text, short = f.styles.title.apply(fmt.Sprintf("scenario over at %v", at)), f.styles.title.apply(fmt.Sprintf("over at %v", at))
		}
		parts = append(parts, headerPart{text, short, 1, ""})
	}
	now := "t=" + clock(s.Now) + " "
	class, banner := classPart(f)
	switch {
	case banner:
		// A view that follows the teacher says so, and where: in place
		// of the past's banner and the clock.
		parts = append(parts[:1], append([]headerPart{class}, parts[1:]...)...)
		now = ""
	case f.cur.past:
		// Said so that the back row of a class can read it.
		parts = append(parts[:1], append([]headerPart{part(h.pastBanner(f), 10)}, parts[1:]...)...)
		now = ""
	}
	if !banner && class.text != "" {
		parts = append(parts[:2], append([]headerPart{class}, parts[2:]...)...)
	}
	return []string{fitParts(parts, f.styles.dim.apply(" · "), f.styles.header.apply(now), len(now), h.w)}
}

// leaderPart names the leader with its own term or, with none, how long
// there has been none and the highest term: in short, "leader n2 t2", "no
// leader t3", the terms written as the node list writes them.
func leaderPart(f *Frame) headerPart {
	s := f.snap
	if s.Leader == 0 {
		return headerPart{fmt.Sprintf("no leader %v, term %d", roundDur(s.Now-s.Stats.NoLeaderSince), s.MaxTerm),
			fmt.Sprintf("no leader t%d", s.MaxTerm), 9, ""}
	}
	lt := s.Nodes[s.Leader-1].Term
	return headerPart{fmt.Sprintf("leader %s term %d", f.nodeName(s.Leader), lt), fmt.Sprintf("leader %s t%d", f.nodeName(s.Leader), lt), 9, ""}
}

// highestTerm is the highest term any node holds, when a leader's own is
// lower (a node cut off has campaigned alone).
func highestTerm(f *Frame) headerPart {
	s := f.snap
	if s.Leader == 0 || s.Nodes[s.Leader-1].Term == s.MaxTerm {
		return headerPart{}
	}
	return headerPart{f.styles.cutOff.apply(fmt.Sprintf("highest term %d", s.MaxTerm)), f.styles.cutOff.apply(fmt.Sprintf("highest t%d", s.MaxTerm)), 5, ""}
}

// options says PreVote's and CheckQuorum's state; in short, together; tiny,
// as PV and CQ (beside etcd's timing at 80 columns).
func options(r *renders, preVote, checkQuorum bool) headerPart {
	short := fmt.Sprintf("PreVote %s, CheckQuorum %s", cluster.OnOff(preVote), cluster.OnOff(checkQuorum))
	tiny := fmt.Sprintf("PV %s, CQ %s", cluster.OnOff(preVote), cluster.OnOff(checkQuorum))
	if preVote == checkQuorum {
		short = "PreVote/CheckQuorum " + cluster.OnOff(preVote)
		tiny = "PV/CQ " + cluster.OnOff(preVote)
	}
	return headerPart{"PreVote " + cluster.OnOff(preVote) + r.dim.apply(" · ") + "CheckQuorum " + cluster.OnOff(checkQuorum), short, 7, tiny}
}

// speed is the speed chosen and whether the clock runs: paused, behind,
// or with slow motion on, a marker of its own (lit while it slows the
// clock, dim while nothing it covers flies), so that the speed shown never
// jumps.
func (h *header) speed(f *Frame, short bool) string {
	speed := formatSpeed(f.speed)
	switch {
	case f.cur.past:
		// The banner says what the past view is doing.
	case f.paused:
		speed += " PAUSED"
	case f.live.Behind:
		// More events than a tick may simulate: the clock runs slower
		// than asked, and says so rather than freezing the program.
		speed = f.styles.cutOff.apply(speed + " (clock behind: too many events)")
	case f.live.SlowVotes:
		marker := f.styles.dim
		if f.live.Slowed {
			marker = f.styles.candidate
		}
		if short {
			return speed + " " + marker.apply("slow-mo")
		}
		return speed + f.styles.dim.apply(" · ") + marker.apply("slow motion (v)")
	}
	return speed
}

// speedTiny is the speed in fewer cells, if it has a shorter form: paused,
// PAUSED alone (what space will do matters more than the speed it will
// run at); running in slow motion, the speed without the marker.
func (h *header) speedTiny(f *Frame) string {
	switch {
	case f.cur.past || f.live.Behind:
		return ""
	case f.paused:
		return "PAUSED"
	case f.live.SlowVotes:
		return formatSpeed(f.speed)
	}
	return ""
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
	text := fmt.Sprintf("PAST t=%s · %s %s · end: back to live", clock(f.cur.at), live, clock(f.liveNow()))
	switch {
	case h.w < 100:
		text = fmt.Sprintf("PAST %s · %s", clock(f.cur.at), short)
	case h.w < 140:
		text = fmt.Sprintf("PAST t=%s · %s %s · end", clock(f.cur.at), live, clock(f.liveNow()))
	}
	return f.styles.pill(text)
}

// keepRank is the rank from which a header part stays at 80 columns: the
// seed, an engine other than the textbook's, and above. Before one goes,
// the parts that have a tiny form take it.
const keepRank = 6

// fitParts joins the parts with sep and puts the clock (clockW cells) at
// the right, in w cells: in full if they fit; else the lowest ranks say it
// in short first, then go, one by one, until the rest fit.
func fitParts(parts []headerPart, sep, clock string, clockW, w int) string {
	order := make([]int, len(parts)) // parts by rank, lowest first
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(parts[a].rank, parts[b].rank) })
	text := make([]string, len(parts))
	for i, p := range parts {
		text[i] = p.text
	}
	for {
		var keep []string
		for _, t := range text {
			if t != "" {
				keep = append(keep, t)
			}
		}
		left := " " + strings.Join(keep, sep)
		if gap := w - ansi.StringWidth(left) - clockW; gap >= 1 || len(keep) <= 1 {
			return fit(left+strings.Repeat(" ", max(gap, 1))+clock, w)
		}
		shortened := false
		for _, i := range order {
			if text[i] != "" && text[i] == parts[i].text && parts[i].short != parts[i].text {
				text[i], shortened = parts[i].short, true
				break
			}
		}
		if shortened {
			continue
		}
		next := -1 // the part to go next: the lowest ranked left
		for _, i := range order {
			if text[i] != "" {
				next = i
				break
			}
		}
		if parts[next].rank >= keepRank {
			// Before a part that stays at 80 columns goes, the tiny forms.
			for _, i := range order {
				if !shortened && text[i] != "" && parts[i].tiny != "" && text[i] != parts[i].tiny {
					text[i], shortened = parts[i].tiny, true
				}
			}
			if shortened {
				continue
			}
		}
		text[next] = ""
	}
}
