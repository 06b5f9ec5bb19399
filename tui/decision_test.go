package tui

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
)

// splitVote is scenario 08's cluster: every timeout 150ms, every message
// 1ms; all five nodes time out at one instant, and nobody wins.
func splitVote(c *cluster.Config) {
	c.ElectionMin, c.ElectionMax = 150*ms, 150*ms
	c.LatencyMin, c.LatencyMax = ms, ms
}

// moment is what the panels draw a decision's state from: who is what,
// and which messages fly.
type moment struct {
	nodes   []cluster.NodeStatus
	flights []cluster.Flight
}

func momentOf(s cluster.Snapshot) moment { return moment{s.Nodes, s.Flights} }

// changed counts the nodes whose role, term, vote or tally differ.
func changed(a, b []cluster.NodeStatus) int {
	n := 0
	for i := range a {
		x, y := a[i], b[i]
		if x.Role != y.Role || x.Term != y.Term || x.VotedFor != y.VotedFor ||
			!reflect.DeepEqual(x.Granted, y.Granted) || !reflect.DeepEqual(x.Refused, y.Refused) {
			n++
		}
	}
	return n
}

// The walk: a paused split vote, and . on it. The first shows only
// n1 as candidate with its 4 RequestVotes leaving (it used to run the
// whole instant: five candidates, 20 RequestVotes); each further . changes
// one node at most. Then , walks back through the same decisions, in the
// past, every one the very state the live step showed, its instant shared
// with the others or not.
func TestStepShowsEachDecisionOfAnInstant(t *testing.T) {
	h := newHarness(t, 1, splitVote)
	h.press("space")
	h.press(".")
	s := h.m.snap
	var cands []int
	for _, ns := range s.Nodes {
		if ns.Role.String() == "candidate" {
			cands = append(cands, int(ns.ID))
		}
	}
	if s.Now != 150*ms || !reflect.DeepEqual(cands, []int{1}) || len(s.Flights) != 4 {
		t.Fatalf("the first .: t=%v, candidates %v, %d in flight; want t=150ms, only n1, its 4 RequestVotes", s.Now, cands, len(s.Flights))
	}
	if !strings.Contains(h.m.status, "n1 times out") || !strings.Contains(h.m.status, "n1 sends RequestVote t1 to n2,n3,n4,n5") {
		t.Fatalf("status %q: want n1's timeout and its four RequestVotes named", h.m.status)
	}
	seen := map[int]moment{s.Decision: momentOf(s)}
	var order []int
	order = append(order, s.Decision)
	status := map[int]string{s.Decision: h.m.status}
	for range 30 {
		before := h.m.snap
		h.press(".")
		after := h.m.snap
		if after.Decision != before.Decision+1 {
			t.Fatalf(". went from decision %d to %d", before.Decision, after.Decision)
		}
		if n := changed(before.Nodes, after.Nodes); n > 1 {
			t.Fatalf("decision %d changed %d nodes: %s", after.Decision, n, h.m.status)
		}
		seen[after.Decision] = momentOf(after)
		status[after.Decision] = h.m.status
		order = append(order, after.Decision)
	}
	// Back, one decision at a time: the past shows each exactly.
	for i := len(order) - 2; i >= 0; i-- {
		h.press(",")
		d := order[i]
		if !h.m.cur.past || h.m.snap.Decision != d {
			t.Fatalf(", reached decision %d (past %v), want %d", h.m.snap.Decision, h.m.cur.past, d)
		}
		if got := momentOf(h.m.snap); !reflect.DeepEqual(got, seen[d]) {
			t.Fatalf("decision %d in the past differs from what its live step showed", d)
		}
		if h.m.status != strings.TrimPrefix(status[d], "step: ") {
			t.Fatalf("decision %d named %q in the past, %q live", d, h.m.status, status[d])
		}
	}
	// The first five decisions share one instant: the test crossed it.
	if h.m.snap.Now != 150*ms || h.m.snap.Decision != order[0] {
		t.Fatalf("back at decision %d, t=%v", h.m.snap.Decision, h.m.snap.Now)
	}
	// And . walks forward into the present again, without a stop.
	for range len(order) {
		h.press(".")
	}
	if h.m.cur.past {
		t.Fatalf("still in the past at decision %d after stepping past the newest", h.m.snap.Decision)
	}
}

