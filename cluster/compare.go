package cluster

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"raftty/engine"
)

// Compare is one way world B differs from world A, as `--compare` and a
// scenario's `compare` directive write it: KEY=VALUE ("prevote=on",
// "heartbeat=100ms", "engine=etcd"). Every parameter of the command
// language is a key, and so are the settings a cluster takes only when it
// starts, with no `set` command: the engine and the etcd engine's tick.
// ParseCompare is the one place that reads them.
type Compare struct {
	// Set is the set command that makes world B from world A, for a
	// parameter (its Action is zero for a start-up setting).
	Set Command
	// Engine is world B's engine, as --engine takes it ("etcd",
	// "etcd-server", "textbook"), and Tick its tick: the start-up
	// settings, each its own key.
	Engine string
	Tick   time.Duration
}

// The start-up settings' keys, beside the parameters' names.
const (
	compareEngine = "engine"
	compareTick   = "tick"
)

// ParseCompare reads KEY=VALUE.
func ParseCompare(text string) (Compare, error) {
	key, value, ok := strings.Cut(text, "=")
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	if !ok || key == "" || value == "" {
		return Compare{}, fmt.Errorf("%q: want KEY=VALUE, like prevote=on or heartbeat=100ms", text)
	}
	switch key {
	case compareEngine:
		if err := UseEngine(&Config{}, value, nil); err != nil {
			return Compare{}, fmt.Errorf("%s: %w", text, err)
		}
		return Compare{Engine: value}, nil
	case compareTick:
		d, err := ParseDuration(value)
		if err == nil && d <= 0 {
			err = errors.New("must be positive")
		}
		if err != nil {
			return Compare{}, fmt.Errorf("%s: %w", text, err)
		}
		return Compare{Tick: d}, nil
	}
	p, ok := ParamNamed(key)
	if !ok {
		keys := append(paramNames.names(), compareEngine, compareTick)
		return Compare{}, fmt.Errorf("%q: unknown setting %q (want one of %s)", text, key, strings.Join(keys, ", "))
	}
	cmd, err := ParseValue(p, value)
	if err != nil {
		return Compare{}, fmt.Errorf("%s: %w", text, err)
	}
	return Compare{Set: cmd}, nil
}

// Key is what the difference sets: a parameter's name, "engine" or
// "tick". A comparison sets each key once.
func (c Compare) Key() string {
	switch {
	case c.Engine != "":
		return compareEngine
	case c.Tick != 0:
		return compareTick
	}
	return c.Set.Param.String()
}

// String writes the difference as ParseCompare reads it: prevote=on.
func (c Compare) String() string {
	switch {
	case c.Engine != "":
		return compareEngine + "=" + c.Engine
	case c.Tick != 0:
		return compareTick + "=" + FormatDuration(c.Tick)
	}
	return c.Set.Param.String() + "=" + c.Set.Value()
}

// Configure makes cfg world B's configuration. An engine replaces world
// A's (with the etcd-server preset's timing); a tick needs world B to run
// etcd, which the cluster checks as it starts.
func (c Compare) Configure(cfg *Config) {
	switch {
	case c.Engine != "":
		_ = UseEngine(cfg, c.Engine, nil) // ParseCompare checked the name
	case c.Tick != 0:
		cfg.Tick = c.Tick
	default:
		SetConfig(cfg, c.Set)
	}
}

// CompareText writes a list of differences as the header of a comparison
// says it: "prevote=on heartbeat=100ms".
func CompareText(cs []Compare) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, " ")
}

