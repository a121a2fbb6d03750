package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFiles embed.FS

// Static serves the embedded static files under content-hashed URLs,
// /static/<hash>/<name>, so they can be cached for a year and change URL when they change.
type Static struct {
	hashes map[string]string // name → first 12 hex digits of its SHA-256
	files  fs.FS
}

// NewStatic hashes every embedded static file.
func NewStatic() (*Static, error) {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	s := &Static{hashes: map[string]string{}, files: sub}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		s.hashes[p] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	return s, err
}

// URL returns the hashed URL of a static file.
func (s *Static) URL(name string) string {
	return "/static/" + s.hashes[name] + "/" + name
}

// ServeHTTP serves /static/<hash>/<name>. A stale hash still gets the file, without the
// long cache lifetime.
func (s *Static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/static/")
	hash, name, ok := strings.Cut(rest, "/")
	name = path.Clean(name)
	if !ok || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".md") {
		http.NotFound(w, r)
		return
	}
	want, known := s.hashes[name]
	if !known {
		http.NotFound(w, r)
		return
	}
	if hash == want {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	http.ServeFileFS(w, r, s.files, name)
}
