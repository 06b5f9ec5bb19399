package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
)

// fullSplitModel is fullModel of two worlds (world B with PreVote on): a
// churning pair run for a virtual minute, each world's events ingested into
// its own history again and again until the event logs have wrapped.
func fullSplitModel(b testing.TB, nodes, w, h int) *Model {
	b.Helper()
	cfg := cluster.DefaultConfig()
	cfg.Nodes, cfg.Seed = nodes, 1
	cfg.Heartbeat = 3 * time.Second
	prevote, _ := cluster.ParseCompare("prevote=on")
	var events [2][]cluster.Event
	worlds, err := cluster.NewWorlds(cfg, []cluster.Compare{prevote}, func(e cluster.Event) {
		events[e.World-1] = append(events[e.World-1], e)
	}, nil, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	worlds.RunUntil(time.Minute)
	worlds.Flush()
	snap := snapshotOf(worlds.A())
	snap.Compared = &cluster.Compared{Diff: worlds.Differences(), B: snapshotOf(worlds.B()),
		Divergences: worlds.Divergences(), Count: worlds.Count()}
	m := New(frozen{snap: snap}, Options{})
	for i, hist := range []*history{m.hist, m.histB} {
		for shift := time.Duration(0); hist.decisions.dropped == 0; shift += snap.Now {
			for _, e := range events[i] {
				e.At += shift
				hist.ingest(&e)
			}
		}
	}
	m.snap.Now = m.hist.decisions.ptr(m.hist.decisions.len() - 1).at()
	m.cur.live = m.snap
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// BenchmarkSplitView draws the split view of two worlds beside the single
// view of one, both from a full history, every iteration: the issue's
// bound is a split frame under twice a single one. split/map is the split
// view with each world's map (m) instead of its log. cpu-ns/op is the
// drawing thread's CPU time a frame.
func BenchmarkSplitView(b *testing.B) {
	for _, tc := range []struct{ nodes, w, h int }{{5, 80, 24}, {5, 120, 40}, {5, 250, 70}, {101, 250, 70}} {
		for _, view := range []string{"single", "split", "split/map"} {
			b.Run(fmt.Sprintf("%dnodes_%dx%d/%s", tc.nodes, tc.w, tc.h, view), func(b *testing.B) {
				var m *Model
				if view == "single" {
					m = fullModel(b, tc.nodes, tc.w, tc.h)
				} else {
					m = fullSplitModel(b, tc.nodes, tc.w, tc.h)
					m.scr.splitMap = view == "split/map"
					if !strings.Contains(ansi.Strip(m.render()), "world B") {
						b.Fatal("no split view")
					}
				}
				benchFrames(b, m)
			})
		}
	}
}
