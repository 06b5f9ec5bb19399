// Package scenario reads timed cluster commands, the lines of a scenario
// file or of `--at` flags, and plays them against a cluster:
//
//	# the leader dies, another is elected
//	at 1.5s disconnect 2
//	at 3s kill leader
//	at 4s partition 1,2 | 3,4,5
//	at 4s cut 1 -> 2
//	at 5s heal
//	at 6s set heartbeat 3s
//
// A scenario file may also say what it is and what to watch, set up the
// cluster, and check outcomes:
//
//	title The leader crashes
//	explain Five nodes elect a leader; at 2s it dies. Watch the timers drain.
//	nodes 5
//	seed 7
//	for 6s
//	at 2s explain The leader is dead: nobody resets the followers' timers.
//	at 4s expect leader
//	expect no violation            # no "at": checked at the end of the run
//
// A line that cannot be read is an error naming the file, the line and what
// is wrong; a command that cannot be carried out when its time comes ("kill
// leader" with no leader) is an error event in the run.
package scenario

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"raftty/cluster"
)

// Leader stands for "whoever leads at that moment" where a node id goes.
const Leader = cluster.LeaderNode

// The scenario-only actions: they say or check something and leave the
// cluster as it is, so they are steps of a script, not cluster.Commands.
const (
	ActExplain = "explain"
	ActExpect  = "expect"
)

// Params are the names `set` accepts.
var Params = paramNames()

func paramNames() []string {
	var names []string
	for _, p := range cluster.Params() {
		names = append(names, p.String())
	}
	return names
}

// Step is one timed line of a scenario: a command for the cluster, or an
// explain or expect step, which belong to the scenario (they do not change
// the cluster, so they are not cluster.Commands).
type Step struct {
	At time.Duration
	// Cmd is what the step does to the cluster; its Action is zero for
	// explain and expect.
	Cmd cluster.Command
	// Text is what an explain step says.
	Text string
	// Expect is what an expect step checks.
	Expect *Expectation
	// Source says where the step was written, for error messages:
	// "scenario.txt:4" or `--at "3s kill leader"`.
	Source string
}

// IsExplain and IsExpect tell the scenario-only steps apart.
func (st Step) IsExplain() bool { return st.Cmd.Action == 0 && st.Expect == nil && st.Text != "" }
func (st Step) IsExpect() bool  { return st.Expect != nil }

// String prints the step as a scenario line without its time.
func (st Step) String() string {
	switch {
	case st.IsExpect():
		return ActExpect + " " + st.Expect.Text
	case st.IsExplain():
		return ActExplain + " " + st.Text
	}
	return st.Cmd.String()
}

// Script is a parsed scenario: its steps in time order.
type Script struct {
	Name string
	// Title and Explain say what the scenario shows and what to watch.
	Title   string
	Explain string
	// Nodes, Seed and For set up the run unless the command line does:
	// zero (HasSeed false) means not given.
	Nodes   int
	Seed    uint64
	HasSeed bool
	For     time.Duration
	// ForSource says where the for line is ("scenario.txt:3").
	ForSource string
	// Settings are the parameters the header sets ("heartbeat 50ms",
	// "prevote on"), as set commands, in the order written; the command
	// line's flags win over them when given explicitly.
	Settings []cluster.Command
	// UnsafeForgetVotes is the header's "unsafe-forget-votes on": the run
	// breaks Raft on purpose (chaos writes it to replay such a failure).
	UnsafeForgetVotes bool
	// Engine and Tick are the header's "engine etcd" (an engine's name or
	// cluster.EtcdServer) and "tick 10ms": "" and zero if not given.
	Engine string
	Tick   time.Duration
	// Only is the engine the scenario's lesson holds on, if it holds on
	// one only ("only textbook REASON"), and OnlyWhy the reason: what
	// the other engine does instead.
	Only    cluster.Engine
	OnlyWhy string
	HasOnly bool
	// Compare is the header's "compare KEY=VALUE" lines: the run is two
	// worlds, B being A with these differences (see cluster.Worlds).
	Compare []cluster.Compare
	// sources says where each header line that sets up the cluster was
	// written, by its first word ("max-entries": "23-figure-8:6"), so
	// that a setup no cluster could run names its line (see Setup).
	sources map[string]string
	Steps   []Step
	// Final are the expectations checked at the end of a run.
	Final []Step
}

