package tui

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// faultyRun is every log line of a 7-node run that meets every kind of
// fault, parameter change and error the command language has, and the
// events it made.
func faultyRun(t *testing.T) (*history, []cluster.Event) {
	t.Helper()
	cfg := cluster.DefaultConfig()
	cfg.Nodes, cfg.Seed = 7, 3
	hist := newHistory(cfg.Nodes)
	var events []cluster.Event
	c, err := cluster.New(cfg, func(e cluster.Event) { hist.ingest(&e); events = append(events, e) })
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"put a", "disconnect 2", "set prevote on", "kill leader", "partition 1,3 | 4,5,6,7", "cut 4 -> 5",
		"put b to 3", "set drop 20%", "restart 2", "timeout 6", "heal", "cut 1 2", "link 1 2", "log 1,3 append 2",
		"set checkquorum on", "set heartbeat 400ms", "reconnect 2", "kill 7", "restart 7", "set drop 0",
	} {
		c.RunFor(700 * time.Millisecond)
		cmd, err := scenario.ParseCommand(line)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Apply(cmd); err != nil {
			c.ReportError(err) // as the scenario player does
		}
	}
	c.Explain("n3 and n5 cannot hear n2; n31 is no node")
	c.ReportExpectation("leader", "lesson.txt:3", false, "no leader, n4 campaigns")
	c.RunFor(2 * time.Second)
	return hist, events
}

// scenarioRun is every log line of a headless run of a built-in scenario
// as its header sets it up, and the events it made.
func scenarioRun(t *testing.T, name string) (*history, []cluster.Event) {
	t.Helper()
	script, err := scenario.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	cfg := cluster.DefaultConfig()
	script.Configure(&cfg, nil)
	hist := newHistory(cfg.Nodes)
	var events []cluster.Event
	run, err := scenario.NewRun(cfg, script, script.For, func(e cluster.Event) { hist.ingest(&e); events = append(events, e) })
	if err != nil {
		t.Fatal(err)
	}
	run.Finish()
	return hist, events
}

// The filter and the inspector read the events' fields; what they find is
// what a search of each line's text finds (the rule before lines were
// typed), for every line of a run with every kind of event.
func TestTypedLinesMatchTheirText(t *testing.T) {
	hist, _ := faultyRun(t)
	figure8, _ := scenarioRun(t, "figure-8")
	kinds := map[cluster.Kind]bool{}
	for _, log := range []*ring[logLine]{&hist.decisions, &hist.traffic, &figure8.decisions, &figure8.traffic} {
		for i := range log.len() {
			l := log.ptr(i)
			kinds[l.kind] = true
			text := l.text()
			for id := 1; id <= 8; id++ {
				name := fmt.Sprintf("n%d", id)
				typed := l.names(id) || l.wordsName(name)
				if want := mentions(text, name); typed != want {
					t.Errorf("%q names %s: typed %v, text %v", text, name, typed, want)
				}
				about := l.subject() == id || (l.kind == cluster.KindFault && l.names(id))
				want := strings.HasPrefix(text[9:], name+" ") || (l.kind == cluster.KindFault && mentions(text, name))
				if about != want {
					t.Errorf("%q is about %s: typed %v, text %v", text, name, about, want)
				}
			}
		}
	}
	for _, k := range []cluster.Kind{cluster.KindState, cluster.KindVote, cluster.KindTimeout, cluster.KindDeliver,
		cluster.KindDrop, cluster.KindFault, cluster.KindParam, cluster.KindIgnore, cluster.KindError,
		cluster.KindExplain, cluster.KindExpect, cluster.KindAppend, cluster.KindTruncate, cluster.KindCommit,
		cluster.KindHold, cluster.KindReject, cluster.KindBackOff, cluster.KindRedirect} {
		if !kinds[k] {
			t.Errorf("the run has no %s line: the test does not cover it", k)
		}
	}
}

// The lines a filter keeps are brought up to date as lines arrive, fold
// into the newest line, fall off the old end and are cut by a fork; at
// every step they are the lines a search of the whole log finds.
func TestFilteredKeepsUpWithTheLog(t *testing.T) {
	_, events := faultyRun(t)
	filters := []logFilter{parseFilter("n3"), parseFilter("drop n2"), parseFilter("vote"), parseFilter("leader n1")}
	hist := newHistory(7)
	hist.decisions = newRing[logLine](64) // small, so that lines fall off
	kept := make([]filtered, len(filters))
	for i := 0; i < len(events); {
		for end := min(i+1+i%13, len(events)); i < end; i++ {
			hist.ingest(&events[i])
		}
		if i%97 < 13 { // now and then a fork cuts the newest lines
			hist.truncateAfter(events[i-1].At - 5*ms)
		}
		log := &hist.decisions
		for f := range filters {
			got := kept[f].sync(log, &filters[f])
			var want []int
			for k := range log.len() {
				var scratch []byte
				if filters[f].match(log.ptr(k), &scratch) {
					want = append(want, log.total-log.n+k)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("after %d events, /%s keeps %v, want %v", i, filters[f].text, got, want)
			}
		}
	}
}

// A log line gives back the very event it was made from, every field of
// every kind: the kinds kept in place lose nothing (a field added to the
// events of those kinds fails here until the line keeps it).
func TestLogLinesKeepEveryField(t *testing.T) {
	_, events := faultyRun(t)
	for i := range events {
		l := newLogLine(&events[i])
		if got := l.event(); !reflect.DeepEqual(got, events[i]) {
			t.Fatalf("event %+v\ncame back as %+v", events[i], got)
		}
	}
}

// The log panel puts into words only the lines that came on screen since
// its last frame; what it draws is what a fresh panel draws, frame after
// frame, through folds, forks, a filter and message traffic shown.
func TestLogPanelRedrawsWhatAFreshOneDraws(t *testing.T) {
	t.Parallel() // shares nothing: it may take the second core
	_, events := faultyRun(t)
	styles := newRenders(DefaultStyles(true))
	hist := newHistory(7)
	f := &Frame{hist: hist, cur: &timeCursor{}, styles: &styles}
	kept := newEventLog()
	kept.SetSize(90, 20)
	for i := 0; i < len(events); {
		for end := min(i+1+i%7, len(events)); i < end; i++ {
			hist.ingest(&events[i])
		}
		if i%89 < 7 { // a fork, and the new future's first events, between two frames
			hist.truncateAfter(events[i-1].At - 5*ms)
			for end := min(i+3, len(events)); i < end; i++ {
				hist.ingest(&events[i])
			}
		}
		switch i % 500 {
		case 1, 2, 3:
			kept.setFilter("n3")
		case 250, 251, 252:
			kept.traffic = !kept.traffic
		}
		fresh := newEventLog()
		fresh.SetSize(90, 20)
		fresh.setFilter(kept.filter.text)
		fresh.traffic = kept.traffic
		got, want := strings.Join(kept.View(f), "\n"), strings.Join(fresh.View(f), "\n")
		if got != want {
			t.Fatalf("after %d events the panel draws\n%s\nwhere a fresh one draws\n%s", i, got, want)
		}
	}
}
