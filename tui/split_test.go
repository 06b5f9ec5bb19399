package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// newCompareHarness is a harness over two worlds of seed, world B being A
// with diff ("prevote=on"), as raftty --compare starts them.
func newCompareHarness(t testing.TB, seed uint64, diff string, opts ...func(*cluster.Config)) *harness {
	t.Helper()
	c, err := cluster.ParseCompare(diff)
	if err != nil {
		t.Fatal(err)
	}
	return startHarness(t, seed, true, cluster.LiveOptions{Compare: []cluster.Compare{c}}, opts...)
}

// marksOf is node id's timeline marks of kind k in hist.
func marksOf(hist *history, id int, k markKind) []time.Duration {
	var out []time.Duration
	n := hist.node(id)
	for i := range n.marks.len() {
		if m := n.marks.at(i); m.kind == k {
			out = append(out, m.at)
		}
	}
	return out
}

// afterKillCompared runs two worlds of seed 3 for 1.5s, kills the leader
// with L k, and runs on for a second: the worlds part at the first
// election and again at the one after the kill.
func afterKillCompared(h *harness) {
	h.advance(1500 * time.Millisecond)
	h.press("L", "k")
	h.advance(time.Second)
}

// A key reaches both worlds at the same virtual instant: L k kills the
// leader in world A and the same node in world B, at one moment, and both
// worlds' timelines and node lists show it.
func TestSplitKeyReachesBothWorlds(t *testing.T) {
	h := newCompareHarness(t, 3, "prevote=on")
	h.advance(1500 * time.Millisecond)
	leader := h.snap().Leader
	if leader == 0 || h.snap().Compared.B.Leader != leader {
		t.Fatalf("want one leader in both worlds at 1.5s: A n%d, B n%d", leader, h.snap().Compared.B.Leader)
	}
	h.press("L", "k")
	h.frame()
	a, b := marksOf(h.m.hist, leader, markKill), marksOf(h.m.histB, leader, markKill)
	if len(a) != 1 || len(b) != 1 || a[0] != b[0] || a[0] != 1500*time.Millisecond {
		t.Fatalf("n%d killed in A at %v, in B at %v: want once each, both at 1.5s", leader, a, b)
	}
	f := h.m.Frame()
	if f.snap.Nodes[leader-1].Alive || f.b.snap.Nodes[leader-1].Alive {
		t.Fatal("the killed leader is alive in a world's node list")
	}
	view := ansi.Strip(h.m.render())
	if strings.Count(view, fmt.Sprintf("n%d   dead", leader)) != 2 {
		t.Fatalf("both node lists should show n%d dead:\n%s", leader, view)
	}
}

// D puts the cursor on the first moment the worlds part, > and < on the
// later ones; the header names the divergence at the cursor, both sides;
// both timelines mark every divergence on their axes, at its column.
func TestSplitDivergenceMarkedAndJumped(t *testing.T) {
	h := newCompareHarness(t, 3, "prevote=on")
	afterKillCompared(h)
	divs := h.snap().Compared.Divergences
	if len(divs) < 2 {
		t.Fatalf("want two divergences (first election, election after the kill), have %d", len(divs))
	}
	for _, step := range []struct {
		key string
		i   int
	}{{"D", 0}, {">", 1}, {"<", 0}, {">", 1}} {
		h.press(step.key)
		d := divs[step.i]
		if !h.m.cur.past || h.m.cur.at != d.At {
			t.Fatalf("%s: cursor at %v (past %v), want divergence %d at %v", step.key, h.m.cur.at, h.m.cur.past, step.i, d.At)
		}
		view := strings.Join(strings.Fields(ansi.Strip(h.m.render())), " ")
		for _, want := range []string{fmt.Sprintf("at %.3fs", d.At.Seconds()), d.Side(cluster.WorldA), d.Side(cluster.WorldB)} {
			if !strings.Contains(view, want) {
				t.Errorf("%s: the screen lacks %q", step.key, want)
			}
		}
	}
	h.press("end", "]", "]") // 50ms a column: both divergences on screen
	_ = h.m.render()
	for _, g := range []timelineGeom{h.m.scr.tl, h.m.scr.tlB} {
		lines := strings.Split(ansi.Strip(h.m.render()), "\n")
		axisRow := []rune(lines[g.y0+g.rows])[g.x0 : g.x0+g.cols]
		want := 0
		for _, d := range divs {
			if d.At >= g.start && d.At < g.start+time.Duration(g.cols)*g.zoom {
				want++
				col := int((d.At - g.start) / g.zoom)
				if axisRow[col] != '◆' {
					t.Errorf("the divergence at %v is not marked at column %d of the axis %q", d.At, col, string(axisRow))
				}
			}
		}
		if want == 0 || strings.Count(string(axisRow), "◆") != want {
			t.Errorf("axis %q: want %d marks", string(axisRow), want)
		}
	}
}

