package tui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"raftty/cluster"
	"raftty/cluster/scenario"
	"raftty/raft"
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

// parse validates every field against cfg and returns the command that
// applies them, a summary of what changes, or the first error, naming the
// field.
func (f *editForm) parse(cfg cluster.Config) (func(c *cluster.Cluster) error, string, error) {
	settings := map[string]scenario.Setting{}
	for _, fl := range f.fields {
		s, err := scenario.ParseSetting(fl.name, strings.TrimSpace(fl.input.Value()))
		if err != nil {
			return nil, "", err
		}
		settings[fl.name] = s
	}
	et, hb, lat, drop := settings["election-timeout"], settings["heartbeat"], settings["latency"], settings["drop"]
	timing := raft.Timing{ElectionMin: et.Min, ElectionMax: et.Max, Heartbeat: hb.Min}
	if err := timing.Validate(); err != nil {
		return nil, "", err
	}
	var changes []string
	var steps []func(c *cluster.Cluster) error
	if timing != cfg.Timing {
		changes = append(changes, fmt.Sprintf("election timeout %s, heartbeat %v",
			cluster.FormatRange(et.Min, et.Max), hb.Min))
		steps = append(steps, func(c *cluster.Cluster) error { return c.SetTiming(timing) })
	}
	if lat.Min != cfg.LatencyMin || lat.Max != cfg.LatencyMax {
		changes = append(changes, "latency "+cluster.FormatRange(lat.Min, lat.Max))
		steps = append(steps, func(c *cluster.Cluster) error { return c.SetLatency(lat.Min, lat.Max) })
	}
	if drop.Rate != cfg.DropRate {
		changes = append(changes, fmt.Sprintf("drop %g", drop.Rate))
		steps = append(steps, func(c *cluster.Cluster) error { return c.SetDropRate(drop.Rate) })
	}
	if len(changes) == 0 {
		return func(*cluster.Cluster) error { return nil }, "timing unchanged", nil
	}
	summary := "set " + strings.Join(changes, ", ")
	if timing.Heartbeat >= timing.ElectionMin {
		summary += " (heartbeat >= min election timeout: leadership will churn)"
	}
	apply := func(c *cluster.Cluster) error {
		var errs []error
		for _, step := range steps {
			errs = append(errs, step(c))
		}
		return errors.Join(errs...)
	}
	return apply, summary, nil
}
