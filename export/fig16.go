package export

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"raftty/cluster/bench"
)

// Fig16Panel is one plot of the paper's Figure 16: the results of one set
// of election timeout ranges.
type Fig16Panel struct {
	Title   string
	Results []bench.Result
	// Engine names the engine of Results ("" is raftty's textbook one).
	// Beside are the textbook engine's results on the same setup, drawn
	// dotted beside another engine's, setting for setting (nil: none).
	Engine string
	Beside []bench.Result
}

// The figure's geometry, in pixels, and its colours: black on white, as the
// paper prints it.
const (
	figPlotLeft  = 72
	figPlotW     = 560
	figPlotH     = 260
	figLegendW   = 260
	figTitleH    = 44 // the figure's title
	figPanelTop  = 30 // a panel's title, above its plot
	figPanelBot  = 56 // the x axis's labels and name, below a plot
	figWidth     = figPlotLeft + figPlotW + figLegendW
	figLegendX   = figPlotLeft + figPlotW + 20 // a legend line's left end
	figLabelX    = figLegendX + 54             // a legend label's left end
	figTitleX    = 12
	figMargin    = 12 // between the longest text and the canvas's right edge
	figFontSize  = 12
	figTitleSize = 15
	figInk       = "#222222"
	figGrid      = "#dddddd"
	figMinor     = "#f0f0f0"
)

// figColors are the settings' colours, in order (matplotlib's, which most
// readers know from papers).
var figColors = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"}

// Fig16SVG draws the panels one above the other as the paper's Figure 16:
// for each setting, the cumulative share of trials that had a leader again
// (up) by each time without one (across, on a log scale); raftty's curve
// solid, the paper's dashed in the same colour. A curve stops below 100%
// when trials were censored (no leader within the bench's limit): their
// times are unknown.
//
// The canvas is wide enough for the title and the longest legend label,
// as DejaVu Sans (the first font named) sets them: a long label widens the
// figure rather than running off its edge.
func Fig16SVG(title string, panels []Fig16Panel) []byte {
	panelH := float64(figPanelTop + figPlotH + figPanelBot)
	height := figTitleH + panelH*float64(len(panels))
	width := max(figWidth, math.Ceil(figTitleX+textWidth(title, figTitleSize, true)+figMargin))
	for _, p := range panels {
		all, _ := figData(p)
		for _, s := range all {
			width = max(width, math.Ceil(figLabelX+textWidth(s.label(), figFontSize, false)+figMargin))
		}
	}
	d := &svgDoc{}
	d.open(width, height, title, `font-family="DejaVu Sans,Helvetica,Arial,sans-serif" font-size="12"`)
	d.rect(0, 0, width, height, "#ffffff", "")
	d.textAt(figTitleX, 26, figInk, `font-size="15" font-weight="bold"`, title)
	for i, p := range panels {
		figPanel(d, p, figTitleH+panelH*float64(i))
	}
	d.close()
	return d.Bytes()
}

// figCurve is one curve: its points in milliseconds and fractions of
// trials, in order.
type figCurve struct {
	ms, frac []float64
}

// raftCurve is a result's empirical distribution: a step up at each
// trial's downtime, censored trials left out.
func raftCurve(r bench.Result) figCurve {
	d := slices.Clone(r.Downtimes)
	slices.Sort(d)
	n := float64(len(d))
	var c figCurve
	for i, x := range d[:len(d)-r.Censored] {
		ms := float64(x) / float64(time.Millisecond)
		c.ms = append(c.ms, ms, ms)
		c.frac = append(c.frac, float64(i)/n, float64(i+1)/n)
	}
	return c
}

// paperCurve is the paper's distribution for a setting: the time by which
// each percent of its trials had a leader.
func paperCurve(p bench.PaperSetting) figCurve {
	var c figCurve
	for k, ms := range p.CDFMS {
		c.ms = append(c.ms, ms)
		c.frac = append(c.frac, float64(k+1)/float64(len(p.CDFMS)))
	}
	return c
}

// logAxis maps milliseconds to x on a log scale from lo to hi decades.
type logAxis struct{ lo, hi float64 }

func (a logAxis) x(ms float64) float64 {
	v := math.Log10(max(ms, a.lo))
	return figPlotLeft + figPlotW*(v-math.Log10(a.lo))/(math.Log10(a.hi)-math.Log10(a.lo))
}

