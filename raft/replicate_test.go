package raft

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// logOf builds a log from the terms of its entries.
func logOf(terms ...uint64) []Entry {
	log := make([]Entry, len(terms))
	for i, t := range terms {
		log[i] = Entry{Term: t, Data: []byte(fmt.Sprintf("%d@%d", t, i+1))}
	}
	return log
}

func termsOf(log []Entry) []uint64 {
	terms := make([]uint64, len(log))
	for i, e := range log {
		terms[i] = e.Term
	}
	return terms
}

// A follower's side of AppendEntries (Figure 2, receiver rules 2 to 5).
func TestFollowerAppendEntries(t *testing.T) {
	for _, tc := range []struct {
		name   string
		log    []uint64 // the follower's log, by term; its term is 3
		commit uint64   // its commit index before
		prev   uint64
		prevT  uint64
		ents   []uint64
		lc     uint64 // the leader's commit index

		ok        bool
		reason    string   // of the reject or truncate event
		after     []uint64 // the log after
		commitNow uint64
		index     uint64 // the reply's Index
	}{
		{name: "heartbeat to an empty log", ok: true, after: []uint64{}},
		{name: "first entries", ents: []uint64{1, 3}, ok: true, after: []uint64{1, 3}, index: 2},
		{name: "no entry at prev", log: []uint64{1, 1}, prev: 3, prevT: 1, ents: []uint64{3},
			reason: "no entry at index 3 (its log ends at 2)", after: []uint64{1, 1}, index: 3},
		{name: "entry at prev of another term", log: []uint64{1, 2}, prev: 2, prevT: 3, ents: []uint64{3},
			reason: "its entry at index 2 has term 2, not 3", after: []uint64{1, 2}, index: 2},
		{name: "late message: entries already there change nothing", log: []uint64{1, 3, 3}, prev: 1, prevT: 1, ents: []uint64{3},
			ok: true, after: []uint64{1, 3, 3}, index: 2},
		{name: "conflicting suffix deleted", log: []uint64{1, 2, 2, 2}, prev: 1, prevT: 1, ents: []uint64{3, 3},
			ok: true, reason: "its entry at index 2 has term 2, leader n1's has term 3", after: []uint64{1, 3, 3}, index: 3},
		{name: "conflict after a matching entry", log: []uint64{1, 3, 2}, prev: 1, prevT: 1, ents: []uint64{3, 3, 3},
			ok: true, after: []uint64{1, 3, 3, 3}, index: 4},
		{name: "commit follows the leader's", log: []uint64{1, 1}, prev: 2, prevT: 1, ents: []uint64{3}, lc: 2,
			ok: true, after: []uint64{1, 1, 3}, commitNow: 2, index: 3},
		{name: "commit no further than the entries checked", log: []uint64{1, 1, 2, 2}, prev: 1, prevT: 1, lc: 4,
			ok: true, after: []uint64{1, 1, 2, 2}, commitNow: 1, index: 1},
		{name: "commit never goes back", log: []uint64{1, 1, 1}, commit: 3, prev: 1, prevT: 1, lc: 3,
			ok: true, after: []uint64{1, 1, 1}, commitNow: 3, index: 1},
		{name: "deleting a committed entry says so", log: []uint64{1, 2}, commit: 2, prev: 1, prevT: 1, ents: []uint64{3},
			ok: true, reason: "index 2 had been committed: State Machine Safety is broken", after: []uint64{1, 3}, commitNow: 1, index: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newNode(t, 2, 3, HardState{Term: 3, Log: logOf(tc.log...)})
			n.commitIndex = tc.commit
			n.Step(ms, Message{Type: MsgAppendEntries, From: 1, To: 2, Term: 3,
				PrevLogIndex: tc.prev, PrevLogTerm: tc.prevT, Entries: logOf(tc.ents...), LeaderCommit: tc.lc})
			reply, sent := sentTo(n, 1, MsgAppendEntriesReply)
			if !sent || reply.Success != tc.ok || reply.Index != tc.index {
				t.Fatalf("reply %+v, want success=%v index %d", reply, tc.ok, tc.index)
			}
			if got := termsOf(n.log); !slices.Equal(got, tc.after) {
				t.Errorf("log %v, want %v", got, tc.after)
			}
			if !tc.ok && reply.LastLogIndex != uint64(len(tc.log)) {
				t.Errorf("refusal carries log end %d, want %d", reply.LastLogIndex, len(tc.log))
			}
			if n.commitIndex != max(tc.commitNow, 0) {
				t.Errorf("commit index %d, want %d", n.commitIndex, tc.commitNow)
			}
			if s := n.Status(); s.Leader != 1 || s.LastLeaderContact != ms {
				t.Errorf("refused or not, an AppendEntries of the term is the leader's contact: %+v", s)
			}
			if tc.reason != "" && !strings.Contains(eventsText(n), tc.reason) {
				t.Errorf("events %q, want one to say %q", eventsText(n), tc.reason)
			}
		})
	}
}

