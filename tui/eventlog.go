package tui

import (
	"fmt"
	"slices"
	"sort"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// eventLog is the event log panel: the decisions, or with f every message
// too, newest at the bottom; a / filter; a selected line (↑/↓, a click)
// reversed and kept in view; in the past, the line at the cursor reversed
// and the recorded future dimmed below it. Only the lines on screen are
// put into words.
type eventLog struct {
	size
	logKeys
	// traffic: every message is shown, heartbeats included.
	traffic bool
	// scroll is how many lines back from the newest the view ends; sel
	// the selected line's number (ring.total order), or -1.
	scroll, sel int
	filter      logFilter
	matches     filtered
	words       wordCache
	// hits are the lines the last View drew, for clicks; empty the rows
	// it left empty below the newest line (negative: the lines it had
	// no room for).
	hits  []hit
	empty int
}

// logKeys move in the event log and choose what it shows.
type logKeys struct {
	Heartbeats, LogUp, LogDown, LogEnd, Filter, Close, Inspect key.Binding
	NextMatch, PrevMatch                                       key.Binding
}

func newLogKeys() logKeys {
	return logKeys{
		Heartbeats: binding("f", "show heartbeats", "f"),
		LogUp:      binding("↑/pgup", "select older log line", "up", "pgup"),
		LogDown:    binding("↓/pgdn", "select newer log line", "down", "pgdown"),
		LogEnd:     binding("G", "log: follow newest", "G"),
		Filter:     binding("/", "filter log", "/"),
		Close:      binding("esc", "unselect line, clear filter", "esc"),
		Inspect:    binding("enter", "go to line, inspect", "enter"),
		NextMatch:  binding("n", "next line the filter matches", "n"),
		PrevMatch:  binding("N", "previous line the filter matches", "N"),
	}
}

// ShortHelp and FullHelp make logKeys a help.KeyMap.
func (k logKeys) ShortHelp() []key.Binding { return []key.Binding{k.Inspect} }
func (k logKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Inspect, k.LogUp, k.LogDown, k.LogEnd, k.Filter, k.NextMatch, k.PrevMatch, k.Close, k.Heartbeats}}
}

func newEventLog() *eventLog { return &eventLog{logKeys: newLogKeys(), sel: -1} }

// Update answers the log's own keys: ↑/↓ select, G follows the newest, f
// shows or hides message traffic, esc unselects the line or else clears
// the filter. What the root shows of it comes back as a request.
func (l *eventLog) Update(msg tea.Msg, f *Frame) (tea.Cmd, tea.Msg) {
	return onKey(msg, f, l.updateKey)
}

func (l *eventLog) updateKey(k tea.KeyPressMsg, f *Frame) (tea.Cmd, tea.Msg) {
	switch {
	case key.Matches(k, l.logKeys.LogUp):
		l.moveSelection(f, scrollStep(k))
	case key.Matches(k, l.logKeys.LogDown):
		l.moveSelection(f, -scrollStep(k))
	case key.Matches(k, l.logKeys.LogEnd):
		l.follow()
	case key.Matches(k, l.logKeys.NextMatch):
		return nil, l.nextMatch(f, 1)
	case key.Matches(k, l.logKeys.PrevMatch):
		return nil, l.nextMatch(f, -1)
	case key.Matches(k, l.logKeys.Heartbeats):
		l.traffic, l.scroll = !l.traffic, 0
		if l.traffic {
			return nil, statusMsg("event log: heartbeats and message traffic shown")
		}
		return nil, statusMsg("event log: heartbeats and message traffic hidden")
	case key.Matches(k, l.logKeys.Close):
		switch {
		case l.sel >= 0:
			l.sel = -1
		case l.filter.text != "":
			l.filter = logFilter{}
			return nil, statusMsg("log filter cleared")
		}
	}
	return nil, nil
}

