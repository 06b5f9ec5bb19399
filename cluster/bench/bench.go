// Package bench reproduces the election measurements of section 9.3 of
// Ongaro and Ousterhout, "In Search of an Understandable Consensus
// Algorithm" (USENIX ATC 2014), Figure 16: how long a cluster is without a
// leader after the leader crashes, for several election timeout ranges.
//
// Each trial, as in the paper: wait for the leader's heartbeat broadcast,
// which synchronises the followers' timers (the paper did this to encourage
// split votes), crash the leader at a uniformly random moment within its
// heartbeat interval (half the minimum election timeout), and time how long
// until a new leader is elected. Then the crashed node is restarted and the
// cluster settles before the next trial. Everything runs on the simulated
// clock.
package bench

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"raftty/cluster"
	"raftty/raft"
)

// Setting is one election timeout range to measure.
type Setting struct {
	Min, Max time.Duration
	// Trials overrides Options.Trials when positive.
	Trials int
}

// Name renders the range as the paper's figure labels it: 150-300ms.
func (s Setting) Name() string {
	if s.Min%time.Millisecond == 0 && s.Max%time.Millisecond == 0 {
		return fmt.Sprintf("%d-%dms", s.Min.Milliseconds(), s.Max.Milliseconds())
	}
	return cluster.FormatRange(s.Min, s.Max)
}

const ms = time.Millisecond

// Randomness is the paper's first set: the same minimum, more and more
// randomness. Without any, elections take so long that 100 trials are
// enough to see it.
var Randomness = []Setting{
	{Min: 150 * ms, Max: 150 * ms, Trials: 100},
	{Min: 150 * ms, Max: 151 * ms},
	{Min: 150 * ms, Max: 155 * ms},
	{Min: 150 * ms, Max: 175 * ms},
	{Min: 150 * ms, Max: 200 * ms},
	{Min: 150 * ms, Max: 300 * ms},
}

// Scale is the paper's second set: shorter and shorter timeouts, with 2x
// randomness.
var Scale = []Setting{
	{Min: 12 * ms, Max: 24 * ms},
	{Min: 25 * ms, Max: 50 * ms},
	{Min: 50 * ms, Max: 100 * ms},
	{Min: 100 * ms, Max: 200 * ms},
	{Min: 150 * ms, Max: 300 * ms},
}

// Options configure a run.
type Options struct {
	Nodes  int
	Trials int
	// LatencyMin and LatencyMax bound one-way latency. The default, 5-10ms,
	// gives a broadcast (request and reply) of about 15ms, the paper's.
	LatencyMin, LatencyMax time.Duration
	Seed                   uint64
	// Limit gives up on a trial that has not elected a leader after this
	// long (default 60s): it counts as censored, at the limit.
	Limit time.Duration
	// Progress, if set, is told after each trial.
	Progress func(setting Setting, done, total int)
}

// DefaultOptions are the paper's: 5 nodes, 1000 trials, a 15ms broadcast.
func DefaultOptions() Options {
	return Options{Nodes: 5, Trials: 1000, LatencyMin: 5 * ms, LatencyMax: 10 * ms, Limit: time.Minute}
}

// Result is one setting's measurements.
type Result struct {
	Setting Setting
	// Downtimes are, per trial, the time from the crash to a new leader.
	Downtimes []time.Duration
	// SplitVotes counts, per trial, terms in which two or more candidates
	// campaigned and none won.
	SplitVotes []int
	// Censored counts trials that hit Options.Limit.
	Censored int
}

// Run measures each setting in turn.
func Run(settings []Setting, opts Options) ([]Result, error) {
	if opts.Limit <= 0 {
		opts.Limit = time.Minute
	}
	results := make([]Result, 0, len(settings))
	for _, s := range settings {
		// Seeded by the setting itself, not its place in the list: a
		// setting measures the same wherever it is asked for.
		r, err := measure(s, opts, opts.Seed^uint64(s.Min)*31^uint64(s.Max)*1_000_003)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name(), err)
		}
		results = append(results, r)
	}
	return results, nil
}