// A command given in the past forks both worlds: the recorded future after
// the cursor goes from both histories, and both go on from the cursor
// with the command carried out.
func TestSplitForkForksBoth(t *testing.T) {
	h := newCompareHarness(t, 3, "prevote=on")
	afterKillCompared(h)
	killed := h.snap().Nodes
	h.seekTo(time.Second)
	h.press("2", "k")
	if h.m.cur.past {
		t.Fatal("a command in the past did not fork to live")
	}
	rec := h.live.Recording()
	if len(rec) != 1 || rec[0].At != time.Second || rec[0].Cmd.String() != "kill 2" {
		t.Fatalf("recording after the fork: %v, want kill 2 at 1s alone", rec)
	}
	snap := h.snap()
	for w, nodes := range [][]cluster.NodeStatus{snap.Nodes, snap.Compared.B.Nodes} {
		if nodes[1].Alive || snap.Now != time.Second {
			t.Fatalf("world %d after the fork at 1s: now %v, n2 alive %v", w, snap.Now, nodes[1].Alive)
		}
	}
	for _, hist := range []*history{h.m.hist, h.m.histB} {
		for id := range killed {
			if k := marksOf(hist, id+1, markKill); len(k) > 0 && k[len(k)-1] > time.Second {
				t.Fatalf("n%d's kill at %v, after the fork, is still on a timeline", id+1, k)
			}
		}
		if got := marksOf(hist, 2, markKill); len(got) != 1 || got[0] != time.Second {
			t.Fatalf("n2's kill at the fork: %v", got)
		}
	}
}

// w writes one file that replays both worlds: its compare line makes world
// B, and a headless run of it ends where the view was, in both worlds.
func TestSplitSaveReplaysBoth(t *testing.T) {
	h := newCompareHarness(t, 3, "prevote=on")
	afterKillCompared(h)
	h.press("3", "d")
	h.advance(700 * time.Millisecond)
	h.press("space", "w")
	path := savedPath(t, h)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "\ncompare prevote=on\n") {
		t.Fatalf("the saved file has no compare line:\n%s", data)
	}
	script, err := scenario.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := cluster.DefaultConfig()
	script.Configure(&cfg, nil)
	run, err := scenario.NewComparison(cfg, script.Compare, script, script.For, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	run.Finish()
	live := h.snap()
	for _, w := range []struct {
		name       string
		got        *cluster.Cluster
		want       cluster.Snapshot
		wantConfig cluster.Config
	}{{"A", run.Worlds.A(), live, live.Config}, {"B", run.Worlds.B(), live.Compared.B, live.Compared.B.Config}} {
		got := w.got
		if got.Now() != w.want.Now || fmt.Sprint(got.Nodes()) != fmt.Sprint(w.want.Nodes) ||
			fmt.Sprint(got.Stats()) != fmt.Sprint(w.want.Stats) || got.Config() != w.wantConfig {
			t.Errorf("world %s: the replay ends at %v with\n%v\n%+v\nthe view had %v with\n%v\n%+v",
				w.name, got.Now(), got.Nodes(), got.Stats(), w.want.Now, w.want.Nodes, w.want.Stats)
		}
	}
}

// savedPath is where the status line says w saved.
func savedPath(t *testing.T, h *harness) string {
	t.Helper()
	const saved = "saved to "
	i := strings.Index(h.m.status, saved)
	if i < 0 {
		t.Fatalf("not saved: %s", h.m.status)
	}
	path, _, _ := strings.Cut(h.m.status[i+len(saved):], "  ")
	if !filepath.IsAbs(path) {
		t.Fatalf("saved to %q", path)
	}
	return path
}

