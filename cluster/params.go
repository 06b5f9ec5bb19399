package cluster

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"raftty/engine"
)

// Param is a setting that `set` changes, a flag sets and a scenario's
// header names. Everything about one is its row in params: adding a
// parameter is a constant and a row.
type Param uint8

// The parameters `set` takes.
const (
	ParamElectionTimeout Param = iota + 1
	ParamHeartbeat
	ParamLatency
	ParamDrop
	ParamPreVote
	ParamCheckQuorum
	ParamDiskWrite
	ParamNoOp
	ParamUnsafeCommit
	ParamMaxEntries
	ParamLogWrite

	paramEnd // one past the last: the table's size, so that a constant without a row has an empty one
)

// ValueKind is the shape of a parameter's value, which says how it is
// written and where a Command keeps it.
type ValueKind uint8

// The shapes of values.
const (
	RangeValue    ValueKind = iota + 1 // a duration range MIN-MAX ("150ms-300ms"), in Min and Max
	DurationValue                      // one duration ("50ms"), in Min
	RateValue                          // a probability ("0.3" or "30%"), in Rate
	SwitchValue                        // on or off, in On
	CountValue                         // a whole number ("64"), in Count
)

// param is a parameter's row: its name, its words for people, where its
// value lives in a Config (exactly one of rng, dur, rate, sw and cnt, which
// gives its kind), what raftty refuses beyond the value's shape, and how a
// running cluster takes a new value.
type param struct {
	name string
	// label names it in forms; help says what it does, for flags.
	label, help string

	rng  func(*Config) (*time.Duration, *time.Duration)
	dur  func(*Config) *time.Duration
	rate func(*Config) *float64
	sw   func(*Config) *bool
	cnt  func(*Config) *int

	// check refuses a well-formed value raftty cannot simulate.
	check func(Command) error
	// apply hands c.cfg's new value to whatever holds a copy (the nodes,
	// the transport); nil if the cluster reads it from c.cfg when needed.
	apply func(c *Cluster)
}

var params = [paramEnd]param{
	ParamElectionTimeout: {
		name: "election-timeout", label: "election timeout",
		help:  "election timeout range MIN-MAX, drawn anew at every reset",
		rng:   func(c *Config) (*time.Duration, *time.Duration) { return &c.ElectionMin, &c.ElectionMax },
		check: checkTimerValue, apply: (*Cluster).applyTiming,
	},
	ParamHeartbeat: {
		name: "heartbeat", label: "heartbeat",
		help:  "leader heartbeat interval",
		dur:   func(c *Config) *time.Duration { return &c.Heartbeat },
		check: checkTimerValue, apply: (*Cluster).applyTiming,
	},
	ParamLatency: {
		name: "latency", label: "latency",
		help:  "message latency, one way: a range MIN-MAX",
		rng:   func(c *Config) (*time.Duration, *time.Duration) { return &c.LatencyMin, &c.LatencyMax },
		apply: func(c *Cluster) { _ = c.net.SetLatency(c.cfg.LatencyMin, c.cfg.LatencyMax) },
	},
	ParamDrop: {
		name: "drop", label: "drop rate",
		// No percent sign: the man page formats help text with Printf.
		help:  "probability that a message is lost, from 0 (none, the default) to 1, like 0.3; a percentage works too",
		rate:  func(c *Config) *float64 { return &c.DropRate },
		apply: func(c *Cluster) { _ = c.net.SetDropRate(c.cfg.DropRate) },
	},
	ParamPreVote: {
		name: "prevote", label: "PreVote",
		help:  "ask for pre-votes before raising the term (dissertation 9.6)",
		sw:    func(c *Config) *bool { return &c.PreVote },
		apply: (*Cluster).applyPreVote,
	},
	ParamCheckQuorum: {
		name: "checkquorum", label: "CheckQuorum",
		help:  "a leader that loses touch with a majority steps down (dissertation 6.2)",
		sw:    func(c *Config) *bool { return &c.CheckQuorum },
		apply: (*Cluster).applyCheckQuorum,
	},
	ParamDiskWrite: {
		name: "disk-write", label: "disk write",
		help: "how long persisting term and vote takes before a node's messages leave",
		dur:  func(c *Config) *time.Duration { return &c.DiskWrite },
	},
	ParamNoOp: {
		name: "noop", label: "no-op on election",
		help:  "a new leader appends an empty entry at once, which commits what earlier leaders left (dissertation 6.4)",
		sw:    func(c *Config) *bool { return &c.NoOp },
		apply: func(c *Cluster) { c.eachTuner(func(t engine.ReplicationTuner) { t.SetNoOp(c.cfg.NoOp) }) },
	},
	ParamUnsafeCommit: {
		name: "unsafe-commit", label: "unsafe commit",
		help: "break Raft on purpose: a leader commits entries of earlier terms by counting copies (watch Figure 8's lost commit)",
		sw:   func(c *Config) *bool { return &c.UnsafeCommit },
		apply: func(c *Cluster) {
			c.eachTuner(func(t engine.ReplicationTuner) { t.SetUnsafeCommit(c.cfg.UnsafeCommit) })
		},
	},
	ParamMaxEntries: {
		name: "max-entries", label: "entries per AppendEntries",
		help:  "the most log entries one AppendEntries carries (1 shows a catch-up entry by entry)",
		cnt:   func(c *Config) *int { return &c.MaxEntries },
		apply: func(c *Cluster) { c.eachTuner(func(t engine.ReplicationTuner) { t.SetMaxEntries(c.cfg.MaxEntries) }) },
	},
	ParamLogWrite: {
		name: "log-write", label: "log write",
		help: "how long persisting a follower's new entries takes before its answer leaves",
		dur:  func(c *Config) *time.Duration { return &c.LogWrite },
	},
}

