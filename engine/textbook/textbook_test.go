package textbook_test

import (
	"reflect"
	"testing"
	"time"

	"raftty/engine"
	"raftty/engine/enginetest"
	"raftty/engine/textbook"
	"raftty/raft"
)

func defaultConfig() engine.Config {
	return engine.Config{Timing: engine.Timing{ElectionMin: 150 * time.Millisecond, ElectionMax: 300 * time.Millisecond, Heartbeat: 50 * time.Millisecond}}
}

func TestElection(t *testing.T) {
	for _, n := range []int{1, 3, 5} {
		s, err := enginetest.New(textbook.Engine{}, n, 1, defaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		s.RunFor(2 * time.Second)
		if got := s.Leaders(); len(got) != 1 {
			t.Errorf("%d nodes: leaders %v after 2s, want one\n%s", n, got, s.Transcript())
		}
		if v := s.Violations(); len(v) > 0 {
			t.Errorf("%d nodes: %v", n, v)
		}
	}
}

// TestKillKeepsStorage: a node restarted from its storage has the term and
// vote it died with.
func TestKillKeepsStorage(t *testing.T) {
	s, err := enginetest.New(textbook.Engine{}, 3, 2, defaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	s.RunFor(time.Second)
	leader := s.Leader()
	before := s.Node(leader).HardState()
	s.Kill(leader)
	if err := s.Restart(leader); err != nil {
		t.Fatal(err)
	}
	if after := s.Node(leader).HardState(); after != before {
		t.Errorf("restarted with %+v, died with %+v", after, before)
	}
	if r := s.Node(leader).Status().Role; r != engine.Follower {
		t.Errorf("restarted as %v", r)
	}
}

// TestMessageFieldsMatch: engine.Message has every field raft.Message has,
// with the same type (but for Type), so that the wrapper converts field by
// field. A field added to raft.Message and not here fails this test.
func TestMessageFieldsMatch(t *testing.T) {
	rt, et := reflect.TypeFor[raft.Message](), reflect.TypeFor[engine.Message]()
	for i := range rt.NumField() {
		f := rt.Field(i)
		g, ok := et.FieldByName(f.Name)
		switch {
		case !ok:
			t.Errorf("engine.Message has no field %s", f.Name)
		case f.Name == "Type":
		case g.Type != f.Type:
			t.Errorf("engine.Message.%s is %v, raft's is %v", f.Name, g.Type, f.Type)
		}
	}
	if n := et.NumField(); n != rt.NumField()+1 {
		t.Errorf("engine.Message has %d fields, raft.Message %d: only Body should be extra", n, rt.NumField())
	}
}

// TestVocabularyMatches: the seam's first six message types, roles and
// event kinds are raft's, name for name.
func TestVocabularyMatches(t *testing.T) {
	for mt := raft.MsgRequestVote; mt <= raft.MsgAppendEntriesReply; mt++ {
		if got := engine.MsgType(mt).String(); got != mt.String() {
			t.Errorf("engine.MsgType(%d) is %q, raft's %q", mt, got, mt.String())
		}
	}
	for k, want := range map[engine.EventKind]raft.EventKind{
		engine.EventState: raft.EventState, engine.EventVote: raft.EventVote,
		engine.EventTimeout: raft.EventTimeout, engine.EventIgnore: raft.EventIgnore,
	} {
		if raft.EventKind(k) != want {
			t.Errorf("engine.EventKind %v is %d, raft's %d", k, k, want)
		}
	}
}

// TestAnotherEnginesMessage: a message of etcd's vocabulary is refused, with
// a reason, not mistaken for one of raft's.
func TestAnotherEnginesMessage(t *testing.T) {
	n, err := textbook.Engine{}.New(engine.Config{ID: 1, Peers: []engine.NodeID{1, 2}, Timing: defaultConfig().Timing, Rand: fixed{}}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n.Step(time.Millisecond, engine.Message{Type: engine.EtcdVote, From: 2, To: 1, Term: 5})
	msgs, events := n.Output()
	if len(msgs) != 0 || len(events) != 1 || events[0].Kind != engine.EventIgnore || n.Status().Term != 0 {
		t.Errorf("got %v %+v, term %d; want one ignore event and term 0", msgs, events, n.Status().Term)
	}
}

type fixed struct{}

func (fixed) Int64N(int64) int64 { return 0 }
