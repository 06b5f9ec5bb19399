package serve

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	gossh "golang.org/x/crypto/ssh"
)

// LoadKeys reads public keys in OpenSSH authorized_keys format (one a line,
// options allowed, # comments and blank lines skipped; a .pub file is one
// such line). A line that is not a key is an error naming the file and
// line; so is a file without keys.
func LoadKeys(path string) ([]gossh.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var keys []gossh.PublicKey
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		key, _, _, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: not a public key in OpenSSH format (%v)", path, i+1, err)
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, errors.New(path + ": no public keys in it")
	}
	return keys, nil
}
