package tui

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// Every key that acts on the cluster runs one command, the one the :
// line would take; the status line shows it in that language.
func TestKeyCommands(t *testing.T) {
	type C = cluster.Command
	for _, tc := range []struct {
		name   string
		setup  func(m *Model)
		key    string
		want   C
		status string
	}{
		{"d", nil, "d", C{Action: cluster.ActDisconnect, Nodes: []int{3}}, "disconnect 3"},
		{"c", nil, "c", C{Action: cluster.ActReconnect, Nodes: []int{3}}, "reconnect 3"},
		{"k", nil, "k", C{Action: cluster.ActKill, Nodes: []int{3}}, "kill 3"},
		{"r", nil, "r", C{Action: cluster.ActRestart, Nodes: []int{3}}, "restart 3"},
		{"t", nil, "t", C{Action: cluster.ActTimeout, Nodes: []int{3}}, "timeout 3"},
		{"h", nil, "h", C{Action: cluster.ActHeal}, "heal"},
		{"P on", nil, "P", C{Action: cluster.ActSet, Param: cluster.ParamPreVote, On: true}, "set prevote on"},
		{"P off", func(m *Model) { m.snap.Config.PreVote = true }, "P", C{Action: cluster.ActSet, Param: cluster.ParamPreVote}, "set prevote off"},
		{"Q", nil, "Q", C{Action: cluster.ActSet, Param: cluster.ParamCheckQuorum, On: true}, "set checkquorum on"},
		{"space pauses", nil, "space", C{Action: cluster.ActPause}, "pause  (. steps one decision, space resumes)"},
		{"space resumes", func(m *Model) { m.paused = true }, "space", C{Action: cluster.ActResume}, "resume"},
		{". paused", func(m *Model) { m.paused = true }, ".", C{Action: cluster.ActStep}, "step"},
		{"+", nil, "+", C{Action: cluster.ActSpeed, Speed: 2}, "speed 2"},
		{"=", nil, "=", C{Action: cluster.ActSpeed, Speed: 2}, "speed 2"},
		{"-", nil, "-", C{Action: cluster.ActSpeed, Speed: 0.5}, "speed 0.5"},
		{"+ at the top", func(m *Model) { m.speed = cluster.MaxSpeed }, "+", C{Action: cluster.ActSpeed, Speed: cluster.MaxSpeed}, "speed 64"},
		{"v on", nil, "v", C{Action: cluster.ActSlowVotes, On: true}, "slow motion on: the clock runs 20x slower while messages fly"},
		{"v off", func(m *Model) { m.cur.live.SlowVotes = true }, "v", C{Action: cluster.ActSlowVotes}, "slow motion off"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 1)
			h.advance(time.Second)
			h.press("3")
			h.m.speed = 1
			if tc.setup != nil {
				tc.setup(h.m)
			}
			got, ok, err := keyCommand(h.m.commands, keyMsg(tc.key), h.m.Frame())
			if !ok || err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("key %s runs %+v (%v, %v), want %+v", tc.key, got, ok, err, tc.want)
			}
			h.press(tc.key)
			if !strings.HasPrefix(h.m.status, tc.status) { // reconnect 3: n3 is not disconnected
				t.Fatalf("status %q, want %q", h.m.status, tc.status)
			}
		})
	}
	// Keys that only change the view run no command.
	h := newHarness(t, 1)
	for _, k := range []string{"1", "tab", "L", "[", "]", "f", "up", "end", "?", "p", "e", ":", "w", "s", "q"} {
		if _, ok, _ := keyCommand(h.m.commands, keyMsg(k), h.m.Frame()); ok {
			t.Errorf("key %s runs a cluster command", k)
		}
	}
}

