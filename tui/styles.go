package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Styles holds every colour and text style of the UI. Nothing else in the
// package names a colour.
type Styles struct {
	Header   lipgloss.Style
	Title    lipgloss.Style
	Border   lipgloss.Style
	Dim      lipgloss.Style
	Selected lipgloss.Style
	Banner   lipgloss.Style
	Error    lipgloss.Style
	Status   lipgloss.Style
	Prompt   lipgloss.Style

	// Roles colour a node's role in the nodes panel and its band in the
	// timeline. A leader takes its node's own colour, so that a change of
	// leader shows as a change of colour.
	Follower     lipgloss.Style
	PreCandidate lipgloss.Style
	Candidate    lipgloss.Style
	Dead         lipgloss.Style
	CutOff       lipgloss.Style
	NodeColors   []lipgloss.Style
	// TermColors colour log entries by term (term 1, 2, 3, ... in turn),
	// so that a conflict shows as two colours at one index.
	TermColors []lipgloss.Style

	// Log styles event log lines by kind.
	LogState, LogVote, LogDeny, LogTimeout, LogFault, LogTraffic, LogViolation lipgloss.Style

	TimerFull, TimerEmpty lipgloss.Style

	// MapLink draws a healthy link on the cluster map; broken ones take
	// CutOff, messages their role's or their answer's colour.
	MapLink lipgloss.Style

	// Help styles the help bar and the full help.
	Help help.Styles
}

// palette is the colours of nodes 1, 2, 3, ...: distinct on dark and light
// backgrounds alike.
var palette = []string{"#5FD7FF", "#FF87D7", "#87FF5F", "#FFAF5F", "#AF87FF", "#5FFFD7", "#FF5F5F", "#D7D75F", "#87AFFF"}

// termPalette is the colours of log entries of terms 1, 2, 3, ...: apart
// from the node colours, so that a term's colour does not suggest a node.
var termPalette = []string{"#FFD787", "#87D7FF", "#FF8787", "#AFFF87", "#D7AFFF", "#87FFD7"}

// DefaultStyles returns raftty's styles. With noColor every style keeps its
// weight (bold, faint, reverse) but no colour, so roles stay readable by
// their glyphs and words alone.
func DefaultStyles(noColor bool) Styles {
	c := func(hex string) color.Color {
		if noColor {
			return lipgloss.NoColor{}
		}
		return lipgloss.Color(hex)
	}
	fg := func(hex string) lipgloss.Style { return lipgloss.NewStyle().Foreground(c(hex)) }
	s := Styles{
		Header:       fg("#FFFFFF").Bold(true),
		Title:        fg("#D7AFFF").Bold(true),
		Border:       fg("#585858"),
		Dim:          fg("#808080"),
		Selected:     lipgloss.NewStyle().Reverse(true),
		Banner:       lipgloss.NewStyle().Foreground(c("#FFFFFF")).Background(c("#D70000")).Bold(true),
		Error:        fg("#FF5F5F").Bold(true),
		Status:       fg("#AFD7FF"),
		Prompt:       fg("#FFD75F").Bold(true),
		Follower:     fg("#808080"),
		PreCandidate: fg("#D7D787"),
		Candidate:    fg("#FFD700").Bold(true),
		Dead:         fg("#AF0000"),
		CutOff:       fg("#D75F00"),
		LogState:     fg("#FFFFFF"),
		LogVote:      fg("#87D787"),
		LogDeny:      fg("#D7875F"),
		LogTimeout:   fg("#FFD700"),
		LogFault:     fg("#FF87AF").Bold(true),
		LogTraffic:   fg("#6C6C6C"),
		LogViolation: lipgloss.NewStyle().Foreground(c("#FFFFFF")).Background(c("#D70000")).Bold(true),
		TimerFull:    fg("#5FAFFF"),
		TimerEmpty:   fg("#3A3A3A"),
		MapLink:      fg("#4E4E4E"),
	}
	s.Help = help.DefaultDarkStyles()
	if noColor {
		s.Help = help.Styles{}
	}
	for _, hex := range palette {
		s.NodeColors = append(s.NodeColors, fg(hex).Bold(true))
	}
	for _, hex := range termPalette {
		s.TermColors = append(s.TermColors, fg(hex))
	}
	return s
}
