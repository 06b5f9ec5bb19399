package cluster

import (
	"encoding/json"
	"maps"
	"slices"
	"time"
)

// maxLeaderRecords bounds the per-term leader list a long, churning run
// keeps; the oldest records go first.
const maxLeaderRecords = 1000

// TermLeader records who won a term, and when.
type TermLeader struct {
	Term uint64 `json:"term"`
	Node int    `json:"node"`
	AtUS int64  `json:"t_us"`
}

// Stats are a run's numbers so far.
type Stats struct {
	// Elections counts candidacies (a node raising its term to campaign);
	// PreVotes counts pre-vote rounds.
	Elections int
	PreVotes  int
	// LeadersElected counts elections won; LeaderChanges counts the times
	// the effective leader (see Cluster.Leader) became a different node.
	LeadersElected int
	LeaderChanges  int
	// SplitVotes counts terms in which two or more nodes campaigned and
	// none won.
	SplitVotes int
	// NoLeader is the total virtual time without an effective leader;
	// LastElection how long the latest such stretch lasted (the time to
	// elect), and NoLeaderSince when the current one began, if HasLeader
	// is false.
	NoLeader      time.Duration
	LastElection  time.Duration
	NoLeaderSince time.Duration
	HasLeader     bool
	Timeouts      int

	Sent, Delivered, Dropped int
	// DroppedBy counts drops by reason ("disconnected", "loss", ...).
	DroppedBy  map[string]int
	Violations int
	// ExpectationsFailed counts a scenario's expectations that did not hold;
	// Errors the timed commands that could not be carried out when their
	// time came ("kill leader" with no leader).
	ExpectationsFailed int
	Errors             int
	Events             int
	// LeaderSince is when the current effective leader took over.
	LeaderSince time.Duration
	// Leaders lists the winner of each term, the latest maxLeaderRecords.
	Leaders []TermLeader

	// Puts counts the client commands handed to nodes, Redirects those a
	// node refused (not the leader), Committed the entries committed (the
	// highest index any node committed), and CommitLatencies how long each
	// command a leader took waited for its first commit, in order. A
	// command a leader took and lost (overwritten) has no latency.
	Puts, Redirects int
	Committed       int
	CommitLatencies []time.Duration
	// BackOffs counts a leader's steps back after a refused AppendEntries,
	// Deleted the entries nodes deleted because their leader's differed.
	BackOffs, Deleted int

	openTerms  map[uint64]termCampaign
	lastLeader int
}

type termCampaign struct {
	candidates int
	won        bool
}

func (s *Stats) init() {
	s.DroppedBy = make(map[string]int)
	s.openTerms = make(map[uint64]termCampaign)
}

func (s *Stats) observe(e *Event) {
	s.Events++
	switch e.Kind {
	case KindSend:
		s.Sent++
	case KindDeliver:
		s.Delivered++
	case KindDrop:
		s.Dropped++
		s.DroppedBy[e.Reason]++
	case KindTimeout:
		s.Timeouts++
	case KindViolation:
		s.Violations++
	case KindExpect:
		if !e.Passed {
			s.ExpectationsFailed++
		}
	case KindError:
		s.Errors++
	case KindState:
		s.observeState(e)
	case KindFault:
		if e.Action == ActPut {
			s.Puts++
		}
	case KindRedirect:
		s.Redirects++
	case KindBackOff:
		s.BackOffs++
	case KindTruncate:
		s.Deleted += e.Count
	}
}

func (s *Stats) observeState(e *Event) {
	switch e.State {
	case StatePreCandidate:
		s.PreVotes++
	case StateCandidate:
		s.Elections++
		s.closeTermsBefore(e.Term)
		tc := s.openTerms[e.Term]
		tc.candidates++
		s.openTerms[e.Term] = tc
	case StateLeader:
		s.LeadersElected++
		tc := s.openTerms[e.Term]
		tc.won = true
		s.openTerms[e.Term] = tc
		s.Leaders = append(s.Leaders, TermLeader{Term: e.Term, Node: e.Node, AtUS: e.At.Microseconds()})
		if len(s.Leaders) > 2*maxLeaderRecords {
			s.Leaders = slices.Clone(s.Leaders[len(s.Leaders)-maxLeaderRecords:])
		}
	}
}

// closeTermsBefore settles every term before term: a new candidacy means
// those elections are over, won or split.
func (s *Stats) closeTermsBefore(term uint64) {
	for t, tc := range s.openTerms {
		if t < term {
			if tc.candidates >= 2 && !tc.won {
				s.SplitVotes++
			}
			delete(s.openTerms, t)
		}
	}
}

