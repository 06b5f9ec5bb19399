package cluster

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"raftty/raft"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const ms = time.Millisecond

// recorder keeps every event of a run and fails the test on a violation.
type recorder struct {
	t      testing.TB
	events []Event
}

func (r *recorder) sink(e Event) {
	if e.Kind == KindViolation {
		r.t.Errorf("invariant violated at %v: %s", e.At, e.String())
	}
	r.events = append(r.events, e)
}

// filter returns the recorded events for which keep is true.
func (r *recorder) filter(keep func(Event) bool) []Event {
	var out []Event
	for _, e := range r.events {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// newTestCluster builds a cluster with raftty's defaults, changed by
// opts, and a recorder on its event stream.
func newTestCluster(t testing.TB, nodes int, seed uint64, opts ...func(*Config)) (*Cluster, *recorder) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Nodes, cfg.Seed = nodes, seed
	for _, o := range opts {
		o(&cfg)
	}
	rec := &recorder{t: t}
	c, err := New(cfg, rec.sink)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, rec
}

func withPreVote(c *Config)     { c.PreVote = true }
func withCheckQuorum(c *Config) { c.CheckQuorum = true }

func withTiming(minimum, maximum, heartbeat time.Duration) func(*Config) {
	return func(c *Config) {
		c.Timing = raft.Timing{ElectionMin: minimum, ElectionMax: maximum, Heartbeat: heartbeat}
	}
}

func withLatency(minimum, maximum time.Duration) func(*Config) {
	return func(c *Config) { c.LatencyMin, c.LatencyMax = minimum, maximum }
}

// waitLeader runs the cluster for up to limit and returns the effective
// leader as soon as there is one, failing the test if none appears.
func waitLeader(t testing.TB, c *Cluster, limit time.Duration) int {
	t.Helper()
	deadline := c.Now() + limit
	for c.Now() < deadline {
		if id := c.Leader(); id != 0 {
			return id
		}
		c.RunFor(10 * ms)
	}
	t.Fatalf("no leader within %v (at %v)", limit, c.Now())
	return 0
}

// status returns node id's status or fails the test.
func status(t testing.TB, c *Cluster, id int) NodeStatus {
	t.Helper()
	s, err := c.Node(id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mustNoLeaderAmong fails if any live node in ids is a leader.
func mustNoLeaderAmong(t testing.TB, c *Cluster, ids ...int) {
	t.Helper()
	for _, id := range ids {
		if s := status(t, c, id); s.Alive && s.Role == raft.Leader {
			t.Fatalf("n%d leads term %d at %v, but it is in a minority", id, s.Term, c.Now())
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// otherThan returns the first node id in 1..n that is not among ids.
func otherThan(n int, ids ...int) int {
next:
	for id := 1; id <= n; id++ {
		for _, x := range ids {
			if x == id {
				continue next
			}
		}
		return id
	}
	return 0
}