// The : line takes any scenario line and applies it now.
func TestCommandLine(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(time.Second)
	leader := h.snap().Leader
	h.line("timeout leader")
	h.advance(time.Second)
	if got := recorded(h.live); len(got) != 1 || got[0] != "timeout "+strconv.Itoa(leader) {
		t.Fatalf("timeout leader recorded as %q, want the node that led, n%d", got, leader)
	}
	h.line("cut 1 -> 2")
	if h.m.status != "cut 1 -> 2" {
		t.Fatalf("status %q", h.m.status)
	}
	h.frame()
	if !h.logged("cut link n1 -> n2") {
		t.Fatal("no one-way cut in the event log")
	}
	s := h.snap()
	if s.Nodes[0].CutLinks != 1 || s.Nodes[1].CutLinks != 1 {
		t.Fatalf("cut links n1=%d n2=%d, want one each (one way)", s.Nodes[0].CutLinks, s.Nodes[1].CutLinks)
	}
	// The nodes panel and the timeline say which way.
	for _, size := range [][2]int{{120, 40}, {80, 24}} {
		h.m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		view := ansi.Strip(h.m.render())
		var n1, n2 string
		for _, l := range strings.Split(view, "\n") {
			f := strings.Fields(strings.NewReplacer("│", " ", "▶", " ").Replace(l))
			if len(f) > 1 && f[0] == "n1" && f[1] == "follower" {
				n1 = l
			}
			if len(f) > 1 && f[0] == "n2" && n2 == "" {
				n2 = l
			}
		}
		if !strings.Contains(n1, "cut →n2") || !strings.Contains(n2, "cut ←n1") {
			t.Errorf("%dx%d: nodes panel\n%s\n%s\nwant n1 cut →n2 and n2 cut ←n1", size[0], size[1], n1, n2)
		}
		rows := strings.Split(view, "\n")
		var t1, t2 string
		for _, l := range rows {
			if strings.HasPrefix(l, "│n1 ") {
				t1 = l
			}
			if strings.HasPrefix(l, "│n2 ") {
				t2 = l
			}
		}
		// At 80x24 the map takes the timeline's place; it marks the cut too.
		if t1 == "" && size[0] == 80 {
			continue
		}
		if !strings.Contains(t1, ">") || !strings.Contains(t2, "<") {
			t.Errorf("%dx%d: timeline rows\n%s\n%s\nwant > on n1 and < on n2", size[0], size[1], t1, t2)
		}
	}
	h.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	h.line("kill 2,3")
	if s := h.snap(); s.Nodes[1].Alive || s.Nodes[2].Alive {
		t.Fatal("kill 2,3 did not kill both")
	}
	h.line("set drop 30%")
	if got := h.snap().Config.DropRate; got != 0.3 {
		t.Fatalf("drop %v, want 0.3", got)
	}
	h.line("partition 1,2 | 3,4,5")
	if h.snap().Nodes[3].Group != 2 {
		t.Fatal("partition did not apply")
	}
	h.line("heal")
	h.line("pause")
	if !h.snap().Paused || !h.m.paused {
		t.Fatal("pause did not pause")
	}
	h.line("speed 0.5")
	if h.snap().Speed != 0.5 {
		t.Fatal("speed did not apply")
	}
	h.line("restart 2,4") // n4 is alive: only n2 restarts, and only that is recorded
	want := []string{"timeout " + strconv.Itoa(leader), "cut 1 -> 2", "kill 2,3", "set drop 0.3", "partition 1,2 | 3,4,5", "heal", "restart 2"}
	if got := recorded(h.live); !reflect.DeepEqual(got, want) {
		t.Fatalf("recording %q, want %q", got, want)
	}
}

// line types a : command line and enters it.
func (h *harness) line(s string) {
	h.t.Helper()
	h.press(":")
	h.typeText(s)
	h.press("enter")
	if h.m.scr.prompt.isOpen() {
		h.t.Fatalf(":%s: the prompt stayed open: %q", s, h.m.scr.prompt.cmdline.form.err)
	}
	h.frame()
}

func recorded(l *cluster.Live) []string {
	var out []string
	for _, tc := range l.Recording() {
		out = append(out, tc.Cmd.String())
	}
	return out
}

