package session

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"go.uber.org/goleak"

	"raftty/cluster"
	"raftty/cluster/scenario"
	"raftty/tui"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Run, the entry point main uses, quits on q and ctrl+c, leaves the
// alternate screen, and stops the cluster it started: goleak (TestMain)
// fails the package if anything is left running.
func TestRunQuitsAndStopsEverything(t *testing.T) {
	prevote, _ := cluster.ParseCompare("prevote=on")
	for _, input := range []string{"q", "\x03", "Dq"} { // q and ctrl+c; two worlds
		var out bytes.Buffer
		cfg := cluster.DefaultConfig()
		cfg.Seed = 1
		opts := Options{Config: cfg, Speed: 1, Input: strings.NewReader(input), Output: &out, NoColor: true}
		if input == "Dq" {
			opts.Compare = []cluster.Compare{prevote}
		}
		err := Run(context.Background(), opts)
		if err != nil {
			t.Fatalf("input %q: %v", input, err)
		}
		if !strings.Contains(out.String(), "\x1b[?1049l") {
			t.Errorf("input %q: the alternate screen was not left", input)
		}
	}
}

// A cancelled context (the signal handler's, in main) ends the view too.
func TestRunEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	if err := Run(ctx, Options{Config: cluster.DefaultConfig(), Speed: 1, Input: strings.NewReader(""), Output: &out}); err != nil {
		t.Fatal(err)
	}
}

// A timing warning and a scenario's title are both shown at start-up; a
// lesson says how to start it; a view of a shared cluster gets its title
// and the status line it is given, nothing more.
func TestFirstScreen(t *testing.T) {
	warning := "heartbeat 3s >= minimum election timeout 150ms"
	titled := &scenario.Script{Name: "07-slow-heartbeat", Title: "Slow heartbeats", Explain: "Watch the leader lose its followers."}
	for _, tc := range []struct {
		name   string
		opts   Options
		viewer bool
		want   []string
	}{
		{"a scenario and a warning", Options{Script: titled, Warnings: []string{warning}}, false,
			[]string{"Slow heartbeats", "Watch the leader", "warning: " + warning}},
		{"a warning alone", Options{Warnings: []string{warning}}, false, []string{"warning: " + warning}},
		{"a lesson", Options{Script: titled}, false, []string{"space starts the scenario"}},
		{"paused", Options{StartPaused: true}, false, []string{"paused at the start: space starts the clock"}},
		{"a lecture's view", Options{Script: titled, Warnings: []string{warning}, Title: "ignored"}, true,
			[]string{"Slow heartbeats", "Watch the leader", "watching"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Config, opts.Speed, opts.NoColor = cluster.DefaultConfig(), 1, true
			var m *tui.Model
			if tc.viewer {
				live, err := cluster.StartLive(context.Background(), opts.Config, LiveOptions(opts, nil, cluster.LiveOptions{}))
				if err != nil {
					t.Fatal(err)
				}
				defer live.Stop()
				m = Viewer(live, opts, tui.Options{Status: "watching"})
			} else {
				var stop func()
				var err error
				if m, stop, err = StartLocal(context.Background(), opts, tui.Options{}); err != nil {
					t.Fatal(err)
				}
				defer stop()
			}
			m.Update(tea.WindowSizeMsg{Width: 160, Height: 40})
			view := ansi.Strip(m.View().Content)
			for _, want := range tc.want {
				if !strings.Contains(view, want) {
					t.Errorf("the first view lacks %q:\n%s", want, view)
				}
			}
			if tc.viewer && strings.Contains(view, warning) {
				t.Errorf("a lecture's view shows the start-up warning:\n%s", view)
			}
		})
	}
}

// A lesson, or --start-paused, starts with the clock stopped; a few --at
// commands do not. Votes always fly in slow motion; the base's clock is
// kept.
func TestLiveOptions(t *testing.T) {
	ticks := make(chan time.Time)
	base := cluster.LiveOptions{Ticks: ticks}
	if o := LiveOptions(Options{StartPaused: true, Speed: 0.5}, nil, base); !o.Paused || o.Speed != 0.5 || !o.SlowVotes || o.Ticks == nil {
		t.Fatalf("--start-paused: %+v", o)
	}
	if o := LiveOptions(Options{}, &scenario.Script{Title: "a lesson"}, base); !o.Paused {
		t.Fatal("a lesson did not start paused")
	}
	if o := LiveOptions(Options{}, &scenario.Script{Steps: []scenario.Step{{At: time.Second}}}, base); o.Paused {
		t.Fatal("a few --at commands paused the start: only a lesson (title or explanation) does")
	}
}

// The view's s picker restarts the cluster with a scenario set up as its
// header says; stop stops whichever cluster runs, and a restart after it
// starts nothing (goleak, in TestMain, checks).
func TestRestartAndStop(t *testing.T) {
	opts := Options{Config: cluster.DefaultConfig(), Speed: 1}
	l := &local{ctx: context.Background(), opts: opts}
	var err error
	if l.live, err = l.start(opts.Config, nil); err != nil {
		t.Fatal(err)
	}
	first := l.live
	c, script, err := l.restart("leader-crash")
	if err != nil || script == nil || c == nil {
		t.Fatalf("restart: %v", err)
	}
	if c == tui.Cluster(first) {
		t.Fatal("the restart kept the old cluster")
	}
	if err := first.Apply(cluster.Command{Action: cluster.ActPause}); err != cluster.ErrStopped {
		t.Fatalf("the old cluster still runs: %v", err)
	}
	if !c.Snapshot().Paused {
		t.Fatal("a restarted lesson does not open paused")
	}
	l.stop()
	if _, _, err := l.restart("leader-crash"); err != cluster.ErrStopped {
		t.Fatalf("a restart after stop: %v, want ErrStopped", err)
	}
}