func eventsText(n *Node) string {
	_, events := n.Output()
	var lines []string
	for _, e := range events {
		lines = append(lines, eventText(e))
	}
	return strings.Join(lines, "\n")
}

// leaderOf makes n1 the leader of term 2 in a cluster of size, with the
// given log (by term) and no answers yet.
func leaderOf(t *testing.T, size int, log []uint64, opts ...func(*Config)) *Node {
	t.Helper()
	n := newNode(t, 1, size, HardState{Term: 1, Log: logOf(log...)}, opts...)
	n.Campaign(0)
	for p := 2; p <= size/2+1; p++ {
		n.Step(0, Message{Type: MsgRequestVoteReply, From: NodeID(p), To: 1, Term: 2, Granted: true})
	}
	if n.Status().Role != Leader {
		t.Fatal("setup: not leader")
	}
	return n
}

func reply(from NodeID, ok bool, index, logEnd uint64) Message {
	return Message{Type: MsgAppendEntriesReply, From: from, To: 1, Term: 2, Success: ok, Index: index, LastLogIndex: logEnd}
}

// The leader's side: what an answer does to nextIndex and matchIndex, and
// what is sent next.
func TestLeaderHandlesAnswers(t *testing.T) {
	hint := func(c *Config) { c.BackOffHint = true }
	for _, tc := range []struct {
		name      string
		opts      []func(*Config)
		answers   []Message // from n2, to a leader with log [1 1 1 2 2] whose nextIndex for n2 is 6
		next      uint64    // n2's after
		match     uint64
		sentPrev  int64 // the PrevLogIndex of the last AppendEntries to n2, -1 for none
		ignoredOK bool  // the last answer was ignored
	}{
		{name: "refusal: one back", answers: []Message{reply(2, false, 5, 0)}, next: 5, sentPrev: 4},
		{name: "refusals: one back each", answers: []Message{reply(2, false, 5, 1), reply(2, false, 4, 1)}, next: 4, sentPrev: 3},
		{name: "a stale refusal is ignored", answers: []Message{reply(2, false, 5, 1), reply(2, false, 5, 1)}, next: 5, sentPrev: -1, ignoredOK: true},
		{name: "hint: past the end of the follower's log", opts: []func(*Config){hint},
			answers: []Message{reply(2, false, 5, 2)}, next: 3, sentPrev: 2},
		{name: "hint no further than one back", opts: []func(*Config){hint},
			answers: []Message{reply(2, false, 5, 7)}, next: 5, sentPrev: 4},
		{name: "never back below matchIndex", opts: []func(*Config){hint},
			answers: []Message{reply(2, true, 3, 0), reply(2, false, 5, 1)}, next: 4, match: 3, sentPrev: 3},
		{name: "success: match and next move, the rest is sent", answers: []Message{reply(2, false, 5, 0), reply(2, false, 4, 0), reply(2, true, 3, 0)},
			next: 4, match: 3, sentPrev: 3},
		{name: "a late success moves nothing back", answers: []Message{reply(2, true, 5, 0), reply(2, true, 3, 0)}, next: 6, match: 5, sentPrev: -1},
		{name: "an answer past the end of the log is ignored", answers: []Message{reply(2, true, 9, 0)}, next: 6, sentPrev: -1, ignoredOK: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := leaderOf(t, 3, []uint64{1, 1, 1, 2, 2}, tc.opts...)
			for _, a := range tc.answers {
				n.Step(ms, a)
			}
			if n.next[2] != tc.next || n.match[2] != tc.match {
				t.Errorf("next %d match %d, want %d %d", n.next[2], n.match[2], tc.next, tc.match)
			}
			m, sent := sentTo(n, 2, MsgAppendEntries)
			switch {
			case tc.sentPrev < 0 && sent:
				t.Errorf("sent %+v, want nothing", m)
			case tc.sentPrev >= 0 && (!sent || m.PrevLogIndex != uint64(tc.sentPrev) || len(m.Entries) == 0):
				t.Errorf("sent %+v (%v), want entries after index %d", m, sent, tc.sentPrev)
			}
			_, events := n.Output()
			ignored := len(events) > 0 && events[len(events)-1].Kind == EventIgnore
			if ignored != tc.ignoredOK {
				t.Errorf("events %q: ignored=%v, want %v", eventsText(n), ignored, tc.ignoredOK)
			}
		})
	}
}

