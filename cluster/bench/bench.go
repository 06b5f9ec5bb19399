// Package bench reproduces the election measurements of section 9.3 of
// Ongaro and Ousterhout, "In Search of an Understandable Consensus
// Algorithm" (USENIX ATC 2014), Figure 16, from the paper's own setup: how
// long a cluster is without a leader after the leader crashes, for several
// election timeout ranges.
//
// Each trial, as in the paper and section 9.4 of Ongaro's dissertation: the
// servers' logs differ, so that some survivors cannot win (half of them
// here: two of four in a 5-node cluster, as in the dissertation's
// measurement); the leader's heartbeat broadcast resets the followers'
// timers together (the paper did this to encourage split votes); the leader
// crashes at a uniformly random moment within its heartbeat interval (half
// the minimum election timeout); downtime runs until every other server has
// received the new leader's first heartbeat, the dissertation's endpoint.
// The crashed server is then restarted and the cluster settles before the
// next trial. Everything runs on the simulated clock.
//
// Settings run in parallel, in chunks of trials that each own a cluster
// seeded from the run's seed, the setting and the chunk's index: the results
// do not depend on how many run at once.
package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"

	"raftty/cluster"
	"raftty/raft"
)

// Setting is one election timeout range to measure.
type Setting struct {
	Min, Max time.Duration
	// Trials overrides Options.Trials when positive and smaller.
	Trials int
}

// Name renders the range as the paper's figure labels it: 150-300ms.
func (s Setting) Name() string {
	if s.Min%time.Millisecond == 0 && s.Max%time.Millisecond == 0 {
		return fmt.Sprintf("%d-%dms", s.Min.Milliseconds(), s.Max.Milliseconds())
	}
	return cluster.FormatRange(s.Min, s.Max)
}

// paperName is the key of the setting in fig16.json: "150-300".
func (s Setting) paperName() string {
	return fmt.Sprintf("%d-%d", s.Min.Milliseconds(), s.Max.Milliseconds())
}

const ms = time.Millisecond

// Randomness is the paper's first set: the same minimum, more and more
// randomness. Without any, elections take so long that the paper ran 100
// trials.
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
	// LatencyMin and LatencyMax bound one-way network latency, DiskWrite is
	// how long persisting term and vote takes (before a candidate's
	// requests and a voter's answer leave), and TimerJitter how late an
	// election timer may fire. See DefaultOptions for the paper's values.
	LatencyMin, LatencyMax time.Duration
	DiskWrite              time.Duration
	TimerJitter            time.Duration
	// Eligible is how many of the survivors have logs as long as the
	// leader's, and so can win; the others' logs are behind. Negative means
	// all of them (no log handicap).
	Eligible int
	Seed     uint64
	// Limit gives up on a trial that has not elected a leader after this
	// long: it counts as censored.
	Limit time.Duration
	// Parallel is how many chunks of trials run at once (0: one per CPU).
	// It changes the wall time, never the results.
	Parallel int
	// Progress, if set, is told after each chunk of trials, from the
	// goroutine that called Run.
	Progress func(setting Setting, done, total int)
	// Engine is the Raft the nodes run. The etcd engine takes only the
	// paper's [T, 2T] settings (etcd draws from [ElectionTick,
	// 2*ElectionTick-1] ticks), no timer jitter, and no log handicap (its
	// logs grow only through the leader, which replicates to everyone):
	// Eligible must be all survivors.
	Engine cluster.Engine
	// ElectionTicks is etcd's ElectionTick for every setting: the tick is
	// the minimum timeout divided by it, and the heartbeat (half the
	// minimum) is half as many ticks. Even, from 2; etcd's servers run 10.
	ElectionTicks int
}

// DefaultElectionTicks is etcd's own ratio of election timeout to tick.
const DefaultElectionTicks = 10

