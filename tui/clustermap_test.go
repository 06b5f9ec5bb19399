package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"raftty/cluster"
)

// snapshotOf takes what a Live cluster would publish of c.
func snapshotOf(c *cluster.Cluster) cluster.Snapshot {
	return cluster.Snapshot{
		Now: c.Now(), Leader: c.Leader(), Nodes: c.Nodes(), Stats: c.Stats(), Config: c.Config(),
		Speed: 0.1, Paused: true, MaxTerm: c.MaxTerm(), Flights: c.InFlight(), Cuts: c.CutLinks(),
		Decision: c.Decision(),
	}
}

// headless runs a cluster of the default config (changed by opts) on its
// own, keeping its events, for views of fixed moments.
type headless struct {
	c      *cluster.Cluster
	events []cluster.Event
}

func newHeadless(t testing.TB, seed uint64, opts ...func(*cluster.Config)) *headless {
	t.Helper()
	cfg := cluster.DefaultConfig()
	cfg.Seed = seed
	for _, o := range opts {
		o(&cfg)
	}
	h := &headless{}
	c, err := cluster.New(cfg, func(e cluster.Event) { h.events = append(h.events, e) })
	if err != nil {
		t.Fatal(err)
	}
	c.ReportParams()
	h.c = c
	return h
}

// stepUntil steps the cluster until an event satisfies ok.
func (h *headless) stepUntil(t testing.TB, ok func(e *cluster.Event) bool) {
	t.Helper()
	for range 100000 {
		n := len(h.events)
		if !h.c.Step() {
			break
		}
		for i := n; i < len(h.events); i++ {
			if ok(&h.events[i]) {
				return
			}
		}
	}
	t.Fatal("the awaited event never came")
}

// model is a UI over the cluster as it is now, with its whole history.
func (h *headless) model(w, ht int) *Model {
	m := New(frozen{snap: snapshotOf(h.c)}, Options{NoColor: true})
	for i := range h.events {
		m.hist.ingest(&h.events[i])
	}
	m.Update(tea.WindowSizeMsg{Width: w, Height: ht})
	return m
}

// mapText is the map box, escape codes stripped, without its legend, so
// that counting glyphs counts messages.
func mapText(m *Model, w, h int) string {
	s, _ := mapDrawn(m, w, h)
	return s
}

