package etcd

import (
	"math"

	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"

	"raftty/engine"
)

// Storage is an etcd node's stable storage: a MemoryStorage that the node
// writes its hard state and log entries to after every step, before any of
// that step's messages leave (as etcd's Ready contract requires). It is what
// survives a kill; a restart builds a new RawNode on it.
type Storage struct {
	ms *raft.MemoryStorage
}

// newStorage makes the storage of a fresh member of a cluster of peers.
func newStorage(peers []engine.NodeID) *Storage {
	ms := raft.NewMemoryStorage()
	voters := make([]uint64, len(peers))
	for i, p := range peers {
		voters[i] = uint64(p)
	}
	// A configuration-only snapshot at index 0 is how an etcd member starts
	// knowing its peers (raft.MemoryStorage.ApplySnapshot allows it).
	_ = ms.ApplySnapshot(&pb.Snapshot{Metadata: &pb.SnapshotMetadata{ConfState: &pb.ConfState{Voters: voters}}})
	return &Storage{ms: ms}
}

// HardState describes what is stored: term, vote, commit and the end of the
// log.
func (s *Storage) HardState() engine.HardState {
	hs, _, _ := s.ms.InitialState()
	last, _ := s.ms.LastIndex()
	lastTerm, _ := s.ms.Term(last)
	return engine.HardState{
		Term: hs.GetTerm(), VotedFor: engine.NodeID(hs.GetVote()), Commit: hs.GetCommit(),
		LastIndex: last, LastTerm: lastTerm,
	}
}

// entries returns the stored log in the seam's form.
func (s *Storage) entries() []engine.Entry {
	first, _ := s.ms.FirstIndex()
	last, _ := s.ms.LastIndex()
	if last < first {
		return nil
	}
	es, _ := s.ms.Entries(first, last+1, math.MaxUint64)
	out := make([]engine.Entry, 0, len(es))
	for _, e := range es {
		out = append(out, engine.Entry{Term: e.GetTerm(), Data: e.GetData()})
	}
	return out
}

// Log returns the stored log in the seam's form (engine.LogReader): a new
// slice each time, read by the cluster only for a dead node.
func (s *Storage) Log() []engine.Entry { return s.entries() }

// Rewound sets the stored term and vote, for a node killed before their
// write ended. A term below that of the last log entry is kept at that
// entry's term: etcd writes entries and hard state together, so the entry's
// term reached the disk with it.
func (s *Storage) Rewound(term uint64, vote engine.NodeID) engine.Storage {
	hs := s.HardState()
	if term < hs.LastTerm {
		term, vote = hs.LastTerm, hs.VotedFor
	}
	_ = s.ms.SetHardState(&pb.HardState{Term: new(term), Vote: new(uint64(vote)), Commit: new(hs.Commit)})
	return s
}