// DefaultOptions are the paper's setup: 5 servers, 1000 trials, two of the
// four survivors ineligible, 0.1-0.2ms one-way latency (1 GbE), a 3ms disk
// write and 50us timer jitter. The README derives each value.
func DefaultOptions() Options {
	return Options{
		Nodes: 5, Trials: 1000, Eligible: EligibleHalf,
		LatencyMin: 100 * time.Microsecond, LatencyMax: 200 * time.Microsecond,
		DiskWrite: 3 * ms, TimerJitter: 50 * time.Microsecond,
		Limit: 10 * time.Minute, ElectionTicks: DefaultElectionTicks,
	}
}

// EligibleHalf makes half the survivors (rounded down) eligible: the
// dissertation's two of four.
const EligibleHalf = -2

// eligible resolves Options.Eligible for a cluster of n nodes.
func (o Options) eligible() int {
	survivors := o.Nodes - 1
	switch {
	case o.Eligible == EligibleHalf:
		return survivors / 2
	case o.Eligible < 0 || o.Eligible > survivors:
		return survivors
	}
	return o.Eligible
}

// Validate reports what is wrong with o, if anything.
func (o Options) Validate() error {
	switch {
	case o.Nodes < 3 || o.Nodes > 101:
		return fmt.Errorf("nodes %d: the bench runs 3 to 101 nodes (with fewer, the crashed leader leaves no majority)", o.Nodes)
	case o.Trials < 1:
		return fmt.Errorf("trials %d: need at least 1", o.Trials)
	case o.Limit <= 0:
		return fmt.Errorf("limit %v: must be positive", o.Limit)
	case o.Eligible > o.Nodes-1:
		return fmt.Errorf("eligible %d: only %d survivors", o.Eligible, o.Nodes-1)
	}
	if o.Engine == cluster.EngineEtcd {
		switch {
		case o.ElectionTicks < 2 || o.ElectionTicks%2 != 0:
			return fmt.Errorf("election ticks %d: want an even number from 2 (the heartbeat is half the minimum timeout)", o.ElectionTicks)
		case o.TimerJitter != 0:
			return fmt.Errorf("timer jitter %v: the etcd engine counts whole ticks, which do not jitter", o.TimerJitter)
		case o.eligible() != o.Nodes-1:
			return fmt.Errorf("eligible %d: the etcd engine's logs grow only through the leader, which replicates to every survivor; its bench runs without the log handicap", o.eligible())
		}
	}
	return nil
}

// CheckSetting reports why s cannot be measured with o's engine.
func (o Options) CheckSetting(s Setting) error {
	if o.Engine == cluster.EngineEtcd && s.Max != 2*s.Min {
		return fmt.Errorf("%s: the etcd engine draws from [ElectionTick, 2*ElectionTick-1] ticks and measures only [T, 2T] settings", s.Name())
	}
	return nil
}

// Result is one setting's measurements, trial by trial in trial order.
type Result struct {
	Setting Setting
	// Downtimes are, per trial, the time from the crash until every other
	// server had received the new leader's first heartbeat (the
	// dissertation's endpoint); Opts.Limit for a censored trial.
	Downtimes []time.Duration
	// Elected are, per trial, the time from the crash until the winner
	// counted its deciding vote; Opts.Limit for a censored trial.
	Elected []time.Duration
	// SplitVotes counts, per trial, terms in which two or more candidates
	// campaigned and none won.
	SplitVotes []int
	// Censored counts trials that hit Options.Limit: their true downtime
	// is unknown, only that it is longer.
	Censored int
	// Deposed lists the trials, numbered from 1 in trial order, that
	// measured nothing: before the crash a follower's timer fired between
	// two of the leader's heartbeats and its campaign deposed the healthy
	// leader (etcd at ElectionTick 2, whose heartbeats come one tick apart
	// and timeouts two or three ticks, when a heartbeat's latency straddles
	// a follower's tick). The trial never crashed a leader, so it has no
	// downtime: it is left out of Downtimes, Elected, SplitVotes and every
	// figure, and counted here instead.
	Deposed []int
	// Engine is the Raft the trials ran.
	Engine cluster.Engine
}

// chunkTrials is how many trials share a cluster. It fixes which trials run
// on which seeded cluster, so the results are the same at any parallelism.
const chunkTrials = 25

