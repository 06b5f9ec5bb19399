package scenario

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		want Step
	}{
		{"at 1.5s disconnect 2", Step{At: 1500 * time.Millisecond, Action: ActDisconnect, Nodes: []int{2}}},
		{"2s reconnect n2", Step{At: 2 * time.Second, Action: ActReconnect, Nodes: []int{2}}},
		{"at 3s kill leader", Step{At: 3 * time.Second, Action: ActKill, Nodes: []int{Leader}}},
		{"at 3s restart 3,4", Step{At: 3 * time.Second, Action: ActRestart, Nodes: []int{3, 4}}},
		{"at 4s partition 1,2 | 3,4,5", Step{At: 4 * time.Second, Action: ActPartition, Groups: [][]int{{1, 2}, {3, 4, 5}}}},
		{"at 4s partition 1, 2|3", Step{At: 4 * time.Second, Action: ActPartition, Groups: [][]int{{1, 2}, {3}}}},
		{"at 4s cut 1 2", Step{At: 4 * time.Second, Action: ActCut, Nodes: []int{1, 2}}},
		{"at 4s cut 1 -> 2", Step{At: 4 * time.Second, Action: ActCut, Nodes: []int{1, 2}, OneWay: true}},
		{"at 4s link 1 2", Step{At: 4 * time.Second, Action: ActLink, Nodes: []int{1, 2}}},
		{"at 5s heal", Step{At: 5 * time.Second, Action: ActHeal}},
		{"at 5s timeout 4", Step{At: 5 * time.Second, Action: ActTimeout, Nodes: []int{4}}},
		{"at 6s set heartbeat 3s", Step{At: 6 * time.Second, Action: ActSet, Param: "heartbeat", Value: "3s"}},
		{"at 6s set election-timeout 150ms-150ms", Step{At: 6 * time.Second, Action: ActSet, Param: "election-timeout", Value: "150ms-150ms"}},
		{"at 6s set prevote on", Step{At: 6 * time.Second, Action: ActSet, Param: "prevote", Value: "on"}},
		{"at 0 set drop 30%", Step{Action: ActSet, Param: "drop", Value: "30%"}},
		{"at 1s set disk-write 5ms", Step{At: time.Second, Action: ActSet, Param: "disk-write", Value: "5ms"}},
		{"at 1s log 1,2 append 3", Step{At: time.Second, Action: ActLog, Nodes: []int{1, 2}, Param: "append", Value: "3"}},
		{"at 1s log leader append 1", Step{At: time.Second, Action: ActLog, Nodes: []int{Leader}, Param: "append", Value: "1"}},
	} {
		got, err := ParseLine(tc.line)
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tc.line, got, tc.want)
		}
	}
}

// Every mistake a user can make in a scenario line, and what raftty says.
func TestParseLineErrors(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"at", `empty step`},
		{"at soon kill 1", `time "soon": not a duration`},
		{"at -1s kill 1", `time "-1s": must not be negative`},
		{"at 2s", `no action after 2s`},
		{"at 2s kil 1", `unknown action "kil"`},
		{"at 2s kill", `kill takes one node`},
		{"at 2s kill 1 2", `kill takes one node`},
		{"at 2s kill zero", `node "zero": want a node number`},
		{"at 2s kill 0", `node "0": want a node number`},
		{"at 2s kill 1,,2", `empty entry`},
		{"at 2s kill 1,1", `node 1 named twice`},
		{"at 2s partition", `partition needs groups`},
		{"at 2s partition 1,2 | 2,3", `node 2 is in two groups`},
		{"at 2s cut 1", `cut takes two nodes`},
		{"at 2s cut 1 <- 2", `cut takes two nodes`},
		{"at 2s cut 2 2", `two different nodes`},
		{"at 2s link 1 -> 2", `link takes two nodes`},
		{"at 2s heal now", `heal takes no arguments`},
		{"at 2s set heartbeat", `set takes a name and a value`},
		{"at 2s set speed 2", `unknown setting "speed"`},
		{"at 2s set heartbeat 0s", `heartbeat 0s: must be positive`},
		{"at 2s set heartbeat fast", `heartbeat fast: not a duration`},
		{"at 2s set election-timeout 300ms-150ms", `min must not exceed max`},
		{"at 2s set election-timeout 0-150ms", `must be positive`},
		{"at 2s set heartbeat 1ns", `heartbeat 1ns: below raftty's floor of 1ms`},
		{"at 2s set heartbeat 999us", `heartbeat 999us: below raftty's floor of 1ms`},
		{"at 2s set election-timeout 1ns-2ns", `election-timeout 1ns-2ns: below raftty's floor of 1ms`},
		{"at 2s set election-timeout -150ms", `election-timeout -150ms: must not be negative`},
		{"at 2s set latency -1ms-5ms", `latency -1ms-5ms: must not be negative`},
		{"at 2s set latency x-1ms", `"x": not a duration`},
		{"at 2s set drop 2", `between 0 and 1`},
		{"at 2s set drop lots", `not a number`},
		{"at 2s set prevote maybe", `want on or off`},
		{"at 2s set disk-write -1ms", `disk-write -1ms: must not be negative`},
		{"at 2s log 1,2", `log takes nodes, "append" and a count`},
		{"at 2s log 1 add 3", `log takes nodes, "append" and a count`},
		{"at 2s log 1 append 0", `log append 0: want a count from 1 to 1000000`},
		{"at 2s log 1 append many", `log append many: want a count`},
		{"at 2s log x append 1", `node "x": want a node number`},
	} {
		_, err := ParseLine(tc.line)
		if err == nil {
			t.Errorf("%q: no error, want %q", tc.line, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %q, want it to say %q", tc.line, err, tc.want)
		}
	}
}

