package etcd

import (
	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"

	"raftty/engine"
)

// msgType names an etcd message type in the seam's vocabulary.
func msgType(t pb.MessageType) engine.MsgType { return engine.EtcdBase + engine.MsgType(t) }

// roles maps etcd's StateType, whose order differs from raftty's.
var roles = [...]engine.Role{
	raft.StateFollower:     engine.Follower,
	raft.StateCandidate:    engine.Candidate,
	raft.StateLeader:       engine.Leader,
	raft.StatePreCandidate: engine.PreCandidate,
}

func role(s raft.StateType) engine.Role { return roles[s] }

// fromPB describes etcd's message m, sent onto the wire by node from, in the
// seam's terms; m itself travels as the Body. From is the sender on the wire,
// which for a proposal a follower forwards is not etcd's From (the proposer).
func fromPB(from engine.NodeID, m *pb.Message) engine.Message {
	em := engine.Message{Type: msgType(m.GetType()), Body: m}
	em.From, em.To, em.Term = from, engine.NodeID(m.GetTo()), m.GetTerm()
	switch m.GetType() {
	case pb.MsgVote, pb.MsgPreVote:
		em.LastLogIndex, em.LastLogTerm = m.GetIndex(), m.GetLogTerm()
	case pb.MsgVoteResp, pb.MsgPreVoteResp:
		em.Granted = !m.GetReject()
	case pb.MsgApp:
		em.PrevLogIndex, em.PrevLogTerm, em.LeaderCommit = m.GetIndex(), m.GetLogTerm(), m.GetCommit()
		if es := m.GetEntries(); len(es) > 0 {
			em.Entries = make([]engine.Entry, len(es))
			for i, e := range es {
				em.Entries[i] = engine.Entry{Term: e.GetTerm(), Data: e.GetData()}
			}
		}
	case pb.MsgAppResp:
		em.Success = !m.GetReject()
	case pb.MsgHeartbeat:
		em.LeaderCommit = m.GetCommit()
	}
	return em
}
