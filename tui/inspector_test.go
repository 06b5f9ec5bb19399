package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
)

// inspectorText is the inspector's box with its border and wrapping
// undone: its words, one space apart.
func inspectorText(m *Model) string {
	var words []string
	for _, l := range strings.Split(ansi.Strip(m.render()), "\n") {
		words = append(words, strings.Fields(strings.Trim(l, "│┌┐└┘─ "))...)
	}
	return strings.Join(words, " ")
}

// A refused pre-vote's reason is longer than the log panel at 80x24; the
// log cuts it, and enter on the line shows all of it.
func TestInspectorShowsFullReason(t *testing.T) {
	h := newHarness(t, 5, func(c *cluster.Config) { c.PreVote = true })
	h.m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.advance(time.Second)
	follower := h.snap().Leader%5 + 1
	h.press(string(rune('0'+follower)), "t")
	h.advance(20 * ms)
	h.press("/")
	h.typeText("heard from leader") // a follower's refusal, whichever answered last
	h.press("enter", "up")
	if h.m.scr.log.sel < 0 {
		t.Fatal("up selected no log line")
	}
	shown := h.m.scr.log.shown(h.m.Frame())
	k, _ := shown.pos(h.m.scr.log.sel)
	full := shown.line(k).text()
	if !strings.Contains(full, "denies pre-vote") || !strings.Contains(full, "within the minimum election timeout") {
		t.Fatalf("selected %q, want a refused pre-vote with its reason", full)
	}
	if strings.Contains(ansi.Strip(h.m.render()), "within the minimum election timeout") {
		t.Fatal("the log shows the whole reason already: the test proves nothing")
	}
	h.press("enter")
	if h.m.scr.inspector.open || !h.m.cur.past || h.m.cur.dec != shown.line(k).dec {
		t.Fatalf("enter on a line: inspector open %v, cursor at decision %d (past %v); want the line's, %d",
			h.m.scr.inspector.open, h.m.cur.dec, h.m.cur.past, shown.line(k).dec)
	}
	if !strings.Contains(h.m.status, "within the minimum election timeout") {
		t.Fatalf("at the line's decision the status says %q, want its reason in full", h.m.status)
	}
	h.press("enter")
	if !h.m.scr.inspector.open {
		t.Fatal("enter on the line at the cursor did not open the inspector")
	}
	if got, want := inspectorText(h.m), strings.Join(strings.Fields(full), " "); !strings.Contains(got, want) {
		t.Fatalf("inspector does not show the whole line\n got: %s\nwant: %s", got, want)
	}
	h.press("esc")
	if h.m.scr.inspector.open {
		t.Fatal("esc did not close the inspector")
	}
}

// enter with no log line selected inspects the selected node: its state,
// its links to every peer, its decisions in full.
func TestInspectNode(t *testing.T) {
	h := newHarness(t, 42)
	h.advance(time.Second)
	leader := h.snap().Leader
	h.press("L", "enter")
	if !h.m.scr.inspector.open || h.m.scr.inspector.node != leader {
		t.Fatalf("enter inspects n%d, want the leader n%d", h.m.scr.inspector.node, leader)
	}
	text := inspectorText(h.m)
	wants := []string{"LEADER", "next heartbeat", "won the election for term", "links"}
	for peer := 1; peer <= 5; peer++ {
		if peer != leader {
			wants = append(wants, fmt.Sprintf("n%d <-> n%d passes", leader, peer))
		}
	}
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("node inspector lacks %q:\n%s", want, text)
		}
	}
}

// The C key sends the selected node a client's command; the leader's
// inspector then shows its log, entry by entry (its no-op first), and what
// it knows of each follower's (nextIndex, matchIndex); a follower's C is
// refused.
func TestInspectReplication(t *testing.T) {
	h := newHarness(t, 42)
	leader := checkLeaderInspector(t, h, "log: 2 entries (last term 1), committed up to index 2",
		"1 t1 (empty: a no-op or set up by hand) committed", `2 t1 "v1" committed`)
	h.press("esc", strconv.Itoa(leader%5+1), "C")
	h.advance(10 * time.Millisecond)
	if got := h.snap().Stats.Redirects; got != 1 {
		t.Errorf("C on a follower: %d refusals, want 1", got)
	}
}