// In the past no panel shows the recorded future: not the timeline's
// cursor column (n2's timeout, a decision later at the same instant), not
// the inspector's list of decisions, not the map's drops, not a violation
// still to come, not a later explanation; the log and the timeline show
// the future only dimmed and said to be.
func TestNothingFromTheFutureInThePast(t *testing.T) {
	h := newStyledHarness(t, 1, false, splitVote)
	h.press("space", ".")
	first := h.m.snap.Decision
	for range 12 {
		h.press(".")
	}
	h.press(",")
	h.run(h.m.cur.seekDecision(first)) // n1 has timed out; n2..n5 not yet, at the same instant
	if h.m.snap.Decision != first || !h.m.cur.past {
		t.Fatalf("at decision %d (past %v), want %d", h.m.snap.Decision, h.m.cur.past, first)
	}
	screen := ansi.Strip(h.m.render())
	for _, row := range strings.Split(screen, "\n") {
		if strings.HasPrefix(row, "│n2 ") && strings.Contains(row, "x") {
			t.Fatalf("n2's timeline row shows its timeout, a decision after the cursor's: %q", row)
		}
		if strings.HasPrefix(row, "│n1 ") && !strings.Contains(row, "x") {
			t.Fatalf("n1's timeline row lacks its timeout, the cursor's own decision: %q", row)
		}
	}
	f := h.m.Frame()
	for _, id := range []int{1, 2} {
		for _, l := range decisionsOf(f, id) {
			if strings.Contains(l, "n2 times out") || strings.Contains(l, "0.151") {
				t.Fatalf("n%d's inspector lists %q, after the cursor", id, l)
			}
		}
	}
	// The log dims what follows, and its title says so.
	view := h.m.render()
	if !strings.Contains(ansi.Strip(view), "below it the recorded future") {
		t.Fatal("the log does not say it shows the recorded future")
	}
	dimmed := false
	for _, l := range strings.Split(view, "\n") {
		dimmed = dimmed || (strings.Contains(l, "n2 times out") && strings.Contains(l, h.m.styles.dim.open+"   0.150 n2 times out"))
	}
	if !dimmed {
		t.Fatal("n2's timeout, after the cursor, is not dimmed in the log")
	}
}

// A violation still to come is not on screen in the past, nor an
// explanation a scenario gives later; both are once the cursor passes
// them.
func TestBannersKeepToTheirMoment(t *testing.T) {
	h := newHarness(t, 3, func(c *cluster.Config) { c.UnsafeForgetVotes = true; splitVote(c) })
	h.advance(3 * time.Second)
	v := h.m.hist.violation
	if v.text == "" {
		t.Fatal("no violation: the test proves nothing")
	}
	h.m.hist.explains = append(h.m.hist.explains, said{at: time.Second, dec: 0, text: "what to watch after 1s"})
	h.seekTo(v.at - 10*ms)
	if strings.Contains(ansi.Strip(h.m.render()), "VIOLATION") {
		t.Fatalf("at %v the banner shows the violation of %v", h.m.cur.at, v.at)
	}
	h.run(h.m.cur.seekDecision(v.dec))
	if !strings.Contains(ansi.Strip(h.m.render()), "VIOLATION") {
		t.Fatal("at the violation's decision the banner is missing")
	}
	h.seekTo(500 * ms)
	if got := h.m.Frame().explainShown(); strings.Contains(got, "after 1s") {
		t.Fatalf("at 0.5s the explanation is the one given at 1s")
	}
	h.seekTo(1500 * ms)
	if got := h.m.Frame().explainShown(); !strings.Contains(got, "after 1s") {
		t.Fatalf("at 1.5s the explanation is %q", got)
	}
}