// Equal reports whether e and o are the same event, field by field (World
// aside: it says where an event happened, not what).
func (e *Event) Equal(o *Event) bool {
	return e.At == o.At && e.Kind == o.Kind && e.Node == o.Node && e.State == o.State && e.Term == o.Term &&
		e.For == o.For && e.Granted == o.Granted && e.PreVote == o.PreVote &&
		e.From == o.From && e.To == o.To && e.Type == o.Type && e.Reason == o.Reason && e.Because == o.Because &&
		e.Action == o.Action && slices.Equal(e.Nodes, o.Nodes) && slices.EqualFunc(e.Groups, o.Groups, slices.Equal) &&
		e.OneWay == o.OneWay && e.Name == o.Name && e.Value == o.Value && e.Invariant == o.Invariant &&
		e.Detail == o.Detail && e.Passed == o.Passed && e.Got == o.Got && e.Source == o.Source
}

// compared reports whether an event counts when two worlds are compared:
// what the clusters do, not the parameters each reports (world B's differ
// by design) nor a scenario's explanations and expectations; and once the
// worlds have parted, decisions only (see Divergence). Between two engines
// a message a node ignores is not compared either: doing nothing is the
// same whichever engine says so, and each says it of different messages.
func (k *comparer) compared(e *Event) bool {
	switch e.Kind {
	case KindParam, KindExplain, KindExpect, KindFork:
		return false
	case KindIgnore:
		return !k.engines
	case KindSend, KindDeliver, KindDrop:
		return !k.parted || k.open != nil && k.open.msg
	}
	return true
}

// same reports whether a and b, one from each world, are the same event:
// the same in every typed field, what a node DID (its new state, a vote
// granted or denied, a message, entries appended or committed), not in
// how its engine explains it (a decision's Reason is its own words, and
// two worlds may give the same decision different ones: etcd's and the
// textbook's always do). A drop's reason is typed ("loss"); an error's
// or a violation's detail is the cluster's, compared unless the engines
// differ. Between two engines, a message is compared by what it does
// (MsgVote is RequestVote; etcd's MsgHeartbeat is the textbook's empty
// AppendEntries).
func (k *comparer) same(a, b *Event) bool {
	if a.At != b.At || a.Kind != b.Kind || a.Node != b.Node || a.State != b.State || a.Term != b.Term ||
		a.For != b.For || a.Granted != b.Granted || a.PreVote != b.PreVote ||
		a.From != b.From || a.To != b.To || !k.sameType(a.Type, b.Type) || a.Index != b.Index || a.Count != b.Count ||
		a.Action != b.Action || !slices.Equal(a.Nodes, b.Nodes) || !slices.EqualFunc(a.Groups, b.Groups, slices.Equal) ||
		a.OneWay != b.OneWay || a.Name != b.Name || a.Value != b.Value || a.Invariant != b.Invariant ||
		a.Passed != b.Passed || a.Got != b.Got || a.Source != b.Source {
		return false
	}
	switch a.Kind {
	case KindDrop:
		return a.Reason == b.Reason
	case KindError, KindViolation:
		return k.engines || a.Detail == b.Detail
	}
	return true
}

// sameType reports whether two messages' types are the same: equal, or
// between two engines, of the same class (a heartbeat counted as the
// append it is to the textbook engine).
func (k *comparer) sameType(a, b engine.MsgType) bool {
	if a == b || !k.engines {
		return a == b
	}
	return heartbeatAsAppend(a.Class()) == heartbeatAsAppend(b.Class())
}

// heartbeatAsAppend is a message class, a heartbeat's being an append's:
// the textbook engine's heartbeat is an empty AppendEntries.
func heartbeatAsAppend(c engine.MsgClass) engine.MsgClass {
	switch c {
	case engine.ClassHeartbeat:
		return engine.ClassAppend
	case engine.ClassHeartbeatReply:
		return engine.ClassAppendReply
	}
	return c
}

