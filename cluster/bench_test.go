package cluster

import (
	"testing"
	"time"
)

// benchmarkHealthy runs a healthy cluster of n nodes for virtual time d per
// iteration and reports virtual seconds per wall second, events per second
// and wall time per event (construction included). n1 campaigns at once, so
// that the run measures a cluster with a leader at every size: a 1000-node
// cluster left to its timers splits its votes for seconds, which
// BenchmarkFirstElection1000Nodes measures. The sink counts, as a headless
// run without --json does.
func benchmarkHealthy(b *testing.B, n int, d time.Duration, opts ...func(*Config)) {
	events := 0
	b.ReportAllocs()
	for b.Loop() {
		cfg := DefaultConfig()
		cfg.Nodes, cfg.Seed = n, 1
		for _, o := range opts {
			o(&cfg)
		}
		c, err := New(cfg, func(Event) { events++ })
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Timeout(1); err != nil {
			b.Fatal(err)
		}
		c.RunFor(d)
	}
	wall := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)*d.Seconds()/wall, "virtual-s/s")
	b.ReportMetric(float64(events)/wall, "events/s")
	b.ReportMetric(wall*1e9/float64(events), "ns/event")
}

// benchmarkPuts is benchmarkHealthy with a client: a command to the leader
// every 1/rate of virtual time, each replicated, committed and checked
// (Log Matching, State Machine Safety).
func benchmarkPuts(b *testing.B, n int, d time.Duration, rate int) {
	events := 0
	every := time.Second / time.Duration(rate)
	b.ReportAllocs()
	for b.Loop() {
		cfg := DefaultConfig()
		cfg.Nodes, cfg.Seed = n, 1
		c, err := New(cfg, func(Event) { events++ })
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Timeout(1); err != nil {
			b.Fatal(err)
		}
		put := Command{Action: ActPut, Nodes: []int{LeaderNode}}
		for c.Now() < d {
			c.RunFor(every)
			_, _ = c.Execute(put)
		}
		if c.Stats().Committed < int(d/every)*9/10 {
			b.Fatalf("%d of %d commands committed", c.Stats().Committed, d/every)
		}
	}
	wall := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)*d.Seconds()/wall, "virtual-s/s")
	b.ReportMetric(float64(events)/wall, "events/s")
	b.ReportMetric(wall*1e9/float64(events), "ns/event")
}

func BenchmarkHealthy5NodesHour(b *testing.B)     { benchmarkHealthy(b, 5, time.Hour) }
func BenchmarkHealthy101NodesMinute(b *testing.B) { benchmarkHealthy(b, 101, time.Minute) }
func BenchmarkHealthy1000Nodes10s(b *testing.B)   { benchmarkHealthy(b, 1000, 10*time.Second) }

// BenchmarkReplication5Nodes10Min is the cost of replication per event: 10
// virtual minutes of 5 nodes without a client, then with 100 commands per
// virtual second. Issue 21 asks for the second within 1.5x of the first.
func BenchmarkReplication5Nodes10Min(b *testing.B) {
	b.Run("no-client", func(b *testing.B) { benchmarkHealthy(b, 5, 10*time.Minute) })
	b.Run("100-puts-per-second", func(b *testing.B) { benchmarkPuts(b, 5, 10*time.Minute, 100) })
}

// The etcd engine: etcd allocates every protobuf field it sets, which is
// most of its cost per event.
func BenchmarkHealthyEtcd5NodesHour(b *testing.B) { benchmarkHealthy(b, 5, time.Hour, withEtcd) }
func BenchmarkHealthyEtcd101NodesMinute(b *testing.B) {
	benchmarkHealthy(b, 101, time.Minute, withEtcd)
}

// BenchmarkFirstElection1000Nodes measures building a 1000-node cluster and
// running it until its first leader, at the default timing. With 1000
// timeouts drawn from 150ms a new candidate appears every 0.15ms, far
// inside one message latency, so tens of candidates split each term and
// the first leader comes after seconds of virtual time and hundreds of
// candidacies of 999 requests each: the per-vote cost decides the total.
func BenchmarkFirstElection1000Nodes(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		cfg := DefaultConfig()
		cfg.Nodes, cfg.Seed = 1000, 1
		c, err := New(cfg, nil)
		if err != nil {
			b.Fatal(err)
		}
		for c.Leader() == 0 && c.Step() {
		}
	}
}

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

// benchmarkCompare runs two worlds of 5 nodes for a virtual hour, world B
// with PreVote on (they part at the first election and differ from then
// on: the most for the comparison to do), for comparison with
// BenchmarkHealthy5NodesHour's single cluster: `raftty run --compare`
// should cost under 2.2 times a single run. The sink takes each event by
// pointer, as the run's does (HandOnByPointer). Unordered is the sink of a
// run that prints no events (no --json, no --verbose).
func benchmarkCompare(b *testing.B, unordered bool) {
	diff, err := ParseCompare("prevote=on")
	if err != nil {
		b.Fatal(err)
	}
	events := 0
	b.ReportAllocs()
	for b.Loop() {
		cfg := DefaultConfig()
		cfg.Seed = 1
		w, err := NewWorlds(cfg, []Compare{diff}, nil, nil, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		w.HandOnByPointer(func(*Event) { events++ })
		if unordered {
			w.HandOnUnordered()
		}
		w.RunUntil(time.Hour)
		w.Flush()
	}
	wall := b.Elapsed().Seconds()
	b.ReportMetric(float64(events)/wall, "events/s")
	b.ReportMetric(wall*1e9/float64(events), "ns/event")
}

func BenchmarkCompare5NodesHour(b *testing.B)          { benchmarkCompare(b, false) }
func BenchmarkCompare5NodesHourUnordered(b *testing.B) { benchmarkCompare(b, true) }
