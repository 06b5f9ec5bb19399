package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	gossh "golang.org/x/crypto/ssh"

	"raftty/cluster"
	"raftty/serve"
	"raftty/session"
)

type serveOptions struct {
	ui             uiOptions
	listen         string
	hostKey        string
	authorizedKeys string
	watchKeys      string
	lab            bool
	maxSessions    int
	idleTimeout    time.Duration
	saveDir        string
}

func newServeCmd() *cobra.Command {
	flags := clusterFlags{live: true} // a lecture runs until the server stops: no --for
	var opts serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the live view over SSH, for a class",
		Long: "raftty serve is an SSH server: whoever connects gets the live view, nothing to install.\n\n" +
			"Lecture (the default): one cluster, run by the server; every connection gets its own view of it, which " +
			"follows the teacher's (the moment, stepping, the node inspected) until the student moves on their own; f follows again. " +
			"Only the keys in --authorized-keys (the teacher's) may change the cluster; everyone else watches. " +
			"The teacher's :poll QUESTION asks the class, who answer with 1-9; :reveal shows everyone the tally. " +
			"Lab (--lab): every connection gets a private cluster to break, which ends with the connection.\n\n" +
			"Students connect with `ssh -p 2222 HOST`. Only public keys are accepted: any key may watch unless " +
			"--watch-keys lists who may. There are no shells, commands or forwarding.",
		Example: `  raftty serve --authorized-keys teacher.pub                 # a lecture on 127.0.0.1:2222
  raftty serve --listen 0.0.0.0:2222 --authorized-keys teacher.pub --scenario 05-follower-returns
  raftty serve --lab --listen 0.0.0.0:2222                     # a private cluster for everyone
  raftty serve --authorized-keys teacher.pub --watch-keys class.keys   # only the class may watch`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd, &flags, opts)
		},
	}
	flags.register(cmd)
	fs := cmd.Flags()
	fs.Float64Var(&opts.ui.speed, "speed", defaultSpeed, "virtual time per wall time (0.1 = ten times slower than real)")
	fs.BoolVar(&opts.ui.noColor, "no-color", false, "draw without colours")
	fs.BoolVar(&opts.ui.startPaused, "start-paused", false, "start the lecture with the clock stopped, until the teacher's space; a scenario always does")
	fs.StringVar(&opts.listen, "listen", serve.DefaultListen, "address to listen on (0.0.0.0:2222 for a classroom)")
	fs.StringVar(&opts.hostKey, "host-key", "", "the server's private key, created on first start and kept (default: raftty/host_ed25519 in the user's config directory)")
	fs.StringVar(&opts.authorizedKeys, "authorized-keys", "", "public keys (OpenSSH authorized_keys format) that may change the lecture's cluster: the teacher's")
	fs.StringVar(&opts.watchKeys, "watch-keys", "", "if given, only these public keys (and --authorized-keys) may connect; default: any key may watch")
	fs.BoolVar(&opts.lab, "lab", false, "give every connection a private cluster of its own")
	fs.IntVar(&opts.maxSessions, "max-sessions", serve.DefaultMaxSessions, "sessions at once; the next one is refused with a message")
	fs.StringVar(&opts.saveDir, "save-dir", "", "a directory on this machine where the teacher's w saves the lecture as a scenario file, and :record and :export their recording and pictures (default: saving is off)")
	fs.DurationVar(&opts.idleTimeout, "idle-timeout", serve.DefaultIdleTimeout, "close a connection whose ssh client sent nothing for this long, not even an answer to a keepalive (a frozen or vanished client; a paused lesson keeps everyone)")
	return cmd
}

