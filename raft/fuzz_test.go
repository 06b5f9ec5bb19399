package raft

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The state machine fed arbitrary messages, commands and ticks never panics,
// never lowers its term, never votes for two candidates in one term, never
// commits past the end of its log, never changes a log it has handed out,
// and after a tick always wants the next one in the future (between ticks a
// deadline may lie in the past: the cluster ticks it as soon as it is due).
func FuzzStep(f *testing.F) {
	f.Add([]byte{1, 2, 1, 0, 0, 5, 2, 1, 1, 0, 0, 0})
	f.Add([]byte{3, 4, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add([]byte{255, 255, 255, 255, 0, 0, 0, 0, 128, 64, 32})
	f.Add([]byte{5, 2, 7, 1, 5, 3, 7, 1, 6, 2, 7, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := Config{ID: 1, Peers: []NodeID{1, 2, 3, 4, 5}, Timing: testTiming, Rand: rand.New(rand.NewPCG(1, 2))}
		cfg.PreVote = len(data) > 0 && data[0]&1 == 1
		cfg.CheckQuorum = len(data) > 0 && data[0]&2 == 2
		cfg.NoOp = len(data) > 0 && data[0]&4 == 4
		cfg.UnsafeCommit = len(data) > 0 && data[0]&8 == 8
		cfg.BackOffHint = len(data) > 0 && data[0]&16 == 16
		cfg.MaxEntries = 2
		n, err := New(cfg, HardState{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Duration(0)
		votes := map[uint64]NodeID{}
		type handedOut struct{ log, copy []Entry }
		var logs []handedOut
		for len(data) >= 4 {
			op, a, b, c := data[0], data[1], data[2], data[3]
			data = data[4:]
			before := n.HardState()
			now += time.Duration(a) * time.Millisecond
			switch op % 4 {
			case 0:
				n.Tick(now)
			case 1:
				switch a % 4 {
				case 0:
					n.AppendLog(int(b%3) + 1) // logs of different lengths: the up-to-date check decides
				case 1:
					n.Propose([]byte{b})
				default:
					n.Campaign(now)
				}
			default:
				var entries []Entry
				for i := range int(a % 4) {
					entries = append(entries, Entry{Term: uint64(c%16) - uint64(i&int(b&1))})
				}
				n.Step(now, Message{
					Type: MsgType(b % 8), From: NodeID(b % 7), To: NodeID(c%6+1)*NodeID(op&1) + 1 - NodeID(op&1),
					Term: uint64(c % 16), LastLogIndex: uint64(a % 3), LastLogTerm: uint64(b % 3),
					PrevLogIndex: uint64(b % 5), PrevLogTerm: uint64(c % 5), Entries: entries, LeaderCommit: uint64(a % 7),
					Index: uint64(c % 6), Granted: a&1 == 1, Success: b&1 == 1,
				})
			}
			after := n.HardState()
			if s := n.Status(); s.CommitIndex > uint64(len(s.Log)) {
				t.Fatalf("commit index %d past the end of the log (%d)", s.CommitIndex, len(s.Log))
			}
			// The last few logs handed out, checked at every step: enough to
			// see a truncation write over one, without a cost quadratic in
			// the input.
			if len(logs) == 8 {
				logs = logs[1:]
			}
			logs = append(logs, handedOut{after.Log, slices.Clone(after.Log)})
			for _, h := range logs {
				if !slices.EqualFunc(h.log, h.copy, func(x, y Entry) bool { return x.Term == y.Term && string(x.Data) == string(y.Data) }) {
					t.Fatalf("a log handed out changed: %v, was %v", h.log, h.copy)
				}
			}
			if after.Term < before.Term {
				t.Fatalf("term went from %d back to %d", before.Term, after.Term)
			}
			if after.VotedFor != None {
				if v, ok := votes[after.Term]; ok && v != after.VotedFor {
					t.Fatalf("voted %v and then %v in term %d", v, after.VotedFor, after.Term)
				}
				votes[after.Term] = after.VotedFor
			}
			if d := n.NextDeadline(); op%4 == 0 && d <= now {
				t.Fatalf("deadline %v is not after now %v", d, now)
			}
			msgs, _ := n.Output()
			for _, m := range msgs {
				if m.From != 1 || m.To < 1 || m.To > 5 || m.To == 1 {
					t.Fatalf("bad message addressing: %+v", m)
				}
			}
		}
	})
}