var paramNames = func() vocabulary[Param] {
	names := make(vocabulary[Param], len(params))
	for p, row := range params {
		names[p] = row.name
	}
	return names
}()

// String returns the parameter's name as `set` and the flags write it.
func (p Param) String() string { return paramNames.name(p, "Param") }

// ParamNamed returns the parameter called name.
func ParamNamed(name string) (Param, bool) { return paramNames.lookup(name) }

// Params lists every parameter, in the order of the constants.
func Params() []Param { return paramNames.all() }

func (p Param) row() *param {
	if int(p) < len(params) && params[p].name != "" {
		return &params[p]
	}
	return nil
}

// Kind returns the shape of the parameter's value (zero for no parameter).
func (p Param) Kind() ValueKind {
	r := p.row()
	switch {
	case r == nil:
		return 0
	case r.rng != nil:
		return RangeValue
	case r.dur != nil:
		return DurationValue
	case r.rate != nil:
		return RateValue
	case r.cnt != nil:
		return CountValue
	}
	return SwitchValue
}

// Label names the parameter for people: "election timeout".
func (p Param) Label() string {
	if r := p.row(); r != nil {
		return r.label
	}
	return p.String()
}

// Help says what the parameter does, in one line.
func (p Param) Help() string {
	if r := p.row(); r != nil {
		return r.help
	}
	return ""
}

// IsRange reports whether the parameter's value is a duration range
// (Min-Max); heartbeat is one duration (Min).
func (p Param) IsRange() bool { return p.Kind() == RangeValue }

// IsSwitch reports whether the parameter is on or off (On).
func (p Param) IsSwitch() bool { return p.Kind() == SwitchValue }

// SetCommand returns the command that sets p to the value it has in cfg, so
// that a recording's header and a live form speak the same language.
func SetCommand(p Param, cfg Config) Command {
	cmd := Command{Action: ActSet, Param: p}
	r := p.row()
	switch p.Kind() {
	case RangeValue:
		lo, hi := r.rng(&cfg)
		cmd.Min, cmd.Max = *lo, *hi
	case DurationValue:
		cmd.Min = *r.dur(&cfg)
	case RateValue:
		cmd.Rate = *r.rate(&cfg)
	case SwitchValue:
		cmd.On = *r.sw(&cfg)
	case CountValue:
		cmd.Count = *r.cnt(&cfg)
	}
	return cmd
}

// SetConfig changes cfg as the set command cmd would change a running
// cluster: a recording's header and a scenario's directives build the
// starting configuration with it.
func SetConfig(cfg *Config, cmd Command) {
	r := cmd.Param.row()
	switch cmd.Param.Kind() {
	case RangeValue:
		lo, hi := r.rng(cfg)
		*lo, *hi = cmd.Min, cmd.Max
	case DurationValue:
		*r.dur(cfg) = cmd.Min
	case RateValue:
		*r.rate(cfg) = cmd.Rate
	case SwitchValue:
		*r.sw(cfg) = cmd.On
	case CountValue:
		*r.cnt(cfg) = cmd.Count
	}
}

