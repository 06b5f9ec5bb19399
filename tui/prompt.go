package tui

import (
	"bufio"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// promptMode is which prompt is open, if any.
type promptMode uint8

const (
	modeNormal promptMode = iota // none
	modePartition
	modeEdit
	modeFilter
	modeCommand
	modeConfirm
)

// prompt is the one prompt at the bottom of the screen, in one of its
// modes: the partition prompt (p), the timing form (e), the log filter
// (/), the : command line, and "overwrite? y/n". What is typed is checked
// here; what it asks for (commands to apply, a filter, a save) goes to the
// root as a request.
type prompt struct {
	size
	promptKeys
	mode    promptMode
	part    promptForm
	edit    editForm
	filter  promptForm
	cmdline commandLine
	// pending is a save waiting for "overwrite? y/n".
	pending savedMsg
}

// promptKeys are the keys of the open prompt.
type promptKeys struct {
	Apply, Cancel, NextField, PrevField, Complete, Older, Newer, Overwrite key.Binding
}

func newPromptKeys() promptKeys {
	return promptKeys{
		Apply:     binding("enter", "prompt: apply", "enter"),
		Cancel:    binding("esc", "prompt: cancel", "esc"),
		NextField: binding("tab/↓", "timing: next field", "tab", "down"),
		PrevField: binding("shift+tab/↑", "timing: previous field", "shift+tab", "up"),
		Complete:  binding("tab", ": complete", "tab"),
		Older:     binding("↑", ": older line", "up"),
		Newer:     binding("↓", ": newer line", "down"),
		Overwrite: binding("y", "save: overwrite", "y", "Y"),
	}
}

// ShortHelp and FullHelp make promptKeys a help.KeyMap.
func (k promptKeys) ShortHelp() []key.Binding { return []key.Binding{k.Apply, k.Cancel} }
func (k promptKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Apply, k.Cancel, k.NextField, k.PrevField, k.Complete, k.Older, k.Newer, k.Overwrite}}
}

func newPrompt() *prompt {
	return &prompt{
		promptKeys: newPromptKeys(),
		part:       newPromptForm("1,2 | 3,4,5"),
		filter:     newPromptForm("n3 vote refused"),
		cmdline:    commandLine{form: newPromptForm("kill 2,3   cut 1 -> 2   set drop 30%   write FILE")},
		edit:       newEditForm(),
	}
}

// isOpen reports whether a prompt is open.
func (p *prompt) isOpen() bool { return p.mode != modeNormal }

// openPartition, openEdit, openFilter, openCommand and confirm open the
// prompt in a mode.
func (p *prompt) openPartition() tea.Cmd { p.mode = modePartition; return p.part.open("") }
func (p *prompt) openEdit(cfg cluster.Config) tea.Cmd {
	p.mode = modeEdit
	return p.edit.open(cfg)
}
func (p *prompt) openFilter(text string) tea.Cmd { p.mode = modeFilter; return p.filter.open(text) }
func (p *prompt) openCommand() tea.Cmd           { p.mode = modeCommand; return p.cmdline.open() }
func (p *prompt) confirm(s savedMsg)             { p.mode, p.pending = modeConfirm, s }

// cancel closes the prompt, saying so.
func (p *prompt) cancel(what string) tea.Msg {
	p.mode = modeNormal
	return statusMsg(what)
}

// Update gives a key or a paste to the open prompt. Enter checks what was
// typed: in a form, an error keeps the prompt open with the error under
// it; else the prompt closes and its request goes to the root. The : line
// closes either way (runLine).
func (p *prompt) Update(msg tea.Msg, f *Frame) (tea.Cmd, tea.Msg) {
	if paste, ok := msg.(tea.PasteMsg); ok {
		return p.paste(paste), nil
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, nil
	}
	switch p.mode {
	case modePartition:
		return p.updatePartition(k, f)
	case modeEdit:
		return p.updateEdit(k, f)
	case modeFilter:
		return p.updateFilter(k)
	case modeCommand:
		return p.updateCommandLine(k, f)
	case modeConfirm:
		return p.updateConfirm(k)
	}
	return nil, nil
}

// paste types pasted text into the open input.
func (p *prompt) paste(msg tea.PasteMsg) tea.Cmd {
	switch p.mode {
	case modePartition:
		return p.part.update(msg)
	case modeEdit:
		return p.edit.update(msg)
	case modeFilter:
		return p.filter.update(msg)
	case modeCommand:
		return p.cmdline.form.update(msg)
	}
	return nil
}