func measure(s Setting, opts Options, seed uint64) (Result, error) {
	trials := opts.Trials
	if s.Trials > 0 {
		trials = min(s.Trials, trials)
	}
	cfg := cluster.DefaultConfig()
	cfg.Nodes, cfg.Seed = opts.Nodes, seed
	cfg.Timing = raft.Timing{ElectionMin: s.Min, ElectionMax: s.Max, Heartbeat: max(s.Min/2, time.Microsecond)}
	cfg.LatencyMin, cfg.LatencyMax = opts.LatencyMin, opts.LatencyMax
	c, err := cluster.New(cfg, nil)
	if err != nil {
		return Result{}, err
	}
	crashAt := rand.New(rand.NewPCG(seed, 0xfeed))
	r := Result{Setting: s}
	// The experiment starts from a cluster with a leader. Without
	// randomness, all the timers started together at time 0 would split
	// the first vote forever, so n1 is made to campaign first.
	_ = c.Timeout(1)
	if _, ok := untilLeader(c, opts.Limit); !ok {
		// Not even a first leader: every trial is censored.
		for range trials {
			r.Downtimes, r.SplitVotes = append(r.Downtimes, opts.Limit), append(r.SplitVotes, 0)
			r.Censored++
		}
		return r, nil
	}
	for trial := 0; trial < trials; trial++ {
		down, splits, ok := crashTrial(c, crashAt, cfg.Heartbeat, opts.Limit)
		if !ok {
			r.Censored++
		}
		r.Downtimes = append(r.Downtimes, down)
		r.SplitVotes = append(r.SplitVotes, splits)
		if opts.Progress != nil {
			opts.Progress(s, trial+1, trials)
		}
	}
	return r, nil
}

// crashTrial crashes the leader after its heartbeat broadcast and returns
// how long the cluster was without a leader and how many votes split.
func crashTrial(c *cluster.Cluster, rng *rand.Rand, heartbeat, limit time.Duration) (time.Duration, int, bool) {
	leader := c.Leader()
	st, _ := c.Node(leader)
	c.RunUntil(st.NextHeartbeat) // the broadcast that synchronises the followers
	c.RunFor(time.Duration(rng.Int64N(int64(heartbeat))))
	if c.Leader() != leader {
		leader = c.Leader() // rare: leadership moved while waiting; crash whoever leads
		if leader == 0 {
			untilLeader(c, limit)
			leader = c.Leader()
		}
	}
	splitsBefore := c.Stats().SplitVotes
	_ = c.Kill(leader)
	down, ok := untilLeader(c, limit)
	splits := c.Stats().SplitVotes - splitsBefore
	_ = c.Restart(leader)
	settle(c, limit)
	return down, splits, ok
}

// untilLeader steps the cluster until it has a leader, and returns how long
// that took.
func untilLeader(c *cluster.Cluster, limit time.Duration) (time.Duration, bool) {
	start := c.Now()
	for c.Leader() == 0 {
		if c.Now()-start >= limit || !c.Step() {
			return limit, false
		}
	}
	return c.Now() - start, true
}

// settle runs until every node follows the same leader in its term, so that
// the next trial starts from a healthy cluster.
func settle(c *cluster.Cluster, limit time.Duration) {
	start := c.Now()
	for c.Now()-start < limit {
		c.RunFor(c.Config().ElectionMax)
		if healthy(c) {
			return
		}
	}
}

func healthy(c *cluster.Cluster) bool {
	leader := c.Leader()
	if leader == 0 {
		return false
	}
	for _, n := range c.Nodes() {
		if !n.Alive || int(n.Leader) != leader {
			return false
		}
	}
	return true
}

// Summary is a setting's figures, in milliseconds.
type Summary struct {
	Timeout            string  `json:"timeout"`
	Trials             int     `json:"trials"`
	MinMS              float64 `json:"min_ms"`
	MedianMS           float64 `json:"median_ms"`
	MeanMS             float64 `json:"mean_ms"`
	P90MS              float64 `json:"p90_ms"`
	P99MS              float64 `json:"p99_ms"`
	MaxMS              float64 `json:"max_ms"`
	SplitVotesPerTrial float64 `json:"split_votes_per_trial"`
	Censored           int     `json:"censored,omitempty"`
}

// Summarize computes a result's figures.
func (r Result) Summarize() Summary {
	d := slices.Clone(r.Downtimes)
	slices.Sort(d)
	s := Summary{Timeout: r.Setting.Name(), Trials: len(d), Censored: r.Censored}
	if len(d) == 0 {
		return s
	}
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	splits := 0
	for _, x := range r.SplitVotes {
		splits += x
	}
	toMS := func(x time.Duration) float64 { return float64(x.Microseconds()) / 1000 }
	s.MinMS, s.MaxMS = toMS(d[0]), toMS(d[len(d)-1])
	s.MedianMS = toMS(Quantile(d, 0.5))
	s.P90MS, s.P99MS = toMS(Quantile(d, 0.9)), toMS(Quantile(d, 0.99))
	s.MeanMS = toMS(sum / time.Duration(len(d)))
	s.SplitVotesPerTrial = float64(splits) / float64(len(d))
	return s
}

// Quantile returns the q-quantile of sorted samples (nearest rank).
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
