package cluster

import (
	"testing"
	"time"
)

// benchmarkHealthy runs a healthy cluster of n nodes for virtual time d per
// iteration and reports virtual seconds per wall second and events per
// second. The sink is a no-op, as in a headless run without --json.
func benchmarkHealthy(b *testing.B, n int, d time.Duration) {
	events := 0
	b.ReportAllocs()
	for b.Loop() {
		cfg := DefaultConfig()
		cfg.Nodes, cfg.Seed = n, 1
		c, err := New(cfg, func(Event) { events++ })
		if err != nil {
			b.Fatal(err)
		}
		c.RunFor(d)
	}
	wall := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)*d.Seconds()/wall, "virtual-s/s")
	b.ReportMetric(float64(events)/wall, "events/s")
}

func BenchmarkHealthy5NodesHour(b *testing.B)     { benchmarkHealthy(b, 5, time.Hour) }
func BenchmarkHealthy101NodesMinute(b *testing.B) { benchmarkHealthy(b, 101, time.Minute) }

// BenchmarkJSON measures encoding one event, which --json does for every
// event of a run.
func BenchmarkJSON(b *testing.B) {
	e := Event{At: 12345 * time.Microsecond, Kind: KindVote, Node: 3, For: 4, Term: 7, Reason: "already voted n2 in term 7"}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = e.AppendJSON(buf[:0])
	}
}
