package raft

import (
	"testing"
	"time"
)

// PreVote's lease (dissertation 9.6): a voter refuses while it heard from a
// leader less than the minimum election timeout ago, and grants from that
// moment on. The boundary is where an off-by-one lives.
func TestPreVoteLeaseBoundary(t *testing.T) {
	const heard = 100 * ms
	for _, tc := range []struct {
		after   time.Duration
		granted bool
	}{
		{testTiming.ElectionMin - time.Nanosecond, false},
		{testTiming.ElectionMin, true},
		{testTiming.ElectionMin + time.Nanosecond, true},
	} {
		n := newNode(t, 3, 5, HardState{Term: 7})
		n.Step(heard, Message{Type: MsgAppendEntries, From: 2, To: 3, Term: 7})
		n.Step(heard+tc.after, Message{Type: MsgPreVote, From: 4, To: 3, Term: 8})
		if e := oneEvent(t, n, EventVote); e.Granted != tc.granted {
			t.Errorf("pre-vote %v after the leader was heard (minimum election timeout %v): granted %v, want %v (%s)",
				tc.after, testTiming.ElectionMin, e.Granted, tc.granted, e.Reason)
		}
	}
}

// CheckQuorum judges every window on its own: a leader that heard a
// majority in one window and nobody in the next steps down at the end of
// the second. A window that is never reset would keep it leading forever.
func TestCheckQuorumWindowStartsAfresh(t *testing.T) {
	n := newLeader(t, checkQuorum)
	window := testTiming.ElectionMin
	for _, p := range []NodeID{2, 3} { // a majority answers in the first window
		n.Step(5*ms, Message{Type: MsgAppendEntriesReply, From: p, To: 1, Term: 1, Success: true})
	}
	var steppedDown time.Duration
	for now := time.Duration(0); now <= 3*window && steppedDown == 0; now = n.NextDeadline() {
		n.Tick(now)
		if n.Status().Role != Leader {
			steppedDown = now
		}
	}
	if steppedDown == 0 {
		t.Fatalf("still leading at %v after %v of silence: the first window's answers counted again", 3*window, 2*window)
	}
	if steppedDown <= window {
		t.Fatalf("stepped down at %v, within the window in which a majority answered", steppedDown)
	}
}

func TestMajority(t *testing.T) {
	for size, want := range map[int]int{1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 100: 51, 101: 51} {
		if got := Majority(size); got != want {
			t.Errorf("Majority(%d) = %d, want %d", size, got, want)
		}
	}
}

// newLeader makes n1 of five the leader of term 1 at 1ms, elected by n2
// and n3.
func newLeader(t *testing.T, opts ...func(*Config)) *Node {
	t.Helper()
	n := newNode(t, 1, 5, HardState{}, opts...)
	n.Campaign(0)
	for _, p := range []NodeID{2, 3} {
		n.Step(ms, Message{Type: MsgRequestVoteReply, From: p, To: 1, Term: 1, Granted: true})
	}
	if n.Status().Role != Leader {
		t.Fatal("setup: not leader")
	}
	return n
}