// A Divergence is a moment when two worlds part. The first is the first
// event either world has that the other lacks at that instant, message
// traffic included: until then the two event streams are identical. After
// it, a node counts as in step again once its decisions (roles, votes,
// timeouts, what it ignores; everything but message traffic) have agreed
// in both worlds for the longest election timeout, the same decision a
// little earlier in one world than in the other counting as agreeing; a
// later divergence is a decision that differs, of a node back in step, at
// least that long after the previous divergence (what one cause sets off
// in a few milliseconds is one divergence). A fault given to both worlds
// (kill, disconnect, cut, put...) is a new cause: what differs after it is
// a divergence even within that time, unless it is what the node already
// did differently before it.
//
// A and B are the events that differ, one from each world, about the same
// node. When only one world has one at At, the other's is its next
// differing event about that node within the longest election timeout
// (its own At says when); if there is none, the zero Event (Kind 0).
type Divergence struct {
	At time.Duration
	// Node is the node the events are about (0: the cluster's own).
	Node int
	A, B Event
}

// String says it in one line: "worlds diverge at 1.204s: A: n3 grants
// pre-vote to n4 ...; B: n3 denies pre-vote to n4: heard from leader n1
// 18ms ago". A side that comes later says when: "B (at 0.683s): ...".
func (d Divergence) String() string {
	return fmt.Sprintf("worlds diverge at %s: %s; %s", d.Clock(d.At), d.Side(WorldA), d.Side(WorldB))
}

// Clock writes an instant of the divergence in seconds: to the
// millisecond ("0.151s"), or to the microsecond ("0.150553s") if the
// divergence's instants (its own and each side's) differ where the
// millisecond would show them the same, as two etcd ticks of 5 and 10ms
// make them.
func (d Divergence) Clock(t time.Duration) string {
	at := []time.Duration{d.At, d.A.At, d.B.At}
	for i, u := range at {
		for _, v := range at[i+1:] {
			if u != v && u.Round(time.Millisecond) == v.Round(time.Millisecond) {
				return fmt.Sprintf("%.6fs", t.Seconds())
			}
		}
	}
	return fmt.Sprintf("%.3fs", t.Seconds())
}

// Side says what one world did as the worlds parted, as String does: "B:
// n3 denies pre-vote to n4: ...", "B (at 0.683s): ...", "B: nothing (n3
// goes on as before)".
func (d Divergence) Side(w World) string {
	name, e := "A", &d.A
	if w == WorldB {
		name, e = "B", &d.B
	}
	switch {
	case e.Kind == 0 && d.Node > 0:
		return fmt.Sprintf("%s: nothing (n%d goes on as before)", name, d.Node)
	case e.Kind == 0:
		return name + ": nothing then"
	case e.At != d.At:
		return fmt.Sprintf("%s (at %s): %s", name, d.Clock(e.At), e.String())
	}
	return name + ": " + e.String()
}

// maxDivergences bounds the divergences kept; the count goes on.
const maxDivergences = 10000

// comparer lines two event streams up by instant and finds where they
// part. Events wait until both worlds have passed their instant (flush);
// then each instant's events are matched as a multiset, and handed on in
// order, world A's first.
type comparer struct {
	pending [2][]Event
	// sink receives every event, tagged with its world, in instant order,
	// by pointer: a pending event, or own, a copy of an event handed on
	// unbuffered (a cluster's event is on its stack: a pointer to it passed
	// to a func value would make it escape to the heap, an allocation per
	// event). The event is the comparer's, valid during the call only.
	// diverged is told of each divergence once both its sides are known.
	sink     func(*Event)
	own      Event
	diverged func(*Divergence)
	// unordered: events need not be handed on in time order across the
	// worlds (each world's own stay in order), so those not compared are
	// handed on as they come, unbuffered.
	unordered bool
	// resync is how long a node's decisions must agree, and how long after
	// the last divergence, for a difference to be a new divergence.
	resync time.Duration
	// engines says the worlds run different engines (see same).
	engines bool
	// parted says the worlds have diverged once, and last when they last
	// did; nodes[n] is how node n's decisions differ (index 0: the
	// cluster's own events, faults and errors). commanded says a command
	// went to both worlds alike, at commandAt, the last time.
	parted    bool
	last      time.Duration
	nodes     []nodeDiff
	commanded bool
	commandAt time.Duration
	// open is a divergence being described (see start).
	open *openDivergence

	divergences []Divergence
	count       int
	// scratch for matching an instant's events.
	usedB        []bool
	onlyA, onlyB []int
}

