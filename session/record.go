package session

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"raftty/cluster"
	"raftty/tui"
)

// Recording says what a headless recording of a session shows.
type Recording struct {
	// Width and Height are the screen's size, in cells.
	Width, Height int
	// From and Until are the stretch of virtual time recorded: the first
	// frame is the first at or after From, the last the first at or after
	// Until.
	From, Until time.Duration
}

// Frame is one frame of a recording: the screen, and when it is shown.
type Frame struct {
	// At is the wall time since the first frame recorded, as the live
	// view would have shown it; Now the cluster's virtual time.
	At, Now time.Duration
	View    string
}

// frameInterval is the live view's: 30 frames a second.
const frameInterval = time.Second / 30

// Record plays the session opts describes as the live view shows it, frame
// by frame, on a clock of its own: the same pace as the live view (opts'
// speed, votes in slow motion), the same screen, but no terminal and no
// wall clock, so that the same session gives the same frames, and a minute
// of them takes a second or two. A lesson (a scenario with a title or an
// explanation) starts paused in the live view, until the class has read
// what to watch and someone presses space: a recording holds its first
// frame for a reading time, then presses space. frame is called for each
// frame recorded; its error stops the recording.
func Record(ctx context.Context, opts Options, rec Recording, frame func(Frame) error) error {
	r := &recorder{rec: rec, frame: frame, ticks: make(chan time.Time), start: time.Unix(0, 0)}
	var err error
	r.live, err = cluster.StartLive(ctx, opts.Config, LiveOptions(opts, opts.Script, cluster.LiveOptions{
		Ticks: r.ticks, Now: func() time.Time { return r.start },
	}))
	if err != nil {
		return err
	}
	defer r.live.Stop()
	r.m = tui.New(r.live, shown(opts, tui.Options{NoColor: opts.NoColor, Script: opts.Script, NoSave: "a recording saves nothing"}, true))
	r.m.Headless()

	if r.live.Snapshot().Paused {
		if err := r.draw(); err != nil {
			return err
		}
		r.wall += readingTime(opts)
		r.m.Do(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
	}
	// A cluster that runs at the slowest pace (votes in slow motion all
	// the way) reaches Until by this wall time: past it, something stopped
	// the clock.
	speed := opts.Speed
	if speed <= 0 {
		speed = 1 // as cluster.StartLive takes it
	}
	limit := r.wall + time.Duration(float64(rec.Until)/speed)*voteSlowdown + time.Second
	for {
		if err := r.draw(); err != nil {
			return err
		}
		if now := r.live.Snapshot().Now; now >= rec.Until {
			return nil
		} else if r.wall > limit {
			return fmt.Errorf("recording: the clock stopped at %v, before %v", now, rec.Until)
		}
		if err := r.tick(ctx); err != nil {
			return err
		}
	}
}

// recorder is a recording under way: the cluster, the view over it, and
// the wall clock they run on.
type recorder struct {
	rec   Recording
	frame func(Frame) error
	live  *cluster.Live
	m     *tui.Model
	ticks chan time.Time
	// start is the wall clock's origin, wall its time now; shownFrom is
	// when the first frame was recorded (recording says it has been).
	start           time.Time
	wall, shownFrom time.Duration
	recording       bool
}

// draw takes in what the cluster did and records the frame, once the
// cluster has reached From.
func (r *recorder) draw() error {
	r.m.Refresh()
	now := r.live.Snapshot().Now
	if !r.recording && now >= r.rec.From {
		r.recording, r.shownFrom = true, r.wall
	}
	if !r.recording {
		return nil
	}
	return r.frame(Frame{At: r.wall - r.shownFrom, Now: now, View: tui.Draw(r.m.Frame(), r.rec.Width, r.rec.Height)})
}

// tick moves the wall clock on by a frame, and waits until the cluster has
// run for it.
func (r *recorder) tick(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.wall += frameInterval
	select {
	case r.ticks <- r.start.Add(r.wall):
	case <-ctx.Done():
		return ctx.Err()
	}
	return r.live.Sync()
}

// voteSlowdown is how much slower the live view's clock runs while votes
// are on the wire (cluster.LiveOptions.VoteSlowdown's default).
const voteSlowdown = 20

// readingTime is how long a class needs to read a lesson's title and
// explanation: a quarter of a second a word, from 3 to 10 seconds.
func readingTime(opts Options) time.Duration {
	words := len(strings.Fields(opts.Title))
	if s := opts.Script; s != nil {
		words += len(strings.Fields(s.Title + " " + s.Explain))
	}
	return min(max(time.Duration(words)*time.Second/4, 3*time.Second), 10*time.Second)
}
