package serve

import (
	"context"
	"testing"
	"time"

	"raftty/cluster"
)

// A viewer that falls behind the ring loses traffic, counted, but never
// the lesson: what the scenario said, what its checks found and the first
// violation come to it however far back they are; a fork forgets those
// after its moment. A viewer that joins late gets the lesson and counts
// nothing lost.
func TestFeedKeepsTheLesson(t *testing.T) {
	// A cluster that makes nothing new: the events pushed here are all.
	live, err := cluster.StartLive(context.Background(), cluster.DefaultConfig(), cluster.LiveOptions{Paused: true, Ticks: make(chan time.Time)})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Stop()
	f := newFeed(live, 4)
	f.mu.Lock()
	f.pull() // the cluster's start
	f.genStart = f.next
	f.mu.Unlock()
	at := func(ms int) time.Duration { return time.Duration(ms) * time.Millisecond }
	push := func(ms int, k cluster.Kind, detail string) {
		f.push(&cluster.Event{At: at(ms), Kind: k, Detail: detail})
	}
	early := &viewer{f: f}
	early.adoptLocked()
	early.fresh = false // it has drained before: what it misses now, it loses

	push(10, cluster.KindExplain, "watch n1")
	push(20, cluster.KindSend, "")
	push(30, cluster.KindExpect, "leader")
	push(40, cluster.KindViolation, "first")
	push(50, cluster.KindViolation, "second")
	push(60, cluster.KindExplain, "after the fork")
	push(60, cluster.KindFork, "") // rewrites history from 60ms: nothing after it
	push(70, cluster.KindSend, "")
	push(80, cluster.KindExplain, "now")
	push(90, cluster.KindSend, "")
	push(95, cluster.KindSend, "")

	details := func(evs []cluster.Event) (out []string) {
		for _, e := range evs {
			out = append(out, e.Kind.String()+":"+e.Detail)
		}
		return out
	}
	want := []string{"explain:watch n1", "expect:leader", "violation:first", "explain:after the fork",
		// the ring's four
		"send:", "explain:now", "send:", "send:"}
	f.mu.Lock()
	buf, lost := f.skip(early, nil, f.next-uint64(len(f.ring)))
	f.mu.Unlock()
	if lost != 3 { // the send at 20ms, the second violation and the fork
		t.Errorf("the viewer that fell behind lost %d events, want 3", lost)
	}
	// The lesson's explanation at 60ms came before the fork at 60ms: kept.
	late := &viewer{f: f}
	late.adoptLocked()
	got, missed := late.Drain(nil)
	if g, w := details(got), want; len(g) != len(w) || missed != 0 {
		t.Fatalf("the late viewer got %q (missed %d), want %q and nothing lost", g, missed, w)
	} else {
		for i := range w {
			if g[i] != w[i] {
				t.Fatalf("the late viewer got %q, want %q", g, w)
			}
		}
	}
	if g := details(buf); len(g) != 4 || g[3] != "explain:after the fork" {
		t.Fatalf("the viewer that fell behind got %q of the lesson", g)
	}
}
