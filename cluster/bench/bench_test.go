package bench

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

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

// A small run shows the paper's findings: no randomness never elects (here
// within a short limit), a little randomness elects, shorter timeouts elect
// faster; and the same seed gives the same samples.
func TestBenchFindings(t *testing.T) {
	opts := DefaultOptions()
	opts.Trials, opts.Seed, opts.Limit = 40, 7, 3*time.Second
	settings := []Setting{{Min: 150 * ms, Max: 150 * ms}, {Min: 150 * ms, Max: 300 * ms}, {Min: 25 * ms, Max: 50 * ms}}
	results, err := Run(settings, opts)
	if err != nil {
		t.Fatal(err)
	}
	none, wide, short := results[0].Summarize(), results[1].Summarize(), results[2].Summarize()
	if none.Censored != 40 || none.SplitVotesPerTrial < 10 {
		t.Errorf("150-150ms: %+v; want every trial stuck in split votes", none)
	}
	// The crash comes up to one heartbeat (75ms) after the followers'
	// timers were reset: no election can end sooner than 150 - 75ms.
	if wide.Censored != 0 || wide.MinMS < 75 || wide.MaxMS > 1000 {
		t.Errorf("150-300ms: %+v; want every trial elected, none sooner than 75ms", wide)
	}
	if short.MeanMS >= wide.MeanMS {
		t.Errorf("25-50ms mean %vms is not below 150-300ms mean %vms", short.MeanMS, wide.MeanMS)
	}
	again, _ := Run(settings[1:2], opts)
	if !reflect.DeepEqual(again[0].Downtimes, results[1].Downtimes) {
		t.Error("the same seed gave different samples")
	}
	chart := Chart(results, 60, 12)
	for _, want := range []string{"100%", "  0%", "1 150-150ms", "3 25-50ms", "100ms"} {
		if !strings.Contains(chart, want) {
			t.Errorf("chart lacks %q:\n%s", want, chart)
		}
	}
}
