package scenario

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"raftty/cluster"
)

// Expectation is an outcome a scenario checks at a virtual time, or at the
// end of a run:
//
//	expect leader                 some node leads (see cluster.Leader)
//	expect no-leader              none does
//	expect leader 2 | leader not 2
//	expect no violation           no invariant broke so far
//	expect METRIC OP VALUE        e.g. term >= 3, leader-changes >= 5, leader-age >= 2s,
//	                              committed >= 3, behind == 0 (live logs unlike the leader's)
//
// In a comparison of two worlds an expectation is checked in both, unless
// it names one first: "expect a leaders-elected == 3", "expect b leader 1".
type Expectation struct {
	Text string // as written, for messages
	// World is the world it is checked in (0: every world there is).
	World  cluster.World
	kind   expectKind
	node   int
	metric string
	op     string
	value  float64
}

type expectKind uint8

const (
	expectLeader expectKind = iota
	expectNoLeader
	expectLeaderIs
	expectLeaderNot
	expectNoViolation
	expectMetric
)

// metric reads one number off a cluster; durations are in nanoseconds.
type metric struct {
	duration bool
	read     func(c *cluster.Cluster) float64
}

// Metrics are the names `expect METRIC OP VALUE` accepts.
var metrics = map[string]metric{
	"term":            {read: func(c *cluster.Cluster) float64 { return float64(c.MaxTerm()) }},
	"leaders":         {read: func(c *cluster.Cluster) float64 { return float64(len(c.Leaders())) }},
	"leader-changes":  {read: stat(func(s cluster.Stats) int { return s.LeaderChanges })},
	"leaders-elected": {read: stat(func(s cluster.Stats) int { return s.LeadersElected })},
	"elections":       {read: stat(func(s cluster.Stats) int { return s.Elections })},
	"split-votes":     {read: stat(func(s cluster.Stats) int { return s.SplitVotes })},
	"prevotes":        {read: stat(func(s cluster.Stats) int { return s.PreVotes })},
	"violations":      {read: stat(func(s cluster.Stats) int { return s.Violations })},
	"committed":       {read: stat(func(s cluster.Stats) int { return s.Committed })},
	"backoffs":        {read: stat(func(s cluster.Stats) int { return s.BackOffs })},
	"deleted":         {read: stat(func(s cluster.Stats) int { return s.Deleted })},
	"behind":          {read: func(c *cluster.Cluster) float64 { return float64(c.Behind()) }},
	"leader-age": {duration: true, read: func(c *cluster.Cluster) float64 {
		if c.Leader() == 0 {
			return 0
		}
		return float64(c.Now() - c.Stats().LeaderSince)
	}},
	"no-leader-time": {duration: true, read: func(c *cluster.Cluster) float64 { return float64(c.Stats().NoLeader) }},
}

func stat(f func(cluster.Stats) int) func(c *cluster.Cluster) float64 {
	return func(c *cluster.Cluster) float64 { return float64(f(c.Stats())) }
}

// MetricNames lists the metrics, sorted.
func MetricNames() []string {
	names := make([]string, 0, len(metrics))
	for n := range metrics {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

var ops = []string{">=", "<=", "==", "!=", ">", "<"}

func parseExpectation(args []string) (Expectation, error) {
	x := Expectation{Text: strings.Join(args, " ")}
	if len(args) > 1 && (args[0] == "a" || args[0] == "b") {
		x.World = cluster.WorldA
		if args[0] == "b" {
			x.World = cluster.WorldB
		}
		args = args[1:]
	}
	switch {
	case len(args) == 1 && args[0] == "leader":
		x.kind = expectLeader
	case len(args) == 1 && args[0] == "no-leader":
		x.kind = expectNoLeader
	case len(args) == 2 && args[0] == "no" && args[1] == "violation":
		x.kind = expectNoViolation
	case len(args) == 2 && args[0] == "leader":
		id, err := parseNode(args[1])
		x.kind, x.node = expectLeaderIs, id
		return x, err
	case len(args) == 3 && args[0] == "leader" && args[1] == "not":
		id, err := parseNode(args[2])
		x.kind, x.node = expectLeaderNot, id
		return x, err
	case len(args) == 3:
		return x, x.parseMetric(args)
	default:
		return x, fmt.Errorf("expect %q: want leader, no-leader, leader N, leader not N, no violation, or METRIC OP VALUE (metrics: %s), after a or b to name one world",
			x.Text, strings.Join(MetricNames(), ", "))
	}
	return x, nil
}

func (x *Expectation) parseMetric(args []string) error {
	m, ok := metrics[args[0]]
	if !ok {
		return fmt.Errorf("expect: unknown metric %q (want one of %s)", args[0], strings.Join(MetricNames(), ", "))
	}
	if !slices.Contains(ops, args[1]) {
		return fmt.Errorf("expect %s: unknown comparison %q (want one of %s)", args[0], args[1], strings.Join(ops, " "))
	}
	x.kind, x.metric, x.op = expectMetric, args[0], args[1]
	if m.duration {
		d, err := cluster.ParseDuration(args[2])
		if err != nil {
			return fmt.Errorf("expect %s: %q: %w", args[0], args[2], err)
		}
		x.value = float64(d)
		return nil
	}
	v, err := strconv.ParseFloat(args[2], 64)
	if err != nil {
		return fmt.Errorf("expect %s: %q is not a number", args[0], args[2])
	}
	x.value = v
	return nil
}

// Check evaluates the expectation on c now: whether it holds and what was
// found.
func (x Expectation) Check(c *cluster.Cluster) (bool, string) {
	leader := c.Leader()
	got := "no leader"
	if leader != 0 {
		got = fmt.Sprintf("leader n%d", leader)
	}
	switch x.kind {
	case expectLeader:
		return leader != 0, got
	case expectNoLeader:
		return leader == 0, got
	case expectLeaderIs:
		return leader == x.node, got
	case expectLeaderNot:
		return leader != 0 && leader != x.node, got
	case expectNoViolation:
		v := c.Violations()
		return v == 0, fmt.Sprintf("%d violations", v)
	}
	m := metrics[x.metric]
	v := m.read(c)
	got = strconv.FormatFloat(v, 'g', -1, 64)
	if m.duration {
		got = time.Duration(v).Round(time.Millisecond).String()
	}
	return compare(v, x.op, x.value), got
}

func compare(a float64, op string, b float64) bool {
	switch op {
	case ">=":
		return a >= b
	case "<=":
		return a <= b
	case "==":
		return a == b
	case "!=":
		return a != b
	case ">":
		return a > b
	}
	return a < b
}
