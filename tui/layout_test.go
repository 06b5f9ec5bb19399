package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
)

func withNodes(n int) func(*cluster.Config) { return func(c *cluster.Config) { c.Nodes = n } }

// Every size from 80x24 up, with 5, 25 and 101 nodes, map on and off: the
// screen is filled exactly, never "too small", the header keeps PreVote
// and CheckQuorum, the selected node stays in view in the node list (and
// in the timeline when it shows), and the log keeps five lines.
func TestLayouts(t *testing.T) {
	for _, nodes := range []int{5, 25, 101} {
		h := newHarness(t, 7, withNodes(nodes))
		h.advance(time.Second)
		sel := nodes - 3
		h.m.selectNode(sel)
		for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}, {250, 70}} {
			for _, showMap := range []bool{true, false} {
				t.Run(fmt.Sprintf("%dnodes_%dx%d_map%v", nodes, size.w, size.h, showMap), func(t *testing.T) {
					h.m.scr.showMap = showMap
					h.m.Update(tea.WindowSizeMsg{Width: size.w, Height: size.h})
					view := ansi.Strip(h.m.render())
					checkShape(t, view, size.w, size.h)
					if strings.Contains(view, "too small") {
						t.Fatal("too small")
					}
					lines := strings.Split(view, "\n")
					if !switchesOff(lines[0]) {
						t.Errorf("header %q lost PreVote or CheckQuorum", lines[0])
					}
					if !strings.Contains(view, fmt.Sprintf("▶ n%d ", sel)) {
						t.Errorf("selected n%d is not in the node list:\n%s", sel, view)
					}
					if tl := strings.Contains(view, "┌ timeline"); tl && !hasTimelineRow(lines, sel) {
						t.Errorf("the timeline shows but not n%d's row:\n%s", sel, view)
					} else if !tl && !showMap {
						t.Errorf("neither map nor timeline shows:\n%s", view)
					}
					if showMap && !strings.Contains(view, "┌ map") {
						t.Errorf("no map:\n%s", view)
					}
					if got := logRows(lines); got < minLogLines {
						t.Errorf("the event log has %d rows, want at least %d:\n%s", got, minLogLines, view)
					}
				})
			}
		}
	}
}

func hasTimelineRow(lines []string, id int) bool {
	in := false
	for _, l := range lines {
		if strings.Contains(l, "┌ timeline") {
			in = true
			continue
		}
		if in && strings.HasPrefix(l, fmt.Sprintf("│n%d ", id)) {
			return true
		}
	}
	return false
}

// logRows counts the rows inside the events box.
func logRows(lines []string) int {
	col, top := -1, -1
	for y, l := range lines {
		if i := strings.Index(l, "┌ events"); i >= 0 {
			col, top = len([]rune(l[:i])), y
			break
		}
	}
	if top < 0 {
		return 0
	}
	rows := 0
	for _, l := range lines[top+1:] {
		r := []rune(l)
		if col >= len(r) || r[col] != '│' {
			break
		}
		rows++
	}
	return rows
}

// The header names the leader with its own term, and the highest term
// apart when a node cut off has campaigned past it.
func TestHeaderLeaderTerm(t *testing.T) {
	h := newHarness(t, 5)
	h.advance(time.Second)
	leader := h.snap().Leader
	term := h.snap().Nodes[leader-1].Term
	header := ansi.Strip(headerAt(h.m, 120))
	if !strings.Contains(header, fmt.Sprintf("leader n%d term %d", leader, term)) || strings.Contains(header, "highest") {
		t.Fatalf("header %q, want leader n%d term %d and no other term", header, leader, term)
	}
	h.press(fmt.Sprint(leader%5+1), "d")
	h.advance(2 * time.Second)
	s := h.snap()
	if s.Leader != leader || s.MaxTerm <= term {
		t.Fatalf("leader n%d, max term %d: want n%d still leading while the cut-off node campaigns", s.Leader, s.MaxTerm, leader)
	}
	header = ansi.Strip(headerAt(h.m, 120))
	if !strings.Contains(header, fmt.Sprintf("leader n%d term %d", leader, term)) || !strings.Contains(header, fmt.Sprintf("highest term %d", s.MaxTerm)) {
		t.Fatalf("header %q, want leader n%d term %d and highest term %d", header, leader, term, s.MaxTerm)
	}
}

// The t=0 parameter lines fold into one.
func TestParamsFoldIntoOneLine(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(100 * ms)
	first := h.m.hist.decisions.ptr(0).text()
	for _, p := range []string{"latency = 1ms-5ms", "drop = 0", "prevote = off", "checkquorum = off"} {
		if !strings.Contains(first, p) {
			t.Errorf("first log line %q lacks %q", first, p)
		}
	}
	if h.m.hist.decisions.len() > 1 && strings.Contains(h.m.hist.decisions.ptr(1).text(), " set ") {
		t.Errorf("a second parameter line: %q", h.m.hist.decisions.ptr(1).text())
	}
}

