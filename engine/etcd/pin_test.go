package etcd

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"

	"raftty/engine"
)

// The tests in this file fail loudly when go.etcd.io/raft/v3 is not the
// release the adapter was written for, or when anything the adapter relies
// on has changed: the fields it reads and writes, the functions that reset
// the election timer, the log lines it tells decisions by, and the one
// random source etcd draws from. After an upgrade, read the new raft.go,
// update the adapter, then Version.

// etcdSource returns the directory of etcd's raft package as compiled into
// this test, found from a function's file.
func etcdSource(t *testing.T) string {
	t.Helper()
	pc := reflect.ValueOf(raft.NewRawNode).Pointer()
	file, _ := runtime.FuncForPC(pc).FileLine(pc)
	return filepath.Dir(file)
}

func TestPinnedVersion(t *testing.T) {
	dir := etcdSource(t)
	if !strings.HasSuffix(filepath.ToSlash(dir), "/go.etcd.io/raft/v3@"+Version) {
		t.Fatalf("etcd's raft is compiled from %s, not go.etcd.io/raft/v3@%s: check every assumption in inside.go and logger.go against its raft.go, then update Version", dir, Version)
	}
}

func TestPinnedLayout(t *testing.T) {
	if layout.err != nil {
		t.Fatal(layout.err)
	}
	if len(layout.off) != len(raftFields) {
		t.Fatalf("found %d fields, want %d", len(layout.off), len(raftFields))
	}
}

// TestPinnedMessageTypes: the seam names etcd's message types at EtcdBase
// plus etcd's number, each by etcd's own name, and knows them all.
func TestPinnedMessageTypes(t *testing.T) {
	n := 0
	for v, name := range pb.MessageType_name {
		got := msgType(pb.MessageType(v))
		if got.String() != name {
			t.Errorf("etcd's type %d is %s; the seam calls it %v", v, name, got)
		}
		n++
	}
	if etcdTypes := len(engine.MsgTypes()) - 6; etcdTypes != n {
		t.Errorf("the seam names %d etcd types, etcd has %d", etcdTypes, n)
	}
}

// TestPinnedRoles: etcd's four states map onto raftty's roles by name.
func TestPinnedRoles(t *testing.T) {
	want := map[raft.StateType]string{raft.StateFollower: "follower", raft.StateCandidate: "candidate",
		raft.StateLeader: "leader", raft.StatePreCandidate: "precandidate"}
	for s, name := range want {
		if got := role(s).String(); got != name {
			t.Errorf("%v maps to %s, want %s", s, got, name)
		}
	}
}

// etcdFile is one parsed non-test file of etcd's raft package.
type etcdFile struct {
	name string
	file *ast.File
}

func parseEtcd(t *testing.T) []etcdFile {
	t.Helper()
	dir := etcdSource(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []etcdFile
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		if !buildsByDefault(f) {
			continue // state_trace.go: only with the with_tla tag
		}
		files = append(files, etcdFile{name, f})
	}
	return files
}

func buildsByDefault(f *ast.File) bool {
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//go:build ") && !strings.Contains(c.Text, "!") {
				return false
			}
		}
	}
	return true
}

// uses lists, for each name, the functions of etcd's raft package that
// mention it (as a call, a selector or an identifier), "file:func" each.
func uses(files []etcdFile, names ...string) map[string][]string {
	out := map[string][]string{}
	for _, f := range files {
		for _, d := range f.file.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				var name string
				switch x := n.(type) {
				case *ast.SelectorExpr:
					name = x.Sel.Name
				case *ast.Ident:
					name = x.Name
				default:
					return true
				}
				if slices.Contains(names, name) {
					where := fd.Name.Name
					if !slices.Contains(out[name], where) {
						out[name] = append(out[name], where)
					}
				}
				return true
			})
		}
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

