// Package chaos hunts for bugs: seeded runs of random clusters under random
// fault schedules, watched by the invariant checker and by a liveness check.
// A failing run comes with the command that replays it and a schedule
// shrunk to the fewest steps that still fail.
//
// Liveness is checked only where Raft promises it: the heartbeat is below
// the minimum election timeout, no message is lost, the latency is small
// against the election timeout's randomness, and a majority of live nodes
// can all reach each other and nobody else can reach them (a node with half
// its links, outside that majority, can legitimately cause endless
// elections: scenario 14 shows it). If that has held for StableTimeouts
// maximum election timeouts, there must be a leader.
//
// Why the latency: a round of election succeeds when the first node to time
// out gets its requests to the others before their own timers fire. With n
// nodes drawing timeouts over a spread S, the first two are about S/n apart;
// if the one-way latency L is at most S/(4n), a round succeeds with
// probability about e^(-1/4) = 0.78, and 20 failed rounds in a row happen
// about once in 10^13 windows. With more latency, votes split for a long
// time, as the Raft paper's Figure 16 shows; that is not a bug.
package chaos

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"raftty/cluster"
	"raftty/cluster/scenario"
	"raftty/raft"
)

const ms = time.Millisecond

// StableTimeouts is how many maximum election timeouts a connected,
// isolated majority gets to elect a leader.
const StableTimeouts = 20

// Plan is one chaos run: a cluster and what happens to it.
type Plan struct {
	Config   cluster.Config
	Duration time.Duration
	Steps    []scenario.Step
}

// Unsafe says which safety rules a run breaks on purpose: a Raft whose
// nodes forget their votes, or whose leaders commit entries of earlier
// terms by counting copies. Chaos must catch either.
type Unsafe struct {
	ForgetVotes bool
	Commit      bool
}

// Generate makes the plan of run number seed: 1 to 9 nodes, random timing,
// latency and loss, the options, and a schedule of up to 16 faults and up
// to 24 client commands in the first three quarters of the run (so that it
// often ends healed).
func Generate(seed uint64, duration time.Duration, unsafe Unsafe) Plan {
	return GenerateFor(cluster.EngineTextbook, seed, duration, unsafe)
}

// GenerateFor is Generate for the nodes of engine. The etcd engine's
// timing is drawn in whole ticks, in the shapes etcd takes (see
// randomEtcdTiming); its PreVote and CheckQuorum changes restart the nodes;
// the no-op and the bound on entries per AppendEntries are the textbook
// engine's only.
func GenerateFor(engine cluster.Engine, seed uint64, duration time.Duration, unsafe Unsafe) Plan {
	rng := rand.New(rand.NewPCG(seed, 0xc4a05))
	cfg := cluster.DefaultConfig()
	cfg.Seed = seed
	cfg.Nodes = 1 + rng.IntN(9)
	if cfg.Engine = engine; engine == cluster.EngineEtcd {
		cfg.Tick, cfg.Timing = randomEtcdTiming(rng, 0)
	} else {
		cfg.Timing = randomTiming(rng)
	}
	cfg.LatencyMin, cfg.LatencyMax = randomLatency(rng, cfg.Timing, cfg.Nodes)
	if rng.IntN(3) == 0 {
		cfg.DropRate = float64(rng.IntN(51)) / 100
	}
	cfg.PreVote, cfg.CheckQuorum = rng.IntN(2) == 0, rng.IntN(2) == 0
	cfg.UnsafeForgetVotes, cfg.UnsafeCommit = unsafe.ForgetVotes, unsafe.Commit
	if engine == cluster.EngineTextbook {
		cfg.NoOp = rng.IntN(2) == 0
		if rng.IntN(4) == 0 {
			cfg.MaxEntries = 1 + rng.IntN(3) // entry by entry: more messages, more interleavings
		}
	}
	if unsafe.Commit {
		figure8(rng, &cfg)
	}
	p := Plan{Config: cfg, Duration: duration}
	g := generator{rng: rng, nodes: cfg.Nodes, timing: cfg.Timing, tick: cfg.Tick}
	n := rng.IntN(17)
	for i := 0; i < n; i++ {
		at := time.Duration(rng.Int64N(int64(duration * 3 / 4))).Round(ms)
		st := g.step(at)
		st.Source = fmt.Sprintf("chaos run %d", seed)
		p.Steps = append(p.Steps, st)
	}
	// The client: commands to the leader of the moment, now and then to a
	// node that may not lead (it refuses, or, a stale leader, takes one it
	// cannot commit).
	for i := rng.IntN(25); i > 0; i-- {
		at := time.Duration(rng.Int64N(int64(duration * 3 / 4))).Round(ms)
		st := scenario.Step{At: at, Cmd: cluster.Command{Action: cluster.ActPut, Nodes: g.target()}}
		st.Source = fmt.Sprintf("chaos run %d", seed)
		p.Steps = append(p.Steps, st)
	}
	// Half the runs end with a recovery, so that the liveness check gets
	// a long, stable stretch to judge.
	if rng.IntN(2) == 0 {
		at := duration * 3 / 4
		all := make([]int, cfg.Nodes)
		for i := range all {
			all[i] = i + 1
		}
		src := fmt.Sprintf("chaos run %d", seed)
		p.Steps = append(p.Steps,
			scenario.Step{At: at, Cmd: cluster.Command{Action: cluster.ActHeal}, Source: src},
			scenario.Step{At: at, Cmd: cluster.Command{Action: cluster.ActRestart, Nodes: all}, Source: src},
			scenario.Step{At: at, Cmd: cluster.Command{Action: cluster.ActSet, Param: cluster.ParamDrop}, Source: src})
	}
	slices.SortStableFunc(p.Steps, func(a, b scenario.Step) int { return int(a.At - b.At) })
	return p
}

