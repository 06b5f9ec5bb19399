// Package cluster is raftty's simulator: N raft nodes on a transport, one
// simulated clock, random streams derived from one seed (one per node, one
// per link: see streams) and one scheduler that orders every delivery and
// timer by virtual time. Commands go in; one typed event stream comes out.
//
// The same seed and the same commands at the same virtual times give the
// same event stream, byte for byte. A Cluster is not safe for concurrent
// use: headless runs drive it from one goroutine, and Live owns it in one.
package cluster

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"raftty/engine"
	"raftty/engine/etcd"
	"raftty/engine/textbook"
	"raftty/internal/minheap"
	"raftty/raft"
	"raftty/transport"
)

// MaxNodes is the largest cluster raftty simulates. Every node knows every
// other, so a heartbeat round costs N messages and the link table N²
// entries; beyond this a run is too slow to be worth watching.
const MaxNodes = 1000

// MinTimer is the shortest heartbeat and the shortest minimum election
// timeout raftty simulates. Every heartbeat and every election is a round of
// 2(N-1) messages, each sent and delivered, so the work per virtual second
// grows as 1/heartbeat + 1/timeout: at 1ms a 5-node cluster makes 16,000
// events per virtual second (a virtual hour in about 16 s headless), which
// the live view can still carry at its top speed. Below it the work per
// virtual second explodes (1ns would be a million times more) while nothing
// new can be seen: 1ms is also the timeline's finest column. Latency has no
// floor: it delays messages without adding any.
const MinTimer = time.Millisecond

// MinTick is the shortest tick the etcd engine runs with. Ticks are not
// events (a node counts those that fire nothing when its next input comes),
// but each is a call into etcd: 10,000 per node per virtual second at the
// floor.
const MinTick = 100 * time.Microsecond

// CheckTimer reports a heartbeat or minimum election timeout below MinTimer.
func CheckTimer(d time.Duration) error {
	if d < MinTimer {
		return fmt.Errorf("below raftty's floor of %v (shorter timers make more events than it can simulate)", MinTimer)
	}
	return nil
}

// checkTiming is raft's validation plus raftty's floors.
func checkTiming(t raft.Timing) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if err := CheckTimer(t.ElectionMin); err != nil {
		return fmt.Errorf("election timeout %v: %w", t.ElectionMin, err)
	}
	if err := CheckTimer(t.Heartbeat); err != nil {
		return fmt.Errorf("heartbeat %v: %w", t.Heartbeat, err)
	}
	return nil
}

// Engine names the Raft implementation a cluster's nodes run (see package
// engine). Its String is the word --engine and a scenario's header take.
type Engine uint8

// The engines. The zero Engine is raftty's own.
const (
	// EngineTextbook is raftty's node (package raft): Figure 2 and the
	// dissertation's PreVote and CheckQuorum, timers in durations.
	EngineTextbook Engine = iota
	// EngineEtcd is go.etcd.io/raft/v3's RawNode: etcd's Raft, timers in
	// whole ticks (Config.Tick).
	EngineEtcd
)

var engineNames = vocabulary[Engine]{EngineTextbook: "textbook", EngineEtcd: "etcd"}

// String returns the engine's name.
func (e Engine) String() string { return engineNames.name(e, "Engine") }

// EngineNamed returns the engine called name.
func EngineNamed(name string) (Engine, bool) { return engineNames.lookup(name) }

// Engines lists every engine.
func Engines() []Engine { return engineNames.all() }

// EtcdServer names a preset --engine and a scenario's engine line take
// besides the engines' names: the etcd engine as an etcd server runs it with
// its default flags (--heartbeat-interval 100ms, --election-timeout
// 1000ms): etcd ticks once per heartbeat, so a tick of 100ms, an election
// timeout of 10-19 ticks (1s-1.9s) and a heartbeat of one tick.
const EtcdServer = "etcd-server"

// EngineChoices lists the words --engine takes: every engine, then the
// preset.
func EngineChoices() []string {
	var out []string
	for _, e := range Engines() {
		out = append(out, e.String())
	}
	return append(out, EtcdServer)
}

