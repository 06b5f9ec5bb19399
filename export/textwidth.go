package export

// dejaVuSans holds DejaVu Sans's advance widths, in thousandths of an em,
// for the printable ASCII characters from ' ' (its Book face; the Bold
// face is about a tenth wider, see textWidth). Other characters count as
// an 'M'-wide box, which errs on the wide side.
var dejaVuSans = [95]uint16{
	318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, // ' ' to '/'
	636, 636, 636, 636, 636, 636, 636, 636, 636, 636, // '0' to '9'
	337, 337, 838, 838, 838, 531, 1000, // ':' to '@'
	684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, // 'A' to 'Z'
	390, 337, 390, 838, 500, 500, // '[' to '`'
	613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, // 'a' to 'z'
	636, 337, 636, 838, // '{' to '~'
}

// textWidth estimates how wide s is set in DejaVu Sans at size pixels, so
// that a picture can make room for its longest text.
func textWidth(s string, size float64, bold bool) float64 {
	var em float64
	for _, r := range s {
		w := uint16(863) // 'M'
		if r >= ' ' && r <= '~' {
			w = dejaVuSans[r-' ']
		}
		em += float64(w) / 1000
	}
	if bold {
		em *= 1.1
	}
	return em * size
}
