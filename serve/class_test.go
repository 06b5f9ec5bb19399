package serve

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"raftty/tui"
)

// teacherCursor is where the class last heard the teacher look.
func (ts *testServer) teacherCursor() tui.Cursor {
	c := ts.s.class
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.teacher
}

// pastAt is the moment a teacher's header says the view shows in the past
// ("PAST t=1.234s"), or "".
func pastAt(screen string) string {
	m := regexp.MustCompile(`PAST t=([0-9.]+s)`).FindStringSubmatch(headerRow(screen))
	if m == nil {
		return ""
	}
	return m[1]
}

// parseClock reads a header's moment ("1.234s").
func parseClock(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatalf("moment %q: %v", s, err)
	}
	return d
}

// sameNodes reports whether two screens show the nodes alike, in the
// nodes panel (what is beside it may be a row taller on one of them).
func sameNodes(a, b string, nodes int) bool {
	panel := func(screen string, id int) string {
		p, _, _ := strings.Cut(nodeRow(screen, id), "││")
		return p
	}
	for id := 1; id <= nodes; id++ {
		if panel(a, id) == "" || panel(a, id) != panel(b, id) {
			return false
		}
	}
	return true
}

// waitBoth waits until the screens of a and b together satisfy ok,
// re-checking whenever either draws: what one shows may wait on what the
// other has still to draw.
func waitBoth(t *testing.T, what string, a, b *term, ok func(sa, sb string) bool) {
	t.Helper()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		sa, sb := a.screen(), b.screen()
		if ok(sa, sb) {
			return
		}
		select {
		case _, open := <-a.changed:
			if !open {
				t.Fatalf("%s: %s's session ended", what, a.name)
			}
		case _, open := <-b.changed:
			if !open {
				t.Fatalf("%s: %s's session ended", what, b.name)
			}
		case <-deadline.C:
			t.Fatalf("no %s within %v; screens:\n%s\n%s", what, wait, sa, sb)
		}
	}
}

// startLecture starts a lecture with a teacher, its leader elected and 2s
// on, and connects the teacher and the students named.
func startLecture(t *testing.T, students ...string) (*testServer, *term, []*term) {
	t.Helper()
	teacherKey := newKey(t)
	ts := startServer(t, Options{Teachers: []ssh_PublicKey{teacherKey.PublicKey()}})
	addr := ts.s.Addr().String()
	ts.electLeader()
	ts.advance(2 * time.Second)
	teacher := connect(t, addr, "teacher", teacherKey)
	var terms []*term
	for _, name := range students {
		terms = append(terms, connect(t, addr, name, newKey(t)))
	}
	return ts, teacher, terms
}

