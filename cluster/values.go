package cluster

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The text forms of values, as `set`, the flags, scenario files and the
// live view's forms write them: durations, duration ranges, probabilities
// and switches. Each Parse reads what the matching Format writes.

// FormatDuration renders d compactly: 150ms, 1.5s, 250us.
func FormatDuration(d time.Duration) string { return d.String() }

// FormatRange renders a duration range as the flags take it: 150ms-300ms.
func FormatRange(a, b time.Duration) string { return FormatDuration(a) + "-" + FormatDuration(b) }

// OnOff writes a switch as `set` and the events do: on or off.
func OnOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// ParseDuration reads a non-negative duration: 1.5s, 150ms, 0.
func ParseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("not a duration (like 150ms or 1.5s)")
	}
	if d < 0 {
		return 0, fmt.Errorf("must not be negative")
	}
	return d, nil
}

// ParseRange reads a duration range "A-B" (150ms-300ms), or a single
// duration meaning A-A.
func ParseRange(s string) (minimum, maximum time.Duration, err error) {
	if strings.HasPrefix(s, "-") {
		return 0, 0, errors.New("must not be negative")
	}
	a, b, isRange := strings.Cut(s, "-")
	if minimum, err = ParseDuration(a); err != nil {
		return 0, 0, fmt.Errorf("%q: %w", a, err)
	}
	if !isRange {
		return minimum, minimum, nil
	}
	if maximum, err = ParseDuration(b); err != nil {
		return 0, 0, fmt.Errorf("%q: %w", b, err)
	}
	if minimum > maximum {
		return 0, 0, errors.New("min must not exceed max")
	}
	return minimum, maximum, nil
}

// ParseProbability reads a number in [0, 1], or a percentage (30%).
func ParseProbability(s string) (float64, error) {
	scale := 1.0
	if t, ok := strings.CutSuffix(s, "%"); ok {
		s, scale = t, 100
	}
	p, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, errors.New("not a number (like 0.3 or 30%)")
	}
	p /= scale
	if !(p >= 0 && p <= 1) {
		return 0, errors.New("need a probability between 0 and 1")
	}
	return p, nil
}

// ParseCount reads a whole number from lo to hi.
func ParseCount(s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("want a whole number from %d to %d", lo, hi)
	}
	return n, nil
}

// ParseOnOff reads on/off (or true/false, yes/no).
func ParseOnOff(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "on", "true", "yes", "1":
		return true, nil
	case "off", "false", "no", "0":
		return false, nil
	}
	return false, errors.New("want on or off")
}
