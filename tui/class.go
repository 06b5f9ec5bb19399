package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Class is the lecture a view is part of (`raftty serve`), as the view
// needs it: where the teacher looks, who watches, and the poll. It is the
// server's; the view reads its State once a frame and sends it the
// teacher's questions and the students' answers. A view of one's own has
// none.
type Class interface {
	// State is the class as this view is to show it now.
	State() ClassState
	// Ask opens a poll with a question (the teacher's :poll; "" takes
	// the poll down), Reveal shows its tally to everyone (:reveal), and
	// Answer gives this viewer's answer, 1 to 9.
	Ask(question string) error
	Reveal() error
	Answer(choice int) error
}

// ClassState is what a view shows of its class: comparable, so that a
// view redraws only when it changed.
type ClassState struct {
	// Teacher is where the teacher looks: a following view looks there
	// too.
	Teacher Cursor
	// Watching counts the watchers connected, Following those of them
	// whose view follows the teacher: the teacher's header says both.
	Watching, Following int
	// TeacherAway says the lecture has a teacher who is not connected
	// (not yet, or no longer): a following view stays where the teacher
	// last looked, and says so.
	TeacherAway bool
	Poll        Poll
}

// Poll is the class's question: "predict, then reveal".
type Poll struct {
	// Seq numbers the polls of the lecture (0: none yet).
	Seq      int
	Question string
	// Open: answers are taken. Revealed: the tally is everyone's.
	Open, Revealed bool
	// Tally counts the answers per choice (Tally[0] is choice 1), and
	// Answered all of them: the teacher's view has them live, a
	// watcher's once revealed (TallyShown).
	Tally      [9]int
	Answered   int
	TallyShown bool
	// Answer is this viewer's answer (0: none).
	Answer int
}

// Cursor is where a view looks, as a view that follows it takes it: the
// moment (live, or the past at a time or right after a decision), the
// timeline's zoom, the node selected and the one the inspector shows.
type Cursor struct {
	Past bool
	At   time.Duration
	// Decision is the decision shown in the past; 0: everything at At.
	Decision int
	// End is the past timeline's right edge: a view that follows shows
	// the same stretch of time, not one that depends on how it got there.
	End      time.Duration
	Zoom     int
	Selected int
	// Inspect is the node the inspector shows (0: none).
	Inspect int
}

// Cursor is where this view looks now.
func (m *Model) Cursor() Cursor {
	c := Cursor{Past: m.cur.past, Zoom: m.cur.zoom, Selected: m.selected}
	if m.cur.past {
		c.At, c.End = m.cur.at, m.cur.end
		switch {
		case m.cur.want != 0:
			// A step on its way (-1: from a moment still being rebuilt).
			c.Decision = m.cur.want
		case m.cur.stepped:
			c.Decision = m.cur.dec
		}
	}
	if in := m.scr.inspector; in.open && in.node > 0 {
		c.Inspect = in.node
	}
	return c
}

// Following reports whether the view follows the teacher's cursor.
func (m *Model) Following() bool { return m.following }

// Watching reports whether the view is a watcher's: it may look, never
// change the cluster.
func (m *Model) Watching() bool { return m.watching }

// class is a view's part in a lecture: following the teacher, the
// poll's keys and line (the view's class, classState, following and
// followed are its state).
type class struct{ view *Model }

// syncClass takes in the class's state, and a following view goes where
// the teacher looks.
func (cl class) syncClass() tea.Cmd {
	m := cl.view
	if m.class == nil {
		return nil
	}
	st := m.class.State()
	if st != m.classState {
		m.classState, m.dirty = st, true
	}
	if !m.following || st.Teacher == m.followed {
		return nil
	}
	return m.lecture.followTo(st.Teacher)
}