// Value prints the value of a set command as `set` and the flags take it.
func (c Command) Value() string {
	switch c.Param.Kind() {
	case RangeValue:
		return FormatRange(c.Min, c.Max)
	case DurationValue:
		return FormatDuration(c.Min)
	case RateValue:
		return strconv.FormatFloat(c.Rate, 'g', -1, 64)
	case SwitchValue:
		return OnOff(c.On)
	case CountValue:
		return strconv.Itoa(c.Count)
	}
	return ""
}

// ParseValue reads a value of p as `set`, the flags, a scenario's header
// and the live view's forms write it, into the set command that gives p
// that value. Timers below MinTimer are refused here, so that every way of
// setting them refuses them alike. The error leaves the name and the value
// for the caller to say ("--heartbeat 1ns: ...", "heartbeat 1ns: ...").
func ParseValue(p Param, text string) (Command, error) {
	cmd := Command{Action: ActSet, Param: p}
	var err error
	switch p.Kind() {
	case RangeValue:
		cmd.Min, cmd.Max, err = ParseRange(text)
	case DurationValue:
		cmd.Min, err = ParseDuration(text)
	case RateValue:
		cmd.Rate, err = ParseProbability(text)
	case SwitchValue:
		cmd.On, err = ParseOnOff(text)
	case CountValue:
		cmd.Count, err = ParseCount(text, 1, MaxEntriesLimit)
	default:
		return Command{}, fmt.Errorf("no parameter %v", p)
	}
	if err == nil && p.row().check != nil {
		err = p.row().check(cmd)
	}
	if err != nil {
		return Command{}, err
	}
	return cmd, nil
}

// checkTimerValue refuses a timer that is not positive or is below
// raftty's floor: the minimum election timeout, the heartbeat.
func checkTimerValue(cmd Command) error {
	if cmd.Min <= 0 {
		return errors.New("must be positive")
	}
	return CheckTimer(cmd.Min)
}

// applySet gives the cluster cmd's value for its parameter, now, and
// reports it: one param event per set command, changed or not.
func (c *Cluster) applySet(cmd Command) error {
	r := cmd.Param.row()
	if r == nil {
		return fmt.Errorf("unknown parameter %v", cmd.Param)
	}
	next := c.cfg
	SetConfig(&next, cmd)
	if err := next.Validate(); err != nil {
		return err
	}
	c.cfg = next
	c.eng = next.engine() // nodes built from now on (restarts) take the new value too
	if r.apply != nil {
		r.apply(c)
	}
	c.param(cmd.Param.String(), cmd.Value())
	return nil
}

// applyTiming gives every live node the timing, and nodes restarted later
// have it from c.cfg.
func (c *Cluster) applyTiming() {
	c.retune(engine.CanSetTiming, func(m *member, t engine.Tuner) {
		_ = t.SetTiming(c.now, c.cfg.Timing)
		c.schedule(m)
	})
}

func (c *Cluster) applyPreVote() {
	c.retune(engine.CanSetPreVote, func(_ *member, t engine.Tuner) { t.SetPreVote(c.cfg.PreVote) })
}

// eachTuner hands a replication setting to every live node; nodes
// restarted later take it from c.cfg. Only the textbook engine has these
// settings: Config.Validate refuses them for another.
func (c *Cluster) eachTuner(f func(engine.ReplicationTuner)) {
	for _, m := range c.members[1:] {
		if t, ok := m.node.(engine.ReplicationTuner); ok {
			f(t)
		}
	}
}

func (c *Cluster) applyCheckQuorum() {
	c.retune(engine.CanSetCheckQuorum, func(m *member, t engine.Tuner) {
		t.SetCheckQuorum(c.now, c.cfg.CheckQuorum)
		c.schedule(m)
	})
}

// retune hands a setting to every live node: through tune where the engine
// changes running nodes, else by restarting them all with their storage
// (etcd fixes its settings when it builds a node), which the restarts'
// events say.
func (c *Cluster) retune(can engine.Capability, tune func(*member, engine.Tuner)) {
	if err := c.eng.Supports(can); err != nil {
		c.reboot(err.Error())
		return
	}
	for _, m := range c.members[1:] {
		if m.node != nil {
			tune(m, m.node.(engine.Tuner))
		}
	}
}