// A bad line changes nothing and says why on the status line, as a
// command the cluster refuses does: enter closes the : line either way,
// so the next : opens an empty line (an open line took that : as text,
// appended to the bad one), and up brings the bad line back to mend.
func TestCommandLineErrors(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(time.Second)
	before := h.snap()
	for _, tc := range []struct{ line, want string }{
		{"kil 2", `unknown action "kil" (want one of disconnect, `},
		{"kill 9", "no node 9 (nodes are 1..5)"},
		{"cut 1 <- 2", `cut takes two nodes ("cut 1 2") or a direction ("cut 1 -> 2"), got "1 <- 2"`},
		{"set drop 2", "drop 2: need a probability between 0 and 1"},
		{"set tick 5ms", `unknown setting "tick"`},
		{"partition 1,2 | 2,3", "node 2 is in two groups"},
		{"speed 0", "speed 0: want a number from"},
	} {
		h.press(":")
		h.typeText(tc.line)
		h.press("enter")
		_, err := checkedCommand(tc.line, h.m.Frame())
		if h.m.scr.prompt.isOpen() || err == nil || h.m.status != tc.line+": "+err.Error() || !h.m.statusErr || !strings.Contains(h.m.status, tc.want) {
			t.Errorf(":%s: open %v, status %q (error %v); want the line closed and the parser's %q on the status line", tc.line, h.m.scr.prompt.isOpen(), h.m.status, h.m.statusErr, tc.want)
		}
		if !strings.Contains(h.m.render(), tc.want) {
			t.Errorf(":%s: the message is not on screen", tc.line)
		}
		h.press(":")
		if v := h.m.scr.prompt.cmdline.form.input.Value(); v != "" {
			t.Errorf(":%s: the next : opens on %q, want an empty line", tc.line, v)
		}
		h.press("up")
		if v := h.m.scr.prompt.cmdline.form.input.Value(); v != tc.line {
			t.Errorf(":%s: up brings back %q, want the bad line to mend", tc.line, v)
		}
		h.press("esc")
	}
	// The lines of a scenario file that are not commands are named as such.
	for _, line := range []string{"title My lesson", "explain watch n3", "expect leader", "nodes 7", "seed 3", "for 10s", "at 2s kill 1"} {
		h.press(":")
		h.typeText(line)
		h.press("enter")
		word, _, _ := strings.Cut(line, " ")
		if want := line + ": " + word + " is a line of a scenario file, not a command"; !strings.HasPrefix(h.m.status, want) || h.m.scr.prompt.isOpen() {
			t.Errorf(":%s: status %q, open %v; want %q and the line closed", line, h.m.status, h.m.scr.prompt.isOpen(), want)
		}
	}
	h.frame()
	if got := h.live.Recording(); len(got) != 0 {
		t.Fatalf("bad lines recorded %v", got)
	}
	after := h.snap()
	if !reflect.DeepEqual(after.Nodes, before.Nodes) || after.Config != before.Config {
		t.Fatal("a bad line changed the cluster")
	}
}

func TestCommandLineCompletionAndHistory(t *testing.T) {
	for _, tc := range []struct{ in, want, choices string }{
		{"ki", "kill ", ""},
		{"re", "re", "reconnect restart resume record"},
		{"ex", "export ", ""},
		{"set he", "set heartbeat ", ""},
		{"set pre", "set prevote ", ""},
		{"set prevote o", "set prevote o", "on off"},
		{"set e", "set election-timeout ", ""},
		{"kill le", "kill leader ", ""},
		{"wr", "write ", ""},
		{"zz", "zz", ""},
	} {
		got, choices := complete(tc.in, false)
		if got != tc.want || strings.Join(choices, " ") != tc.choices {
			t.Errorf("complete(%q) = %q %q, want %q %q", tc.in, got, choices, tc.want, tc.choices)
		}
	}
	h := newHarness(t, 1)
	h.press(":")
	h.typeText("ki")
	h.press("tab")
	h.typeText("4")
	if v := h.m.scr.prompt.cmdline.form.input.Value(); v != "kill 4" {
		t.Fatalf("after tab: %q", v)
	}
	h.press("enter")
	h.line("heal")
	h.press(":", "up", "up")
	if v := h.m.scr.prompt.cmdline.form.input.Value(); v != "kill 4" {
		t.Fatalf("up up: %q, want the line before last", v)
	}
	h.press("down", "down")
	if v := h.m.scr.prompt.cmdline.form.input.Value(); v != "" {
		t.Fatalf("down down: %q, want the empty line being typed", v)
	}
	h.press("esc")
}

