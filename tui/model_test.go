package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
	"raftty/cluster/scenario"
	"raftty/raft"
)

const ms = time.Millisecond

func TestKillSelectedNode(t *testing.T) {
	h := newHarness(t, 42)
	h.advance(time.Second)
	h.press("2", "k")
	h.frame()
	if h.m.selected != 2 {
		t.Fatalf("selected n%d, want n2", h.m.selected)
	}
	if h.snap().Nodes[1].Alive {
		t.Fatal("n2 is alive after k")
	}
	if !h.logged("n2 dies in term") {
		t.Fatal("no dead state event for n2 in the event log")
	}
	if h.m.status != "kill 2" {
		t.Errorf("status %q, want it to say what was done", h.m.status)
	}
}

func TestSelectLeaderAndKillIt(t *testing.T) {
	h := newHarness(t, 42)
	h.advance(time.Second)
	old := h.snap().Leader
	if old == 0 {
		t.Fatal("no leader after 1s")
	}
	h.press("L", "k")
	if h.m.selected != old {
		t.Fatalf("L selected n%d, want the leader n%d", h.m.selected, old)
	}
	h.advance(time.Second)
	s := h.snap()
	if s.Leader == 0 || s.Leader == old {
		t.Fatalf("after killing leader n%d, leader is n%d", old, s.Leader)
	}
	if !h.logged(fmt.Sprintf("n%d becomes leader in term", s.Leader)) {
		t.Fatal("the new leader's election is not in the log")
	}
}

// Each key on a selected node does what it names, seen in the cluster.
func TestNodeKeys(t *testing.T) {
	h := newHarness(t, 5)
	h.advance(time.Second)
	leader := h.snap().Leader
	follower := leader%5 + 1
	sel := fmt.Sprint(follower)

	h.press(sel, "d")
	if !h.snap().Nodes[follower-1].Disconnected {
		t.Fatal("d did not disconnect")
	}
	h.advance(2 * time.Second)
	h.press("c")
	if h.snap().Nodes[follower-1].Disconnected {
		t.Fatal("c did not reconnect")
	}
	h.advance(time.Second)
	// Without PreVote, the returning node's higher term deposed the leader.
	if !h.logged(fmt.Sprintf("n%d becomes follower in term", leader)) {
		t.Fatalf("leader n%d was not deposed by the returning n%d", leader, follower)
	}

	h.press("tab")
	if h.m.selected != follower%5+1 {
		t.Fatalf("tab selected n%d", h.m.selected)
	}
	h.press("shift+tab", "t")
	if !h.logged(fmt.Sprintf("n%d forced to time out", follower)) {
		t.Fatal("t did not force a timeout")
	}
	h.press("k", "r")
	if !h.snap().Nodes[follower-1].Alive || !h.logged(fmt.Sprintf("n%d restarted", follower)) {
		t.Fatal("r did not restart the killed node")
	}
	h.press("r")
	if !h.m.statusErr || !strings.Contains(h.m.status, "is not dead") {
		t.Fatalf("restarting a live node: status %q, want an error", h.m.status)
	}
}

func TestPartitionPromptAndHeal(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(time.Second)
	h.press("p")
	if h.m.scr.prompt.mode != modePartition {
		t.Fatal("p did not open the partition prompt")
	}
	h.typeText("1,2 | 2,3")
	h.press("enter")
	if h.m.scr.prompt.mode != modePartition || !strings.Contains(h.m.scr.prompt.part.err, "node 2 is in two groups") {
		t.Fatalf("bad partition: mode %v err %q, want the prompt kept open with the error", h.m.scr.prompt.mode, h.m.scr.prompt.part.err)
	}
	h.press("ctrl+u")
	h.typeText("1,2 | 3,4,5")
	h.press("enter")
	if h.m.scr.prompt.isOpen() {
		t.Fatalf("mode %v after a valid partition", h.m.scr.prompt.mode)
	}
	s := h.snap()
	if s.Nodes[0].Group != 1 || s.Nodes[2].Group != 2 {
		t.Fatalf("groups n1=%d n3=%d, want 1 and 2", s.Nodes[0].Group, s.Nodes[2].Group)
	}
	h.press("h")
	if h.snap().Nodes[0].Group != 0 {
		t.Fatal("h did not heal the partition")
	}
	h.press("p", "esc")
	if h.m.scr.prompt.isOpen() {
		t.Fatal("esc did not close the prompt")
	}
}

