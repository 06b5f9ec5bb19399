package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"raftty/cluster"
	"raftty/cluster/scenario"
	"raftty/engine/etcd"
	"raftty/raft"
)

// clusterFlags are the flags `raftty` and `raftty run` share: they describe
// the cluster and what happens to it. Ranges and durations are taken as
// strings and parsed here, so that an error names the flag and its value in
// raftty's words rather than pflag's.
type clusterFlags struct {
	nodes    int
	seed     string
	duration string
	// values and switches hold the parameters' flags, one per parameter
	// (cluster.Params): --heartbeat, --prevote, ...
	values      map[cluster.Param]*string
	switches    map[cluster.Param]*bool
	at          []string
	scenario    string
	unsafeVotes bool
	engine      string
	tick        string
	compare     []string
	// live: the flags of the live view, which runs until the user quits
	// and so has no --for.
	live bool
}

// maxLiveNodes is the largest cluster the live view (and serve) shows.
const maxLiveNodes = 101

func (f *clusterFlags) register(cmd *cobra.Command) {
	d := cluster.DefaultConfig()
	fs := cmd.Flags()
	fs.IntVar(&f.nodes, "nodes", d.Nodes, fmt.Sprintf("number of nodes (1 to %d; the live view shows up to %d)", cluster.MaxNodes, maxLiveNodes))
	fs.StringVar(&f.seed, "seed", "", "random seed (default: a random one, always printed)")
	if !f.live {
		fs.StringVar(&f.duration, "for", "10s", "how long to run, in virtual time")
	}
	f.values, f.switches = map[cluster.Param]*string{}, map[cluster.Param]*bool{}
	for _, p := range cluster.Params() {
		def := cluster.SetCommand(p, d)
		if p.IsSwitch() {
			f.switches[p] = fs.Bool(p.String(), def.On, p.Help())
		} else {
			f.values[p] = fs.String(p.String(), def.Value(), p.Help())
		}
	}
	fs.StringVar(&f.engine, "engine", cluster.EngineTextbook.String(), fmt.Sprintf(
		"the Raft the nodes run: %s (raftty's own, the default), %s (go.etcd.io/raft/v3, timeouts in whole ticks) or %s (etcd with an etcd server's defaults: tick and heartbeat 100ms, election timeout 1s-2s)",
		cluster.EngineTextbook, cluster.EngineEtcd, cluster.EtcdServer))
	fs.StringVar(&f.tick, "tick", "", fmt.Sprintf("the etcd engine's tick: its timeouts are whole ticks, ElectionTick = min election timeout / tick (default %v)", etcd.DefaultTick))
	fs.BoolVar(&f.unsafeVotes, "unsafe-forget-votes", false, "break Raft on purpose: nodes grant every vote request of their term (watch Election Safety fail)")
	fs.StringArrayVar(&f.at, "at", nil, `a timed command, e.g. "2s kill leader" (repeatable)`)
	fs.StringArrayVar(&f.compare, "compare", nil, "run two worlds, B being A with KEY=VALUE (prevote=on, heartbeat=100ms, any parameter; repeatable), and name where they part")
	fs.StringVar(&f.scenario, "scenario", "", "a built-in scenario (raftty scenarios lists them) or a scenario file")
}

// setup is what the flags describe: a cluster config, how long to run, and
// the script of timed commands.
type setup struct {
	cfg    cluster.Config
	runFor time.Duration
	script *scenario.Script
	// compare makes the run two worlds: B is A with these differences
	// (--compare, else the scenario's compare lines); compareFlags is
	// --compare alone, which a live session keeps for a scenario picked
	// later.
	compare, compareFlags []cluster.Compare
	// warnings are printed on stderr but do not stop the run.
	warnings []string
}