// A saved session's first line says how to replay it, naming the file as
// it was saved, directory and all, as the status line does: with only
// its name, the command works only from the directory it was saved in
// (a lecture's --save-dir, or a :write into another directory).
func TestSavedFileNamesItsPath(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name     string
		save     func(h *harness)
		confined bool
		want     string
	}{
		{"w, in the save directory", func(h *harness) { h.press("w") }, false, filepath.Join(dir, "raftty-seed7-500ms.txt")},
		{"w, in a lecture's save directory", func(h *harness) { h.press("w") }, true, filepath.Join(dir, "raftty-seed7-500ms.txt")},
		{":write into a directory", func(h *harness) { h.line("write " + filepath.Join(dir, "sub", "x.txt")) }, false, filepath.Join(dir, "sub", "x.txt")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			h := newHarness(t, 7)
			h.m.out.saver.dir, h.m.out.saver.confined = dir, tc.confined
			h.advance(500 * time.Millisecond)
			tc.save(h)
			data, err := os.ReadFile(tc.want)
			if err != nil {
				t.Fatalf("%v (status %q)", err, h.m.status)
			}
			os.Remove(tc.want)
			replay := "replay: raftty run --scenario " + tc.want
			if first, _, _ := strings.Cut(string(data), "\n"); !strings.HasSuffix(first, replay) {
				t.Errorf("the file's first line %q\nwant it to end %q", first, replay)
			}
			if !strings.Contains(h.m.status, replay) {
				t.Errorf("status %q, want %q", h.m.status, replay)
			}
		})
	}
}

// w saves; saving onto an existing file asks first, and n keeps it.
func TestSaveAsksBeforeOverwriting(t *testing.T) {
	h := newHarness(t, 7)
	h.m.out.saver.dir = t.TempDir()
	h.advance(500 * time.Millisecond)
	h.press("w")
	path := filepath.Join(h.m.out.saver.dir, "raftty-seed7-500ms.txt")
	if !strings.Contains(h.m.status, "saved to "+path) {
		t.Fatalf("status %q, want where it went", h.m.status)
	}
	first, _ := os.ReadFile(path)
	h.line("kill 1")
	h.press("w")
	if h.m.scr.prompt.mode != modeConfirm || !strings.Contains(h.m.status, "exists: overwrite it? y/n") {
		t.Fatalf("mode %v status %q: want a question", h.m.scr.prompt.mode, h.m.status)
	}
	h.press("n")
	if now, _ := os.ReadFile(path); !bytes.Equal(now, first) || !strings.Contains(h.m.status, "not saved") {
		t.Fatalf("n overwrote the file, or said %q", h.m.status)
	}
	h.press("w", "y")
	if now, _ := os.ReadFile(path); !strings.Contains(string(now), "at 500ms kill 1") {
		t.Fatalf("y did not overwrite:\n%s", now)
	}
	// :write FILE too.
	h.line("write other.txt")
	if _, err := os.Stat(filepath.Join(h.m.out.saver.dir, "other.txt")); err != nil || !strings.Contains(h.m.status, "other.txt") {
		t.Fatalf(":write: %v, status %q", err, h.m.status)
	}
}

// tap records every event the UI drains, as JSON lines.
type tap struct {
	Cluster
	lines []string
}

func (t *tap) Drain(buf []cluster.Event) ([]cluster.Event, int) {
	n := len(buf)
	buf, dropped := t.Cluster.Drain(buf)
	for i := n; i < len(buf); i++ {
		if buf[i].Kind == cluster.KindFork {
			continue // a live view's marker, not part of the cluster's history
		}
		t.lines = append(t.lines, string(buf[i].AppendJSON(nil)))
	}
	return buf, dropped
}