// nodeDiff is how one node's decisions differ between the worlds: those
// each world made that the other has not (yet) made, the same but for its
// time, within the longest election timeout (a shifted clock makes the
// same decisions a little later in one world); and the last that never
// found its like in time (hard, if differed).
type nodeDiff struct {
	unpaired [2][]Event
	hard     time.Duration
	differed bool
}

// out hands a pending event on, tagged with its world in place.
func (k *comparer) out(w World, e *Event) {
	if k.sink != nil {
		e.World = w
		k.sink(e)
	}
}

// feed takes an event of world w (0 for A, 1 for B), as the cluster
// publishes it. Unordered, an event that will not be compared is handed on
// at once, copied once (into own): after the worlds parted, that is all
// their message traffic, most of what they do.
func (k *comparer) feed(w int, e *Event) {
	if k.unordered && !k.compared(e) {
		if k.sink != nil {
			k.own = *e
			k.out(World(w+1), &k.own)
		}
		return
	}
	// Grown, then copied into: append(p, *e) would copy e twice, through
	// a temporary.
	p := k.pending[w]
	if len(p) == cap(p) {
		p = slices.Grow(p, 1)
	}
	p = p[:len(p)+1]
	p[len(p)-1] = *e
	k.pending[w] = p
}

// flush settles every instant before upTo: both worlds have passed it.
func (k *comparer) flush(upTo time.Duration) {
	a, b := k.pending[0], k.pending[1]
	i, j := 0, 0
	for {
		t, ok := nextInstant(a, i, b, j, upTo)
		if !ok {
			break
		}
		// calm: once the worlds have parted, with no divergence open on a
		// message, an instant of nothing compared (message traffic: most
		// instants) needs no matching.
		calm := k.parted && (k.open == nil || !k.open.msg)
		ia, jb := i, j
		for i < len(a) && a[i].At == t {
			calm = calm && !k.compared(&a[i])
			i++
		}
		for j < len(b) && b[j].At == t {
			calm = calm && !k.compared(&b[j])
			j++
		}
		if calm {
			k.calm(t, a[ia:i], b[jb:j])
		} else {
			k.instant(t, a[ia:i], b[jb:j])
		}
	}
	k.pending[0] = append(a[:0], a[i:]...)
	k.pending[1] = append(b[:0], b[j:]...)
}

// finish tells of a divergence still awaiting its other side: there is
// none.
func (k *comparer) finish() {
	if k.open != nil {
		k.close()
	}
}

// close ends the wait for the open divergence's other side: it is a
// divergence if some of its events never came in the other world (or it
// is the first, which is one whatever came).
func (k *comparer) close() {
	if k.open.next < len(k.open.events) || k.open.first {
		k.tell()
		return
	}
	k.drop()
}

// drop forgets the open divergence: it was none.
func (k *comparer) drop() {
	k.last, k.open = k.open.before, nil
}

func nextInstant(a []Event, i int, b []Event, j int, upTo time.Duration) (time.Duration, bool) {
	t, ok := upTo, false
	if i < len(a) && a[i].At < t {
		t, ok = a[i].At, true
	}
	if j < len(b) && b[j].At < t {
		t, ok = b[j].At, true
	}
	return t, ok
}

// instant matches the events of both worlds at t, notes a divergence if
// they part there, and hands the events on.
func (k *comparer) instant(t time.Duration, a, b []Event) {
	if k.open != nil && t > k.open.until {
		k.close()
	}
	differ := k.match(a, b)
	if k.parted {
		k.commands(t, a)
	}
	if differ {
		k.differ(t, a, b)
	}
	for i := range a {
		k.out(WorldA, &a[i])
	}
	for i := range b {
		k.out(WorldB, &b[i])
	}
}

