package scenario

import (
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"raftty/cluster"
)

func TestParseLine(t *testing.T) {
	type C = cluster.Command
	for _, tc := range []struct {
		line string
		want Step
	}{
		{"at 1.5s disconnect 2", Step{At: 1500 * time.Millisecond, Cmd: C{Action: cluster.ActDisconnect, Nodes: []int{2}}}},
		{"2s reconnect n2", Step{At: 2 * time.Second, Cmd: C{Action: cluster.ActReconnect, Nodes: []int{2}}}},
		{"at 3s kill leader", Step{At: 3 * time.Second, Cmd: C{Action: cluster.ActKill, Nodes: []int{Leader}}}},
		{"at 3s restart 3,4", Step{At: 3 * time.Second, Cmd: C{Action: cluster.ActRestart, Nodes: []int{3, 4}}}},
		{"at 4s partition 1,2 | 3,4,5", Step{At: 4 * time.Second, Cmd: C{Action: cluster.ActPartition, Groups: [][]int{{1, 2}, {3, 4, 5}}}}},
		{"at 4s partition 1, 2|3", Step{At: 4 * time.Second, Cmd: C{Action: cluster.ActPartition, Groups: [][]int{{1, 2}, {3}}}}},
		{"at 4s cut 1 2", Step{At: 4 * time.Second, Cmd: C{Action: cluster.ActCut, Nodes: []int{1, 2}}}},
		{"at 4s cut 1 -> 2", Step{At: 4 * time.Second, Cmd: C{Action: cluster.ActCut, Nodes: []int{1, 2}, OneWay: true}}},
		{"at 4s cut 2->1", Step{At: 4 * time.Second, Cmd: C{Action: cluster.ActCut, Nodes: []int{2, 1}, OneWay: true}}},
		{"at 4s link 1 2", Step{At: 4 * time.Second, Cmd: C{Action: cluster.ActLink, Nodes: []int{1, 2}}}},
		{"at 5s heal", Step{At: 5 * time.Second, Cmd: C{Action: cluster.ActHeal}}},
		{"at 5s timeout 4", Step{At: 5 * time.Second, Cmd: C{Action: cluster.ActTimeout, Nodes: []int{4}}}},
		{"at 6s set heartbeat 3s", Step{At: 6 * time.Second, Cmd: C{Action: cluster.ActSet, Param: cluster.ParamHeartbeat, Min: 3 * time.Second}}},
		{"at 6s set election-timeout 150ms-150ms", Step{At: 6 * time.Second, Cmd: C{Action: cluster.ActSet, Param: cluster.ParamElectionTimeout, Min: 150 * time.Millisecond, Max: 150 * time.Millisecond}}},
		{"at 6s set latency 2ms", Step{At: 6 * time.Second, Cmd: C{Action: cluster.ActSet, Param: cluster.ParamLatency, Min: 2 * time.Millisecond, Max: 2 * time.Millisecond}}},
		{"at 6s set prevote on", Step{At: 6 * time.Second, Cmd: C{Action: cluster.ActSet, Param: cluster.ParamPreVote, On: true}}},
		{"at 6s set checkquorum off", Step{At: 6 * time.Second, Cmd: C{Action: cluster.ActSet, Param: cluster.ParamCheckQuorum}}},
		{"at 0 set drop 30%", Step{Cmd: C{Action: cluster.ActSet, Param: cluster.ParamDrop, Rate: 0.3}}},
		{"at 1s explain watch n2", Step{At: time.Second, Text: "watch n2"}},
		{"at 1s set disk-write 5ms", Step{At: time.Second, Cmd: C{Action: cluster.ActSet, Param: cluster.ParamDiskWrite, Min: 5 * time.Millisecond}}},
		{"at 1s log 1,2 append 3", Step{At: time.Second, Cmd: C{Action: cluster.ActLog, Nodes: []int{1, 2}, Count: 3}}},
		{"at 1s log leader append 1", Step{At: time.Second, Cmd: C{Action: cluster.ActLog, Nodes: []int{Leader}, Count: 1}}},
		{"at 1s put", Step{At: time.Second, Cmd: C{Action: cluster.ActPut, Nodes: []int{Leader}}}},
		{"at 1s put x=1", Step{At: time.Second, Cmd: C{Action: cluster.ActPut, Nodes: []int{Leader}, Data: "x=1"}}},
		{"at 1s put x=1 to 3", Step{At: time.Second, Cmd: C{Action: cluster.ActPut, Nodes: []int{3}, Data: "x=1"}}},
		{"at 1s put to n2", Step{At: time.Second, Cmd: C{Action: cluster.ActPut, Nodes: []int{2}}}},
		{"at 1s put v to leader", Step{At: time.Second, Cmd: C{Action: cluster.ActPut, Nodes: []int{Leader}, Data: "v"}}},
		{"at 1s set unsafe-commit on", Step{At: time.Second, Cmd: C{Action: cluster.ActSet, Param: cluster.ParamUnsafeCommit, On: true}}},
		{"at 1s set noop on", Step{At: time.Second, Cmd: C{Action: cluster.ActSet, Param: cluster.ParamNoOp, On: true}}},
		{"at 1s set max-entries 1", Step{At: time.Second, Cmd: C{Action: cluster.ActSet, Param: cluster.ParamMaxEntries, Count: 1}}},
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

// Every command form prints in one canonical way, which reads back.
func TestCommandPrintsCanonical(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"kill n2,3", "kill 2,3"},
		{"kill leader", "kill leader"},
		{"timeout   leader", "timeout leader"},
		{"cut 1->2", "cut 1 -> 2"},
		{"cut 1  2", "cut 1 2"},
		{"link n1 n2", "link 1 2"},
		{"partition 1, 2|3", "partition 1,2 | 3"},
		{"set drop 30%", "set drop 0.3"},
		{"set drop 0.25", "set drop 0.25"},
		{"set prevote yes", "set prevote on"},
		{"set checkquorum 0", "set checkquorum off"},
		{"set latency 2ms", "set latency 2ms-2ms"},
		{"set heartbeat 1500ms", "set heartbeat 1.5s"},
		{"set election-timeout 150ms-300ms", "set election-timeout 150ms-300ms"},
		{"heal", "heal"},
		{"pause", "pause"},
		{"resume", "resume"},
		{"step", "step"},
		{"speed 0.5x", "speed 0.5"},
		{"put v to leader", "put v"},
		{"put   v  to  n2", "put v to 2"},
	} {
		cmd, err := ParseCommand(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got := cmd.String(); got != tc.want {
			t.Errorf("%q prints as %q, want %q", tc.in, got, tc.want)
		}
		back, err := ParseCommand(cmd.String())
		if err != nil || !reflect.DeepEqual(back, cmd) {
			t.Errorf("%q: %q reads back as %+v (%v), want %+v", tc.in, cmd.String(), back, err, cmd)
		}
	}
}

// randomCommand makes a valid command of any form, with values a parser
// accepts.
func randomCommand(rng *rand.Rand) cluster.Command {
	actions := cluster.Actions()
	cmd := cluster.Command{Action: actions[rng.IntN(len(actions))]}
	nodes := func(k int) []int {
		return rng.Perm(12)[:k]
	}
	plus1 := func(ids []int) []int {
		for i := range ids {
			ids[i]++
		}
		return ids
	}
	// 1ms (raftty's floor for timers) to 10s, to the microsecond.
	dur := func() time.Duration { return time.Duration(1000+rng.IntN(10_000_000)) * time.Microsecond }
	switch a := cmd.Action; {
	case a.TakesNodes():
		if rng.IntN(4) == 0 {
			cmd.Nodes = []int{cluster.LeaderNode}
		} else {
			cmd.Nodes = plus1(nodes(1 + rng.IntN(5)))
		}
	case a == cluster.ActCut || a == cluster.ActLink:
		cmd.Nodes = plus1(nodes(2))
		cmd.OneWay = a == cluster.ActCut && rng.IntN(2) == 0
	case a == cluster.ActPartition:
		perm := plus1(nodes(1 + rng.IntN(11)))
		for len(perm) > 0 {
			k := 1 + rng.IntN(len(perm))
			cmd.Groups = append(cmd.Groups, perm[:k])
			perm = perm[k:]
		}
	case a == cluster.ActSet:
		params := cluster.Params()
		cmd.Param = params[rng.IntN(len(params))]
		switch p := cmd.Param; p.Kind() {
		case cluster.RangeValue:
			cmd.Min = dur()
			cmd.Max = cmd.Min + dur()*time.Duration(rng.IntN(2))
			if p == cluster.ParamLatency && rng.IntN(3) == 0 {
				cmd.Min = 0
			}
		case cluster.DurationValue:
			cmd.Min = dur()
		case cluster.RateValue:
			cmd.Rate = []float64{0, 1, rng.Float64(), float64(rng.IntN(101)) / 100}[rng.IntN(4)]
		case cluster.SwitchValue:
			cmd.On = rng.IntN(2) == 0
		case cluster.CountValue:
			cmd.Count = 1 + rng.IntN(cluster.MaxEntriesLimit)
		}
	case a == cluster.ActSpeed:
		cmd.Speed = cluster.MinSpeed + rng.Float64()*(cluster.MaxSpeed-cluster.MinSpeed)
	case a == cluster.ActSlowVotes:
		cmd.On = rng.IntN(2) == 0
	case a == cluster.ActLog:
		if rng.IntN(4) == 0 {
			cmd.Nodes = []int{cluster.LeaderNode}
		} else {
			cmd.Nodes = plus1(nodes(1 + rng.IntN(5)))
		}
		cmd.Count = 1 + rng.IntN(1000)
	case a == cluster.ActPut:
		cmd.Nodes = []int{cluster.LeaderNode}
		if rng.IntN(2) == 0 {
			cmd.Nodes = plus1(nodes(1))
		}
		cmd.Data = []string{"", "v1", "x=3", "héllo", "to2", strings.Repeat("z", cluster.MaxValue)}[rng.IntN(6)]
	}
	return cmd
}

// Property: every valid command prints to a line that parses back to the
// same command.
func TestCommandRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[cluster.Action]bool{}
	for i := 0; i < 20000; i++ {
		cmd := randomCommand(rng)
		seen[cmd.Action] = true
		back, err := ParseCommand(cmd.String())
		if err != nil {
			t.Fatalf("%+v prints as %q, which does not parse: %v", cmd, cmd.String(), err)
		}
		if !reflect.DeepEqual(back, cmd) {
			t.Fatalf("%q reads back as\n %+v\nwant %+v", cmd.String(), back, cmd)
		}
		// The same through a scenario step and a whole file.
		st := Step{At: time.Duration(rng.IntN(1e6)) * time.Microsecond, Cmd: cmd}
		if cmd.Action.Paces() {
			continue
		}
		line := "at " + cluster.FormatDuration(st.At) + " " + st.String()
		got, err := ParseLine(line)
		if err != nil || !reflect.DeepEqual(got, st) {
			t.Fatalf("%q reads back as %+v (%v), want %+v", line, got, err, st)
		}
	}
	if len(seen) != len(cluster.Actions()) {
		t.Fatalf("the generator made %d of %d actions", len(seen), len(cluster.Actions()))
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
		{"at 2s pause", `pause paces the live view; a scenario cannot use it`},
		{"at 2s speed 2", `speed paces the live view`},
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
		{"at 2s set max-entries 0", `max-entries 0: want a whole number from 1 to 10000`},
		{"at 2s set max-entries many", `max-entries many: want a whole number`},
		{"at 2s put a b", `put takes one value and a node`},
		{"at 2s put to", `put value "to"`},
		{"at 2s put x to", `put takes one value and a node`},
		{"at 2s put x to 1,2", `put takes one node`},
		{"at 2s put x to 0", `node "0": want a node number`},
		{"at 2s put " + strings.Repeat("y", cluster.MaxValue+1), `at most 64`},
		{"at 2s put a\x01", `one word of printable characters`},
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
		got = append(got, st.Source+" "+st.Cmd.Action.String())
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
		{"heartbeat fast\n", `x.txt:1: heartbeat fast: not a duration`},
		{"drop 2\n", `x.txt:1: drop 2: need a probability between 0 and 1`},
		{"prevote\n", `x.txt:1: prevote takes one value, like "prevote off", got ""`},
		{"heartbeat 1s 2s\n", `x.txt:1: heartbeat takes one value, like "heartbeat 50ms", got "1s 2s"`},
		{"prevote maybe\n", `x.txt:1: prevote maybe: want on or off`},
		{"unsafe-forget-votes maybe\n", `x.txt:1: unsafe-forget-votes "maybe": want on or off`},
		{"at 1s expect magic\n", `x.txt:1: expect "magic": want leader, no-leader`},
		{"at 1s expect height >= 3\n", `x.txt:1: expect: unknown metric "height"`},
		{"at 1s expect term ~ 3\n", `x.txt:1: expect term: unknown comparison "~"`},
		{"at 1s expect term >= lots\n", `x.txt:1: expect term: "lots" is not a number`},
		{"at 1s expect leader-age >= 3\n", `x.txt:1: expect leader-age: "3": not a duration`},
		{"at 1s expect leader not x\n", `x.txt:1: node "x"`},
		{"at 1s explain\n", `x.txt:1: explain needs a text`},
		{"engine zab\n", `x.txt:1: no engine "zab" (choose from textbook, etcd, etcd-server)`},
		{"tick soon\n", `x.txt:1: tick "soon": want a positive duration, like 10ms`},
		{"only etcd\n", `x.txt:1: only "etcd": want an engine and the reason`},
		{"only zab because\n", `x.txt:1: only "zab because": want an engine`},
		{"engine etcd\nengine etcd\n", `x.txt:2: a second engine line (the first is line 1): say it once`},
		{"title T\nnodes 5000\n", `x.txt:2: nodes 5000: raftty simulates 1 to 1000 nodes`},
		{"title T\n# " + strings.Repeat("x", 70000) + "\nat 1s heal\n", `x.txt:2: line longer than 64 KiB`},
	} {
		_, err := Parse("x.txt", strings.NewReader(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.src, err, tc.want)
		}
	}
}

