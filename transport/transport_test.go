package transport

import (
	"math/rand/v2"
	"testing"
	"time"
)

const ms = time.Millisecond

func newNet(t *testing.T, size int, latMin, latMax time.Duration, drop float64) *Network[string] {
	t.Helper()
	nw, err := New[string](size, pcgDraws{rand.New(rand.NewPCG(7, 7))}, latMin, latMax, drop)
	if err != nil {
		t.Fatal(err)
	}
	return nw
}

// pcgDraws draws every message's numbers from one sequential source.
type pcgDraws struct{ r *rand.Rand }

func (p pcgDraws) Draw(int, int) (loss, latency uint64) { return p.r.Uint64(), p.r.Uint64() }

func send(t *testing.T, nw *Network[string], now time.Duration, from, to int) Reason {
	t.Helper()
	r, err := nw.Send(now, Envelope[string]{From: from, To: to, Payload: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFateAtSend(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fault    func(nw *Network[string]) error
		from, to int
		want     Reason
	}{
		{"healthy", func(*Network[string]) error { return nil }, 1, 2, Delivered},
		{"sender disconnected", func(nw *Network[string]) error { return nw.Disconnect(1) }, 1, 2, Disconnected},
		{"receiver disconnected", func(nw *Network[string]) error { return nw.Disconnect(2) }, 1, 2, Disconnected},
		{"bystanders unaffected", func(nw *Network[string]) error { return nw.Disconnect(3) }, 1, 2, Delivered},
		{"across a partition", func(nw *Network[string]) error { return nw.Partition([][]int{{1}, {2, 3}}) }, 1, 2, Partitioned},
		{"unlisted nodes group together", func(nw *Network[string]) error { return nw.Partition([][]int{{1}}) }, 2, 3, Delivered},
		{"inside a partition", func(nw *Network[string]) error { return nw.Partition([][]int{{1, 2}, {3}}) }, 1, 2, Delivered},
		{"cut both ways", func(nw *Network[string]) error { return nw.Cut(2, 1, true) }, 1, 2, Cut},
		{"cut one way, that way", func(nw *Network[string]) error { return nw.Cut(1, 2, false) }, 1, 2, Cut},
		{"cut one way, other way", func(nw *Network[string]) error { return nw.Cut(2, 1, false) }, 1, 2, Delivered},
		{"cut then linked", func(nw *Network[string]) error { _ = nw.Cut(1, 2, true); return nw.Link(2, 1) }, 1, 2, Delivered},
		{"healed", func(nw *Network[string]) error {
			_ = nw.Disconnect(1)
			_ = nw.Partition([][]int{{1}, {2, 3}})
			_ = nw.Cut(1, 2, true)
			nw.Heal()
			return nil
		}, 1, 2, Delivered},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nw := newNet(t, 3, ms, 5*ms, 0)
			if err := tc.fault(nw); err != nil {
				t.Fatal(err)
			}
			if got := send(t, nw, 0, tc.from, tc.to); got != tc.want {
				t.Fatalf("fate %v, want %v", got, tc.want)
			}
		})
	}
}

func TestArrivalOrderAndLatency(t *testing.T) {
	nw := newNet(t, 3, ms, 5*ms, 0)
	for i := 0; i < 100; i++ {
		send(t, nw, time.Duration(i)*ms, 1+i%3, 1+(i+1)%3)
	}
	last := time.Duration(-1)
	for nw.InFlight() > 0 {
		e, r, _ := nw.Receive()
		if r != Delivered {
			t.Fatalf("dropped on a healthy network: %v", r)
		}
		if lat := e.ArriveAt - e.SentAt; lat < ms || lat > 5*ms {
			t.Fatalf("latency %v outside 1-5ms", lat)
		}
		if e.ArriveAt < last {
			t.Fatalf("arrival %v after %v: out of order", e.ArriveAt, last)
		}
		last = e.ArriveAt
	}
}

func TestEqualArrivalsKeepSendOrder(t *testing.T) {
	nw := newNet(t, 3, ms, ms, 0)
	for to := 2; to <= 3; to++ {
		for i := 0; i < 5; i++ {
			send(t, nw, 0, 1, to)
		}
	}
	want := []int{2, 2, 2, 2, 2, 3, 3, 3, 3, 3}
	for i, w := range want {
		e, _, _ := nw.Receive()
		if e.To != w {
			t.Fatalf("arrival %d went to n%d, want n%d", i, e.To, w)
		}
	}
}