func runServe(cmd *cobra.Command, flags *clusterFlags, opts serveOptions) error {
	s, err := flags.parse(cmd.Flags().Changed)
	if err != nil {
		return badInput(err)
	}
	if !(opts.ui.speed >= cluster.MinSpeed && opts.ui.speed <= cluster.MaxSpeed) {
		return badInput(fmt.Errorf("--speed %g: want a number from 1/256 (%g) to %g, as + and - go", opts.ui.speed, cluster.MinSpeed, cluster.MaxSpeed))
	}
	if opts.maxSessions < 1 {
		return badInput(fmt.Errorf("--max-sessions %d: need at least 1", opts.maxSessions))
	}
	if opts.idleTimeout <= 0 {
		return badInput(fmt.Errorf("--idle-timeout %v: must be positive", opts.idleTimeout))
	}
	if _, _, err := net.SplitHostPort(opts.listen); err != nil {
		return badInput(fmt.Errorf("--listen %s: want HOST:PORT, e.g. 127.0.0.1:2222", opts.listen))
	}
	var teachers, watchers []gossh.PublicKey
	if opts.authorizedKeys != "" {
		if teachers, err = serve.LoadKeys(opts.authorizedKeys); err != nil {
			return badInput(fmt.Errorf("--authorized-keys %w", err))
		}
	}
	if opts.watchKeys != "" {
		if watchers, err = serve.LoadKeys(opts.watchKeys); err != nil {
			return badInput(fmt.Errorf("--watch-keys %w", err))
		}
	}
	if opts.hostKey == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return badInput(fmt.Errorf("no user config directory for the host key (%v): give --host-key PATH", err))
		}
		opts.hostKey = filepath.Join(dir, "raftty", "host_ed25519")
	}
	stderr := cmd.ErrOrStderr()
	title := s.script.Title
	for _, w := range s.warnings {
		title = "warning: " + w
	}

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal, a second one ends the process at once.
	context.AfterFunc(ctx, stop)
	srv, err := serve.Start(ctx, serve.Options{
		Listen:          opts.listen,
		HostKeyPath:     opts.hostKey,
		Teachers:        teachers,
		Watchers:        watchers,
		WatchersNeedKey: opts.watchKeys != "",
		Lab:             opts.lab,
		SeedPerSession:  !cmd.Flags().Changed("seed") && !s.script.HasSeed,
		MaxSessions:     opts.maxSessions,
		IdleTimeout:     opts.idleTimeout,
		SaveDir:         opts.saveDir,
		SaveOff:         "saving is off: the server was started without --save-dir DIR, where the teacher's w, :record and :export would write",
		UI: session.Options{
			Config:      s.cfg,
			Speed:       opts.ui.speed,
			Script:      s.script,
			Title:       title,
			NoColor:     opts.ui.noColor || os.Getenv("NO_COLOR") != "",
			StartPaused: opts.ui.startPaused,
			Compare:     s.compareFlags,
		},
		Log: stderr,
	})
	if err != nil {
		return badInput(serveFlagError(err))
	}
	for _, w := range s.warnings {
		fmt.Fprintf(stderr, "raftty: warning: %s\n", w)
	}
	if !opts.lab && len(teachers) == 0 {
		fmt.Fprintln(stderr, "raftty: warning: no --authorized-keys: nobody can change the cluster, everyone watches")
	}
	fmt.Fprintf(stderr, "raftty: serving on %s (host key %s); %s\n", srv.Addr(), srv.HostKeyFingerprint(), howToConnect(srv.Addr()))
	if err := srv.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return &exitError{code: exitFailed, err: err}
	}
	return nil
}

// serveFlags names the flag that sets each field of serve.Options the
// server may refuse.
var serveFlags = map[string]string{
	"Listen":      "--listen",
	"HostKeyPath": "--host-key",
	"MaxSessions": "--max-sessions",
	"IdleTimeout": "--idle-timeout",
	"SaveDir":     "--save-dir",
}

// serveFlagError says a server's refusal of an option in terms of its
// flag: "--listen 127.0.0.1:2222: listen tcp ...".
func serveFlagError(err error) error {
	var oe *serve.OptionError
	if errors.As(err, &oe) {
		if flag, ok := serveFlags[oe.Option]; ok {
			return fmt.Errorf("%s %s: %w", flag, oe.Value, oe.Err)
		}
	}
	return err
}

// howToConnect is the line that tells the teacher what students type. A
// server on a loopback address is reachable from this machine only, which
// the default --listen is: say so, and how to let the class in.
func howToConnect(addr net.Addr) string {
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return fmt.Sprintf("from this machine only: ssh -p %s localhost (--listen 0.0.0.0:%s lets other machines in)", port, port)
	}
	return fmt.Sprintf("students type: ssh -p %s HOST", port)
}