// UseEngine makes cfg run the engine called name, or the etcd-server
// preset, whose timing replaces cfg's but for the parameters keep names
// (set explicitly elsewhere; keep may be nil).
func UseEngine(cfg *Config, name string, keep func(Param) bool) error {
	if name == EtcdServer {
		eng, timing := etcd.ServerDefaults()
		cfg.Engine, cfg.Tick = EngineEtcd, eng.Tick
		if keep == nil || !keep(ParamElectionTimeout) {
			cfg.ElectionMin, cfg.ElectionMax = timing.ElectionMin, timing.ElectionMax
		}
		if keep == nil || !keep(ParamHeartbeat) {
			cfg.Heartbeat = timing.Heartbeat
		}
		return nil
	}
	e, ok := EngineNamed(name)
	if !ok {
		return fmt.Errorf("no engine %q (choose from %s)", name, strings.Join(EngineChoices(), ", "))
	}
	cfg.Engine = e
	if e != EngineEtcd {
		cfg.Tick = 0
	}
	return nil
}

// Config is what a cluster is made from.
type Config struct {
	Nodes int
	Seed  uint64
	// Engine is the Raft implementation the nodes run.
	Engine Engine
	// Tick is the etcd engine's tick (etcd.DefaultTick if zero): its
	// timeouts are whole numbers of ticks.
	Tick time.Duration
	raft.Timing
	LatencyMin  time.Duration
	LatencyMax  time.Duration
	DropRate    float64
	PreVote     bool
	CheckQuorum bool
	// UnsafeForgetVotes breaks Raft on purpose (see raft.Config): every
	// node grants every vote request of its term.
	UnsafeForgetVotes bool
	// NoOp makes a new leader append an empty entry at once (see
	// raft.Config.NoOp). On by default, as the dissertation advises (section
	// 6.4; the paper's section 8): a leader then learns at once what is
	// committed, and commits what earlier leaders left, without waiting for
	// a client. etcd's leaders always append one, so the etcd engine
	// refuses it off.
	NoOp bool
	// UnsafeCommit breaks Raft on purpose (see raft.Config): a leader
	// commits entries of earlier terms by counting copies.
	UnsafeCommit bool
	// MaxEntries bounds the entries of one AppendEntries, from 1 to
	// MaxEntriesLimit (raft.DefaultMaxEntries by default).
	MaxEntries int
	// DiskWrite is how long one write of term and vote to stable storage
	// takes, and LogWrite one write of the entries a follower appended or
	// deleted: a node whose step changed any of them sends that step's
	// messages only after the writes (see diskWrites), as Figure 2 requires
	// (update stable storage before responding to RPCs). A leader writes its
	// own entries while they travel (see followerLogged). Two durations:
	// the bench's 3ms is the paper's term-and-vote write, which it counts
	// three of on an election's fastest path, and its figures do not move
	// with log writes (etcd's leaders append an entry as they take over). A node killed before its
	// writes end keeps only what reached the disk; the messages waiting for
	// the rest never leave. Zero means an instant disk.
	DiskWrite time.Duration
	LogWrite  time.Duration
	// TimerJitter makes every election timer fire up to this much later
	// than drawn (uniform), as an operating system's timers do; see
	// raft.Config.TimerJitter.
	TimerJitter time.Duration
	// Terse leaves the nodes' reasons out of the events (raft.Config.Terse):
	// for measurements that read none.
	Terse bool
}

// DefaultConfig returns raftty's defaults: 5 nodes, election timeout
// 150-300ms, heartbeat 50ms, latency 1-5ms one way, no loss, the no-op on
// election.
func DefaultConfig() Config {
	return Config{
		Nodes:      5,
		NoOp:       true,
		Timing:     raft.Timing{ElectionMin: 150 * time.Millisecond, ElectionMax: 300 * time.Millisecond, Heartbeat: 50 * time.Millisecond},
		LatencyMin: time.Millisecond,
		LatencyMax: 5 * time.Millisecond,
		MaxEntries: raft.DefaultMaxEntries,
	}
}

// MaxEntriesLimit is the most entries one AppendEntries may carry.
const MaxEntriesLimit = 10_000

