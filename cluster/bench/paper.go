package bench

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// fig16.json holds the paper's Figure 16 as data: per setting, 100
// percentile points and min, median, mean, p90, p99, max, read off the
// dissertation's rendering of the same benchmark (Figure 9.8). Its source
// and method are described in the file itself.
//
//go:embed fig16.json
var fig16JSON []byte

// PaperSetting is one setting's figures in the paper, in milliseconds.
type PaperSetting struct {
	MinMS    float64 `json:"min_ms"`
	MedianMS float64 `json:"median_ms"`
	MeanMS   float64 `json:"mean_ms"`
	P90MS    float64 `json:"p90_ms"`
	P99MS    float64 `json:"p99_ms"`
	MaxMS    float64 `json:"max_ms"`
	// CDFMS[k-1] is the time by which k percent of the trials had a
	// leader again.
	CDFMS []float64 `json:"cdf_ms"`
}

var paper = sync.OnceValues(func() (map[string]PaperSetting, error) {
	var f struct {
		Settings map[string]PaperSetting `json:"settings"`
	}
	if err := json.Unmarshal(fig16JSON, &f); err != nil {
		return nil, fmt.Errorf("bench: fig16.json: %w", err)
	}
	return f.Settings, nil
})

// Paper returns the paper's figures for s, if the paper measured it.
func Paper(s Setting) (PaperSetting, bool) {
	settings, err := paper()
	if err != nil {
		panic(err) // the file is embedded; a test reads it
	}
	p, ok := settings[s.paperName()]
	return p, ok && s.Min%time.Millisecond == 0 && s.Max%time.Millisecond == 0
}

// samples returns the paper's CDF as 100 durations, one per percentile.
func (p PaperSetting) samples() []time.Duration {
	out := make([]time.Duration, len(p.CDFMS))
	for i, v := range p.CDFMS {
		out[i] = time.Duration(v * float64(time.Millisecond))
	}
	return out
}