// The students follow the teacher: the teacher goes back and steps twice,
// and both students' headers say they follow, at the teacher's moment,
// with the same nodes panel; the teacher's header counts them. A student
// who scrubs is on their own (the teacher's next step does not move them)
// until f; the teacher's count says so.
func TestStudentsFollowTheTeacher(t *testing.T) {
	ts, teacher, students := startLecture(t, "student a", "student b")
	a, b := students[0], students[1]
	teacher.waitFor("two following", func(s string) bool { return strings.Contains(s, "2 watching, 2 following") })

	teacher.press("\x1b[1;2D") // shift+←: a screen back
	ts.until("the teacher in the past", func() bool { return ts.teacherCursor().Past })
	for step := range 2 {
		before := ts.teacherCursor().Decision
		teacher.press(".")
		ts.until("the teacher's step", func() bool {
			c := ts.teacherCursor()
			return c.Decision > 0 && c.Decision != before
		})
		_ = step
	}
	// The class hears of a step as it is taken, and may hear of its moment
	// once more as the teacher's view settles on it: every check reads the
	// teacher's cursor again, so that none depends on which came first.
	teacherAt := func() string { return headerClock(ts.teacherCursor().At)[2:] }
	following := func(s string) bool {
		return strings.Contains(headerRow(s), "following the teacher at t="+teacherAt())
	}
	teacher.waitFor("the teacher's header at the class's cursor", func(s string) bool { return pastAt(s) == teacherAt() })
	for _, st := range []*term{a, b} {
		st.waitFor("following the teacher's moment", following)
		waitBoth(t, "the teacher's nodes on "+st.name, st, teacher, func(s, ts string) bool {
			return sameNodes(s, ts, 5)
		})
	}

	// Student a scrubs away: on their own, once the scrub has drawn its
	// moment (one ← is one move away from the teacher's).
	shared := teacherAt()
	a.press("\x1b[D") // ←
	aScreen := a.waitFor("on their own", func(s string) bool {
		return strings.Contains(headerRow(s), "on your own") && pastAt(s) != "" && pastAt(s) != shared
	})
	teacher.waitFor("one following", func(s string) bool { return strings.Contains(s, "2 watching, 1 following") })
	aAt := pastAt(aScreen)
	// One ← is one column of the timeline back from the moment a saw, the
	// teacher's, not from wherever a's own view started.
	if back := parseClock(t, shared) - parseClock(t, aAt); back <= 0 || back > 100*time.Millisecond {
		t.Fatalf("student a's ← went from %s to %s: not one column back", shared, aAt)
	}
	before := ts.teacherCursor()
	teacher.press(".")
	ts.until("the teacher's third step", func() bool { return ts.teacherCursor().Decision > before.Decision })
	b.waitFor("b follows the third step", following)
	if got := pastAt(a.screen()); got != aAt || strings.Contains(a.screen(), "following the teacher at") {
		t.Fatalf("the teacher's step moved student a, on their own, from %s to %s", aAt, got)
	}
	// f brings a back.
	a.press("f")
	a.waitFor("a following again", following)
	teacher.waitFor("two following again", func(s string) bool { return strings.Contains(s, "2 watching, 2 following") })

	// The teacher back to live: so are the students.
	teacher.press("\x1b[F") // end
	for _, st := range []*term{a, b} {
		st.waitFor("live again", func(s string) bool {
			h := headerRow(s)
			return strings.Contains(h, "following the teacher at t=") && !strings.Contains(h, "the past")
		})
	}
}

// A student who went back on their own while the lecture ran, and comes
// back to the live edge (end) after the teacher paused it, sees it paused,
// as the teacher does: the student's look back paused nothing, so their
// way back resumes nothing (their header said the clock ran, for good).
func TestOwnWayBackLiveSeesThePause(t *testing.T) {
	_, teacher, students := startLecture(t, "student a")
	a := students[0]
	teacher.waitFor("one following", func(s string) bool { return strings.Contains(s, "1 watching, 1 following") })
	a.press("\x1b[D") // ←
	a.waitFor("on their own in the past", func(s string) bool {
		h := headerRow(s)
		return strings.Contains(h, "on your own") && strings.Contains(h, "live runs on")
	})
	teacher.press(" ")
	a.waitFor("the pause, from the past", func(s string) bool { return strings.Contains(headerRow(s), "live paused") })
	a.press("\x1b[F") // end
	a.waitFor("live, on their own, paused", func(s string) bool {
		h := headerRow(s)
		return strings.Contains(h, "on your own") && !strings.Contains(h, "PAST") && strings.Contains(h, "PAUSED")
	})
	teacher.waitFor("the teacher's pause", func(s string) bool { return strings.Contains(headerRow(s), "PAUSED") })
}

