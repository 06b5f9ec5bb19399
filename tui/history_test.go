package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
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
	timelineRow(&b, h.m.buildFrame(), 2, time.Second, 10*ms, 4, -1)
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
		h.m.hist.ingest(&cluster.Event{At: time.Second, Kind: cluster.KindDrop, From: 2, To: to, Type: msgRequestVote, Term: 7, Reason: reason})
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