// A session driven by keys and : lines, with a scenario playing, is saved
// and replayed headless from the file alone: the same events, byte for
// byte, up to the moment of saving, and the same leader and term.
func TestSavedSessionReplaysExactly(t *testing.T) {
	script, err := scenario.Load("leader-crash")
	if err != nil {
		t.Fatal(err)
	}
	h := newScenarioHarness(t, script)
	taps := &tap{Cluster: h.live}
	h.m = New(taps, Options{NoColor: true, Script: script, Title: script.Title, Explain: script.Explain})
	h.m.out.saver.dir = t.TempDir()

	h.advance(time.Second)
	h.press("2", "d")
	h.advance(time.Second) // the scenario kills the leader at 2s; a command at 2s follows it
	h.line("cut 1 -> 3")
	h.line("set drop 10%")
	h.press("P", "space", ".", ".", ".")
	h.line("kill 5")
	h.line("restart leader") // nobody leads: nothing done, nothing recorded
	h.press(".", ".")
	h.line("restart 1,5")
	h.press("space")
	h.advance(700 * time.Millisecond)
	h.line("partition 1,2 | 3,4,5")
	h.press("e", "ctrl+u")
	h.typeText("100ms-200ms")
	h.press("enter")
	h.advance(400 * time.Millisecond)
	h.press("h", "2", "c")
	// With no latency, what a command causes happens at its own instant:
	// the replay must run it before the next command at that instant, as
	// the live cluster did.
	h.line("set latency 0-0")
	h.press("4", "t")
	h.line("kill 3")
	h.line("set latency 0-2ms")
	h.advance(650 * time.Millisecond)
	h.press("space")
	h.frame()
	h.press("w")
	snap := h.live.Snapshot()
	if !strings.Contains(h.m.status, "saved to ") {
		t.Fatalf("status %q", h.m.status)
	}
	path := strings.Fields(strings.TrimPrefix(h.m.status, "saved to "))[0]
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	// Replay as `raftty run --scenario FILE --json` does: the file alone.
	replay, err := scenario.Parse(path, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	cfg := cluster.DefaultConfig()
	replay.Configure(&cfg, nil)
	var lines []string
	c, err := cluster.New(cfg, func(e cluster.Event) { lines = append(lines, string(e.AppendJSON(nil))) })
	if err != nil {
		t.Fatal(err)
	}
	c.ReportParams()
	scenario.NewPlayer(replay).RunUntil(c, replay.For)
	if replay.For != snap.Now {
		t.Fatalf("file runs for %v, the session was saved at %v", replay.For, snap.Now)
	}
	if len(lines) != len(taps.lines) {
		t.Errorf("replay has %d events, the session %d", len(lines), len(taps.lines))
	}
	for i := range min(len(lines), len(taps.lines)) {
		// The one field that may differ: an expectation's source names the
		// line that holds it, in the built-in live and in the saved file
		// on replay.
		if sourceless(lines[i]) != sourceless(taps.lines[i]) {
			t.Fatalf("event %d differs:\nsession %s\n replay %s\nfile:\n%s", i, taps.lines[i], lines[i], data)
		}
	}
	if c.Leader() != snap.Leader || c.MaxTerm() != snap.MaxTerm {
		t.Fatalf("replay ends with leader n%d term %d, the session n%d term %d", c.Leader(), c.MaxTerm(), snap.Leader, snap.MaxTerm)
	}
	for _, want := range []string{"title The leader crashes", "nodes 5", "seed 1", "heartbeat 50ms", "prevote off",
		"at 2s kill leader", "at 1s disconnect 2", "cut 1 -> 3", "set drop 0.1", "set prevote on",
		"set election-timeout 100ms-200ms", "partition 1,2 | 3,4,5", "set latency 0s-2ms"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the file lacks %q:\n%s", want, data)
		}
	}
	if strings.Contains(string(data), "kill leader\nat") && strings.Count(string(data), "kill leader") > 1 {
		t.Errorf("a recorded kill leader must name the node that led:\n%s", data)
	}
}

