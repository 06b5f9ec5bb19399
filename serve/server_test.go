package serve

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The server names what it refuses by its Options field, never by a
// command-line flag: the command line adds those.
func TestOptionErrorsNameTheOption(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tc := range []struct {
		opts   Options
		option string
	}{
		{Options{MaxSessions: -1}, "MaxSessions"},
		{Options{IdleTimeout: -time.Second}, "IdleTimeout"},
		{Options{Listen: busy.Addr().String()}, "Listen"},
		{Options{HostKeyPath: "-"}, "HostKeyPath"},
	} {
		if tc.opts.HostKeyPath == "-" {
			tc.opts.HostKeyPath = ""
		} else {
			tc.opts.HostKeyPath = filepath.Join(t.TempDir(), "host_ed25519")
		}
		tc.opts.Log = io.Discard
		s, err := Start(context.Background(), tc.opts)
		if err == nil {
			s.Close()
			t.Fatalf("%s: started", tc.option)
		}
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Option != tc.option {
			t.Errorf("%s: %v, want an OptionError for %s", tc.option, err, tc.option)
		}
		if strings.Contains(err.Error(), "--") {
			t.Errorf("%s: %q names a flag", tc.option, err)
		}
	}
}

// The host key is made on the first start, 0600, and kept; raftty creates
// only what is missing, 0700 for a directory it makes, and never changes
// the mode of a directory that exists: here a shared one, 1777, as /tmp is.
func TestHostKeyCreatesOnlyWhatIsMissing(t *testing.T) {
	shared := t.TempDir()
	if err := os.Chmod(shared, 0o777|fs.ModeSticky); err != nil {
		t.Fatal(err)
	}
	before := mode(t, shared)
	if before != 0o777|fs.ModeSticky|fs.ModeDir {
		t.Fatalf("the shared directory is %v, want drwxrwxrwt", before)
	}
	for _, path := range []string{
		filepath.Join(shared, "host_ed25519"),                // in the shared directory itself
		filepath.Join(shared, "raftty", "a", "host_ed25519"), // under directories raftty makes
	} {
		var fp string
		for start := range 2 { // made, then kept
			s, err := Start(context.Background(), Options{HostKeyPath: path, Listen: "127.0.0.1:0", Lab: true, Log: io.Discard})
			if err != nil {
				t.Fatal(err)
			}
			if start == 0 {
				fp = s.HostKeyFingerprint()
			} else if s.HostKeyFingerprint() != fp {
				t.Errorf("%s: the host key changed between starts", path)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if m := mode(t, path); m != 0o600 {
			t.Errorf("%s is %v, want -rw-------", path, m)
		}
		for dir := filepath.Dir(path); dir != shared; dir = filepath.Dir(dir) {
			if m := mode(t, dir); m != 0o700|fs.ModeDir {
				t.Errorf("%s, made by raftty, is %v, want drwx------", dir, m)
			}
		}
		if m := mode(t, shared); m != before {
			t.Fatalf("the shared directory went from %v to %v", before, m)
		}
		if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".raftty-host-key-*")); len(leftovers) > 0 {
			t.Errorf("temporary files left: %v", leftovers)
		}
	}
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode()
}
