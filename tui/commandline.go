package tui

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// commandLine is the : prompt: a command of the scenario language (a
// scenario line without its time), applied at the current virtual time,
// with completion and a history. The lines that describe a scenario file
// (title, explain, expect, nodes, seed, for) are not commands: it says so.
type commandLine struct {
	form    promptForm
	history []string
	// pos walks the history: len(history) is the line being typed.
	pos   int
	typed string
	// choices are the completions of an ambiguous tab.
	choices []string
}

func (c *commandLine) open() tea.Cmd {
	c.pos, c.typed, c.choices = len(c.history), "", nil
	return c.form.open("")
}

func (p *prompt) updateCommandLine(k tea.KeyPressMsg, f *Frame) (tea.Cmd, tea.Msg) {
	c := &p.cmdline
	switch {
	case key.Matches(k, p.promptKeys.Cancel):
		return nil, p.cancel("command line closed")
	case key.Matches(k, p.promptKeys.Apply):
		return p.runLine(strings.TrimSpace(c.form.input.Value()), f)
	case key.Matches(k, p.promptKeys.Complete):
		text, choices := complete(c.form.input.Value(), f.class != nil && !f.watching)
		c.setLine(text)
		c.choices = choices
		return nil, nil
	case key.Matches(k, p.promptKeys.Older):
		c.walk(-1)
		return nil, nil
	case key.Matches(k, p.promptKeys.Newer):
		c.walk(1)
		return nil, nil
	}
	c.form.err, c.choices = "", nil
	return c.form.update(k), nil
}

// walk moves d lines through the history (negative: older), keeping what
// was being typed for when it comes back.
func (c *commandLine) walk(d int) {
	if c.pos == len(c.history) {
		c.typed = c.form.input.Value()
	}
	c.pos = min(max(c.pos+d, 0), len(c.history))
	line := c.typed
	if c.pos < len(c.history) {
		line = c.history[c.pos]
	}
	c.setLine(line)
}

func (c *commandLine) setLine(s string) {
	c.form.input.SetValue(s)
	c.form.input.CursorEnd()
}

// runLine carries out a : line. Enter always closes the prompt: a line
// that does not parse, or names a node the cluster lacks, changes nothing
// and says why on the status line, as a command the cluster then refuses
// does (restart 2 while n2 lives). Either way the line is in the history:
// : and up bring it back to mend. (A prompt left open with the error under
// it took the next : as text, appended to the bad line.)
func (p *prompt) runLine(line string, f *Frame) (tea.Cmd, tea.Msg) {
	c := &p.cmdline
	if line == "" {
		p.mode = modeNormal
		return nil, nil
	}
	if n := len(c.history); n == 0 || c.history[n-1] != line {
		c.history = append(c.history, line)
	}
	c.pos = len(c.history)
	p.mode = modeNormal
	word, rest, _ := strings.Cut(line, " ")
	switch word {
	case "write", "w":
		return nil, saveMsg(strings.TrimSpace(rest))
	case "export":
		return nil, exportMsg(strings.TrimSpace(rest))
	case "record":
		return nil, recordMsg(strings.TrimSpace(rest))
	case "poll":
		p.mode = modeNormal
		return nil, pollMsg(strings.TrimSpace(rest))
	case "reveal":
		p.mode = modeNormal
		return nil, revealMsg{}
	case "quit", "q":
		return tea.Quit, nil
	}
	if fileOnly[word] {
		return nil, failedMsg{line, errors.New(word + " is a line of a scenario file, not a command: the : line takes commands, as kill 2, cut 1 -> 2, set drop 30% (? lists them)")}
	}
	cmd, err := checkedCommand(line, f)
	if err != nil {
		return nil, failedMsg{line, err}
	}
	return nil, applyMsg{cmds: []cluster.Command{cmd}}
}

