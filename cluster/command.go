package cluster

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Action is what a Command does. Its text form is the word that starts a
// scenario line ("kill", "cut", "set", ...).
type Action uint8

// The actions. The first group changes the cluster and is recorded; the
// second only paces a live cluster (it never changes the event stream, so
// a recording leaves it out).
const (
	ActDisconnect Action = iota + 1
	ActReconnect
	ActKill
	ActRestart
	ActTimeout
	ActPartition
	ActCut
	ActLink
	ActHeal
	ActSet
	ActLog
	ActPut

	ActPause
	ActResume
	ActStep
	ActSpeed
	ActSlowVotes
	ActSlowMessages
)

var actionNames = vocabulary[Action]{
	ActDisconnect: "disconnect", ActReconnect: "reconnect", ActKill: "kill", ActRestart: "restart",
	ActTimeout: "timeout", ActPartition: "partition", ActCut: "cut", ActLink: "link", ActHeal: "heal",
	ActSet: "set", ActLog: "log", ActPut: "put", ActPause: "pause", ActResume: "resume", ActStep: "step", ActSpeed: "speed",
	ActSlowVotes: "slow-votes", ActSlowMessages: "slow-messages",
}

// String returns the action's word in the scenario language.
func (a Action) String() string { return actionNames.name(a, "Action") }

// ActionNamed returns the action whose word is name.
func ActionNamed(name string) (Action, bool) { return actionNames.lookup(name) }

// Actions lists every action, in the order of the constants.
func Actions() []Action { return actionNames.all() }

// TakesNodes reports whether the action names a node list (or "leader").
func (a Action) TakesNodes() bool {
	return a >= ActDisconnect && a <= ActTimeout
}

// Paces reports whether the action only paces a live cluster: pause,
// resume, step, speed. Such commands are not recorded.
func (a Action) Paces() bool { return a >= ActPause && a <= ActSlowMessages }

// The speeds a live cluster takes (speed): virtual time per wall time.
const (
	MinSpeed = 1.0 / 256
	MaxSpeed = 64.0
)

// LeaderNode stands for "whoever leads when the command runs" in a
// command's node list.
const LeaderNode = 0

// Command is one thing a person, a scenario, chaos or a recording can do to
// a cluster. Which fields matter depends on Action; the rest are zero, so
// that two equal commands compare equal with reflect.DeepEqual. Its text
// form is a scenario line without the time: String prints it and
// scenario.ParseCommand reads it back.
type Command struct {
	Action Action
	// Nodes: the nodes acted on (disconnect .. timeout; LeaderNode is the
	// leader), or the two ends of a link (cut, link).
	Nodes []int
	// Groups: a partition's groups.
	Groups [][]int
	// OneWay: cut only the link from Nodes[0] to Nodes[1].
	OneWay bool
	// Param and its value: Min and Max for a range, Min for heartbeat,
	// Rate for drop, On for a switch.
	Param    Param
	Min, Max time.Duration
	Rate     float64
	On       bool
	// Speed: virtual time per wall time (speed). On also says whether
	// slow-votes or slow-messages is on.
	Speed float64
	// Count: how many entries log appends.
	Count int
	// Data: the client's command a put hands a node (Nodes[0], or the
	// leader), one word; empty means one the cluster makes up ("v1", ...).
	Data string
}

// String prints c as a scenario line without its time: "kill 2,3",
// "cut 1 -> 2", "partition 1,2 | 3,4,5", "set drop 0.3", "log 1,2 append 3".
func (c Command) String() string {
	var b strings.Builder
	b.WriteString(c.Action.String())
	switch {
	case c.Action.TakesNodes():
		b.WriteByte(' ')
		b.WriteString(nodeArg(c.Nodes))
	case c.Action == ActCut || c.Action == ActLink:
		if len(c.Nodes) == 2 {
			sep := " "
			if c.OneWay {
				sep = " -> "
			}
			fmt.Fprintf(&b, " %d%s%d", c.Nodes[0], sep, c.Nodes[1])
		}
	case c.Action == ActPartition:
		for i, g := range c.Groups {
			if i > 0 {
				b.WriteString(" |")
			}
			b.WriteByte(' ')
			b.WriteString(nodeArg(g))
		}
	case c.Action == ActSet:
		b.WriteByte(' ')
		b.WriteString(c.Param.String())
		b.WriteByte(' ')
		b.WriteString(c.Value())
	case c.Action == ActSpeed:
		b.WriteByte(' ')
		b.WriteString(strconv.FormatFloat(c.Speed, 'g', -1, 64))
	case c.Action == ActLog:
		fmt.Fprintf(&b, " %s append %d", nodeArg(c.Nodes), c.Count)
	case c.Action == ActPut:
		if c.Data != "" {
			b.WriteByte(' ')
			b.WriteString(c.Data)
		}
		if len(c.Nodes) == 1 && c.Nodes[0] != LeaderNode {
			fmt.Fprintf(&b, " to %d", c.Nodes[0])
		}
	case c.Action == ActSlowVotes || c.Action == ActSlowMessages:
		b.WriteByte(' ')
		b.WriteString(OnOff(c.On))
	}
	return b.String()
}

