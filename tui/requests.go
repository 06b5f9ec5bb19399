package tui

import (
	"time"

	"raftty/cluster"
)

// The requests a component makes of the root, returned from its Update
// with the message that caused them, and carried out by the root at once
// (Model.request), in the same Update: a component never changes what
// another owns.
type (
	// statusMsg says something on the status line.
	statusMsg string
	// failedMsg says on the status line, as an error, why what failed.
	failedMsg struct {
		what string
		err  error
	}
	// selectMsg selects a node.
	selectMsg int
	// applyMsg gives commands to the cluster (in the past: forks), with a
	// note for the status line.
	applyMsg struct {
		note string
		cmds []cluster.Command
	}
	// filterMsg filters the event log ("": shows all of it).
	filterMsg string
	// saveMsg saves the session to a file (name "": one made up).
	saveMsg string
	// scenarioMsg restarts the cluster with a built-in scenario.
	scenarioMsg string
	// zoomMsg zooms the timeline out (positive) or in by levels.
	zoomMsg int
	// moveMsg moves the time cursor by a duration (negative: back);
	// pageMsg by a timeline's width, as wide as the screen (-1: back).
	moveMsg time.Duration
	pageMsg int
	// oldestMsg moves the time cursor to the oldest moment kept; liveMsg
	// takes it back to the present.
	oldestMsg struct{}
	liveMsg   struct{}
	// decisionMsg moves the time cursor to the next (1) or previous (-1)
	// decision.
	decisionMsg int
	// jumpMsg moves the time cursor to a log line's decision; wrapped:
	// a search went on from the other end of the log.
	jumpMsg struct {
		dec     int
		wrapped bool
	}
)
