package tui

import (
	"fmt"
	"strings"
	"time"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// checkItem is one expectation of the running scenario: when it is
// checked, what it says, and, once checked, whether it held.
type checkItem struct {
	at     time.Duration // when it is checked; the end of the run for a final one
	text   string
	source string // its line, which the expect event names
}

// checkResult is a checked expectation, from its expect event.
type checkResult struct {
	at     time.Duration
	dec    int
	passed bool
	got    string
}

// checklist is what a scenario expects, and what came of it: a teacher
// sees every expectation pending, then holding or failed, with the time it
// was decided. In the past it shows what was decided by the cursor.
type checklist struct {
	items []checkItem
	// results are by source and world: of two worlds, an expectation
	// naming neither is checked in both.
	results map[checkKey]checkResult
}

type checkKey struct {
	source string
	world  cluster.World
}

// newChecklist lists a script's expectations: timed ones, then the final
// ones checked at the end of the run (script.For; 0 when the run has no
// end). A nil script has none.
func newChecklist(script *scenario.Script) checklist {
	cl := checklist{results: map[checkKey]checkResult{}}
	if script == nil {
		return cl
	}
	for _, st := range script.Steps {
		if st.IsExpect() {
			cl.items = append(cl.items, checkItem{at: st.At, text: st.Expect.Text, source: st.Source})
		}
	}
	for _, st := range script.Final {
		cl.items = append(cl.items, checkItem{at: script.For, text: st.Expect.Text, source: st.Source})
	}
	return cl
}

// observe takes an expect event's outcome.
func (cl *checklist) observe(e *cluster.Event) {
	if e.Kind == cluster.KindExpect && cl.results != nil {
		cl.results[checkKey{e.Source, e.World}] = checkResult{at: e.At, dec: e.Decision, passed: e.Passed, got: e.Got}
	}
}

// forgetAfter drops the outcomes decided after t: a fork replaces them.
func (cl *checklist) forgetAfter(t time.Duration) {
	for k, r := range cl.results {
		if r.at > t {
			delete(cl.results, k)
		}
	}
}

// checklistLine is the checklist's component: one line above the panels
// that says, as of the moment shown, what the scenario expects and what
// came of it. It has no keys.
type checklistLine struct {
	still
	size
}

// View draws the checklist in one line as of the moment shown: "expect:
// ✓ leader (2.000s) · ✗ term >= 5 (6.000s, got 3) · … no violation (at
// 6s)"; none when the scenario expects nothing.
func (c *checklistLine) View(f *Frame) []string {
	if len(f.checks.items) == 0 {
		return nil
	}
	return []string{c.line(f, f.cursorMoment())}
}

func (c *checklistLine) line(f *Frame, now time.Duration) string {
	parts, r := checkParts(f, now), f.styles
	const label = " expect: "
	sep := r.dim.apply(" · ")
	line, shown := joinFitN(parts, sep, c.w-len(label))
	if shown < len(parts) {
		// Say that some are left out, and where to read them.
		const room = len(" +99 more (i)")
		line, shown = joinFitN(parts, sep, c.w-len(label)-room)
		line = strings.TrimRight(line, " ") + r.dim.apply(fmt.Sprintf(" +%d more (i)", len(parts)-shown))
	}
	return fit(label+line, c.w)
}

// checkParts say, for each expectation of the running scenario, what came
// of it by moment now: "✓ leader (2.000s)", "✗ term >= 5 (6.000s, got
// 3)", "… no violation (at 6s)".
func checkParts(f *Frame, now time.Duration) []string {
	cl, r := f.checks, f.styles
	parts := make([]string, 0, len(cl.items))
	for _, it := range cl.items {
		res, ok := cl.result(f, it.source, now)
		switch {
		case ok && res.passed:
			parts = append(parts, r.log[logVote].apply(fmt.Sprintf("✓ %s (%s)", it.text, clock(res.at))))
		case ok:
			parts = append(parts, r.errorText.apply(fmt.Sprintf("✗ %s (%s, got %s)", it.text, clock(res.at), res.got)))
		case it.at > 0:
			parts = append(parts, r.dim.apply(fmt.Sprintf("… %s (at %v)", it.text, it.at)))
		default:
			parts = append(parts, r.dim.apply("… "+it.text))
		}
	}
	return parts
}

// result is what came of the expectation on line source by now, as frame
// f shows it (not after the decision shown: see Frame.shows): in one
// world, its outcome; in two, one outcome for both, failed if it failed in
// either ("got 3 in A, 1 in B" says each world's). World B's decisions are
// numbered apart: its outcomes keep to the instant.
func (cl *checklist) result(f *Frame, source string, now time.Duration) (checkResult, bool) {
	var out checkResult
	var failed []string
	n := 0
	for _, w := range []cluster.World{0, cluster.WorldA, cluster.WorldB} {
		r, ok := cl.results[checkKey{source, w}]
		if !ok || r.at > now || (w != cluster.WorldB && !f.shows(r.at, r.dec)) {
			continue
		}
		n++
		out.at = max(out.at, r.at)
		if !r.passed {
			got := r.got
			if w != 0 {
				got += " in " + strings.ToUpper(w.String())
			}
			failed = append(failed, got)
		}
	}
	out.passed, out.got = len(failed) == 0, strings.Join(failed, ", ")
	return out, n > 0
}
