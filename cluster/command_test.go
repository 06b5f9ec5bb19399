package cluster

import (
	"testing"
	"time"
)

// SetCommand and SetConfig are inverses for every parameter: a file's
// header (SetCommand) sets up the cluster it came from (SetConfig).
func TestSetConfigKnowsEveryParam(t *testing.T) {
	want := DefaultConfig()
	want.ElectionMin, want.ElectionMax, want.Heartbeat = 200*time.Millisecond, 400*time.Millisecond, 70*time.Millisecond
	want.LatencyMin, want.LatencyMax, want.DropRate = 2*time.Millisecond, 3*time.Millisecond, 0.25
	want.PreVote, want.CheckQuorum, want.DiskWrite = true, true, 3*time.Millisecond
	got := DefaultConfig()
	for _, p := range Params() {
		SetConfig(&got, SetCommand(p, want))
	}
	if got != want {
		t.Fatalf("config through the header:\n%+v\nwant\n%+v", got, want)
	}
}
