package etcd_test

import (
	"testing"
	"time"

	"raftty/engine"
	"raftty/engine/enginetest"
	"raftty/engine/etcd"
	"raftty/engine/textbook"
)

// benchmarkHealthy runs a healthy 5-node cluster of eng for a virtual
// minute per iteration, in the test simulator (no transcript), and reports
// the wall time per delivered message: the engine's cost, each message being
// a send and a delivery in a cluster's event stream.
func benchmarkHealthy(b *testing.B, eng engine.Engine, terse bool) {
	b.ReportAllocs()
	delivered := 0
	for b.Loop() {
		cfg := engine.Config{Timing: engine.Timing{ElectionMin: 150 * time.Millisecond, ElectionMax: 300 * time.Millisecond, Heartbeat: 50 * time.Millisecond}, Terse: terse}
		s, err := enginetest.New(eng, 5, 1, cfg)
		if err != nil {
			b.Fatal(err)
		}
		s.Quiet = true
		s.RunFor(time.Minute)
		delivered += s.Delivered
	}
	b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(delivered), "ns/msg")
}

func BenchmarkHealthyEtcd(b *testing.B)          { benchmarkHealthy(b, etcd.Engine{}, false) }
func BenchmarkHealthyEtcdTerse(b *testing.B)     { benchmarkHealthy(b, etcd.Engine{}, true) }
func BenchmarkHealthyTextbook(b *testing.B)      { benchmarkHealthy(b, textbook.Engine{}, false) }
func BenchmarkHealthyTextbookTerse(b *testing.B) { benchmarkHealthy(b, textbook.Engine{}, true) }
