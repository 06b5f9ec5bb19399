package export

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/runenames"
)

// TestBoxLinesMatchUnicodeNames reads each box drawing character's weights
// back from its Unicode name ("BOX DRAWINGS DOWN LIGHT AND RIGHT HEAVY":
// down light, right heavy), so that a wrong digit in boxLines is found.
func TestBoxLinesMatchUnicodeNames(t *testing.T) {
	weights := map[string]byte{"LIGHT": 1, "SINGLE": 1, "HEAVY": 2, "DOUBLE": 3}
	dirs := map[string][]int{
		"UP": {up}, "RIGHT": {right}, "DOWN": {down}, "LEFT": {left},
		"HORIZONTAL": {left, right}, "VERTICAL": {up, down},
	}
	for r := rune(0x2500); r <= 0x257f; r++ {
		name := runenames.Name(r)
		var want [4]byte
		if !strings.Contains(name, "DIAGONAL") {
			// Each group of words between ANDs names directions and one
			// weight, before them ("HEAVY LEFT") or after ("DOWN LIGHT");
			// a group without one takes the name's first word's weight
			// ("LIGHT DOWN AND RIGHT").
			words := strings.Fields(strings.TrimPrefix(name, "BOX DRAWINGS "))
			lead := weights[words[0]]
			for _, group := range strings.Split(strings.Join(words, " "), " AND ") {
				wt, found := lead, false
				var ds []int
				for _, w := range strings.Fields(group) {
					if v, ok := weights[w]; ok && !found {
						wt, found = v, true
					}
					ds = append(ds, dirs[w]...)
				}
				for _, d := range ds {
					want[d] = wt
				}
			}
		}
		i := int(r-0x2500) * 4
		got := [4]byte{boxLines[i] - '0', boxLines[i+1] - '0', boxLines[i+2] - '0', boxLines[i+3] - '0'}
		if got != want {
			t.Errorf("%c %s: boxLines has %v (up right down left), the name says %v", r, name, got, want)
		}
	}
}