// Validate reports what is wrong with c, if anything.
func (c Config) Validate() error {
	if c.Nodes < 1 || c.Nodes > MaxNodes {
		return fmt.Errorf("nodes %d: need 1 to %d", c.Nodes, MaxNodes)
	}
	if err := checkTiming(c.Timing); err != nil {
		return err
	}
	if err := c.checkEngine(); err != nil {
		return err
	}
	if c.LatencyMin < 0 || c.LatencyMin > c.LatencyMax {
		return fmt.Errorf("latency %v-%v: need 0 <= min <= max", c.LatencyMin, c.LatencyMax)
	}
	if !(c.DropRate >= 0 && c.DropRate <= 1) {
		return fmt.Errorf("drop rate %v: need a probability between 0 and 1", c.DropRate)
	}
	if c.DiskWrite < 0 {
		return fmt.Errorf("disk write %v: must not be negative", c.DiskWrite)
	}
	if c.LogWrite < 0 {
		return fmt.Errorf("log write %v: must not be negative", c.LogWrite)
	}
	if c.MaxEntries < 1 || c.MaxEntries > MaxEntriesLimit {
		return fmt.Errorf("max-entries %d: need 1 to %d", c.MaxEntries, MaxEntriesLimit)
	}
	if c.TimerJitter < 0 {
		return fmt.Errorf("timer jitter %v: must not be negative", c.TimerJitter)
	}
	return nil
}

// checkEngine refuses what the engine cannot run, in one line.
func (c Config) checkEngine() error {
	switch c.Engine {
	case EngineTextbook:
		if c.Tick != 0 {
			return fmt.Errorf("tick %v: only the etcd engine counts ticks", c.Tick)
		}
		return nil
	case EngineEtcd:
		switch {
		case c.Tick < 0 || (c.Tick != 0 && c.Tick < MinTick):
			return fmt.Errorf("tick %v: below raftty's floor of %v (a node counts every tick it lives through)", c.Tick, MinTick)
		case c.UnsafeForgetVotes:
			return fmt.Errorf("unsafe-forget-votes breaks the textbook engine only: etcd's nodes keep their votes")
		case c.TimerJitter > 0:
			return fmt.Errorf("timer jitter %v: the etcd engine counts whole ticks, which do not jitter", c.TimerJitter)
		case c.UnsafeCommit:
			return fmt.Errorf("unsafe-commit breaks the textbook engine only: etcd's leaders commit by the rule of section 5.4.2")
		case !c.NoOp:
			return fmt.Errorf("noop off is the textbook engine's switch: etcd's leaders always append an empty entry when elected")
		case c.MaxEntries != raft.DefaultMaxEntries:
			return fmt.Errorf("max-entries %d: the textbook engine's bound; etcd bounds its messages by size", c.MaxEntries)
		}
		return c.engine().CheckTiming(c.Timing)
	}
	return fmt.Errorf("no engine %v", c.Engine)
}

// engine returns the engine that makes the nodes, with the options only it
// has.
func (c Config) engine() engine.Engine {
	if c.Engine == EngineEtcd {
		return etcd.Engine{Tick: c.Tick}
	}
	return textbook.Engine{TimerJitter: c.TimerJitter, UnsafeForgetVotes: c.UnsafeForgetVotes,
		NoOp: c.NoOp, UnsafeCommit: c.UnsafeCommit, MaxEntries: c.MaxEntries}
}

// Cluster is a simulated cluster.
type Cluster struct {
	cfg     Config
	eng     engine.Engine
	now     time.Duration
	streams *streams
	peers   []engine.NodeID
	// pristine is true until the cluster first changes: a step, a fault,
	// a set. Only then can a cluster whose engine cannot copy its nodes
	// be copied (rebuilt: see Clone).
	pristine bool

	members []*member // by node id; index 0 unused
	net     *transport.Network[wire]
	timers  minheap.Heap[timerEntry, *timerEntry]
	seq     uint64
	msgs    uint64 // messages sent so far: the last Event.Msg given out

	sink func(Event)
	// cmp, in one of two compared worlds (see Worlds), takes every event
	// instead of sink, as world number world (0 for A, 1 for B): a method
	// call by reference spares the copy a call through a func value makes
	// (a pointer would escape through one), most of what comparing costs.
	cmp     *comparer
	world   int
	checker checker
	logs    logChecker
	stats   Stats
	leader  int // the effective leader, see Leader
	// inLeaderRole lists, sorted, the live nodes whose last state event
	// made them leader: updateLeader looks only at these, so that a role
	// change costs the same at 1000 nodes as at 5.
	inLeaderRole []int
	// votesInFlight counts the (pre-)vote requests and answers on the
	// wire: the live view slows its clock while there are any, so that an
	// election can be watched (LiveOptions.VoteSlowdown).
	votesInFlight int
	// decision numbers the decisions that made events (see Decide):
	// every event carries its decision's number; deciding says one has
	// begun and made no event yet.
	decision int
	deciding bool
	// puts counts the client commands handed to nodes: a put without a
	// value is given "v" and the next count.
	puts int
	// pending are the commands leaders took that no node has committed
	// yet, by index: when one is, its wait is a commit latency.
	pending map[uint64]pendingPut
}