// A message held back by its sender's disk write is taken back if the
// sender dies before it leaves, and ends dropped as dead; one that has left
// travels on.
func TestWithdraw(t *testing.T) {
	nw := newNet(t, 3, ms, ms, 0)
	for _, delay := range []time.Duration{0, 10 * ms, 30 * ms} {
		if _, err := nw.Send(0, Envelope[string]{From: 1, To: 2, Payload: delay.String(), Delay: delay}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := nw.Send(0, Envelope[string]{From: 3, To: 2, Delay: 30 * ms}); err != nil {
		t.Fatal(err)
	}
	if n := nw.Withdraw(1, 10*ms); n != 1 {
		t.Fatalf("withdrew %d messages at 10ms, want the one leaving at 30ms", n)
	}
	want := map[string]Reason{"0s": Delivered, "10ms": Delivered, "30ms": Dead, "": Delivered}
	for range 4 {
		e, got, _ := nw.Receive()
		if got != want[e.Payload] {
			t.Errorf("n%d's message held %q: fate %v, want %v", e.From, e.Payload, got, want[e.Payload])
		}
	}
}

// A message on the wire when its link breaks, or its receiver dies, is
// dropped on arrival with the reason: nothing vanishes silently.
func TestFateOnArrival(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(nw *Network[string])
		want  Reason
	}{
		{"receiver died", func(nw *Network[string]) { _ = nw.Close(2) }, Dead},
		{"receiver died and came back", func(nw *Network[string]) { _ = nw.Close(2); _ = nw.Open(2) }, Delivered},
		{"disconnected in flight", func(nw *Network[string]) { _ = nw.Disconnect(2) }, Disconnected},
		{"partitioned in flight", func(nw *Network[string]) { _ = nw.Partition([][]int{{1}, {2}}) }, Partitioned},
		{"cut in flight", func(nw *Network[string]) { _ = nw.Cut(1, 2, false) }, Cut},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nw := newNet(t, 2, ms, ms, 0)
			send(t, nw, 0, 1, 2)
			tc.fault(nw)
			if _, got, _ := nw.Receive(); got != tc.want {
				t.Fatalf("fate %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLossRate(t *testing.T) {
	nw := newNet(t, 2, ms, ms, 0.3)
	lost := 0
	const n = 10000
	for i := 0; i < n; i++ {
		if send(t, nw, 0, 1, 2) == Lost {
			lost++
		}
	}
	if lost < 2700 || lost > 3300 {
		t.Fatalf("lost %d of %d at rate 0.3", lost, n)
	}
}

func TestBadArguments(t *testing.T) {
	nw := newNet(t, 3, ms, ms, 0)
	for name, err := range map[string]error{
		"disconnect 0":      nw.Disconnect(0),
		"reconnect 4":       nw.Reconnect(4),
		"cut self":          nw.Cut(1, 1, true),
		"link unknown":      nw.Link(1, 9),
		"partition twice":   nw.Partition([][]int{{1, 2}, {2}}),
		"partition unknown": nw.Partition([][]int{{5}}),
		"latency backwards": nw.SetLatency(5*ms, ms),
		"latency negative":  nw.SetLatency(-ms, ms),
		"drop above one":    nw.SetDropRate(1.5),
		"drop negative":     nw.SetDropRate(-0.1),
		"close unknown":     nw.Close(7),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := nw.Send(0, Envelope[string]{From: 1, To: 4}); err == nil {
		t.Error("send to an unknown node: no error")
	}
	if _, err := New[string](0, nil, 0, 0, 0); err == nil {
		t.Error("empty network: no error")
	}
}

// All yields exactly the messages on the wire, and Fate predicts what
// Receive will decide for each of them.
func TestAllAndFate(t *testing.T) {
	nw := newNet(t, 3, 2*ms, 2*ms, 0)
	send(t, nw, 0, 1, 2)
	send(t, nw, 0, 1, 3)
	send(t, nw, ms, 2, 3)
	if err := nw.Cut(1, 3, false); err != nil {
		t.Fatal(err)
	}
	if err := nw.Close(3); err != nil {
		t.Fatal(err)
	}
	predicted := map[[2]int]Reason{}
	for e := range nw.All() {
		predicted[[2]int{e.From, e.To}] = nw.Fate(e)
	}
	if len(predicted) != 3 {
		t.Fatalf("All yielded %d distinct messages, want 3: %v", len(predicted), predicted)
	}
	want := map[[2]int]Reason{{1, 2}: Delivered, {1, 3}: Dead, {2, 3}: Dead}
	for k, r := range want {
		if predicted[k] != r {
			t.Errorf("fate of %v = %v, want %v", k, predicted[k], r)
		}
	}
	for {
		e, r, ok := nw.Receive()
		if !ok {
			break
		}
		if predicted[[2]int{e.From, e.To}] != r {
			t.Errorf("Receive decided %v for %d->%d, Fate said %v", r, e.From, e.To, predicted[[2]int{e.From, e.To}])
		}
	}
	n := 0
	for range nw.All() {
		n++
	}
	if n != 0 {
		t.Errorf("All yielded %d messages of an empty wire", n)
	}
}

func TestAllDoesNotAllocatePerMessage(t *testing.T) {
	nw := newNet(t, 5, ms, 5*ms, 0)
	for i := range 100 {
		send(t, nw, 0, 1+i%5, 1+(i+1)%5)
	}
	var sum time.Duration
	allocs := testing.AllocsPerRun(100, func() {
		for e := range nw.All() {
			sum += e.ArriveAt
		}
	})
	if allocs > 1 {
		t.Errorf("iterating 100 messages allocated %v times", allocs)
	}
}
