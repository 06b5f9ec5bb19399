package export

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"raftty/cluster/bench"
)

// fig16Results makes results with known downtimes: n trials of setting s,
// evenly from lo to hi milliseconds, the last censored of them at the limit.
func fig16Result(s bench.Setting, n int, lo, hi float64, censored int) bench.Result {
	r := bench.Result{Setting: s, Censored: censored}
	for i := range n {
		ms := lo + (hi-lo)*float64(i)/float64(n-1)
		if i >= n-censored {
			ms = 10_000
		}
		r.Downtimes = append(r.Downtimes, time.Duration(ms*float64(time.Millisecond)))
	}
	return r
}

// points reads a polyline's points.
func points(t *testing.T, el *element) [][2]float64 {
	t.Helper()
	var out [][2]float64
	for _, p := range strings.Fields(el.attrs["points"]) {
		xy := floats(t, strings.ReplaceAll(p, ",", " "))
		out = append(out, [2]float64{xy[0], xy[1]})
	}
	return out
}

// TestFig16DrawsEveryCurve checks one solid curve per setting, one dashed
// per setting the paper measured, a log time axis, and a curve that stops
// short of 100% by its censored trials.
func TestFig16DrawsEveryCurve(t *testing.T) {
	ms := time.Millisecond
	panels := []Fig16Panel{
		{Title: "randomness", Results: []bench.Result{
			fig16Result(bench.Setting{Min: 150 * ms, Max: 300 * ms}, 100, 100, 1000, 0),
			fig16Result(bench.Setting{Min: 150 * ms, Max: 200 * ms}, 100, 200, 2000, 10),
		}},
		{Title: "scale", Results: []bench.Result{
			fig16Result(bench.Setting{Min: 12 * ms, Max: 24 * ms}, 50, 20, 80, 0),
			fig16Result(bench.Setting{Min: 11 * ms, Max: 22 * ms}, 50, 20, 80, 0), // not in the paper
		}},
	}
	svg := parseXML(t, Fig16SVG("test", panels))
	groups := svg.all(func(e *element) bool { return e.attrs["class"] == "panel" })
	if len(groups) != 2 {
		t.Fatalf("%d panels, want 2", len(groups))
	}
	for i, g := range groups {
		raft := g.all(func(e *element) bool { return e.name == "polyline" && e.attrs["class"] == "raftty" })
		paper := g.all(func(e *element) bool { return e.name == "polyline" && e.attrs["class"] == "paper" })
		if len(raft) != 2 || len(paper) != []int{2, 1}[i] {
			t.Errorf("panel %d: %d raftty curves and %d of the paper's, want 2 and %d", i, len(raft), len(paper), []int{2, 1}[i])
		}
		for _, p := range paper {
			if p.attrs["stroke-dasharray"] == "" {
				t.Errorf("panel %d: the paper's curve is not dashed", i)
			}
		}
	}

	// The first setting's curve: trial i at 100+900i/99 ms, each a step
	// (two points) up by 1%. On a log axis a trial's place between 100ms
	// and 1000ms is log10 of its time over 100ms.
	first := points(t, groups[0].all(func(e *element) bool { return e.attrs["class"] == "raftty" })[0])
	if len(first) != 200 {
		t.Fatalf("the curve of 100 trials has %d points, want 2 per trial", len(first))
	}
	x100, x1000 := first[0][0], first[198][0]
	bottom, top := first[0][1], first[199][1]
	for _, i := range []int{0, 10, 33, 66, 99} {
		ms := 100 + 900*float64(i)/99
		want := math.Log10(ms / 100)
		if got := (first[2*i][0] - x100) / (x1000 - x100); math.Abs(got-want) > 0.002 {
			t.Errorf("trial %d (%.0fms) at %.3f of the decade, want %.3f (a log axis)", i, ms, got, want)
		}
		if got := (bottom - first[2*i+1][1]) / (bottom - top); math.Abs(got-float64(i+1)/100) > 1e-3 {
			t.Errorf("trial %d reaches %.3f of the trials, want %.2f", i, got, float64(i+1)/100)
		}
	}
	// The second: 10 of 100 censored, so it ends at 90%.
	second := points(t, groups[0].all(func(e *element) bool { return e.attrs["class"] == "raftty" })[1])
	if got := (bottom - second[len(second)-1][1]) / (bottom - top); math.Abs(got-0.9) > 1e-3 {
		t.Errorf("a curve with 10 of 100 trials censored ends at %.3f, want 0.9", got)
	}
}