// Parse reads a scenario: one step per line, `#` starts a comment. Lines
// may end in LF, CRLF or CR alone (as old Mac editors save). name is used
// in error messages ("name:4: ..."). A file with nothing but blank lines
// and comments is an error: nothing to run is a mistake, not a plan.
func Parse(name string, r io.Reader) (*Script, error) {
	s := &Script{Name: name}
	sc := bufio.NewScanner(r)
	sc.Split(scanLines)
	once := map[string]int{} // directive -> the line that gave it
	read := false
	lineNo := 1
	for ; sc.Scan(); lineNo++ {
		line := sc.Text()
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\ufeff") // a byte-order mark, as some editors save
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		read = true
		source := fmt.Sprintf("%s:%d", name, lineNo)
		if word := strings.Fields(line)[0]; oneOnly(word) {
			if first, ok := once[word]; ok {
				return nil, fmt.Errorf("%s: a second %s line (the first is line %d): say it once", source, word, first)
			}
			once[word] = lineNo
		}
		handled, err := s.parseDirective(line, source)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		if word := strings.Fields(line)[0]; handled && oneOnly(word) {
			if s.sources == nil {
				s.sources = map[string]string{}
			}
			s.sources[word] = source
		}
		if handled {
			continue
		}
		step, err := ParseLine(line)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		step.Source = source
		s.Steps = append(s.Steps, step)
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return nil, fmt.Errorf("%s:%d: line longer than %d KiB", name, lineNo, bufio.MaxScanTokenSize>>10)
	} else if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !read {
		return nil, fmt.Errorf("%s: nothing to run: the file has only blank lines and comments", name)
	}
	s.Sort()
	return s, nil
}

// oneOnly reports whether a header directive may be given once only: all
// but explain (its lines join) and expect (each is one more check).
func oneOnly(word string) bool {
	switch word {
	case "title", "nodes", "seed", "for", "unsafe-forget-votes", "engine", "tick", "only":
		return true
	}
	_, isParam := cluster.ParamNamed(word)
	return isParam
}

// scanLines is bufio.ScanLines for the three line ends: LF, CRLF and a
// lone CR each end a line, and CRLF counts once.
func scanLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		switch {
		case data[i] == '\n':
			return i + 1, data[:i], nil
		case i+1 < len(data) && data[i+1] == '\n':
			return i + 2, data[:i], nil
		case i+1 < len(data) || atEOF:
			return i + 1, data[:i], nil
		}
		return 0, nil, nil // a CR at the end of what was read: is an LF next?
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// parseDirective reads a line that is not a timed step: title, explain,
// nodes, seed, for, a parameter, and an expect checked at the end of the
// run.
func (s *Script) parseDirective(line, source string) (bool, error) {
	word, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	rest = strings.TrimSpace(rest)
	var err error
	switch word {
	case "title":
		s.Title = rest
	case "explain":
		s.Explain = strings.TrimSpace(s.Explain + " " + rest)
	case "nodes":
		if s.Nodes, err = strconv.Atoi(rest); err != nil || s.Nodes < 1 {
			return true, fmt.Errorf("nodes %q: want a number from 1", rest)
		}
		if s.Nodes > cluster.MaxNodes {
			return true, fmt.Errorf("nodes %d: raftty simulates 1 to %d nodes", s.Nodes, cluster.MaxNodes)
		}
	case "seed":
		if s.Seed, err = strconv.ParseUint(rest, 10, 64); err != nil {
			return true, fmt.Errorf("seed %q: want a whole number from 0", rest)
		}
		s.HasSeed = true
	case "for":
		s.ForSource = source
		if s.For, err = cluster.ParseDuration(rest); err != nil || s.For == 0 {
			return true, fmt.Errorf("for %q: want a positive duration", rest)
		}
	case "unsafe-forget-votes":
		if s.UnsafeForgetVotes, err = cluster.ParseOnOff(rest); err != nil {
			return true, fmt.Errorf("unsafe-forget-votes %q: %w", rest, err)
		}
	case "engine":
		if err := cluster.UseEngine(&cluster.Config{}, rest, nil); err != nil {
			return true, err
		}
		s.Engine = rest
	case "tick":
		if s.Tick, err = cluster.ParseDuration(rest); err != nil || s.Tick == 0 {
			return true, fmt.Errorf("tick %q: want a positive duration, like 10ms", rest)
		}
	case "only":
		name, why, _ := strings.Cut(rest, " ")
		e, ok := cluster.EngineNamed(name)
		if !ok || strings.TrimSpace(why) == "" {
			return true, fmt.Errorf("only %q: want an engine and the reason the lesson holds on it only, like \"only textbook etcd ignores ...\"", rest)
		}
		s.Only, s.OnlyWhy = e, strings.TrimSpace(why)
		s.HasOnly = true
	case "expect":
		x, err := parseExpectation(strings.Fields(rest))
		if err != nil {
			return true, err
		}
		s.Final = append(s.Final, Step{Expect: &x, Source: source})
	case "compare":
		return true, s.parseCompare(rest)
	default:
		p, ok := cluster.ParamNamed(word)
		if !ok {
			return false, nil
		}
		if len(strings.Fields(rest)) != 1 {
			return true, fmt.Errorf("%s takes one value, like %q, got %q", word,
				word+" "+cluster.SetCommand(p, cluster.DefaultConfig()).Value(), rest)
		}
		cmd, err := parseSet([]string{word, rest})
		if err != nil {
			return true, err
		}
		s.Settings = append(s.Settings, cmd)
	}
	return true, nil
}

