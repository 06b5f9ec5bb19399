package cluster

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"raftty/engine"
	"raftty/raft"
)

// draws are the random numbers a run used, as a person could see them: every
// election timeout each node drew, in order, and the fate of every message
// on each link, in sending order: its latency, or "lost". A draw the run
// could not show (a timeout replaced within the same step, a message the
// links dropped before any draw mattered) is unseen and matches anything.
type draws struct {
	timers [][]time.Duration // by node id
	links  map[Link][]string
}

const (
	unseenTimer time.Duration = -1
	unseenFate                = ""
)

// observeDraws runs a fresh cluster of cfg to until, applying cmds at their
// times, one scheduled happening at a time, and records its draws. A timer
// draw shows as a new election deadline in the node's status.
func observeDraws(t *testing.T, cfg Config, cmds []TimedCommand, until time.Duration) draws {
	t.Helper()
	d := draws{timers: make([][]time.Duration, cfg.Nodes+1), links: map[Link][]string{}}
	// Sends wait for their delivery or drop; a link's messages are told
	// apart by type and term, since a later one can overtake.
	type sent struct {
		typ  engine.MsgType
		term uint64
		at   time.Duration
		slot int
	}
	waiting := map[Link][]sent{}
	c, err := New(cfg, func(e Event) {
		l := Link{e.From, e.To}
		switch {
		case e.Kind == KindSend:
			waiting[l] = append(waiting[l], sent{e.Type, e.Term, e.At, len(d.links[l])})
			d.links[l] = append(d.links[l], "in flight")
		case e.Kind == KindDeliver || e.Kind == KindDrop:
			i := slices.IndexFunc(waiting[l], func(s sent) bool { return s.typ == e.Type && s.term == e.Term })
			if i < 0 {
				t.Fatalf("%s: no send waits for it", e.String())
			}
			s := waiting[l][i]
			waiting[l] = slices.Delete(waiting[l], i, i+1)
			switch {
			case e.At > s.at: // delivered, or dropped on arrival
				d.links[l][s.slot] = (e.At - s.at).String()
			case e.Reason == "loss":
				d.links[l][s.slot] = "lost"
			default: // the links refused it: its draws did not matter
				d.links[l][s.slot] = unseenFate
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	type timer struct{ deadline, timeout time.Duration }
	last := make([]timer, cfg.Nodes+1)
	look := func() {
		for id := 1; id <= cfg.Nodes; id++ {
			s := status(t, c, id)
			now := timer{s.ElectionDeadline, s.ElectionTimeout}
			drawn := int(c.streams.timers[id].draws)
			for len(d.timers[id]) < drawn-1 {
				d.timers[id] = append(d.timers[id], unseenTimer)
			}
			if len(d.timers[id]) == drawn-1 {
				if !s.Alive || s.Role == raft.Leader || now == last[id] {
					t.Fatalf("at %v: n%d drew a timeout its status does not show", c.Now(), id)
				}
				d.timers[id] = append(d.timers[id], now.timeout)
			}
			last[id] = now
		}
	}
	look()
	for {
		at, ok := c.NextAt()
		if len(cmds) > 0 && (!ok || cmds[0].At < at) {
			c.RunUntil(cmds[0].At)
			if err := c.Apply(cmds[0].Cmd); err != nil {
				t.Fatalf("at %v: %v", cmds[0].At, err)
			}
			cmds = cmds[1:]
			look()
			continue
		}
		if !ok || at > until {
			break
		}
		c.Step()
		look()
	}
	// A message still in flight has a fate the other run may know: the
	// comparison stops there.
	for l, fates := range d.links {
		if i := slices.Index(fates, "in flight"); i >= 0 {
			d.links[l] = fates[:i]
		}
	}
	return d
}

// samePrefix reports where two sequences drawn from one stream disagree:
// each run uses a prefix of the stream, so the shorter must begin the
// longer. unseen matches anything.
func samePrefix[T comparable](a, b []T, unseen T) error {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] && a[i] != unseen && b[i] != unseen {
			return fmt.Errorf("draw %d is %v in one run, %v in the other", i+1, a[i], b[i])
		}
	}
	return nil
}

// checkTimersAgree fails unless the nodes drew the same timeouts in both
// runs, as far as both went, and enough of them to mean something.
func checkTimersAgree(t *testing.T, a, b draws, what string, ids ...int) {
	t.Helper()
	compared := 0
	for _, id := range ids {
		compared += min(len(a.timers[id]), len(b.timers[id]))
		if err := samePrefix(a.timers[id], b.timers[id], unseenTimer); err != nil {
			t.Errorf("%s changed n%d's election timeouts: %v", what, id, err)
		}
	}
	if compared < 100 {
		t.Fatalf("%s: %d timer draws compared: too few to mean something", what, compared)
	}
}

// Common random numbers: a change alters only the draws that depend on it.
// PreVote and CheckQuorum change who campaigns when, never the numbers a
// node's timer draws; killing n3 moves nothing of another node's timer or of
// a link between others; a new latency range moves no timer draw.
func TestStreamsAreIndependent(t *testing.T) {
	base := DefaultConfig()
	base.DropRate = 0.1 // so that loss draws are compared too
	kill := func(at time.Duration) TimedCommand {
		return TimedCommand{At: at, Cmd: Command{Action: ActKill, Nodes: []int{LeaderNode}}}
	}
	for seed := uint64(1); seed <= 5; seed++ {
		cfg := base
		cfg.Seed = seed
		cmds := []TimedCommand{kill(2 * time.Second)}
		a := observeDraws(t, cfg, cmds, 4*time.Second)

		for _, option := range []func(*Config){withPreVote, withCheckQuorum} {
			other := cfg
			option(&other)
			b := observeDraws(t, other, cmds, 4*time.Second)
			what := fmt.Sprintf("seed %d: PreVote %v, CheckQuorum %v", seed, other.PreVote, other.CheckQuorum)
			checkTimersAgree(t, a, b, what, 1, 2, 3, 4, 5)
		}

		latency := append(slices.Clone(cmds), TimedCommand{At: time.Second, Cmd: Command{Action: ActSet, Param: ParamLatency, Min: 5 * ms, Max: 30 * ms}})
		slices.SortStableFunc(latency, func(x, y TimedCommand) int { return int(x.At - y.At) })
		checkTimersAgree(t, a, observeDraws(t, cfg, latency, 4*time.Second), fmt.Sprintf("seed %d: set latency", seed), 1, 2, 3, 4, 5)

		// Kill n3 early in one run: the others' timers and the links
		// between them draw as they did (their messages differ in
		// number after it, not in the numbers each one draws).
		killed := append(slices.Clone(cmds), TimedCommand{At: 500 * ms, Cmd: Command{Action: ActKill, Nodes: []int{3}}})
		slices.SortStableFunc(killed, func(x, y TimedCommand) int { return int(x.At - y.At) })
		b := observeDraws(t, cfg, killed, 4*time.Second)
		checkTimersAgree(t, a, b, fmt.Sprintf("seed %d: killing n3", seed), 1, 2, 4, 5)
		compared := 0
		for l := range a.links {
			if l.From == 3 || l.To == 3 {
				continue
			}
			compared += min(len(a.links[l]), len(b.links[l]))
			if err := samePrefix(a.links[l], b.links[l], unseenFate); err != nil {
				t.Errorf("seed %d: killing n3 changed the link n%d -> n%d: %v", seed, l.From, l.To, err)
			}
		}
		if compared < 100 {
			t.Fatalf("seed %d: %d messages compared on the links between others: too few", seed, compared)
		}
	}
}
