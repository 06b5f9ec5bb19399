package main

import (
	"os"
	"strings"
	"testing"

	"raftty/cluster/scenario"
)

// docs/scenarios.md's table says which built-ins hold on one engine only,
// as `raftty scenarios --engine ...` does: a lesson's "only" line and its
// row agree, and every built-in has a row.
func TestScenariosPageMarksOneEngineLessons(t *testing.T) {
	data, err := os.ReadFile("docs/scenarios.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "| `"); ok {
			for _, cell := range strings.Split(rest[:strings.Index(rest, " |")], ", ") {
				rows[strings.Trim(cell, "`")] = line
			}
		}
	}
	for _, b := range scenario.Builtins() {
		s, err := scenario.Load(b.Name)
		if err != nil {
			t.Fatal(err)
		}
		row, ok := rows[b.Name]
		if !ok {
			t.Errorf("docs/scenarios.md has no row for %s", b.Name)
			continue
		}
		for _, engine := range []string{"textbook", "etcd"} {
			want := s.HasOnly && s.Only.String() == engine
			if got := strings.Contains(row, "("+engine+" only)"); got != want {
				t.Errorf("docs/scenarios.md, %s: says %q %v, but the lesson holds on %s only: %v", b.Name, "("+engine+" only)", got, engine, want)
			}
		}
	}
}