// parseCompare reads a compare line's KEY=VALUE pairs.
func (s *Script) parseCompare(rest string) error {
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return errors.New(`compare takes KEY=VALUE, like "compare prevote=on"`)
	}
	for _, f := range fields {
		c, err := cluster.ParseCompare(f)
		if err != nil {
			return fmt.Errorf("compare %w", err)
		}
		for _, had := range s.Compare {
			if had.Key() == c.Key() {
				return fmt.Errorf("compare %s: %s is compared already (%s)", f, c.Key(), had)
			}
		}
		s.Compare = append(s.Compare, c)
	}
	return nil
}

// WorldB returns the first expectation that names world B: a run without
// a comparison has no world B to check it in.
func (s *Script) WorldB() (Step, bool) {
	for _, st := range append(slices.Clone(s.Steps), s.Final...) {
		if st.IsExpect() && st.Expect.World == cluster.WorldB {
			return st, true
		}
	}
	return Step{}, false
}

// Sort orders the steps by time, keeping the written order of steps at the
// same time.
func (s *Script) Sort() {
	slices.SortStableFunc(s.Steps, func(a, b Step) int {
		switch {
		case a.At < b.At:
			return -1
		case a.At > b.At:
			return 1
		}
		return 0
	})
}

// ParseLine reads one step: "at T ACTION ARGS", or "T ACTION ARGS" as the
// --at flag takes it.
func ParseLine(line string) (Step, error) {
	f := strings.Fields(line)
	if len(f) > 0 && f[0] == "at" {
		f = f[1:]
	}
	if len(f) == 0 {
		return Step{}, errors.New(`empty step: want "at TIME ACTION", e.g. "at 2s kill leader"`)
	}
	at, err := cluster.ParseDuration(f[0])
	if err != nil {
		return Step{}, fmt.Errorf("time %q: %w", f[0], err)
	}
	if len(f) < 2 {
		return Step{}, fmt.Errorf("no action after %s", f[0])
	}
	step := Step{At: at}
	args := f[2:]
	switch word := f[1]; word {
	case ActExplain:
		step.Text = strings.Join(args, " ")
		if step.Text == "" {
			err = errors.New("explain needs a text")
		}
	case ActExpect:
		var x Expectation
		x, err = parseExpectation(args)
		step.Expect = &x
	default:
		a, ok := cluster.ActionNamed(word)
		switch {
		case !ok:
			return step, fmt.Errorf("unknown action %q (want one of %s)", word, strings.Join(Actions(), ", "))
		case a.Paces():
			return step, fmt.Errorf("%s paces the live view; a scenario cannot use it", word)
		}
		step.Cmd, err = ParseCommand(strings.Join(f[1:], " "))
	}
	return step, err
}

// Actions lists every action a scenario step can take.
func Actions() []string {
	var names []string
	for _, a := range cluster.Actions() {
		if !a.Paces() {
			names = append(names, a.String())
		}
	}
	return append(names, ActExplain, ActExpect)
}

