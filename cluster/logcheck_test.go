package cluster

import (
	"strings"
	"testing"
	"time"

	"raftty/raft"
)

// logsOf builds logs from "term:data" words; data "-" is an empty entry.
func logsOf(logs ...string) [][]raft.Entry {
	out := [][]raft.Entry{nil}
	for _, l := range logs {
		var log []raft.Entry
		for _, w := range strings.Fields(l) {
			term, data, _ := strings.Cut(w, ":")
			e := raft.Entry{Term: uint64(term[0] - '0')}
			if data != "-" {
				e.Data = []byte(data)
			}
			log = append(log, e)
		}
		out = append(out, log)
	}
	return out
}

// follow makes a checker that has seen every log appended in one event
// per node.
func follow(t *testing.T, logs [][]raft.Entry) *logChecker {
	t.Helper()
	k := &logChecker{}
	k.init(len(logs) - 1)
	for id := 1; id < len(logs); id++ {
		if len(logs[id]) > 0 {
			if vs := k.appended(&Event{Node: id, Index: 1, Count: len(logs[id])}, func(i int) []raft.Entry { return logs[i] }); len(vs) > 0 {
				t.Fatalf("setup: %s", vs[0].String())
			}
		}
	}
	return k
}

func TestLogMatching(t *testing.T) {
	for _, tc := range []struct {
		name   string
		logs   []string // n1's and n2's, followed; then n3 appends its whole log
		n3     string
		detail string // "" for no violation
	}{
		{name: "same history", logs: []string{"1:a 2:b", "1:a"}, n3: "1:a 2:b 2:c"},
		{name: "different terms at an index are allowed", logs: []string{"1:a 2:b", ""}, n3: "1:a 3:c"},
		{name: "same index and term, another command", logs: []string{"2:b", "1:x"}, n3: "1:a 2:b",
			detail: "n3 and n2 both hold an entry of term 1 at index 1, but their logs differ up to it: at index 1, term 1 \"a\" in n3's, term 1 \"x\" in n2's"},
		{name: "the difference is further back", logs: []string{"1:a 1:b 2:c", ""}, n3: "1:a 1:z 2:c",
			detail: "n3 and n1 both hold an entry of term 2 at index 3, but their logs differ up to it: at index 2, term 1 \"z\" in n3's, term 1 \"b\" in n1's"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := logsOf(append(tc.logs, tc.n3)...)
			n3 := len(logs) - 1
			k := follow(t, logs[:n3])
			k.chains = append(k.chains, nil)
			vs := k.appended(&Event{Node: n3, Index: 1, Count: len(logs[n3])}, func(i int) []raft.Entry { return logs[i] })
			switch {
			case tc.detail == "" && len(vs) > 0:
				t.Fatalf("violation %s", vs[0].String())
			case tc.detail != "" && (len(vs) != 1 || vs[0].Invariant != InvLogMatching || vs[0].Detail != tc.detail):
				t.Fatalf("violations %+v, want %q", vs, tc.detail)
			}
		})
	}
}

func TestStateMachineSafetyAndLeaderCompleteness(t *testing.T) {
	logs := logsOf("1:a 2:b", "1:a 2:b", "1:a 3:c")
	k := follow(t, logs)
	commit := func(id int, index uint64, count int, at time.Duration) []Event {
		return k.committedTo(&Event{At: at, Node: id, Index: index, Count: count}, logs[id])
	}
	if vs := commit(1, 2, 2, time.Second); len(vs) > 0 {
		t.Fatalf("first commit: %v", vs)
	}
	if vs := commit(2, 2, 2, 2*time.Second); len(vs) > 0 {
		t.Fatalf("the same entries: %v", vs)
	}
	if vs := k.leaderElected(&Event{Node: 2, Term: 4}, logs[2]); len(vs) > 0 {
		t.Fatalf("a complete leader: %v", vs)
	}
	vs := k.leaderElected(&Event{Node: 3, Term: 4}, logs[3])
	if len(vs) != 1 || vs[0].Invariant != InvLeaderCompleteness ||
		vs[0].Detail != `n3 leads term 4 without the entry n1 committed at index 2 at 1.000s (term 2 "b"): its log has term 3 "c" there` {
		t.Fatalf("leader without a committed entry: %+v", vs)
	}
	vs = commit(3, 2, 1, 3*time.Second)
	if len(vs) != 1 || vs[0].Invariant != InvStateMachineSafety ||
		vs[0].Detail != `n3 commits term 3 "c" at index 2, but n1 committed term 2 "b" there at 1.000s` {
		t.Fatalf("a different entry committed: %+v", vs)
	}
	short := logsOf("1:a")[1]
	k.chains = append(k.chains, nil)
	if vs := k.leaderElected(&Event{Node: 4, Term: 5}, short); len(vs) != 1 || !strings.HasSuffix(vs[0].Detail, "its log ends at index 1") {
		t.Fatalf("a short leader: %+v", vs)
	}
}

// A checkpoint shares the chains; a truncation and appends on either side
// leave the other's as they were.
func TestLogCheckerCloneIsIndependent(t *testing.T) {
	logs := logsOf("1:a 1:b 1:c")
	k := follow(t, logs)
	before := append([]uint64(nil), k.chains[1]...)
	c := k.clone()
	k.truncated(1, 2)
	logs[1] = logsOf("1:a 2:x 2:y")[1]
	k.appended(&Event{Node: 1, Index: 2, Count: 2}, func(i int) []raft.Entry { return logs[i] })
	for i, h := range before {
		if c.chains[1][i] != h {
			t.Fatalf("the checkpoint's chain changed at index %d", i+1)
		}
	}
}
