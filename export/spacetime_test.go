package export

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"raftty/cluster"
	"raftty/raft"
)

const ms = time.Millisecond

// spacetimeRun runs a cluster of n nodes with 5% loss, kills the leader
// at kill (if not zero) and runs to end, feeding a spacetime of the window
// from..to; it returns the diagram and every event of the run.
func spacetimeRun(t *testing.T, n int, seed uint64, kill, end, from, to time.Duration) ([]byte, []cluster.Event) {
	t.Helper()
	cfg := cluster.DefaultConfig()
	cfg.Nodes, cfg.Seed, cfg.DropRate = n, seed, 0.05
	st := NewSpacetime(n, from, to)
	var events []cluster.Event
	c, err := cluster.New(cfg, func(e cluster.Event) {
		events = append(events, e)
		st.Add(e)
	})
	if err != nil {
		t.Fatal(err)
	}
	if kill > 0 {
		c.RunUntil(kill)
		if err := c.Kill(c.Leader()); err != nil {
			t.Fatal(err)
		}
	}
	c.RunUntil(end)
	return st.SVG(fmt.Sprintf("test %d nodes", n)), events
}

// messagesIn returns the numbers of the messages a window must draw: sent
// by its end, and not ended before its start.
func messagesIn(events []cluster.Event, from, to time.Duration) map[uint64]bool {
	sent := map[uint64]bool{}
	for _, e := range events {
		switch e.Kind {
		case cluster.KindSend:
			if e.At <= to {
				sent[e.Msg] = true
			}
		case cluster.KindDeliver, cluster.KindDrop:
			if e.At < from {
				delete(sent, e.Msg)
			}
		}
	}
	return sent
}

func hasClass(e *element, class string) bool {
	return strings.Contains(" "+e.attrs["class"]+" ", " "+class+" ")
}

// TestSpacetimeDrawsEveryMessage checks the diagram's elements against the
// run: one line per node, one arrow per message of the window, each from
// its sender's line to its receiver's, a cross at the end of each drop, a
// mark per change of role.
func TestSpacetimeDrawsEveryMessage(t *testing.T) {
	const n = 5
	from, to := 1500*ms, 2600*ms
	doc, events := spacetimeRun(t, n, 11, 2*time.Second, 3*time.Second, from, to)
	svg := parseXML(t, doc)

	if lines := svg.all(func(e *element) bool { return hasClass(e, "lifeline") }); len(lines) != n {
		t.Errorf("%d lifelines, want %d", len(lines), n)
	}
	// The columns' x, read from the lifelines.
	column := map[float64]int{}
	for i, l := range svg.all(func(e *element) bool { return hasClass(e, "lifeline") }) {
		column[float(t, l.attrs["x1"])] = i + 1
	}

	want := messagesIn(events, from, to)
	ends := map[uint64]cluster.Event{}
	for _, e := range events {
		if e.Kind == cluster.KindDeliver || e.Kind == cluster.KindDrop {
			ends[e.Msg] = e
		}
	}
	drawn := map[uint64]bool{}
	drops := 0
	for _, g := range svg.all(func(e *element) bool { return hasClass(e, "msg") }) {
		id, err := strconv.ParseUint(g.attrs["data-msg"], 10, 64)
		if err != nil || drawn[id] {
			t.Fatalf("message %q drawn twice or unnumbered", g.attrs["data-msg"])
		}
		drawn[id] = true
		line := g.named("line")[0]
		end, ended := ends[id]
		if !ended {
			continue
		}
		x1, x2 := float(t, line.attrs["x1"]), float(t, line.attrs["x2"])
		if column[x1] != end.From {
			t.Errorf("message %d (%s) starts in column %d", id, end.String(), column[x1])
		}
		if end.Kind == cluster.KindDeliver && column[x2] != end.To {
			t.Errorf("message %d (%s) ends in column %d", id, end.String(), column[x2])
		}
		if end.Kind == cluster.KindDrop {
			drops++
			cross := g.named("path")
			if !hasClass(g, "drop") || len(cross) != 1 || !strings.HasPrefix(cross[0].attrs["d"], fmt.Sprintf("M%s %s", num(float(t, line.attrs["x2"])-4), num(float(t, line.attrs["y2"])-4))) {
				t.Errorf("dropped message %d (%s) does not end in a cross at its line's end", id, end.String())
			}
		}
	}
	if len(drawn) != len(want) {
		t.Errorf("%d arrows, want one for each of the window's %d messages", len(drawn), len(want))
	}
	for id := range want {
		if !drawn[id] {
			t.Errorf("message %d is in the window but not drawn", id)
			break
		}
	}
	if drops == 0 {
		t.Error("the run has no drop in the window: the test checks no cross")
	}

	states := 0
	for _, e := range events {
		if e.Kind == cluster.KindState && e.At >= from && e.At <= to {
			states++
		}
	}
	if marks := svg.all(func(e *element) bool { return hasClass(e, "role") }); len(marks) != states || states == 0 {
		t.Errorf("%d role marks, want one for each of the window's %d state events", len(marks), states)
	}
}