// TestPinnedTimerReset checks, in etcd's source, what makes the redraw
// exact: etcd draws election timeouts in one place, from one source; that
// place is reached only through reset(); reset() is called only by
// becomeFollower, becomeCandidate and becomeLeader; and each of those, after
// its reset, unconditionally logs the line the adapter redraws on.
func TestPinnedTimerReset(t *testing.T) {
	files := parseEtcd(t)
	got := uses(files, "globalRand", "resetRandomizedElectionTimeout", "reset", "randomizedElectionTimeout")
	want := map[string][]string{
		"globalRand":                     {"resetRandomizedElectionTimeout"},
		"resetRandomizedElectionTimeout": {"reset"},
		"reset":                          {"becomeCandidate", "becomeFollower", "becomeLeader"},
		"randomizedElectionTimeout":      {"pastElectionTimeout", "resetRandomizedElectionTimeout"},
	}
	for name, w := range want {
		if !slices.Equal(got[name], w) {
			t.Errorf("%s is used in %v, want only in %v", name, got[name], w)
		}
	}
	lines := map[string]lineKind{"becomeFollower": lineBecameFollower, "becomeCandidate": lineBecameCandidate, "becomeLeader": lineBecameLeader}
	found := 0
	for _, f := range files {
		for _, d := range f.file.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || lines[fd.Name.Name] == 0 {
				continue
			}
			found++
			checkResetThenLine(t, fd, lines[fd.Name.Name])
		}
	}
	if found != len(lines) {
		t.Errorf("found %d of the functions %v", found, slices.Collect(maps.Keys(lines)))
	}
}

// checkResetThenLine: among fd's top-level statements (run unconditionally)
// is a call to reset, and after it a logger.Infof with the format that
// decisions maps to kind.
func checkResetThenLine(t *testing.T, fd *ast.FuncDecl, kind lineKind) {
	t.Helper()
	resetAt, lineAt := -1, -1
	for i, st := range fd.Body.List {
		es, ok := st.(*ast.ExprStmt)
		if !ok {
			continue
		}
		call, ok := es.X.(*ast.CallExpr)
		if !ok {
			continue
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			continue
		}
		switch {
		case sel.Sel.Name == "reset" && resetAt < 0:
			resetAt = i
		case sel.Sel.Name == "Infof" && len(call.Args) > 0:
			if lit, ok := call.Args[0].(*ast.BasicLit); ok {
				if s, err := strconv.Unquote(lit.Value); err == nil && decisions[s] == kind {
					lineAt = i
				}
			}
		}
	}
	if resetAt < 0 || lineAt < resetAt {
		t.Errorf("%s: reset at statement %d, its line at %d: the redraw would not follow every reset", fd.Name.Name, resetAt, lineAt)
	}
}

// TestPinnedLines: every format string the adapter tells decisions by is in
// etcd's source, verbatim.
func TestPinnedLines(t *testing.T) {
	literals := map[string]bool{}
	for _, f := range parseEtcd(t) {
		ast.Inspect(f.file, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					literals[s] = true
				}
			}
			return true
		})
	}
	for format := range decisions {
		if !literals[format] {
			t.Errorf("etcd no longer logs %q", format)
		}
	}
}

// TestPinnedRandomSources: the only randomness in etcd's raft package, and
// in the packages of it the adapter runs, is crypto/rand in raft.go (which
// globalRand wraps); nothing reads the clock.
func TestPinnedRandomSources(t *testing.T) {
	dir := etcdSource(t)
	for _, sub := range []string{".", "tracker", "quorum", "confchange", "raftpb"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			path := filepath.Join(dir, sub, name)
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly|parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if !buildsByDefault(f) {
				continue
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				switch {
				case p == "crypto/rand" && sub == "." && name == "raft.go":
				case p == "crypto/rand", strings.HasPrefix(p, "math/rand"), p == "time":
					t.Errorf("%s/%s imports %s", sub, name, p)
				}
			}
		}
	}
}
