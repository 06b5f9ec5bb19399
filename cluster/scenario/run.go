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

// Comparison is one headless run of a script in two worlds (see
// cluster.Worlds): world B is world A with the differences, both play the
// script's steps at the same instants, and each checks the expectations
// that are its own (those naming no world, and those naming it).
type Comparison struct {
	Worlds  *cluster.Worlds
	players [2]*Player
	end     time.Duration
}

// NewComparison makes the two worlds from cfg (the script's header applied
// by the caller, as for NewRun) and the differences, and reports each
// world's parameters. Every event goes to sink tagged with its world, by
// pointer (see cluster.Worlds.HandOnByPointer), and every divergence to
// diverged, as cluster.NewWorlds says.
func NewComparison(cfg cluster.Config, diff []cluster.Compare, script *Script, end time.Duration,
	sink func(*cluster.Event), diverged func(cluster.Divergence)) (*Comparison, error) {
	r := &Comparison{end: end}
	for i, w := range []cluster.World{cluster.WorldA, cluster.WorldB} {
		r.players[i] = NewPlayer(script).ForWorld(w)
		r.players[i].EndAt(end)
	}
	worlds, err := cluster.NewWorlds(cfg, diff, nil, diverged, r.players[0], r.players[1])
	if err != nil {
		return nil, err
	}
	if sink != nil {
		worlds.HandOnByPointer(sink)
	}
	r.Worlds = worlds
	worlds.A().ReportParams()
	worlds.B().ReportParams()
	return r, nil
}

// RunUntil runs both worlds to virtual time t, or to the end if t is past
// it.
func (r *Comparison) RunUntil(t time.Duration) { r.Worlds.RunUntil(min(t, r.end)) }

// Finish runs to the end, checks each world's final expectations, once, and
// hands on every event still waiting.
func (r *Comparison) Finish() {
	r.Worlds.RunUntil(r.end)
	r.players[0].Finish(r.Worlds.A())
	r.players[1].Finish(r.Worlds.B())
	r.Worlds.Flush()
}
