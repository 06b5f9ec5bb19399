package raft

// Majority returns how many of size nodes make a majority: more than half.
// Half of an even cluster is not one. Votes, CheckQuorum, the effective
// leader and every display of "votes needed" count with it.
func Majority(size int) int { return size/2 + 1 }
