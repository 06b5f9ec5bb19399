package scenario

import (
	"reflect"
	"strings"
	"testing"

	"raftty/cluster"
)

// The parser never panics, and what it accepts validates and plays on a
// cluster of any size without panicking (see FuzzPlay in the cluster tests
// for the playing).
func FuzzParse(f *testing.F) {
	for _, b := range Builtins() {
		data, _ := builtinFS.ReadFile("builtin/" + b.Name + ".txt")
		f.Add(string(data))
	}
	for _, s := range []string{
		"at 1.5s disconnect 2\nat 2s reconnect 2\n", "at 4s partition 1,2 | 3,4,5", "at 4s cut 1 -> 2",
		"at 6s set election-timeout 150ms-150ms", "at 1s expect leader-age >= 2s", "expect no violation",
		"at -1s kill 1", "at 1s kill 1,,2", "title\nexplain\nnodes 0", "at 1e9h kill leader", "at 1s set drop 1e-400",
		"at 1s partition |||", "\x00\xff", "at 9223372036854775807ns heal",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		s, err := Parse("fuzz.txt", strings.NewReader(src))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.txt") {
				t.Fatalf("error does not say where: %v", err)
			}
			return
		}
		_ = s.Validate(5)
		for _, st := range s.Steps {
			if st.At < 0 {
				t.Fatalf("negative time accepted: %+v", st)
			}
		}
	})
}

// Range, duration, probability and node list parsing, as the flags use it.
func FuzzParseValues(f *testing.F) {
	for _, s := range []string{"150ms-300ms", "150ms", "0-0", "300ms-150ms", "1h-2h", "-1s", "30%", "0.3", "NaN", "1e308", "-", "--", "1.5s-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if a, b, err := cluster.ParseRange(s); err == nil && (a < 0 || a > b) {
			t.Fatalf("ParseRange(%q) = %v, %v", s, a, b)
		}
		if d, err := cluster.ParseDuration(s); err == nil && d < 0 {
			t.Fatalf("ParseDuration(%q) = %v", s, d)
		}
		if p, err := cluster.ParseProbability(s); err == nil && !(p >= 0 && p <= 1) {
			t.Fatalf("ParseProbability(%q) = %v", s, p)
		}
		_, _ = parseGroups(s)
		_, _ = ParseNodeList(s)
	})
}

// Whatever ParseCommand accepts prints to a line that reads back as the
// same command, and prints the same way again.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{
		"kill 2,3", "kill leader", "disconnect n1", "cut 1 -> 2", "cut 1->2", "cut 1 2", "link 1 2",
		"partition 1,2 | 3,4,5", "partition 1", "heal", "timeout leader", "set drop 30%", "set drop 1e-400",
		"set drop -0", "set latency 0-1ms", "set election-timeout 150ms-300ms", "set heartbeat 1.5s",
		"set prevote yes", "set checkquorum off", "pause", "resume", "step", "speed 0.5", "speed 64x",
		"speed 1e-300", "cut 1 -> -> 2", "kill 1,,2", "partition ||", "set heartbeat 9223372036854775807ns",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cmd, err := ParseCommand(text)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of more than one line: %q", err)
			}
			return
		}
		line := cmd.String()
		back, err := ParseCommand(line)
		if err != nil {
			t.Fatalf("%q parsed as %+v, printed as %q, which does not parse: %v", text, cmd, line, err)
		}
		if !reflect.DeepEqual(back, cmd) {
			t.Fatalf("%q parsed as %+v, printed as %q, read back as %+v", text, cmd, line, back)
		}
		if back.String() != line {
			t.Fatalf("%q prints as %q, then as %q", text, line, back.String())
		}
	})
}
