package scenario

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"raftty/cluster"
)

// A script written by Write parses back to the same script: header,
// parameters, steps of every kind in order, final expectations.
func TestWriteReadsBack(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cfg := cluster.DefaultConfig()
	cfg.Nodes, cfg.Seed, cfg.DropRate, cfg.PreVote = 7, 99, 0.3, true
	cfg.ElectionMin, cfg.ElectionMax, cfg.Heartbeat = 100*time.Millisecond, 250*time.Millisecond, 20*time.Millisecond
	cfg.LatencyMin, cfg.LatencyMax = 0, 3*time.Millisecond
	cfg.UnsafeForgetVotes = true
	s := &Script{Name: "w.txt", Title: "A title", Explain: "What to watch: n2.", For: 9 * time.Second}
	s.SetConfig(cfg)
	expect, err := ParseLine("at 3s expect leader-age >= 2s")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		cmd := randomCommand(rng)
		if cmd.Action.Paces() {
			continue
		}
		s.Steps = append(s.Steps, Step{At: time.Duration(rng.IntN(9000)) * time.Millisecond, Cmd: cmd})
	}
	s.Steps = append(s.Steps, Step{At: time.Second, Text: "now watch"}, expect)
	s.Sort()
	fin, _ := ParseLine("at 0 expect no violation")
	s.Final = []Step{fin}

	var b strings.Builder
	if err := Write(&b, s); err != nil {
		t.Fatal(err)
	}
	back, err := Parse("w.txt", strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	for i := range back.Steps {
		back.Steps[i].Source = ""
	}
	back.Final[0].Source, back.ForSource, back.sources = "", "", nil
	if !reflect.DeepEqual(back, s) {
		t.Fatalf("written\n%s\nreads back as\n%+v\nwant\n%+v", b.String(), back, s)
	}
	var got cluster.Config
	back.Configure(&got, nil)
	if got != cfg {
		t.Fatalf("header configures %+v, want %+v", got, cfg)
	}
}

// An etcd cluster's header names the engine and its tick, and a lesson
// that holds on one engine only says which and why: they read back.
func TestWriteReadsBackEngine(t *testing.T) {
	cfg := cluster.DefaultConfig()
	cfg.Engine, cfg.Tick = cluster.EngineEtcd, 5*time.Millisecond
	s := &Script{Name: "e.txt", Only: cluster.EngineEtcd, OnlyWhy: "the textbook leader starts an election", HasOnly: true}
	s.SetConfig(cfg)
	var b strings.Builder
	if err := Write(&b, s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "engine etcd\ntick 5ms\nonly etcd the textbook leader starts an election\n") {
		t.Fatalf("written:\n%s", b.String())
	}
	back, err := Parse("e.txt", strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	var got cluster.Config
	back.Configure(&got, nil)
	if got != cfg || back.Only != cluster.EngineEtcd || back.OnlyWhy != s.OnlyWhy {
		t.Fatalf("reads back as %+v, only %v %q", got, back.Only, back.OnlyWhy)
	}
}

// A cluster on etcd's default tick (Tick zero) is written with it: a
// saved session names both its engine and its tick (docs/engines.md).
func TestWriteNamesTheDefaultTick(t *testing.T) {
	cfg := cluster.DefaultConfig()
	cfg.Engine = cluster.EngineEtcd
	s := &Script{Name: "e.txt"}
	s.SetConfig(cfg)
	var b strings.Builder
	if err := Write(&b, s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "engine etcd\ntick 10ms\n") {
		t.Fatalf("written without its tick:\n%s", b.String())
	}
}

// The etcd-server preset sets etcd's server timing, which the file's own
// lines and the flags given override.
func TestEngineDirectivePreset(t *testing.T) {
	s, err := Parse("p.txt", strings.NewReader("engine etcd-server\nheartbeat 200ms\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := cluster.DefaultConfig()
	s.Configure(&cfg, nil)
	if cfg.Engine != cluster.EngineEtcd || cfg.Tick != 100*time.Millisecond || cfg.ElectionMin != time.Second ||
		cfg.ElectionMax != 2*time.Second || cfg.Heartbeat != 200*time.Millisecond {
		t.Fatalf("%+v", cfg)
	}
	cfg = cluster.DefaultConfig()
	s.Configure(&cfg, func(flag string) bool { return flag == "engine" })
	if cfg.Engine != cluster.EngineTextbook || cfg.Tick != 0 {
		t.Fatalf("--engine given: %+v", cfg)
	}
}

// A flag given on the command line wins over the file's directive; the
// others take the file's value.
func TestConfigureFlagWins(t *testing.T) {
	s, err := Parse("h.txt", strings.NewReader("nodes 3\nseed 5\nheartbeat 20ms\ndrop 10%\nprevote on\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := cluster.DefaultConfig()
	cfg.Nodes, cfg.Heartbeat = 9, 70*time.Millisecond
	s.Configure(&cfg, func(flag string) bool { return flag == "nodes" || flag == "heartbeat" })
	if cfg.Nodes != 9 || cfg.Heartbeat != 70*time.Millisecond || cfg.Seed != 5 || cfg.DropRate != 0.1 || !cfg.PreVote {
		t.Fatalf("%+v: want nodes and heartbeat from the flags, the rest from the file", cfg)
	}
}

func TestWriteRefusesTextThatWouldNotReadBack(t *testing.T) {
	for _, s := range []*Script{{Title: "a # b"}, {Explain: "two\nlines"}, {Steps: []Step{{Text: "#1"}}}} {
		if err := Write(&strings.Builder{}, s); err == nil {
			t.Errorf("%+v written without error", s)
		}
	}
}