func num(v float64) string { return string(appendNum(nil, v)) }

// TestSpacetimeTimeGoesDown checks that every arrow goes down or across,
// never up, that a later send is drawn lower, and that the messages still
// in flight when the run ends are drawn too.
func TestSpacetimeTimeGoesDown(t *testing.T) {
	// End the run while a message flies: one that takes over a
	// millisecond, found in a first run of the same seed.
	_, first := spacetimeRun(t, 5, 4, time.Second, 2*time.Second, 0, 2*time.Second)
	sent := map[uint64]time.Duration{}
	var end time.Duration
	for _, e := range first {
		if e.Kind == cluster.KindSend {
			sent[e.Msg] = e.At
		} else if e.Kind == cluster.KindDeliver && e.At-sent[e.Msg] > ms {
			end = sent[e.Msg] + ms/2
		}
	}
	doc, events := spacetimeRun(t, 5, 4, time.Second, end, 0, end)
	lastY := math.Inf(-1)
	inFlight := map[uint64]bool{}
	for _, e := range events {
		switch e.Kind {
		case cluster.KindSend:
			inFlight[e.Msg] = true
		case cluster.KindDeliver, cluster.KindDrop:
			delete(inFlight, e.Msg)
		}
	}
	drawnInFlight := 0
	for _, g := range parseXML(t, doc).all(func(e *element) bool { return hasClass(e, "msg") }) {
		if strings.Contains(g.named("title")[0].text, "still in flight") {
			drawnInFlight++
		}
		line := g.named("line")[0]
		y1, y2 := float(t, line.attrs["y1"]), float(t, line.attrs["y2"])
		if y2 < y1 || y1 < lastY {
			t.Fatalf("message %s drawn from y=%v to %v after a send at y=%v", g.attrs["data-msg"], y1, y2, lastY)
		}
		lastY = y1
	}
	if drawnInFlight != len(inFlight) || drawnInFlight == 0 {
		t.Errorf("%d messages drawn in flight at the end, %d were", drawnInFlight, len(inFlight))
	}
}

// TestSpacetimeExplainsDecisions checks that an election is shaded and that
// the requests carry their voters' decisions and the replies their answers.
func TestSpacetimeExplainsDecisions(t *testing.T) {
	doc, _ := spacetimeRun(t, 5, 4, 0, time.Second, 0, time.Second)
	svg := parseXML(t, doc)
	if el := svg.all(func(e *element) bool { return hasClass(e, "election") }); len(el) != 1 ||
		!strings.Contains(el[0].named("title")[0].text, "won term 1") {
		t.Errorf("want one election shaded, won in term 1; got %d", len(el))
	}
	requests, replies := 0, 0
	for _, g := range svg.all(func(e *element) bool { return hasClass(e, "msg") }) {
		title := g.named("title")[0].text
		switch {
		case strings.Contains(title, " "+raft.MsgRequestVote.String()+" ") && strings.Contains(title, "delivered"):
			requests++
			if !strings.Contains(title, "vote to n") {
				t.Errorf("a delivered request does not say what its voter decided: %q", title)
			}
		case strings.Contains(title, raft.MsgRequestVoteReply.String()):
			replies++
			if !strings.Contains(title, "grants vote") && !strings.Contains(title, "denies vote") {
				t.Errorf("a reply does not say its answer: %q", title)
			}
		}
	}
	if requests == 0 || replies == 0 {
		t.Errorf("%d requests and %d replies drawn: the election is missing", requests, replies)
	}
}

// TestSpacetimeFits101Nodes checks that an election of 101 nodes gives a
// picture a browser shows whole across, each node a column of its own.
func TestSpacetimeFits101Nodes(t *testing.T) {
	doc, events := spacetimeRun(t, 101, 3, 0, 500*ms, 0, 500*ms)
	svg := parseXML(t, doc)
	w, h := float(t, svg.attrs["width"]), float(t, svg.attrs["height"])
	if w > 2000 || h > 6000 {
		t.Errorf("101 nodes over one election drawn %vx%v pixels: too big to read", w, h)
	}
	if n := len(svg.all(func(e *element) bool { return hasClass(e, "msg") })); n != len(messagesIn(events, 0, 500*ms)) {
		t.Errorf("%d arrows for %d messages", n, len(messagesIn(events, 0, 500*ms)))
	}
}

// TestSpacetimeIsDeterministic checks that one run gives one picture.
func TestSpacetimeIsDeterministic(t *testing.T) {
	a, _ := spacetimeRun(t, 5, 9, time.Second, 2*time.Second, 500*ms, 1500*ms)
	b, _ := spacetimeRun(t, 5, 9, time.Second, 2*time.Second, 500*ms, 1500*ms)
	if !bytes.Equal(a, b) {
		t.Error("the same run gave two pictures")
	}
}
