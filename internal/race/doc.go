// Package race tells tests whether the race detector is on, as the
// standard library's internal/race does. Under the detector, code that
// runs on one goroutine costs several times more and gains nothing: a
// deterministic simulation loop (chaos seeds, random keys, seeds of a
// property) may then run fewer iterations, each cut checked against the
// planted bugs it must still catch; the full count runs without -race.
package race
