package serve

import (
	"strings"
	"testing"
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
		return strings.Contains(s, "kill n"+itoaT(victim)+": watching: only the teacher can change the cluster")
	})
	// The refusal is the command's answer: by now it has been carried out
	// or not at all.
	snap := ts.s.live.Snapshot()
	for i, n := range snap.Nodes {
		if id := i + 1; n.Alive != (id != leader) {
			t.Fatalf("n%d alive=%v after the teacher killed n%d and the student tried n%d", id, n.Alive, leader, victim)
		}
	}

	// Pause and speed: the student's are refused, the teacher's are seen by all.
	student.press(" ")
	student.waitFor("the refused pause", func(s string) bool {
		return strings.Contains(s, "running: watching: only the teacher") || strings.Contains(s, "paused: . steps one event, space resumes: watching")
	})
	if ts.s.live.Snapshot().Paused {
		t.Fatal("the student paused the lecture")
	}
	student.waitFor("the header running again", func(s string) bool { return strings.Contains(row(s, "raftty ·"), "running") })
	teacher.press(" ")
	student.waitFor("the lecture paused on the student's screen", func(s string) bool { return strings.Contains(row(s, "raftty ·"), "PAUSED") })
	teacher.press("+")
	student.waitFor("the teacher's speed on the student's screen", func(s string) bool { return strings.Contains(row(s, "raftty ·"), "2x") })
}
