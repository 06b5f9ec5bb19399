package tui

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
)

// fakeClass is a lecture as a test holds it: the state every view reads,
// and what the views sent it.
type fakeClass struct {
	mu      sync.Mutex
	st      ClassState
	asked   []string
	reveals int
	answers []int
}

func (c *fakeClass) State() ClassState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st
}

func (c *fakeClass) set(f func(*ClassState)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.st)
}

func (c *fakeClass) Ask(q string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.asked = append(c.asked, q)
	return nil
}

func (c *fakeClass) Reveal() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reveals++
	return nil
}

func (c *fakeClass) Answer(n int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.answers = append(c.answers, n)
	return nil
}

// tee gives several views one cluster's events, each all of them, as the
// lecture's feed does: a view's Drain reads its own place in what the
// cluster made.
type tee struct {
	Cluster
	events []cluster.Event
}

type teeView struct {
	*tee
	next int
}

func (t *teeView) Drain(buf []cluster.Event) ([]cluster.Event, int) {
	var fresh []cluster.Event
	fresh, _ = t.Cluster.Drain(fresh)
	t.events = append(t.events, fresh...)
	buf = append(buf, t.events[t.next:]...)
	t.next = len(t.events)
	return buf, 0
}

// watcherView is a watcher's view of the lecture, as serve's viewer is:
// it may look, and is refused any change to the cluster.
type watcherView struct{ *teeView }

var errWatching = errors.New("watching: only the teacher can change the cluster")

func (watcherView) Apply(cluster.Command) error               { return errWatching }
func (watcherView) Fork(time.Duration, cluster.Command) error { return errWatching }

// classroom is a teacher's view (the harness's model) and a watcher's,
// headless, over one cluster, in a class the test holds.
type classroom struct {
	*harness
	class   *fakeClass
	student *Model
}

func newClassroom(t *testing.T) *classroom {
	h := newHarness(t, 7)
	src := &tee{Cluster: h.live}
	h.m = New(&teeView{tee: src}, Options{NoColor: true})
	h.m.tick = func() tea.Cmd { return nil }
	h.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	c := &classroom{harness: h, class: &fakeClass{}}
	c.student = New(watcherView{&teeView{tee: src}}, Options{NoColor: true, Class: c.class, Watching: true, Follow: true})
	c.student.Headless()
	c.student.Do(tea.WindowSizeMsg{Width: 120, Height: 40})
	return c
}

// publish tells the class where the teacher looks, and lets both views
// draw a frame.
func (c *classroom) publish() {
	c.t.Helper()
	c.frame()
	cur := c.m.Cursor()
	c.class.set(func(st *ClassState) { st.Teacher = cur })
	c.student.Refresh()
}

// studentPress gives the student's view keys, as its program would.
func (c *classroom) studentPress(keys ...string) {
	for _, k := range keys {
		c.student.Do(keyMsg(k))
	}
}

func (c *classroom) studentHeader() string { return headerAt(c.student, 120) }

// sameMoment fails unless the student's view shows the teacher's moment:
// the cursor, and the cluster rebuilt at it.
func (c *classroom) sameMoment(what string) {
	c.t.Helper()
	tc, sc := c.m.Cursor(), c.student.Cursor()
	if tc != sc || c.m.snap.Now != c.student.snap.Now || c.m.snap.Decision != c.student.snap.Decision {
		c.t.Fatalf("%s: the student shows %+v (t=%v decision %d), the teacher %+v (t=%v decision %d)", what,
			sc, c.student.snap.Now, c.student.snap.Decision, tc, c.m.snap.Now, c.m.snap.Decision)
	}
}