// nextMatch selects the first line the filter keeps after the decision
// shown (dir > 0) or the last before it, as n and N do in vim (past the
// last, on from the first), and asks the root to move the time cursor to
// it.
func (l *eventLog) nextMatch(f *Frame, dir int) tea.Msg {
	if l.filter.text == "" {
		return statusMsg("n and N go to the next and previous line the filter matches: / sets one")
	}
	shown := l.shown(f)
	at := f.decisionShown()
	var k int
	if dir > 0 {
		k = sort.Search(shown.len(), func(k int) bool { return shown.line(k).dec > at })
	} else {
		k = sort.Search(shown.len(), func(k int) bool { return shown.line(k).dec >= at }) - 1
	}
	if shown.len() == 0 {
		return statusMsg(fmt.Sprintf("no line matches /%s", l.filter.text))
	}
	wrapped := k < 0 || k >= shown.len()
	if wrapped {
		// As vim's n does: on from the other end.
		k = (k + shown.len()) % shown.len()
	}
	l.sel = shown.num(k)
	return jumpMsg{dec: shown.line(k).dec, wrapped: wrapped}
}

// follow ends the selection and scrolls to the newest line.
func (l *eventLog) follow() { l.scroll, l.sel = 0, -1 }

// setFilter filters the log by text (all of it when empty), from the
// newest line, with nothing selected.
func (l *eventLog) setFilter(text string) {
	l.filter = parseFilter(text)
	l.follow()
}

// log is the log shown: the decisions, or every line when traffic is.
func (l *eventLog) log(f *Frame) *ring[logLine] {
	if l.traffic {
		return &f.hist.traffic
	}
	return &f.hist.decisions
}

// shown is the lines the panel shows: the log chosen, the lines the filter
// keeps if one is set.
func (l *eventLog) shown(f *Frame) shownLines {
	log := l.log(f)
	if l.filter.text == "" {
		return shownLines{log: log}
	}
	return shownLines{log: log, nums: l.matches.sync(log, &l.filter)}
}

// selectedPos is the selected line's position among the shown lines, or
// -1.
func (l *eventLog) selectedPos(shown shownLines) int {
	if k, ok := shown.pos(l.sel); ok && l.sel >= 0 {
		return k
	}
	return -1
}

// selected is the selected line, if it is in the log shown.
func (l *eventLog) selected(f *Frame) (logLine, bool) {
	all := shownLines{log: l.log(f)}
	if k, ok := all.pos(l.sel); ok && l.sel >= 0 {
		return *all.line(k), true
	}
	return logLine{}, false
}

// moveSelection moves the selected line by d lines back in time
// (negative: forward); from no selection it starts at the newest line.
// Moving forward past the newest line ends the selection.
func (l *eventLog) moveSelection(f *Frame, d int) {
	shown := l.shown(f)
	count := shown.len()
	if count == 0 {
		return
	}
	pos := l.selectedPos(shown)
	if pos < 0 {
		if d < 0 {
			return
		}
		pos = count
	}
	pos -= d
	if pos >= count {
		l.sel = -1
		return
	}
	l.sel = shown.num(max(pos, 0))
}

// View draws the log in its box.
func (l *eventLog) View(f *Frame) []string {
	shown := l.shown(f)
	count := shown.len()
	rows := max(l.h-2, 0)
	end := count - min(l.scroll, max(count-rows, 0))
	sel := l.selectedPos(shown)
	if sel >= 0 {
		end = min(max(end, sel+1), sel+rows, count)
	}
	title := l.title(f, count, end, sel)
	at := -1 // in the past: the line at the cursor, the recorded future dimmed below it
	if f.cur.past {
		at = l.cursorPos(f, shown)
		if sel < 0 && at >= 0 {
			end = min(max(at+1+rows/3, rows), count)
		}
	}
	start := max(end-rows, 0)
	lines := make([]string, 0, rows)
	l.hits = l.hits[:0]
	l.words.begin(shown.log, l.w-2)
	atDec := -1 // the decision of the line at the cursor: all its lines are reversed
	if at >= 0 {
		atDec = shown.line(at).dec
	}
	for k := start; k < end; k++ {
		line := shown.line(k)
		text := l.words.of(shown.num(k), line)
		switch {
		case k == sel || (sel < 0 && k <= at && line.dec == atDec):
			text = f.styles.selected.apply(text)
		case at >= 0 && k > at:
			text = f.styles.dim.apply(text)
		default:
			text = f.styles.log[line.style()].apply(text)
		}
		lines = append(lines, text)
		l.hits = append(l.hits, hit{x: 1, y: 1 + k - start, w: l.w - 2, h: 1, logLine: shown.num(k)})
	}
	l.empty = rows - count // all lines show (end == count) when some rows are empty
	return f.styles.box(title, lines, l.w, l.h)
}

