package serve

import (
	"context"
	"errors"
	"io"
	"net"
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
