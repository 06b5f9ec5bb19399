package serve

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"raftty/cluster"
	"raftty/cluster/scenario"
	sessions "raftty/session"
)

// The teacher's kill of the leader reaches a watching student's screen; the
// student's own k is refused with the watching message and changes
// nothing; what the teacher pauses, the student sees paused.
func TestLectureTeacherActsWatcherWatches(t *testing.T) {
	teacherKey, studentKey := newKey(t), newKey(t)
	ts := startServer(t, Options{Teachers: []ssh_PublicKey{teacherKey.PublicKey()}})
	addr := ts.s.Addr().String()
	leader := ts.electLeader()

	teacher := connect(t, addr, "teacher", teacherKey)
	student := connect(t, addr, "student", studentKey)
	leaderIs := func(s string) bool { return strings.Contains(s, "leader n"+itoaT(leader)) }
	teacher.waitFor("the leader in the header", leaderIs)
	student.waitFor("the leader in the header", leaderIs)
	teacher.waitFor("the teacher's status", func(s string) bool { return strings.Contains(s, "teacher: what you do") })
	student.waitFor("the watcher's status", func(s string) bool { return strings.Contains(s, "watching:") })

	teacher.press("L")
	teacher.waitFor("the leader selected", func(s string) bool { return strings.Contains(nodeRow(s, leader), "▶") })
	teacher.press("k")
	dead := func(s string) bool { return strings.Contains(nodeRow(s, leader), "dead") }
	teacher.waitFor("the leader dead on the teacher's screen", dead)
	student.waitFor("the leader dead on the student's screen", dead)

	// The student selects a live node and tries to kill it.
	victim := leader%5 + 1
	student.press(itoaT(victim))
	student.waitFor("the node selected", func(s string) bool { return strings.Contains(nodeRow(s, victim), "▶") })
	student.press("k")
	student.waitFor("the refusal", func(s string) bool {
		status := row(s, "watching: only the teacher can change the cluster")
		return strings.Contains(status, "kill n"+itoaT(victim)+":") || strings.Contains(status, "kill "+itoaT(victim)+":")
	})
	// The refusal is the command's answer: by now it has been carried out
	// or not at all.
	snap := ts.s.feed.current().Snapshot()
	for i, n := range snap.Nodes {
		if id := i + 1; n.Alive != (id != leader) {
			t.Fatalf("n%d alive=%v after the teacher killed n%d and the student tried n%d", id, n.Alive, leader, victim)
		}
	}

	// Pause and speed: the student's are refused, the teacher's are seen by all.
	student.press(" ")
	student.waitFor("the refused pause", func(s string) bool {
		status := row(s, "watching: only the teacher can change the cluster")
		return strings.Contains(status, "pause") || strings.Contains(status, "running")
	})
	if ts.s.feed.current().Snapshot().Paused {
		t.Fatal("the student paused the lecture")
	}
	student.waitFor("the header not paused", func(s string) bool { return !strings.Contains(headerRow(s), "PAUSED") })
	teacher.press(" ")
	student.waitFor("the lecture paused on the student's screen", func(s string) bool { return strings.Contains(headerRow(s), "PAUSED") })
	teacher.press("+")
	student.waitFor("the teacher's speed on the student's screen", func(s string) bool { return strings.Contains(headerRow(s), "2x") })
}