// calm is instant for events none of which is compared: they cannot
// part the worlds nor be a command given to both (a fault is compared),
// only close the open divergence by their time.
func (k *comparer) calm(t time.Duration, a, b []Event) {
	if k.open != nil && t > k.open.until {
		k.close()
	}
	if k.sink == nil {
		return
	}
	for i := range a {
		a[i].World = WorldA
		k.sink(&a[i])
	}
	for i := range b {
		b[i].World = WorldB
		k.sink(&b[i])
	}
}

// differ notes what the unmatched events at t (k.onlyA, k.onlyB) say: the
// other side of an open divergence, the first divergence, or a node whose
// decisions part again.
func (k *comparer) differ(t time.Duration, a, b []Event) {
	only := unmatched{a: a, b: b, onlyA: k.onlyA, onlyB: k.onlyB}
	if k.open != nil {
		k.follow(&only)
	}
	first := !k.parted
	// A new divergence needs the last to be long past, or a command since.
	fresh := !first && k.open == nil && (t-k.last >= k.resync || k.commanded && k.last < k.commandAt)
	newNode := -1
	for w := range 2 {
		for x := range only.len(w) {
			e := only.at(w, x)
			if !isDecision(e) {
				continue
			}
			n := e.Node
			for len(k.nodes) <= n {
				k.nodes = append(k.nodes, nodeDiff{})
			}
			if fresh && newNode < 0 && k.inStep(n, t) && !k.shifted(w, e) {
				newNode = n
			}
			k.pair(w, e, t)
		}
	}
	switch {
	case first:
		// The first event that differs, of either world.
		w := 0
		if only.len(0) == 0 {
			w = 1
		}
		k.start(t, w, nodeOf(only.at(w, 0)), &only, true)
	case newNode >= 0:
		w := 0
		for x := range only.len(0) {
			if e := only.at(0, x); isDecision(e) && e.Node == newNode {
				break
			}
			if x == only.len(0)-1 {
				w = 1
			}
		}
		if only.len(0) == 0 {
			w = 1
		}
		k.start(t, w, newNode, &only, false)
	}
}

// inStep reports whether node n's decisions have agreed in both worlds up
// to t, for the longest election timeout or since a command: none left
// without its like in the other world then.
func (k *comparer) inStep(n int, t time.Duration) bool {
	nd := &k.nodes[n]
	since := func(at time.Duration) bool {
		return t-at < k.resync && !(k.commanded && at < k.commandAt)
	}
	if nd.differed && since(nd.hard) {
		return false
	}
	for w := range nd.unpaired {
		for i := range nd.unpaired[w] {
			if at := nd.unpaired[w][i].At; at < t && since(at) {
				return false
			}
		}
	}
	return true
}

// shifted reports whether e, a decision of world w, is one the other world
// made a little earlier (see pair).
func (k *comparer) shifted(w int, e *Event) bool {
	for i := range k.nodes[e.Node].unpaired[1-w] {
		if k.sameButTime(&k.nodes[e.Node].unpaired[1-w][i], e) {
			return true
		}
	}
	return false
}

// pair notes e, a decision of world w at t that the other world lacked at
// t: it pairs with the other world's earliest like decision still
// unpaired, or waits for one for the longest election timeout; one that
// waited longer differed for good.
func (k *comparer) pair(w int, e *Event, t time.Duration) {
	nd := &k.nodes[e.Node]
	for side := range nd.unpaired {
		kept := nd.unpaired[side][:0]
		for _, u := range nd.unpaired[side] {
			if t-u.At >= k.resync {
				nd.hard, nd.differed = max(nd.hard, u.At), true
				continue
			}
			kept = append(kept, u)
		}
		nd.unpaired[side] = kept
	}
	other := nd.unpaired[1-w]
	for i := range other {
		if k.sameButTime(&other[i], e) {
			nd.unpaired[1-w] = slices.Delete(other, i, i+1)
			return
		}
	}
	nd.unpaired[w] = append(nd.unpaired[w], *e)
}

