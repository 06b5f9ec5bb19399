package cluster

import (
	"errors"
	"strings"
	"testing"
	"time"

	"raftty/raft"
)

// The checker must catch each broken invariant; a healthy history passes.
func TestCheckerCatchesViolations(t *testing.T) {
	state := func(node int, s string, term uint64) Event {
		for st := StateFollower; st <= StateDead; st++ {
			if st.String() == s {
				return Event{Kind: KindState, Node: node, State: st, Term: term}
			}
		}
		panic("no state " + s)
	}
	vote := func(node, candidate int, term uint64) Event {
		return Event{Kind: KindVote, Node: node, For: candidate, Term: term, Granted: true}
	}
	for _, tc := range []struct {
		name    string
		history []Event
		want    string
	}{
		{"healthy", []Event{
			state(1, "candidate", 1), vote(2, 1, 1), vote(2, 1, 1), state(1, "leader", 1),
			state(2, "candidate", 2), vote(1, 2, 2), state(2, "leader", 2), state(3, "dead", 2), state(3, "follower", 2),
		}, ""},
		{"two leaders in a term", []Event{state(1, "leader", 3), state(2, "leader", 3)}, InvElectionSafety},
		{"two votes in a term", []Event{vote(3, 1, 4), vote(3, 2, 4)}, InvOneVote},
		{"vote for another after voting for itself", []Event{state(3, "candidate", 4), vote(3, 2, 4)}, InvOneVote},
		{"term goes back across a restart", []Event{state(1, "follower", 5), state(1, "dead", 5), state(1, "follower", 4)}, InvTermMonotonic},
		{"a pre-vote is not a vote", []Event{vote(3, 1, 4), {Kind: KindVote, Node: 3, For: 2, Term: 4, Granted: true, PreVote: true}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var k checker
			k.init(5)
			var got []Event
			for i := range tc.history {
				got = append(got, k.observe(&tc.history[i])...)
			}
			switch {
			case tc.want == "" && len(got) > 0:
				t.Fatalf("false alarm: %s", got[0].String())
			case tc.want != "" && (len(got) != 1 || got[0].Invariant != tc.want):
				t.Fatalf("violations %v, want one of %s", got, tc.want)
			}
		})
	}
}

// Each state's name is the word JSON uses; a live role maps to its state.
func TestStateNames(t *testing.T) {
	want := []string{"follower", "precandidate", "candidate", "leader", "dead"}
	for i, w := range want {
		if got := (StateFollower + State(i)).String(); got != w {
			t.Errorf("state %d is %q, want %q", i, got, w)
		}
	}
	if StateOf(raft.Leader) != StateLeader || StateOf(raft.Follower) != StateFollower {
		t.Fatal("StateOf does not map roles to states")
	}
}

// Timers below the floor are refused by the cluster itself, whoever asks:
// a config, or a timing change while it runs.
func TestTimerFloor(t *testing.T) {
	for _, tc := range []struct {
		name   string
		timing raft.Timing
		want   string
	}{
		{"heartbeat", raft.Timing{ElectionMin: 150 * time.Millisecond, ElectionMax: 300 * time.Millisecond, Heartbeat: time.Nanosecond}, "heartbeat 1ns: below raftty's floor of 1ms"},
		{"election timeout", raft.Timing{ElectionMin: time.Microsecond, ElectionMax: 2 * time.Microsecond, Heartbeat: 50 * time.Millisecond}, "election timeout 1µs: below raftty's floor of 1ms"},
	} {
		cfg := DefaultConfig()
		cfg.Timing = tc.timing
		if _, err := New(cfg, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New: %v, want %q", tc.name, err, tc.want)
		}
		c, err := New(DefaultConfig(), nil)
		if err != nil {
			t.Fatal(err)
		}
		set := []Command{
			{Action: ActSet, Param: ParamElectionTimeout, Min: tc.timing.ElectionMin, Max: tc.timing.ElectionMax},
			{Action: ActSet, Param: ParamHeartbeat, Min: tc.timing.Heartbeat},
		}
		if err := errors.Join(c.Apply(set[0]), c.Apply(set[1])); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: set: %v, want %q", tc.name, err, tc.want)
		}
		for _, cmd := range []Command{
			{Action: ActSet, Param: ParamElectionTimeout, Min: MinTimer, Max: MinTimer},
			{Action: ActSet, Param: ParamHeartbeat, Min: MinTimer},
		} {
			if err := c.Apply(cmd); err != nil {
				t.Errorf("the floor itself is refused: %v", err)
			}
		}
	}
}

// The checker forgets old terms' leaders to stay bounded, but only terms no
// node can enter any more: below the lowest term of any node. A node left
// behind (dead, cut off) can still come back and lead a term the others
// passed long ago, and two leaders of that term must still be caught.
func TestCheckerRemembersTermsALaggardCanReach(t *testing.T) {
	var k checker
	k.init(3)
	var got []Event
	observe := func(e Event) { got = append(got, k.observe(&e)...) }
	observe(Event{Kind: KindState, Node: 3, State: StateFollower, Term: 1}) // n3 stays behind
	for term := uint64(2); term <= 2500; term++ {
		observe(Event{Kind: KindState, Node: 1 + int(term%2), State: StateLeader, Term: term})
	}
	observe(Event{Kind: KindState, Node: 3, State: StateLeader, Term: 1500}) // n1 led 1500
	if len(got) != 1 || got[0].Invariant != InvElectionSafety {
		t.Fatalf("violations %v, want n1 and n3 both leading term 1500", got)
	}
	// With every node moving on together, old terms are forgotten.
	got = nil
	for term := uint64(3000); term <= 5000; term++ {
		for id := 1; id <= 3; id++ {
			observe(Event{Kind: KindState, Node: id, State: StateFollower, Term: term})
		}
		observe(Event{Kind: KindState, Node: 1, State: StateLeader, Term: term})
	}
	if n := len(k.leaderOf); len(got) > 0 || n > 1024 {
		t.Fatalf("%d violations, %d terms kept: want none and a bounded map", len(got), n)
	}
}