func (p *prompt) updatePartition(k tea.KeyPressMsg, f *Frame) (tea.Cmd, tea.Msg) {
	switch {
	case key.Matches(k, p.promptKeys.Cancel):
		return nil, p.cancel("partition cancelled")
	case key.Matches(k, p.promptKeys.Apply):
		cmd, err := checkedCommand("partition "+p.part.input.Value(), f)
		if err != nil {
			p.part.err = err.Error()
			return nil, nil
		}
		p.mode = modeNormal
		return nil, applyMsg{cmds: []cluster.Command{cmd}}
	}
	p.part.err = ""
	return p.part.update(k), nil
}

// checkedCommand parses a line of the command language and checks it
// against the cluster shown.
func checkedCommand(line string, f *Frame) (cluster.Command, error) {
	cmd, err := scenario.ParseCommand(line)
	if err == nil {
		err = cmd.Check(len(f.snap.Nodes))
	}
	return cmd, err
}

func (p *prompt) updateEdit(k tea.KeyPressMsg, f *Frame) (tea.Cmd, tea.Msg) {
	switch {
	case key.Matches(k, p.promptKeys.Cancel):
		return nil, p.cancel("timing unchanged")
	case key.Matches(k, p.promptKeys.NextField):
		return p.edit.focus(p.edit.focused + 1), nil
	case key.Matches(k, p.promptKeys.PrevField):
		return p.edit.focus(p.edit.focused - 1), nil
	case key.Matches(k, p.promptKeys.Apply):
		cmds, note, err := p.edit.parse(f.snap.Config)
		if err != nil {
			p.edit.err = err.Error()
			return nil, nil
		}
		if len(cmds) == 0 {
			return nil, p.cancel("timing unchanged")
		}
		p.mode = modeNormal
		return nil, applyMsg{note: note, cmds: cmds}
	}
	p.edit.err = ""
	return p.edit.update(k), nil
}

func (p *prompt) updateFilter(k tea.KeyPressMsg) (tea.Cmd, tea.Msg) {
	switch {
	case key.Matches(k, p.promptKeys.Cancel):
		return nil, p.cancel("log filter unchanged")
	case key.Matches(k, p.promptKeys.Apply):
		p.mode = modeNormal
		return nil, filterMsg(p.filter.input.Value())
	}
	return p.filter.update(k), nil
}

func (p *prompt) updateConfirm(k tea.KeyPressMsg) (tea.Cmd, tea.Msg) {
	p.mode = modeNormal
	switch {
	case key.Matches(k, p.promptKeys.Overwrite):
		return writeFile(p.pending.path, p.pending.data, true), nil
	case k.String() == "q":
		return tea.Quit, nil
	}
	return nil, statusMsg("not saved: " + p.pending.path + " left as it was")
}

// View draws the open prompt's lines: its input, and the error, the
// fields or the completions under it.
func (p *prompt) View(f *Frame) []string {
	w, r := p.w, f.styles
	switch p.mode {
	case modePartition:
		lines := []string{fit(p.part.view(r.prompt, "partition (groups split by |, enter applies, esc cancels): ", "partition: ", w), w)}
		if p.part.err != "" {
			lines = append(lines, fit(r.errorText.apply(p.part.err), w))
		}
		return lines
	case modeFilter:
		return []string{fit(p.filter.view(r.prompt, "filter the log (node n3, kind vote/timeout/drop/..., or text; enter applies, esc cancels): ", "filter: ", w), w)}
	case modeCommand:
		return p.cmdline.view(r, w)
	case modeEdit:
		return p.edit.view(r, w)
	}
	return nil
}

// newInput is a text input whose cursor stays lit: a blinking one redraws
// the screen twice a second for as long as a prompt is open (over SSH, for
// every open prompt of a class), and its timer outlives a view that quits
// with the prompt open.
func newInput() textinput.Model {
	in := textinput.New()
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
	return in
}

// promptForm is a one-line input, such as the partition prompt, with the
// error its last enter gave.
type promptForm struct {
	input textinput.Model
	err   string
}