// figure8 leans a run towards what makes Figure 8: many leaders, each
// leaving entries of its own term on some nodes only, and a new leader that
// gets an older entry to a majority before one of its own term. So: 3 or 5
// nodes, every new leader appends a no-op, one or two entries per
// AppendEntries; half the runs have heartbeats slower than the election
// timeout (leaders come and go), and half lose messages. The draws come
// after the ones every run makes, so a safe run does not depend on them.
func figure8(rng *rand.Rand, cfg *cluster.Config) {
	cfg.Nodes = 3
	cfg.NoOp, cfg.PreVote = true, false
	cfg.MaxEntries = 1
	cfg.Heartbeat = cfg.ElectionMin + time.Duration(rng.Int64N(int64(cfg.ElectionMin)))
	cfg.DropRate = float64(20+rng.IntN(31)) / 100
	cfg.LatencyMax = time.Duration(rng.Int64N(int64(cfg.ElectionMin/4))) + 1
	cfg.LatencyMin = time.Duration(rng.Int64N(int64(cfg.LatencyMax)))
}

// randomTiming draws election timeouts from 20ms (mostly under 300ms, now
// and then up to 1s) with at least 20% randomness, and a heartbeat that is
// usually, not always, below the minimum timeout.
func randomTiming(rng *rand.Rand) raft.Timing {
	minimum := time.Duration(20+rng.IntN(280)) * ms
	if rng.IntN(4) == 0 {
		minimum = time.Duration(20+rng.IntN(980)) * ms
	}
	spread := minimum/5 + time.Duration(rng.Int64N(int64(minimum)))
	hb := minimum / time.Duration(2+rng.IntN(8))
	if rng.IntN(8) == 0 {
		hb = minimum + time.Duration(rng.Int64N(int64(minimum)))
	}
	return raft.Timing{ElectionMin: minimum, ElectionMax: minimum + spread, Heartbeat: max(hb, ms)}
}

