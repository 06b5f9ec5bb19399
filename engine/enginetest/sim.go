// Package enginetest is a tiny deterministic simulator for testing an engine
// on its own, without package cluster: N nodes, messages that arrive after a
// seeded latency, timers by NextDeadline, kill, restart and isolation. It
// writes a transcript of everything, so that two runs can be compared byte
// for byte.
package enginetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"raftty/engine"
)

// Sim drives the nodes of one engine. It is not safe for concurrent use;
// separate Sims share nothing and may run in parallel.
type Sim struct {
	// Quiet keeps no transcript and no events, for benchmarks; violations
	// are still checked.
	Quiet bool
	// Delivered counts the messages delivered so far.
	Delivered int

	eng      engine.Engine
	cfg      engine.Config
	seed     uint64
	now      time.Duration
	nodes    []engine.Node // by id; nil while dead
	stored   []engine.Storage
	isolated []bool
	// hard is each node's hard state after its last output, to check that
	// a change comes with an event.
	hard    []engine.HardState
	latency *rand.Rand
	queue   []flight
	seq     uint64

	transcript strings.Builder
	events     []Event
	// leaderOf records who led each term, to check Election Safety.
	leaderOf   map[uint64]engine.NodeID
	violations []string
}

// Event is a node's event and the virtual time it happened at.
type Event struct {
	At time.Duration
	engine.Event
}

type flight struct {
	at  time.Duration
	seq uint64
	msg engine.Message
}

// MaxLatency bounds the one-way latency: uniform in [1ms, MaxLatency].
const MaxLatency = 5 * time.Millisecond