// parse turns the flags into a setup. changed reports whether the user gave
// a flag on the command line: a scenario file's header (nodes, seed, for and
// every parameter) applies unless they did; a flag given explicitly wins
// over the file's directive.
func (f *clusterFlags) parse(changed func(flag string) bool) (setup, error) {
	cfg := cluster.DefaultConfig()
	s := setup{}
	var err error
	if s.script, err = f.loadScript(); err != nil {
		return s, err
	}
	if sc := s.script; sc.Nodes > 0 && !changed("nodes") {
		f.nodes = sc.Nodes
	}
	if sc := s.script; sc.HasSeed && !changed("seed") {
		f.seed = strconv.FormatUint(sc.Seed, 10)
	}
	if sc := s.script; sc.For > 0 && !f.live && !changed("for") {
		f.duration = cluster.FormatDuration(sc.For)
	}
	if f.nodes < 1 || f.nodes > cluster.MaxNodes {
		return s, fmt.Errorf("--nodes %d: raftty simulates 1 to %d nodes", f.nodes, cluster.MaxNodes)
	}
	cfg.Nodes = f.nodes
	if f.seed == "" && changed("seed") {
		return s, fmt.Errorf(`--seed "": want a whole number from 0 (leave --seed out for a random one)`)
	}
	if f.seed == "" {
		cfg.Seed = rand.Uint64() % 1_000_000 // short enough to read aloud in a demo
	} else {
		seed, err := strconv.ParseUint(f.seed, 10, 64)
		if err != nil {
			return s, fmt.Errorf("--seed %s: want a whole number from 0", f.seed)
		}
		cfg.Seed = seed
	}
	if !f.live {
		if s.runFor, err = cluster.ParseDuration(f.duration); err != nil {
			return s, fmt.Errorf("--for %s: %w", f.duration, err)
		}
	}
	// The flags take their values as `set` does, floors included.
	for _, p := range cluster.Params() {
		cmd := cluster.Command{Action: cluster.ActSet, Param: p, On: p.IsSwitch() && *f.switches[p]}
		if !p.IsSwitch() {
			text := *f.values[p]
			if cmd, err = cluster.ParseValue(p, text); err != nil {
				return s, fmt.Errorf("--%s %s: %w", p, text, err)
			}
		}
		cluster.SetConfig(&cfg, cmd)
	}
	cfg.UnsafeForgetVotes = f.unsafeVotes
	// The file's parameters replace the defaults, not the flags given; a
	// setup no cluster could run is refused here, before any warning.
	cfg, err = s.script.Setup(cfg, changed, func(cfg *cluster.Config) error { return f.configureEngine(cfg, s.script, changed) })
	var lineErr *scenario.LineError
	if errors.As(err, &lineErr) {
		return s, fromScenario(err)
	} else if err != nil {
		return s, err
	}
	if f.live && cfg.Nodes > maxLiveNodes {
		// Drawing, checkpoints and snapshots grow with the square of the
		// cluster; past 101 nodes the live view cannot keep up.
		return s, fmt.Errorf("--nodes %d: the live view shows 1 to %d nodes (raftty run takes up to %d)", cfg.Nodes, maxLiveNodes, cluster.MaxNodes)
	}
	s.cfg = cfg
	if err := s.script.Validate(cfg.Nodes); err != nil {
		return s, fromScenario(err)
	}
	if s.compare, err = f.parseCompare(s.script); err != nil {
		return s, err
	}
	if len(f.compare) > 0 {
		s.compareFlags = s.compare
	}
	if !f.live {
		if err := f.checkLength(s, changed("for")); err != nil {
			return s, err
		}
	}
	s.warnings = timingWarnings(cfg.Timing)
	if changed("engine") && s.script.PinsEngines() && f.engine != s.script.Engine {
		s.warnings = append(s.warnings, fmt.Sprintf("--engine %s: %s compares the engines itself (world A: %s, world B: %s) and keeps them",
			f.engine, s.script.Name, s.script.Engine, cluster.CompareText(s.script.Compare)))
	}
	if why := s.script.Mismatch(cfg); why != "" {
		s.warnings = append(s.warnings, s.script.Name+" "+why)
	}
	return s, nil
}

// configureEngine applies --engine and --tick when given: over the file's
// engine line; --engine etcd-server's timing replaces the defaults, but
// never a timing flag given explicitly nor a timing line of the file.
func (f *clusterFlags) configureEngine(cfg *cluster.Config, script *scenario.Script, changed func(flag string) bool) error {
	if changed("engine") {
		if err := cluster.UseEngine(cfg, f.engine, func(p cluster.Param) bool { return changed(p.String()) || script.Sets(p) }); err != nil {
			return fmt.Errorf("--engine %s: %w", f.engine, err)
		}
	}
	if changed("tick") {
		d, err := cluster.ParseDuration(f.tick)
		if err == nil && d == 0 {
			err = errors.New("must be positive")
		}
		if err != nil {
			return fmt.Errorf("--tick %s: %w", f.tick, err)
		}
		if cfg.Engine != cluster.EngineEtcd {
			return fmt.Errorf("--tick %s: only the etcd engine counts ticks (add --engine etcd)", f.tick)
		}
		cfg.Tick = d
	}
	return nil
}

