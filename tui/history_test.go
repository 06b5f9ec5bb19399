package tui

import (
	"testing"

	"raftty/cluster"
)

// The orange band: a live node that cannot exchange messages with more than
// half the cluster, itself included. Off by one either way, this fails.
func TestIsCutOff(t *testing.T) {
	for _, tc := range []struct {
		size    int
		ns      cluster.NodeStatus
		cutOffs bool
	}{
		{4, cluster.NodeStatus{Alive: true, Reaches: 3}, false},
		{4, cluster.NodeStatus{Alive: true, Reaches: 2}, true}, // half is not a majority
		{5, cluster.NodeStatus{Alive: true, Reaches: 3}, false},
		{5, cluster.NodeStatus{Alive: true, Reaches: 2}, true},
		{1, cluster.NodeStatus{Alive: true, Reaches: 1}, false},
		{5, cluster.NodeStatus{Alive: true, Reaches: 5, Disconnected: true}, true},
		{5, cluster.NodeStatus{Alive: false, Reaches: 0}, false}, // dead, not cut off
	} {
		if got := isCutOff(tc.ns, tc.size); got != tc.cutOffs {
			t.Errorf("size %d, alive %v, reaches %d, disconnected %v: cut off %v, want %v",
				tc.size, tc.ns.Alive, tc.ns.Reaches, tc.ns.Disconnected, got, tc.cutOffs)
		}
	}
}