// figSeries is one setting's curves.
type figSeries struct {
	name                string
	raft, paper, beside figCurve
	hasPaper, hasBeside bool
	trials, censor      int
	deposed             int
}

// label names the series in the legend with its count of trials: those
// measured, the censored among them, and those left out because the leader
// was deposed before the crash (bench.Result.Deposed).
func (s figSeries) label() string {
	count := fmt.Sprintf("%d trials", s.trials)
	switch {
	case s.censor == s.trials && s.trials > 0:
		count = fmt.Sprintf("all %d censored", s.trials)
	case s.censor > 0:
		count = fmt.Sprintf("%d of %d censored", s.censor, s.trials)
	}
	if s.deposed > 0 {
		count += fmt.Sprintf("; %d deposed, left out", s.deposed)
	}
	return s.name + " (" + count + ")"
}

// figData reads a panel's curves and the decades their times span.
func figData(p Fig16Panel) ([]figSeries, logAxis) {
	var all []figSeries
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range p.Results {
		s := figSeries{name: r.Setting.Name(), raft: raftCurve(r), trials: len(r.Downtimes), censor: r.Censored, deposed: len(r.Deposed)}
		if ps, ok := bench.Paper(r.Setting); ok {
			s.paper, s.hasPaper = paperCurve(ps), true
		}
		if i := len(all); i < len(p.Beside) {
			s.beside, s.hasBeside = raftCurve(p.Beside[i]), true
		}
		for _, c := range []figCurve{s.raft, s.paper, s.beside} {
			for _, ms := range c.ms {
				lo, hi = min(lo, ms), max(hi, ms)
			}
		}
		all = append(all, s)
	}
	if math.IsInf(lo, 1) {
		lo, hi = 10, 1000
	}
	ax := logAxis{lo: math.Pow(10, math.Floor(math.Log10(lo))), hi: math.Pow(10, math.Ceil(math.Log10(hi)))}
	if ax.hi <= ax.lo {
		ax.hi = ax.lo * 10
	}
	return all, ax
}

// figPanel draws a panel whose title starts at top. Its contents are in
// the panel's own coordinates, moved down as a whole, so that a panel is
// drawn the same whichever place it has in the figure (a test compares
// one panel of a figure with the same set drawn alone).
func figPanel(d *svgDoc, p Fig16Panel, top float64) {
	all, ax := figData(p)
	const plotTop = figPanelTop
	// Products are converted before a sum, so that no machine fuses them
	// into a multiply-add that rounds otherwise.
	y := func(frac float64) float64 { return plotTop + float64(figPlotH*(1-frac)) }
	fmt.Fprintf(d, `<g class="panel" transform="translate(0 %s)">`, appendNum(nil, top))
	d.textAt(figPlotLeft, 20, figInk, `font-size="13" font-weight="bold"`, p.Title)
	figAxes(d, ax, plotTop, y)
	// The paper's curves under raftty's, so that raftty's show where they
	// cover each other.
	for i, s := range all {
		if s.hasPaper {
			figPolyline(d, "paper", s.name, s.paper, ax, y, figColors[i%len(figColors)], "6 4")
		}
	}
	for i, s := range all {
		if s.hasBeside {
			figPolyline(d, "beside", s.name, s.beside, ax, y, figColors[i%len(figColors)], "1.5 3")
		}
	}
	for i, s := range all {
		figPolyline(d, "raftty", s.name, s.raft, ax, y, figColors[i%len(figColors)], "")
	}
	figLegend(d, all, p.Engine, plotTop)
	d.WriteString("</g>\n")
}