// sourceless drops the source of an expect event's JSON line.
func sourceless(line string) string {
	if !strings.Contains(line, `"kind":"expect"`) {
		return line
	}
	i := strings.Index(line, `,"source":`)
	return line[:i] + "}"
}

// Starting a scenario is work for a command, not for Update.
func TestScenarioRestartRunsOffUpdate(t *testing.T) {
	h := newHarness(t, 1)
	calls := 0
	var started *harness
	h.m.restart = (func(name string) (Cluster, *scenario.Script, error) {
		calls++
		script, err := scenario.Load(name)
		if err != nil {
			return nil, nil, err
		}
		started = newScenarioHarness(t, script)
		return started.live, script, nil
	})
	h.press("s")
	_, cmd := h.m.Update(keyMsg("enter"))
	if calls != 0 || cmd == nil {
		t.Fatalf("enter restarted the cluster inside Update (%d calls)", calls)
	}
	if !strings.Contains(h.m.status, "starting scenario 01-first-election") {
		t.Fatalf("status %q", h.m.status)
	}
	h.m.Update(cmd())
	if calls != 1 || h.m.live != Cluster(started.live) || h.m.script == nil || !strings.Contains(h.m.status, "paused at its start") {
		t.Fatalf("after the command: %d calls, status %q", calls, h.m.status)
	}
}

// ctrl+c quits from every prompt; q quits from the overwrite question.
func TestQuitFromPrompts(t *testing.T) {
	h := newHarness(t, 1)
	for _, open := range [][]string{{":"}, {"p"}, {"e"}} {
		h.press(open...)
		if _, cmd := h.m.Update(keyMsg("ctrl+c")); cmd == nil || cmd() != tea.Quit() {
			t.Errorf("ctrl+c after %v does not quit", open)
		}
		h.press("esc")
	}
	h.press("w", "w")
	if h.m.scr.prompt.mode != modeConfirm {
		t.Fatal("no overwrite question")
	}
	if _, cmd := h.m.Update(keyMsg("q")); cmd == nil || cmd() != tea.Quit() {
		t.Error("q at the overwrite question does not quit")
	}
}

// A session that went back in time and forked with a : line saves the
// history that was kept: the replay gives the session's events, the
// discarded future left out.
func TestSavedForkReplaysExactly(t *testing.T) {
	h := newScenarioHarness(t, &scenario.Script{}) // no model yet: the tap sees every event
	taps := &tap{Cluster: h.live}
	h.m = New(taps, Options{NoColor: true})
	h.m.out.saver.dir = t.TempDir()
	h.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	h.advance(time.Second)
	h.press("L", "k")
	h.advance(1500 * time.Millisecond)
	h.seekTo(800 * time.Millisecond)
	h.line("cut 1 -> 2")
	if !strings.Contains(h.m.status, "forked at t=0.800s: cut 1 -> 2") {
		t.Fatalf("status %q", h.m.status)
	}
	// The viewer keeps what it drained up to the fork; the rest was the
	// discarded future.
	kept := taps.lines[:0]
	for _, l := range taps.lines {
		var at int64
		fmt.Sscanf(l, `{"t_us":%d`, &at)
		if at <= 800_000 {
			kept = append(kept, l)
		}
	}
	taps.lines = kept
	if h.snap().Paused {
		t.Fatal("the cluster ran before going back; after the fork it should run again")
	}
	h.advance(time.Second)
	h.press("space")
	h.frame()
	h.press("w")
	path := strings.Fields(strings.TrimPrefix(h.m.status, "saved to "))[0]
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (status %q)", err, h.m.status)
	}
	replay, err := scenario.Parse(path, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "kill") || !strings.Contains(string(data), "at 800ms cut 1 -> 2") {
		t.Fatalf("the file holds the discarded kill, or not the fork's cut:\n%s", data)
	}
	cfg := cluster.DefaultConfig()
	replay.Configure(&cfg, nil)
	var lines []string
	c, err := cluster.New(cfg, func(e cluster.Event) { lines = append(lines, string(e.AppendJSON(nil))) })
	if err != nil {
		t.Fatal(err)
	}
	c.ReportParams()
	scenario.NewPlayer(replay).RunUntil(c, replay.For)
	if len(lines) != len(taps.lines) {
		t.Errorf("replay has %d events, the session %d", len(lines), len(taps.lines))
	}
	for i := range min(len(lines), len(taps.lines)) {
		if lines[i] != taps.lines[i] {
			t.Fatalf("event %d differs:\nsession %s\n replay %s\nfile:\n%s", i, taps.lines[i], lines[i], data)
		}
	}
}