// randomEtcdTiming draws a timing the etcd engine can run: a tick of 1 to
// 10ms (the one given, if not zero), an election timeout of ElectionTick
// ticks for a minimum drawn as randomTiming draws it (at least 2 ticks), so
// a range A-2A, and a heartbeat of 1 to ElectionTick-1 ticks.
func randomEtcdTiming(rng *rand.Rand, tick time.Duration) (time.Duration, raft.Timing) {
	if tick == 0 {
		tick = []time.Duration{ms, 2 * ms, 5 * ms, 10 * ms}[rng.IntN(4)]
	}
	minimum := time.Duration(20+rng.IntN(280)) * ms
	if rng.IntN(4) == 0 {
		minimum = time.Duration(20+rng.IntN(980)) * ms
	}
	election := max(int(minimum/tick), 2)
	return tick, raft.Timing{
		ElectionMin: time.Duration(election) * tick, ElectionMax: time.Duration(2*election) * tick,
		Heartbeat: time.Duration(etcdHeartbeat(rng, election)) * tick,
	}
}

// etcdHeartbeat draws a heartbeat of 1 to election-1 ticks, usually a
// half to a ninth of the election timeout.
func etcdHeartbeat(rng *rand.Rand, election int) int {
	return min(max(election/(2+rng.IntN(8)), 1), election-1)
}

// randomLatency draws a one-way latency range. Three times in four it is
// small enough for the liveness check (at most spread/(4n)); otherwise up
// to a quarter of the minimum timeout, where only safety is checked.
func randomLatency(rng *rand.Rand, t raft.Timing, nodes int) (time.Duration, time.Duration) {
	bound := max(livenessLatency(t, nodes), 2)
	if rng.IntN(4) == 0 {
		bound = t.ElectionMin / 4
	}
	maximum := time.Duration(rng.Int64N(int64(bound))) + 1
	return time.Duration(rng.Int64N(int64(maximum))), maximum
}

// livenessLatency is the largest one-way latency under which the liveness
// check applies.
func livenessLatency(t raft.Timing, nodes int) time.Duration {
	return (t.ElectionMax - t.ElectionMin) / time.Duration(4*nodes)
}

type generator struct {
	rng    *rand.Rand
	nodes  int
	timing raft.Timing
	// tick is the etcd engine's, zero for the textbook engine.
	tick time.Duration
}

func (g *generator) node() int { return 1 + g.rng.IntN(g.nodes) }

// target is a node, or now and then the leader of the moment.
func (g *generator) target() []int {
	if g.rng.IntN(4) == 0 {
		return []int{cluster.LeaderNode}
	}
	return []int{g.node()}
}

func (g *generator) step(at time.Duration) scenario.Step {
	st := scenario.Step{At: at}
	c := &st.Cmd
	switch r := g.rng.IntN(20); {
	case r < 3:
		c.Action, c.Nodes = cluster.ActDisconnect, g.target()
	case r < 6:
		c.Action, c.Nodes = cluster.ActReconnect, []int{g.node()}
	case r < 8:
		c.Action, c.Nodes = cluster.ActKill, g.target()
	case r < 10:
		c.Action, c.Nodes = cluster.ActRestart, []int{g.node()}
	case r < 11:
		c.Action, c.Nodes = cluster.ActTimeout, []int{g.node()}
	case r < 13:
		c.Action, c.Groups = cluster.ActPartition, g.groups()
	case r < 15:
		c.Action = cluster.ActHeal
	case r < 17 && g.nodes > 1:
		a, b := g.pair()
		c.Action, c.Nodes, c.OneWay = cluster.ActCut, []int{a, b}, g.rng.IntN(2) == 0
	case r < 18 && g.nodes > 1:
		a, b := g.pair()
		c.Action, c.Nodes = cluster.ActLink, []int{a, b}
	default:
		*c = g.setting()
	}
	return st
}

func (g *generator) pair() (int, int) {
	a := g.node()
	b := g.node()
	for b == a {
		b = g.node()
	}
	return a, b
}

func (g *generator) groups() [][]int {
	perm := g.rng.Perm(g.nodes)
	cut := 1 + g.rng.IntN(max(g.nodes-1, 1))
	var a, b []int
	for i, p := range perm {
		if i < cut {
			a = append(a, p+1)
		} else {
			b = append(b, p+1)
		}
	}
	slices.Sort(a)
	slices.Sort(b)
	if len(b) == 0 {
		return [][]int{a}
	}
	return [][]int{a, b}
}

