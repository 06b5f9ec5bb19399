package raft

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite raft/testdata/*.txt from the current behaviour")

// Interaction scripts, in the manner of etcd-io/raft's testdata: a few
// nodes wired by hand, every message held until a command delivers or drops
// it, and every decision printed with its reason. Each file in testdata is
// a sequence of blocks:
//
//	# comments
//	command args
//	----
//	what the nodes did
//
// The test replays the commands and compares what happened with the text
// after ----; `go test ./raft -run TestInteractions -update` rewrites it,
// for a change of behaviour that is meant (review the diff). Commands:
//
//	cluster N [prevote] [checkquorum] [noop] [unsafe-commit] [hint] [max-entries=K]
//	campaign ID            force ID's election timeout
//	elect ID               campaign, then deliver everything; print decisions only
//	propose ID VALUE       a client's command to ID
//	tick ID                advance the clock to ID's next deadline and tick it
//	deliver [F->T] [TYPE]  deliver the messages on the wire that match, in order
//	drop [F->T] [TYPE]     lose them
//	stabilize              deliver until the wire is empty
//	isolate ID... / heal   drop, when delivered, every message to or from ID
//	crash ID / restart ID  lose the volatile state (the HardState survives)
//	log ID append K        AppendLog
//	set unsafe-commit|noop on|off
//	advance DURATION       move the clock
//	save NAME / restore NAME  keep the whole world, and go back to it later
//	status [ID...]         role, term, log (the term of each entry), commit, progress
//
// F and T are node ids or *.
func TestInteractions(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no interaction scripts in testdata (%v)", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) { runScript(t, file) })
	}
}

// block is one command of a script with what it printed.
type block struct {
	pre  []string // comment and blank lines before the command
	line int      // the command's line number
	cmd  string
	want string
}

func parseScript(t *testing.T, path string) []block {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []block
	var b block
	inOutput := false
	var out []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case inOutput && line == "":
			b.want, inOutput, out = strings.Join(out, "\n"), false, nil
			blocks = append(blocks, b)
			b = block{}
		case inOutput:
			out = append(out, line)
		case b.cmd != "" && line == "----":
			inOutput = true
		case b.cmd != "" && !*update:
			t.Fatalf("%s:%d: want ---- after the command, got %q", path, n, line)
		case b.cmd != "":
			// Writing a new script: a command without output yet.
			blocks = append(blocks, b)
			b = block{}
			if line == "" || strings.HasPrefix(line, "#") {
				b.pre = append(b.pre, line)
			} else {
				b.cmd, b.line = line, n
			}
		case line == "" || strings.HasPrefix(line, "#"):
			b.pre = append(b.pre, line)
		default:
			b.cmd, b.line = line, n
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if inOutput {
		b.want = strings.Join(out, "\n")
		blocks = append(blocks, b)
	} else if b.cmd != "" && *update {
		blocks = append(blocks, b)
	} else if b.cmd != "" {
		t.Fatalf("%s:%d: command without ----", path, b.line)
	}
	return blocks
}

func runScript(t *testing.T, path string) {
	blocks := parseScript(t, path)
	w := &world{t: t}
	var rewritten strings.Builder
	for _, b := range blocks {
		got := w.run(path, b)
		if *update {
			pre := b.pre
			for len(pre) > 0 && pre[0] == "" {
				pre = pre[1:] // one blank line always separates blocks
			}
			for _, p := range pre {
				rewritten.WriteString(p + "\n")
			}
			fmt.Fprintf(&rewritten, "%s\n----\n%s\n\n", b.cmd, got)
			continue
		}
		if got != b.want {
			t.Errorf("%s:%d: %s\n--- want\n%s\n--- got\n%s", path, b.line, b.cmd, b.want, got)
		}
	}
	if *update {
		if err := os.WriteFile(path, []byte(strings.TrimSuffix(rewritten.String(), "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// world is the nodes of a script, the wire between them and a clock.
type world struct {
	t        *testing.T
	cfg      Config
	nodes    []*Node // by id; nil while crashed
	rands    []*rand.PCG
	hard     []HardState
	now      time.Duration
	wire     []Message
	isolated []bool
	out      strings.Builder
	quiet    bool // print decisions only (elect)
	saved    map[string]*world
}

// clone copies the world deeply enough that running one copy leaves the
// other as it was.
func (w *world) clone() *world {
	c := &world{t: w.t, cfg: w.cfg, now: w.now, saved: w.saved,
		nodes: make([]*Node, len(w.nodes)), rands: make([]*rand.PCG, len(w.rands)),
		hard: slices.Clone(w.hard), wire: slices.Clone(w.wire), isolated: slices.Clone(w.isolated)}
	for id, n := range w.nodes {
		if w.rands[id] != nil {
			r := *w.rands[id]
			c.rands[id] = &r
		}
		if n != nil {
			c.nodes[id] = n.Clone(rand.New(c.rands[id]))
		}
	}
	return c
}

func (w *world) run(path string, b block) string {
	w.out.Reset()
	args := strings.Fields(b.cmd)
	if err := w.do(args[0], args[1:]); err != nil {
		w.t.Fatalf("%s:%d: %s: %v", path, b.line, b.cmd, err)
	}
	s := strings.TrimSuffix(w.out.String(), "\n")
	if s == "" {
		return "ok"
	}
	return s
}

func (w *world) printf(format string, args ...any) { fmt.Fprintf(&w.out, format+"\n", args...) }

func (w *world) do(cmd string, args []string) error {
	if cmd != "cluster" && w.nodes == nil {
		return fmt.Errorf("no cluster yet")
	}
	switch cmd {
	case "cluster":
		return w.newCluster(args)
	case "campaign", "elect", "tick", "crash", "restart":
		id, err := w.id(args, 0)
		if err != nil {
			return err
		}
		return w.nodeCommand(cmd, id)
	case "propose":
		if len(args) != 2 {
			return fmt.Errorf("want: propose ID VALUE")
		}
		id, err := w.id(args, 0)
		if err != nil {
			return err
		}
		n, err := w.live(id)
		if err != nil {
			return err
		}
		n.Propose([]byte(args[1]))
		w.report(n, "")
	case "deliver", "drop":
		match, err := filter(args)
		if err != nil {
			return err
		}
		w.pass(match, cmd == "drop")
	case "stabilize":
		w.stabilize()
	case "isolate":
		for i := range args {
			id, err := w.id(args, i)
			if err != nil {
				return err
			}
			w.isolated[id] = true
		}
	case "heal":
		clear(w.isolated)
	case "log":
		if len(args) != 3 || args[1] != "append" {
			return fmt.Errorf("want: log ID append K")
		}
		id, err := w.id(args, 0)
		if err != nil {
			return err
		}
		k, err := strconv.Atoi(args[2])
		if err != nil {
			return err
		}
		n, err := w.live(id)
		if err != nil {
			return err
		}
		n.AppendLog(k)
	case "set":
		if len(args) != 2 || (args[1] != "on" && args[1] != "off") {
			return fmt.Errorf("want: set NAME on|off")
		}
		for _, n := range w.nodes[1:] {
			if n == nil {
				continue
			}
			switch args[0] {
			case "unsafe-commit":
				n.SetUnsafeCommit(args[1] == "on")
			case "noop":
				n.SetNoOp(args[1] == "on")
			default:
				return fmt.Errorf("unknown setting %q", args[0])
			}
		}
		switch args[0] {
		case "unsafe-commit":
			w.cfg.UnsafeCommit = args[1] == "on"
		case "noop":
			w.cfg.NoOp = args[1] == "on"
		}
	case "save", "restore":
		if len(args) != 1 {
			return fmt.Errorf("want: %s NAME", cmd)
		}
		if cmd == "save" {
			w.saved[args[0]] = w.clone()
			return nil
		}
		s, ok := w.saved[args[0]]
		if !ok {
			return fmt.Errorf("nothing saved as %q", args[0])
		}
		*w = *s.clone()
	case "advance":
		d, err := time.ParseDuration(strings.Join(args, ""))
		if err != nil {
			return err
		}
		w.now += d
	case "status":
		ids := args
		if len(ids) == 0 {
			for id := 1; id < len(w.nodes); id++ {
				ids = append(ids, strconv.Itoa(id))
			}
		}
		for i := range ids {
			id, err := w.id(ids, i)
			if err != nil {
				return err
			}
			w.printStatus(id)
		}
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
	return nil
}

func (w *world) newCluster(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("want: cluster N [options]")
	}
	size, err := strconv.Atoi(args[0])
	if err != nil || size < 1 {
		return fmt.Errorf("cluster size %q", args[0])
	}
	cfg := Config{Timing: testTiming}
	for _, opt := range args[1:] {
		switch {
		case opt == "prevote":
			cfg.PreVote = true
		case opt == "checkquorum":
			cfg.CheckQuorum = true
		case opt == "noop":
			cfg.NoOp = true
		case opt == "unsafe-commit":
			cfg.UnsafeCommit = true
		case opt == "hint":
			cfg.BackOffHint = true
		case strings.HasPrefix(opt, "max-entries="):
			if cfg.MaxEntries, err = strconv.Atoi(strings.TrimPrefix(opt, "max-entries=")); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown option %q", opt)
		}
	}
	for p := 1; p <= size; p++ {
		cfg.Peers = append(cfg.Peers, NodeID(p))
	}
	*w = world{t: w.t, cfg: cfg, nodes: make([]*Node, size+1), rands: make([]*rand.PCG, size+1),
		hard: make([]HardState, size+1), isolated: make([]bool, size+1), saved: map[string]*world{}}
	for id := 1; id <= size; id++ {
		if err := w.start(id); err != nil {
			return err
		}
	}
	return nil
}

func (w *world) start(id int) error {
	cfg := w.cfg
	cfg.ID = NodeID(id)
	if w.rands[id] == nil {
		w.rands[id] = rand.NewPCG(uint64(id), 7)
	}
	cfg.Rand = rand.New(w.rands[id])
	n, err := New(cfg, w.hard[id], w.now)
	w.nodes[id] = n
	return err
}

func (w *world) id(args []string, i int) (int, error) {
	if i >= len(args) {
		return 0, fmt.Errorf("missing node id")
	}
	id, err := strconv.Atoi(strings.TrimPrefix(args[i], "n"))
	if err != nil || id < 1 || id >= len(w.nodes) {
		return 0, fmt.Errorf("no node %q", args[i])
	}
	return id, nil
}

func (w *world) live(id int) (*Node, error) {
	if w.nodes[id] == nil {
		return nil, fmt.Errorf("n%d is crashed", id)
	}
	return w.nodes[id], nil
}

func (w *world) nodeCommand(cmd string, id int) error {
	if cmd == "restart" {
		if w.nodes[id] != nil {
			return fmt.Errorf("n%d is running", id)
		}
		return w.start(id)
	}
	n, err := w.live(id)
	if err != nil {
		return err
	}
	switch cmd {
	case "crash":
		w.hard[id] = n.HardState()
		w.nodes[id] = nil
	case "tick":
		w.now = max(w.now, n.NextDeadline())
		n.Tick(w.now)
		w.report(n, "")
	case "campaign":
		n.Campaign(w.now)
		w.report(n, "")
	case "elect":
		w.quiet = true
		n.Campaign(w.now)
		w.report(n, "")
		w.stabilize()
		w.quiet = false
	}
	return nil
}

// report prints what n did in its last step and puts its messages on the
// wire.
func (w *world) report(n *Node, indent string) {
	msgs, events := n.Output()
	for _, e := range events {
		w.printf("%s%s", indent, eventText(e))
	}
	for _, m := range msgs {
		if !w.quiet {
			w.printf("%s%s", indent, messageText(m))
		}
		m.Entries = slices.Clone(m.Entries) // the wire keeps what was sent, not the sender's log
		w.wire = append(w.wire, m)
	}
}

// filter parses [F->T] [TYPE] into a predicate.
func filter(args []string) (func(Message) bool, error) {
	from, to, typ := "*", "*", ""
	for _, a := range args {
		if f, t, ok := strings.Cut(a, "->"); ok {
			from, to = f, t
		} else {
			typ = a
		}
	}
	end := func(s string) (NodeID, error) {
		if s == "*" {
			return None, nil
		}
		id, err := strconv.Atoi(strings.TrimPrefix(s, "n"))
		return NodeID(id), err
	}
	f, err := end(from)
	if err != nil {
		return nil, err
	}
	t, err := end(to)
	if err != nil {
		return nil, err
	}
	return func(m Message) bool {
		return (f == None || m.From == f) && (t == None || m.To == t) && (typ == "" || m.Type.String() == typ)
	}, nil
}

// pass delivers (or drops) the messages now on the wire that match, in the
// order they were sent; what their receivers send goes on the wire after
// them.
func (w *world) pass(match func(Message) bool, drop bool) {
	var now []Message
	keep := w.wire[:0:0]
	for _, m := range w.wire {
		if match(m) {
			now = append(now, m)
		} else {
			keep = append(keep, m)
		}
	}
	w.wire = keep
	for _, m := range now {
		w.deliver(m, drop)
	}
}

func (w *world) deliver(m Message, drop bool) {
	to := w.nodes[m.To]
	switch {
	case drop:
		w.printf("%s: dropped", messageText(m))
	case w.isolated[m.From] || w.isolated[m.To]:
		w.printf("%s: dropped (isolated)", messageText(m))
	case to == nil:
		w.printf("%s: dropped (%v is crashed)", messageText(m), m.To)
	default:
		if !w.quiet {
			w.printf("%s", messageText(m))
		}
		to.Step(w.now, m)
		w.report(to, "  ")
	}
}

func (w *world) stabilize() {
	for len(w.wire) > 0 {
		m := w.wire[0]
		w.wire = w.wire[1:]
		w.deliver(m, false)
	}
}

func (w *world) printStatus(id int) {
	n := w.nodes[id]
	if n == nil {
		hs := w.hard[id]
		w.printf("n%d crashed      term %d log %s", id, hs.Term, logTerms(hs.Log))
		return
	}
	s := n.Status()
	line := fmt.Sprintf("n%d %-12s term %d log %s commit %d", id, s.Role, s.Term, logTerms(s.Log), s.CommitIndex)
	for _, p := range n.Progress(nil) {
		line += fmt.Sprintf(" %v:%d/%d", p.ID, p.Next, p.Match)
	}
	w.printf("%s", line)
}

// logTerms renders a log as the terms of its entries, as Figure 8 draws
// it: [1 2 4].
func logTerms(log []Entry) string {
	terms := make([]string, len(log))
	for i, e := range log {
		terms[i] = u64(e.Term)
	}
	return "[" + strings.Join(terms, " ") + "]"
}

// entryTerms renders entries by their terms: [t1 t2].
func entryTerms(entries []Entry) string {
	terms := make([]string, len(entries))
	for i, e := range entries {
		terms[i] = "t" + u64(e.Term)
	}
	return "[" + strings.Join(terms, " ") + "]"
}

func messageText(m Message) string {
	s := fmt.Sprintf("%v->%v %v term %d", m.From, m.To, m.Type, m.Term)
	switch m.Type {
	case MsgRequestVote, MsgPreVote:
		s += fmt.Sprintf(" last %d/t%d", m.LastLogIndex, m.LastLogTerm)
	case MsgRequestVoteReply, MsgPreVoteReply:
		if m.Granted {
			s += " granted"
		} else {
			s += " denied"
		}
	case MsgAppendEntries:
		s += fmt.Sprintf(" prev %d/t%d", m.PrevLogIndex, m.PrevLogTerm)
		if k := uint64(len(m.Entries)); k > 0 {
			s += " entries " + u64(m.PrevLogIndex+1)
			if k > 1 {
				s += "-" + u64(m.PrevLogIndex+k)
			}
			s += " " + entryTerms(m.Entries)
		}
		s += fmt.Sprintf(" commit %d", m.LeaderCommit)
	case MsgAppendEntriesReply:
		if m.Success {
			s += fmt.Sprintf(" ok, matches up to %d", m.Index)
		} else {
			s += fmt.Sprintf(" refuses prev %d (log ends at %d)", m.Index, m.LastLogIndex)
		}
	}
	return s
}

// eventText renders an event as raftty's event log does: what the node
// did, then why.
func eventText(e Event) string {
	var s string
	switch e.Kind {
	case EventState:
		s = fmt.Sprintf("%v becomes %v in term %d", e.Node, e.Role, e.Term)
	case EventVote:
		verb, what := "denies", "vote"
		if e.Granted {
			verb = "grants"
		}
		if e.PreVote {
			what = "pre-vote"
		}
		s = fmt.Sprintf("%v %s %s to %v for term %d", e.Node, verb, what, e.Peer, e.Term)
	case EventTimeout:
		s = fmt.Sprintf("%v times out in term %d", e.Node, e.Term)
	case EventIgnore:
		s = fmt.Sprintf("%v ignores %v from %v (term %d)", e.Node, e.Type, e.Peer, e.Term)
	case EventAppend:
		s = fmt.Sprintf("%v appends %s", e.Node, indexes(e))
		if e.Peer == None {
			s += fmt.Sprintf(" in term %d", e.Term)
		}
	case EventTruncate:
		s = fmt.Sprintf("%v deletes %s", e.Node, indexes(e))
	case EventCommit:
		s = fmt.Sprintf("%v commits %s", e.Node, indexRange(e.Index-uint64(e.Count)+1, e.Index))
	case EventHold:
		s = fmt.Sprintf("%v does not commit index %d", e.Node, e.Index)
	case EventReject:
		s = fmt.Sprintf("%v rejects %v from %v", e.Node, e.Type, e.Peer)
	case EventBackOff:
		s = fmt.Sprintf("%v backs off for %v to nextIndex %d", e.Node, e.Peer, e.Index)
	case EventRedirect:
		s = fmt.Sprintf("%v refuses a client's command", e.Node)
	default:
		s = fmt.Sprintf("%v: unknown event %d", e.Node, e.Kind)
	}
	return s + ": " + e.Why()
}

// indexes renders the entries an event is about: "index 4", "indexes 4-6".
func indexes(e Event) string {
	return indexRange(e.Index, e.Index+uint64(max(e.Count, 1))-1)
}