func nodeArg(ids []int) string {
	if len(ids) == 1 && ids[0] == LeaderNode {
		return "leader"
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(id)
	}
	return strings.Join(parts, ",")
}

// Check reports what is wrong with c for a cluster of n nodes: a node that
// does not exist, a link to itself, a missing argument.
func (c Command) Check(n int) error {
	checkID := func(id int, leaderOK bool) error {
		if id == LeaderNode && leaderOK {
			return nil
		}
		if id < 1 || id > n {
			return fmt.Errorf("no node %d (nodes are 1..%d)", id, n)
		}
		return nil
	}
	switch {
	case c.Action.TakesNodes():
		if len(c.Nodes) == 0 {
			return fmt.Errorf("%s needs a node", c.Action)
		}
		for _, id := range c.Nodes {
			if err := checkID(id, len(c.Nodes) == 1); err != nil {
				return err
			}
		}
	case c.Action == ActCut || c.Action == ActLink:
		if len(c.Nodes) != 2 || c.Nodes[0] == c.Nodes[1] {
			return fmt.Errorf("%s joins two different nodes", c.Action)
		}
		for _, id := range c.Nodes {
			if err := checkID(id, false); err != nil {
				return err
			}
		}
	case c.Action == ActPartition:
		if len(c.Groups) == 0 {
			return errors.New("partition needs at least one group")
		}
		for _, g := range c.Groups {
			for _, id := range g {
				if err := checkID(id, false); err != nil {
					return err
				}
			}
		}
	case c.Action == ActSet:
		if c.Param == 0 {
			return errors.New("set needs a parameter")
		}
	case c.Action == ActPut:
		if len(c.Nodes) != 1 {
			return errors.New(`put goes to one node, or to the leader ("put v1 to 2", "put v1")`)
		}
		if err := CheckValue(c.Data); err != nil {
			return err
		}
		return checkID(c.Nodes[0], true)
	case c.Action == ActLog:
		if len(c.Nodes) == 0 || c.Count < 1 {
			return errors.New(`log takes nodes, "append" and a count ("log 1,2 append 3")`)
		}
		for _, id := range c.Nodes {
			if err := checkID(id, len(c.Nodes) == 1); err != nil {
				return err
			}
		}
	case c.Action == 0:
		return errors.New("no action")
	}
	return nil
}

// Apply carries out c on the cluster at its current time. Every node of a
// node list is tried; the errors are joined, on one line. Pacing actions (pause, speed,
// ...) belong to a live cluster and are an error here.
func (c *Cluster) Apply(cmd Command) error {
	_, err := c.Execute(cmd)
	return err
}

// Execute is Apply that also returns what was done, as a command that
// replays it exactly: "leader" becomes the node that led, and a node list
// keeps only the nodes the action succeeded on. done.Action is zero when
// nothing was done. A recording keeps done, not cmd, so that replaying it
// changes the same things and reports no error the live run did not have.
func (c *Cluster) Execute(cmd Command) (done Command, err error) {
	c.Decide()
	if err := cmd.Check(c.cfg.Nodes); err != nil {
		return Command{}, err
	}
	switch cmd.Action {
	case ActPartition:
		err = c.Partition(cmd.Groups)
	case ActCut:
		err = c.Cut(cmd.Nodes[0], cmd.Nodes[1], cmd.OneWay)
	case ActLink:
		err = c.Link(cmd.Nodes[0], cmd.Nodes[1])
	case ActHeal:
		c.Heal()
	case ActSet:
		err = c.applySet(cmd)
	case ActLog:
		return c.executeLog(cmd)
	case ActPut:
		return c.executePut(cmd)
	default:
		if !cmd.Action.TakesNodes() {
			return Command{}, fmt.Errorf("%s is for a live cluster", cmd.Action)
		}
		return c.executeOnNodes(cmd)
	}
	if err != nil {
		return Command{}, err
	}
	return cmd, nil
}