// title says what the log shows: with traffic or not, the filter and what
// it keeps, how far back from the newest a scroll or a selection took it,
// and in the past where the cursor is.
func (l *eventLog) title(f *Frame, count, end, sel int) string {
	title := "events"
	if l.traffic {
		title = "events, with message traffic"
	}
	if l.filter.text != "" {
		title += fmt.Sprintf(" · /%s: %s", l.filter.text, plural(count, "line"))
	}
	if end < count {
		title += fmt.Sprintf(" · back %d, G for newest", count-end)
	}
	if sel >= 0 {
		title += " · enter shows it all"
	}
	if f.cur.past {
		title += fmt.Sprintf(" · at t=%s, below it the recorded future", clock(f.cur.at))
	}
	return title
}

// hitList is the lines the last View drew.
func (l *eventLog) hitList() []hit { return l.hits }

// cursorPos is the position, among the lines shown, of the last line of
// the moment shown (the decision at the cursor's, or the one before it),
// or -1: those after it are the recorded future.
func (l *eventLog) cursorPos(f *Frame, shown shownLines) int {
	return sort.Search(shown.len(), func(k int) bool {
		line := shown.line(k)
		return !f.shows(line.at(), line.dec)
	}) - 1
}

// scrollStep is how far a key scrolls: a page for pgup and pgdown.
func scrollStep(msg tea.KeyPressMsg) int {
	if s := msg.String(); s == "pgup" || s == "pgdown" {
		return 10
	}
	return 1
}

// wordCache keeps the words of the lines the last View drew, cut to the
// panel's width, by ring number: a frame puts into words only the lines
// that came on screen since, however many are shown. A line may change
// only while it is the newest (a drop or a parameter folds into it), and
// a fork rewrites the log's end (its cuts change): those are put into
// words again.
type wordCache struct {
	log     *ring[logLine]
	w, cuts int
	// upto is the log's total when the last View began: its lines from
	// upto-1 on may have changed since (fresh is that bound for this one).
	upto, fresh int
	// nums and text are this View's lines; last and lastText the last's.
	nums, last     []int
	text, lastText []string
	buf            []byte
}

// begin starts a View of log at width w.
func (c *wordCache) begin(log *ring[logLine], w int) {
	if c.log != log || c.w != w || c.cuts != log.cuts {
		c.nums, c.text, c.upto = c.nums[:0], c.text[:0], 0
	}
	c.log, c.w, c.cuts = log, w, log.cuts
	c.fresh, c.upto = c.upto-1, log.total
	c.nums, c.last = c.last[:0], c.nums
	c.text, c.lastText = c.lastText[:0], c.text
}

// of is the words of line, number num, cut to the width.
func (c *wordCache) of(num int, line *logLine) string {
	var text string
	if i, ok := slices.BinarySearch(c.last, num); ok && num < c.fresh {
		text = c.lastText[i]
	} else {
		c.buf = line.appendText(c.buf[:0])
		text = ansi.Truncate(string(c.buf), c.w, "…")
	}
	c.nums, c.text = append(c.nums, num), append(c.text, text)
	return text
}
