package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"raftty/cluster"
)

// notifying tells the test each time the program has run a command on the
// cluster, so the test waits on events rather than on the clock.
type notifying struct {
	Cluster
	done chan error
}

func (n notifying) Apply(cmd cluster.Command) error {
	err := n.Cluster.Apply(cmd)
	n.done <- err
	return err
}

func waitCommand(t *testing.T, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("command failed: %v", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("the program never ran the command")
	}
}

// The whole program, as Bubble Tea runs it: select the leader, kill it,
// watch another be elected, quit.
func TestProgramKillLeader(t *testing.T) {
	h := newHarness(t, 42)
	for i := 0; i < 20; i++ { // one virtual second, before the program starts
		h.wall = h.wall.Add(50 * time.Millisecond)
		h.ticks <- h.wall
	}
	done := make(chan error, 16)
	m := New(notifying{Cluster: h.live, done: done}, Options{NoColor: true})
	old := h.live.Snapshot().Leader

	pr := runProgram(t, m, 120, 40)
	pr.send("L", "k")
	waitCommand(t, done)
	// The program has run the kill; wait until it has drawn its outcome.
	// When the first frame is drawn, before or after the keys, is up to
	// the scheduler, so nothing else about the output is asserted.
	pr.waitOutput(fmt.Sprintf("kill %d", old))
	for i := 0; i < 20; i++ {
		h.wall = h.wall.Add(50 * time.Millisecond)
		h.ticks <- h.wall
	}
	pr.send("q")

	final := pr.final().(*Model)
	if final.selected != old {
		t.Fatalf("L selected n%d, want the leader n%d", final.selected, old)
	}
	if s := h.live.Snapshot(); s.Leader == 0 || s.Leader == old || s.Nodes[old-1].Alive {
		t.Fatalf("after L k: leader n%d (was n%d), n%d alive %v", s.Leader, old, old, s.Nodes[old-1].Alive)
	}
	found := false
	for i := 0; i < final.hist.decisions.len(); i++ {
		found = found || strings.Contains(final.hist.decisions.ptr(i).text(), fmt.Sprintf("n%d dies", old))
	}
	if !found {
		t.Fatal("the kill never reached the program's event log")
	}
}

// The whole program, as Bubble Tea runs it: ← goes into the past (the cluster
// pauses: the pause command is seen), end comes back to live (the cluster
// resumes), and the screen said PAST in between.
func TestProgramScrubsBackAndReturns(t *testing.T) {
	h := newHarness(t, 42)
	for i := 0; i < 40; i++ { // two virtual seconds, before the program starts
		h.wall = h.wall.Add(50 * time.Millisecond)
		h.ticks <- h.wall
	}
	done := make(chan error, 16)
	m := New(notifying{Cluster: h.live, done: done}, Options{NoColor: true})
	pr := runProgram(t, m, 120, 40)
	for range 30 {
		pr.send("left")
	}
	waitCommand(t, done) // the pause that going back asks for
	pr.waitOutput("PAST t=")
	if !h.live.Snapshot().Paused {
		t.Fatal("the cluster runs while the view is in the past")
	}
	pr.send("end")
	waitCommand(t, done) // the resume
	pr.send("q")
	final := pr.final().(*Model)
	if final.cur.past || h.live.Snapshot().Paused {
		t.Fatalf("after end: past %v, paused %v; want live and running", final.cur.past, h.live.Snapshot().Paused)
	}
}