// LF, CRLF and a lone CR all end a line, and the line numbers count them
// alike: a file saved on any system reads the same.
func TestLineEnds(t *testing.T) {
	const lines = "title Ends\nnodes 3\n\nat 1s kill 1\nat 2s kil 2\n"
	for name, end := range map[string]string{"LF": "\n", "CRLF": "\r\n", "CR": "\r"} {
		src := strings.ReplaceAll(lines, "\n", end)
		s, err := Parse("x.txt", strings.NewReader(strings.Replace(src, "kil 2", "heal", 1)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.Title != "Ends" || s.Nodes != 3 || len(s.Steps) != 2 || s.Steps[1].Source != "x.txt:5" {
			t.Fatalf("%s: title %q, nodes %d, %d steps %+v", name, s.Title, s.Nodes, len(s.Steps), s.Steps)
		}
		if _, err := Parse("x.txt", strings.NewReader(src)); err == nil || !strings.HasPrefix(err.Error(), `x.txt:5: unknown action "kil"`) {
			t.Fatalf("%s: error %v, want it on line 5", name, err)
		}
	}
	// A CR at the end of one read and an LF at the start of the next are
	// one line end.
	s, err := Parse("x.txt", io.MultiReader(strings.NewReader("title A\r"), strings.NewReader("\nat 1s heal\r\n")))
	if err != nil || len(s.Steps) != 1 || s.Steps[0].Source != "x.txt:2" {
		t.Fatalf("CRLF split across reads: %v, %+v", err, s)
	}
}

// A file with nothing to run, or that says one thing twice, is refused
// with the line: which of two "for" lines should win is a guess.
func TestEmptyAndRepeated(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"", "x.txt: nothing to run: the file has only blank lines and comments"},
		{"# only a comment\n\n   \n", "x.txt: nothing to run"},
		{"for 5s\nat 1s heal\nfor 10s\n", "x.txt:3: a second for line (the first is line 1): say it once"},
		{"nodes 3\nnodes 5\n", "x.txt:2: a second nodes line (the first is line 1)"},
		{"seed 1\nseed 2\n", "x.txt:2: a second seed line"},
		{"title A\ntitle B\n", "x.txt:2: a second title line"},
		{"heartbeat 50ms\nheartbeat 80ms\n", "x.txt:2: a second heartbeat line"},
	} {
		_, err := Parse("x.txt", strings.NewReader(tc.src))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.src, err, tc.want)
		}
	}
	if _, err := Parse("x.txt", strings.NewReader("explain one\nexplain two\nexpect leader\nexpect no violation\nnodes 3\n")); err != nil {
		t.Errorf("explain and expect repeat freely: %v", err)
	}
}