// A click on world B's timeline moves the one cursor there, and a drag
// follows it, as on world A's.
func TestSplitClickOnWorldBTimeline(t *testing.T) {
	h := newCompareHarness(t, 3, "prevote=on")
	h.advance(3 * time.Second)
	for _, size := range []struct{ w, h int }{{120, 40}, {80, 24}} {
		h.m.Update(tea.WindowSizeMsg{Width: size.w, Height: size.h})
		h.press("end")
		_ = h.m.render()
		g := h.m.scr.tlB
		if !h.m.scr.tlBShown || g.x0 == h.m.scr.tl.x0 && g.y0 == h.m.scr.tl.y0 {
			t.Fatalf("%dx%d: world B's timeline is not drawn apart from A's", size.w, size.h)
		}
		x, y := g.x0+g.cols/2, g.y0+1
		want, _ := g.momentAt(x, y)
		h.mouse(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
		if !h.m.cur.past || h.m.cur.at != want {
			t.Fatalf("%dx%d: click on B's timeline: cursor %v, want %v", size.w, size.h, h.m.cur.at, want)
		}
		h.mouse(tea.MouseMotionMsg{X: x - 5, Y: y, Button: tea.MouseLeft})
		h.mouse(tea.MouseReleaseMsg{X: x - 5, Y: y})
		if h.m.cur.at != want-5*g.zoom {
			t.Fatalf("%dx%d: drag on B's timeline: cursor %v, want %v", size.w, size.h, h.m.cur.at, want-5*g.zoom)
		}
	}
}

// Every size from 80x24 up, with 5, 25 and 101 nodes, log or map: the
// split view fills the screen exactly, shows both worlds and where they
// part, and keeps the selected node in view in both node lists.
func TestSplitLayouts(t *testing.T) {
	for _, nodes := range []int{5, 25, 101} {
		h := newCompareHarness(t, 7, "prevote=on", withNodes(nodes))
		h.advance(time.Second)
		sel := nodes - 3
		h.m.selectNode(sel)
		for _, size := range []struct{ w, h int }{{80, 24}, {100, 30}, {120, 40}, {250, 70}} {
			for _, showMap := range []bool{false, true} {
				t.Run(fmt.Sprintf("%dnodes_%dx%d_map%v", nodes, size.w, size.h, showMap), func(t *testing.T) {
					h.m.scr.splitMap = showMap
					h.m.Update(tea.WindowSizeMsg{Width: size.w, Height: size.h})
					view := ansi.Strip(h.m.render())
					checkShape(t, view, size.w, size.h)
					for _, want := range []string{"world A", "world B · prevote=on", "worlds diverge at"} {
						if !strings.Contains(view, want) {
							t.Errorf("lacks %q:\n%s", want, view)
						}
					}
					if got := strings.Count(view, fmt.Sprintf("▶ n%d ", sel)); got != 2 {
						t.Errorf("the selected n%d shows in %d node lists, want 2:\n%s", sel, got, view)
					}
				})
			}
		}
	}
}

// An expectation checked in both worlds holds only if it holds in both,
// and says in which it failed; one that names a world is that world's.
func TestSplitChecklist(t *testing.T) {
	cl := checklist{results: map[checkKey]checkResult{}}
	live := &Frame{cur: &timeCursor{}} // live: every result shown by its time
	cl.observe(&cluster.Event{Kind: cluster.KindExpect, Source: "l:1", World: cluster.WorldA, At: time.Second, Passed: true})
	cl.observe(&cluster.Event{Kind: cluster.KindExpect, Source: "l:1", World: cluster.WorldB, At: time.Second, Got: "3"})
	cl.observe(&cluster.Event{Kind: cluster.KindExpect, Source: "l:2", World: cluster.WorldB, At: time.Second, Passed: true})
	if r, ok := cl.result(live, "l:1", time.Second); !ok || r.passed || r.got != "3 in B" {
		t.Fatalf("shared, failed in B: %+v", r)
	}
	if r, ok := cl.result(live, "l:2", time.Second); !ok || !r.passed {
		t.Fatalf("world B's own: %+v", r)
	}
	if _, ok := cl.result(live, "l:1", time.Second-1); ok {
		t.Fatal("a result shows before it was decided")
	}
}

// The split view's screens as a person reaches them: after the leader's
// kill, at the second divergence, at 120x40 (side by side) and 80x24
// (stacked).
func TestGoldenSplit(t *testing.T) {
	for _, size := range []struct{ w, h int }{{120, 40}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			h := newCompareHarness(t, 3, "prevote=on")
			h.m.Update(tea.WindowSizeMsg{Width: size.w, Height: size.h})
			afterKillCompared(h)
			h.press("D", ">")
			text := ansi.Strip(h.m.View().Content)
			checkShape(t, text, size.w, size.h)
			golden.RequireEqual(t, text)
		})
	}
}

