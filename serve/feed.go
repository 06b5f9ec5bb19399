package serve

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// ErrWatching is what a watching viewer's action returns; the live view
// shows it in its status line.
var ErrWatching = errors.New("watching: only the teacher can change the cluster")

// defaultFeedSize is how many events a viewer may fall behind the lecture
// before it loses the oldest.
const defaultFeedSize = 16384

// feed fans the lecture cluster's events out to every viewer. It owns the
// Live's Drain, the cluster's single consumer, and keeps the latest events
// in one ring that every viewer reads at its own cursor: each viewer is fed
// on its own bounded window of the stream, a viewer that falls more than a
// ring behind loses its oldest events (counted for it alone), and nothing a
// viewer does, or fails to do, reaches the cluster or another viewer.
//
// The feed has no goroutine: whichever viewer drains first in a frame pulls
// the Live's new events into the ring, under the feed's lock, which is held
// only to copy events. So nothing of it can outlive the server, and a
// stalled client (whose Bubble Tea program blocks writing to its
// connection) simply stops pulling.
type feed struct {
	mu sync.Mutex
	// live is the lecture's cluster; a scenario the teacher picks replaces
	// it (swap), starting a new generation of the stream at genStart.
	live     *cluster.Live
	gen      int
	genStart uint64
	// script is the lesson the current generation plays (nil: none).
	script *scenario.Script
	ring   []cluster.Event
	next   uint64 // sequence number of the next event to enter the ring
	// lost counts events the Live dropped before the feed pulled them
	// (nobody drained for a whole Live buffer): every viewer missed them.
	lost uint64
	buf  []cluster.Event
	// acted, if set, is told after a teacher's action has been carried
	// out, with the viewer that acted; drained (tests) after a viewer
	// drained.
	acted   func(by *viewer)
	drained func(*viewer)
}

func newFeed(live *cluster.Live, size int) *feed {
	if size <= 0 {
		size = defaultFeedSize
	}
	return &feed{live: live, ring: make([]cluster.Event, size)}
}

// pull moves the Live's buffered events into the ring; f.mu is held.
func (f *feed) pull() {
	var dropped int
	f.buf, dropped = f.live.Drain(f.buf[:0])
	f.lost += uint64(dropped)
	n := uint64(len(f.ring))
	for i := range f.buf {
		f.ring[f.next%n] = f.buf[i]
		f.next++
	}
	clear(f.buf)
}

// current is the lecture's cluster now.
func (f *feed) current() *cluster.Live {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.live
}

// swap makes next the lecture's cluster and returns the one it replaces,
// for the caller to stop. Viewers go on showing the old one, and take no
// events, until they adopt the new one.
func (f *feed) swap(next *cluster.Live, script *scenario.Script) *cluster.Live {
	f.mu.Lock()
	defer f.mu.Unlock()
	old := f.live
	f.live, f.gen, f.genStart, f.script = next, f.gen+1, f.next, script
	return old
}

// behind reports whether the lecture has moved to another lesson since
// this viewer last adopted one, and that lesson's script. A view checks it
// at every message, so it follows the teacher even if it missed the
// message that said so (it was being made when the lesson changed).
func (v *viewer) behind() (bool, *scenario.Script) {
	v.f.mu.Lock()
	defer v.f.mu.Unlock()
	return v.gen != v.f.gen, v.f.script
}

// viewer is one session's window on the lecture: a tui.Cluster whose Drain
// reads its own cursor of the feed and whose actions reach the cluster only
// if the session's key is a teacher's.
type viewer struct {
	f       *feed
	teacher bool

	// gen and live are the generation and cluster the session's view
	// shows; cursor is its place in the stream. They change under f.mu.
	gen      int
	live     *cluster.Live
	cursor   uint64
	lostSeen uint64
	// dropped is read by the server's log.
	dropped atomic.Int64
}

// newViewer starts a viewer with the ring's backlog, so that a student who
// joins late sees the recent past on the timeline and in the log at once.
func (f *feed) newViewer(teacher bool) *viewer {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pull()
	v := &viewer{f: f, teacher: teacher}
	v.adoptLocked()
	return v
}

// adopt moves the viewer to the lecture's current cluster, from the start
// of its generation (or as much of it as the ring holds).
func (v *viewer) adopt() {
	v.f.mu.Lock()
	defer v.f.mu.Unlock()
	v.adoptLocked()
}

func (v *viewer) adoptLocked() {
	f := v.f
	v.gen, v.live, v.lostSeen = f.gen, f.live, f.lost
	v.cursor = f.genStart
	if n := uint64(len(f.ring)); f.next > n && f.next-n > v.cursor {
		v.cursor = f.next - n
	}
}

// Drain appends the events this viewer has not seen, oldest first, and
// returns how many it lost: those that fell out of the ring before it
// drained, and those the Live dropped before the feed got them.
func (v *viewer) Drain(buf []cluster.Event) ([]cluster.Event, int) {
	f := v.f
	f.mu.Lock()
	if v.gen != f.gen {
		// The teacher switched clusters: nothing of the new one until this
		// view has switched too (see adopt).
		f.mu.Unlock()
		return buf, 0
	}
	f.pull()
	n := uint64(len(f.ring))
	var missed uint64
	if f.next-v.cursor > n {
		missed = f.next - n - v.cursor
		v.cursor = f.next - n
	}
	for ; v.cursor < f.next; v.cursor++ {
		buf = append(buf, f.ring[v.cursor%n])
	}
	missed += f.lost - v.lostSeen
	v.lostSeen = f.lost
	f.mu.Unlock()
	v.dropped.Add(int64(missed))
	if f.drained != nil {
		f.drained(v)
	}
	return buf, int(missed)
}

// Snapshot is the latest state of the cluster this view shows: the same
// for everyone.
func (v *viewer) Snapshot() cluster.Snapshot {
	v.f.mu.Lock()
	live := v.live
	v.f.mu.Unlock()
	return live.Snapshot()
}

// act is the one gate between a viewer and the cluster: every method that
// changes the cluster goes through it.
func (v *viewer) act(fn func(l *cluster.Live) error) error {
	if !v.teacher {
		return ErrWatching
	}
	err := fn(v.f.current())
	if v.f.acted != nil {
		v.f.acted(v)
	}
	return err
}

// Apply carries out a command as data (the command language's entry).
func (v *viewer) Apply(cmd cluster.Command) error {
	return v.act(func(l *cluster.Live) error { return l.Apply(cmd) })
}

// SnapshotAt rebuilds a past moment of the lecture for this viewer's own
// time cursor: looking back changes nothing, so anyone may.
func (v *viewer) SnapshotAt(t time.Duration) (cluster.Snapshot, error) {
	v.f.mu.Lock()
	live := v.live
	v.f.mu.Unlock()
	return live.SnapshotAt(t)
}

// SnapshotAtDecision rebuilds a past decision of the lecture for this
// viewer's own time cursor: looking back changes nothing, so anyone may.
func (v *viewer) SnapshotAtDecision(d int) (cluster.Snapshot, []cluster.Event, error) {
	v.f.mu.Lock()
	live := v.live
	v.f.mu.Unlock()
	return live.SnapshotAtDecision(d)
}

// Fork gives a command in the past: it rewrites the lecture's history, so
// only the teacher may.
func (v *viewer) Fork(t time.Duration, cmd cluster.Command) error {
	return v.act(func(l *cluster.Live) error { return l.Fork(t, cmd) })
}

// Recording is the lecture's recorded commands: reading it changes nothing,
// so watchers may (to save the lesson as a scenario).
func (v *viewer) Recording() []cluster.TimedCommand { return v.f.current().Recording() }