// A compare line makes the run two worlds; an expectation may name one.
// Both read back as written.
func TestCompareAndWorldExpectations(t *testing.T) {
	src := "nodes 3\ncompare prevote=on heartbeat=60ms\ncompare drop=0.1\nat 1s expect a leader\nat 2s expect b term == 1\nexpect no violation\n"
	s, err := Parse("w.txt", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := cluster.CompareText(s.Compare); got != "prevote=on heartbeat=60ms drop=0.1" {
		t.Fatalf("compare %q", got)
	}
	if s.Steps[0].Expect.World != cluster.WorldA || s.Steps[1].Expect.World != cluster.WorldB || s.Final[0].Expect.World != 0 {
		t.Fatalf("worlds %v %v %v", s.Steps[0].Expect.World, s.Steps[1].Expect.World, s.Final[0].Expect.World)
	}
	if st, ok := s.WorldB(); !ok || st.Source != "w.txt:5" {
		t.Fatalf("WorldB: %+v %v", st, ok)
	}
	var b strings.Builder
	if err := Write(&b, s); err != nil {
		t.Fatal(err)
	}
	back, err := Parse("w.txt", strings.NewReader(b.String()))
	if err != nil || cluster.CompareText(back.Compare) != cluster.CompareText(s.Compare) || back.Steps[1].String() != "expect b term == 1" {
		t.Fatalf("written\n%s\nreads back as %+v, %v", b.String(), back, err)
	}
	for _, tc := range []struct{ src, want string }{
		{"compare\n", `x.txt:1: compare takes KEY=VALUE, like "compare prevote=on"`},
		{"compare prevote\n", `x.txt:1: compare "prevote": want KEY=VALUE`},
		{"compare prevote=on\ncompare prevote=off\n", "x.txt:2: compare prevote=off: prevote is compared already (prevote=on)"},
		{"at 1s expect c leader\n", `x.txt:1: expect "c leader": want leader`},
	} {
		if _, err := Parse("x.txt", strings.NewReader(tc.src)); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.src, err, tc.want)
		}
	}
}

// A player for one world of a comparison checks the expectations that name
// no world and those that name its own; a run on its own is world A.
func TestPlayerChecksItsWorldsExpectations(t *testing.T) {
	s, err := Parse("w.txt", strings.NewReader("at 1s expect a leader\nat 1s expect b leader\nat 1s expect leader\nexpect b no violation\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		world cluster.World
		want  []string
	}{
		{0, []string{"a leader", "leader"}},
		{cluster.WorldA, []string{"a leader", "leader"}},
		{cluster.WorldB, []string{"b leader", "leader", "b no violation"}},
	} {
		var got []string
		c, err := cluster.New(cluster.DefaultConfig(), func(e cluster.Event) {
			if e.Kind == cluster.KindExpect {
				got = append(got, e.Detail)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		p := NewPlayer(s).ForWorld(tc.world)
		p.RunUntil(c, 2*time.Second)
		p.Finish(c)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("world %v checked %q, want %q", tc.world, got, tc.want)
		}
	}
}
