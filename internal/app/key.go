package app

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dangjian/dangjian/internal/pii"
)

// LoadOrCreateKey reads the master key for personal numbers, base64 in a file, creating the
// file with a fresh key (mode 0600) when it does not exist. Losing this file makes the
// encrypted ID numbers and phones unreadable: back it up apart from the database.
func LoadOrCreateKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := pii.NewKey()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("app: key file: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			if errors.Is(err, fs.ErrExist) {
				return LoadOrCreateKey(path) // another process created it first
			}
			return nil, fmt.Errorf("app: key file: %w", err)
		}
		defer f.Close()
		if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
			return nil, fmt.Errorf("app: key file: %w", err)
		}
		return key, f.Sync()
	}
	if err != nil {
		return nil, fmt.Errorf("app: key file: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != pii.KeySize {
		return nil, fmt.Errorf("app: key file %s: want %d bytes in base64", path, pii.KeySize)
	}
	return key, nil
}
