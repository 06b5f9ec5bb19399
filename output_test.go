package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"raftty/cluster"
	"raftty/cluster/scenario"
)

// fullDisk fails every write, as /dev/full does, and counts the attempts.
type fullDisk struct{ writes int }

func (d *fullDisk) Write([]byte) (int, error) {
	d.writes++
	return 0, errors.New("no space left on device")
}

// A failed write stops every command at once with one line and status 3,
// whatever it was writing.
func TestWriteErrors(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--seed", "1"},
		{"run", "--seed", "1", "--json"},
		{"run", "--seed", "1", "--verbose"},
		{"scenarios"},
		{"bench", "--set", "2", "--trials", "5", "--seed", "1"},
		{"bench", "--set", "2", "--trials", "5", "--seed", "1", "--json"},
		{"chaos", "--runs", "5"},
		{"chaos", "--runs", "200", "--unsafe-forget-votes", "--out", t.TempDir()},
	} {
		var disk fullDisk
		var stderr bytes.Buffer
		code := execute(context.Background(), args, &disk, &stderr)
		if code != exitOutput {
			t.Errorf("%q: exit %d, want %d", args, code, exitOutput)
		}
		if got := strings.TrimSpace(stderr.String()); !strings.HasPrefix(got, "raftty: writing the output: ") ||
			!strings.HasSuffix(got, "no space left on device") || strings.Contains(got, "\n") {
			t.Errorf("%q: stderr %q, want one line saying the output could not be written", args, got)
		}
		if disk.writes != 1 {
			t.Errorf("%q: %d writes tried, want the work stopped at the first failure", args, disk.writes)
		}
	}
}

// The run itself stops soon after the failed write, not at the end of the
// 600 virtual hours it was asked for.
func TestRunStopsAtFailedWrite(t *testing.T) {
	s := setup{cfg: cluster.DefaultConfig(), runFor: 600 * time.Hour, script: &scenario.Script{}}
	var disk fullDisk
	sum, _, err := headless(s, bufio.NewWriterSize(&disk, 4096), runOptions{json: true}, newProgress(&bytes.Buffer{}))
	if err == nil {
		t.Fatal("no error from a run whose every write failed")
	}
	if reached := time.Duration(sum.AtUS) * time.Microsecond; reached > 5*time.Minute {
		t.Fatalf("the run went on to %v of virtual time after its output failed", reached)
	}
}

// Progress goes to a terminal only, and only after a couple of seconds.
func TestProgress(t *testing.T) {
	now := time.Unix(0, 0)
	for _, tc := range []struct {
		name    string
		tty     bool
		elapsed time.Duration
		want    string
	}{
		{"not a terminal", false, time.Minute, ""},
		{"a terminal, early", true, time.Second, ""},
		{"a terminal, later", true, 3 * time.Second, "\r\x1b[K42% done"},
	} {
		var out bytes.Buffer
		p := &progress{w: &out, tty: tc.tty, now: func() time.Time { return now }, started: now.Add(-tc.elapsed)}
		p.show("%d%% done", 42)
		if out.String() != tc.want {
			t.Errorf("%s: drew %q, want %q", tc.name, out.String(), tc.want)
		}
		p.done()
		if tc.want != "" && !strings.HasSuffix(out.String(), "\r\x1b[K") {
			t.Errorf("%s: the line was not cleared when done: %q", tc.name, out.String())
		}
	}
}