// figAxes draws the plot's frame, grid and labels: the decades and their
// 2..9 across, every 20% up.
func figAxes(d *svgDoc, ax logAxis, plotTop float64, y func(float64) float64) {
	for dec := ax.lo; dec <= ax.hi; dec *= 10 {
		for m := 1.0; m < 10 && dec*m <= ax.hi; m++ {
			color := figMinor
			if m == 1 {
				color = figGrid
			}
			x := ax.x(dec * m)
			d.line(x, plotTop, x, plotTop+figPlotH, color, 1, "", "")
		}
		d.textAt(ax.x(dec), plotTop+figPlotH+18, figInk, `text-anchor="middle"`, strconv.FormatFloat(dec, 'f', -1, 64))
	}
	for pct := 0; pct <= 100; pct += 20 {
		yy := y(float64(pct) / 100)
		d.line(figPlotLeft, yy, figPlotLeft+figPlotW, yy, figGrid, 1, "", "")
		d.textAt(figPlotLeft-6, yy+4, figInk, `text-anchor="end"`, strconv.Itoa(pct)+"%")
	}
	d.rect(figPlotLeft, plotTop, figPlotW, figPlotH, "none", `stroke="`+figInk+`" stroke-width="1"`)
	d.textAt(figPlotLeft+figPlotW/2, plotTop+figPlotH+40, figInk, `text-anchor="middle"`, "time without leader (ms, log scale)")
	mid := plotTop + figPlotH/2
	d.textAt(16, mid, figInk, `text-anchor="middle" transform="rotate(-90 16 `+string(appendNum(nil, mid))+`)"`, "cumulative percent")
}

// figLegend names the settings right of the plot, then says which line is
// whose.
func figLegend(d *svgDoc, all []figSeries, engine string, plotTop float64) {
	const lx = figLegendX
	for i, s := range all {
		ly := plotTop + 10 + float64(i)*20
		color := figColors[i%len(figColors)]
		d.line(lx, ly, lx+22, ly, color, 2, "", "")
		if s.hasPaper {
			d.line(lx+26, ly, lx+48, ly, color, 1.5, "6 4", "")
		}
		d.textAt(figLabelX, ly+4, figInk, "", s.label())
	}
	key := []struct{ dash, text string }{{"", "raftty"}, {"6 4", "the paper (Figure 16)"}}
	if engine != "" {
		key[0].text = "raftty, the " + engine + " engine"
	}
	if len(all) > 0 && all[0].hasBeside {
		key = append(key, struct{ dash, text string }{"1.5 3", "raftty, the textbook engine"})
	}
	ly := plotTop + 20 + float64(len(all))*20
	for i, k := range key {
		y := ly + float64(i*18)
		d.line(lx, y, lx+22, y, figInk, 2-float64(min(i, 1))*0.5, k.dash, "")
		d.textAt(lx+30, y+4, figInk, "", k.text)
	}
}

// figPolyline writes one curve, named for tests and tooltips.
func figPolyline(d *svgDoc, class, name string, c figCurve, ax logAxis, y func(float64) float64, color, dash string) {
	if len(c.ms) == 0 {
		return
	}
	fmt.Fprintf(d, `<polyline class="%s" fill="none" stroke-width="%s"`, class, map[string]string{"paper": "1.5", "raftty": "2", "beside": "1.5"}[class])
	d.attr("stroke", color)
	if dash != "" {
		d.attr("stroke-dasharray", dash)
	}
	d.WriteString(` points="`)
	for i, p := range curvePoints(c, ax, y) {
		if i > 0 {
			d.WriteByte(' ')
		}
		d.num(p[0])
		d.WriteByte(',')
		d.num(p[1])
	}
	d.WriteString(`"><title>`)
	who := map[string]string{"raftty": "raftty", "paper": "the paper", "beside": "raftty's textbook engine"}[class]
	d.text(who + ", " + name)
	d.WriteString("</title></polyline>\n")
}

// curvePoints places a curve's points, to a tenth of a pixel, leaving out
// those inside a straight run across or up: a thousand trials make two
// thousand steps, most of them closer together than a pixel.
func curvePoints(c figCurve, ax logAxis, y func(float64) float64) [][2]float64 {
	tenth := func(v float64) float64 { return math.Round(v*10) / 10 }
	var out [][2]float64
	for i := range c.ms {
		p := [2]float64{tenth(ax.x(c.ms[i])), tenth(y(c.frac[i]))}
		if n := len(out); n >= 2 {
			a, b := out[n-2], out[n-1]
			if (a[0] == b[0] && b[0] == p[0]) || (a[1] == b[1] && b[1] == p[1]) {
				out[n-1] = p // b lies on the run from a to p
				continue
			}
		}
		if n := len(out); n > 0 && out[n-1] == p {
			continue
		}
		out = append(out, p)
	}
	return out
}