func (g *generator) setting() cluster.Command {
	set := func(p cluster.Param) cluster.Command { return cluster.Command{Action: cluster.ActSet, Param: p} }
	switch g.rng.IntN(6) {
	case 0:
		c := set(cluster.ParamPreVote)
		c.On = g.rng.IntN(2) == 0
		return c
	case 1:
		c := set(cluster.ParamCheckQuorum)
		c.On = g.rng.IntN(2) == 0
		return c
	case 2:
		c := set(cluster.ParamElectionTimeout)
		if g.tick > 0 {
			// etcd needs ElectionTick > HeartbeatTick: the heartbeat
			// stays, so the new range stays above it.
			hb := g.timing.Heartbeat
			_, g.timing = randomEtcdTiming(g.rng, g.tick)
			g.timing.ElectionMin = max(g.timing.ElectionMin, hb+g.tick)
			g.timing.ElectionMax, g.timing.Heartbeat = 2*g.timing.ElectionMin, hb
		} else {
			g.timing = randomTiming(g.rng)
		}
		c.Min, c.Max = g.timing.ElectionMin, g.timing.ElectionMax
		return c
	case 3:
		c := set(cluster.ParamHeartbeat)
		if g.tick > 0 {
			g.timing.Heartbeat = time.Duration(etcdHeartbeat(g.rng, int(g.timing.ElectionMin/g.tick))) * g.tick
			c.Min = g.timing.Heartbeat
			return c
		}
		hb := g.timing.ElectionMin / time.Duration(2+g.rng.IntN(8))
		c.Min = max(hb, ms)
		return c
	case 4:
		c := set(cluster.ParamLatency)
		c.Min, c.Max = randomLatency(g.rng, g.timing, g.nodes)
		return c
	}
	c := set(cluster.ParamDrop)
	if g.rng.IntN(2) != 0 {
		c.Rate = float64(g.rng.IntN(51)) / 100
	}
	return c
}

// Failure is what went wrong in a run.
type Failure struct {
	At   time.Duration
	Kind string // "violation" or "liveness"
	What string
}

func (f Failure) String() string { return fmt.Sprintf("%s at %v: %s", f.Kind, f.At, f.What) }

// Outcome is what a run found.
type Outcome struct {
	Failure *Failure
	// LivenessChecks counts the stable windows in which a leader was
	// required (and found, unless Failure says otherwise).
	LivenessChecks int
	Events         int
}

// Execute runs the plan on the simulated clock and stops at the first
// failure.
func Execute(p Plan) Outcome {
	var out Outcome
	var violation *cluster.Event
	c, err := cluster.New(p.Config, func(e cluster.Event) {
		out.Events++
		if e.Kind == cluster.KindViolation && violation == nil {
			v := e // a copy: &e would move every event to the heap
			violation = &v
		}
	})
	if err != nil {
		return Outcome{Failure: &Failure{Kind: "setup", What: err.Error()}}
	}
	c.ReportParams()
	script := &scenario.Script{Steps: p.Steps}
	player := scenario.NewPlayer(script)
	times := stepTimes(p)
	for i, from := range times {
		to := p.Duration
		if i+1 < len(times) {
			to = times[i+1]
		}
		player.RunUntil(c, from)
		if violation != nil {
			break
		}
		window := StableTimeouts * c.Config().ElectionMax
		if from+window <= to && mustElect(c) {
			player.RunUntil(c, from+window)
			out.LivenessChecks++
			if c.Leader() == 0 && violation == nil {
				out.Failure = &Failure{At: c.Now(), Kind: "liveness", What: fmt.Sprintf(
					"no leader after %v with a connected, isolated majority, heartbeat %v < timeout %v and no loss",
					window, c.Config().Heartbeat, c.Config().ElectionMin)}
				return out
			}
		}
		player.RunUntil(c, to)
		if violation != nil {
			break
		}
	}
	if violation != nil {
		out.Failure = &Failure{At: violation.At, Kind: "violation", What: violation.String()}
	}
	return out
}