// The inspector shows a node in both worlds, and a violation in world B
// gets its banner too.
func TestSplitInspectorAndViolation(t *testing.T) {
	h := newCompareHarness(t, 3, "prevote=on")
	afterKillCompared(h)
	h.press("2", "enter")
	view := strings.Join(strings.Fields(ansi.Strip(h.m.render())), " ")
	for _, want := range []string{"inspect n2", "│world A: ", "│world B · prevote=on: "} {
		if !strings.Contains(view, want) {
			t.Errorf("the inspector lacks %q:\n%s", want, view)
		}
	}
	h.press("esc")
	e := cluster.Event{At: h.snap().Now, Kind: cluster.KindViolation, World: cluster.WorldB, Invariant: "election-safety", Detail: "two leaders"}
	historyOf(&e, h.m.hist, h.m.histB).ingest(&e)
	if view := ansi.Strip(h.m.render()); !strings.Contains(view, "world B: ") {
		t.Errorf("no banner for world B's violation:\n%s", view)
	}
}

// At 80x24 a two-worlds lesson (16: its title, checklist and a line of
// what to watch take three rows) still shows every node's row in both
// worlds' timelines, as their node lists do: the divergence is said on a
// line a side rather than a node's row going unseen, and where a step's
// status takes a row more, the timelines' axis gives it. Paused at the
// start, stepping and running.
func TestSplitLessonKeepsEveryTimelineRow(t *testing.T) {
	h := newBuiltinHarness(t, "16", 1, 80, 24)
	check := func(when string) {
		t.Helper()
		screen := ansi.Strip(h.m.render())
		checkShape(t, screen, 80, 24)
		if !strings.Contains(screen, "The returning follower") {
			t.Fatalf("%s: the lesson's title is gone:\n%s", when, screen)
		}
		for id := 1; id <= 5; id++ {
			// A timeline's row starts at its box's edge, a node list's
			// after the selection's column.
			if got := strings.Count(screen, fmt.Sprintf("│n%d   ", id)); got != 2 {
				t.Errorf("%s: n%d's timeline row shows %d times, want 2 (a world each):\n%s", when, id, got, screen)
			}
		}
	}
	check("paused")
	for range 3 {
		h.press(".") // a decision named in full: the status takes two lines
	}
	check("stepping")
	h.press("space")
	h.advance(20 * time.Second) // 2s on the lesson's clock, at 0.1x
	check("running")
}