// The commit rule of section 5.4.2, with and without unsafe-commit.
func TestCommitRule(t *testing.T) {
	unsafe := func(c *Config) { c.UnsafeCommit = true }
	for _, tc := range []struct {
		name    string
		opts    []func(*Config)
		log     []uint64 // the leader's, in term 2 (after appending its own entries)
		matches map[NodeID]uint64
		commit  uint64
		held    bool
	}{
		{name: "current term on a majority", log: []uint64{1, 2}, matches: map[NodeID]uint64{2: 2, 3: 2}, commit: 2},
		{name: "current term on a minority", log: []uint64{1, 2}, matches: map[NodeID]uint64{2: 2}, commit: 0},
		{name: "the majority's highest index, not the highest", log: []uint64{2, 2, 2}, matches: map[NodeID]uint64{2: 3, 3: 1, 4: 2}, commit: 2},
		{name: "an older term on a majority waits", log: []uint64{1, 1}, matches: map[NodeID]uint64{2: 2, 3: 2}, commit: 0, held: true},
		{name: "unsafe: an older term on a majority commits", opts: []func(*Config){unsafe}, log: []uint64{1, 1}, matches: map[NodeID]uint64{2: 2, 3: 2}, commit: 2},
		{name: "an older entry commits with a current one", log: []uint64{1, 1, 2}, matches: map[NodeID]uint64{2: 3, 3: 3}, commit: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := leaderOf(t, 5, nil, tc.opts...)
			n.log = logOf(tc.log...)
			for p, i := range tc.matches {
				n.next[p] = i
			}
			for _, p := range []NodeID{2, 3, 4, 5} {
				if i, ok := tc.matches[p]; ok {
					n.Step(ms, reply(p, true, i, 0))
				}
			}
			if n.commitIndex != tc.commit {
				t.Errorf("commit index %d, want %d", n.commitIndex, tc.commit)
			}
			if held := n.held > 0; held != tc.held {
				t.Errorf("held %v, want %v", held, tc.held)
			}
		})
	}
}

// EventHold explains an index once, not at every answer.
func TestHoldIsReportedOnce(t *testing.T) {
	n := leaderOf(t, 3, []uint64{1})
	var holds int
	for _, a := range []Message{reply(2, true, 1, 0), reply(2, true, 1, 0), reply(3, true, 1, 0)} {
		n.Step(ms, a)
		_, events := n.Output()
		for _, e := range events {
			if e.Kind == EventHold {
				holds++
			}
		}
	}
	if holds != 1 || n.commitIndex != 0 {
		t.Fatalf("%d hold events, commit %d: want 1 and 0", holds, n.commitIndex)
	}
}

