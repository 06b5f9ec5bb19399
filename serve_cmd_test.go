package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestServeBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.keys", "# the class\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOXNyrJ4PGkmF5L1dMP3Ve3a3aU4T8GXX3sAi3t3RzVr a@b\nnot a key\n")
	empty := write("empty.keys", "# nobody yet\n\n")
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	hostKey := filepath.Join(dir, "host")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--max-sessions", "0"}, "--max-sessions 0: need at least 1"},
		{[]string{"--idle-timeout", "0s"}, "--idle-timeout 0s: must be positive"},
		{[]string{"--idle-timeout", "soon"}, `invalid argument "soon" for "--idle-timeout"`},
		{[]string{"--listen", "2222"}, "--listen 2222: want HOST:PORT, e.g. 127.0.0.1:2222"},
		{[]string{"--listen", busy.Addr().String()}, "--listen " + busy.Addr().String() + ": listen tcp"},
		{[]string{"--authorized-keys", "/no/such/file"}, "--authorized-keys open /no/such/file: no such file or directory"},
		{[]string{"--authorized-keys", bad}, "--authorized-keys " + bad + ":3: not a public key in OpenSSH format"},
		{[]string{"--watch-keys", empty}, "--watch-keys " + empty + ": no public keys in it"},
		{[]string{"--speed", "0"}, "--speed 0: want a number from 1/256 (0.00390625) to 64"},
		{[]string{"--nodes", "0"}, "--nodes 0: raftty simulates 1 to 1000 nodes"},
		{[]string{"--for", "2s"}, "unknown flag: --for"}, // a lecture runs until the server stops
		{[]string{"--save-dir", "/no/such/dir"}, "--save-dir /no/such/dir: no such directory"},
		{[]string{"--save-dir", bad}, "--save-dir " + bad + ": not a directory"},
	} {
		args := append([]string{"serve", "--host-key", hostKey, "--listen", "127.0.0.1:0"}, tc.args...)
		code, stdout, stderr := run(t, args...)
		if code != exitBadInput || !strings.Contains(stderr, tc.want) {
			t.Errorf("raftty %q: exit %d, %q; want 2 and %q", args, code, stderr, tc.want)
		}
		if strings.Count(strings.TrimSpace(stderr), "\n") > 0 || stdout != "" {
			t.Errorf("raftty %q: want one line on stderr, got %q and stdout %q", args, stderr, stdout)
		}
	}
}

// syncBuffer is a bytes.Buffer the server may log to while the test reads;
// grew wakes the reader after each write.
type syncBuffer struct {
	mu   sync.Mutex
	b    bytes.Buffer
	grew chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{grew: make(chan struct{}, 1)} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() {
		select {
		case s.grew <- struct{}{}:
		default:
		}
	}()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// SIGINT and SIGTERM stop the server cleanly: exit 0, the listener closed,
// the host key kept for the next start.
func TestServeStopsOnSignals(t *testing.T) {
	hostKey := filepath.Join(t.TempDir(), "raftty", "host_ed25519")
	var fingerprint string
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		stderr := newSyncBuffer()
		done := make(chan int, 1)
		go func() {
			done <- execute(context.Background(), []string{"serve", "--listen", "127.0.0.1:0", "--host-key", hostKey}, &bytes.Buffer{}, stderr)
		}()
		// Wait for the server to say where it listens; then it has its
		// signal handler. (The bound is a hang guard, not a verdict.)
		var addr string
		guard := time.NewTimer(time.Minute)
		defer guard.Stop()
		for addr == "" {
			select {
			case code := <-done:
				t.Fatalf("the server ended at once with %d: %q", code, stderr.String())
			case <-stderr.grew:
			case <-guard.C:
				t.Fatalf("the server did not start: %q", stderr.String())
			}
			if _, rest, ok := strings.Cut(stderr.String(), "raftty: serving on "); ok {
				addr, _, _ = strings.Cut(rest, " ")
			}
		}
		fp := strings.TrimSuffix(strings.SplitN(strings.SplitN(stderr.String(), "(host key ", 2)[1], ")", 2)[0], ")")
		if fingerprint == "" {
			fingerprint = fp
		} else if fp != fingerprint {
			t.Fatalf("the host key changed between starts: %s, then %s", fingerprint, fp)
		}
		if err := syscall.Kill(os.Getpid(), sig); err != nil {
			t.Fatal(err)
		}
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", sig, code, stderr.String())
			}
		case <-time.After(time.Minute): // a hang guard
			t.Fatalf("%v: the server did not stop", sig)
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			t.Fatalf("%v: still listening on %s", sig, addr)
		}
		if !strings.Contains(stderr.String(), "stopped") {
			t.Fatalf("%v: no clean stop in the log: %s", sig, stderr.String())
		}
	}
}

func TestHowToConnectSaysWhoCanReachTheServer(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want string
	}{
		{"127.0.0.1:2222", "from this machine only: ssh -p 2222 localhost (--listen 0.0.0.0:2222 lets other machines in)"},
		{"[::1]:2300", "from this machine only: ssh -p 2300 localhost (--listen 0.0.0.0:2300 lets other machines in)"},
		{"[::]:2222", "students type: ssh -p 2222 HOST"},
		{"10.0.0.5:2222", "students type: ssh -p 2222 HOST"},
	} {
		addr, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := howToConnect(addr); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.addr, got, tc.want)
		}
	}
}
