package bench

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"raftty/cluster"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestQuantile(t *testing.T) {
	d := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0, 1}, {0.5, 5}, {0.9, 9}, {0.99, 10}, {1, 10}} {
		if got := Quantile(d, tc.q); got != tc.want {
			t.Errorf("q%v = %v, want %v", tc.q, got, tc.want)
		}
	}
}

// A small run shows the paper's findings: no randomness (and no timer
// jitter) never elects within a short limit, a little randomness elects,
// shorter timeouts elect faster; downtime runs past the winner's count to
// the others' first heartbeat; and the same seed gives the same samples at
// any parallelism.
func TestBenchFindings(t *testing.T) {
	opts := DefaultOptions()
	opts.Trials, opts.Seed, opts.Limit, opts.TimerJitter = 60, 7, 3*time.Second, 0
	settings := []Setting{{Min: 150 * ms, Max: 150 * ms}, {Min: 150 * ms, Max: 300 * ms}, {Min: 25 * ms, Max: 50 * ms}}
	opts.Parallel = 1
	results, err := Run(context.Background(), settings, opts)
	if err != nil {
		t.Fatal(err)
	}
	none, wide, short := results[0].Summarize(), results[1].Summarize(), results[2].Summarize()
	if none.Censored != 60 || none.SplitVotesPerTrial == 0 || !none.LowerBound(0.5) {
		t.Errorf("150-150ms without jitter: %+v; want every trial censored, stuck in split votes", none)
	}
	// The crash comes up to one heartbeat (75ms) after the followers'
	// timers were reset: no election can end sooner than 150 - 75ms.
	if wide.Censored != 0 || wide.MinMS < 75 || wide.MaxMS > 1000 || wide.LowerBound(0.99) {
		t.Errorf("150-300ms: %+v; want every trial elected, none sooner than 75ms", wide)
	}
	if short.MeanMS >= wide.MeanMS {
		t.Errorf("25-50ms mean %vms is not below 150-300ms mean %vms", short.MeanMS, wide.MeanMS)
	}
	later := 0
	for i, d := range results[1].Downtimes {
		if e := results[1].Elected[i]; d < e {
			t.Fatalf("trial %d: downtime %v ends before the election %v", i, d, e)
		} else if d > e {
			later++
		}
	}
	if later == 0 {
		t.Error("no trial's downtime ran past the winner's count to the first heartbeat")
	}
	opts.Parallel = 3
	again, err := Run(context.Background(), settings[1:], opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again[0], results[1]) || !reflect.DeepEqual(again[1], results[2]) {
		t.Error("the same seed gave different samples at another parallelism or place in the list")
	}
	chart := Chart(results, 60, 12)
	for _, want := range []string{"100%", "  0%", "1 150-150ms", "3 25-50ms", "c the paper's 25-50ms", "100ms"} {
		if !strings.Contains(chart, want) {
			t.Errorf("chart lacks %q:\n%s", want, chart)
		}
	}
}

