package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
	"raftty/engine"
)

// The orange band: a live node that cannot exchange messages with more than
// half the cluster, itself included. Off by one either way, this fails.
func TestIsCutOff(t *testing.T) {
	for _, tc := range []struct {
		size    int
		ns      cluster.NodeStatus
		cutOffs bool
	}{
		{4, cluster.NodeStatus{Alive: true, Reaches: 3}, false},
		{4, cluster.NodeStatus{Alive: true, Reaches: 2}, true}, // half is not a majority
		{5, cluster.NodeStatus{Alive: true, Reaches: 3}, false},
		{5, cluster.NodeStatus{Alive: true, Reaches: 2}, true},
		{1, cluster.NodeStatus{Alive: true, Reaches: 1}, false},
		{5, cluster.NodeStatus{Alive: true, Reaches: 5, Disconnected: true}, true},
		{5, cluster.NodeStatus{Alive: false, Reaches: 0}, false}, // dead, not cut off
	} {
		if got := isCutOff(tc.ns, tc.size); got != tc.cutOffs {
			t.Errorf("size %d, alive %v, reaches %d, disconnected %v: cut off %v, want %v",
				tc.size, tc.ns.Alive, tc.ns.Reaches, tc.ns.Disconnected, got, tc.cutOffs)
		}
	}
}

// The timeline marks a vote only where one was granted: a refusal is a
// decision of the log, not a v on the row (issue 17 §7: refused votes
// drawn as granted ones passed every test).
func TestTimelineMarksOnlyGrantedVotes(t *testing.T) {
	h := newHarness(t, 1)
	vote := func(at time.Duration, granted, pre bool) {
		h.m.hist.ingest(&cluster.Event{At: at, Kind: cluster.KindVote, Node: 2, For: 3, Term: 4, Granted: granted, PreVote: pre})
	}
	vote(1002*ms, false, false)
	vote(1012*ms, false, true)
	vote(1022*ms, true, true)
	vote(1032*ms, true, false)
	var b strings.Builder
	timelineRow(&b, h.m.Frame(), 2, time.Second, 10*ms, 4, -1)
	if got := ansi.Strip(b.String()); got != "──pv" {
		t.Fatalf("row %q, want a refused vote and pre-vote unmarked, then p and v", got)
	}
}

// A broadcast dropped alike to several peers is one log line; drops of one
// message for different reasons stay apart, each with its own reason
// (issue 17 §7: folding them into one line passed every test).
func TestDropsFoldOnlyForOneReason(t *testing.T) {
	h := newHarness(t, 1)
	drop := func(to int, reason string) {
		h.m.hist.ingest(&cluster.Event{At: time.Second, Kind: cluster.KindDrop, From: 2, To: to, Type: engine.MsgRequestVote, Term: 7, Reason: reason})
	}
	drop(1, "disconnected")
	drop(3, "disconnected")
	drop(4, "partitioned")
	drop(5, "partitioned")
	want := []string{
		"   1.000 n2 -> n1,n3 RequestVote t7 dropped: disconnected",
		"   1.000 n2 -> n4,n5 RequestVote t7 dropped: partitioned",
	}
	log := &h.m.hist.decisions
	var got []string
	for i := log.len() - 2; i < log.len(); i++ {
		got = append(got, log.ptr(i).text())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("log ends\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A fork at t forgets what came after t and keeps what happened at t
// itself: the marks, role changes, log lines and drops of that instant.
func TestTruncateAfterKeepsTheForkMoment(t *testing.T) {
	hist := newHistory(3)
	for _, at := range []time.Duration{time.Second, 2 * time.Second} {
		hist.ingest(&cluster.Event{At: at, Kind: cluster.KindTimeout, Node: 1, Term: 1})
		hist.ingest(&cluster.Event{At: at, Kind: cluster.KindState, Node: 1, State: cluster.StateCandidate, Term: 1})
		hist.ingest(&cluster.Event{At: at, Kind: cluster.KindSend, From: 1, To: 2, Type: engine.MsgRequestVote, Term: 1})
		hist.ingest(&cluster.Event{At: at, Kind: cluster.KindDrop, From: 1, To: 2, Type: engine.MsgRequestVote, Term: 1, Reason: "loss"})
		hist.ingest(&cluster.Event{At: at, Kind: cluster.KindState, Node: 1, State: cluster.StateFollower, Term: 1})
	}
	hist.truncateAfter(time.Second)
	n := hist.node(1)
	last := func(times ...time.Duration) time.Duration { return times[len(times)-1] }
	lastMark, _ := n.marks.last()
	lastBand, _ := n.bands.last()
	lastDrop, _ := hist.drops.last()
	for what, at := range map[string]time.Duration{
		"mark": lastMark.at, "role change": lastBand.at, "drop": lastDrop.at,
		"decision": last(hist.decisions.ptr(hist.decisions.len() - 1).at()),
		"traffic":  last(hist.traffic.ptr(hist.traffic.len() - 1).at()),
	} {
		if at != time.Second {
			t.Errorf("the newest %s kept is at %v, want the fork moment, 1s", what, at)
		}
	}
	// At 1s: the timeout (which wins its instant over the candidacy) and
	// the step down; the role changes: follower from the start, candidate
	// and follower again at 1s.
	if n.marks.len() != 2 || n.bands.len() != 3 {
		t.Errorf("kept %d marks and %d role changes, want 2 and 3", n.marks.len(), n.bands.len())
	}
}