// mapDrawn is mapText and the panel that drew it.
func mapDrawn(m *Model, w, h int) (string, *mapPanel) {
	p := newMapPanel()
	p.SetSize(w, h)
	var keep []string
	legend := mapLegendOf(m.Frame().snap.Config.Engine)
	for _, l := range p.View(m.Frame()) {
		if l = ansi.Strip(l); !strings.Contains(l, legend.one) && !strings.Contains(l, legend.two) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n"), p
}

func isCandidacy(e *cluster.Event) bool {
	return e.Kind == cluster.KindState && e.State == cluster.StateCandidate
}

// Golden maps at fixed seeds, each also checked for what it must show, so
// that an -update cannot bless a map that lost it.
func TestMapGolden(t *testing.T) {
	t.Run("requestvotes_in_flight", func(t *testing.T) {
		h := newHeadless(t, 42)
		h.stepUntil(t, isCandidacy)
		h.c.RunFor(time.Millisecond) // under way, none arrived yet
		m := h.model(120, 40)
		if n := len(m.snap.Flights); n != 4 {
			t.Fatalf("%d messages in flight, want the candidate's 4 RequestVotes", n)
		}
		view := mapText(m, 60, 20)
		if got := strings.Count(view, "◆"); got != 4 {
			t.Errorf("%d RequestVotes (◆) on the map, want 4:\n%s", got, view)
		}
		if !strings.Contains(view, "1/3") {
			t.Errorf("the candidate's tally 1/3 is not on the map:\n%s", view)
		}
		golden.RequireEqual(t, []byte(view))
	})
	t.Run("drop", func(t *testing.T) {
		h := newHeadless(t, 42)
		h.c.RunFor(time.Second)
		leader := h.c.Leader()
		victim := leader%5 + 1
		if err := h.c.Kill(victim); err != nil {
			t.Fatal(err)
		}
		h.c.RunFor(60 * time.Millisecond) // a heartbeat round dies at the dead node
		m := h.model(120, 40)
		view := mapText(m, 60, 20)
		if !strings.Contains(view, "✕") || !strings.Contains(view, "dead") {
			t.Errorf("no drop (✕) beside dead n%d:\n%s", victim, view)
		}
		golden.RequireEqual(t, []byte(view))
	})
	t.Run("one_way_cut", func(t *testing.T) {
		h := newHeadless(t, 42)
		h.c.RunFor(time.Second)
		if err := h.c.Cut(1, 3, true); err != nil {
			t.Fatal(err)
		}
		h.c.RunFor(5 * time.Millisecond)
		m := h.model(120, 40)
		view := mapText(m, 60, 20)
		if strings.Count(view, "×") != 1 {
			t.Errorf("want one cut mark (×) on the map:\n%s", view)
		}
		golden.RequireEqual(t, []byte(view))
	})
}

// The mark of a one-way cut sits near the node the message cannot reach,
// and moves to the middle when the link is cut both ways.
func TestMapCutMarkPosition(t *testing.T) {
	where := func(cut func(c *cluster.Cluster) error) (int, int) {
		h := newHeadless(t, 42, func(c *cluster.Config) { c.Nodes = 2 })
		if err := cut(h.c); err != nil {
			t.Fatal(err)
		}
		m := h.model(120, 40)
		for y, line := range strings.Split(mapText(m, 40, 20), "\n") {
			if x := strings.Index(line, "×"); x >= 0 {
				return len([]rune(line[:x])), y
			}
		}
		t.Fatal("no cut mark")
		return 0, 0
	}
	// n1 is at the top, n2 at the bottom.
	_, oneWay := where(func(c *cluster.Cluster) error { return c.Cut(1, 2, true) })
	_, back := where(func(c *cluster.Cluster) error { return c.Cut(2, 1, true) })
	_, both := where(func(c *cluster.Cluster) error { return c.Cut(1, 2, false) })
	if !(back < both && both < oneWay) {
		t.Fatalf("cut mark rows: n2->n1 %d, both %d, n1->n2 %d: want near n1, middle, near n2", back, both, oneWay)
	}
}

// A message is drawn where its times put it: near its sender just after
// sending, near its receiver just before arriving.
func TestMapFlightPosition(t *testing.T) {
	h := newHeadless(t, 1, func(c *cluster.Config) { c.Nodes = 2; c.LatencyMin, c.LatencyMax = 10*ms, 10*ms })
	h.stepUntil(t, isCandidacy)
	cand := h.events[len(h.events)-1].Node
	rows := func(after time.Duration) int {
		m := h.model(120, 40)
		m.snap.Now = m.snap.Flights[0].SentAt + after
		for y, line := range strings.Split(mapText(m, 40, 20), "\n") {
			if strings.Contains(line, "◆") {
				return y
			}
		}
		t.Fatal("no RequestVote on the map")
		return 0
	}
	early, late := rows(time.Millisecond), rows(9*time.Millisecond)
	// n1 is at the top: a message from it moves down the screen.
	if (cand == 1) != (early < late) || early == late {
		t.Fatalf("RequestVote from n%d at row %d after 1ms, %d after 9ms", cand, early, late)
	}
}

// More than ringMax nodes: one letter a node, the selected one named.
func TestMapCompactForm(t *testing.T) {
	h := newHeadless(t, 3, func(c *cluster.Config) { c.Nodes = 25 })
	h.c.RunFor(time.Second)
	m := h.model(120, 40)
	m.selectNode(17)
	view := mapText(m, 60, 16)
	if !strings.Contains(view, "n17") || !strings.Contains(view, fmt.Sprintf("n%d", h.c.Leader())) {
		t.Fatalf("the selected n17 and the leader are not named:\n%s", view)
	}
}

// A message dropped as it is sent (its sender's peer is disconnected) is
// marked beside its sender; one that dies arriving, beside its receiver.
func TestMapDropPlaces(t *testing.T) {
	h := newHeadless(t, 42)
	h.c.RunFor(time.Second)
	leader := h.c.Leader()
	cut := leader%5 + 1
	if err := h.c.Disconnect(cut); err != nil {
		t.Fatal(err)
	}
	h.c.RunFor(60 * time.Millisecond)
	m := h.model(120, 40)
	text, drawn := mapDrawn(m, 60, 20)
	lines := strings.Split(text, "\n")
	marked := func(x, y int) bool {
		r := []rune(lines[y+1]) // below the box's top border
		return x+1 < len(r) && r[x+1] == '✕'
	}
	found := false
	for i := 0; i < m.hist.drops.len(); i++ {
		d := m.hist.drops.at(i)
		if d.at < m.snap.Now-dropLinger(&m.snap) {
			continue
		}
		if !d.atSend || d.from != leader || d.to != cut {
			t.Fatalf("drop %+v: want heartbeats from n%d to disconnected n%d, dropped at sending", d, leader, cut)
		}
		if x, y := drawn.draw.at(d.from, d.to, 0); !marked(x, y) {
			t.Fatalf("no ✕ beside the sender n%d at (%d,%d):\n%s", leader, x, y, strings.Join(lines, "\n"))
		}
		found = true
	}
	if !found {
		t.Fatal("no recent drop")
	}
}

// A message dropped at the very moment the map shows is marked there: a
// step onto a drop shows it.
func TestMapMarksADropAtItsMoment(t *testing.T) {
	h := newHeadless(t, 42)
	h.c.RunFor(time.Second)
	if err := h.c.Disconnect(h.c.Leader()%5 + 1); err != nil {
		t.Fatal(err)
	}
	h.stepUntil(t, func(e *cluster.Event) bool { return e.Kind == cluster.KindDrop })
	m := h.model(120, 40)
	if d, _ := m.hist.drops.last(); d.at != m.snap.Now {
		t.Fatalf("the newest drop is at %v, the map at %v", d.at, m.snap.Now)
	}
	if !strings.Contains(mapText(m, 60, 20), "✕") {
		t.Fatalf("no ✕ for the drop at the moment shown:\n%s", mapText(m, 60, 20))
	}
}

// An AppendEntries (etcd's MsgApp) that carries entries shows their
// number beside it: ●1; a heartbeat is a bare ●.
func TestMapCountsEntries(t *testing.T) {
	for _, e := range cluster.Engines() {
		t.Run(e.String(), func(t *testing.T) {
			h := newHeadless(t, 1, func(c *cluster.Config) { c.Nodes = 3; c.LatencyMin, c.LatencyMax = 10*ms, 10*ms; c.Engine = e })
			h.stepUntil(t, func(e *cluster.Event) bool { return e.Kind == cluster.KindState && e.State == cluster.StateLeader })
			h.c.RunFor(100 * ms)
			if _, err := h.c.Execute(cluster.Command{Action: cluster.ActPut, Nodes: []int{cluster.LeaderNode}}); err != nil {
				t.Fatal(err)
			}
			m := h.model(120, 40)
			m.snap.Now += 5 * ms
			if text := mapText(m, 40, 20); strings.Count(text, "●1") != 2 {
				t.Fatalf("want two appends with one entry each (●1):\n%s", text)
			}
		})
	}
}

// The map's legend names the messages as the event log does, in the words
// of the engine that sends them: etcd's MsgVote and MsgPreVote, not the
// textbook's RequestVote and PreVote; with two worlds, each world's map
// its own engine's, and the help both.
func TestMapLegendSpeaksTheEngine(t *testing.T) {
	words := map[cluster.Engine][]string{
		cluster.EngineTextbook: {"◆ RequestVote ◇ PreVote ✓ granted"},
		cluster.EngineEtcd:     {"◆ MsgVote ◇ MsgPreVote ✓ granted"},
	}
	legendOf := func(f *Frame, w, h int) string {
		p := newMapPanel()
		p.SetSize(w, h)
		return ansi.Strip(strings.Join(p.View(f), "\n"))
	}
	check := func(t *testing.T, text string, e cluster.Engine) {
		t.Helper()
		for engine, want := range words {
			for _, w := range want {
				if got := strings.Contains(text, w); got != (engine == e) {
					t.Errorf("the %v engine's map shows %q: %v\n%s", e, w, got, text)
				}
			}
		}
	}
	for _, e := range cluster.Engines() {
		t.Run(e.String(), func(t *testing.T) {
			h := newHarness(t, 42, func(c *cluster.Config) { c.Engine = e })
			h.advance(time.Second)
			for _, size := range []struct{ w, h int }{{100, 16}, {50, 20}} { // on one line, on two
				check(t, legendOf(h.m.Frame(), size.w, size.h), e)
			}
		})
	}
	t.Run("two worlds", func(t *testing.T) {
		h := newCompareHarness(t, 3, "engine=etcd")
		h.advance(time.Second)
		f := h.m.Frame()
		check(t, legendOf(f, 100, 16), cluster.EngineTextbook)
		check(t, legendOf(f.b, 100, 16), cluster.EngineEtcd)
		h.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		h.press("?")
		var help string
		for range 10 {
			help += ansi.Strip(h.m.render())
			h.press("pgdown")
		}
		for _, w := range []string{"◆ RequestVote ◇ PreVote", "world B's map (etcd): ◆ MsgVote ◇ MsgPreVote", "a MsgApp carrying 3 entries"} {
			if !strings.Contains(help, w) {
				t.Errorf("the help lacks %q", w)
			}
		}
	})
}