// A watcher's view in a lecture follows the teacher's cursor: back in
// time, step by step through decisions, the node selected and inspected,
// and back to live; its header says so and where. A key of its own that
// moves its cursor takes it on its own (the teacher's moves no longer move
// it), one that only changes what it shows does not, and f follows again.
func TestFollowingTheTeacher(t *testing.T) {
	c := newClassroom(t)
	c.advance(3 * time.Second)
	c.publish()
	if !c.student.Following() || c.student.cur.past {
		t.Fatal("the student's view does not start following the teacher, live")
	}
	if h := c.studentHeader(); !strings.Contains(h, "following the teacher at t=") {
		t.Fatalf("header %q", h)
	}

	// The teacher goes back and steps twice by decision.
	c.press("shift+left")
	c.publish()
	c.sameMoment("back a screen")
	c.press(".", ".")
	c.publish()
	c.sameMoment("two decisions on")
	if h := c.studentHeader(); !strings.Contains(h, fmt.Sprintf("following the teacher at t=%s · the past", clock(c.m.cur.at))) {
		t.Fatalf("the student's header in the past: %q", h)
	}
	if c.student.status != c.m.status {
		t.Errorf("the student's status %q names another decision than the teacher's %q", c.student.status, c.m.status)
	}
	c.press("3", "enter") // the teacher selects and inspects n3
	c.publish()
	if c.student.selected != 3 || !c.student.scr.inspector.open || c.student.scr.inspector.node != 3 {
		t.Fatalf("the student's selection n%d, inspector open %v on n%d: want the teacher's n3", c.student.selected,
			c.student.scr.inspector.open, c.student.scr.inspector.node)
	}
	c.press("esc")
	c.publish()
	if c.student.scr.inspector.open {
		t.Fatal("the teacher closed the inspector; the student's stays open")
	}

	// Keys that change only what the student sees keep it following.
	c.studentPress("m", "H", "T")
	if !c.student.Following() {
		t.Fatalf("m, H and T took the student on its own: %q", c.student.status)
	}
	if c.student.Plain() {
		t.Fatal("with the map, heartbeats and timeline toggled, the student's view says it is plain")
	}
	c.studentPress("m", "H", "T")
	if !c.student.Plain() {
		t.Fatal("with the map, heartbeats and timeline back as they opened, the student's view is not plain")
	}

	// A replay of the student's own (space in the past) is on its own.
	c.studentPress("space")
	if c.student.Following() || c.student.Plain() {
		t.Fatalf("space in the past: following %v, plain %v; want on its own", c.student.Following(), c.student.Plain())
	}
	c.studentPress("space", "f")
	c.publish()
	c.sameMoment("after the replay, f")

	// The student scrubs away: on its own; the teacher's moves stay the
	// teacher's.
	c.studentPress("left", "left")
	own := c.student.Cursor()
	if c.student.Following() || !strings.Contains(c.studentHeader(), "on your own") {
		t.Fatalf("the student scrubbed and still follows; header %q", c.studentHeader())
	}
	c.press(".")
	c.publish()
	if c.student.Cursor() != own {
		t.Fatal("the teacher's step moved a student who is on its own")
	}
	// f follows again.
	c.studentPress("f")
	c.publish()
	c.sameMoment("after f")
	if !c.student.Following() {
		t.Fatal("f did not follow the teacher again")
	}

	// The teacher goes live; so does the student. end, live already, keeps
	// it following.
	c.press("end")
	c.publish()
	c.sameMoment("back to live")
	c.studentPress("end")
	if !c.student.Following() || c.student.cur.past {
		t.Fatal("end at the live edge took the student on its own")
	}
}

// The watcher's own end goes live even while the teacher is in the past:
// on its own, then.
func TestFollowerEndGoesLive(t *testing.T) {
	c := newClassroom(t)
	c.advance(2 * time.Second)
	c.press("shift+left")
	c.publish()
	if !c.student.cur.past {
		t.Fatal("the student did not follow into the past")
	}
	c.studentPress("end")
	if c.student.cur.past || c.student.Following() {
		t.Fatalf("end: past %v, following %v; want live, on its own", c.student.cur.past, c.student.Following())
	}
}