func TestProposals(t *testing.T) {
	n := leaderOf(t, 3, []uint64{1})
	index, ok := n.Propose([]byte("v1"))
	if !ok || index != 2 || string(n.log[1].Data) != "v1" || n.log[1].Term != 2 {
		t.Fatalf("leader: index %d ok %v log %+v", index, ok, n.log)
	}
	for _, p := range []NodeID{2, 3} {
		if m, sent := sentTo(n, p, MsgAppendEntries); !sent || m.PrevLogIndex != 1 || len(m.Entries) != 1 {
			t.Errorf("to %v: %+v, want the new entry after index 1", p, m)
		}
	}
	n.Step(ms, reply(2, false, 1, 0)) // n2 lacks index 1: being caught up
	n.Propose([]byte("v2"))
	if m, sent := sentTo(n, 2, MsgAppendEntries); sent {
		t.Errorf("a follower being caught up got the new entry at once too: %+v", m)
	}

	for _, tc := range []struct {
		name   string
		setup  func(n *Node)
		reason string
		leader NodeID
	}{
		{"follower", func(n *Node) { n.Step(0, Message{Type: MsgAppendEntries, From: 3, To: 2, Term: 1}) }, "not the leader: n3 leads term 1", 3},
		{"follower without a leader", func(n *Node) {}, "not the leader, and knows no leader in term 0", None},
		{"candidate", func(n *Node) { n.Campaign(0) }, "a candidate in term 1", None},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newNode(t, 2, 3, HardState{})
			tc.setup(n)
			if _, ok := n.Propose([]byte("x")); ok {
				t.Fatal("accepted")
			}
			e := oneEvent(t, n, EventRedirect)
			if e.Peer != tc.leader || !strings.Contains(e.Reason, tc.reason) {
				t.Errorf("event %+v, want it to name %v and say %q", e, tc.leader, tc.reason)
			}
			if len(n.log) != 0 {
				t.Errorf("log %v, want it untouched", n.log)
			}
		})
	}
}

// A log handed out (HardState, Status, a message's entries) keeps its
// contents when the node later deletes a suffix and appends over it.
func TestHandedOutLogsNeverChange(t *testing.T) {
	n := newNode(t, 2, 3, HardState{Term: 3, Log: logOf(1, 2, 2)})
	n.log = slices.Grow(n.log, 10) // room to append in place: the case that matters
	before := n.HardState().Log
	status := n.Status().Log
	clone := n.Clone(rand.New(rand.NewPCG(1, 2)))
	want := slices.Clone(before)
	n.Step(ms, Message{Type: MsgAppendEntries, From: 1, To: 2, Term: 3, PrevLogIndex: 1, PrevLogTerm: 1, Entries: logOf(3, 3, 3)})
	if got := termsOf(n.log); !slices.Equal(got, []uint64{1, 3, 3, 3}) {
		t.Fatalf("log %v after the conflict", got)
	}
	clone.AppendLog(1) // and the clone's appends do not reach the original
	if got := termsOf(n.log); !slices.Equal(got, []uint64{1, 3, 3, 3}) {
		t.Fatalf("the original's log %v changed when its clone appended", got)
	}
	for name, log := range map[string][]Entry{"HardState": before, "Status": status, "a clone": clone.log} {
		for i := range want {
			if log[i].Term != want[i].Term || string(log[i].Data) != string(want[i].Data) {
				t.Errorf("%s taken before the truncation changed: %v, want %v", name, termsOf(log), termsOf(want))
				break
			}
		}
	}
}

// Log, term and vote survive a crash; the commit index does not.
func TestCommitIndexIsVolatile(t *testing.T) {
	n := leaderOf(t, 3, nil)
	n.Propose([]byte("a"))
	n.Step(ms, reply(2, true, 1, 0))
	if n.commitIndex != 1 {
		t.Fatalf("setup: commit %d", n.commitIndex)
	}
	again := newNode(t, 1, 3, n.HardState())
	if s := again.Status(); s.CommitIndex != 0 || len(s.Log) != 1 || s.Term != 2 || s.VotedFor != 1 {
		t.Fatalf("restarted: %+v, want commit 0, the log, term 2, vote n1", s)
	}
}

// CheckQuorum counts refusals as answers: a follower that refuses entries
// still follows the leader.
func TestRefusalsCountForCheckQuorum(t *testing.T) {
	n := leaderOf(t, 3, []uint64{1}, checkQuorum)
	n.Step(ms, reply(2, false, 1, 0))
	for now := ms; now <= 200*ms; now = n.NextDeadline() {
		n.Tick(now)
	}
	if n.Status().Role != Leader {
		t.Fatal("stepped down although n2 answered")
	}
}

