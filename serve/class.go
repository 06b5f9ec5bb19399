// This file is the class: the lecture's people as their views need them
// (tui.Class): where the teacher looks, who watches and who follows, and
// the teacher's poll, "predict, then reveal".

package serve

import (
	"errors"
	"fmt"
	"sync"

	"raftty/cluster"
	"raftty/tui"
)

// class is what every view of the lecture shares beside the cluster.
type class struct {
	s  *Server
	mu sync.Mutex
	// teacher is where the teacher's view looks: a following view looks
	// there too.
	teacher tui.Cursor
	poll    poll
}

// poll is the class's question and its answers, one per session.
type poll struct {
	seq            int
	question       string
	open, revealed bool
	answers        map[*session]int
}

// Errors of the class's verbs, said on the status line of who tried.
var (
	errNotTeacher = errors.New("watching: only the teacher asks the class")
	errNoPoll     = errors.New("no poll is open: the teacher's :poll QUESTION opens one")
	errTeacherNot = errors.New("the teacher asks; the class answers")
)

// seat is one session's place in the class: the tui.Class its view is
// given. answer, if not 0, is the answer a shared screen shows (see
// screen.go), which is not a session's.
type seat struct {
	c      *class
	st     *session
	answer int
}

// State is the class as this seat's view is to show it: the teacher's
// cursor; to the teacher, who watches and follows and the poll's tally as
// it stands; to a watcher, its own answer, and the tally once revealed.
func (p seat) State() tui.ClassState {
	teacher := p.st != nil && p.st.teacher
	var watching, following int
	if teacher {
		watching, following = p.c.s.audience()
	}
	away := len(p.c.s.opts.Teachers) > 0 && p.c.s.teachers.Load() == 0
	c := p.c
	c.mu.Lock()
	defer c.mu.Unlock()
	out := tui.ClassState{Teacher: c.teacher, Watching: watching, Following: following, TeacherAway: away}
	q := &c.poll
	if q.question == "" {
		return out
	}
	out.Poll = tui.Poll{Seq: q.seq, Question: q.question, Open: q.open, Revealed: q.revealed, Answer: p.answer}
	if p.st != nil {
		out.Poll.Answer = q.answers[p.st]
	}
	if teacher || q.revealed {
		out.Poll.TallyShown = true
		for _, a := range q.answers {
			out.Poll.Tally[a-1]++
			out.Poll.Answered++
		}
	}
	return out
}

// Ask is the teacher's :poll: a new question, its answers to come, the
// lecture paused so that the class predicts before it sees; "" takes the
// poll down.
func (p seat) Ask(question string) error {
	if p.st == nil || !p.st.teacher {
		return errNotTeacher
	}
	c := p.c
	c.mu.Lock()
	if question == "" {
		c.poll = poll{seq: c.poll.seq}
	} else {
		c.poll = poll{seq: c.poll.seq + 1, question: question, open: true, answers: map[*session]int{}}
	}
	c.mu.Unlock()
	c.s.log.Info("poll", "question", question, "by", p.st.fp)
	c.s.screens.regroup() // a new poll: nobody has answered it
	if question != "" {
		return c.pace(cluster.ActPause)
	}
	c.s.nudge(nil)
	return nil
}

// Reveal is the teacher's :reveal: everyone sees the tally, and play goes
// on.
func (p seat) Reveal() error {
	if p.st == nil || !p.st.teacher {
		return errNotTeacher
	}
	c := p.c
	c.mu.Lock()
	if !c.poll.open {
		c.mu.Unlock()
		return errors.New("no poll to reveal: :poll QUESTION asks one")
	}
	c.poll.open, c.poll.revealed = false, true
	n := len(c.poll.answers)
	c.mu.Unlock()
	c.s.log.Info("poll revealed", "answers", n)
	return c.pace(cluster.ActResume)
}

// Answer is a watcher's digit while a poll is open; a later one replaces
// it.
func (p seat) Answer(choice int) error {
	switch {
	case p.st == nil:
		return errNoPoll
	case p.st.teacher:
		return errTeacherNot
	case choice < 1 || choice > 9:
		return fmt.Errorf("answer %d: the answers are 1 to 9", choice)
	}
	c := p.c
	c.mu.Lock()
	if !c.poll.open {
		c.mu.Unlock()
		return errNoPoll
	}
	c.poll.answers[p.st] = choice
	c.mu.Unlock()
	// The shared screen that says this answer; the teacher's tally.
	c.s.screens.regroup()
	c.s.nudge(nil)
	return nil
}

// pace pauses or resumes the lecture for the poll (unless it already is),
// and wakes every view: the poll's line changed.
func (c *class) pace(a cluster.Action) error {
	live := c.s.feed.current()
	var err error
	if paused := live.Snapshot().Paused; paused != (a == cluster.ActPause) {
		err = live.Apply(cluster.Command{Action: a})
	}
	c.s.nudge(nil)
	return err
}

// follow records where the teacher's view looks now, and wakes the views
// that follow it; it reports whether that changed.
func (c *class) follow(cur tui.Cursor) bool {
	c.mu.Lock()
	changed := c.teacher != cur
	c.teacher = cur
	c.mu.Unlock()
	return changed
}

// answerOf is a session's answer to the poll open or revealed (0: none).
func (c *class) answerOf(st *session) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.poll.answers[st]
}

// pollOpen reports whether a poll waits for answers.
func (c *class) pollOpen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.poll.open
}

// forget drops a session's answer when it leaves while the poll is open;
// a revealed tally is what everyone was shown, and stays so.
func (c *class) forget(st *session) {
	c.mu.Lock()
	if !c.poll.revealed {
		delete(c.poll.answers, st)
	}
	c.mu.Unlock()
}

// audience counts the watchers connected, and those whose view follows
// the teacher.
func (s *Server) audience() (watching, following int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.sessions {
		if st.teacher || st.role == "" {
			continue
		}
		watching++
		if st.following.Load() {
			following++
		}
	}
	return watching, following
}
