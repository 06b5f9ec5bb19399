package tui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// promptForm is a one-line input, such as the partition prompt.
type promptForm struct {
	label string
	input textinput.Model
	err   string
}

func newPromptForm(label, placeholder string) promptForm {
	in := textinput.New()
	in.Placeholder = placeholder
	in.Prompt = ""
	in.CharLimit = 200
	return promptForm{label: label, input: in}
}

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

// editField is one timing parameter in the edit form.
type editField struct {
	name  string // as `set` names it
	label string
	input textinput.Model
}

// editForm edits the timing parameters live: election timeout range,
// heartbeat, latency range and drop rate.
type editForm struct {
	fields  []editField
	focused int
	err     string
}

func newEditForm() editForm {
	var f editForm
	for _, p := range []struct{ name, label string }{
		{"election-timeout", "election timeout"},
		{"heartbeat", "heartbeat"},
		{"latency", "latency"},
		{"drop", "drop rate"},
	} {
		in := textinput.New()
		in.Prompt = ""
		in.CharLimit = 40
		in.SetWidth(16)
		f.fields = append(f.fields, editField{name: p.name, label: p.label, input: in})
	}
	return f
}

// open fills the form with the current values and focuses the first field.
func (f *editForm) open(cfg cluster.Config) tea.Cmd {
	values := []string{
		cluster.FormatRange(cfg.ElectionMin, cfg.ElectionMax),
		cluster.FormatDuration(cfg.Heartbeat),
		cluster.FormatRange(cfg.LatencyMin, cfg.LatencyMax),
		strconv.FormatFloat(cfg.DropRate, 'g', -1, 64),
	}
	for i := range f.fields {
		f.fields[i].input.SetValue(values[i])
		f.fields[i].input.CursorEnd()
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
// or the first error, naming the field.
func (f *editForm) parse(cfg cluster.Config) ([]cluster.Command, string, error) {
	var cmds []cluster.Command
	next := cfg
	for _, fl := range f.fields {
		cmd, err := scenario.ParseCommand("set " + fl.name + " " + strings.TrimSpace(fl.input.Value()))
		if err != nil {
			return nil, "", err
		}
		cluster.SetConfig(&next, cmd)
		if cmd.Value() != cluster.SetCommand(cmd.Param, cfg).Value() {
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