// The teacher's s starts another lesson for everyone: a fresh cluster
// playing the scenario, which every view follows (here from five nodes to
// three); a watcher's s is refused.
func TestLectureTeacherPicksAScenarioForEveryone(t *testing.T) {
	teacherKey := newKey(t)
	ts := startServer(t, Options{Teachers: []ssh_PublicKey{teacherKey.PublicKey()}})
	addr := ts.s.Addr().String()
	teacher := connect(t, addr, "teacher", teacherKey)
	student := connect(t, addr, "student", newKey(t))
	first := ts.s.feed.current()

	student.press("s")
	student.waitFor("the scenario picker", func(s string) bool { return strings.Contains(s, "02-first-election-3") })
	student.press("j\r")
	student.waitFor("the refusal", func(s string) bool {
		return strings.Contains(s, "scenario 02-first-election-3: watching: only the teacher can change the cluster")
	})
	if ts.s.feed.current() != first {
		t.Fatal("a watcher's scenario replaced the lecture's cluster")
	}

	teacher.press("s")
	teacher.waitFor("the scenario picker", func(s string) bool { return strings.Contains(s, "02-first-election-3") })
	teacher.press("j\r")
	threeNodes := func(s string) bool {
		return strings.Contains(s, "First election, three nodes") && nodeRow(s, 3) != "" && nodeRow(s, 4) == ""
	}
	teacher.waitFor("the new lesson on the teacher's screen", threeNodes)
	student.waitFor("the new lesson on the student's screen", threeNodes)
	student.waitFor("the student told", func(s string) bool { return strings.Contains(s, "the teacher started scenario 02-first-election-3") })
	if ts.s.feed.current() == first {
		t.Fatal("the lecture's cluster was not replaced")
	}
	if err := first.Sync(); err != cluster.ErrStopped {
		t.Fatalf("the old lesson's cluster still runs: %v", err)
	}
	// A lesson opens paused, for everyone; the teacher's space starts it,
	// and both see its leader.
	if !ts.s.feed.current().Snapshot().Paused {
		t.Fatal("the new lesson did not open paused")
	}
	student.waitFor("the lesson paused on the student's screen", func(s string) bool { return strings.Contains(s, "PAUSED") })
	teacher.press(" ")
	teacher.waitFor("the lesson started", func(s string) bool { return strings.Contains(s, "resume") })
	leader := ts.electLeader()
	for _, tm := range []*term{teacher, student} {
		tm.waitFor("the new lesson's leader", func(s string) bool { return strings.Contains(s, "leader n"+itoaT(leader)) })
	}
	// Someone who joins now gets the new lesson.
	late := connect(t, addr, "late", newKey(t))
	late.waitFor("the new lesson", threeNodes)
}

// A student's time cursor is the student's own: scrubbing back shows the
// past on that screen only, the lecture runs on (the student's pause is
// refused quietly), the teacher's screen stays live, and end rejoins live.
func TestLectureStudentScrubsBackAlone(t *testing.T) {
	teacherKey := newKey(t)
	ts := startServer(t, Options{Teachers: []ssh_PublicKey{teacherKey.PublicKey()}})
	addr := ts.s.Addr().String()
	leader := ts.electLeader()
	ts.advance(500 * time.Millisecond)
	teacher := connect(t, addr, "teacher", teacherKey)
	student := connect(t, addr, "student", newKey(t))
	leaderIs := func(s string) bool { return strings.Contains(s, "leader n"+itoaT(leader)) }
	teacher.waitFor("the leader", leaderIs)
	student.waitFor("the leader", leaderIs)

	student.press("\x1b[1;2D") // shift+←: a screen back
	student.waitFor("the past on the student's screen", func(s string) bool { return strings.Contains(s, "PAST t=") })
	if ts.s.feed.current().Snapshot().Paused {
		t.Fatal("a student going back paused the lecture")
	}
	ts.advance(300 * time.Millisecond)
	teacher.waitFor("the teacher still live", func(s string) bool {
		return !strings.Contains(s, "PAST t=") && strings.Contains(headerRow(s), "t=")
	})
	student.press("\x1b[F") // end
	student.waitFor("the student back to live", func(s string) bool { return !strings.Contains(s, "PAST t=") })
}

