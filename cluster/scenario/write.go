package scenario

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"raftty/cluster"
)

// SetConfig makes the script's header describe cfg in full: nodes, seed and
// every parameter, so that the script needs no flags to rebuild the cluster.
func (s *Script) SetConfig(cfg cluster.Config) {
	s.Nodes, s.Seed, s.HasSeed = cfg.Nodes, cfg.Seed, true
	s.Settings = s.Settings[:0]
	for _, p := range cluster.Params() {
		s.Settings = append(s.Settings, cluster.SetCommand(p, cfg))
	}
	s.UnsafeForgetVotes = cfg.UnsafeForgetVotes
	s.Engine, s.Tick = "", 0
	if cfg.Engine != cluster.EngineTextbook {
		// The tick in full, its default too: the file says what the
		// cluster counted in, whatever the reader's default.
		s.Engine, s.Tick = cfg.Engine.String(), cfg.EtcdTick()
	}
}

// Configure applies the script's header to cfg: its nodes, seed and
// parameters, in the order written. given reports whether the command line
// set a flag of that name explicitly ("nodes", "seed", "heartbeat", ...): a
// flag given on the command line wins over the file's directive.
func (s *Script) Configure(cfg *cluster.Config, given func(flag string) bool) {
	if given == nil {
		given = func(string) bool { return false }
	}
	if s.Nodes > 0 && !given("nodes") {
		cfg.Nodes = s.Nodes
	}
	if s.HasSeed && !given("seed") {
		cfg.Seed = s.Seed
	}
	if s.Engine != "" && !given("engine") {
		// A preset first: the file's own parameter lines then win over it.
		_ = cluster.UseEngine(cfg, s.Engine, func(p cluster.Param) bool { return given(p.String()) })
	}
	if s.Tick > 0 && !given("tick") {
		cfg.Tick = s.Tick
	}
	for _, cmd := range s.Settings {
		if !given(cmd.Param.String()) {
			cluster.SetConfig(cfg, cmd)
		}
	}
	if s.UnsafeForgetVotes && !given("unsafe-forget-votes") {
		cfg.UnsafeForgetVotes = true
	}
}

// Write prints s as a scenario file that Parse reads back to the same
// script: the header (title, explain, nodes, seed, for, the parameters,
// what a comparison's world B changes),
// then one "at T ACTION" line per step in time order, then the end-of-run
// expectations. A caller may write "#" comment lines before it.
func Write(w io.Writer, s *Script) error {
	for _, text := range []string{s.Title, s.Explain} {
		if strings.ContainsAny(text, "#\n\r") {
			return fmt.Errorf("scenario text %q: a # or a line break would not read back", text)
		}
	}
	for _, st := range s.Steps {
		if st.IsExplain() && strings.ContainsAny(st.Text, "#\n\r") {
			return fmt.Errorf("%s: explain %q: a # or a line break would not read back", st.Source, st.Text)
		}
	}
	b := bufio.NewWriter(w)
	if s.Title != "" {
		fmt.Fprintf(b, "title %s\n", s.Title)
	}
	if s.Explain != "" {
		fmt.Fprintf(b, "explain %s\n", s.Explain)
	}
	if s.Nodes > 0 {
		fmt.Fprintf(b, "nodes %d\n", s.Nodes)
	}
	if s.HasSeed {
		fmt.Fprintf(b, "seed %d\n", s.Seed)
	}
	if s.For > 0 {
		fmt.Fprintf(b, "for %s\n", formatTime(s.For))
	}
	for _, cmd := range s.Settings {
		fmt.Fprintf(b, "%s %s\n", cmd.Param, cmd.Value())
	}
	if s.UnsafeForgetVotes {
		b.WriteString("unsafe-forget-votes on\n")
	}
	if s.Engine != "" {
		fmt.Fprintf(b, "engine %s\n", s.Engine)
	}
	if s.Tick > 0 {
		fmt.Fprintf(b, "tick %s\n", cluster.FormatDuration(s.Tick))
	}
	if s.HasOnly {
		fmt.Fprintf(b, "only %s %s\n", s.Only, s.OnlyWhy)
	}
	if len(s.Compare) > 0 {
		fmt.Fprintf(b, "compare %s\n", cluster.CompareText(s.Compare))
	}
	for _, st := range s.Steps {
		fmt.Fprintf(b, "at %s %s\n", formatTime(st.At), st)
	}
	for _, st := range s.Final {
		fmt.Fprintf(b, "%s\n", st)
	}
	return b.Flush()
}

// formatTime prints a step's time as cluster.ParseDuration reads it back.
func formatTime(d time.Duration) string { return cluster.FormatDuration(d) }