// commands notes a command both worlds took alike at t: a fault of the
// same nodes in each (see Divergence). A parameter set in both is not one:
// what it changes comes on slowly, after what the last divergence set off
// (`set heartbeat 400ms` at 0.178s, seed 3, PreVote in B: the next
// difference is a vote reply B's new leader gets late, from before it).
func (k *comparer) commands(t time.Duration, a []Event) {
	for i := range a {
		if a[i].Kind == KindFault && !slices.Contains(k.onlyA, i) {
			k.commanded, k.commandAt = true, t
			return
		}
	}
}

// unmatched is an instant's events of each world that the other lacks.
type unmatched struct {
	a, b         []Event
	onlyA, onlyB []int
}

func (u *unmatched) len(w int) int {
	if w == 0 {
		return len(u.onlyA)
	}
	return len(u.onlyB)
}

func (u *unmatched) at(w, x int) *Event {
	if w == 0 {
		return &u.a[u.onlyA[x]]
	}
	return &u.b[u.onlyB[x]]
}

// start opens a divergence at t about node, begun by world w's events:
// each is paired with the other world's next event about the node that is
// not the same but for its time (the same decision, a little earlier or
// later, as a shifted clock makes it), here or later.
func (k *comparer) start(t time.Duration, w, node int, only *unmatched, first bool) {
	k.open = &openDivergence{at: t, has: w, node: node, until: t + k.resync, first: first, before: k.last}
	k.parted, k.last = true, t
	if first {
		// The first differing event itself, paired with the other
		// world's next event about the same message, or the same node's
		// next decision: what it did instead, or the same a little later.
		e := *only.at(w, 0)
		k.open.events, k.open.msg = []Event{e}, !isDecision(&e)
	} else {
		for x := range only.len(w) {
			if e := only.at(w, x); k.counts(e) {
				k.open.events = append(k.open.events, *e)
			}
		}
	}
	k.follow(only)
}

// openDivergence is a divergence being described: world has's events about
// node, from at, waiting until until for the other world's.
type openDivergence struct {
	at    time.Duration
	has   int
	node  int
	until time.Duration
	// before is when the worlds last diverged before this one: the last
	// again, if this one proves not to be one.
	before time.Duration
	// first: the first divergence, which pairs its one event with the
	// other world's next about the same thing; msg: that event is a
	// message's, and the same message is what to look for.
	first, msg bool
	events     []Event // has's events about node since at
	next       int     // the first of events not yet found in the other world
	late       Event   // an event of the other world, the same but for its time
	other      Event   // the other world's differing event, once found
}

// counts reports whether e is about what the open divergence is about:
// the same message, or a decision of the same node.
func (k *comparer) counts(e *Event) bool {
	if k.open.msg {
		m := &k.open.events[0]
		return !isDecision(e) && e.From == m.From && e.To == m.To && k.sameType(e.Type, m.Type) && e.Term == m.Term
	}
	return isDecision(e) && e.Node == k.open.node
}

// follow pairs the open divergence's events with the other world's
// unmatched events at this instant, and tells of it once a pair differs.
func (k *comparer) follow(only *unmatched) {
	o := k.open
	if !o.first {
		for x := range only.len(o.has) {
			if e := only.at(o.has, x); o.at != e.At && k.counts(e) {
				o.events = append(o.events, *e)
			}
		}
	}
	for x := range only.len(1 - o.has) {
		e := only.at(1-o.has, x)
		if !k.counts(e) {
			continue
		}
		if !o.first && o.next < len(o.events) && k.sameButTime(&o.events[o.next], e) {
			o.late = *e
			o.next++
			continue
		}
		o.other = *e
		k.tell()
		return
	}
	if o.next == len(o.events) && o.next > 0 && !o.first {
		k.drop() // the same decisions, shifted in time: not a divergence
	}
}

// sameButTime reports whether two events are the same but for their time.
func (k *comparer) sameButTime(a, b *Event) bool {
	c := *b
	c.At = a.At
	return k.same(a, &c)
}

