package bench

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// seriesGlyphs mark each setting's curve in the chart, in order, and
// paperGlyphs the paper's curve for the same setting.
const (
	seriesGlyphs = "123456789"
	paperGlyphs  = "abcdefghi"
)

// Chart draws the results' cumulative distributions as text, like the
// paper's Figure 16: time without a leader on a logarithmic x axis, the
// percentage of trials that had a leader again by then on the y axis. Each
// setting is drawn with its digit, and the paper's curve for it, where the
// paper has one, with the matching letter underneath (1 over a, 2 over b,
// ...): where raftty's curve covers the paper's, only the digit shows. The
// legend below names them.
func Chart(results []Result, width, height int) string {
	width, height = max(width, 20), max(height, 5)
	var all []time.Duration
	sorted := make([][]time.Duration, len(results))
	papers := make([][]time.Duration, len(results))
	for i, r := range results {
		sorted[i] = slices.Clone(r.Downtimes)
		slices.Sort(sorted[i])
		all = append(all, sorted[i]...)
		if p, ok := Paper(r.Setting); ok {
			papers[i] = p.samples()
			all = append(all, papers[i]...)
		}
	}
	if len(all) == 0 {
		return ""
	}
	lo, hi := decadeFloor(slices.Min(all)), decadeCeil(slices.Max(all))
	logLo, logHi := math.Log10(float64(lo)), math.Log10(float64(hi))
	timeAt := func(col int) time.Duration {
		return time.Duration(math.Pow(10, logLo+(logHi-logLo)*float64(col)/float64(width-1)))
	}

	grid := make([][]byte, height)
	for i := range grid {
		grid[i] = []byte(strings.Repeat(" ", width))
	}
	plot := func(d []time.Duration, glyph byte) {
		for col := 0; col < width; col++ {
			n, _ := slices.BinarySearch(d, timeAt(col)+1) // samples <= t
			pct := float64(n) / float64(len(d))
			if pct == 0 {
				continue
			}
			row := height - 1 - int(math.Round(pct*float64(height-1)))
			grid[row][col] = glyph
		}
	}
	for s, d := range papers {
		if d != nil {
			plot(d, paperGlyphs[s%len(paperGlyphs)])
		}
	}
	for s, d := range sorted {
		if len(d) > 0 {
			plot(d, seriesGlyphs[s%len(seriesGlyphs)])
		}
	}

	var b strings.Builder
	for i, row := range grid {
		label := "    "
		switch i {
		case 0:
			label = "100%"
		case (height - 1) / 2:
			label = " 50%"
		case height - 1:
			label = "  0%"
		}
		fmt.Fprintf(&b, "%s │%s\n", label, row)
	}
	fmt.Fprintf(&b, "     └%s\n", strings.Repeat("─", width))
	b.WriteString("      " + axisLabels(lo, hi, width, timeAt) + "\n")
	b.WriteString("      time without a leader (log scale)\n")
	for i, r := range results {
		fmt.Fprintf(&b, "      %c %s", seriesGlyphs[i%len(seriesGlyphs)], r.Setting.Name())
		if papers[i] != nil {
			fmt.Fprintf(&b, "   %c the paper's %s", paperGlyphs[i%len(paperGlyphs)], r.Setting.Name())
		}
		b.WriteString("\n")
	}
	return b.String()
}

// axisLabels puts each decade's label under its column.
func axisLabels(lo, hi time.Duration, width int, timeAt func(int) time.Duration) string {
	line := []byte(strings.Repeat(" ", width+8))
	for d := lo; d <= hi; d *= 10 {
		col := 0
		for col < width-1 && timeAt(col) < d {
			col++
		}
		text := shortDuration(d)
		if col+len(text) <= len(line) {
			copy(line[col:], text)
		}
	}
	return strings.TrimRight(string(line), " ")
}

func shortDuration(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%gs", d.Seconds())
	}
	return fmt.Sprintf("%gms", float64(d)/float64(time.Millisecond))
}

func decadeFloor(d time.Duration) time.Duration {
	p := time.Millisecond
	for p*10 <= d {
		p *= 10
	}
	return p
}

func decadeCeil(d time.Duration) time.Duration {
	p := time.Millisecond
	for p < d {
		p *= 10
	}
	return p
}
