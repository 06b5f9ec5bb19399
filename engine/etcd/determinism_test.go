package etcd_test

import (
	"bytes"
	"crypto/ed25519"
	cryptorand "crypto/rand"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/cryptotest"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/crypto/ssh"

	"raftty/engine"
	"raftty/engine/enginetest"
	"raftty/engine/etcd"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// script runs a 5-node etcd cluster of seed for d: a leader killed every 3
// virtual seconds and restarted a second later, a node cut off now and
// then, proposals, all at moments drawn from the seed. It returns the
// transcript.
func script(t testing.TB, seed uint64, cfg engine.Config, d time.Duration) string {
	s, err := enginetest.New(etcd.Engine{}, 5, seed, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	for s.Now() < d {
		s.RunFor(time.Second)
		if l := s.Leader(); l != engine.None && s.Now()%(3*time.Second) == 0 {
			s.Kill(l)
			s.RunFor(time.Second)
			if err := s.Restart(l); err != nil {
				t.Fatal(err)
			}
		}
		id := engine.NodeID(1 + rng.IntN(5))
		s.Isolate(id, rng.IntN(3) == 0)
		if l := s.Leader(); l != engine.None {
			_ = s.Propose(l, []byte("entry"))
		}
	}
	if v := s.Violations(); len(v) > 0 {
		t.Errorf("seed %d: %v", seed, v)
	}
	return s.Transcript()
}

func allOptions() engine.Config {
	return engine.Config{Timing: engine.Timing{ElectionMin: 150 * time.Millisecond, ElectionMax: 300 * time.Millisecond, Heartbeat: 50 * time.Millisecond},
		PreVote: true, CheckQuorum: true}
}

// busy steps other etcd clusters in goroutines until stop is closed, so
// that etcd's global random source is drawn from concurrently.
func busy(t testing.TB, stop <-chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	for g := range 3 {
		wg.Go(func() {
			for i := uint64(0); ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				script(t, 1000+uint64(g)*100+i, allOptions(), 4*time.Second)
			}
		})
	}
	return &wg
}

// TestDeterministic: the same seed and script give the same transcript,
// byte for byte, at GOMAXPROCS 1 and 2, while other etcd clusters draw from
// etcd's global source at the same time; another seed gives another.
func TestDeterministic(t *testing.T) {
	var want string
	for _, procs := range []int{1, 2} {
		prev := runtime.GOMAXPROCS(procs)
		stop := make(chan struct{})
		wg := busy(t, stop)
		a := script(t, 3, allOptions(), 20*time.Second)
		b := script(t, 3, allOptions(), 20*time.Second)
		close(stop)
		wg.Wait()
		runtime.GOMAXPROCS(prev)
		if a != b {
			t.Fatalf("GOMAXPROCS %d: two runs of seed 3 differ first at line %d", procs, firstDiff(a, b))
		}
		if want == "" {
			want = a
		} else if a != want {
			t.Fatalf("GOMAXPROCS %d differs from GOMAXPROCS 1 first at line %d", procs, firstDiff(a, want))
		}
	}
	if strings.Count(want, "became leader") < 5 {
		t.Errorf("seed 3 elected %d leaders in 20s: the script does too little to compare", strings.Count(want, "became leader"))
	}
	if other := script(t, 4, allOptions(), 20*time.Second); other == want {
		t.Error("seeds 3 and 4 give the same transcript: the seed decides nothing")
	}
}

// TestIndependentOfCryptoRand: etcd's own draws from crypto/rand decide
// nothing. Made deterministic with two different seeds
// (testing/cryptotest), crypto/rand gives etcd different numbers, and the
// transcript is the same as with the system's randomness.
func TestIndependentOfCryptoRand(t *testing.T) {
	want := script(t, 5, allOptions(), 10*time.Second)
	for _, seed := range []uint64{1, 2} {
		cryptotest.SetGlobalRandom(t, seed)
		if got := script(t, 5, allOptions(), 10*time.Second); got != want {
			t.Fatalf("with crypto/rand seeded %d the transcript differs first at line %d", seed, firstDiff(got, want))
		}
	}
}

func firstDiff(a, b string) int {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

// TestCryptoRandomnessUntouched: while etcd clusters of one seed step in
// other goroutines, the process's cryptographic randomness stays the
// system's: crypto/rand.Reader is never replaced, host keys made from it
// and SSH handshakes over it (what raftty serve does) never repeat.
func TestCryptoRandomnessUntouched(t *testing.T) {
	reader := cryptorand.Reader
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				script(t, 42, allOptions(), 4*time.Second) // the same seed everywhere
			}
		})
	}
	defer func() {
		close(stop)
		wg.Wait()
	}()

	seen := map[string]bool{}
	for i := range 6 {
		if cryptorand.Reader != reader {
			t.Fatal("crypto/rand.Reader was replaced")
		}
		pub, priv, err := ed25519.GenerateKey(cryptorand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		session := handshake(t, priv)
		for _, b := range [][]byte{pub, session} {
			if seen[string(b)] {
				t.Fatalf("round %d: a host key or session id repeated", i)
			}
			seen[string(b)] = true
		}
	}
	if cryptorand.Reader != reader {
		t.Fatal("crypto/rand.Reader was replaced")
	}
}

