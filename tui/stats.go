package tui

import "fmt"

// statsPanel is the run's statistics: elections, leaders, split votes,
// time without a leader, messages. One row tall it is a line of figures
// (as many whole ones as fit); taller, a box of sentences. It has no keys.
type statsPanel struct {
	still
	size
}

// View draws the statistics as a line or a box, p.h rows.
func (p *statsPanel) View(f *Frame) []string {
	if p.h == 1 {
		return []string{" " + f.styles.dim.apply(joinFit(statsParts(f), " · ", p.w-1))}
	}
	return f.styles.box("statistics", statsLines(f, p.h-2), p.w, p.h)
}

// rows is how many rows the box wants to show every line, border
// included, when it may have up to most.
func (p *statsPanel) rows(f *Frame, most int) int {
	return len(statsLines(f, most-2)) + 2
}

func statsParts(f *Frame) []string {
	st := f.snap.Stats
	parts := []string{
		fmt.Sprintf("elections %d", st.Elections),
		fmt.Sprintf("won %d", st.LeadersElected),
		fmt.Sprintf("split votes %d", st.SplitVotes),
		fmt.Sprintf("leader changes %d", st.LeaderChanges),
		fmt.Sprintf("no leader %v", roundDur(st.NoLeader)),
		fmt.Sprintf("last election took %v", roundDur(st.LastElection)),
	}
	if f.uiDropped > 0 {
		parts = append(parts, fmt.Sprintf("UI skipped %d events", f.uiDropped))
	}
	return parts
}

// statsLines are the box's sentences, at most h of them.
func statsLines(f *Frame, h int) []string {
	st := f.snap.Stats
	lines := []string{
		fmt.Sprintf("elections started %-6d leaders elected %d", st.Elections, st.LeadersElected),
		fmt.Sprintf("split votes       %-6d leader changes  %d", st.SplitVotes, st.LeaderChanges),
		fmt.Sprintf("time without a leader %v in all", roundDur(st.NoLeader)),
		fmt.Sprintf("last election took    %v", roundDur(st.LastElection)),
		fmt.Sprintf("messages %d sent, %d dropped", st.Sent, st.Dropped),
	}
	if st.PreVotes > 0 {
		lines = append(lines, fmt.Sprintf("pre-vote rounds   %d", st.PreVotes))
	}
	if f.uiDropped > 0 {
		lines = append(lines, f.styles.errorText.apply(fmt.Sprintf("UI skipped %d events (too fast to show)", f.uiDropped)))
	}
	if len(lines) > h {
		lines = lines[:max(h, 0)]
	}
	return lines
}