// On etcd too the leader's inspector shows its log and what it knows of
// each follower's, read off etcd's progress tracker.
func TestInspectReplicationOnEtcd(t *testing.T) {
	h := newHarness(t, 42, func(c *cluster.Config) { c.Engine = cluster.EngineEtcd })
	checkLeaderInspector(t, h, "log: 2 entries (last term ", `2 t1 "v1" committed`)
}

// checkLeaderInspector runs h until it has a leader, sends the leader a
// command with C, and checks that its inspector says wants and that every
// follower has both entries (nextIndex 3, matchIndex 2). It returns the
// leader.
func checkLeaderInspector(t *testing.T, h *harness, wants ...string) int {
	t.Helper()
	h.advance(2 * time.Second)
	leader := h.snap().Leader
	if leader == 0 {
		t.Fatal("no leader after 2s")
	}
	h.press("L", "C")
	h.advance(300 * time.Millisecond)
	h.press("enter")
	text := inspectorText(h.m)
	for peer := 1; peer <= 5; peer++ {
		if peer != leader {
			wants = append(wants, fmt.Sprintf("n%d nextIndex 3 matchIndex 2", peer))
		}
	}
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("leader's inspector lacks %q:\n%s", want, text)
		}
	}
	return leader
}

// Replication lines are about their node: the inspector lists a leader's
// append and commit and a follower's among their last decisions, and the
// filter finds them by node and by kind.
func TestReplicationLinesAreAboutTheirNodes(t *testing.T) {
	h := newHarness(t, 42)
	h.advance(time.Second)
	leader := h.snap().Leader
	follower := leader%5 + 1
	h.press("L", "C")
	h.advance(200 * time.Millisecond)
	for _, tc := range []struct {
		node  int
		wants []string
	}{
		{leader, []string{fmt.Sprintf("n%d appends index 1 in term 1", leader), fmt.Sprintf("n%d commits index 1", leader)}},
		{follower, []string{fmt.Sprintf("n%d appends index 1 from n%d", follower, leader), fmt.Sprintf("n%d commits index 1", follower)}},
	} {
		h.press(strconv.Itoa(tc.node), "enter")
		_, decisions, _ := strings.Cut(inspectorText(h.m), "last decisions")
		for _, want := range tc.wants {
			if !strings.Contains(decisions, want) {
				t.Errorf("n%d's last decisions lack %q:\n%s", tc.node, want, decisions)
			}
		}
		h.press("esc")
	}
	for _, tc := range []struct {
		filter string
		want   string
	}{
		{fmt.Sprintf("n%d", follower), fmt.Sprintf("n%d appends index 1 from n%d", follower, leader)},
		{fmt.Sprintf("n%d", leader), fmt.Sprintf("n%d appends index 1 from n%d", follower, leader)},
		{fmt.Sprintf("append n%d", leader), fmt.Sprintf("n%d appends index 1 in term 1", leader)},
		{"commit", fmt.Sprintf("n%d commits index 1", follower)},
	} {
		f := parseFilter(tc.filter)
		log := &h.m.Frame().hist.decisions
		found := false
		for k := range log.len() {
			var scratch []byte
			l := log.ptr(k)
			if !f.match(l, &scratch) {
				continue
			}
			found = found || strings.Contains(l.text(), tc.want)
			if len(f.kinds) > 0 && l.kind != f.kinds[0] {
				t.Errorf("/%s keeps %q", tc.filter, l.text())
			}
		}
		if !found {
			t.Errorf("/%s does not find %q", tc.filter, tc.want)
		}
	}
	// Each replication kind is a word of the filter, as vote is: /append
	// keeps appends, not every line that says AppendEntries.
	for _, k := range []cluster.Kind{cluster.KindAppend, cluster.KindTruncate, cluster.KindCommit, cluster.KindHold,
		cluster.KindReject, cluster.KindBackOff, cluster.KindRedirect} {
		if f := parseFilter(k.String()); !slices.Equal(f.kinds, []cluster.Kind{k}) {
			t.Errorf("/%s is not the kind %s: %+v", k, k, f)
		}
	}
	stepDown := newLogLine(&cluster.Event{Kind: cluster.KindState, Node: 2, State: cluster.StateFollower, Term: 2,
		Reason: "saw term 2 > 1 in AppendEntries from n3"})
	if f, scratch := parseFilter("append"), []byte(nil); f.match(&stepDown, &scratch) {
		t.Errorf("/append keeps %q", stepDown.text())
	}
}