// handshake runs an SSH handshake on 127.0.0.1 with host key
// priv and returns its session id, on which both sides agree.
func handshake(t *testing.T, priv ed25519.PrivateKey) []byte {
	t.Helper()
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	server := &ssh.ServerConfig{NoClientAuth: true}
	server.AddHostKey(signer)
	// Over loopback TCP: net.Pipe has no buffer, and both ends of an SSH
	// handshake write their version line before reading the other's.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		conn *ssh.ServerConn
		err  error
	}
	done := make(chan result, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		conn, chans, reqs, err := ssh.NewServerConn(sc, server)
		if err == nil {
			wg.Go(func() { ssh.DiscardRequests(reqs) })
			wg.Go(func() {
				for ch := range chans {
					_ = ch.Reject(ssh.Prohibited, "test")
				}
			})
		}
		done <- result{conn, err}
	})
	client, chans, reqs, err := ssh.NewClientConn(cc, "pipe", &ssh.ClientConfig{User: "t", HostKeyCallback: ssh.FixedHostKey(signer.PublicKey())})
	if err != nil {
		t.Fatal(err)
	}
	wg.Go(func() { ssh.DiscardRequests(reqs) })
	wg.Go(func() {
		for ch := range chans {
			_ = ch.Reject(ssh.Prohibited, "test")
		}
	})
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	id := client.SessionID()
	if !bytes.Equal(id, r.conn.SessionID()) {
		t.Fatal("client and server disagree on the session id")
	}
	_ = client.Close()
	_ = r.conn.Close()
	return id
}

// TestAdapterDrawsNoRandomness: the adapter's own code imports no random
// source and names neither a Reader nor etcd's globalRand: every number
// it draws comes from the Rand the cluster hands in.
func TestAdapterDrawsNoRandomness(t *testing.T) {
	_, self, _, _ := runtime.Caller(0)
	files, err := filepath.Glob(filepath.Join(filepath.Dir(self), "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "crypto/rand" || strings.HasPrefix(p, "math/rand") {
				t.Errorf("%s imports %s", filepath.Base(path), p)
			}
		}
		full, err := parser.ParseFile(token.NewFileSet(), path, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(full, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && (id.Name == "globalRand" || id.Name == "Reader") {
				t.Errorf("%s names %s", filepath.Base(path), id.Name)
			}
			return true
		})
	}
}

func ExampleEngine_DescribeTiming() {
	e, timing := etcd.ServerDefaults()
	fmt.Println(e.DescribeTiming(timing))
	fmt.Println(etcd.Engine{}.DescribeTiming(allOptions().Timing))
	// Output:
	// election timeout 10-19 ticks of 100ms, heartbeat 1 tick
	// election timeout 15-29 ticks of 10ms, heartbeat 5 ticks
}
