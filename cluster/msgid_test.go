package cluster

import "testing"

// TestMessageIdentity checks that every message's send and end (delivery or
// drop) carry one number, given in sending order, and that a message ends at
// most once: the pairing a spacetime diagram draws. The run has every way a
// message ends: delivered, lost, dropped at send by a disconnection, and
// dropped in flight when its receiver dies. Latency is wide, so that
// messages on one link overtake each other and only the number pairs them.
func TestMessageIdentity(t *testing.T) {
	c, rec := newTestCluster(t, 5, 3, withLatency(ms, 40*ms), func(c *Config) { c.DropRate = 0.1 })
	leader := waitLeader(t, c, 5000*ms)
	must(t, c.Disconnect(otherThan(5, leader)))
	c.RunFor(300 * ms)
	must(t, c.Kill(leader))
	c.RunFor(2000 * ms)

	sends := map[uint64]Event{}
	ended := map[uint64]Kind{}
	var last uint64
	overtaken, dropsAtSend, dropsInFlight := 0, 0, 0
	for _, e := range rec.events {
		switch e.Kind {
		case KindSend:
			if e.Msg != last+1 {
				t.Fatalf("send at %v numbered %d after %d: want sending order", e.At, e.Msg, last)
			}
			last = e.Msg
			sends[e.Msg] = e
		case KindDeliver, KindDrop:
			s, ok := sends[e.Msg]
			if !ok {
				t.Fatalf("%s at %v carries %d, which no send did", e.Kind, e.At, e.Msg)
			}
			if k, done := ended[e.Msg]; done {
				t.Fatalf("message %d ended twice: %s, then %s at %v", e.Msg, k, e.Kind, e.At)
			}
			ended[e.Msg] = e.Kind
			if s.From != e.From || s.To != e.To || s.Type != e.Type || s.Term != e.Term {
				t.Fatalf("message %d sent as %s, ended as %s", e.Msg, s.String(), e.String())
			}
			switch {
			case e.Kind == KindDrop && e.At == s.At:
				dropsAtSend++
			case e.Kind == KindDrop:
				dropsInFlight++
			}
			// A later message on the same link that already ended
			// overtook this one.
			for m := e.Msg + 1; m <= last; m++ {
				if o := sends[m]; o.From == e.From && o.To == e.To && ended[m] == KindDeliver {
					overtaken++
					break
				}
			}
		}
	}
	if dropsAtSend == 0 || dropsInFlight == 0 || overtaken == 0 {
		t.Fatalf("the run lacks a case: %d drops at send, %d in flight, %d overtaken messages", dropsAtSend, dropsInFlight, overtaken)
	}
}