// A click selects a node in the node list, a log line in the log; a click
// on what is selected opens the inspector.
func TestMouseSelects(t *testing.T) {
	h := newHarness(t, 42)
	h.advance(time.Second)
	_ = h.m.render()
	click := func(x, y int) { h.m.Update(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft}) }
	var nodeHit, logHit *hit
	hits := h.m.scr.hits()
	for i := range hits {
		hh := &hits[i]
		if hh.node == 3 && nodeHit == nil {
			nodeHit = hh
		}
		if hh.logLine >= 0 {
			logHit = hh
		}
	}
	if nodeHit == nil || logHit == nil {
		t.Fatal("no clickable node 3 or log line on screen")
	}
	click(nodeHit.x+1, nodeHit.y)
	if h.m.selected != 3 {
		t.Fatalf("click on n3 selected n%d", h.m.selected)
	}
	click(logHit.x+1, logHit.y)
	if h.m.scr.log.sel != logHit.logLine {
		t.Fatalf("click on a log line selected %d, want %d", h.m.scr.log.sel, logHit.logLine)
	}
	click(logHit.x+1, logHit.y)
	if !h.m.scr.inspector.open || h.m.scr.inspector.node != 0 {
		t.Fatal("a second click on the selected line did not inspect it")
	}
}

// A click on a box's border, beside a node's line or a log line, selects
// nothing: a line is clickable on its own cells only.
func TestClickOnABorderSelectsNothing(t *testing.T) {
	h := newHarness(t, 42)
	h.advance(time.Second)
	_ = h.m.render()
	for _, hh := range h.m.scr.hits() {
		if hh.node != 3 && hh.logLine < 0 {
			continue
		}
		for _, x := range []int{hh.x - 1, hh.x + hh.w} {
			h.m.scr.log.sel = -1
			h.m.Update(tea.MouseClickMsg{X: x, Y: hh.y, Button: tea.MouseLeft})
			if h.m.selected != 1 || h.m.scr.log.sel >= 0 || h.m.scr.inspector.open {
				t.Fatalf("a click at (%d,%d), beside %+v, selected n%d, line %d", x, hh.y, hh, h.m.selected, h.m.scr.log.sel)
			}
		}
	}
}

func TestFilter(t *testing.T) {
	f := parseFilter("n3 vote")
	vote := func(node, candidate int) logLine {
		return newLogLine(&cluster.Event{At: 204 * ms, Kind: cluster.KindVote, Node: node, For: candidate, Term: 1, Granted: true})
	}
	for _, tc := range []struct {
		l    logLine
		want bool
	}{
		{vote(3, 4), true},
		{vote(1, 3), true},
		{vote(31, 4), false},
		{newLogLine(&cluster.Event{At: 204 * ms, Kind: cluster.KindState, Node: 3, State: cluster.StateFollower, Term: 1}), false},
	} {
		var scratch []byte
		if got := f.match(&tc.l, &scratch); got != tc.want {
			t.Errorf("%q: match %v, want %v", tc.l.text(), got, tc.want)
		}
	}
	refused := newLogLine(&cluster.Event{Kind: cluster.KindVote, Node: 1, For: 2, Term: 3, Reason: "already voted for n2"})
	if g, scratch := parseFilter("DENIES vote TO N2"), []byte(nil); !g.match(&refused, &scratch) {
		t.Error("text is matched ignoring case")
	}
	h := newHarness(t, 42)
	h.advance(time.Second)
	h.press("/")
	h.typeText("n3 vote")
	h.press("enter")
	shown := h.m.scr.log.shown(h.m.Frame())
	if shown.len() == 0 {
		t.Fatal("the filter kept nothing")
	}
	for k := range shown.len() {
		if l := shown.line(k); l.kind != cluster.KindVote || !mentions(l.text(), "n3") {
			t.Errorf("kept %q", l.text())
		}
	}
	h.press("esc")
	if h.m.scr.log.filter.text != "" {
		t.Fatal("esc did not clear the filter")
	}
}

