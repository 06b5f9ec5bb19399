package tui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Any sequence of keys, pastes, resizes (down to 1x1) and clock ticks leaves
// the model drawing a full, exact frame, and never panics.
func FuzzKeys(f *testing.F) {
	f.Add([]byte("2dkLk?pe\x01\x02s\x03"))
	f.Add([]byte{0xff, 0x00, 0x10, 0x20, 'p', '1', ',', '2', '|', '3', '\r'})
	f.Add([]byte("e\t\t0s\r\x1b[]]]]]]]]][[[f"))
	keys := []string{"1", "2", "5", "9", "tab", "shift+tab", "L", "d", "c", "k", "r", "t", "h", "p", "e", "P", "Q",
		"space", ".", "+", "-", "[", "]", "f", "up", "down", "pgup", "pgdown", "end", "?", "s", "enter", "esc", "ctrl+u", "|", ",", ":", "w", "y", "n", "k"}
	f.Fuzz(func(t *testing.T, data []byte) {
		h := newHarness(t, 1)
		w, ht := 120, 40
		for i := 0; i+1 < len(data); i += 2 {
			op, arg := data[i], data[i+1]
			switch op % 8 {
			case 0:
				w, ht = 1+int(arg), 1+int(op/8)%80
				h.m.Update(tea.WindowSizeMsg{Width: w, Height: ht})
			case 1:
				h.m.Update(tea.PasteMsg{Content: string(data[i:min(len(data), i+int(arg%16))])})
			case 2:
				h.advance(time.Duration(arg) * time.Millisecond)
			default:
				h.press(keys[int(arg)%len(keys)])
			}
			view := ansi.Strip(h.m.View().Content)
			checkShape(t, view, w, ht)
		}
	})
}