type chunk struct {
	setting, index int
	trials         int
	result         Result
	err            error
}

// Run measures each setting and returns the results in the same order. It
// stops early, with ctx's error, when ctx is done.
func Run(ctx context.Context, settings []Setting, opts Options) ([]Result, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	for _, s := range settings {
		if err := opts.CheckSetting(s); err != nil {
			return nil, err
		}
	}
	var chunks []*chunk
	totals := make([]int, len(settings))
	for i, s := range settings {
		totals[i] = opts.Trials
		if s.Trials > 0 {
			totals[i] = min(s.Trials, opts.Trials)
		}
		for first := 0; first < totals[i]; first += chunkTrials {
			chunks = append(chunks, &chunk{setting: i, index: first / chunkTrials, trials: min(chunkTrials, totals[i]-first)})
		}
	}
	// The longest settings first, so that one does not start last and
	// keep a core busy alone at the end.
	order := slices.Clone(chunks)
	slices.SortStableFunc(order, func(a, b *chunk) int { return int(settings[a.setting].Max - settings[b.setting].Max) })
	slices.SortStableFunc(order, func(a, b *chunk) int {
		return boolInt(settings[b.setting].Min == settings[b.setting].Max) - boolInt(settings[a.setting].Min == settings[a.setting].Max)
	})

	workers := opts.Parallel
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	todo := make(chan *chunk)
	done := make(chan *chunk)
	var wg sync.WaitGroup
	for range min(workers, len(chunks)) {
		wg.Go(func() {
			for c := range todo {
				c.result, c.err = measure(ctx, settings[c.setting], opts, c.index, c.trials)
				done <- c
			}
		})
	}
	go func() {
		defer close(todo)
		for _, c := range order {
			select {
			case todo <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()

	finished := make([]int, len(settings))
	var firstErr error
	for c := range done {
		if c.err != nil && firstErr == nil {
			firstErr = fmt.Errorf("%s: %w", settings[c.setting].Name(), c.err)
			cancel()
		}
		finished[c.setting] += c.trials
		if opts.Progress != nil && firstErr == nil {
			opts.Progress(settings[c.setting], finished[c.setting], totals[c.setting])
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	results := make([]Result, len(settings))
	for i, s := range settings {
		results[i].Setting, results[i].Engine = s, opts.Engine
	}
	for _, c := range chunks { // in trial order
		r := &results[c.setting]
		r.Downtimes = append(r.Downtimes, c.result.Downtimes...)
		r.Elected = append(r.Elected, c.result.Elected...)
		r.SplitVotes = append(r.SplitVotes, c.result.SplitVotes...)
		r.Censored += c.result.Censored
		for _, n := range c.result.Deposed {
			r.Deposed = append(r.Deposed, c.index*chunkTrials+n)
		}
	}
	return results, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// chunkSeed derives a chunk's seed from the run's seed, the setting itself
// (not its place in the list: a setting measures the same wherever it is
// asked for) and the chunk's index, mixed so that neighbours differ.
func chunkSeed(seed uint64, s Setting, index int) uint64 {
	x := seed ^ uint64(s.Min)*0x9e3779b97f4a7c15 ^ uint64(s.Max)*0xbf58476d1ce4e5b9 ^ uint64(index+1)*0x94d049bb133111eb
	x ^= x >> 31
	x *= 0xd6e8feb86659fd93
	return x ^ x>>32
}

func measure(ctx context.Context, s Setting, opts Options, index, trials int) (Result, error) {
	seed := chunkSeed(opts.Seed, s, index)
	cfg := cluster.DefaultConfig()
	cfg.Nodes, cfg.Seed = opts.Nodes, seed
	cfg.Timing = raft.Timing{ElectionMin: s.Min, ElectionMax: s.Max, Heartbeat: max(s.Min/2, time.Microsecond)}
	cfg.LatencyMin, cfg.LatencyMax = opts.LatencyMin, opts.LatencyMax
	cfg.DiskWrite, cfg.TimerJitter = opts.DiskWrite, opts.TimerJitter
	// The no-op on election, pinned: off for the textbook engine, as the
	// figures were measured and the 3ms disk write derived from the paper's
	// minima over three writes (docs/bench.md, which says what LogCabin
	// did). The no-op rides in the new leader's first AppendEntries, so it
	// would not move that arrival; it would change the traffic after it,
	// and with it the latency draws of every later trial. etcd's leaders
	// always append theirs.
	cfg.NoOp = false
	// Log writes take no time: the 3ms is the paper's write of term and
	// vote, and an etcd leader's entry, written by every follower, would
	// move the etcd figures (docs/bench.md).
	cfg.LogWrite = 0
	if cfg.Engine = opts.Engine; cfg.Engine == cluster.EngineEtcd {
		cfg.Tick = s.Min / time.Duration(opts.ElectionTicks)
		cfg.NoOp = true
	}
	cfg.Terse = true // nobody reads the reasons here
	c, err := cluster.New(cfg, nil)
	if err != nil {
		return Result{}, err
	}
	rng := rand.New(rand.NewPCG(seed, 0xfeed))
	r := Result{Setting: s}
	censor := func(splits int) {
		r.Downtimes, r.Elected = append(r.Downtimes, opts.Limit), append(r.Elected, opts.Limit)
		r.SplitVotes = append(r.SplitVotes, splits)
		r.Censored++
	}
	// The experiment starts from a cluster with a leader. Without
	// randomness, all the timers started together at time 0 would split
	// the first vote for a long time, so n1 is made to campaign first.
	_ = c.Timeout(1)
	if _, ok := untilLeader(c, opts.Limit); !ok {
		for range trials {
			censor(c.Stats().SplitVotes) // not even a first leader
		}
		return r, nil
	}
	settle(c, opts.Limit)
	for n := 1; n <= trials; n++ {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		switch t := crashTrial(c, rng, opts); t.outcome {
		case deposed:
			r.Deposed = append(r.Deposed, n) // numbered within the chunk; Run adds its place
		case censored:
			censor(t.splits)
		default:
			r.Downtimes, r.Elected = append(r.Downtimes, t.down), append(r.Elected, t.elected)
			r.SplitVotes = append(r.SplitVotes, t.splits)
		}
	}
	return r, nil
}

// outcome is how a crash trial ended.
type outcome int

const (
	measured outcome = iota // a leader again, heard by every survivor
	censored                // no leader within Options.Limit
	deposed                 // the leader lost its leadership before the crash
)

type trial struct {
	down, elected time.Duration
	splits        int
	outcome       outcome
}

// crashTrial gives the leader and some survivors a log entry the others
// lack, waits for the leader's heartbeat broadcast, crashes the leader
// within its heartbeat interval, and times the cluster without a leader.
func crashTrial(c *cluster.Cluster, rng *rand.Rand, opts Options) trial {
	leader := c.Leader()
	if leader == 0 {
		return trial{outcome: censored} // settle found no leader within the limit
	}
	// The log handicap: the leader and the eligible survivors get an entry
	// of the current term; the others' logs end in an older term.
	survivors := make([]int, 0, opts.Nodes-1)
	for id := 1; id <= opts.Nodes; id++ {
		if id != leader {
			survivors = append(survivors, id)
		}
	}
	rng.Shuffle(len(survivors), func(i, j int) { survivors[i], survivors[j] = survivors[j], survivors[i] })
	if opts.Engine == cluster.EngineTextbook { // etcd runs without the handicap (Options.Engine)
		if err := c.AppendLog(append([]int{leader}, survivors[:opts.eligible()]...), 1); err != nil {
			panic(fmt.Sprintf("bench: %v", err)) // every node is alive after settle
		}
	}
	st, _ := c.Node(leader)
	c.RunUntil(st.NextHeartbeat) // the broadcast that synchronises the followers
	c.RunFor(time.Duration(rng.Int64N(int64(c.Config().Heartbeat))))
	if c.Leader() != leader {
		// A follower timed out while the leader was healthy (Result.Deposed):
		// no crash, nothing to time. The next trial starts from a settled
		// cluster.
		settle(c, opts.Limit)
		return trial{outcome: deposed}
	}
	splitsBefore := c.Stats().SplitVotes
	crash := c.Now()
	_ = c.Kill(leader)
	elected, ok := untilLeader(c, opts.Limit)
	var t trial
	if ok {
		t.elected = elected
		t.down, ok = untilHeard(c, crash, opts.Limit)
	}
	if !ok {
		t.outcome = censored
	}
	t.splits = c.Stats().SplitVotes - splitsBefore
	_ = c.Restart(leader)
	settle(c, opts.Limit)
	return t
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

// untilHeard steps the cluster until every other live node follows the
// leader (it accepted the leader's heartbeat), and returns the time since
// crash. Leadership may change meanwhile; whoever leads must be heard.
func untilHeard(c *cluster.Cluster, crash, limit time.Duration) (time.Duration, bool) {
	for !heard(c) {
		if c.Now()-crash >= limit || !c.Step() {
			return limit, false
		}
	}
	return c.Now() - crash, true
}

func heard(c *cluster.Cluster) bool {
	leader := c.Leader()
	if leader == 0 {
		return false
	}
	for id := 1; id <= c.Size(); id++ {
		if n, _ := c.Node(id); n.Alive && int(n.Leader) != leader {
			return false
		}
	}
	return true
}

// settle runs until every node follows the same leader in its term, so that
// the next trial starts from a healthy cluster.
func settle(c *cluster.Cluster, limit time.Duration) {
	start := c.Now()
	for c.Now()-start < limit {
		c.RunFor(c.Config().ElectionMax)
		if heard(c) {
			return
		}
	}
}

// Summary is a setting's figures, in milliseconds. Censored trials count at
// the limit, as the longest: a figure whose rank falls among them is only a
// lower bound, and its Censored flag says so. Trials counts the trials
// measured (censored ones among them); Deposed those left out, which
// measured nothing (Result.Deposed).
type Summary struct {
	Engine             string  `json:"engine"`
	Timeout            string  `json:"timeout"`
	Trials             int     `json:"trials"`
	MinMS              float64 `json:"min_ms"`
	MedianMS           float64 `json:"median_ms"`
	MeanMS             float64 `json:"mean_ms"`
	P90MS              float64 `json:"p90_ms"`
	P99MS              float64 `json:"p99_ms"`
	MaxMS              float64 `json:"max_ms"`
	ElectedMedianMS    float64 `json:"elected_median_ms"`
	SplitVotesPerTrial float64 `json:"split_votes_per_trial"`
	Censored           int     `json:"censored"`
	Deposed            int     `json:"deposed"`
}

// LowerBound reports whether the q-quantile (nearest rank, as Quantile) is
// only a lower bound: its rank falls among the censored trials.
func (s Summary) LowerBound(q float64) bool {
	return s.Censored > 0 && int(q*float64(s.Trials)+0.999999) > s.Trials-s.Censored
}

// Summarize computes a result's figures.
func (r Result) Summarize() Summary {
	d := slices.Clone(r.Downtimes)
	slices.Sort(d)
	s := Summary{Engine: r.Engine.String(), Timeout: r.Setting.Name(), Trials: len(d), Censored: r.Censored, Deposed: len(r.Deposed)}
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
	e := slices.Clone(r.Elected)
	slices.Sort(e)
	s.MinMS, s.MaxMS = toMS(d[0]), toMS(d[len(d)-1])
	s.MedianMS = toMS(Quantile(d, 0.5))
	s.P90MS, s.P99MS = toMS(Quantile(d, 0.9)), toMS(Quantile(d, 0.99))
	s.MeanMS = toMS(sum / time.Duration(len(d)))
	s.ElectedMedianMS = toMS(Quantile(e, 0.5))
	s.SplitVotesPerTrial = float64(splits) / float64(len(d))
	return s
}

func toMS(x time.Duration) float64 { return float64(x.Microseconds()) / 1000 }

// Quantile returns the q-quantile of sorted samples (nearest rank).
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