// view draws the : prompt, with the parser's message or the completions
// under it.
func (c *commandLine) view(r *renders, w int) []string {
	lines := []string{fit(c.form.view(r.prompt, ":", ":", w), w)}
	switch {
	case c.form.err != "":
		for _, l := range wrapText(c.form.err, w, 3) {
			lines = append(lines, fit(r.errorText.apply(l), w))
		}
	case len(c.choices) > 0:
		lines = append(lines, fit(r.dim.apply(strings.Join(c.choices, "  ")), w))
	default:
		lines = append(lines, fit(r.dim.apply("enter applies now, tab completes, ↑/↓ history, esc closes; ? lists every action"), w))
	}
	return lines
}

// fileOnly are the words that begin the lines of a scenario file that are
// not commands: they describe the file, or check a run (expect).
var fileOnly = map[string]bool{"title": true, "explain": true, "expect": true, "nodes": true, "seed": true, "for": true, "at": true}

// lineWords are what the first word of a : line may be; a teacher's
// (teaching) also poll and reveal.
func lineWords(teaching bool) []string {
	words := append(scenario.CommandNames(), "write", "export", "record", "quit")
	if teaching {
		words = append(words, "poll", "reveal")
	}
	return words
}

// complete extends the word being typed: an action, a parameter of set, a
// switch's on or off, leader. It returns the new text and, when the word is
// ambiguous, the choices.
func complete(text string, teaching bool) (string, []string) {
	fields := strings.Fields(text)
	if strings.HasSuffix(text, " ") || len(fields) == 0 {
		fields = append(fields, "")
	}
	last := fields[len(fields)-1]
	var matches []string
	for _, w := range completions(fields, teaching) {
		if strings.HasPrefix(w, last) {
			matches = append(matches, w)
		}
	}
	head := strings.Join(fields[:len(fields)-1], " ")
	if head != "" {
		head += " "
	}
	switch len(matches) {
	case 0:
		return text, nil
	case 1:
		return head + matches[0] + " ", nil
	}
	return head + commonPrefix(matches), matches
}

// completions are the words that may stand where the last of fields is.
func completions(fields []string, teaching bool) []string {
	switch n := len(fields); {
	case n == 1:
		return lineWords(teaching)
	case n == 2 && fields[0] == "set":
		return scenario.Params
	case n == 3 && fields[0] == "set" && isSwitch(fields[1]):
		return []string{"on", "off"}
	case n == 2:
		if a, ok := cluster.ActionNamed(fields[0]); ok && a.TakesNodes() {
			return []string{"leader"}
		}
	}
	return nil
}

func isSwitch(name string) bool {
	p, ok := cluster.ParamNamed(name)
	return ok && p.IsSwitch()
}

func commonPrefix(words []string) string {
	p := words[0]
	for _, w := range words[1:] {
		for !strings.HasPrefix(w, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// commandIntro, commandExamples and commandFiles are the command line's
// part of the full help: what it takes; an example of every action and
// parameter, in groups (each group starts a line and takes as many as the
// width allows: helpView.lines); and the commands about files.
const commandIntro = ": command line (tab completes, ↑/↓ history, esc closes): the commands of a scenario file, without their time:"

var commandExamples = [][]string{
	{"kill 2,3", "restart 2", "disconnect leader", "reconnect 2", "timeout 4", "heal"},
	{"cut 1 2", "cut 1 -> 2", "link 1 2", "partition 1,2 | 3,4,5"},
	{"put x=1", "put y to 3", "put", "log 1,2 append 3"},
	{"set election-timeout 150ms-300ms", "set heartbeat 50ms", "set latency 1ms-5ms", "set drop 30%"},
	{"set prevote on", "set checkquorum off", "set disk-write 3ms", "set log-write 2ms"},
	{"set noop off", "set max-entries 1", "set unsafe-commit on"},
	{"pause", "resume", "step", "speed 0.5", "slow-votes on", "slow-messages off"},
}

var commandFiles = []string{
	"write FILE (or w): save the session as a scenario file (title, explain, expect, nodes, seed, for: in files only)",
	"export FILE.svg: the screen as a picture",
	"record FILE.cast: record what you see; record stop: end it",
}