// pendingPut is a client's command a leader appended, and when.
type pendingPut struct {
	term uint64
	data string
	at   time.Duration
}

// member is one node slot: the running node, or what survives of it.
type member struct {
	id   int
	node engine.Node // nil while dead
	// hard is the node's persistent state (term, vote, end of log) as of
	// its last step: what its next step's disk writes start from (see
	// member.write). While the node is dead it is what survived the kill.
	hard engine.HardState
	// stored is what the node left on its disk when it was last killed:
	// what a restart starts from (nil before any kill).
	stored engine.Storage

	// timerGen identifies the one valid timer entry for this node.
	timerGen     uint64
	timerAt      time.Duration
	timerPending bool

	// busyUntil is when the node's disk writes end. Until then it handles
	// nothing, as a LogCabin server holds its lock while it writes: messages
	// wait in inbox, in arrival order, and a timer that comes due fires
	// late. Both stay empty and zero without a disk write.
	busyUntil time.Duration
	inbox     []queued

	// disk is the term and vote on stable storage, and writes those on
	// their way there (see member.write): a kill keeps only the disk.
	disk   termVote
	writes []pendingWrite
}

// wire is what the transport carries: a raft message and its number, so
// that the events of its delivery or drop name the same message as its send.
type wire struct {
	engine.Message
	id uint64
}

// queued is a message that arrived while its receiver was busy writing.
type queued struct {
	at  time.Duration
	msg engine.Message
}

