package serve

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// hostKey reads the server's private key at path, or makes one there if
// there is none. It creates only what is missing: the key (ed25519, 0600)
// and the directories above it (0700). A directory that exists is used as it
// is: its mode is its owner's (a key library would chmod it to 0700, which
// on a shared directory such as /tmp breaks every other user's programs).
func hostKey(path string) (gossh.Signer, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		data, err = newHostKey(path)
	}
	if err != nil {
		return nil, err
	}
	return gossh.ParsePrivateKey(data)
}

// newHostKey writes a new key at path, never over one that exists. It
// writes a temporary file and links it into place, so that a server
// started at the same moment reads either no key or a whole one (and then
// that one is the key).
func newHostKey(path string) ([]byte, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "raftty serve host key")
	if err != nil {
		return nil, err
	}
	data := pem.EncodeToMemory(block)
	tmp, err := os.CreateTemp(dir, ".raftty-host-key-*") // 0600
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o600) // exactly, whatever the umask
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp.Name(), path)
	}
	if errors.Is(err, fs.ErrExist) {
		return os.ReadFile(path)
	}
	return data, err
}