// A timeout and the win that follows in the same column both show.
func TestTimelineKeepsTimeoutAndWin(t *testing.T) {
	h := newHarness(t, 1)
	nh := h.m.hist.node(1)
	nh.addMark(1002*ms, 0, markTimeout)
	nh.addMark(1002*ms, 0, markCandidate)
	nh.addMark(1006*ms, 0, markLeader)
	var b strings.Builder
	timelineRow(&b, h.m.Frame(), 1, time.Second, 10*ms, 5, -1)
	if got := ansi.Strip(b.String()); !strings.HasPrefix(got, "xL") {
		t.Fatalf("row %q, want the timeout then the win", got)
	}
}

// Paused and idle, a frame changes nothing and View draws nothing new;
// a key makes the next View draw.
func TestPausedIdleDrawsNothing(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(500 * ms)
	h.press("space")
	h.frame()
	_ = h.m.View()
	renders := 0
	for range 5 {
		h.frame()
		if h.m.dirty {
			renders++
		}
		_ = h.m.View()
	}
	if renders != 0 {
		t.Fatalf("%d of 5 idle paused frames asked for a redraw", renders)
	}
	if h.m.ticking {
		t.Fatal("paused and idle, the frame clock still runs")
	}
	ticks := 0
	h.m.tick = func() tea.Cmd { ticks++; return nil }
	h.press("m")
	if !h.m.dirty || !h.m.ticking || ticks != 1 {
		t.Fatal("a key did not ask for a redraw and restart the frame clock")
	}
	if strings.Contains(h.m.View().Content, "┌ map") {
		t.Fatal("the view was not redrawn after m hid the map")
	}
}

// The panels keep their places through any fault: the node list's width
// is the screen's, and a line says less rather than cut a word: the tally
// counted (✓2 ✗3), a connection summed up ("partition B (minority), 1
// link cut"), the log strips left out, an ellipsis where a line still does not fit. Before, the
// left column grew with the longest connection (the map and the log
// jumped) and a cut line lost "minority".
func TestNodesPanelSaysLessRatherThanCut(t *testing.T) {
	for _, size := range [][2]int{{120, 40}, {80, 24}, {160, 40}} {
		h := newHarness(t, 7)
		h.advance(time.Second)
		h.m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		mapX := func() int {
			_ = h.m.render()
			for _, p := range h.m.scr.placed {
				if p.c == clickable(h.m.scr.cmap) {
					return p.x
				}
			}
			return -1
		}
		for range 3 { // entries in every log: the strips are drawn
			if err := h.live.Apply(cluster.Command{Action: cluster.ActPut, Data: "x", Nodes: []int{cluster.LeaderNode}}); err != nil {
				t.Fatal(err)
			}
		}
		h.advance(100 * ms)
		before := mapX()
		for _, cmd := range []cluster.Command{
			{Action: cluster.ActPartition, Groups: [][]int{{1, 2}, {3, 4, 5}}},
			{Action: cluster.ActCut, Nodes: []int{3, 4}, OneWay: true},
			{Action: cluster.ActTimeout, Nodes: []int{1}},
		} {
			if err := h.live.Apply(cmd); err != nil {
				t.Fatal(err)
			}
		}
		h.advance(5 * ms)
		if after := mapX(); after != before {
			t.Errorf("%dx%d: the map moved from column %d to %d with a partition", size[0], size[1], before, after)
		}
		view := ansi.Strip(h.m.render())
		for _, want := range []string{"partition A (minority)", "partition B (minority), 1"} {
			if !strings.Contains(view, want) && !strings.Contains(view, "partition B, cut →n4, minority") {
				t.Errorf("%dx%d: %q is not on screen:\n%s", size[0], size[1], want, view)
			}
		}
		ends := regexp.MustCompile(`(connected|disconnected|minority|\(minority\)|partition [A-Z]|cut( [↔→←]n\d+)+|\d+ links? cut|[✓✗][\dn,]+|\d+%|voted n\d+|…)$`)
		for _, l := range strings.Split(view, "\n") {
			row := strings.TrimRight(strings.Split(strings.TrimPrefix(l, "│"), "│")[0], " ")
			if f := strings.Fields(strings.TrimPrefix(row, "▶")); len(f) < 3 || !strings.HasPrefix(f[0], "n") || !strings.HasPrefix(f[2], "t") {
				continue // not a node line
			}
			if !ends.MatchString(row) {
				t.Errorf("%dx%d: a node line ends neither in a whole word nor in an ellipsis: %q", size[0], size[1], row)
			}
		}
	}
}