// A poll: the teacher asks on the : line and reveals; a watcher answers
// with a digit (which selects no node while the poll is open) and sees
// the question, its answer, and once revealed the tally; the teacher sees
// the tally live.
func TestPollKeysAndLines(t *testing.T) {
	c := newClassroom(t)
	c.class.set(func(st *ClassState) { st.Watching, st.Following = 2, 1 })
	teacher := New(c.m.live, Options{NoColor: true, Class: c.class})
	teacher.Headless()
	teacher.Do(tea.WindowSizeMsg{Width: 120, Height: 40})
	teacher.Refresh()
	if line := screenRow(teacher, "watching"); !strings.Contains(line, "2 watching, 1 following · :poll QUESTION asks them") {
		t.Fatalf("the teacher's class line %q", line)
	}
	for _, k := range ":poll Who wins term 3?" {
		teacher.Do(keyMsg(string(k)))
	}
	teacher.Do(keyMsg("enter"))
	if len(c.class.asked) != 1 || c.class.asked[0] != "Who wins term 3?" {
		t.Fatalf("asked %q", c.class.asked)
	}
	c.class.set(func(st *ClassState) {
		st.Poll = Poll{Seq: 1, Question: "Who wins term 3?", Open: true}
	})
	c.student.Refresh()
	if line := screenRow(c.student, "poll:"); !strings.Contains(line, "Who wins term 3? · answer with a key, 1 to 9") {
		t.Fatalf("the student's poll line %q", line)
	}
	selected := c.student.selected
	c.studentPress("3")
	if !slices.Equal(c.class.answers, []int{3}) || c.student.selected != selected {
		t.Fatalf("answers %v, selection n%d (was n%d): a digit answers the poll, and selects nothing", c.class.answers, c.student.selected, selected)
	}
	c.class.set(func(st *ClassState) {
		st.Poll.Answer, st.Poll.Tally[2], st.Poll.Answered = 3, 1, 1
	})
	c.student.Refresh()
	if line := screenRow(c.student, "poll:"); !strings.Contains(line, "your answer: 3") || strings.Contains(line, "answered") {
		t.Fatalf("the student's poll line after answering, before the reveal: %q", line)
	}
	c.class.set(func(st *ClassState) { st.Poll.Answer, st.Poll.TallyShown = 0, true })
	teacher.Refresh()
	if line := screenRow(teacher, "poll:"); !strings.Contains(line, "1 answered · 3: 1 (100%)") || !strings.Contains(line, ":reveal") {
		t.Fatalf("the teacher's live tally %q", line)
	}
	for _, k := range ":reveal" {
		teacher.Do(keyMsg(string(k)))
	}
	teacher.Do(keyMsg("enter"))
	if c.class.reveals != 1 {
		t.Fatal(":reveal did not reveal")
	}

	// With no lecture, the : line says polls are a class's.
	c.line("poll Who?")
	if !strings.Contains(c.m.status, "polls are for a class") {
		t.Fatalf("status %q", c.m.status)
	}
}

// A watcher's help bar and full help list what a watcher may do: no
// cluster command, no save, no : line; f follows; H shows heartbeats.
func TestWatcherKeys(t *testing.T) {
	c := newClassroom(t)
	bar := screenRow(c.student, "? more")
	for _, not := range []string{"kill", "save", "disconnect", "command", "pause"} {
		if strings.Contains(bar, not) {
			t.Errorf("a watcher's help bar offers %q: %q", not, bar)
		}
	}
	if !strings.Contains(bar, "f follow the teacher") {
		t.Errorf("a watcher's help bar lacks f: %q", bar)
	}
	c.studentPress("?")
	help := ansi.Strip(c.student.render())
	for _, not := range []string{"save", "heal all", "force timeout", "client command", "command line", "speed x2", "toggle PreVote", "scenarios", "edit timing"} {
		if strings.Contains(help, not) {
			t.Errorf("a watcher's full help offers %q:\n%s", not, help)
		}
	}
	for _, want := range []string{`f\s+follow the teacher`, `H\s+show heartbeats`, `space\s+replay the past`, `1-9\s+answer the poll`} {
		if !regexp.MustCompile(want).MatchString(help) {
			t.Errorf("a watcher's full help lacks %q:\n%s", want, help)
		}
	}
	// The teacher's keys are all there.
	bar = screenRow(c.m, "k kill")
	if !strings.Contains(bar, "w save") || strings.Contains(bar, "follow") {
		t.Errorf("the teacher's help bar %q", bar)
	}
}

