package textbook_test

import (
	"fmt"
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

// TestMessageRoundTrip: every field of raft.Message survives the trip
// through the seam and back, so that a field added to raft.Message and
// forgotten here fails this test.
func TestMessageRoundTrip(t *testing.T) {
	var m raft.Message
	fill(t, reflect.ValueOf(&m).Elem())
	if got := textbook.RoundTrip(m); !reflect.DeepEqual(got, m) {
		t.Errorf("through the seam and back:\n got %+v\nwant %+v", got, m)
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
	n.Step(time.Millisecond, engine.Message{Type: engine.EtcdVote, Message: raft.Message{From: 2, To: 1, Term: 5}})
	msgs, events := n.Output()
	if len(msgs) != 0 || len(events) != 1 || events[0].Kind != engine.EventIgnore || n.Status().Term != 0 {
		t.Errorf("got %v %+v, term %d; want one ignore event and term 0", msgs, events, n.Status().Term)
	}
}

type fixed struct{}

func (fixed) Int64N(int64) int64 { return 0 }

// TestEventFieldsCarried: every field of raft.Event reaches the seam's Event
// under the same name, so that a field added to raft.Event and forgotten
// here fails this test.
func TestEventFieldsCarried(t *testing.T) {
	var e raft.Event
	v := reflect.ValueOf(&e).Elem()
	fill(t, v)
	got := reflect.ValueOf(textbook.EventFromRaft(e))
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		g := got.FieldByName(name)
		if !g.IsValid() {
			t.Errorf("engine.Event has no field %s", name)
			continue
		}
		if fmt.Sprint(g.Interface()) != fmt.Sprint(v.Field(i).Convert(g.Type()).Interface()) {
			t.Errorf("%s: %v, want %v", name, g.Interface(), v.Field(i).Interface())
		}
	}
}

// fill gives every field of the struct v a value of its own, not zero, so
// that a conversion that drops one shows.
func fill(t *testing.T, v reflect.Value) {
	t.Helper()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(i + 1))
		case reflect.Uint8, reflect.Uint64:
			f.SetUint(uint64(i + 1))
		case reflect.String:
			f.SetString("why")
		case reflect.Slice:
			f.Set(reflect.ValueOf([]raft.Entry{{Term: 7, Data: []byte("x")}}))
		case reflect.Struct:
			fill(t, f)
		default:
			t.Fatalf("%v.%s is a %v: teach fill to fill it", v.Type(), v.Type().Field(i).Name, f.Kind())
		}
	}
}
