package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// Two worlds' summaries side by side pair their rows by label: a row only
// one world has (the log, when only etcd's leader appended an entry)
// stands alone, and the rows after it stay beside their own.
func TestSummariesPairRowsByLabel(t *testing.T) {
	a := cluster.Summary{Nodes: 5, Seed: 3, Leaders: []cluster.TermLeader{{Term: 1, Node: 4, AtUS: 172000}}}
	b := a
	b.Engine, b.Committed = "etcd: election timeout 15-29 ticks of 10ms, heartbeat 5 ticks", 1
	b.Violations = 2
	var out bytes.Buffer
	s := setup{script: &scenario.Script{}, compare: []cluster.Compare{{Engine: "etcd"}}}
	writeSummaries(&out, s, [2]cluster.Summary{a, b}, [2][]cluster.Event{}, nil)
	text := out.String()
	for _, want := range []string{
		`(?m)^  log {50,}1 entry committed, no client commands$`,
		`(?m)^  violations +0 +2$`,
		`(?m)^  engine +textbook +etcd: election timeout`,
		`(?m)^ {22}term 1 +n4 +at 0\.172s +term 1 +n4 +at 0\.172s$`,
	} {
		if !regexp.MustCompile(want).MatchString(text) {
			t.Errorf("want a line matching %s:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "violations"); n != 1 {
		t.Errorf("%d violations rows, want one:\n%s", n, text)
	}
}
