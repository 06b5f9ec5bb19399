package scenario

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"raftty/cluster"
	"raftty/raft"
)

// Validate checks every step's node ids against a cluster of the given size,
// so that a script naming node 7 of 5 is refused before the run starts.
func (s *Script) Validate(nodes int) error {
	for _, st := range append(slices.Clone(s.Steps), s.Final...) {
		ids := st.Nodes
		for _, g := range st.Groups {
			ids = append(ids[:len(ids):len(ids)], g...)
		}
		if st.Action == ActExpect {
			ids = []int{st.Expect.node}
		}
		for _, id := range ids {
			if id > nodes {
				return fmt.Errorf("%s: no node %d (nodes are 1..%d)", st.Source, id, nodes)
			}
		}
	}
	return nil
}

// Add appends steps (from --at flags, say) and keeps the time order.
func (s *Script) Add(steps ...Step) {
	s.Steps = append(s.Steps, steps...)
	s.Sort()
}

// Apply carries out the step on c at c's current time.
func (st Step) Apply(c *cluster.Cluster) error {
	switch st.Action {
	case ActPartition:
		return c.Partition(st.Groups)
	case ActCut:
		return c.Cut(st.Nodes[0], st.Nodes[1], st.OneWay)
	case ActLink:
		return c.Link(st.Nodes[0], st.Nodes[1])
	case ActHeal:
		c.Heal()
		return nil
	case ActSet:
		return applySetting(c, st.Param, st.Value)
	case ActLog:
		return applyLog(c, st)
	case ActExplain:
		c.Explain(st.Text)
		return nil
	case ActExpect:
		ok, got := st.Expect.Check(c)
		c.ReportExpectation(st.Expect.Text, st.Source, ok, got)
		return nil
	}
	var errs []error
	for _, id := range st.Nodes {
		if id == Leader {
			if id = c.Leader(); id == 0 {
				errs = append(errs, errors.New("there is no leader"))
				continue
			}
		}
		errs = append(errs, applyToNode(c, st.Action, id))
	}
	return errors.Join(errs...)
}

func applyToNode(c *cluster.Cluster, action string, id int) error {
	switch action {
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
	return fmt.Errorf("unknown action %q", action)
}

// applyLog appends st.Value entries to the logs of st.Nodes, "leader"
// resolved now.
func applyLog(c *cluster.Cluster, st Step) error {
	count, err := strconv.Atoi(st.Value)
	if err != nil {
		return fmt.Errorf("log append %q: want a count", st.Value)
	}
	ids := slices.Clone(st.Nodes)
	for i, id := range ids {
		if id == Leader {
			if ids[i] = c.Leader(); ids[i] == 0 {
				return errors.New("there is no leader")
			}
		}
	}
	return c.AppendLog(ids, count)
}

func applySetting(c *cluster.Cluster, name, value string) error {
	s, err := ParseSetting(name, value)
	if err != nil {
		return err
	}
	t := c.Config().Timing
	switch name {
	case "election-timeout":
		return c.SetTiming(raft.Timing{ElectionMin: s.Min, ElectionMax: s.Max, Heartbeat: t.Heartbeat})
	case "heartbeat":
		return c.SetTiming(raft.Timing{ElectionMin: t.ElectionMin, ElectionMax: t.ElectionMax, Heartbeat: s.Min})
	case "latency":
		return c.SetLatency(s.Min, s.Max)
	case "drop":
		return c.SetDropRate(s.Rate)
	case "prevote":
		c.SetPreVote(s.On)
	case "checkquorum":
		c.SetCheckQuorum(s.On)
	case "disk-write":
		return c.SetDiskWrite(s.Min)
	}
	return nil
}

// Player plays a script against a cluster as virtual time advances.
type Player struct {
	script *Script
	next   int
}

// NewPlayer returns a player at the start of script (nil plays nothing).
func NewPlayer(script *Script) *Player {
	if script == nil {
		script = &Script{}
	}
	return &Player{script: script}
}

// Fork returns a copy of p at the same point of its script, for time
// travel (see cluster.Forker). The script itself is shared: it never
// changes once playing.
func (p *Player) Fork() cluster.Advancer {
	q := *p
	return &q
}

// NextAt returns the time of the next step to play.
func (p *Player) NextAt() (time.Duration, bool) {
	if p.next >= len(p.script.Steps) {
		return 0, false
	}
	return p.script.Steps[p.next].At, true
}

// PlayDue carries out every step due at or before c's current time. A step
// that fails becomes an error event in the stream.
func (p *Player) PlayDue(c *cluster.Cluster) {
	for p.next < len(p.script.Steps) && p.script.Steps[p.next].At <= c.Now() {
		st := p.script.Steps[p.next]
		p.next++
		if err := st.Apply(c); err != nil {
			c.ReportError(fmt.Errorf("%s: %s: %w", st.Source, st.Action, err))
		}
	}
}

// Finish checks the script's end-of-run expectations on c.
func (p *Player) Finish(c *cluster.Cluster) {
	for _, st := range p.script.Final {
		_ = st.Apply(c)
	}
}

// RunUntil runs c to virtual time t, carrying out each step at its time.
func (p *Player) RunUntil(c *cluster.Cluster, t time.Duration) {
	for {
		at, ok := p.NextAt()
		if !ok || at > t {
			break
		}
		c.RunUntil(at)
		p.PlayDue(c)
	}
	c.RunUntil(t)
}
