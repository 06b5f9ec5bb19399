package cluster

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"
)

// A Forker is an Advancer whose progress can be copied, so that time
// travel can go on playing a scenario from a checkpoint. The default
// advancer and scenario.Player are Forkers.
type Forker interface {
	Advancer
	// Fork returns an independent copy at the same point of its script.
	Fork() Advancer
}

// Fork returns a copy of the plain advancer (it has no state).
func (plainAdvance) Fork() Advancer { return plainAdvance{} }

// History bounds, chosen so that a default 5-node cluster keeps many hours
// and a 101-node one more than an hour (see README, "Time travel"): a
// checkpoint every checkpointEvents events (more for large clusters, see
// newHistory) or checkpointEvery of virtual time, whichever comes first, and
// at most maxCheckpoints of them. Seeking replays at most the events between
// two checkpoints: about a millisecond at 5 nodes.
const (
	checkpointEvents = 16384
	checkpointEvery  = time.Minute
	maxCheckpoints   = 1024
)

// History is the past of a running cluster: frozen copies of it
// (checkpoints) taken as it runs, and the commands applied since the oldest
// one. The state at any moment since the oldest checkpoint is a function of
// them, so Seek rebuilds it exactly by copying the checkpoint before that
// moment and replaying the commands up to it. It is safe for concurrent
// use: the cluster's goroutine records, a viewer's goroutine seeks.
type History struct {
	mu     sync.Mutex
	points []checkpoint
	// cmds are the commands applied since the oldest checkpoint; cmdBase
	// is how many were applied before cmds[0].
	cmds    []TimedCommand
	cmdBase int
	// everyEvents, every and limit are the checkpoint policy (the
	// constants above; tests make checkpoints dense).
	everyEvents int
	every       time.Duration
	limit       int
}

type checkpoint struct {
	at     time.Duration
	events int // the cluster's event count when it was taken
	s      sim // the cluster (or two worlds) and advancer(s), frozen
	// decision is world A's latest decision then (Cluster.Decision).
	decision int
	cmd      int // commands applied before it (an index into the whole run)
}

// ErrNoHistory is returned for a moment before the oldest checkpoint.
var ErrNoHistory = errors.New("that moment is no longer kept")

// newHistory starts a history at c's present.
func newHistory(c *Cluster, adv Advancer) (*History, error) {
	return newSimHistory(&solo{c: c, adv: adv})
}

// newSimHistory starts a history at s's present.
func newSimHistory(s sim) (*History, error) {
	var advs []Advancer
	switch s := s.(type) {
	case *solo:
		advs = []Advancer{s.adv}
	case *pair:
		advs = s.w.adv[:]
	}
	for _, adv := range advs {
		if _, ok := adv.(Forker); !ok {
			return nil, fmt.Errorf("time travel: the advancer %T cannot be forked", adv)
		}
	}
	// A checkpoint's size grows with the cluster (its link table with the
	// square), so larger clusters take them further apart: a 101-node
	// checkpoint is about 300 KiB, and one every 12 x 16384 events keeps
	// an hour in about 45 MiB while a seek replays at most ~200000 events
	// (BenchmarkSeek). The live view stops at 101 nodes. Two worlds count
	// the events of both, and keep the same span of time per checkpoint.
	every := checkpointEvents * max(1, s.nodes()/8) * s.worlds()
	h := &History{everyEvents: every, every: checkpointEvery, limit: maxCheckpoints}
	h.checkpoint(s)
	return h, nil
}

// checkpoint freezes a copy of s as it is now.
func (h *History) checkpoint(s sim) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.points = append(h.points, checkpoint{
		at: s.now(), events: s.events(), decision: s.decision(), s: s.copy(nil),
		cmd: h.cmdBase + len(h.cmds),
	})
	if len(h.points) > h.limit {
		// Shift rather than reslice, so that the dropped checkpoint's
		// cluster is not kept alive by the backing array.
		n := copy(h.points, h.points[1:])
		h.points[n] = checkpoint{}
		h.points = h.points[:n]
		h.forgetCommandsBefore(h.points[0].cmd)
	}
}

func (h *History) forgetCommandsBefore(cmd int) {
	drop := cmd - h.cmdBase
	h.cmds = append(h.cmds[:0:0], h.cmds[drop:]...)
	h.cmdBase = cmd
}

// maybeCheckpoint takes a checkpoint if enough has happened since the last.
// A cluster whose engine cannot copy its nodes (etcd) keeps only the one it
// started with: every moment is rebuilt by replay from there.
func (h *History) maybeCheckpoint(s sim) {
	if !s.canClone() {
		return
	}
	h.mu.Lock()
	last := h.points[len(h.points)-1]
	h.mu.Unlock()
	if s.events()-last.events >= h.everyEvents || s.now()-last.at >= h.every {
		h.checkpoint(s)
	}
}

