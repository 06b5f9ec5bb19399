package cluster

import "strconv"

// A vocabulary is the text form of a small enum: names indexed by value,
// "" for a value that is not one. Action, Param and Kind each have one,
// so that printing, parsing and listing them is written once.
type vocabulary[T ~uint8] []string

// name returns v's word, or "Type(n)" for a value outside the vocabulary.
func (w vocabulary[T]) name(v T, typ string) string {
	if int(v) < len(w) && w[v] != "" {
		return w[v]
	}
	return typ + "(" + strconv.Itoa(int(v)) + ")"
}

// lookup returns the value whose word is s.
func (w vocabulary[T]) lookup(s string) (T, bool) {
	for v, n := range w {
		if n != "" && n == s {
			return T(v), true
		}
	}
	return 0, false
}

// all lists every value of the vocabulary, in order.
func (w vocabulary[T]) all() []T {
	var out []T
	for v, n := range w {
		if n != "" {
			out = append(out, T(v))
		}
	}
	return out
}

// names lists the words of the vocabulary, in order.
func (w vocabulary[T]) names() []string {
	var out []string
	for _, n := range w {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}