// Predict, then reveal, with three clients: the teacher's :poll pauses
// the lecture and every student sees the question; each answers with a
// digit and sees their answer, not the tally; the teacher sees the tally
// live; :reveal shows it to everyone and play goes on.
func TestPollPredictThenReveal(t *testing.T) {
	teacherKey := newKey(t)
	ts := startServer(t, Options{Teachers: []ssh_PublicKey{teacherKey.PublicKey()}})
	addr := ts.s.Addr().String()
	teacher := connect(t, addr, "teacher", teacherKey)
	a := connect(t, addr, "student a", newKey(t))
	b := connect(t, addr, "student b", newKey(t))
	ts.electLeader()

	a.press(":")
	a.waitFor("the refusal, in the watcher's words", func(s string) bool {
		return strings.Contains(s, "watching: the : line is the teacher's")
	})
	teacher.press(":poll Who wins term 3?\r")
	asked := func(s string) bool {
		return strings.Contains(s, "poll: Who wins term 3? · answer with a key, 1 to 9")
	}
	a.waitFor("the question", asked)
	b.waitFor("the question", asked)
	if !ts.s.feed.current().Snapshot().Paused {
		t.Fatal("the poll did not pause the lecture")
	}
	a.press("2")
	b.press("3")
	a.waitFor("a's answer", func(s string) bool { return strings.Contains(row(s, "poll:"), "your answer: 2") })
	b.waitFor("b's answer", func(s string) bool { return strings.Contains(row(s, "poll:"), "your answer: 3") })
	tally := "2 answered · 2: 1 (50%) · 3: 1 (50%)"
	teacher.waitFor("the live tally", func(s string) bool { return strings.Contains(row(s, "poll:"), tally) })
	if strings.Contains(a.screen(), "answered") || strings.Contains(b.screen(), "answered") {
		t.Fatal("a student saw the tally before the reveal")
	}
	b.press("2") // b changes their mind
	tally = "2 answered · 2: 2 (100%)"
	teacher.waitFor("the tally changed", func(s string) bool { return strings.Contains(row(s, "poll:"), tally) })

	teacher.press(":reveal\r")
	for _, st := range []*term{a, b} {
		st.waitFor("the tally revealed", func(s string) bool {
			return strings.Contains(row(s, "poll:"), tally) && strings.Contains(row(s, "poll:"), "yours: 2")
		})
	}
	ts.until("play goes on", func() bool { return !ts.s.feed.current().Snapshot().Paused })
	a.press("5") // too late: no node 5 answer, and no error either
	a.waitFor("a digit selects again", func(s string) bool { return strings.Contains(nodeRow(s, 5), "▶") })
}

// The teacher's count is right while the lecture is paused, when no
// cluster event redraws the teacher's view: a student who joins or leaves
// during a poll shows at once. A revealed tally is what the class was
// shown: a student who leaves afterwards does not shrink it.
func TestClassCountWhilePausedAndRevealedTallyStays(t *testing.T) {
	teacherKey := newKey(t)
	ts := startServer(t, Options{Teachers: []ssh_PublicKey{teacherKey.PublicKey()}})
	addr := ts.s.Addr().String()
	teacher := connect(t, addr, "teacher", teacherKey)
	a := connect(t, addr, "student a", newKey(t))
	ts.electLeader()
	teacher.waitFor("one watching", func(s string) bool { return strings.Contains(s, "1 watching") })

	teacher.press(":poll Who leads?\r") // pauses the lecture
	a.waitFor("the question", func(s string) bool { return strings.Contains(s, "poll: Who leads?") })
	ts.until("the lecture paused", func() bool { return ts.s.feed.current().Snapshot().Paused })

	b := connect(t, addr, "student b", newKey(t))
	teacher.waitFor("b counted while paused", func(s string) bool { return strings.Contains(s, "2 watching") })
	a.press("4")
	b.press("4")
	teacher.waitFor("two answers", func(s string) bool { return strings.Contains(row(s, "poll:"), "2 answered") })
	teacher.press(":reveal\r")
	a.waitFor("the tally revealed", func(s string) bool { return strings.Contains(row(s, "poll:"), "2 answered") })

	teacher.press(":pause\r")
	ts.until("paused again", func() bool { return ts.s.feed.current().Snapshot().Paused })
	b.Close()
	teacher.waitFor("b gone while paused", func(s string) bool { return strings.Contains(s, "1 watching") })
	if s := teacher.screen(); !strings.Contains(row(s, "poll:"), "2 answered") {
		t.Fatalf("a student who left after the reveal changed the tally:\n%s", row(s, "poll:"))
	}
}

// A student who follows says so when the lecture's teacher is not
// connected, not yet or no longer, instead of following nobody.
func TestFollowersSayWhenTheTeacherIsAway(t *testing.T) {
	teacherKey := newKey(t)
	ts := startServer(t, Options{Teachers: []ssh_PublicKey{teacherKey.PublicKey()}})
	addr := ts.s.Addr().String()
	a := connect(t, addr, "student a", newKey(t))
	away := func(s string) bool { return strings.Contains(headerRow(s), "the teacher is not connected") }
	a.waitFor("no teacher yet", away)
	teacher := connect(t, addr, "teacher", teacherKey)
	a.waitFor("the teacher here", func(s string) bool {
		return strings.Contains(headerRow(s), "following the teacher") && !away(s)
	})
	teacher.Close()
	a.waitFor("the teacher gone", away)
}