// New builds a cluster from cfg at virtual time 0. Every event goes to sink
// (which may be nil) as it happens; sink must not call back into the
// cluster.
func New(cfg Config, sink func(Event)) (*Cluster, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Cluster{
		cfg:      cfg,
		eng:      cfg.engine(),
		members:  make([]*member, cfg.Nodes+1),
		sink:     sink,
		pristine: true,
	}
	c.streams = newStreams(cfg.Seed, cfg.Nodes)
	c.checker.init(cfg.Nodes)
	c.logs.init(cfg.Nodes)
	c.stats.init()
	net, err := transport.New[wire](cfg.Nodes, c.streams, cfg.LatencyMin, cfg.LatencyMax, cfg.DropRate)
	if err != nil {
		return nil, err
	}
	c.net = net
	for id := 1; id <= cfg.Nodes; id++ {
		c.peers = append(c.peers, engine.NodeID(id))
	}
	for id := 1; id <= cfg.Nodes; id++ {
		m := &member{id: id}
		c.members[id] = m
		if err := c.start(m); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// start makes m's node from its config and what it stored, if it ever died.
func (c *Cluster) start(m *member) error {
	node, err := c.eng.New(engine.Config{
		ID: engine.NodeID(m.id), Peers: c.peers, Timing: c.cfg.Timing,
		PreVote: c.cfg.PreVote, CheckQuorum: c.cfg.CheckQuorum, Rand: c.streams.timer(m.id),
		Terse: c.cfg.Terse,
	}, m.stored, c.now)
	if err != nil {
		return err
	}
	m.node = node
	m.hard = node.HardState()
	c.schedule(m)
	return nil
}

// EngineName describes the engine and how it runs the current timing, for
// headers: "etcd engine: election timeout 15-29 ticks of 10ms, heartbeat 5
// ticks".
func (c *Cluster) EngineName() string { return c.cfg.EngineName() }

// EngineName describes c's engine and how it runs c's timing.
func (c Config) EngineName() string {
	return c.Engine.String() + " engine: " + c.engine().DescribeTiming(c.Timing)
}

// EtcdTick is the etcd engine's tick: Tick, or etcd's default if zero.
func (c Config) EtcdTick() time.Duration { return cmp.Or(c.Tick, etcd.DefaultTick) }

// EngineShort says the engine and its timing in a few cells, for a narrow
// header: "etcd 15-29×10ms" (an election timeout of ElectionTick to
// 2*ElectionTick-1 ticks of 10ms); the engine's name alone for one that
// keeps time in durations.
func (c Config) EngineShort() string {
	if c.Engine != EngineEtcd {
		return c.Engine.String()
	}
	tick := c.EtcdTick()
	el, _, err := etcd.Engine{Tick: tick}.Ticks(c.Timing)
	if err != nil {
		return c.Engine.String()
	}
	return fmt.Sprintf("%v %d-%d×%v", c.Engine, el, 2*el-1, tick)
}

// Now returns the virtual time.
func (c *Cluster) Now() time.Duration { return c.now }

// Config returns the cluster's current parameters (changed ones included).
func (c *Cluster) Config() Config { return c.cfg }

// Size returns the number of nodes.
func (c *Cluster) Size() int { return c.cfg.Nodes }

// Stats returns the statistics so far.
func (c *Cluster) Stats() Stats {
	s := c.stats
	s.finish(c.now)
	return s
}

// Violations returns the number of invariant violations so far.
func (c *Cluster) Violations() int { return c.stats.Violations }

// NextAt returns the virtual time of the next scheduled delivery or timer.
func (c *Cluster) NextAt() (time.Duration, bool) {
	at, ok := c.net.NextArrival()
	if len(c.timers) > 0 && (!ok || c.timers.Peek().at < at) {
		return c.timers.Peek().at, true
	}
	return at, ok
}

// Step advances the clock to the next scheduled delivery or timer and
// processes it: one decision (see Decide). At equal times messages come
// before timers, and each in the order it was scheduled. It returns false
// if nothing is scheduled.
func (c *Cluster) Step() bool {
	c.pristine = false
	arrival, hasArrival := c.net.NextArrival()
	hasTimer := len(c.timers) > 0
	switch {
	case hasArrival && (!hasTimer || arrival <= c.timers.Peek().at):
		c.now = max(c.now, arrival)
		c.Decide()
		c.deliver()
	case hasTimer:
		t := c.timers.Pop()
		c.now = max(c.now, t.at)
		c.Decide()
		c.fire(t)
	default:
		return false
	}
	return true
}

// RunUntil processes everything scheduled up to and including virtual time
// t, then sets the clock to t (if it is not already past it).
func (c *Cluster) RunUntil(t time.Duration) {
	for {
		at, ok := c.NextAt()
		if !ok || at > t {
			break
		}
		c.Step()
	}
	c.now = max(c.now, t)
}

// RunFor runs for d of virtual time.
func (c *Cluster) RunFor(d time.Duration) { c.RunUntil(c.now + d) }

func (c *Cluster) deliver() {
	env, reason, _ := c.net.Receive()
	msg := &env.Payload
	if msg.Type.IsVote() {
		c.votesInFlight--
	}
	e := Event{At: c.now, Kind: KindDeliver, From: env.From, To: env.To, Type: msg.Type, Term: msg.Term, Msg: msg.id}
	if reason != transport.Delivered {
		e.Kind, e.Reason = KindDrop, reason.String()
		c.emitRef(&e)
		return
	}
	c.emitRef(&e)
	m := c.members[env.To]
	if c.now < m.busyUntil || len(m.inbox) > 0 {
		m.inbox = append(m.inbox, queued{at: c.now, msg: msg.Message})
		c.wake(m)
		return
	}
	m.node.Step(c.now, msg.Message)
	c.afterNode(m)
}

func (c *Cluster) fire(t timerEntry) {
	m := c.members[t.id]
	if m.node == nil || !m.timerPending || t.gen != m.timerGen {
		return // stale: the node died or was rescheduled
	}
	m.timerPending = false
	c.wake(m)
}

// wake lets a node that is not busy writing handle, in time order, what
// waits for it: messages that arrived while it wrote, and its timer if due
// (a message first at equal times, as everywhere). Then it schedules the
// node's next wake-up.
func (c *Cluster) wake(m *member) {
	for c.now >= m.busyUntil {
		deadline := m.node.NextDeadline()
		if len(m.inbox) > 0 && m.inbox[0].at <= deadline {
			q := m.inbox[0]
			m.inbox = m.inbox[1:]
			if len(m.inbox) == 0 {
				m.inbox = nil // let the backing array go
			}
			m.node.Step(c.now, q.msg)
			c.afterNode(m)
			continue
		}
		if deadline > c.now {
			break
		}
		m.node.Tick(c.now)
		c.afterNode(m)
	}
	c.schedule(m)
}

// afterNode reports what a node did in its last step, sends its messages and
// reschedules its timer. If the step changed the node's term, vote or log,
// its messages leave only after the disk writes that persist them.
func (c *Cluster) afterNode(m *member) {
	msgs, events := m.node.Output()
	logged := false // a follower's log write, which takes time
	for i := range events {
		logged = logged || c.cfg.LogWrite > 0 && followerLogged(&events[i])
		if e, ok := fromEngine(c.now, &events[i]); ok {
			c.emit(e)
		}
	}
	hard := m.hard
	if len(events) > 0 { // a step without events changed no hard state (engine.Node)
		hard = m.node.HardState()
	}
	sendAt := m.write(c.now, c.cfg.DiskWrite, c.cfg.LogWrite, m.hard, hard, logged)
	m.busyUntil = max(m.busyUntil, sendAt)
	for i := range msgs {
		c.send(sendAt, &msgs[i])
	}
	m.hard = hard
	c.schedule(m)
}

// followerLogged reports whether e changed a follower's log: entries its
// leader sent, appended or deleted. The step waits for a disk write (see
// diskWrites). A leader's own entries do not: it writes them while its
// AppendEntries are on their way (dissertation 10.2.1; etcd's leaders too),
// and that write is over before any follower can answer, each having to
// write the same entries first; so the leader counts itself at once.
func followerLogged(e *engine.Event) bool {
	switch e.Kind {
	case engine.EventAppend:
		return e.Peer != engine.None && e.Peer != e.Node
	case engine.EventTruncate:
		return true
	}
	return false
}

// send puts msg on the wire at virtual time at (now, or later after a disk
// write). The send event is reported now, in stream order; the message's
// latency counts from at.
func (c *Cluster) send(at time.Duration, msg *engine.Message) {
	c.msgs++
	e := Event{At: c.now, Kind: KindSend, From: int(msg.From), To: int(msg.To), Type: msg.Type, Term: msg.Term, Msg: c.msgs}
	c.emitRef(&e)
	reason, err := c.net.Send(c.now, transport.Envelope[wire]{From: e.From, To: e.To, Payload: wire{*msg, c.msgs}, Delay: at - c.now})
	if err != nil {
		panic(fmt.Sprintf("cluster: a node addressed a message outside the cluster: %v", err))
	}
	if reason != transport.Delivered {
		e.Kind, e.Reason = KindDrop, reason.String()
		c.emitRef(&e)
		return
	}
	if msg.Type.IsVote() {
		c.votesInFlight++
	}
}

// VotesInFlight returns how many (pre-)vote requests and answers are on
// the wire.
func (c *Cluster) VotesInFlight() int { return c.votesInFlight }

// schedule makes sure a timer entry exists at or before the node's next
// deadline. An entry that comes due after the deadline has moved later is
// simply rescheduled by fire, so heartbeats, which push a follower's
// deadline back every time, cost no heap operation.
func (c *Cluster) schedule(m *member) {
	if m.node == nil {
		return
	}
	d := m.node.NextDeadline()
	if len(m.inbox) > 0 {
		d = min(d, m.inbox[0].at)
	}
	d = max(d, m.busyUntil)
	if m.timerPending && m.timerAt <= d {
		return
	}
	m.timerGen++
	m.timerAt, m.timerPending = d, true
	c.seq++
	c.timers.Push(timerEntry{at: d, seq: c.seq, id: m.id, gen: m.timerGen})
}

// fromEngine turns a node's event into the cluster's, or reports false for
// a kind the cluster has no event for.
func fromEngine(now time.Duration, re *engine.Event) (Event, bool) {
	e := Event{At: now, Node: int(re.Node), Term: re.Term, Reason: re.Reason, Because: re.Because}
	switch re.Kind {
	case engine.EventState:
		e.Kind, e.State = KindState, StateOf(re.Role)
	case engine.EventVote:
		e.Kind, e.For, e.Granted, e.PreVote = KindVote, int(re.Peer), re.Granted, re.PreVote
	case engine.EventTimeout:
		e.Kind = KindTimeout
	case engine.EventIgnore:
		e.Kind, e.From, e.Type = KindIgnore, int(re.Peer), re.Type
	case engine.EventAppend:
		e.Kind, e.From, e.Index, e.Count = KindAppend, int(re.Peer), re.Index, re.Count
		if re.Peer == re.Node {
			e.From = 0 // a leader's own entry, as etcd reports it
		}
	case engine.EventTruncate:
		e.Kind, e.From, e.Index, e.Count = KindTruncate, int(re.Peer), re.Index, re.Count
	case engine.EventCommit:
		e.Kind, e.From, e.Index, e.Count = KindCommit, int(re.Peer), re.Index, re.Count
	case engine.EventHold:
		e.Kind, e.Index = KindHold, re.Index
	case engine.EventReject:
		e.Kind, e.From, e.Type, e.Index = KindReject, int(re.Peer), re.Type, re.Index
	case engine.EventBackOff:
		e.Kind, e.To, e.Index = KindBackOff, int(re.Peer), re.Index
	case engine.EventRedirect:
		e.Kind, e.For = KindRedirect, int(re.Peer)
	default:
		return Event{}, false
	}
	return e, true
}

// emit passes e through the invariant checker and statistics, then to the
// sink.
func (c *Cluster) emit(e Event) { c.emitRef(&e) }

// emitRef is emit without copying the event, for the per-message paths
// (send, deliver): an Event is some 300 bytes.
func (c *Cluster) emitRef(e *Event) {
	c.number(e)
	if e.Kind == KindFault {
		c.pristine = false
	}
	c.stats.observe(e)
	switch e.Kind {
	case KindState, KindVote:
	case KindAppend:
		c.violations(c.logs.appended(e, c.logOf))
		c.publish(e)
		return
	case KindTruncate:
		c.logs.truncated(e.Node, e.Index)
		c.publish(e)
		return
	case KindCommit:
		before := len(c.logs.committed)
		c.violations(c.logs.committedTo(e, c.logOf(e.Node)))
		c.firstCommits(before)
		c.publish(e)
		return
	default:
		c.publish(e)
		return
	}
	c.violations(c.checker.observe(e))
	if e.Kind == KindState {
		if e.State == StateLeader {
			c.violations(c.logs.leaderElected(e, c.logOf(e.Node)))
		}
		c.noteRole(e.Node, e.State == StateLeader)
	}
	c.publish(e)
	if e.Kind == KindState {
		c.updateLeader()
	}
}

// firstCommits accounts for the entries committed for the first time, from
// index before+1 on: the cluster's committed count, and the latency of each
// that a leader took from a client.
func (c *Cluster) firstCommits(before int) {
	c.stats.Committed = len(c.logs.committed)
	for i := before; i < len(c.logs.committed); i++ {
		index := uint64(i + 1)
		p, ok := c.pending[index]
		if !ok {
			continue
		}
		delete(c.pending, index)
		if e := c.logs.committed[i]; e.term == p.term && string(e.data) == p.data {
			c.stats.CommitLatencies = append(c.stats.CommitLatencies, c.now-p.at)
		}
	}
}

// violations reports what the checkers found, before the event that
// revealed it.
func (c *Cluster) violations(vs []Event) {
	for i := range vs {
		vs[i].Decision = c.decision // found while the decision ran
		c.stats.observe(&vs[i])
		c.publish(&vs[i])
	}
}

// logOf returns node id's log as it is now: a live node's, or what
// survived of a dead one. Read-only, shared.
func (c *Cluster) logOf(id int) []raft.Entry {
	m := c.members[id]
	if m.node != nil {
		return m.node.Log()
	}
	if lr, ok := m.stored.(engine.LogReader); ok {
		return lr.Log()
	}
	return nil
}

// noteRole keeps inLeaderRole up to date after node id changed state.
func (c *Cluster) noteRole(id int, leader bool) {
	i, found := slices.BinarySearch(c.inLeaderRole, id)
	switch {
	case leader && !found:
		c.inLeaderRole = slices.Insert(c.inLeaderRole, i, id)
	case !leader && found:
		c.inLeaderRole = slices.Delete(c.inLeaderRole, i, i+1)
	}
}

func (c *Cluster) publish(e *Event) {
	switch {
	case c.cmp != nil:
		c.cmp.feed(c.world, e)
	case c.sink != nil:
		c.sink(*e) // by value: a pointer would make every event escape to the heap
	}
}

type timerEntry struct {
	at  time.Duration
	seq uint64
	id  int
	gen uint64
}

// Before orders timers by time, then by scheduling order.
func (t *timerEntry) Before(o *timerEntry) bool {
	if t.at != o.at {
		return t.at < o.at
	}
	return t.seq < o.seq
}