// At 80 columns the header keeps PreVote and CheckQuorum, leader or none,
// late in a long run.
func TestHeaderAt80Columns(t *testing.T) {
	h := newHarness(t, 5)
	h.advance(time.Second)
	h.press("L", "k", "space")
	h.frame()
	h.m.snap.Now = 1234*time.Second + 567*ms
	for _, leader := range []int{0, 2} {
		h.m.snap.Leader = leader
		header := ansi.Strip(headerAt(h.m, 80))
		if ansi.StringWidth(header) != 80 || !switchesOff(header) || !strings.Contains(header, "PAUSED") ||
			!strings.Contains(header, "t=1234.567s") || !strings.Contains(header, "seed 5") || !regexp.MustCompile(`(term |t)1 `).MatchString(header) {
			t.Errorf("header %q", header)
		}
	}
}

// On etcd the header keeps the engine, in short, and the seed at 120 and
// 80 columns, running (in slow motion), paused and in the past, the
// options in fewer cells if need be.
func TestHeaderKeepsEtcdAndSeed(t *testing.T) {
	for _, tc := range []struct {
		seed   uint64
		engine string
		want   string
	}{
		{145460, cluster.EngineEtcd.String(), "etcd 15-29×10ms"},
		{7, cluster.EtcdServer, "etcd 10-19×100ms"},
	} {
		h := startHarness(t, tc.seed, true, cluster.LiveOptions{SlowVotes: true}, func(c *cluster.Config) {
			if err := cluster.UseEngine(c, tc.engine, nil); err != nil {
				t.Fatal(err)
			}
		})
		h.advance(300 * ms)
		check := func(state string) {
			for _, w := range []int{80, 120} {
				header := ansi.Strip(headerAt(h.m, w))
				seed := fmt.Sprintf("seed %d", tc.seed)
				if state == "past" && tc.seed > 99999 && w == 80 {
					seed = "" // the past's banner leaves no room for six digits
				}
				if ansi.StringWidth(header) != w || !strings.Contains(header, tc.want) || !strings.Contains(header, seed) || !regexp.MustCompile(`PV/CQ off|PreVote`).MatchString(header) {
					t.Errorf("%s, %s at %d columns: header %q, want %q and %q", tc.engine, state, w, header, tc.want, seed)
				}
			}
		}
		check("running")
		h.press("space")
		h.frame()
		check("paused")
		h.seekTo(100 * ms)
		check("past")
	}
}

// The edit form takes six rows; at the smallest height the wide layout
// allows, the body has fewer rows than the timeline wanted (issue 16: a
// slice out of range at 121x12). Every height from the smallest up, with
// every form open, draws a full screen.
func TestSmallBodiesWithAFormOpen(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(500 * ms)
	for _, keys := range [][]string{{"e"}, {"p"}, {":"}, {"/"}, {"?"}} {
		for _, w := range []int{80, 110, 121, 200} {
			for ht := minHeight; ht <= 16; ht++ {
				h.m.Update(tea.WindowSizeMsg{Width: w, Height: ht})
				h.press(keys...)
				checkShape(t, ansi.Strip(h.m.View().Content), w, ht)
				h.press("esc")
			}
		}
	}
}

// A candidate's tally can leave its line no room for the connection: a
// plain "connected" is then left out, and anything else ends in "…";
// never a word cut short ("connec").
func TestNodeLinesNeverCutAWord(t *testing.T) {
	h := newHarness(t, 5)
	h.advance(time.Second)
	cut := h.snap().Leader%5 + 1
	h.press(fmt.Sprint(cut), "d", "L", "k") // a cut-off node and an election
	for range 40 {
		h.advance(10 * ms)
		f := h.m.Frame()
		for w := 50; w <= 70; w++ {
			lines, _ := nodeLines(f, 0, 5, w)
			for _, l := range lines {
				l = ansi.Strip(l)
				if ansi.StringWidth(l) > w {
					t.Fatalf("at %d cells, a line of %d: %q", w, ansi.StringWidth(l), l)
				}
				word := strings.TrimRight(l[strings.LastIndex(strings.TrimRight(l, " "), " ")+1:], " ")
				if word != "" && (strings.HasPrefix("disconnected", word) || strings.HasPrefix("connected", word)) &&
					word != "disconnected" && word != "connected" {
					t.Fatalf("at %d cells, a word cut short: %q", w, l)
				}
			}
		}
	}
}

// switchesOff reports whether a header says PreVote and CheckQuorum are
// off, in full ("PreVote off · CheckQuorum off") or in short.
func switchesOff(header string) bool {
	return strings.Contains(header, "PreVote/CheckQuorum off") ||
		(strings.Contains(header, "PreVote off") && strings.Contains(header, "CheckQuorum off"))
}
