package tui

// look is what a person may change of how their view shows the cluster,
// apart from the time cursor and what it follows: boxes open, panels shown,
// where the log stands and what it keeps. It is comparable, so that a view
// can tell whether it still looks as it did when it opened.
type look struct {
	help, picker bool
	prompt       promptMode
	// inspector is open on something the teacher's cursor does not say
	// (a log line, a message, the lesson, another node).
	inspectorOwn bool
	inspectorTop int
	showMap      bool
	showTimeline bool
	splitMap     bool
	traffic      bool
	logScroll    int
	logSel       int
	filter       string
	divSel       int
}

// look is how the view looks now.
func (m *Model) look() look {
	s := m.scr
	in := s.inspector
	own := in.open && (in.lesson || in.node == 0 || in.node != m.followed.Inspect)
	return look{
		help: s.help.open, picker: s.picker.open, prompt: s.prompt.mode,
		inspectorOwn: own, inspectorTop: in.scroll.top,
		showMap: s.showMap, showTimeline: s.showTimeline, splitMap: s.splitMap,
		traffic: s.log.traffic, logScroll: s.log.scroll, logSel: s.log.sel, filter: s.log.filter.text,
		divSel: m.divSel,
	}
}

// Plain reports whether this view shows what a view that has just opened
// following the teacher shows: it follows, and nothing its person did
// (a box open, a panel toggled, the log scrolled or filtered) shows. A
// class's server draws one screen for all the plain views of a size (see
// serve), so a view that is plain again may go back to it.
func (m *Model) Plain() bool {
	return m.following && m.look() == m.opened
}

// Settled reports whether the view's time cursor is where it says: no
// step or jump to a decision is on its way. A key given before that moves
// from a moment the view has not reached yet.
func (m *Model) Settled() bool { return m.cur.want == 0 }