// followTo takes the teacher's cursor c: its selection, zoom, inspected
// node and moment.
func (cl class) followTo(c Cursor) tea.Cmd {
	m := cl.view
	if c.Past && c.Decision < 0 {
		return nil // the teacher's step is on its way: its decision will come
	}
	m.followed, m.dirty = c, true
	if c.Selected >= 1 && c.Selected <= len(m.snap.Nodes) {
		m.selected = c.Selected
	}
	if c.Zoom >= 0 && c.Zoom < len(zoomLevels) {
		m.cur.setZoom(c.Zoom, m.scr.tl.cols)
	}
	in := m.scr.inspector
	switch {
	case c.Inspect > 0 && c.Inspect <= len(m.snap.Nodes):
		if !in.open || in.node != c.Inspect {
			in.showNode(c.Inspect)
		}
	case in.open:
		in.open = false
	}
	switch {
	case !c.Past:
		cmd := m.cur.goLive()
		m.setStatus("following the teacher: live (a key of your own, such as ←, goes on your own)", nil)
		return cmd
	case c.Decision > 0:
		if m.cur.past && m.cur.want == 0 && m.cur.dec == c.Decision {
			m.lecture.placeTimeline()
			return nil
		}
		return m.cur.seekDecision(c.Decision) // its status names the decision, as the teacher's does
	case m.cur.past && m.cur.at == c.At && m.cur.want == 0:
		m.lecture.placeTimeline()
		return nil
	}
	cmd := m.cur.seek(c.At)
	m.setStatus(fmt.Sprintf("following the teacher into the past, at t=%s (←/→ of your own go on your own)", clock(c.At)), nil)
	return cmd
}

// follow is a watcher's f: the view follows the teacher again.
func (cl class) follow() tea.Cmd {
	m := cl.view
	m.following = true
	m.followed = Cursor{Selected: -1} // none: take the teacher's as it is
	cmd := m.lecture.syncClass()
	m.setStatus("following the teacher", nil)
	return cmd
}

// placeTimeline scrolls the past timeline so that the cursor is on it: a
// view that follows the teacher, where the teacher's is (so that both show
// the same stretch of time), unless that leaves the cursor off its screen.
func (cl class) placeTimeline() {
	m := cl.view
	if m.following && m.followed.Past && m.followed.End > 0 {
		m.cur.end = min(m.followed.End, m.cur.timelineEnd(m.cur.live.Now))
	}
	m.cur.keepOnScreen(m.scr.tl.cols)
}

// ownMove notes that a person's key or click moved the cursor of a view
// that followed the teacher (was) away from where it was (before): the
// view is on its own from now.
func (cl class) ownMove(was bool, before Cursor) {
	if was && cl.view.Cursor() != before {
		cl.onOwn()
	}
}

// onOwn takes a view that follows the teacher on its own.
func (cl class) onOwn() {
	m := cl.view
	if m.following {
		m.following = false
		m.setStatus("on your own: the teacher's moves no longer move you; f follows again", nil)
	}
}

// answerKey is a watcher's digit while a poll is open: its answer.
func (cl class) answerKey(msg tea.KeyPressMsg) (int, bool) {
	m := cl.view
	p := &m.classState.Poll
	if m.class == nil || !m.watching || !p.Open {
		return 0, false
	}
	if s := msg.String(); len(s) == 1 && s[0] >= '1' && s[0] <= '9' {
		return int(s[0] - '0'), true
	}
	return 0, false
}

// classCmd sends the class what the view asked (a poll, a reveal, an
// answer), off Update; the status line says what came of it.
func (cl class) classCmd(what string, do func(Class) error) tea.Cmd {
	m := cl.view
	c := m.class
	if c == nil {
		m.setStatus(what+": polls are for a class: a lecture of raftty serve", nil)
		return nil
	}
	return func() tea.Msg { return commandDoneMsg{what: what, err: do(c)} }
}

// pollMsg asks the class a question (the : line's poll); revealMsg shows
// its tally to everyone (reveal).
type (
	pollMsg   string
	revealMsg struct{}
)

// classLine is the class as this view shows it, above the panels: to the
// teacher, always, who watches and follows, and the poll with its tally;
// to a watcher, the poll while there is one, and what to do or what came
// of it. "" when there is nothing to say. When the line is wider than w it
// says the same in short, the teacher's question last (the teacher knows
// it; the tally is what they need to read).
func classLine(f *Frame, w int) string {
	if f.class == nil || (f.watching && f.class.Poll.Question == "") {
		return ""
	}
	line := " " + strings.Join(classParts(f, false), " · ") + " "
	if ansi.StringWidth(line) > w {
		line = " " + strings.Join(classParts(f, true), " · ") + " "
	}
	return fit(f.styles.banner.apply(line), w)
}