// A click on a message on the map shows it: its type, its times, its fate.
func TestClickMessageOnMap(t *testing.T) {
	hl := newHeadless(t, 42)
	hl.stepUntil(t, isCandidacy)
	hl.c.RunFor(time.Millisecond)
	m := hl.model(120, 40)
	_ = m.render()
	var at *hit
	for i := range m.scr.hits() {
		if m.scr.hits()[i].flight > 0 {
			at = &m.scr.hits()[i]
			break
		}
	}
	if at == nil {
		t.Fatal("no message to click on the map")
	}
	line := []rune(strings.Split(ansi.Strip(m.render()), "\n")[at.y])
	if line[at.x] != '◆' {
		t.Fatalf("the message's hit is at %q, not on a ◆", string(line[at.x]))
	}
	m.Update(tea.MouseClickMsg{X: at.x, Y: at.y, Button: tea.MouseLeft})
	text := inspectorText(m)
	if !m.scr.inspector.open || !strings.Contains(text, "RequestVote, term 1") || !strings.Contains(text, "% of the way") {
		t.Fatalf("clicking a RequestVote shows:\n%s", text)
	}
}

// G, and end, go back to following the newest line: the selection ends,
// so that enter inspects the selected node again.
func TestFollowingTheNewestEndsTheSelection(t *testing.T) {
	for _, key := range []string{"G", "end"} {
		h := newHarness(t, 42)
		h.advance(time.Second)
		h.press("up", "up", key, "enter")
		if h.m.scr.log.sel >= 0 || !h.m.scr.inspector.open || h.m.scr.inspector.node != 1 {
			t.Fatalf("%s: line %d still selected, or enter did not inspect n1", key, h.m.scr.log.sel)
		}
	}
}

// On etcd the inspector's tick counters are as of the moment shown, the
// ticks due since the node's last input counted, so that they agree with
// the times beside them: a follower's election count with how long ago it
// heard from its leader, the leader's heartbeat count with its next
// heartbeat. At no moment between two inputs do they stand still.
func TestInspectEtcdCountersAtTheMoment(t *testing.T) {
	h := newHarness(t, 42, func(c *cluster.Config) { c.Engine = cluster.EngineEtcd })
	h.advance(2 * time.Second)
	leader := h.snap().Leader
	follower := leader%5 + 1
	for _, id := range []int{follower, leader} {
		h.press(strconv.Itoa(id), "enter")
		for range 8 {
			h.advance(7 * ms)
			h.press("space") // a paused moment between the nodes' inputs
			h.frame()
			s := h.snap()
			ns := s.Nodes[id-1]
			tick := ns.Ticks.Tick
			want := fmt.Sprintf("election %d of %d elapsed", (s.Now-ns.LastLeaderContact)/tick, ns.Ticks.RandomizedElectionTick)
			if id == leader {
				toGo := (ns.NextHeartbeat - s.Now + tick - 1) / tick
				want = fmt.Sprintf("heartbeat %d of %d", int64(ns.Ticks.HeartbeatTick)-int64(toGo), ns.Ticks.HeartbeatTick)
			}
			if text := inspectorText(h.m); !strings.Contains(text, want) {
				t.Fatalf("n%d at %v: inspector lacks %q:\n%s", id, s.Now, want, text)
			}
			h.press("space")
		}
		h.press("esc")
	}
}

// A leader is not told of as hearing from a leader, following itself; a
// follower is.
func TestInspectorLeaderFollowsNobody(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(time.Second)
	leader := h.snap().Leader
	if leader == 0 {
		t.Fatal("no leader after 1s")
	}
	for _, id := range []int{leader, leader%5 + 1} {
		h.press(string(rune('0'+id)), "enter")
		text := inspectorText(h.m)
		h.press("esc")
		heard := strings.Contains(text, "last heard from a leader")
		if id == leader && (heard || !strings.Contains(text, fmt.Sprintf("leads term %d", h.snap().Nodes[id-1].Term))) {
			t.Errorf("the leader n%d's inspector: %s", id, text)
		}
		if id != leader && !heard {
			t.Errorf("the follower n%d's inspector does not say when it heard from its leader: %s", id, text)
		}
	}
}

func TestLinksTitleNeverEmptyParentheses(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "links:"},
		{"connected", "links (connected):"},
		{"partition B, cut →n2", "links (partition B, cut →n2):"},
	} {
		if got := linksTitle(tc.in); got != tc.want {
			t.Errorf("linksTitle(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
