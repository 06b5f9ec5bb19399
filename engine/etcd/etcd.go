// Package etcd puts go.etcd.io/raft/v3's RawNode (with a MemoryStorage)
// behind raftty's engine seam, driven as a pure state machine: no
// goroutines, no wall clock, no I/O, and every random draw from the node's
// own seeded stream.
//
// Time is counted in ticks, as etcd counts it. A tick is a virtual duration
// (Engine.Tick, 10ms unless set); ElectionTick is the minimum election
// timeout in ticks and HeartbeatTick the heartbeat in ticks. etcd draws
// every election timeout from [ElectionTick, 2*ElectionTick-1], so the
// election timeout range must be A-2A for a whole number of ticks A:
// 150ms-300ms is 15-29 ticks of 10ms, and a range with another shape is
// refused (CheckTiming). Each node's ticker starts at its boot plus a
// phase drawn from its stream, as independent processes' tickers do.
//
// Determinism. etcd draws its randomized election timeout from a package
// global backed by crypto/rand, which importers cannot replace. The adapter
// lets it draw (the process's cryptographic randomness is never touched) and
// overwrites the draw, in etcd's own raft struct, with one from the node's
// seeded stream at the moment etcd resets its timer: see inside.go. Nothing
// else in etcd draws, so the same seed and the same inputs give the same
// outputs, whatever else runs in the process.
//
// Reasons. Each node has its own etcd Logger; every decision the adapter
// reports carries the lines etcd logged for it, in etcd's own words.
package etcd

import (
	"errors"
	"fmt"
	"time"

	"raftty/engine"
)

// DefaultTick is the virtual duration of a tick unless Engine.Tick says
// otherwise.
const DefaultTick = 10 * time.Millisecond

// Engine makes etcd nodes.
type Engine struct {
	// Tick is the virtual duration of one tick (DefaultTick if zero).
	Tick time.Duration
}

// ServerDefaults returns the engine and timing of an etcd server with its
// default flags: --heartbeat-interval 100ms and --election-timeout 1000ms.
// etcd's server ticks once per heartbeat interval, so ElectionTick is 10 and
// HeartbeatTick 1: ten possible election timeouts, 1000ms to 1900ms.
func ServerDefaults() (Engine, engine.Timing) {
	return Engine{Tick: 100 * time.Millisecond},
		engine.Timing{ElectionMin: time.Second, ElectionMax: 2 * time.Second, Heartbeat: 100 * time.Millisecond}
}

// Name is "etcd".
func (Engine) Name() string { return "etcd" }

// TickDuration is the virtual duration of a tick.
func (e Engine) TickDuration() time.Duration { return e.tick() }

func (e Engine) tick() time.Duration {
	if e.Tick > 0 {
		return e.Tick
	}
	return DefaultTick
}

// Ticks returns etcd's ElectionTick and HeartbeatTick for t, or why t has no
// etcd shape.
func (e Engine) Ticks(t engine.Timing) (election, heartbeat int, err error) {
	if err := t.Validate(); err != nil {
		return 0, 0, err
	}
	tick := e.tick()
	switch {
	case t.ElectionMin%tick != 0:
		return 0, 0, fmt.Errorf("etcd engine: election timeout %v is not a whole number of %v ticks", t.ElectionMin, tick)
	case t.ElectionMax != 2*t.ElectionMin:
		return 0, 0, fmt.Errorf("etcd engine: election timeout %v-%v has no etcd shape: etcd draws from [ElectionTick, 2*ElectionTick-1] ticks, so the range must be A-2A (%v-%v is %d-%d ticks of %v)",
			t.ElectionMin, t.ElectionMax, t.ElectionMin, 2*t.ElectionMin, t.ElectionMin/tick, 2*(t.ElectionMin/tick)-1, tick)
	case t.Heartbeat%tick != 0:
		return 0, 0, fmt.Errorf("etcd engine: heartbeat %v is not a whole number of %v ticks", t.Heartbeat, tick)
	case t.Heartbeat >= t.ElectionMin:
		return 0, 0, fmt.Errorf("etcd engine: heartbeat %v must be shorter than the minimum election timeout %v (etcd requires ElectionTick > HeartbeatTick)",
			t.Heartbeat, t.ElectionMin)
	}
	return int(t.ElectionMin / tick), int(t.Heartbeat / tick), nil
}

// CheckTiming reports why etcd cannot run with t, if it cannot.
func (e Engine) CheckTiming(t engine.Timing) error {
	_, _, err := e.Ticks(t)
	return err
}

// DescribeTiming says how etcd runs t: "election timeout 15-29 ticks of
// 10ms, heartbeat 5 ticks".
func (e Engine) DescribeTiming(t engine.Timing) string {
	el, hb, err := e.Ticks(t)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("election timeout %d-%d ticks of %v, heartbeat %d %s", el, 2*el-1, e.tick(), hb, plural(hb, "tick"))
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// The capabilities etcd's RawNode lacks, and why.
var (
	errFixedTiming      = errors.New("etcd engine: ElectionTick and HeartbeatTick are fixed when a RawNode is built (raft.Config): a new timing takes restarted nodes")
	errFixedPreVote     = errors.New("etcd engine: PreVote is fixed when a RawNode is built (raft.Config.PreVote): turning it on or off takes restarted nodes")
	errFixedCheckQuorum = errors.New("etcd engine: CheckQuorum is fixed when a RawNode is built (raft.Config.CheckQuorum): turning it on or off takes restarted nodes")
	errNoAppendLog      = errors.New("etcd engine: a log grows only through the leader: propose entries instead")
	errNoClone          = errors.New("etcd engine: a RawNode cannot be copied (it holds method values bound to itself): its past is rebuilt by replay")
)

// Supports says which commands etcd's nodes can carry out: proposals, and
// nothing that changes a running RawNode's configuration.
func (Engine) Supports(c engine.Capability) error {
	switch c {
	case engine.CanPropose:
		return nil
	case engine.CanSetTiming:
		return errFixedTiming
	case engine.CanSetPreVote:
		return errFixedPreVote
	case engine.CanSetCheckQuorum:
		return errFixedCheckQuorum
	case engine.CanAppendLog:
		return errNoAppendLog
	case engine.CanClone:
		return errNoClone
	}
	return fmt.Errorf("etcd engine: cannot %v", c)
}