// tell records the open divergence and tells of it: its events that
// differ, or, if the other world had none in time, what it had.
func (k *comparer) tell() {
	o := k.open
	k.open = nil
	d := Divergence{At: o.at, Node: o.node}
	mine, theirs := o.events[min(o.next, len(o.events)-1)], o.other
	if theirs.Kind == 0 {
		theirs = o.late
	}
	if o.has == 0 {
		d.A, d.B = mine, theirs
	} else {
		d.A, d.B = theirs, mine
	}
	k.count++
	if len(k.divergences) < maxDivergences {
		k.divergences = append(k.divergences, d)
	}
	if k.diverged != nil {
		k.diverged(&d)
	}
}

// about returns the first of events about node (only decisions, if asked).
func about(events []Event, node int, decisions bool) (Event, bool) {
	for _, e := range events {
		if nodeOf(&e) == node && (!decisions || isDecision(&e)) {
			return e, true
		}
	}
	return Event{}, false
}

// nodeOf says which node an event is about: the deciding node, the sender
// of a message sent or dropped, the receiver of one delivered; 0 for the
// cluster's own events (faults, errors, violations).
func nodeOf(e *Event) int {
	switch e.Kind {
	case KindSend, KindDrop:
		return e.From
	case KindDeliver:
		return e.To
	}
	return e.Node
}

// isDecision reports whether an event is something a node (or the cluster)
// decided, rather than message traffic.
func isDecision(e *Event) bool {
	switch e.Kind {
	case KindSend, KindDeliver, KindDrop:
		return false
	}
	return true
}

// match compares two instants' events as multisets of compared events,
// leaves in k.onlyA and k.onlyB the indices of those the other world
// lacks, and reports whether there are any. The worlds usually agree event
// for event, in order: that costs one comparison each.
func (k *comparer) match(a, b []Event) bool {
	k.onlyA, k.onlyB = k.onlyA[:0], k.onlyB[:0]
	if len(a) == 0 || len(b) == 0 {
		// One world has events at this instant, the other none (a shifted
		// clock): whatever counts is its own.
		for i := range a {
			if k.compared(&a[i]) {
				k.onlyA = append(k.onlyA, i)
			}
		}
		for j := range b {
			if k.compared(&b[j]) {
				k.onlyB = append(k.onlyB, j)
			}
		}
		return len(k.onlyA)+len(k.onlyB) > 0
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case !k.compared(&a[i]):
			i++
		case !k.compared(&b[j]):
			j++
		case k.same(&a[i], &b[j]):
			i, j = i+1, j+1
		default:
			return k.matchAny(a, i, b, j)
		}
	}
	return k.matchAny(a, i, b, j)
}

// matchAny matches what is left from a[i:] and b[j:] in any order: an
// instant holds few events, and a large one (a broadcast to 999 nodes)
// comes in the same order in both worlds, so the fast path in match takes
// it.
func (k *comparer) matchAny(a []Event, i int, b []Event, j int) bool {
	rest := len(b) - j
	k.usedB = slices.Grow(k.usedB[:0], rest)[:rest]
	clear(k.usedB)
	for ; i < len(a); i++ {
		if !k.compared(&a[i]) {
			continue
		}
		found := false
		for x := range rest {
			if !k.usedB[x] && k.compared(&b[j+x]) && k.same(&a[i], &b[j+x]) {
				k.usedB[x], found = true, true
				break
			}
		}
		if !found {
			k.onlyA = append(k.onlyA, i)
		}
	}
	for x := range rest {
		if !k.usedB[x] && k.compared(&b[j+x]) {
			k.onlyB = append(k.onlyB, j+x)
		}
	}
	return len(k.onlyA)+len(k.onlyB) > 0
}

// errNoWorlds is returned for a comparison with no difference at all.
var errNoWorlds = errors.New("a comparison needs at least one difference (KEY=VALUE)")