// On etcd the picker refuses a lesson etcd cannot run, as `raftty run`
// does, naming its line, and the cluster runs on; the list it shows marks
// that lesson, and one that runs but does not hold there, with the reason.
func TestPickerOnEtcd(t *testing.T) {
	cfg := cluster.DefaultConfig()
	cfg.Engine = cluster.EngineEtcd
	opts := Options{Config: cfg, Speed: 1, NoColor: true}
	m, stop, err := StartLocal(context.Background(), opts, tui.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	l := &local{ctx: context.Background(), opts: opts}
	if l.live, err = l.start(opts.Config, nil); err != nil {
		t.Fatal(err)
	}
	defer l.stop()
	first := l.live
	if _, _, err := l.restart("07"); err == nil || !strings.HasPrefix(err.Error(), "07-slow-heartbeat:8: etcd engine: heartbeat 3s must be shorter") {
		t.Fatalf("lesson 07 on etcd: %v, want the refusal run gives", err)
	}
	if l.live != first || first.Apply(cluster.Command{Action: cluster.ActPause}) != nil {
		t.Fatal("a refused lesson stopped the cluster")
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	for _, k := range []string{"s", "j", "j", "j", "j", "j", "j"} { // 01 down to 07
		m.Update(tea.KeyPressMsg{Code: rune(k[0]), Text: k})
	}
	view := ansi.Strip(m.View().Content)
	for _, want := range []string{
		"│ 07-slow-heartbeat              ✗ Heartbeats slower",
		"│ 06-follower-returns-prevote    ! The same return with PreVote",
		"│ 17-prevote-without-checkquorum PreVote without CheckQuorum", // two worlds: A stays textbook
		"│ 03-leader-crash                The leader crashes",
		"✗ 07-slow-heartbeat refused here: it holds on the textbook engine only, not on etcd: etcd refuses a heartbeat",
	} {
		if !strings.Contains(view, want) {
			t.Errorf("the picker on etcd lacks %q:\n%s", want, view)
		}
	}
}

// The start-up warning is read in full at 80 and 120 columns: above the
// panels without a scenario, on a status line that wraps with one.
func TestWarningInFull(t *testing.T) {
	warning := "heartbeat 3s >= minimum election timeout 150ms: followers will time out between heartbeats and leadership will churn"
	want := strings.Join(strings.Fields("warning: "+warning), " ")
	for _, script := range []*scenario.Script{nil, {Title: "Slow heartbeats"}} {
		opts := Options{Config: cluster.DefaultConfig(), Speed: 1, NoColor: true, Script: script, Warnings: []string{warning}}
		m, stop, err := StartLocal(context.Background(), opts, tui.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []int{80, 120} {
			m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
			view := ansi.Strip(m.View().Content)
			if !strings.Contains(strings.Join(strings.Fields(view), " "), want) {
				t.Errorf("scenario %v, %d columns: the warning is not in full:\n%s", script != nil, w, view)
			}
		}
		stop()
	}
}

// Two worlds: --compare wins over a scenario's compare lines; without it a
// scenario with compare lines runs two worlds, and a scenario picked later
// brings its own (or one world), as it brings its own header.
func TestCompared(t *testing.T) {
	prevote, _ := cluster.ParseCompare("prevote=on")
	heartbeat, _ := cluster.ParseCompare("heartbeat=100ms")
	withLines := &scenario.Script{Compare: []cluster.Compare{heartbeat}}
	for _, tc := range []struct {
		name   string
		opts   Options
		script *scenario.Script
		want   string
	}{
		{"--compare alone", Options{Compare: []cluster.Compare{prevote}}, nil, "prevote=on"},
		{"--compare over the file's", Options{Compare: []cluster.Compare{prevote}}, withLines, "prevote=on"},
		{"the file's", Options{}, withLines, "heartbeat=100ms"},
		{"neither", Options{}, &scenario.Script{}, ""},
	} {
		o := LiveOptions(tc.opts, tc.script, cluster.LiveOptions{})
		if got := cluster.CompareText(o.Compare); got != tc.want || (got != "") != (o.AdvanceB != nil) {
			t.Errorf("%s: compares %q (world B's player %v), want %q", tc.name, got, o.AdvanceB != nil, tc.want)
		}
	}

	// A session started comparing, then the picker: lesson 16 has its own
	// compare line; 03 has none, so one world.
	opts := Options{Config: cluster.DefaultConfig(), Speed: 1}
	l := &local{ctx: context.Background(), opts: opts}
	var err error
	if l.live, err = l.start(opts.Config, &scenario.Script{Compare: []cluster.Compare{prevote}}); err != nil {
		t.Fatal(err)
	}
	defer l.stop()
	if l.live.Snapshot().Compared == nil {
		t.Fatal("a script with a compare line runs one world")
	}
	for name, two := range map[string]bool{"16-follower-returns-two-worlds": true, "leader-crash": false} {
		c, _, err := l.restart(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Snapshot().Compared != nil; got != two {
			t.Errorf("picked %s: two worlds %v, want %v", name, got, two)
		}
	}
}