func (c *Cluster) executeOnNodes(cmd Command) (Command, error) {
	done := Command{Action: cmd.Action}
	var errs []error
	for _, id := range cmd.Nodes {
		if id == LeaderNode {
			if id = c.Leader(); id == 0 {
				errs = append(errs, errors.New("there is no leader"))
				continue
			}
		}
		if err := c.applyToNode(cmd.Action, id); err != nil {
			errs = append(errs, err)
			continue
		}
		done.Nodes = append(done.Nodes, id)
	}
	if len(done.Nodes) == 0 {
		done = Command{}
	}
	return done, joinLine(errs)
}

// joinLine joins errors into one, on one line ("n1 is not dead; n2 is not
// dead"): an error event, a status line and a summary each show one line.
// errors.Is and errors.As still see every part.
func joinLine(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return oneLine(errs)
}

type oneLine []error

func (e oneLine) Error() string {
	parts := make([]string, len(e))
	for i, err := range e {
		parts[i] = err.Error()
	}
	return strings.Join(parts, "; ")
}

func (e oneLine) Unwrap() []error { return e }

// executeLog appends to the logs of the named nodes, "leader" resolved
// now, so that a recording names the node that led.
func (c *Cluster) executeLog(cmd Command) (Command, error) {
	ids := slices.Clone(cmd.Nodes)
	for i, id := range ids {
		if id == LeaderNode {
			if ids[i] = c.Leader(); ids[i] == 0 {
				return Command{}, errors.New("there is no leader")
			}
		}
	}
	if err := c.AppendLog(ids, cmd.Count); err != nil {
		return Command{}, err
	}
	cmd.Nodes = ids
	return cmd, nil
}

// MaxValue bounds the length of a put's value: it is shown in the event
// log and on the map, and a client's command in a lesson is a word.
const MaxValue = 64

// CheckValue reports what is wrong with a put's value: it is one word of
// printable characters, without '#' (a scenario's comment) and not "to".
func CheckValue(v string) error {
	switch {
	case len(v) > MaxValue:
		return fmt.Errorf("put value of %d bytes: at most %d", len(v), MaxValue)
	case v == "to":
		return errors.New(`put value "to": write "put to 2" to make one up, or another word`)
	case strings.ContainsRune(v, '#'):
		return fmt.Errorf("put value %q: '#' starts a comment in a scenario", v)
	}
	for _, r := range v {
		if r <= ' ' || r == 0x7f || !strconv.IsPrint(r) {
			return fmt.Errorf("put value %q: one word of printable characters", v)
		}
	}
	return nil
}

// executePut hands a client's command to a node, "leader" resolved now;
// an empty value becomes the next made-up one, so that a recording replays
// the very command.
func (c *Cluster) executePut(cmd Command) (Command, error) {
	id := cmd.Nodes[0]
	if id == LeaderNode {
		if id = c.Leader(); id == 0 {
			return Command{}, errors.New("there is no leader")
		}
	}
	if cmd.Data == "" {
		cmd.Data = "v" + strconv.Itoa(c.puts+1)
	}
	if err := c.Put(id, cmd.Data); err != nil {
		return Command{}, err
	}
	cmd.Nodes = []int{id}
	return cmd, nil
}

func (c *Cluster) applyToNode(a Action, id int) error {
	switch a {
	case ActDisconnect:
		return c.Disconnect(id)
	case ActReconnect:
		return c.Reconnect(id)
	case ActKill:
		return c.Kill(id)
	case ActRestart:
		return c.Restart(id)
	case ActTimeout:
		return c.Timeout(id)
	}
	return fmt.Errorf("%s does not act on a node", a)
}

// TimedCommand is a command applied at a virtual time: one line of a
// recording.
type TimedCommand struct {
	At  time.Duration
	Cmd Command
}