// CommandNames lists every action ParseCommand takes, pacing included: the
// words the live view's command line completes.
func CommandNames() []string {
	var names []string
	for _, a := range cluster.Actions() {
		names = append(names, a.String())
	}
	return names
}

// ParseCommand reads a scenario line without its time ("kill 2,3",
// "cut 1 -> 2", "partition 1,2 | 3,4,5", "set drop 30%", "speed 0.5") into
// the command it names. It is the one parser of the command language: the
// scenario files, the --at flags and the live view's command line all use
// it, and for every command it accepts, ParseCommand(cmd.String()) gives
// cmd back. Node ids are checked against a cluster's size later
// (Command.Check), when the size is known.
func ParseCommand(text string) (cluster.Command, error) {
	f := strings.Fields(text)
	if len(f) == 0 {
		return cluster.Command{}, errors.New(`empty command: want an action, e.g. "kill leader"`)
	}
	a, ok := cluster.ActionNamed(f[0])
	if !ok {
		return cluster.Command{}, fmt.Errorf("unknown action %q (want one of %s)", f[0], strings.Join(CommandNames(), ", "))
	}
	cmd := cluster.Command{Action: a}
	args := f[1:]
	var err error
	switch {
	case a.TakesNodes():
		cmd.Nodes, err = parseNodeArg(a, args)
	case a == cluster.ActPartition:
		cmd.Groups, err = parseGroups(strings.Join(args, " "))
	case a == cluster.ActCut || a == cluster.ActLink:
		cmd.Nodes, cmd.OneWay, err = parseLink(a, args)
	case a == cluster.ActSet:
		cmd, err = parseSet(args)
	case a == cluster.ActSpeed:
		cmd.Speed, err = parseSpeed(args)
	case a == cluster.ActLog:
		cmd.Nodes, cmd.Count, err = parseLog(args)
	case a == cluster.ActPut:
		cmd.Nodes, cmd.Data, err = parsePut(args)
	case a == cluster.ActSlowVotes || a == cluster.ActSlowMessages:
		if len(args) != 1 {
			err = fmt.Errorf("%s takes on or off, got %q", a, strings.Join(args, " "))
		} else if cmd.On, err = cluster.ParseOnOff(args[0]); err != nil {
			err = fmt.Errorf("%s %s: %w", a, args[0], err)
		}
	default: // heal, pause, resume, step
		if len(args) > 0 {
			err = fmt.Errorf("%s takes no arguments, got %q", a, strings.Join(args, " "))
		}
	}
	if err != nil {
		return cluster.Command{}, err
	}
	return cmd, nil
}

func parseNodeArg(a cluster.Action, args []string) ([]int, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf(`%s takes one node, a list like 1,2 or "leader", got %q`, a, strings.Join(args, " "))
	}
	if args[0] == "leader" {
		return []int{Leader}, nil
	}
	return ParseNodeList(args[0])
}

// parseLink reads "1 2", or "1 -> 2" (spaces optional) for a one-way cut.
func parseLink(a cluster.Action, args []string) ([]int, bool, error) {
	rest := strings.Join(args, " ")
	ends := args
	oneWay := false
	if from, to, ok := strings.Cut(rest, "->"); ok && a == cluster.ActCut {
		ends, oneWay = append(strings.Fields(from), strings.Fields(to)...), true
		if len(strings.Fields(from)) != 1 {
			ends = nil
		}
	}
	if len(ends) != 2 {
		if a == cluster.ActCut {
			return nil, false, fmt.Errorf(`cut takes two nodes ("cut 1 2") or a direction ("cut 1 -> 2"), got %q`, rest)
		}
		return nil, false, fmt.Errorf(`link takes two nodes ("link 1 2"), got %q`, rest)
	}
	var ids []int
	for _, e := range ends {
		id, err := parseNode(e)
		if err != nil {
			return nil, false, err
		}
		ids = append(ids, id)
	}
	if ids[0] == ids[1] {
		return nil, false, fmt.Errorf("a link joins two different nodes, got %d twice", ids[0])
	}
	return ids, oneWay, nil
}