// The teacher's w saves the lecture on the server, in SaveDir and nowhere
// else, and says where; a watcher's w saves nothing; without SaveDir, the
// teacher's is refused with SaveOff.
func TestSavingOverSSH(t *testing.T) {
	teacherKey := newKey(t)
	dir := t.TempDir()
	ts := startServer(t, Options{Teachers: []ssh_PublicKey{teacherKey.PublicKey()}, SaveDir: dir})
	addr := ts.s.Addr().String()
	t.Chdir(t.TempDir()) // where a stray file would land
	teacher := connect(t, addr, "teacher", teacherKey)
	student := connect(t, addr, "student", newKey(t))
	ts.electLeader()

	student.press("w")
	student.waitFor("the refusal", func(s string) bool { return strings.Contains(s, "watching: only the teacher saves") })
	teacher.press("w")
	saved := teacher.waitFor("where it went", func(s string) bool { return strings.Contains(s, "saved to "+dir) })
	files, _ := filepath.Glob(filepath.Join(dir, "raftty-seed42-*.txt"))
	if len(files) != 1 || !strings.Contains(saved, filepath.Base(files[0])) {
		t.Fatalf("saved %v; the teacher's screen:\n%s", files, saved)
	}
	if data, _ := os.ReadFile(files[0]); !strings.HasPrefix(string(data), "# raftty session") || !strings.Contains(string(data), "seed 42") {
		t.Fatalf("the saved lecture:\n%s", data)
	}
	// Its replay line names it where it is, not by its name alone.
	if data, _ := os.ReadFile(files[0]); !strings.Contains(strings.SplitN(string(data), "\n", 2)[0], "replay: raftty run --scenario "+files[0]) {
		t.Fatalf("the saved lecture's first line does not replay %s:\n%s", files[0], data)
	}
	for _, name := range []string{"../escape.txt", "/tmp/raftty-escape.txt", "sub/x.txt"} {
		teacher.press(":write " + name + "\r")
		teacher.waitFor("the refusal of "+name, func(s string) bool { return strings.Contains(s, "a file name only: files are written in "+dir) })
	}
	teacher.press(":write lesson.txt\r")
	teacher.waitFor("lesson.txt saved", func(s string) bool { return strings.Contains(s, "saved to "+filepath.Join(dir, "lesson.txt")) })
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("%d files in the save directory, want the two the teacher saved", len(entries))
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escape.txt")); err == nil {
		t.Fatal(":write ../escape.txt wrote outside the save directory")
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Fatalf("a session wrote %d files in the server's current directory", len(entries))
	}

	// Without a save directory, the teacher's w is refused, saying why.
	off := startServer(t, Options{Teachers: []ssh_PublicKey{teacherKey.PublicKey()}, SaveOff: "saving is off: no --save-dir"})
	teacher = connect(t, off.s.Addr().String(), "teacher without a save directory", teacherKey)
	teacher.press("w")
	teacher.waitFor("the refusal", func(s string) bool { return strings.Contains(s, "saving is off: no --save-dir") })
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Fatalf("a session wrote %d files in the server's current directory", len(entries))
	}
}

// The teacher records the lecture on the server, into SaveDir and nowhere
// else: :record NAME starts, :record stop ends it, and a recording still
// running when the teacher leaves is finished, its file complete. A
// watcher records nothing.
func TestRecordingOverSSH(t *testing.T) {
	teacherKey := newKey(t)
	dir := t.TempDir()
	ts := startServer(t, Options{Teachers: []ssh_PublicKey{teacherKey.PublicKey()}, SaveDir: dir})
	addr := ts.s.Addr().String()
	teacher := connect(t, addr, "teacher", teacherKey)
	student := connect(t, addr, "student", newKey(t))

	// A watcher has no : line to record with, and w refuses.
	student.press(":")
	student.waitFor("the refusal of :", func(s string) bool { return strings.Contains(s, "watching: the : line is the teacher's") })
	student.press("w")
	student.waitFor("the refusal of w", func(s string) bool { return strings.Contains(s, "watching: only the teacher saves") })
	for _, name := range []string{"../escape.cast", "/tmp/raftty-escape.cast"} {
		teacher.press(":record " + name + "\r")
		teacher.waitFor("the refusal of "+name, func(s string) bool { return strings.Contains(s, "a file name only: files are written in "+dir) })
	}
	teacher.press(":record lesson.cast\r")
	teacher.waitFor("recording", func(s string) bool { return strings.Contains(s, "recording to "+filepath.Join(dir, "lesson.cast")) })
	leader := ts.electLeader()
	// A frame drains the cluster, and is recorded: once the header names
	// the leader, a frame has been.
	teacher.waitFor("the leader", func(s string) bool { return strings.Contains(headerRow(s), "leader n"+itoaT(leader)) })
	teacher.press(":record stop\r")
	teacher.waitFor("the recording's end", func(s string) bool { return strings.Contains(s, "frames to "+filepath.Join(dir, "lesson.cast")) })
	checkCast(t, filepath.Join(dir, "lesson.cast"))

	teacher.press(":record left.cast\r")
	teacher.waitFor("recording", func(s string) bool { return strings.Contains(s, "recording to "+filepath.Join(dir, "left.cast")) })
	ts.advance(time.Second)
	now := headerClock(ts.s.feed.current().Snapshot().Now)
	teacher.waitFor("a frame at "+now, func(s string) bool { return strings.Contains(headerRow(s), now) })
	teacher.press("q")
	if err := teacher.ended(); err != nil {
		t.Fatal(err)
	}
	ts.gone(teacher)
	checkCast(t, filepath.Join(dir, "left.cast"))
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("%d files in the save directory, want the teacher's two recordings", len(entries))
	}
}