// screenRow is the line of m's screen at 120x40 that holds marker.
func screenRow(m *Model, marker string) string {
	for _, l := range strings.Split(ansi.Strip(m.render()), "\n") {
		if strings.Contains(l, marker) {
			return l
		}
	}
	return ""
}

// The class line at 80 columns says the same in short rather than cut:
// the teacher keeps the whole tally and :reveal (the question, which the
// teacher knows, goes last, and only a long one is cut), a watcher the question and its answer.
// Percentages round (2 of 3 is 67%).
func TestClassLineAt80Columns(t *testing.T) {
	poll := Poll{Seq: 1, Question: "Who wins term 3?", Open: true, TallyShown: true, Answered: 3}
	poll.Tally[0], poll.Tally[3] = 2, 1
	styles := newRenders(DefaultStyles(true))
	for _, tc := range []struct {
		name     string
		watching bool
		poll     Poll
		w        int
		want     []string
	}{
		{"teacher at 120", false, poll, 120, []string{"3 watching, 3 following", "poll: Who wins term 3?", "3 answered · 1: 2 (67%) · 4: 1 (33%) · :reveal shows everyone"}},
		{"teacher at 80", false, poll, 80, []string{"3 watch, 3 follow · 3 answered · 1: 2 · 4: 1 · :reveal · Who wins term 3?"}},
		{"teacher at 80, a long question", false, func() Poll { p := poll; p.Question = strings.Repeat("Who wins? ", 8); return p }(), 80,
			[]string{"3 watch, 3 follow · 3 answered · 1: 2 · 4: 1 · :reveal · Who wins? Who"}},
		{"watcher at 80", true, Poll{Seq: 1, Question: "Who wins term 3?", Open: true, Answer: 4}, 80, []string{"poll: Who wins term 3? · your answer: 4 (1-9 changes it)"}},
		{"watcher revealed at 80", true, func() Poll { p := poll; p.Open, p.Revealed, p.Answer = false, true, 4; return p }(), 80,
			[]string{"poll: Who wins term 3? · 3 answered · 1: 2 (67%) · 4: 1 (33%) · yours: 4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &Frame{styles: &styles, watching: tc.watching, class: &ClassState{Watching: 3, Following: 3, Poll: tc.poll}}
			line := classLine(f, tc.w)
			if ansi.StringWidth(line) > tc.w || (strings.Contains(line, "…") && !strings.Contains(tc.name, "long")) {
				t.Fatalf("%q: wider than %d or cut", line, tc.w)
			}
			for _, want := range tc.want {
				if !strings.Contains(line, want) {
					t.Errorf("%q lacks %q", line, want)
				}
			}
		})
	}
}

// In a class the teacher shows heartbeats with H, as the watchers do (f
// is their follow), so that one key can be said to everyone.
func TestTeacherHeartbeatsKeyInAClass(t *testing.T) {
	h := newHarness(t, 7)
	m := New(h.live, Options{NoColor: true, Class: &fakeClass{}})
	m.Headless()
	m.Do(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Do(keyMsg("H"))
	if !m.scr.log.traffic {
		t.Fatal("the teacher's H did not show heartbeats")
	}
	m.Do(keyMsg("?"))
	if help := ansi.Strip(m.render()); !regexp.MustCompile(`H\s+show heartbeats`).MatchString(help) {
		t.Errorf("the teacher's full help lacks H show heartbeats:\n%s", help)
	}
}

// A watcher's header says whether it follows the teacher, and where, as
// one part among the others: one " · " on each side of it, at 120 and at
// 80 columns, live and in the past, with the teacher away or on its own.
// (The part was padded, as a banner, and read "t=0.223s  · leader".)
func TestWatcherHeaderSeparators(t *testing.T) {
	for _, tc := range []struct {
		name  string
		w     int
		setup func(c *classroom)
		want  string
	}{
		{"following, live, 120", 120, func(*classroom) {}, "raftty · following the teacher at t=2.000s · leader"},
		{"following, live, 80", 80, func(*classroom) {}, " following the teacher at t=2.000s · leader"},
		{"following, past, 120", 120, teacherBack, " following the teacher at t=0.870s · the past; live 2.000s · leader"},
		{"following, past, 80", 80, teacherBack, " following the teacher · PAST 0.870s · leader"},
		{"teacher away, 120", 120, teacherAway, " the teacher is not connected · you see t=2.000s · leader"},
		{"teacher away, 80", 80, teacherAway, " no teacher · t=2.000s · leader"},
		{"on its own, live, 120", 120, ownLive, " · on your own · f follows the teacher · "},
		{"on its own, live, 80", 80, ownLive, " · on your own · "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClassroom(t)
			c.advance(2 * time.Second)
			c.publish()
			tc.setup(c)
			h := ansi.Strip(headerAt(c.student, tc.w))
			if !strings.Contains(h, tc.want) {
				t.Errorf("header %q\nwant it to hold %q", h, tc.want)
			}
			if strings.Contains(h, "  ·") || strings.Contains(h, "·  ") || strings.HasPrefix(h, "  ") {
				t.Errorf("header %q: a doubled space beside a separator or at the start", h)
			}
		})
	}
}