// A saved session keeps the scenario's end-of-run expectations: checked
// at the scenario's end when the session went on past it (and replayed,
// they hold as they held live), said in a comment when the session ends
// before the scenario does, and never dropped.
func TestSavedSessionKeepsTheFinalExpectations(t *testing.T) {
	script, err := scenario.Load("leader-crash") // for 5s, expect no violation at the end
	if err != nil {
		t.Fatal(err)
	}
	if len(script.Final) != 1 || script.For != 5*time.Second {
		t.Fatalf("leader-crash has %d final expectations and runs %v: the test needs one, and 5s", len(script.Final), script.For)
	}
	saveAt := func(d time.Duration) string {
		h := newScenarioHarness(t, script)
		h.m = New(h.live, Options{NoColor: true, Script: script})
		h.m.out.saver.dir = t.TempDir()
		h.advance(d)
		h.press("w")
		path := strings.Fields(strings.TrimPrefix(h.m.status, "saved to "))[0]
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v", h.m.status, err)
		}
		return string(data)
	}

	before := saveAt(2 * time.Second)
	if !strings.Contains(before, "# the scenario checks at its end, 5s, after this file ends:\n#   expect no violation\n") ||
		strings.Contains(before, "\nexpect no violation") {
		t.Errorf("saved at 2s of 5s, the file does not say the final expectation in a comment:\n%s", before)
	}

	after := saveAt(6 * time.Second)
	if !strings.Contains(after, "\nat 5s expect no violation\n") {
		t.Fatalf("saved at 6s of 5s, the file lacks the expectation at 5s:\n%s", after)
	}
	replay, err := scenario.Parse("saved.txt", strings.NewReader(after))
	if err != nil {
		t.Fatalf("%v\n%s", err, after)
	}
	cfg := cluster.DefaultConfig()
	replay.Configure(&cfg, nil)
	var checked []cluster.Event
	c, err := cluster.New(cfg, func(e cluster.Event) {
		if e.Kind == cluster.KindExpect {
			checked = append(checked, e)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	scenario.NewPlayer(replay).RunUntil(c, replay.For)
	last := checked[len(checked)-1]
	if last.At != 5*time.Second || last.Detail != "no violation" || !last.Passed {
		t.Fatalf("the replay's last check is %v; want no violation checked at 5s, held", last)
	}
}

// An empty prompt shows its whole placeholder, the example of what to
// type, not only its first letter; and what is typed shows, at 80 and 60
// columns too (the filter's label alone was wider than 80).
func TestPromptsShowTheirExamples(t *testing.T) {
	h := newHarness(t, 1)
	for _, w := range []int{120, 80, 60} {
		h.m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
		for _, tc := range []struct{ key, want string }{{"p", "1,2 | 3,4,5"}, {"/", "n3 vote refused"}, {":", "kill 2,3"}} {
			h.press(tc.key)
			if view := ansi.Strip(h.m.render()); !strings.Contains(view, tc.want) {
				t.Errorf("%d columns, %s: the prompt lacks its example %q:\n%s", w, tc.key, tc.want, view)
			}
			h.typeText("4,5")
			if view := ansi.Strip(h.m.render()); !strings.Contains(view, "4,5") {
				t.Errorf("%d columns, %s: what is typed does not show:\n%s", w, tc.key, view)
			}
			h.press("esc")
		}
	}
}