// classParts are the class line's parts, in full or in short.
func classParts(f *Frame, short bool) []string {
	p := &f.class.Poll
	say := func(full, brief string) string {
		if short {
			return brief
		}
		return full
	}
	var parts []string
	if !f.watching {
		parts = append(parts, fmt.Sprintf(say("%d watching, %d following", "%d watch, %d follow"), f.class.Watching, f.class.Following))
		if p.Question == "" {
			parts = append(parts, say(":poll QUESTION asks them", ":poll QUESTION"))
			return parts
		}
	}
	question := "poll: " + p.Question
	teacherShort := short && !f.watching
	if !teacherShort {
		parts = append(parts, question)
	}
	switch {
	case p.TallyShown:
		parts = append(parts, tallyParts(p, short)...)
	case p.Open && p.Answer > 0:
		parts = append(parts, fmt.Sprintf(say("your answer: %d (1-9 changes it)", "yours: %d"), p.Answer))
	case p.Open:
		parts = append(parts, say("answer with a key, 1 to 9", "answer 1-9"))
	}
	switch {
	case !f.watching && p.Open:
		parts = append(parts, say(":reveal shows everyone", ":reveal"))
	case p.Revealed && p.Answer > 0:
		parts = append(parts, fmt.Sprintf("yours: %d", p.Answer))
	}
	if teacherShort {
		parts = append(parts, p.Question)
	}
	return parts
}

// tallyParts are a poll's answers: how many, and how many chose each
// choice anyone chose (in short, without the percentages).
func tallyParts(p *Poll, short bool) []string {
	out := []string{fmt.Sprintf("%d answered", p.Answered)}
	for i, n := range p.Tally {
		switch {
		case n == 0:
		case short:
			out = append(out, fmt.Sprintf("%d: %d", i+1, n))
		default:
			out = append(out, fmt.Sprintf("%d: %d (%d%%)", i+1, n, (n*200+p.Answered)/max(2*p.Answered, 1)))
		}
	}
	return out
}

// classPart is what a watcher's header says of the class: whether the
// view follows the teacher, and where the teacher looks (a banner that
// takes the place of the clock and the past's banner: banner), or is on
// its own.
func classPart(f *Frame) (p headerPart, banner bool) {
	if f.class == nil || !f.watching {
		return headerPart{}, false
	}
	if !f.following {
		return headerPart{f.styles.cutOff.apply("on your own · f follows the teacher"), f.styles.cutOff.apply("on your own"), 9, ""}, false
	}
	// A banner (pill): its room inside is its colour's, not its text's.
	text := fmt.Sprintf("following the teacher at t=%s", clock(f.cursorMoment()))
	short := text
	switch {
	case f.class.TeacherAway:
		text = fmt.Sprintf("the teacher is not connected · you see t=%s", clock(f.cursorMoment()))
		short = fmt.Sprintf("no teacher · t=%s", clock(f.cursorMoment()))
	case f.cur.past:
		text = fmt.Sprintf("following the teacher at t=%s · the past; live %s", clock(f.cur.at), clock(f.liveNow()))
		short = fmt.Sprintf("following the teacher · PAST %s", clock(f.cur.at))
	}
	return headerPart{f.styles.pill(text), f.styles.pill(short), 10, ""}, true
}

// pollHelp is the teacher's line of the full help for polls.
const pollHelp = "  poll QUESTION: ask the class (it answers with 1-9; the lecture pauses)   reveal: show everyone the tally, play goes on   poll: take it down"

// watcherHelp is what the full help says to a watcher beside the keys: in
// a lecture (class), what following means.
func watcherHelp(class bool) []string {
	if !class {
		return []string{"watching: what you do changes your view only; only the teacher changes the cluster"}
	}
	return []string{
		"watching: your view follows the teacher's (the moment, the node selected, the inspector);",
		"  a key that moves your own time cursor or selection takes you on your own, f follows again;",
		"  while the teacher asks a question (a poll), 1-9 answers it. Only the teacher changes the cluster.",
	}
}

// poll asks the class question q (an empty q takes the poll down).
func (c *class) poll(q string) tea.Cmd {
	what := "poll: " + q + " (the class answers 1-9; :reveal shows the tally)"
	switch {
	case c.view.watching:
		what = "poll" // refused: the refusal says it all
	case q == "":
		what = "poll taken down"
	}
	return c.classCmd(what, func(cl Class) error { return cl.Ask(q) })
}

// reveal shows the poll's tally to everyone.
func (c *class) reveal() tea.Cmd {
	what := "poll revealed to everyone; play goes on"
	if c.view.watching {
		what = "reveal"
	}
	return c.classCmd(what, Class.Reveal)
}
