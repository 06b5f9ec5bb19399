package scenario

import (
	"time"

	"raftty/cluster"
)

// Run is one headless run of a script: a fresh cluster, its parameters
// reported, the script's steps carried out at their times and its final
// expectations checked at the end. `raftty run` and the tests run scripts
// through it, so that a script means the same wherever it runs.
type Run struct {
	Cluster *cluster.Cluster
	player  *Player
	end     time.Duration
}

// NewRun makes the cluster of cfg, which sends every event to sink, and
// reports its parameters; the run ends at end. cfg is taken as it is: a
// caller applies the script's header first (Script.Configure), letting its
// own flags win.
func NewRun(cfg cluster.Config, script *Script, end time.Duration, sink func(cluster.Event)) (*Run, error) {
	c, err := cluster.New(cfg, sink)
	if err != nil {
		return nil, err
	}
	c.ReportParams()
	p := NewPlayer(script)
	p.EndAt(end)
	return &Run{Cluster: c, player: p, end: end}, nil
}

// End returns when the run ends.
func (r *Run) End() time.Duration { return r.end }

// RunUntil runs to virtual time t, or to the end if t is past it. How the
// run is cut into calls changes nothing of what happens.
func (r *Run) RunUntil(t time.Duration) { r.player.RunUntil(r.Cluster, min(t, r.end)) }

// Finish runs to the end and checks the final expectations, once.
func (r *Run) Finish() {
	r.player.RunUntil(r.Cluster, r.end)
	r.player.Finish(r.Cluster)
}