func TestParseFile(t *testing.T) {
	src := `# a comment
at 3s kill leader   # trailing comment

at 1s disconnect 2
at 3s restart 2
`
	s, err := Parse("demo.txt", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range s.Steps {
		got = append(got, st.Source+" "+st.Action)
	}
	want := []string{"demo.txt:4 disconnect", "demo.txt:2 kill", "demo.txt:5 restart"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("steps %v, want %v (time order, file order among equals)", got, want)
	}

	_, err = Parse("scenario.txt", strings.NewReader("at 1s kill 1\n\n\nat 2s kil 2\n"))
	if err == nil || !strings.HasPrefix(err.Error(), `scenario.txt:4: unknown action "kil" (want one of disconnect, `) {
		t.Fatalf("error %v, want it to name scenario.txt:4", err)
	}
	if err := s.Validate(1); err == nil || !strings.Contains(err.Error(), "demo.txt:4: no node 2") {
		t.Fatalf("validate against 1 node: %v", err)
	}
}

// A file saved with a byte-order mark reads as one without.
func TestByteOrderMark(t *testing.T) {
	s, err := Parse("bom.txt", strings.NewReader("\ufefftitle With a BOM\nat 1s kill 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Title != "With a BOM" || len(s.Steps) != 1 {
		t.Fatalf("title %q, %d steps", s.Title, len(s.Steps))
	}
	if _, err := Parse("bom.txt", strings.NewReader("\ufeffat 1s kill 1\n")); err != nil {
		t.Fatalf("a step on the first line after a BOM: %v", err)
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

func TestDirectivesAndExpectErrors(t *testing.T) {
	s, err := Parse("x.txt", strings.NewReader("title T\nexplain one\nexplain two\nnodes 3\nseed 9\nfor 4s\nat 1s explain now\nexpect leader\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Title != "T" || s.Explain != "one two" || s.Nodes != 3 || !s.HasSeed || s.Seed != 9 || s.For != 4e9 || len(s.Final) != 1 || s.Steps[0].Text != "now" {
		t.Fatalf("%+v", s)
	}
	for _, tc := range []struct{ src, want string }{
		{"nodes zero\n", `x.txt:1: nodes "zero": want a number from 1`},
		{"seed -1\n", `x.txt:1: seed "-1"`},
		{"for 0s\n", `x.txt:1: for "0s": want a positive duration`},
		{"at 1s expect magic\n", `x.txt:1: expect "magic": want leader, no-leader`},
		{"at 1s expect height >= 3\n", `x.txt:1: expect: unknown metric "height"`},
		{"at 1s expect term ~ 3\n", `x.txt:1: expect term: unknown comparison "~"`},
		{"at 1s expect term >= lots\n", `x.txt:1: expect term: "lots" is not a number`},
		{"at 1s expect leader-age >= 3\n", `x.txt:1: expect leader-age: "3": not a duration`},
		{"at 1s expect leader not x\n", `x.txt:1: node "x"`},
		{"at 1s explain\n", `x.txt:1: explain needs a text`},
		{"title T\nnodes 5000\n", `x.txt:2: nodes 5000: raftty simulates 1 to 1000 nodes`},
		{"title T\n# " + strings.Repeat("x", 70000) + "\nat 1s heal\n", `x.txt:2: line longer than 64 KiB`},
	} {
		_, err := Parse("x.txt", strings.NewReader(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.src, err, tc.want)
		}
	}
}