func TestEditTiming(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(time.Second)
	h.press("e")
	if h.m.scr.prompt.mode != modeEdit {
		t.Fatal("e did not open the editor")
	}
	h.press("tab", "ctrl+u")
	h.typeText("0s")
	h.press("enter")
	if h.m.scr.prompt.mode != modeEdit || !strings.Contains(h.m.scr.prompt.edit.err, "heartbeat 0s: must be positive") {
		t.Fatalf("heartbeat 0s: mode %v err %q, want the form kept open with the error", h.m.scr.prompt.mode, h.m.scr.prompt.edit.err)
	}
	h.press("ctrl+u")
	h.typeText("1us")
	h.press("enter")
	if h.m.scr.prompt.mode != modeEdit || !strings.Contains(h.m.scr.prompt.edit.err, "heartbeat 1us: below raftty's floor of 1ms") {
		t.Fatalf("heartbeat 1us: mode %v err %q, want the form kept open with the floor named", h.m.scr.prompt.mode, h.m.scr.prompt.edit.err)
	}
	h.press("ctrl+u")
	h.typeText("3s")
	h.press("enter")
	if got := h.snap().Config.Heartbeat; got != 3*time.Second {
		t.Fatalf("heartbeat %v after editing, want 3s", got)
	}
	if !strings.Contains(h.m.status, "leadership will churn") {
		t.Errorf("status %q should warn about churn", h.m.status)
	}
	h.advance(3 * time.Second)
	if c := h.snap().Stats.LeaderChanges; c < 3 {
		t.Fatalf("%d leader changes in 3s with 3s heartbeats, want churn", c)
	}
}

func TestPauseStepSpeed(t *testing.T) {
	h := newHarness(t, 1)
	h.press("space")
	at := h.snap().Now
	h.advance(time.Second)
	if h.snap().Now != at || !h.snap().Paused {
		t.Fatal("clock moved while paused")
	}
	h.press(".")
	h.frame()
	if h.snap().Now == at {
		t.Fatal(". did not step")
	}
	h.press("space", ".")
	if !strings.Contains(h.m.status, "while paused") {
		t.Fatalf("step while running: status %q", h.m.status)
	}
	h.press("+", "+")
	if got := h.snap().Speed; got != 4 {
		t.Fatalf("speed %v after + +, want 4", got)
	}
	for i := 0; i < 20; i++ {
		h.press("-")
	}
	if got := h.snap().Speed; got != cluster.MinSpeed {
		t.Fatalf("speed %v after many -, want the floor %v", got, cluster.MinSpeed)
	}
}

func TestOptionToggles(t *testing.T) {
	h := newHarness(t, 1)
	h.press("P", "Q")
	if c := h.snap().Config; !c.PreVote || !c.CheckQuorum {
		t.Fatalf("PreVote %v CheckQuorum %v after P Q", c.PreVote, c.CheckQuorum)
	}
	h.press("P")
	if h.snap().Config.PreVote {
		t.Fatal("second P did not turn PreVote off")
	}
}