// checkCast checks that path is a complete asciicast: a header line, then
// frames, every line whole.
func checkCast(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], `{"version":2`) || !strings.HasSuffix(string(data), "\n") {
		t.Fatalf("%s is not a complete recording (%d lines):\n%.300s", path, len(lines), data)
	}
	for i, l := range lines[1:] {
		if !strings.HasPrefix(l, "[") || !strings.HasSuffix(l, "]") {
			t.Fatalf("%s: line %d is cut: %.80q", path, i+2, l)
		}
	}
}

// A student who joins (or comes back) late reads the lesson as the teacher
// does: its title, what to watch now, the checklist with what was decided
// so far and the scenario's end, however far back the lecture's window of
// events reaches.
func TestLateJoinerGetsTheLesson(t *testing.T) {
	script, err := scenario.Load("leader-crash")
	if err != nil {
		t.Fatal(err)
	}
	teacherKey := newKey(t)
	cfg := cluster.DefaultConfig()
	cfg.Seed = 42
	script.Configure(&cfg, nil)
	const feedSize = 256
	ts := startServer(t, Options{Teachers: []ssh_PublicKey{teacherKey.PublicKey()}, FeedSize: feedSize,
		UI: sessions.Options{Config: cfg, Script: script}})
	addr := ts.s.Addr().String()
	teacher := connect(t, addr, "teacher", teacherKey)
	teacher.press(" ")
	ts.until("the lesson started", func() bool { return !ts.s.feed.current().Snapshot().Paused })
	tv := ts.session(teacher).viewer
	for ts.s.feed.current().Snapshot().Now < 3500*time.Millisecond {
		ts.advance(100 * time.Millisecond)
		ts.catchUp(tv) // the teacher sees every event
	}
	checklist := func(s string) string { return row(s, " expect: ") }
	decided := teacher.waitFor("the checks decided by 3s", func(s string) bool {
		return strings.Count(checklist(s), "✓") == 4 && strings.Contains(s, "The leader is dead.")
	})
	f := ts.s.feed
	f.mu.Lock()
	f.pull()
	overflowed := f.next-f.genStart > feedSize
	f.mu.Unlock()
	if !overflowed {
		t.Fatalf("the lecture made no more than %d events: the test needs its early ones out of the window", feedSize)
	}

	late := connect(t, addr, "late", newKey(t))
	got := late.waitFor("the teacher's checklist", func(s string) bool { return checklist(s) == checklist(decided) })
	for _, want := range []string{"The leader crashes and a new one is elected", "The leader is dead.", "ends at 5s"} {
		if !strings.Contains(got, want) {
			t.Errorf("the late student's screen lacks %q:\n%s", want, got)
		}
	}
}
