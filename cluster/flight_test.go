package cluster

import (
	"raftty/engine"
	"testing"
	"time"
)

// A forced timeout puts the candidate's RequestVotes on the wire, one per
// peer, between their send and arrival times; a link cut while they fly
// marks the one that will die.
func TestInFlight(t *testing.T) {
	c, _ := newTestCluster(t, 5, 3, withTiming(time.Second, 2*time.Second, 50*ms),
		func(cfg *Config) { cfg.LatencyMin, cfg.LatencyMax = 2*ms, 2*ms })
	if got := c.InFlight(); len(got) != 0 {
		t.Fatalf("a fresh cluster has %d messages in flight", len(got))
	}
	if err := c.Timeout(2); err != nil {
		t.Fatal(err)
	}
	if err := c.Cut(2, 4, false); err != nil {
		t.Fatal(err)
	}
	fl := c.InFlight()
	if len(fl) != 4 {
		t.Fatalf("%d messages in flight, want 4 RequestVotes: %+v", len(fl), fl)
	}
	for _, f := range fl {
		if f.From != 2 || f.Type != engine.MsgRequestVote || f.Term != 1 || f.SentAt != c.Now() || f.ArriveAt <= f.SentAt {
			t.Errorf("unexpected flight %+v", f)
		}
		if want := map[bool]string{true: "cut", false: ""}[f.To == 4]; f.Drop != want {
			t.Errorf("flight to n%d: drop %q, want %q", f.To, f.Drop, want)
		}
	}
	if cuts := c.CutLinks(); len(cuts) != 2 || cuts[0] != (Link{2, 4}) || cuts[1] != (Link{4, 2}) {
		t.Errorf("cut links %v, want 2->4 and 4->2", cuts)
	}
	// The replies carry the votes; n4 never got its request.
	c.RunUntil(fl[len(fl)-1].ArriveAt)
	granted := 0
	for _, f := range c.InFlight() {
		if f.Type == engine.MsgRequestVoteReply && f.To == 2 && f.Granted {
			granted++
		}
	}
	if granted != 3 {
		t.Errorf("%d granted replies in flight, want 3", granted)
	}
}