func TestViewKeysWithoutCluster(t *testing.T) {
	h := newHarness(t, 1)
	h.press("9")
	if h.m.selected != 1 || !strings.Contains(h.m.status, "no node 9") {
		t.Fatalf("9 in a 5-node cluster: selected n%d, status %q", h.m.selected, h.m.status)
	}
	for i := 0; i < 20; i++ {
		h.press("[")
	}
	if h.m.cur.zoom != 0 {
		t.Fatalf("zoom %d after zooming in a lot", h.m.cur.zoom)
	}
	h.press("]")
	if h.m.cur.zoom != 1 {
		t.Fatalf("zoom %d", h.m.cur.zoom)
	}
	h.press("?")
	if !h.m.scr.help.open || !strings.Contains(h.m.render(), "toggle CheckQuorum") {
		t.Fatal("? did not show the full help")
	}
	h.press("f")
	if !h.m.scr.log.traffic {
		t.Fatal("f did not show heartbeats")
	}
	_, cmd := h.m.Update(keyMsg("q"))
	if cmd == nil {
		t.Fatal("q returned no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("q does not quit")
	}
}

// The heartbeat filter: hidden by default, shown with f.
func TestHeartbeatFilter(t *testing.T) {
	h := newHarness(t, 1)
	h.advance(time.Second)
	if h.logged("AppendEntries t") {
		t.Fatal("heartbeats in the default log")
	}
	h.press("f")
	if !strings.Contains(h.m.render(), "AppendEntries") {
		t.Fatal("f did not bring heartbeats into the log")
	}
}

// A violation shows as a banner that stays.
func TestViolationBanner(t *testing.T) {
	h := newHarness(t, 1)
	h.m.hist.ingest(&cluster.Event{At: time.Second, Kind: cluster.KindViolation, Invariant: cluster.InvElectionSafety, Detail: "n1 and n2 both lead term 3"})
	h.advance(time.Second)
	if !strings.Contains(h.m.render(), "VIOLATION of election-safety: n1 and n2 both lead term 3") {
		t.Fatal("no violation banner")
	}
}

func TestTimerDrains(t *testing.T) {
	h := newHarness(t, 1)
	ns := cluster.NodeStatus{Alive: true}
	ns.Role = raft.Follower
	ns.ElectionTimeout = 200 * ms
	ns.ElectionDeadline = 150 * ms
	h.m.snap.Now = 100 * ms
	if got := timerCell(h.m.Frame(), ns, 2); !strings.Contains(got, "██░░░░") || !strings.Contains(got, "25%") {
		t.Fatalf("timer cell %q, want a quarter left", got)
	}
}

// s opens the scenario list; enter restarts the cluster with the chosen
// scenario, whose title and explanations show, updated as its steps fire.
func TestScenarioPicker(t *testing.T) {
	h := newHarness(t, 1)
	h.press("s")
	if h.m.restart != nil || h.m.scr.picker.open {
		t.Fatal("s without a restarter should only say so")
	}
	var started *harness
	h.m.restart = (func(name string) (Cluster, *scenario.Script, error) {
		script, err := scenario.Load(name)
		if err != nil {
			return nil, nil, err
		}
		started = newScenarioHarness(t, script)
		return started.live, script, nil
	})
	h.press("s")
	if !h.m.scr.picker.open || !strings.Contains(h.m.render(), "03-leader-crash") {
		t.Fatal("s did not list the scenarios")
	}
	h.press("down", "down", "enter") // 01, 02, 03
	if h.m.scr.picker.open || !strings.Contains(h.m.title, "The leader crashes") {
		t.Fatalf("picker open %v, title %q: want the leader-crash scenario running", h.m.scr.picker.open, h.m.title)
	}
	if !strings.Contains(h.m.render(), "Five nodes elect a leader") {
		t.Fatal("the scenario's explanation is not on screen")
	}
	// Drive the new cluster's clock past its "at 2s explain".
	started.m = h.m
	started.advance(2100 * ms)
	if got := h.m.Frame().explainShown(); !strings.Contains(got, "The leader is dead") {
		t.Fatalf("explanation %q, want the one of the step at 2s", got)
	}
	if !h.logged("killed") {
		t.Fatal("the scenario's kill did not happen")
	}
}

// A title too long for its row is cut with an ellipsis, and given in full
// under the list while the cursor is on it (at 120 columns, 14's and 19's).
func TestPickerGivesACutTitleInFull(t *testing.T) {
	h := newHarness(t, 1)
	h.m.scenarios = scenario.BuiltinsFor(cluster.DefaultConfig(), "")
	h.m.restart = func(string) (Cluster, *scenario.Script, error) { return nil, nil, errors.New("not in this test") }
	title := h.m.scenarios[13].Title
	if !strings.HasPrefix(h.m.scenarios[13].Name, "14-") || len(title) < 88 {
		t.Fatalf("the 14th scenario %q, %q: the test needs a title too long for 120 columns", h.m.scenarios[13].Name, title)
	}
	h.press("s")
	for range 13 {
		h.press("j")
	}
	screen := h.m.render()
	if !strings.Contains(screen, title[:60]) || !strings.Contains(screen, "…") {
		t.Fatalf("the list does not show 14's title cut with an ellipsis:\n%s", screen)
	}
	var footer []string
	for _, l := range strings.Split(ansi.Strip(screen), "\n") {
		if strings.Contains(l, "14-partial-connectivity:") || len(footer) > 0 && len(footer) < 3 {
			footer = append(footer, strings.Trim(l, "│ "))
		}
	}
	if got := strings.Join(footer, " "); !strings.Contains(got, "14-partial-connectivity: "+title) {
		t.Errorf("under the list %q, want 14's whole title:\n%s", got, screen)
	}
}

// A lesson the cluster cannot run is refused in the picker, saying why,
// without a restart; one that runs but does not hold there starts with a
// warning, as `raftty run` gives them.
func TestPickerRefusesAndWarns(t *testing.T) {
	h := newHarness(t, 1)
	etcd := cluster.DefaultConfig()
	etcd.Engine = cluster.EngineEtcd
	h.m.scenarios = scenario.BuiltinsFor(etcd, "")
	var started []string
	h.m.restart = func(name string) (Cluster, *scenario.Script, error) {
		started = append(started, name)
		script, err := scenario.Load(name)
		if err != nil {
			return nil, nil, err
		}
		return newScenarioHarness(t, script).live, script, nil
	}
	h.press("s", "j", "j", "j", "j", "j", "j", "enter") // 07
	if !h.m.scr.picker.open || len(started) > 0 || !strings.Contains(h.m.status, "07-slow-heartbeat refused here: it holds on the textbook engine only") {
		t.Fatalf("07 on etcd: picker open %v, restarts %q, status %q: want it refused, saying why", h.m.scr.picker.open, started, h.m.status)
	}
	h.press("k", "enter") // 06
	if h.m.scr.picker.open || len(started) != 1 || !strings.HasPrefix(h.m.status, "scenario 06-follower-returns-prevote: warning: it holds on the textbook engine only, not on etcd") {
		t.Fatalf("06 on etcd: picker open %v, restarts %q, status %q: want it started with a warning", h.m.scr.picker.open, started, h.m.status)
	}
}

// newScenarioHarness is a harness whose cluster plays a script.
func newScenarioHarness(t *testing.T, script *scenario.Script) *harness {
	t.Helper()
	cfg := cluster.DefaultConfig()
	cfg.Seed = 1
	if script.Nodes > 0 {
		cfg.Nodes = script.Nodes
	}
	h := &harness{t: t, wall: time.Unix(1_000_000, 0), ticks: make(chan time.Time)}
	start := h.wall
	live, err := cluster.StartLive(context.Background(), cfg, cluster.LiveOptions{
		Speed: 1, Ticks: h.ticks, Now: func() time.Time { return start }, Advance: scenario.NewPlayer(script),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(live.Stop)
	h.live = live
	return h
}

// A violation's banner says it all: wrapped to a second line where the
// screen is narrow (it was cut at the width, mid-word), and a text longer
// still ends in "… (i)" with i showing it whole.
func TestViolationBannerSaysItAll(t *testing.T) {
	short := `n5 leads term 5 without the entry n1 committed at index 2 at 2.740s (term 2 "b"): its log has term 3 "c" there`
	long := `n1 and n2 both hold an entry of term 3 at index 4, but their logs differ up to it: at index 2, term 2 "` +
		strings.TrimSpace(strings.Repeat("a long value ", 10)) + `" in n1's, term 3 "w" in n2's`
	for _, size := range []struct{ w, h int }{{120, 40}, {80, 24}} {
		for _, detail := range []string{short, long} {
			h := newHarness(t, 1)
			h.m.Update(tea.WindowSizeMsg{Width: size.w, Height: size.h})
			h.m.hist.ingest(&cluster.Event{At: time.Second, Kind: cluster.KindViolation, Invariant: cluster.InvLeaderCompleteness, Detail: detail})
			h.advance(time.Second)
			screen := strings.Split(ansi.Strip(h.m.render()), "\n")
			checkShape(t, strings.Join(screen, "\n"), size.w, size.h)
			whole := "VIOLATION of leader-completeness: " + detail
			banner := strings.Join(strings.Fields(strings.Join(screen[1:3], " ")), " ")
			if !strings.HasPrefix(banner, "VIOLATION") {
				t.Fatalf("%dx%d: no banner below the header:\n%s", size.w, size.h, strings.Join(screen, "\n"))
			}
			if len(whole) <= 2*(size.w-2) {
				if !strings.HasPrefix(banner, whole) {
					t.Errorf("%dx%d: the banner is cut: %q", size.w, size.h, banner)
				}
				continue
			}
			if !strings.Contains(banner, "… (i)") {
				t.Errorf("%dx%d: a long banner is cut without saying where the rest is: %q", size.w, size.h, banner)
			}
			h.press("i")
			if got := inspectorText(h.m); !strings.Contains(got, whole) {
				t.Errorf("%dx%d: i does not show the violation whole: %s", size.w, size.h, got)
			}
		}
	}
}