// record notes a command applied at its time.
func (h *History) record(tc TimedCommand) {
	h.mu.Lock()
	h.cmds = append(h.cmds, tc)
	h.mu.Unlock()
}

// Oldest returns the earliest moment Seek can rebuild.
func (h *History) Oldest() time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.points[0].at
}

// Checkpoints returns how many checkpoints are kept.
func (h *History) Checkpoints() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.points)
}

// Replay returns how much virtual time a Seek to t replays: from the last
// checkpoint at or before t. For an etcd cluster, whose only checkpoint is
// its start, it grows with t (a 5-node cluster replays about 10 virtual
// minutes per second on a busy 2-core machine: BenchmarkSeekEtcd), so a view
// can say what it is doing before a long seek. Zero if t is not kept.
func (h *History) Replay(t time.Duration) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	i := sort.Search(len(h.points), func(i int) bool { return h.points[i].at > t }) - 1
	if i < 0 {
		return 0
	}
	return t - h.points[i].at
}

// Seek rebuilds the cluster as it was at virtual time t (after everything
// that happened at t), sending the events of the replay to sink. The
// result is the caller's own: running it does not change the history. Of
// two worlds, it is world A (Live.SnapshotAt shows both).
func (h *History) Seek(t time.Duration, sink func(Event)) (*Cluster, error) {
	s, err := h.seek(t, sink)
	if err != nil {
		return nil, err
	}
	return s.world(), nil
}

func (h *History) seek(t time.Duration, sink func(Event)) (sim, error) {
	h.mu.Lock()
	i := sort.Search(len(h.points), func(i int) bool { return h.points[i].at > t }) - 1
	if i < 0 {
		h.mu.Unlock()
		return nil, fmt.Errorf("t=%v: %w (the oldest kept is t=%v)", t, ErrNoHistory, h.points[0].at)
	}
	p := h.points[i]
	var cmds []TimedCommand
	for _, tc := range h.cmds[p.cmd-h.cmdBase:] {
		if tc.At > t {
			break
		}
		cmds = append(cmds, tc)
	}
	h.mu.Unlock()

	// The checkpoint is never run, so copying it needs no lock.
	s := p.s.copy(sink)
	for _, tc := range cmds {
		s.runUntil(tc.At)
		_, _ = s.execute(tc.Cmd) // it succeeded live; it does the same here
	}
	s.runUntil(t)
	return s, nil
}

// SeekDecision rebuilds the cluster as it was right after decision d (see
// Cluster.Decide) and before the next one, even when the next happens at
// the same instant, sending the events of the replay to sink (decision d's
// own among them, unless d is the oldest checkpoint's last). The caller
// makes sure that d has happened (Live.SnapshotAtDecision does); the
// result is the caller's own, as Seek's is. With two worlds it is world
// A's; world B is at the end of d's instant.
func (h *History) SeekDecision(d int, sink func(Event)) (*Cluster, error) {
	s, err := h.seekDecision(d, sink)
	if err != nil {
		return nil, err
	}
	return s.world(), nil
}

// seekDecision is SeekDecision for one cluster or two worlds. The replay
// goes one decision at a time from the checkpoint before d, each recorded
// command where the live cluster applied it: after everything due at its
// instant.
func (h *History) seekDecision(d int, sink func(Event)) (sim, error) {
	h.mu.Lock()
	i := sort.Search(len(h.points), func(i int) bool { return h.points[i].decision >= d }) - 1
	if i < 0 && h.points[0].decision == d {
		i = 0
	}
	if i < 0 {
		oldest := h.points[0].decision
		h.mu.Unlock()
		return nil, fmt.Errorf("decision %d: %w (the oldest kept is decision %d)", d, ErrNoHistory, oldest)
	}
	p := h.points[i]
	cmds := slices.Clone(h.cmds[p.cmd-h.cmdBase:])
	h.mu.Unlock()

	s := p.s.copy(sink)
	for s.decision() < d {
		due, ok := s.dueAt()
		if len(cmds) > 0 && (!ok || cmds[0].At < due) {
			s.runUntil(cmds[0].At) // nothing is due until then
			_, _ = s.execute(cmds[0].Cmd)
			cmds = cmds[1:]
			continue
		}
		if !ok || !s.stepDecision() {
			break
		}
	}
	return s, nil
}

// truncate forgets everything after t: the checkpoints taken after it and
// the commands applied after it. A fork does this before it goes on.
func (h *History) truncate(t time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	keep := max(sort.Search(len(h.points), func(i int) bool { return h.points[i].at > t }), 1)
	clear(h.points[keep:]) // let the discarded future's clusters go
	h.points = h.points[:keep]
	n := sort.Search(len(h.cmds), func(i int) bool { return h.cmds[i].At > t })
	h.cmds = h.cmds[:n]
}