// parseSet reads "NAME VALUE" (set heartbeat 3s); an error starts with
// the name and the value ("heartbeat 1ns: ...").
func parseSet(args []string) (cluster.Command, error) {
	if len(args) != 2 {
		return cluster.Command{}, fmt.Errorf("set takes a name and a value (set heartbeat 3s), got %q", strings.Join(args, " "))
	}
	p, ok := cluster.ParamNamed(args[0])
	if !ok {
		return cluster.Command{}, fmt.Errorf("unknown setting %q (want one of %s)", args[0], strings.Join(Params, ", "))
	}
	cmd, err := cluster.ParseValue(p, args[1])
	if err != nil {
		return cluster.Command{}, fmt.Errorf("%s %s: %w", args[0], args[1], err)
	}
	return cmd, nil
}

// parseLog reads "NODES append COUNT": the nodes as kill takes them, then a
// positive count of entries.
func parseLog(args []string) ([]int, int, error) {
	if len(args) != 3 || args[1] != "append" {
		return nil, 0, fmt.Errorf(`log takes nodes, "append" and a count ("log 1,2 append 3"), got %q`, strings.Join(args, " "))
	}
	ids, err := parseNodeArg(cluster.ActLog, args[:1])
	if err != nil {
		return nil, 0, err
	}
	n, err := strconv.Atoi(args[2])
	if err != nil || n < 1 || n > maxLogAppend {
		return nil, 0, fmt.Errorf("log append %s: want a count from 1 to %d", args[2], maxLogAppend)
	}
	return ids, n, nil
}

// parsePut reads "[VALUE] [to NODE]": a client's command, made up if
// missing, for the node named, or for the leader.
func parsePut(args []string) ([]int, string, error) {
	nodes := []int{Leader}
	if n := len(args); n >= 2 && args[n-2] == "to" {
		var err error
		if nodes, err = parseNodeArg(cluster.ActPut, args[n-1:]); err != nil {
			return nil, "", err
		}
		if len(nodes) != 1 {
			return nil, "", fmt.Errorf("put takes one node, or leader, got %q", args[n-1])
		}
		args = args[:n-2]
	}
	switch {
	case len(args) > 1:
		return nil, "", fmt.Errorf(`put takes one value and a node ("put v1 to 2"; "put v1" goes to the leader), got %q`, strings.Join(args, " "))
	case len(args) == 0:
		return nodes, "", nil
	}
	if err := cluster.CheckValue(args[0]); err != nil {
		return nil, "", err
	}
	return nodes, args[0], nil
}

// maxLogAppend bounds one append: a log is for the election restriction to
// compare, and a million entries per step is already more than any lesson
// needs.
const maxLogAppend = 1_000_000

func parseSpeed(args []string) (float64, error) {
	if len(args) != 1 {
		return 0, fmt.Errorf("speed takes one number (speed 0.5), got %q", strings.Join(args, " "))
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(args[0], "x"), 64)
	if err != nil || !(v >= cluster.MinSpeed && v <= cluster.MaxSpeed) {
		return 0, fmt.Errorf("speed %s: want a number from %g to %g", args[0], cluster.MinSpeed, cluster.MaxSpeed)
	}
	return v, nil
}

func parseNode(s string) (int, error) {
	id, err := strconv.Atoi(strings.TrimPrefix(s, "n"))
	if err != nil || id < 1 {
		return 0, fmt.Errorf("node %q: want a node number from 1", s)
	}
	return id, nil
}

// ParseNodeList reads "1,2,3" (n1,n2 also works).
func ParseNodeList(s string) ([]int, error) {
	var ids []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("node list %q has an empty entry", s)
		}
		id, err := parseNode(part)
		if err != nil {
			return nil, err
		}
		if slices.Contains(ids, id) {
			return nil, fmt.Errorf("node %d named twice", id)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func parseGroups(s string) ([][]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New(`partition needs groups, like "1,2 | 3,4,5"`)
	}
	var groups [][]int
	seen := map[int]bool{}
	for _, g := range strings.Split(s, "|") {
		ids, err := ParseNodeList(strings.ReplaceAll(strings.TrimSpace(g), " ", ""))
		if err != nil {
			return nil, fmt.Errorf("partition %q: %w", s, err)
		}
		for _, id := range ids {
			if seen[id] {
				return nil, fmt.Errorf("partition %q: node %d is in two groups", s, id)
			}
			seen[id] = true
		}
		groups = append(groups, ids)
	}
	return groups, nil
}