// A world's timeline with fewer rows than nodes says which it shows, as
// its node list does ("nodes 1-6 of 7"): the rows named, and only those,
// are on screen, live and in the past.
func TestSplitTimelineSaysWhichRows(t *testing.T) {
	title := regexp.MustCompile(`timeline n(\d+)-n(\d+) of (\d+)`)
	for _, tc := range []struct{ nodes, w, h int }{{7, 80, 24}, {25, 100, 30}, {25, 120, 40}} {
		h := newCompareHarness(t, 7, "prevote=on", withNodes(tc.nodes))
		h.advance(time.Second)
		for _, past := range []bool{false, true} {
			t.Run(fmt.Sprintf("%dnodes_%dx%d_past%v", tc.nodes, tc.w, tc.h, past), func(t *testing.T) {
				h.m.Update(tea.WindowSizeMsg{Width: tc.w, Height: tc.h})
				if past {
					h.press("left")
				}
				screen := ansi.Strip(h.m.render())
				named := title.FindAllStringSubmatch(screen, -1)
				if len(named) != 2 {
					t.Fatalf("%d timelines say which rows they show, want 2 (a world each):\n%s", len(named), screen)
				}
				for _, m := range named {
					lo, _ := strconv.Atoi(m[1])
					hi, _ := strconv.Atoi(m[2])
					if m[3] != strconv.Itoa(tc.nodes) || lo < 1 || hi >= tc.nodes || lo > hi {
						t.Fatalf("title %q for %d nodes", m[0], tc.nodes)
					}
					for id := 1; id <= tc.nodes; id++ {
						want := 0
						if id >= lo && id <= hi {
							want = 2
						}
						if got := strings.Count(screen, fmt.Sprintf("│n%-4d", id)); got != want {
							t.Errorf("%s: n%d's timeline row shows %d times, want %d:\n%s", m[0], id, got, want, screen)
						}
					}
				}
			})
		}
	}
}

// At 80x24 the split view's node lists end a line in "…" only where they
// cut something (a candidate's tally), never for the columns' padding: a
// follower's, a leader's and a dead node's lines are whole.
func TestSplitNodeLinesCutOnlyWhatIsCut(t *testing.T) {
	h := newCompareHarness(t, 3, "prevote=on")
	h.m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	afterKillCompared(h)
	lists := 0
	for _, line := range strings.Split(ansi.Strip(h.m.render()), "\n") {
		if !strings.HasPrefix(line, "│") || !strings.Contains(line, "││n") {
			continue
		}
		node := line[:strings.Index(line, "││n")]
		lists++
		cut := strings.Contains(node, "…")
		if tallied := strings.Contains(node, "votes "); cut != tallied {
			t.Errorf("cut %v, a tally %v: %q", cut, tallied, node)
		}
	}
	if lists != 10 {
		t.Fatalf("%d node lines beside a timeline row, want 10", lists)
	}
}

// The layout keys say what they do to two worlds: T hides no timeline
// (it says why), and m, where the stacked worlds leave no rows below their
// timelines, says that nothing shows; where rows are left, it shows the
// maps.
func TestSplitLayoutKeysSayWhatTheyDo(t *testing.T) {
	for _, tc := range []struct {
		w, h    int
		mapRoom bool
	}{{80, 24, false}, {120, 40, true}} {
		t.Run(fmt.Sprintf("%dx%d", tc.w, tc.h), func(t *testing.T) {
			h := newCompareHarness(t, 3, "prevote=on")
			h.m.Update(tea.WindowSizeMsg{Width: tc.w, Height: tc.h})
			h.advance(time.Second)
			h.frame()
			h.press("T")
			h.frame()
			if !strings.Contains(h.m.status, "two worlds always show both timelines") {
				t.Errorf("T's status %q", h.m.status)
			}
			if view := ansi.Strip(h.m.render()); strings.Count(view, "timeline") < 2 {
				t.Errorf("T hid a world's timeline:\n%s", view)
			}
			h.press("m")
			h.frame()
			if got := strings.Contains(h.m.status, "no rows left"); got == tc.mapRoom {
				t.Errorf("m's status %q: says there is no room %v, want %v", h.m.status, got, !tc.mapRoom)
			}
			h.m.render()
			if tc.mapRoom && !h.m.scr.drew(h.m.scr.cmap) {
				t.Error("m with room below the timelines drew no map")
			}
		})
	}
}

// Two worlds on etcd say so at 80 columns, where their header is full:
// the engine outlives the seed, in a word if need be.
func TestSplitHeaderNamesTheEngineAt80(t *testing.T) {
	h := newCompareHarness(t, 3, "prevote=on", func(c *cluster.Config) { c.Engine = cluster.EngineEtcd })
	h.advance(200 * time.Millisecond)
	for _, w := range []int{80, 120} {
		if hd := headerAt(h.m, w); !strings.Contains(hd, "etcd") {
			t.Errorf("at %d columns the two worlds' header does not name etcd: %q", w, hd)
		}
	}
}
