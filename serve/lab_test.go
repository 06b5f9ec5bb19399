package serve

import (
	"strings"
	"testing"
)

// In a lab every connection breaks a cluster of its own: what one kills,
// the other still has. Both start from the same seed here (a teacher's
// --seed), so any difference is their own doing.
func TestLabGivesEachSessionItsOwnCluster(t *testing.T) {
	ts := startServer(t, Options{Lab: true})
	addr := ts.s.Addr().String()
	a := connect(t, addr, "a", newKey(t))
	b := connect(t, addr, "b", newKey(t))
	a.waitFor("the lab status", func(s string) bool { return strings.Contains(s, "your own cluster") })

	a.press("1")
	a.press("k")
	b.press("2")
	b.press("k")
	a.waitFor("n1 dead on a's screen", func(s string) bool { return strings.Contains(nodeRow(s, 1), "dead") })
	b.waitFor("n2 dead on b's screen", func(s string) bool { return strings.Contains(nodeRow(s, 2), "dead") })

	sessions := ts.sessions()
	if len(sessions) != 2 {
		t.Fatalf("%d sessions, want 2", len(sessions))
	}
	dead := map[int]int{} // node -> sessions where it is dead
	for _, st := range sessions {
		if st.viewer != nil || st.model == nil {
			t.Fatal("a lab session shares the lecture's feed")
		}
		for i, n := range st.model.ClusterSnapshot().Nodes {
			if !n.Alive {
				dead[i+1]++
			}
		}
	}
	if dead[1] != 1 || dead[2] != 1 || len(dead) != 2 {
		t.Fatalf("dead nodes by session count: %v, want n1 in one cluster and n2 in the other", dead)
	}

	// A lab cluster ends with its session.
	a.press("q")
	if err := a.ended(); err != nil {
		t.Fatal(err)
	}
	ts.gone(a)
}