// New builds n nodes of eng at time 0 with cfg's timing and options (ID,
// Peers and Rand are filled in). Node i draws from a stream of its own,
// derived from seed and i; latency from another.
func New(eng engine.Engine, n int, seed uint64, cfg engine.Config) (*Sim, error) {
	s := &Sim{
		eng: eng, cfg: cfg, seed: seed,
		nodes:    make([]engine.Node, n+1),
		stored:   make([]engine.Storage, n+1),
		isolated: make([]bool, n+1),
		hard:     make([]engine.HardState, n+1),
		latency:  rand.New(rand.NewPCG(seed, 0)),
		leaderOf: map[uint64]engine.NodeID{},
	}
	s.cfg.Peers = nil
	for id := 1; id <= n; id++ {
		s.cfg.Peers = append(s.cfg.Peers, engine.NodeID(id))
	}
	for id := 1; id <= n; id++ {
		if err := s.start(engine.NodeID(id)); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Sim) start(id engine.NodeID) error {
	cfg := s.cfg
	cfg.ID = id
	// A restarted node draws from a fresh stream: the draws of its first
	// life must not decide those of its second.
	cfg.Rand = rand.New(rand.NewPCG(s.seed, uint64(id)<<32|uint64(s.now)))
	n, err := s.eng.New(cfg, s.stored[id], s.now)
	if err != nil {
		return err
	}
	s.nodes[id] = n
	s.hard[id] = n.HardState()
	return nil
}

// Now returns the virtual time.
func (s *Sim) Now() time.Duration { return s.now }

// Node returns node id, or nil if it is dead.
func (s *Sim) Node(id engine.NodeID) engine.Node { return s.nodes[id] }

// Transcript returns everything that happened so far, one line per message
// sent, delivered or dropped and per event.
func (s *Sim) Transcript() string { return s.transcript.String() }

// Events returns every event so far, in order.
func (s *Sim) Events() []Event { return s.events }

// Violations lists the broken invariants seen so far.
func (s *Sim) Violations() []string { return s.violations }

// Leaders returns the live nodes in the leader role.
func (s *Sim) Leaders() []engine.NodeID {
	var out []engine.NodeID
	for id, n := range s.nodes {
		if n != nil && n.Status().Role == engine.Leader {
			out = append(out, engine.NodeID(id))
		}
	}
	return out
}

// Leader returns the leader with the highest term, or None.
func (s *Sim) Leader() engine.NodeID {
	best, term := engine.None, uint64(0)
	for _, id := range s.Leaders() {
		if t := s.nodes[id].Status().Term; t >= term {
			best, term = id, t
		}
	}
	return best
}

// Kill stops node id and keeps its storage.
func (s *Sim) Kill(id engine.NodeID) {
	s.stored[id] = s.nodes[id].Storage()
	s.nodes[id] = nil
	s.logf("kill %v", id)
}

// Restart builds node id again from its storage.
func (s *Sim) Restart(id engine.NodeID) error {
	s.logf("restart %v", id)
	return s.start(id)
}

// Isolate cuts node id off from everyone (or reconnects it).
func (s *Sim) Isolate(id engine.NodeID, cut bool) {
	s.isolated[id] = cut
	s.logf("isolate %v %v", id, cut)
}

// Campaign forces node id's election timer.
func (s *Sim) Campaign(id engine.NodeID) {
	s.logf("campaign %v", id)
	s.nodes[id].Campaign(s.now)
	s.after(s.nodes[id])
}

// Propose hands node id a proposal, if its engine takes them.
func (s *Sim) Propose(id engine.NodeID, data []byte) error {
	p, ok := s.nodes[id].(engine.Proposer)
	if !ok {
		return fmt.Errorf("%s engine takes no proposals", s.eng.Name())
	}
	err := p.Propose(s.now, data)
	s.logf("propose %v %q: %v", id, data, err)
	s.after(s.nodes[id])
	return err
}

// RunUntil processes everything due up to and including t.
func (s *Sim) RunUntil(t time.Duration) {
	for s.step(t) {
	}
	s.now = max(s.now, t)
}

// RunFor runs for d of virtual time.
func (s *Sim) RunFor(d time.Duration) { s.RunUntil(s.now + d) }

// step handles the earliest message or timer due by limit (a message first
// at equal times, then the lowest id), and reports whether there was one.
func (s *Sim) step(limit time.Duration) bool {
	timer, tid := time.Duration(-1), engine.None
	for id, n := range s.nodes {
		if n == nil {
			continue
		}
		if d := n.NextDeadline(); tid == engine.None || d < timer {
			timer, tid = d, engine.NodeID(id)
		}
	}
	if len(s.queue) > 0 && s.queue[0].at <= limit && (tid == engine.None || s.queue[0].at <= timer) {
		f := s.queue[0]
		s.queue = s.queue[1:]
		s.now = max(s.now, f.at)
		s.deliver(f.msg)
		return true
	}
	if tid == engine.None || timer > limit {
		return false
	}
	s.now = max(s.now, timer)
	s.nodes[tid].Tick(s.now)
	s.after(s.nodes[tid])
	return true
}

func (s *Sim) deliver(m engine.Message) {
	n := s.nodes[m.To]
	switch {
	case n == nil:
		s.logf("drop %v -> %v %v term %d: dead", m.From, m.To, m.Type, m.Term)
		return
	case s.isolated[m.From] || s.isolated[m.To]:
		s.logf("drop %v -> %v %v term %d: isolated", m.From, m.To, m.Type, m.Term)
		return
	}
	s.logf("deliver %v -> %v %v term %d", m.From, m.To, m.Type, m.Term)
	s.Delivered++
	n.Step(s.now, m)
	s.after(n)
}

// after records a node's output, checks it and puts its messages on the
// wire.
func (s *Sim) after(n engine.Node) {
	msgs, events := n.Output()
	if log, hs := n.Log(), n.HardState(); uint64(len(log)) != hs.LastIndex || (len(log) > 0 && log[len(log)-1].Term != hs.LastTerm) {
		s.violations = append(s.violations, fmt.Sprintf("%v's log ends at %d, its hard state says %d (term %d)", n.ID(), len(log), hs.LastIndex, hs.LastTerm))
	}
	if hs := n.HardState(); len(events) == 0 && hs != s.hard[n.ID()] {
		s.violations = append(s.violations, fmt.Sprintf("%v's hard state went from %+v to %+v without an event", n.ID(), s.hard[n.ID()], hs))
	} else {
		s.hard[n.ID()] = hs
	}
	for _, e := range events {
		if !s.Quiet {
			s.events = append(s.events, Event{At: s.now, Event: e})
		}
		s.logf("event %v %v role=%v term=%d peer=%v type=%v granted=%v prevote=%v index=%d count=%d: %s",
			e.Node, e.Kind, e.Role, e.Term, e.Peer, e.Type, e.Granted, e.PreVote, e.Index, e.Count, e.Why())
		if e.Kind == engine.EventState && e.Role == engine.Leader {
			if other, ok := s.leaderOf[e.Term]; ok && other != e.Node {
				s.violations = append(s.violations, fmt.Sprintf("%v and %v both lead term %d", other, e.Node, e.Term))
			}
			s.leaderOf[e.Term] = e.Node
		}
	}
	for _, m := range msgs {
		s.logf("send %v -> %v %v term %d", m.From, m.To, m.Type, m.Term)
		if m.From != n.ID() {
			s.violations = append(s.violations, fmt.Sprintf("%v sent a message from %v", n.ID(), m.From))
		}
		s.seq++
		at := s.now + time.Millisecond + time.Duration(s.latency.Int64N(int64(MaxLatency-time.Millisecond)+1))
		f := flight{at: at, seq: s.seq, msg: m}
		i, _ := slices.BinarySearchFunc(s.queue, f, func(a, b flight) int {
			if a.at != b.at {
				return int(a.at - b.at)
			}
			return int(a.seq) - int(b.seq)
		})
		s.queue = slices.Insert(s.queue, i, f)
	}
}

func (s *Sim) logf(format string, args ...any) {
	if s.Quiet {
		return
	}
	fmt.Fprintf(&s.transcript, "%d ", s.now.Microseconds())
	fmt.Fprintf(&s.transcript, format, args...)
	s.transcript.WriteByte('\n')
}