func (s *Stats) leaderChanged(now time.Duration, old, next int) {
	switch {
	case old == 0 && next != 0:
		s.LastElection = now - s.NoLeaderSince
		s.NoLeader += s.LastElection
		s.HasLeader = true
	case next == 0:
		s.NoLeaderSince = now
		s.HasLeader = false
	}
	if next != 0 && next != old {
		s.LeaderSince = now
	}
	if next != 0 {
		if s.lastLeader != 0 && s.lastLeader != next {
			s.LeaderChanges++
		}
		s.lastLeader = next
	}
}

// finish accounts for the stretch without a leader still going on at now.
// It is applied to copies handed out, never to the live Stats. Leaders is
// shared, not cloned: it is only appended to, and capping it makes a new
// array, so the elements a copy can see are never written again (Live
// hands out a copy a hundred times a second).
func (s *Stats) finish(now time.Duration) {
	s.DroppedBy = maps.Clone(s.DroppedBy)
	s.openTerms = nil
	if !s.HasLeader {
		s.NoLeader += now - s.NoLeaderSince
	}
}

// Summary is the last line of `raftty run --json`.
type Summary struct {
	AtUS  int64  `json:"t_us"`
	Kind  string `json:"kind"`
	World string `json:"world,omitempty"`
	Seed  uint64 `json:"seed"`
	Nodes int    `json:"nodes"`
	// Engine describes the engine and its timing, unless it is the
	// textbook engine: "etcd: election timeout 15-29 ticks of 10ms,
	// heartbeat 5 ticks".
	Engine         string         `json:"engine,omitempty"`
	Leader         int            `json:"leader"`
	Term           uint64         `json:"term"`
	Elections      int            `json:"elections"`
	PreVotes       int            `json:"prevotes"`
	LeadersElected int            `json:"leaders_elected"`
	LeaderChanges  int            `json:"leader_changes"`
	SplitVotes     int            `json:"split_votes"`
	NoLeaderUS     int64          `json:"no_leader_us"`
	Sent           int            `json:"messages_sent"`
	Delivered      int            `json:"messages_delivered"`
	Dropped        int            `json:"messages_dropped"`
	DroppedBy      map[string]int `json:"dropped_by"`
	Violations     int            `json:"violations"`
	ExpectFailed   int            `json:"expectations_failed"`
	Errors         int            `json:"errors"`
	Events         int            `json:"events"`
	Leaders        []TermLeader   `json:"leaders"`
	// Puts, Redirects, Committed and the commit latencies (median, 99th
	// percentile, largest) appear once anything was written.
	Puts             int   `json:"puts,omitempty"`
	Redirects        int   `json:"puts_refused,omitempty"`
	Committed        int   `json:"committed,omitempty"`
	CommitLatencyP50 int64 `json:"commit_latency_p50_us,omitempty"`
	CommitLatencyP99 int64 `json:"commit_latency_p99_us,omitempty"`
	CommitLatencyMax int64 `json:"commit_latency_max_us,omitempty"`
}

// Summary sums the run up so far.
func (c *Cluster) Summary() Summary {
	s := c.Stats()
	leaders := s.Leaders
	if len(leaders) > maxLeaderRecords {
		leaders = leaders[len(leaders)-maxLeaderRecords:]
	}
	if leaders == nil {
		leaders = []TermLeader{}
	}
	engine := ""
	if c.cfg.Engine != EngineTextbook {
		engine = c.cfg.Engine.String() + ": " + c.eng.DescribeTiming(c.cfg.Timing)
	}
	sum := Summary{
		Kind: "summary", AtUS: c.now.Microseconds(), Seed: c.cfg.Seed, Nodes: c.cfg.Nodes, Engine: engine,
		Leader: c.leader, Term: c.MaxTerm(),
		Elections: s.Elections, PreVotes: s.PreVotes, LeadersElected: s.LeadersElected,
		LeaderChanges: s.LeaderChanges, SplitVotes: s.SplitVotes, NoLeaderUS: s.NoLeader.Microseconds(),
		Sent: s.Sent, Delivered: s.Delivered, Dropped: s.Dropped, DroppedBy: s.DroppedBy,
		Violations: s.Violations, ExpectFailed: s.ExpectationsFailed, Errors: s.Errors, Events: s.Events, Leaders: leaders,
		Puts: s.Puts, Redirects: s.Redirects, Committed: s.Committed,
	}
	if n := len(s.CommitLatencies); n > 0 {
		lat := slices.Clone(s.CommitLatencies)
		slices.Sort(lat)
		sum.CommitLatencyP50 = lat[(n-1)/2].Microseconds()
		sum.CommitLatencyP99 = lat[(n-1)*99/100].Microseconds()
		sum.CommitLatencyMax = lat[n-1].Microseconds()
	}
	return sum
}

// MarshalLine renders the summary as one JSON line (map keys sorted, so the
// bytes are the same for the same run).
func (s Summary) MarshalLine() []byte {
	b, _ := json.Marshal(s)
	return append(b, '\n')
}