func newPromptForm(placeholder string) promptForm {
	in := newInput()
	in.Placeholder = placeholder
	in.Prompt = ""
	// As long a line as a scenario file takes (bufio's token): a 101-node
	// partition is some 300 characters, and a line cut short would run
	// what is left of it, another command.
	in.CharLimit = bufio.MaxScanTokenSize
	return promptForm{input: in}
}

// view is the input after its label (short, if the label leaves the
// input less than minInputWidth), on a line w wide: the input takes the
// rest of the line. With no width, the input shows only the first letter
// of its placeholder ("1" of "1,2 | 3,4,5").
func (f *promptForm) view(st wrap, label, short string, w int) string {
	if w-ansi.StringWidth(label)-1 < minInputWidth {
		label = short
	}
	f.input.SetWidth(max(w-ansi.StringWidth(label)-1, 1))
	return st.apply(label) + f.input.View()
}

// minInputWidth is the least room a prompt's label leaves its input: its
// example, and what is typed, show whole.
const minInputWidth = 20

func (f *promptForm) open(value string) tea.Cmd {
	f.err = ""
	f.input.SetValue(value)
	f.input.CursorEnd()
	return f.input.Focus()
}

func (f *promptForm) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	f.input, cmd = f.input.Update(msg)
	return cmd
}

// timingParams are the parameters the timing form (e) edits, in its order.
var timingParams = []cluster.Param{cluster.ParamElectionTimeout, cluster.ParamHeartbeat, cluster.ParamLatency, cluster.ParamDrop}

// editField is one parameter in the timing form.
type editField struct {
	param cluster.Param
	input textinput.Model
}

// editForm edits the timing parameters live: election timeout range,
// heartbeat, latency range and drop rate. Their names, labels, values and
// checks are cluster's parameter table's.
type editForm struct {
	fields  []editField
	focused int
	err     string
}

func newEditForm() editForm {
	var f editForm
	for _, p := range timingParams {
		in := newInput()
		in.Prompt = ""
		in.CharLimit = 40
		in.SetWidth(16)
		f.fields = append(f.fields, editField{param: p, input: in})
	}
	return f
}

// open fills the form with the current values and focuses the first field.
func (f *editForm) open(cfg cluster.Config) tea.Cmd {
	for i := range f.fields {
		in := &f.fields[i].input
		in.SetValue(cluster.SetCommand(f.fields[i].param, cfg).Value())
		in.CursorEnd()
	}
	f.err = ""
	return f.focus(0)
}

func (f *editForm) focus(i int) tea.Cmd {
	n := len(f.fields)
	f.focused = (i%n + n) % n
	for j := range f.fields {
		f.fields[j].input.Blur()
	}
	return f.fields[f.focused].input.Focus()
}

func (f *editForm) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	in := &f.fields[f.focused].input
	*in, cmd = in.Update(msg)
	return cmd
}

// parse validates every field against cfg and returns the set commands
// that change what differs (none if nothing does), a note on the result,
// or the first error, naming the parameter and the value.
func (f *editForm) parse(cfg cluster.Config) ([]cluster.Command, string, error) {
	var cmds []cluster.Command
	next := cfg
	for _, fl := range f.fields {
		text := strings.TrimSpace(fl.input.Value())
		cmd, err := cluster.ParseValue(fl.param, text)
		if err != nil {
			return nil, "", fmt.Errorf("%s %s: %w", fl.param, text, err)
		}
		cluster.SetConfig(&next, cmd)
		if cmd.Value() != cluster.SetCommand(fl.param, cfg).Value() {
			cmds = append(cmds, cmd)
		}
	}
	if err := next.Timing.Validate(); err != nil {
		return nil, "", err
	}
	note := ""
	if next.Heartbeat >= next.ElectionMin {
		note = "heartbeat >= min election timeout: leadership will churn"
	}
	return cmds, note, nil
}

// view draws the form: a line of help, a line a field, the error.
func (f *editForm) view(r *renders, w int) []string {
	lines := []string{fit(r.prompt.apply("edit timing (tab moves, enter applies to the running cluster, esc cancels)"), w)}
	for i, fl := range f.fields {
		cursor := "  "
		if i == f.focused {
			cursor = r.prompt.apply("▶ ")
		}
		lines = append(lines, fit(fmt.Sprintf("%s%-17s %s", cursor, fl.param.Label(), fl.input.View()), w))
	}
	if f.err != "" {
		lines = append(lines, fit(r.errorText.apply(f.err), w))
	}
	return lines
}