// Logs set up by hand stay as they were set while nobody writes: a leader's
// heartbeats claim only what it knows its followers store, and AppendLog on
// a leader counts its entries as sent.
func TestHandMadeLogsAreNotReplicatedByHeartbeats(t *testing.T) {
	n := leaderOf(t, 3, []uint64{1})
	n.AppendLog(2)
	n.Tick(n.NextDeadline())
	for _, p := range []NodeID{2, 3} {
		m, sent := sentTo(n, p, MsgAppendEntries)
		if !sent || len(m.Entries) != 0 || m.PrevLogIndex != 0 || m.LeaderCommit != 0 {
			t.Errorf("heartbeat to %v: %+v, want no entries, prev 0, commit 0", p, m)
		}
	}
	n.Propose([]byte("x")) // now the leader finds out
	if m, _ := sentTo(n, 2, MsgAppendEntries); m.PrevLogIndex != 3 {
		t.Errorf("with a command to send: prev %d, want 3", m.PrevLogIndex)
	}
}

func TestNoOpOnElection(t *testing.T) {
	for _, on := range []bool{false, true} {
		n := leaderOf(t, 3, []uint64{1}, func(c *Config) { c.NoOp = on })
		if got, want := len(n.log), 1+btoi(on); got != want {
			t.Errorf("no-op %v: log of %d entries, want %d", on, got, want)
		}
		if m, _ := sentTo(n, 2, MsgAppendEntries); len(m.Entries) != btoi(on) {
			t.Errorf("no-op %v: first AppendEntries carries %d entries", on, len(m.Entries))
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// MaxEntries bounds every AppendEntries.
func TestMaxEntries(t *testing.T) {
	n := leaderOf(t, 3, []uint64{1, 1, 1, 1, 1}, func(c *Config) { c.MaxEntries = 2 })
	n.Step(ms, reply(2, false, 5, 0))
	n.Step(ms, reply(2, false, 4, 0))
	n.Step(ms, reply(2, false, 3, 0))
	n.Step(ms, reply(2, false, 2, 0))
	n.Step(ms, reply(2, false, 1, 0))
	m, _ := sentTo(n, 2, MsgAppendEntries)
	if m.PrevLogIndex != 0 || len(m.Entries) != 2 {
		t.Fatalf("%+v, want 2 entries from index 1", m)
	}
	n.Step(ms, reply(2, true, 2, 0))
	if m, _ = sentTo(n, 2, MsgAppendEntries); m.PrevLogIndex != 2 || len(m.Entries) != 2 {
		t.Fatalf("%+v, want the next 2 entries", m)
	}
}

// A follower's append and commit, which a client's command makes on every
// follower, give their reasons in numbers (Because), put in words only when
// read (Why), in the words they always had; a terse node gives none.
func TestRoutineReasonsInNumbers(t *testing.T) {
	for _, terse := range []bool{false, true} {
		n := newNode(t, 2, 3, HardState{Term: 3, Log: logOf(1, 2)}, func(c *Config) { c.Terse = terse })
		n.Step(ms, Message{Type: MsgAppendEntries, From: 1, To: 2, Term: 3,
			PrevLogIndex: 2, PrevLogTerm: 2, Entries: logOf(3), LeaderCommit: 3})
		_, events := n.Output()
		want := map[EventKind]string{
			EventAppend: "its log matches leader n1's up to index 2 (term 2)",
			EventCommit: "leader n1 has committed up to index 3",
		}
		for _, e := range events {
			w, ok := want[e.Kind]
			if !ok {
				continue
			}
			delete(want, e.Kind)
			switch {
			case terse && (e.Why() != "" || e.Because != Because{}):
				t.Errorf("terse %v event says why: %q", e.Kind, e.Why())
			case !terse && (e.Reason != "" || e.Why() != w):
				t.Errorf("%v event: Reason %q, Why %q; want no words kept and %q", e.Kind, e.Reason, e.Why(), w)
			}
		}
		if len(want) > 0 {
			t.Errorf("terse %v: no %v event", terse, want)
		}
	}
}
