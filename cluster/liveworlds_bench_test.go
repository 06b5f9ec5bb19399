package cluster

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkLiveAdvance runs a virtual minute the way a Live's ticks do,
// one event instant at a time, for one cluster and for two worlds
// (B with PreVote on): the live runner's cost per virtual minute, which
// for two worlds should stay near twice one's.
func BenchmarkLiveAdvance(b *testing.B) {
	prevote, _ := ParseCompare("prevote=on")
	for _, nodes := range []int{5, 101} {
		for _, two := range []bool{false, true} {
			name := fmt.Sprintf("%dnodes/one", nodes)
			if two {
				name = fmt.Sprintf("%dnodes/two", nodes)
			}
			b.Run(name, func(b *testing.B) {
				cfg := DefaultConfig()
				cfg.Seed, cfg.Nodes = 1, nodes
				events := 0
				for b.Loop() {
					var s sim
					if two {
						w, err := NewWorlds(cfg, []Compare{prevote}, func(Event) {}, nil, nil, nil)
						if err != nil {
							b.Fatal(err)
						}
						s = &pair{w: w}
					} else {
						c, err := New(cfg, func(Event) {})
						if err != nil {
							b.Fatal(err)
						}
						s = &solo{c: c, adv: plainAdvance{}}
					}
					for s.now() < time.Minute {
						next, ok := s.nextAt()
						if !ok || next > time.Minute {
							next = time.Minute
						}
						s.runUntil(next)
					}
					events += s.events()
				}
				b.ReportMetric(float64(events)/float64(b.N), "events/op")
			})
		}
	}
}
