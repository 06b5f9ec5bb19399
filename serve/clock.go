package serve

import "time"

// clock is the time the server's own timeouts read: the handshake bound,
// the idle watch and its keepalives, the shutdown grace. A server that
// serves uses the wall clock; tests move a clock of their own, so that no
// verdict depends on how fast goroutines run. (The lecture's cluster has its
// own clock: cluster.LiveOptions.)
type clock interface {
	Now() time.Time
	// AfterFunc calls f once d has passed; f must not block.
	AfterFunc(d time.Duration, f func()) timer
}

// timer is a pending AfterFunc.
type timer interface {
	// Stop prevents the call if it has not happened yet, and reports
	// whether it did prevent it.
	Stop() bool
}

// wallClock is the process's clock.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) AfterFunc(d time.Duration, f func()) timer { return time.AfterFunc(d, f) }

// after is a channel closed once d has passed on c, and the timer that
// closes it.
func after(c clock, d time.Duration) (<-chan struct{}, timer) {
	ch := make(chan struct{})
	return ch, c.AfterFunc(d, func() { close(ch) })
}