// stepTimes are the distinct moments at which something changes: the
// start, and each step's time.
func stepTimes(p Plan) []time.Duration {
	times := []time.Duration{0}
	for _, st := range p.Steps {
		if st.At > times[len(times)-1] && st.At < p.Duration {
			times = append(times, st.At)
		}
	}
	return times
}

// mustElect reports whether Raft promises a leader from now on: heartbeat
// below the minimum timeout, no loss, latency small against the timeout's
// randomness, and an isolated, fully connected majority of live nodes.
func mustElect(c *cluster.Cluster) bool {
	cfg := c.Config()
	if cfg.Heartbeat >= cfg.ElectionMin || cfg.DropRate > 0 || cfg.LatencyMax > livenessLatency(cfg.Timing, cfg.Nodes) {
		return false
	}
	n := cfg.Nodes
	for set := uint32(1); set < 1<<n; set++ {
		if bits.OnesCount32(set) >= raft.Majority(n) && isolatedClique(c, set, n) {
			return true
		}
	}
	return false
}

func isolatedClique(c *cluster.Cluster, set uint32, n int) bool {
	in := func(id int) bool { return set&(1<<(id-1)) != 0 }
	for a := 1; a <= n; a++ {
		if !in(a) {
			continue
		}
		for b := 1; b <= n; b++ {
			switch {
			case in(b) && !c.Linked(a, b):
				return false
			case !in(b) && (c.Reachable(a, b) || c.Reachable(b, a)) && alive(c, b):
				return false
			}
		}
	}
	return true
}

func alive(c *cluster.Cluster, id int) bool {
	s, err := c.Node(id)
	return err == nil && s.Alive
}

// Shrink removes steps, one at a time, while the run still fails the same
// way, and returns the smallest plan found.
func Shrink(p Plan, failure Failure) Plan {
	sameFailure := func(q Plan) bool {
		f := Execute(q).Failure
		return f != nil && f.Kind == failure.Kind
	}
	for removed := true; removed; {
		removed = false
		for i := len(p.Steps) - 1; i >= 0; i-- {
			q := p
			q.Steps = slices.Delete(slices.Clone(p.Steps), i, i+1)
			if sameFailure(q) {
				p, removed = q, true
			}
		}
	}
	// Shorten the run to just past the failure.
	if f := Execute(p).Failure; f != nil {
		q := p
		q.Duration = min(p.Duration, f.At+ms)
		if sameFailure(q) {
			p = q
		}
	}
	return p
}

// Script is the plan as a self-contained scenario: the header sets up the
// cluster (nodes, seed, every parameter), then the schedule. A liveness
// failure's check becomes an expectation, so that the replay fails the same
// way.
func (p Plan) Script(failure *Failure) *scenario.Script {
	s := &scenario.Script{For: p.Duration}
	s.SetConfig(p.Config)
	// Steps after the end never ran (a shrunk plan ends just past its
	// failure), and a file may not hold them.
	for _, st := range p.Steps {
		if st.At <= p.Duration {
			s.Steps = append(s.Steps, st)
		}
	}
	if failure != nil && failure.Kind == "liveness" {
		x, _ := scenario.ParseLine("at " + cluster.FormatDuration(failure.At) + " expect leader")
		x.Source = s.Name
		s.Steps = append(s.Steps, x)
		s.Sort()
	}
	fin, _ := scenario.ParseLine("at 0 expect no violation")
	fin.At = 0
	s.Final = []scenario.Step{fin}
	return s
}

// ScenarioText renders the plan as a scenario file that `raftty run
// --scenario FILE` replays alone (see Script).
func (p Plan) ScenarioText(failure *Failure) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# generated by raftty chaos (run %d): replay with raftty run --scenario FILE\n", p.Config.Seed)
	if err := scenario.Write(&b, p.Script(failure)); err != nil {
		panic(err) // a plan has no free text
	}
	return b.String()
}
