package etcd

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
	"unsafe"

	"go.etcd.io/raft/v3"

	"raftty/engine"
	"raftty/engine/enginetest"
	"raftty/internal/race"
)

// The tests in this file watch etcd at work, against v3.7.0's behaviour,
// with a witness of its own: reset(), the only path to a new election
// timeout, always replaces the raft struct's readOnly with a new one. So a
// call changed readOnly exactly when etcd reset its timer at least once, and
// then the adapter must have seen a "became" line and redrawn.

// spy wraps an etcd node and checks every call.
type spy struct {
	*node
	t    *testing.T
	rec  *recorder
	read func() unsafe.Pointer // the node's readOnly pointer
}

// recorder remembers the last number drawn from it.
type recorder struct {
	r    engine.Rand
	last int64
}

func (r *recorder) Int64N(n int64) int64 {
	r.last = r.r.Int64N(n)
	return r.last
}

type spyEngine struct {
	Engine
	t *testing.T
}

func (e spyEngine) New(cfg engine.Config, st engine.Storage, now time.Duration) (engine.Node, error) {
	rec := &recorder{r: cfg.Rand}
	cfg.Rand = rec
	n, err := e.Engine.New(cfg, st, now)
	if err != nil {
		return nil, err
	}
	nd := n.(*node)
	nd.checkTicks = true
	return &spy{node: nd, t: e.t, rec: rec, read: readOnlyOf(e.t, nd.rn)}, nil
}

// readOnlyOf returns a reader of rn's raft.readOnly pointer.
func readOnlyOf(t *testing.T, rn *raft.RawNode) func() unsafe.Pointer {
	f, ok := reflect.TypeFor[raft.RawNode]().FieldByName("raft")
	if !ok {
		t.Fatal("no RawNode.raft")
	}
	ro, ok := f.Type.Elem().FieldByName("readOnly")
	if !ok || ro.Type.Kind() != reflect.Pointer {
		t.Fatal("no raft.readOnly pointer: the witness is gone, find another")
	}
	r := *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(rn), layout.raft))
	return func() unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Add(r, ro.Offset)) }
}

// check runs call and checks what etcd did to its timer during it.
func (s *spy) check(what string, call func()) {
	s.t.Helper()
	before, resets := s.read(), s.resets
	call()
	reset := s.read() != before // before is still referenced: no new one can share its address
	if detected := s.resets > resets; detected != reset {
		s.t.Errorf("n%d %s at %v: etcd reset its timer: %v; the adapter saw a reset: %v", s.id, what, s.tickAt(s.ticks), reset, detected)
	}
	e := *s.in.electionTimeout
	if r := *s.in.randomized; r < e || r > 2*e-1 {
		s.t.Errorf("n%d: randomized timeout %d outside [%d, %d]", s.id, r, e, 2*e-1)
	}
	if reset && *s.in.randomized != e+int(s.rec.last) {
		s.t.Errorf("n%d %s: randomized timeout %d is not the node's own draw %d", s.id, what, *s.in.randomized, e+int(s.rec.last))
	}
	if stored := s.st.entries(); !slices.EqualFunc(s.log, stored, func(a, b engine.Entry) bool { return a.Term == b.Term && string(a.Data) == string(b.Data) }) {
		s.t.Errorf("n%d %s: Log() %v, storage %v", s.id, what, s.log, stored)
	}
	if len(s.surprises) > 0 {
		s.t.Errorf("n%d: etcd acted on ticks at %v, before the deadline the adapter announced", s.id, s.surprises)
		s.surprises = nil
	}
}

func (s *spy) Step(now time.Duration, m engine.Message) {
	s.check("step "+m.Type.String(), func() { s.node.Step(now, m) })
}
func (s *spy) Tick(now time.Duration) {
	if d := s.NextDeadline(); now < d {
		s.t.Errorf("n%d ticked at %v before its deadline %v", s.id, now, d)
	}
	s.check("tick", func() { s.node.Tick(now) })
}
func (s *spy) Campaign(now time.Duration) { s.check("campaign", func() { s.node.Campaign(now) }) }
func (s *spy) Propose(now time.Duration, data []byte) (err error) {
	s.check("propose", func() { err = s.node.Propose(now, data) })
	return err
}

// TestRedrawFollowsEveryReset runs etcd clusters through elections, faults,
// kills and restarts with every option, and checks every single call.
//
// Four seeds per option set, two under the race detector (one goroutine:
// it watches nothing here). Planted in the adapter, each fails at seed 1
// of every set it concerns: no redraw on becoming follower, candidate or
// leader; a leader's deadline without CheckQuorum's round (seeds 1-3).
func TestRedrawFollowsEveryReset(t *testing.T) {
	seeds := uint64(4)
	if race.Enabled {
		seeds = 2
	}
	for _, opts := range []struct{ preVote, checkQuorum bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		for seed := uint64(1); seed <= seeds; seed++ {
			t.Run(fmt.Sprintf("prevote=%v,checkquorum=%v,seed=%d", opts.preVote, opts.checkQuorum, seed), func(t *testing.T) {
				cfg := engine.Config{Timing: engine.Timing{ElectionMin: 100 * time.Millisecond, ElectionMax: 200 * time.Millisecond, Heartbeat: 30 * time.Millisecond},
					PreVote: opts.preVote, CheckQuorum: opts.checkQuorum}
				s, err := enginetest.New(spyEngine{t: t}, 5, seed, cfg)
				if err != nil {
					t.Fatal(err)
				}
				chaos(t, s, rand.New(rand.NewPCG(seed, 99)), 20*time.Second)
				if v := s.Violations(); len(v) > 0 {
					t.Error(v)
				}
			})
		}
	}
}

// chaos kills, restarts, isolates, forces elections and proposes at random
// moments for d.
func chaos(t *testing.T, s *enginetest.Sim, rng *rand.Rand, d time.Duration) {
	t.Helper()
	end := s.Now() + d
	for s.Now() < end {
		s.RunFor(time.Duration(rng.Int64N(int64(400 * time.Millisecond))))
		id := engine.NodeID(1 + rng.IntN(5))
		switch rng.IntN(6) {
		case 0:
			if s.Node(id) != nil {
				s.Kill(id)
			} else if err := s.Restart(id); err != nil {
				t.Fatal(err)
			}
		case 1:
			s.Isolate(id, rng.IntN(2) == 0)
		case 2:
			if s.Node(id) != nil {
				s.Campaign(id)
			}
		case 3:
			if s.Node(id) != nil {
				_ = s.Propose(id, []byte("x"))
			}
		}
	}
}
