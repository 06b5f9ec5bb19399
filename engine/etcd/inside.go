package etcd

import (
	"fmt"
	"reflect"
	"runtime/debug"
	"unsafe"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/tracker"
)

// Version is the go.etcd.io/raft/v3 release this adapter is written for.
// The adapter reads fields etcd does not export and writes one of them;
// pin_test.go checks every assumption below against this release, and fails
// on any other, so that an upgrade is a decision, made after reading the
// new raft.go.
const Version = "v3.7.0"

// etcd's raft struct is unexported, and so are the fields the adapter needs:
//
//   - randomizedElectionTimeout (written): etcd draws it from its package
//     global globalRand, backed by crypto/rand, with no hook for importers.
//     The adapter lets etcd draw, then overwrites the draw with one from the
//     node's own seeded stream, the moment etcd logs that it became a
//     follower, candidate or leader: those three functions are the only
//     callers of reset(), the only caller of resetRandomizedElectionTimeout.
//   - electionElapsed, heartbeatElapsed, electionTimeout, heartbeatTimeout
//     (read): the timers, from which the node's next deadline and its timer
//     bar are worked out without ticking it every tick.
//   - state, lead, Term, Vote (read): role and term at the moment a log line
//     is written, without building a Status.
//   - trk (read): the votes of a (pre-)candidate, for the inspector.
//
// The fields are found by name and type through reflect, once, and reached
// through unsafe pointers into the node's own raft struct.

// field is one field the adapter needs: its name and the type it must have.
type field struct {
	name string
	typ  reflect.Type
}

// The fields of etcd's raft struct, in the order of layout.off.
var raftFields = []field{
	{"randomizedElectionTimeout", reflect.TypeFor[int]()},
	{"electionElapsed", reflect.TypeFor[int]()},
	{"heartbeatElapsed", reflect.TypeFor[int]()},
	{"electionTimeout", reflect.TypeFor[int]()},
	{"heartbeatTimeout", reflect.TypeFor[int]()},
	{"state", reflect.TypeFor[raft.StateType]()},
	{"lead", reflect.TypeFor[uint64]()},
	{"Term", reflect.TypeFor[uint64]()},
	{"Vote", reflect.TypeFor[uint64]()},
	{"trk", reflect.TypeFor[tracker.ProgressTracker]()},
}

const (
	offRandomized = iota
	offElectionElapsed
	offHeartbeatElapsed
	offElectionTimeout
	offHeartbeatTimeout
	offState
	offLead
	offTerm
	offVote
	offTrk
)

// layout holds where the fields are, or why they could not be found.
var layout = findLayout()

type fieldLayout struct {
	raft uintptr // RawNode.raft, a *raft
	off  []uintptr
	err  error
}

func findLayout() fieldLayout {
	fail := func(format string, args ...any) fieldLayout {
		return fieldLayout{err: fmt.Errorf("etcd engine: go.etcd.io/raft/v3 is not shaped as %s is (%s): the adapter needs updating",
			Version, fmt.Sprintf(format, args...))}
	}
	if v := linkedVersion(); v != "" && v != Version {
		return fail("this program is built with %s", v)
	}
	rn, ok := reflect.TypeFor[raft.RawNode]().FieldByName("raft")
	if !ok || rn.Type.Kind() != reflect.Pointer || rn.Type.Elem().Kind() != reflect.Struct || rn.Type.Elem().Name() != "raft" {
		return fail("RawNode has no field raft *raft")
	}
	l := fieldLayout{raft: rn.Offset}
	for _, want := range raftFields {
		f, ok := rn.Type.Elem().FieldByName(want.name)
		if !ok {
			return fail("raft has no field %s", want.name)
		}
		if f.Type != want.typ {
			return fail("raft.%s is %v, not %v", want.name, f.Type, want.typ)
		}
		l.off = append(l.off, f.Offset)
	}
	return l
}

// linkedVersion returns the version of go.etcd.io/raft/v3 this program is
// built with, or "" if the build does not say (test binaries do not).
func linkedVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range bi.Deps {
		if d.Path == "go.etcd.io/raft/v3" {
			if d.Replace != nil {
				return d.Replace.Path + "@" + d.Replace.Version
			}
			return d.Version
		}
	}
	return ""
}

// inside points into one RawNode's raft struct. Its pointers stay valid for
// the RawNode's life: etcd never replaces the raft a RawNode holds.
type inside struct {
	randomized       *int
	electionElapsed  *int
	heartbeatElapsed *int
	electionTimeout  *int
	heartbeatTimeout *int
	state            *raft.StateType
	lead             *uint64
	term             *uint64
	vote             *uint64
	trk              *tracker.ProgressTracker
}

// look finds the fields of rn's raft struct; layout.err must be nil.
func look(rn *raft.RawNode) inside {
	r := *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(rn), layout.raft))
	at := func(i int) unsafe.Pointer { return unsafe.Add(r, layout.off[i]) }
	return inside{
		randomized:       (*int)(at(offRandomized)),
		electionElapsed:  (*int)(at(offElectionElapsed)),
		heartbeatElapsed: (*int)(at(offHeartbeatElapsed)),
		electionTimeout:  (*int)(at(offElectionTimeout)),
		heartbeatTimeout: (*int)(at(offHeartbeatTimeout)),
		state:            (*raft.StateType)(at(offState)),
		lead:             (*uint64)(at(offLead)),
		term:             (*uint64)(at(offTerm)),
		vote:             (*uint64)(at(offVote)),
		trk:              (*tracker.ProgressTracker)(at(offTrk)),
	}
}
