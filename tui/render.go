package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"

	"raftty/cluster"
)

// renders holds every style of Styles reduced to a wrap, and the timeline's
// cells pre-rendered: built once, used every frame.
type renders struct {
	header, dim, title, border, selected, banner, errorText, status, prompt wrap
	follower, preCandidate, candidate, dead, cutOff                         wrap
	timerFull, timerEmpty                                                   wrap
	nodes                                                                   []wrap
	terms                                                                   []wrap
	log                                                                     [logViolation + 1]wrap
	// cellStyles are the wraps a timeline cell can take; a cell names one
	// by index, so that runs of cells in one style share one escape.
	cellStyles []wrap
	// mapStyles are the map's, indexed by the map* constants.
	mapStyles []wrap
	// help styles the help bar and the full help.
	help help.Styles
	// pad is the space a banner keeps inside its colour, each side (none
	// without a colour: it would read as a doubled space beside the
	// header's separators).
	pad string
}

// pill is text as a banner: on its colour, with room inside it.
func (r *renders) pill(text string) string { return r.banner.apply(r.pad + text + r.pad) }

// Indices into renders.cellStyles; node colours follow cellNode.
const (
	cellPlain = iota
	cellFollower
	cellPreCandidate
	cellCandidate
	cellDead
	cellCutOff
	cellTimeout
	cellFault
	cellVote
	cellStepDown
	// cellFuture is the recorded future, after the time cursor: dimmed.
	cellFuture
	cellNode
)

func newRenders(s Styles) renders {
	r := renders{
		header: newWrap(s.Header), dim: newWrap(s.Dim), title: newWrap(s.Title), border: newWrap(s.Border),
		selected: newWrap(s.Selected), banner: newWrap(s.Banner), errorText: newWrap(s.Error),
		status: newWrap(s.Status), prompt: newWrap(s.Prompt),
		follower: newWrap(s.Follower), preCandidate: newWrap(s.PreCandidate), candidate: newWrap(s.Candidate),
		dead: newWrap(s.Dead), cutOff: newWrap(s.CutOff),
		timerFull: newWrap(s.TimerFull), timerEmpty: newWrap(s.TimerEmpty), help: s.Help,
	}
	if _, none := s.Banner.GetBackground().(lipgloss.NoColor); !none && s.Banner.GetBackground() != nil {
		r.pad = " "
	}
	for _, ns := range s.NodeColors {
		r.nodes = append(r.nodes, newWrap(ns))
	}
	for _, ts := range s.TermColors {
		r.terms = append(r.terms, newWrap(ts))
	}
	r.log[logState] = newWrap(s.LogState)
	r.log[logVote] = newWrap(s.LogVote)
	r.log[logDeny] = newWrap(s.LogDeny)
	r.log[logTimeout] = newWrap(s.LogTimeout)
	r.log[logFault] = newWrap(s.LogFault)
	r.log[logTraffic] = newWrap(s.LogTraffic)
	r.log[logViolation] = newWrap(s.LogViolation)
	r.cellStyles = []wrap{
		cellPlain: {}, cellFollower: r.follower, cellPreCandidate: r.preCandidate, cellCandidate: r.candidate,
		cellDead: r.dead, cellCutOff: r.cutOff, cellTimeout: r.log[logTimeout], cellFault: r.log[logFault],
		cellVote: r.log[logVote], cellStepDown: r.log[logState], cellFuture: r.dim,
	}
	r.cellStyles = append(r.cellStyles, r.nodes...)
	r.mapStyles = make([]wrap, mapNode, int(mapNode)+len(r.nodes))
	r.mapStyles[mapLink] = newWrap(s.MapLink)
	r.mapStyles[mapLinkBroken] = r.cutOff
	r.mapStyles[mapFollower] = r.follower
	r.mapStyles[mapPreCandidate] = r.preCandidate
	r.mapStyles[mapCandidate] = r.candidate
	r.mapStyles[mapDead] = r.dead
	r.mapStyles[mapSelected] = r.selected
	r.mapStyles[mapGranted] = r.log[logVote]
	r.mapStyles[mapRefused] = r.log[logDeny]
	r.mapStyles[mapReply] = r.dim
	r.mapStyles[mapDrop] = r.errorText
	r.mapStyles[mapDoomed] = r.cutOff
	r.mapStyles[mapTimerFull] = r.timerFull
	r.mapStyles[mapTimerEmpty] = r.timerEmpty
	r.mapStyles[mapDim] = r.dim
	r.mapStyles = append(r.mapStyles, r.nodes...)
	return r
}

// node returns node id's own colour.
func (r *renders) node(id int) wrap { return r.nodes[(id-1)%len(r.nodes)] }

// term returns the colour of log entries of term t.
func (r *renders) term(t uint64) wrap {
	if t == 0 {
		return r.dim
	}
	return r.terms[(t-1)%uint64(len(r.terms))]
}

// cell is one timeline column of one row: a glyph and the index of its
// style.
type cell struct {
	r     rune
	style int
}

func (r *renders) nodeStyle(id int) int { return cellNode + (id-1)%len(r.nodes) }

// bandCell is what a row shows where nothing happened: its role, orange when
// cut off from a majority.
func (r *renders) bandCell(id int, b bandChange) cell {
	var c cell
	switch b.state {
	case 0:
		return cell{' ', cellPlain}
	case cluster.StateDead:
		return cell{'·', cellDead}
	case cluster.StateFollower:
		c = cell{'─', cellFollower}
	case cluster.StatePreCandidate:
		c = cell{'╌', cellPreCandidate}
	case cluster.StateCandidate:
		c = cell{'═', cellCandidate}
	case cluster.StateLeader:
		c = cell{'━', r.nodeStyle(id)}
	}
	if b.cutOff {
		c.style = cellCutOff
	}
	return c
}

// markCell is a point event on a row.
func (r *renders) markCell(id int, k markKind) cell {
	switch k {
	case markHeartbeatIn:
		return cell{'╵', cellFollower}
	case markHeartbeatOut:
		return cell{'┃', r.nodeStyle(id)}
	case markVote:
		return cell{'v', cellVote}
	case markPreVote:
		return cell{'p', cellVote}
	case markLink:
		return cell{'¦', cellFault}
	case markCutOut:
		return cell{'>', cellFault}
	case markCutIn:
		return cell{'<', cellFault}
	case markReconnect:
		return cell{'+', cellFault}
	case markDisconnect:
		return cell{'/', cellFault}
	case markRestart:
		return cell{'R', cellFault}
	case markKill:
		return cell{'X', cellDead}
	case markTimeout:
		return cell{'x', cellTimeout}
	case markStepDown:
		return cell{'F', cellStepDown}
	case markPreCandidate:
		return cell{'P', cellPreCandidate}
	case markCandidate:
		return cell{'C', cellCandidate}
	case markLeader:
		return cell{'L', r.nodeStyle(id)}
	}
	return cell{' ', cellPlain}
}
