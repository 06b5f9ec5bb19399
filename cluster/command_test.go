package cluster

import (
	"reflect"
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

// Every parameter has a whole row: a name, words for people, one place in
// a Config (which gives its kind), and a value that prints and parses back.
func TestParamTableIsComplete(t *testing.T) {
	for p := Param(1); p < paramEnd; p++ {
		r := &params[p]
		places := 0
		for _, set := range []bool{r.rng != nil, r.dur != nil, r.rate != nil, r.sw != nil, r.cnt != nil} {
			if set {
				places++
			}
		}
		if places != 1 || r.name == "" || r.label == "" || r.help == "" {
			t.Errorf("parameter %d (%q): %d places in a Config, label %q, help %q: want a name, one place and both words", p, r.name, places, r.label, r.help)
			continue
		}
		cmd := SetCommand(p, DefaultConfig())
		back, err := ParseValue(p, cmd.Value())
		if err != nil || !reflect.DeepEqual(back, cmd) {
			t.Errorf("%v: %q parses to %+v, %v; want %+v", p, cmd.Value(), back, err, cmd)
		}
	}
}
