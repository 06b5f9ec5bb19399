package scenario

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"raftty/cluster"
)

//go:embed builtin/*.txt
var builtinFS embed.FS

// Builtin names a scenario that ships with raftty.
type Builtin struct {
	Name  string
	Title string
	// Only names the engine the lesson holds on, if one only ("" if it
	// holds on all), and OnlyWhy what the other does instead.
	Only, OnlyWhy string
	// Mismatch, from BuiltinsFor, says why the lesson does not hold on
	// the cluster asked about ("" if it holds; Builtins leaves it empty),
	// as Script.Mismatch does; OtherEngine says it holds on the other
	// engine only. Refused says that cluster cannot run it at all
	// (starting it is refused, as `raftty run` refuses it), and
	// Mismatch, unless OtherEngine, says why.
	Mismatch    string
	OtherEngine bool
	Refused     bool
}

// Builtins lists the built-in scenarios, in the order of the lesson.
func Builtins() []Builtin {
	entries, _ := fs.ReadDir(builtinFS, "builtin")
	var out []Builtin
	for _, e := range entries {
		s, err := loadBuiltin(strings.TrimSuffix(e.Name(), ".txt"))
		if err != nil {
			panic(fmt.Sprintf("scenario: built-in %s does not parse: %v", e.Name(), err)) // a test guards this
		}
		b := Builtin{Name: s.Name, Title: s.Title}
		if s.HasOnly {
			b.Only, b.OnlyWhy = s.Only.String(), s.OnlyWhy
		}
		out = append(out, b)
	}
	slices.SortStableFunc(out, func(a, b Builtin) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// BuiltinsFor lists the built-in scenarios as Builtins does, each marked
// with what becomes of it on a cluster set up from base (a session's, or
// the defaults) with the scenario's header and then engine ("" for none;
// an engine's name or cluster.EtcdServer, which the header's timing lines
// win over): whether that cluster can run it, and whether it holds there.
func BuiltinsFor(base cluster.Config, engine string) []Builtin {
	all := Builtins()
	for i := range all {
		s, err := loadBuiltin(all[i].Name)
		if err != nil {
			panic(fmt.Sprintf("scenario: built-in %s does not parse: %v", all[i].Name, err)) // Builtins parsed it
		}
		var then func(*cluster.Config) error
		if engine != "" {
			then = func(cfg *cluster.Config) error { return cluster.UseEngine(cfg, engine, s.Sets) }
		}
		cfg, err := s.Setup(base, nil, then)
		all[i].OtherEngine = s.HasOnly && s.Only != cfg.Engine
		all[i].Mismatch = s.Mismatch(cfg)
		if err != nil {
			all[i].Refused = true
			if !all[i].OtherEngine {
				all[i].Mismatch = err.Error()
			}
		}
	}
	return all
}

// loadBuiltin finds a built-in by its full name ("03-leader-crash") or its
// name without the number ("leader-crash").
func loadBuiltin(name string) (*Script, error) {
	entries, _ := fs.ReadDir(builtinFS, "builtin")
	for _, e := range entries {
		full := strings.TrimSuffix(e.Name(), ".txt")
		// "03-leader-crash" answers to its name, to "leader-crash" and to
		// "03" (or "3"): the number alone is what raftty scenarios lists
		// first.
		number, short, ok := strings.Cut(full, "-")
		if ok && (short == name || number == name || strings.TrimLeft(number, "0") == name) {
			name = full
		}
	}
	data, err := builtinFS.ReadFile(path.Join("builtin", name+".txt"))
	if err != nil {
		return nil, err
	}
	s, err := Parse(name, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	s.Name = name
	return s, nil
}

// Load reads a built-in scenario by name, or else a scenario file.
func Load(nameOrFile string) (*Script, error) {
	if s, err := loadBuiltin(nameOrFile); err == nil {
		return s, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	data, err := os.ReadFile(nameOrFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such file, and no built-in scenario of that name (raftty scenarios lists them)", nameOrFile)
	}
	if err != nil {
		return nil, err
	}
	return Parse(nameOrFile, bytes.NewReader(data))
}