// teacherBack takes the teacher a screen back, and the class with it.
func teacherBack(c *classroom) {
	c.press("shift+left")
	c.publish()
}

// teacherAway is the teacher gone from the lecture.
func teacherAway(c *classroom) {
	c.class.set(func(st *ClassState) { st.TeacherAway = true })
	c.student.Refresh()
}

// ownLive takes the student on its own, back at the live edge.
func ownLive(c *classroom) {
	c.studentPress("left", "end")
}

// drawnHeader is the header of the screen m's program shows: what View
// drew last, redrawn only if the model says something changed.
func drawnHeader(m *Model) string {
	return ansi.Strip(strings.SplitN(m.View().Content, "\n", 2)[0])
}

// A watcher on its own, back at the live edge, shows the lecture's clock
// as it is: PAUSED if the teacher paused it while the watcher looked back,
// at once and after the next frame, as a live view of a paused cluster
// does; running if it runs. (A watcher's look back pauses nothing, so its
// way back resumes nothing: it showed the clock running, paused or not.)
func TestWatcherOnItsOwnBackLive(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pause bool
	}{
		{"the teacher paused meanwhile", true},
		{"the lecture runs on", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClassroom(t)
			c.advance(2 * time.Second)
			c.publish()
			c.studentPress("left")
			drawnHeader(c.student)
			if tc.pause {
				c.press("space")
			}
			c.publish()
			if c.student.cur.live.Paused != tc.pause {
				t.Fatalf("the lecture paused: %v, want %v (the student's ← must pause nothing)", c.student.cur.live.Paused, tc.pause)
			}
			drawnHeader(c.student)
			c.studentPress("end")
			if c.student.cur.past || c.student.Following() {
				t.Fatalf("the student's end: past %v, following %v; want live, on its own", c.student.cur.past, c.student.Following())
			}
			for _, when := range []string{"at once", "after a frame"} {
				if when != "at once" {
					c.student.Refresh()
				}
				if h := drawnHeader(c.student); strings.Contains(h, "PAUSED") != tc.pause {
					t.Fatalf("%s, the student's header %q: PAUSED %v, want %v", when, h, !tc.pause, tc.pause)
				}
			}
		})
	}
}

// A banner keeps room inside its colour; without a colour it has none,
// which would read as a doubled space beside the header's separators.
func TestBannerPadding(t *testing.T) {
	for _, tc := range []struct {
		noColor bool
		want    string
	}{{false, " PAST "}, {true, "PAST"}} {
		r := newRenders(DefaultStyles(tc.noColor))
		if got := ansi.Strip(r.pill("PAST")); got != tc.want {
			t.Errorf("no colour %v: the banner reads %q, want %q", tc.noColor, got, tc.want)
		}
	}
}

// A watcher's . at the live edge says how a watcher steps (in the past),
// not to press space, which a watcher may not.
func TestWatcherStepAtTheLiveEdge(t *testing.T) {
	c := newClassroom(t)
	c.advance(time.Second)
	c.studentPress(".")
	if !strings.Contains(c.student.status, "step works in the past: ← goes back") {
		t.Fatalf("a watcher's . at the live edge says %q", c.student.status)
	}
}