// TestFig16IsDeterministic checks that the same results give one picture.
func TestFig16IsDeterministic(t *testing.T) {
	panels := []Fig16Panel{{Title: "p", Results: []bench.Result{fig16Result(bench.Setting{Min: 150 * time.Millisecond, Max: 300 * time.Millisecond}, 30, 100, 900, 3)}}}
	if !bytes.Equal(Fig16SVG("t", panels), Fig16SVG("t", panels)) {
		t.Error("the same results gave two pictures")
	}
}

// TestFig16DrawsAnotherEngineBeside checks that another engine's results
// are drawn with the textbook engine's dotted beside them, and the key says
// which is which.
func TestFig16DrawsAnotherEngineBeside(t *testing.T) {
	s := bench.Setting{Min: 150 * time.Millisecond, Max: 300 * time.Millisecond}
	svg := parseXML(t, Fig16SVG("t", []Fig16Panel{{Title: "scale", Engine: "etcd",
		Results: []bench.Result{fig16Result(s, 50, 150, 600, 0)}, Beside: []bench.Result{fig16Result(s, 50, 160, 500, 0)}}}))
	beside := svg.all(func(e *element) bool { return e.attrs["class"] == "beside" })
	if len(beside) != 1 || beside[0].attrs["stroke-dasharray"] == "" {
		t.Errorf("%d dotted curves beside etcd's, want 1", len(beside))
	}
	var key []string
	for _, e := range svg.named("text") {
		key = append(key, e.text)
	}
	if !strings.Contains(strings.Join(key, "|"), "raftty, the etcd engine|the paper (Figure 16)|raftty, the textbook engine") {
		t.Errorf("the key says %q", key)
	}
}

// TestFig16MakesRoomForItsText checks that no text runs off the canvas: a
// long title (etcd's, with its ticks) and legend labels that count
// censored and deposed trials widen the figure, as DejaVu Sans sets them.
func TestFig16MakesRoomForItsText(t *testing.T) {
	ms := time.Millisecond
	r := fig16Result(bench.Setting{Min: 25 * ms, Max: 50 * ms}, 999, 20, 80, 1)
	r.Deposed = []int{457}
	title := "raftty bench --engine etcd --ticks 2 (seed 1, 5 nodes, up to 1000 trials) beside textbook and the paper"
	svg := parseXML(t, Fig16SVG(title, []Fig16Panel{{Title: "scale", Engine: "etcd", Results: []bench.Result{r}, Beside: []bench.Result{r}}}))
	width := floats(t, svg.attrs["width"])[0]
	var labels []string
	for _, e := range svg.named("text") {
		if a := e.attrs["text-anchor"]; a != "" && a != "start" {
			continue // the axes' labels, inside the plot
		}
		size := 12.0
		if e.attrs["font-size"] != "" {
			size = floats(t, e.attrs["font-size"])[0]
		}
		x := floats(t, e.attrs["x"])[0]
		if right := x + textWidth(e.text, size, e.attrs["font-weight"] == "bold"); right > width {
			t.Errorf("%q ends at %.0f, past the canvas's %.0f", e.text, right, width)
		}
		labels = append(labels, e.text)
	}
	if !slices.Contains(labels, "25-50ms (1 of 999 censored; 1 deposed, left out)") {
		t.Errorf("the legend does not count the censored and deposed trials: %q", labels)
	}
}

// TestTextWidth pins the estimate to DejaVu Sans's own widths.
func TestTextWidth(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want float64 // in em
	}{{"0", 0.636}, {"il", 0.556}, {"Mm", 0.863 + 0.974}, {"µ", 0.863}} {
		if got := textWidth(tc.s, 10, false); math.Abs(got-10*tc.want) > 1e-9 {
			t.Errorf("%q: %v px at 10px, want %v", tc.s, got, 10*tc.want)
		}
	}
}
