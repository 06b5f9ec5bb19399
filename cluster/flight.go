package cluster

import (
	"cmp"
	"slices"
	"time"

	"raftty/engine"
	"raftty/transport"
)

// Flight is a message on the wire: sent, not yet delivered or dropped.
type Flight struct {
	From, To int
	// Type is the message's type.
	Type engine.MsgType
	Term uint64
	// Granted answers a RequestVote or PreVote (replies only); Success an
	// AppendEntries.
	Granted, Success bool
	// Entries counts the log entries an AppendEntries carries (0: a
	// heartbeat).
	Entries          int
	SentAt, ArriveAt time.Duration
	// Drop is "" if the message will be delivered as things stand now, or
	// the reason it will be dropped when it arrives ("cut", "dead", ...):
	// its link broke or its receiver died while it travelled. A message
	// dropped when sent never flies; its drop event says so.
	Drop string
}

// InFlight returns every message on the wire, ordered by sending time,
// then arrival, sender and receiver.
func (c *Cluster) InFlight() []Flight {
	var buf []Flight
	for e := range c.net.All() {
		f := Flight{
			From: e.From, To: e.To, Type: e.Payload.Type, Term: e.Payload.Term,
			Granted: e.Payload.Granted, Success: e.Payload.Success, Entries: len(e.Payload.Entries),
			SentAt: e.SentAt, ArriveAt: e.ArriveAt,
		}
		if r := c.net.Fate(e); r != transport.Delivered {
			f.Drop = r.String()
		}
		buf = append(buf, f)
	}
	slices.SortFunc(buf, func(a, b Flight) int {
		return cmp.Or(cmp.Compare(a.SentAt, b.SentAt), cmp.Compare(a.ArriveAt, b.ArriveAt),
			cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.Type, b.Type))
	})
	return buf
}

// Link is a one-way link between two nodes.
type Link struct{ From, To int }

// CutLinks returns every one-way link that is cut (Cut), in order.
func (c *Cluster) CutLinks() []Link {
	var out []Link
	for from := 1; from <= c.cfg.Nodes; from++ {
		for to := 1; to <= c.cfg.Nodes; to++ {
			if from != to && c.net.IsCut(from, to) {
				out = append(out, Link{from, to})
			}
		}
	}
	return out
}
