package serve

import (
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"raftty/cluster"
)

// A lecture of two worlds (serve --compare): every student sees both, and
// the teacher's kill of the leader reaches both worlds on every screen.
func TestLectureShowsBothWorlds(t *testing.T) {
	teacherKey, studentKey := newKey(t), newKey(t)
	prevote, err := cluster.ParseCompare("prevote=on")
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Teachers: []ssh_PublicKey{teacherKey.PublicKey()}}
	opts.UI.Config = cluster.DefaultConfig()
	opts.UI.Config.Seed = 3
	opts.UI.Compare = []cluster.Compare{prevote}
	ts := startServer(t, opts)
	addr := ts.s.Addr().String()
	leader := ts.electLeader()
	for range 20 { // world B's election, with pre-votes first, ends a little later
		if c := ts.s.feed.current().Snapshot().Compared; c != nil && c.B.Leader != 0 {
			break
		}
		ts.advance(50 * time.Millisecond)
	}
	if c := ts.s.feed.current().Snapshot().Compared; c == nil || c.B.Leader != leader {
		t.Fatalf("want two worlds, both led by n%d", leader)
	}

	open := func(name string, key gossh.Signer) *term {
		tm, err := openTerm(t, addr, name, key)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return tm
	}
	teacher, student := open("teacher", teacherKey), open("student", studentKey)
	bothWorlds := func(s string) bool {
		return strings.Contains(s, "world A") && strings.Contains(s, "world B · prevote=on") && strings.Contains(s, "worlds diverge at")
	}
	teacher.waitFor("both worlds on the teacher's screen", bothWorlds)
	student.waitFor("both worlds on the student's screen", bothWorlds)

	teacher.press("L")
	teacher.press("k")
	deadInBoth := func(s string) bool { return strings.Count(s, "n"+itoaT(leader)+"   dead") == 2 }
	teacher.waitFor("the leader dead in both worlds on the teacher's screen", deadInBoth)
	student.waitFor("the leader dead in both worlds on the student's screen", deadInBoth)
}