// The log handicap: with two of four survivors eligible, the first timer to
// fire belongs to an ineligible node half the time, and the cluster waits
// for an eligible one. With 150-300ms (few split votes) that shows as a
// longer median than with every survivor eligible.
func TestLogHandicapDelaysElections(t *testing.T) {
	opts := DefaultOptions()
	opts.Trials, opts.Seed = 200, 3
	s := []Setting{{Min: 150 * ms, Max: 300 * ms}}
	handicap, err := Run(context.Background(), s, opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Eligible = -1
	all, err := Run(context.Background(), s, opts)
	if err != nil {
		t.Fatal(err)
	}
	h, a := handicap[0].Summarize(), all[0].Summarize()
	if h.MedianMS < a.MedianMS+10 {
		t.Errorf("median %.1fms with two of four eligible, %.1fms with all: want the handicap >= 10ms slower", h.MedianMS, a.MedianMS)
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	opts := DefaultOptions()
	opts.Trials = 500
	opts.Progress = func(Setting, int, int) { cancel() }
	if _, err := Run(ctx, []Setting{{Min: 150 * ms, Max: 151 * ms}, {Min: 150 * ms, Max: 300 * ms}}, opts); err == nil {
		t.Fatal("a cancelled run returned no error")
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  func(*Options)
		want string
	}{
		{"nodes", func(o *Options) { o.Nodes = 0 }, "nodes 0"},
		{"trials", func(o *Options) { o.Trials = 0 }, "trials 0"},
		{"limit", func(o *Options) { o.Limit = 0 }, "limit 0s"},
		{"eligible", func(o *Options) { o.Eligible = 5 }, "eligible 5: only 4 survivors"},
		{"etcd ticks", func(o *Options) { o.Engine, o.TimerJitter, o.Eligible, o.ElectionTicks = cluster.EngineEtcd, 0, -1, 3 }, "election ticks 3: want an even number from 2"},
		{"etcd jitter", func(o *Options) { o.Engine, o.Eligible = cluster.EngineEtcd, -1 }, "timer jitter 50µs: the etcd engine counts whole ticks"},
		{"etcd handicap", func(o *Options) { o.Engine, o.TimerJitter = cluster.EngineEtcd, 0 }, "eligible 2: the etcd engine's logs grow only through the leader"},
	} {
		o := DefaultOptions()
		tc.opt(&o)
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// The etcd engine measures the [T, 2T] settings only, without jitter or log
// handicap, and elects a new leader after every crash.
func TestEtcdBench(t *testing.T) {
	opts := DefaultOptions()
	opts.Engine, opts.TimerJitter, opts.Eligible, opts.Trials, opts.Seed = cluster.EngineEtcd, 0, -1, 30, 1
	if _, err := Run(context.Background(), []Setting{{Min: 150 * ms, Max: 151 * ms}}, opts); err == nil || !strings.Contains(err.Error(), "measures only [T, 2T] settings") {
		t.Errorf("150-151ms on etcd: %v", err)
	}
	rs, err := Run(context.Background(), []Setting{{Min: 50 * ms, Max: 100 * ms}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	s := rs[0].Summarize()
	if s.Censored != 0 || s.Trials != 30 || s.MinMS < 20 || s.MedianMS > 150 {
		t.Errorf("etcd at 50-100ms: %+v", s)
	}
}

// With etcd's ElectionTick 2 the heartbeat comes every tick and a timeout
// after two or three: a heartbeat late by more than the next one's latency
// lets a follower's timer fire, and its campaign deposes the healthy leader
// before the trial's crash (a 2ms latency spread makes it common). Such a
// trial measured no downtime: it is counted apart, by its number, never as
// a censored trial at the limit (10 minutes of downtime in every figure).
func TestDeposedTrialsAreLeftOut(t *testing.T) {
	opts := DefaultOptions()
	opts.Engine, opts.TimerJitter, opts.Eligible, opts.Trials, opts.Seed = cluster.EngineEtcd, 0, -1, 50, 1
	opts.ElectionTicks, opts.LatencyMax, opts.Parallel = 2, 2*ms, 1
	rs, err := Run(context.Background(), []Setting{{Min: 25 * ms, Max: 50 * ms}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	r, s := rs[0], rs[0].Summarize()
	if len(r.Deposed) == 0 || s.Deposed != len(r.Deposed) {
		t.Fatalf("no trial deposed its leader before the crash (%+v); the test needs one", s)
	}
	if s.Censored != 0 || s.Trials+s.Deposed != 50 || s.MaxMS >= 1000 || s.Engine != "etcd" {
		t.Errorf("%+v: want 50 trials, %d of them deposed and left out, none censored, no downtime near the limit", s, s.Deposed)
	}
	if len(r.Elected) != s.Trials || len(r.SplitVotes) != s.Trials {
		t.Errorf("%d elected and %d split counts for %d measured trials", len(r.Elected), len(r.SplitVotes), s.Trials)
	}
	if !slices.IsSorted(r.Deposed) || r.Deposed[0] < 1 || r.Deposed[len(r.Deposed)-1] > 50 || r.Deposed[len(r.Deposed)-1] <= chunkTrials {
		t.Errorf("deposed trials %v: want their numbers from 1 to 50 in order, some in the second chunk", r.Deposed)
	}
}

func TestPaperFigures(t *testing.T) {
	p, ok := Paper(Setting{Min: 150 * ms, Max: 155 * ms})
	if !ok || p.MedianMS != 287.3 || len(p.CDFMS) != 100 {
		t.Fatalf("the paper's 150-155ms: %+v, %v", p, ok)
	}
	if _, ok := Paper(Setting{Min: 150 * ms, Max: 160 * ms}); ok {
		t.Error("the paper has no 150-160ms")
	}
}

// BenchmarkDefaultBench runs what `raftty bench` runs by default: both sets,
// 1000 trials per setting (150-300ms once), on GOMAXPROCS cores.
func BenchmarkDefaultBench(b *testing.B) {
	var settings []Setting
	for _, s := range append(slices.Clone(Randomness), Scale...) {
		if !slices.Contains(settings, s) {
			settings = append(settings, s)
		}
	}
	opts := DefaultOptions()
	opts.Seed = 1
	for b.Loop() {
		if _, err := Run(context.Background(), settings, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// The bench's figures are the paper's comparison, published in docs/bench.md:
// a change to the cluster's defaults (the no-op on election) or to what it
// models (which writes take disk time) must not move them. A small run's
// samples, to the microsecond, pin them; a change meant to move them
// rewrites these numbers and the docs in one commit that says why.
func TestBenchFiguresPinned(t *testing.T) {
	for _, tc := range []struct {
		engine  cluster.Engine
		setting Setting
		want    time.Duration // the sum of the downtimes
	}{
		{cluster.EngineTextbook, Setting{Min: 150 * ms, Max: 300 * ms}, 6638757068},
		{cluster.EngineTextbook, Setting{Min: 12 * ms, Max: 24 * ms}, 1461826528},
		{cluster.EngineEtcd, Setting{Min: 50 * ms, Max: 100 * ms}, 2130959731},
	} {
		opts := DefaultOptions()
		opts.Trials, opts.Seed, opts.Engine = 40, 1, tc.engine
		if tc.engine == cluster.EngineEtcd {
			opts.TimerJitter, opts.Eligible = 0, -1
		}
		rs, err := Run(context.Background(), []Setting{tc.setting}, opts)
		if err != nil {
			t.Fatal(err)
		}
		var sum time.Duration
		for _, d := range rs[0].Downtimes {
			sum += d
		}
		if sum != tc.want {
			t.Errorf("%v %s: the downtimes sum to %v, want %v", tc.engine, tc.setting.Name(), sum, tc.want)
		}
	}
}