// The teacher's walk: /denies, n, enter. n puts the cursor on the first
// denial after it and names it in full; N goes back; enter on a line
// (filtered or not) goes to its decision, and again shows it whole.
func TestJumpToALine(t *testing.T) {
	h := newHarness(t, 1, splitVote)
	h.m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.advance(2 * time.Second)
	h.run(h.m.cur.seekDecision(3)) // before the first election
	h.press("/")
	h.typeText("denies")
	h.press("enter", "n")
	first := h.m.cur.dec
	line, ok := h.m.scr.log.selected(h.m.Frame())
	if !ok || !strings.Contains(line.text(), "denies") || line.dec != first {
		t.Fatalf("n selected %q (decision %d), the cursor is at %d", line.text(), line.dec, first)
	}
	e := line.event()
	if !strings.Contains(h.m.status, e.String()) {
		t.Fatalf("status %q does not name the denial in full: %q", h.m.status, e.String())
	}
	bottom := strings.Join(strings.Split(ansi.Strip(h.m.render()), "\n")[21:23], " ")
	if !strings.Contains(strings.Join(strings.Fields(bottom), " "), "already voted") {
		t.Fatalf("at 80x24 the reason is not on screen in full:\n%s", bottom)
	}
	// enter on it shows it whole, and the node that decided as it was
	// then: nothing of what it did later.
	h.press("enter")
	if !h.m.scr.inspector.open {
		t.Fatal("enter on the line at the cursor did not inspect it")
	}
	inspected := inspectorText(h.m)
	if !strings.Contains(inspected, strings.Join(strings.Fields(line.text()), " ")) {
		t.Fatalf("the inspector lacks the line in full: %s", inspected)
	}
	for _, l := range decisionsOf(h.m.Frame(), int(line.a)) {
		if f := strings.Fields(l); len(f) > 0 && f[0] > secs(h.m.snap.Now) {
			t.Fatalf("the inspector lists %q, after the cursor at %v", l, h.m.snap.Now)
		}
	}
	if !strings.Contains(inspected, fmt.Sprintf("n%d at t=%s", line.a, clock(h.m.snap.Now))) {
		t.Fatalf("the inspector does not show n%d at the moment: %s", line.a, inspected)
	}
	h.press("esc")
	h.press("n")
	second := h.m.cur.dec
	if second <= first {
		t.Fatalf("n again went from decision %d to %d", first, second)
	}
	h.press("N")
	if h.m.cur.dec != first {
		t.Fatalf("N went to decision %d, want %d", h.m.cur.dec, first)
	}
	for _, l := range decisionsOf(h.m.Frame(), int(line.a)) {
		if strings.Contains(l, " 0.3") {
			t.Fatalf("the inspector lists %q, after the cursor at 0.151", l)
		}
	}
	// From the present n goes on from the first match, as vim's does.
	h.press("end", "n")
	if h.m.cur.dec != first || !strings.Contains(h.m.status, "from the other end") {
		t.Fatalf("n from the present: decision %d, status %q; want the first denial (%d), said to wrap", h.m.cur.dec, h.m.status, first)
	}
	// enter on an unfiltered line goes to it too.
	h.press("esc", "esc")
	h.press("up", "up", "up")
	sel, _ := h.m.scr.log.selected(h.m.Frame())
	h.press("enter")
	if h.m.cur.dec != sel.dec || h.m.scr.inspector.open {
		t.Fatalf("enter on %q: cursor at decision %d, want %d", sel.text(), h.m.cur.dec, sel.dec)
	}
	h.press("enter")
	if !h.m.scr.inspector.open {
		t.Fatal("enter on the line at the cursor did not inspect it")
	}
}

// A command given between two decisions of one instant lands after all of
// it, where a saved scenario's "at" line replays it, and the status line
// says so.
func TestForkBetweenDecisionsOfAnInstant(t *testing.T) {
	h := newHarness(t, 1, splitVote)
	h.press("space")
	for range 8 {
		h.press(".")
	}
	h.run(h.m.cur.seekDecision(h.m.snap.Decision - 6)) // n1's timeout: n2..n5 still to come at 0.150s
	if h.m.snap.Now != 150*ms || !h.m.cur.past {
		t.Fatalf("at %v (past %v), want the split vote's instant", h.m.snap.Now, h.m.cur.past)
	}
	h.press("3", "k")
	h.frame()
	if !strings.Contains(h.m.status, "after the rest of its instant") {
		t.Fatalf("status %q does not say where the fork lands", h.m.status)
	}
	s := h.snap()
	if s.Now != 150*ms || s.Nodes[2].Alive || s.Nodes[4].Role.String() != "candidate" {
		t.Fatalf("after the fork: t=%v, n3 alive %v, n5 %v; want t=150ms, n3 dead, n5 a candidate (its timeout came first)",
			s.Now, s.Nodes[2].Alive, s.Nodes[4].Role)
	}
}