// parseCompare reads --compare, or else the file's compare lines: the
// flags, when given, replace the file's, as every flag wins over its
// directive.
func (f *clusterFlags) parseCompare(script *scenario.Script) ([]cluster.Compare, error) {
	compare := script.Compare
	if len(f.compare) > 0 {
		compare = nil
		for _, text := range f.compare {
			c, err := cluster.ParseCompare(text)
			if err != nil {
				return nil, fmt.Errorf("--compare %w", err)
			}
			for _, had := range compare {
				if had.Key() == c.Key() {
					return nil, fmt.Errorf("--compare %s: %s is compared already (%s)", text, c.Key(), had)
				}
			}
			compare = append(compare, c)
		}
	}
	if st, ok := script.WorldB(); ok && len(compare) == 0 {
		return nil, fromScenario(fmt.Errorf("%s: expect %s: this run has one world (compare KEY=VALUE, or --compare, makes a world B)", st.Source, st.Expect.Text))
	}
	return compare, nil
}

// fromScenario gives an error about a line of the scenario file the shape
// of every such error, "--scenario FILE:N: ...", as a parse error has it;
// an error about a flag ("--at ...", "--for ...") is left as it is.
func fromScenario(err error) error {
	if strings.HasPrefix(err.Error(), "--") {
		return err
	}
	return fmt.Errorf("--scenario %w", err)
}

func (f *clusterFlags) loadScript() (*scenario.Script, error) {
	script := &scenario.Script{}
	if f.scenario != "" {
		var err error
		if script, err = scenario.Load(f.scenario); err != nil {
			return nil, fmt.Errorf("--scenario %w", err)
		}
	}
	for _, line := range f.at {
		step, err := scenario.ParseLine(line)
		if err != nil {
			return nil, fmt.Errorf("--at %q: %w", line, err)
		}
		step.Source = fmt.Sprintf("--at %q", line)
		script.Add(step)
	}
	return script, nil
}

// timingWarnings explains a timing that is allowed but will not behave: a
// heartbeat at or past the minimum election timeout lets followers time out
// between heartbeats.
func timingWarnings(t raft.Timing) []string {
	if t.Heartbeat >= t.ElectionMin {
		return []string{fmt.Sprintf("heartbeat %v >= minimum election timeout %v: followers will time out between heartbeats and leadership will churn",
			t.Heartbeat, t.ElectionMin)}
	}
	return nil
}

// maxRunEvents bounds the events a headless run may be expected to make: a
// billion is a few minutes of work (a 5-node cluster with 1ms heartbeats
// makes 58 million events per virtual hour, in about 16 s).
const maxRunEvents = 1e9

// checkLength refuses a run that could not finish in reasonable time, and a
// timed step (an expect included) that the run would never reach: a scenario
// used as a check must not pass without checking.
func (f *clusterFlags) checkLength(s setup, forGiven bool) error {
	where := "--for " + f.duration
	if !forGiven && s.script.For > 0 {
		where = fmt.Sprintf("%s: for %s", s.script.ForSource, shortDuration(s.script.For))
	}
	rate, timing := eventRate(s.cfg, s.script)
	if events := rate * s.runFor.Seconds(); events > maxRunEvents {
		most := time.Duration(maxRunEvents / rate * float64(time.Second))
		text := shortDuration(most.Truncate(time.Second))
		if most > time.Hour {
			text = fmt.Sprintf("%dh", int(most.Hours()))
		}
		return fromScenario(fmt.Errorf("%s: longer than raftty simulates at %d nodes, heartbeat %v, election timeout from %v (at most %s)",
			where, s.cfg.Nodes, timing.Heartbeat, timing.ElectionMin, text))
	}
	for _, st := range s.script.Steps {
		if st.At > s.runFor {
			return fromScenario(fmt.Errorf("%s: at %v is after the end of the run (%v); lengthen the run with --for or the file's for line",
				st.Source, st.At, s.runFor))
		}
	}
	return nil
}

// eventRate estimates the events per virtual second of a run at its busiest
// timing (the script may shorten the heartbeat or timeouts): every heartbeat
// and every election is a round of messages to each other node, each sent,
// delivered, answered and delivered.
func eventRate(cfg cluster.Config, script *scenario.Script) (float64, raft.Timing) {
	t := cfg.Timing
	for _, st := range script.Steps {
		switch cmd := st.Cmd; {
		case cmd.Action != cluster.ActSet:
		case cmd.Param == cluster.ParamHeartbeat:
			t.Heartbeat = min(t.Heartbeat, cmd.Min)
		case cmd.Param == cluster.ParamElectionTimeout:
			t.ElectionMin = min(t.ElectionMin, cmd.Min)
		}
	}
	perRound := 4 * float64(max(cfg.Nodes-1, 1))
	return perRound * (1/t.Heartbeat.Seconds() + 1/t.ElectionMin.Seconds()), t
}

// shortDuration writes 1h rather than Go's 1h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
