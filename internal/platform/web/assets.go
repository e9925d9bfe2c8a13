package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/govops/govops/internal/platform/errs"
)

//go:embed static
var staticRoot embed.FS

// assets serves the embedded static files; URLs carry a content hash so browsers may cache them for a year.
type assets struct {
	fsys   fs.FS
	mu     sync.Mutex
	hashes map[string]string
}

func newAssets() *assets {
	return &assets{fsys: Sub(staticRoot, "static"), hashes: map[string]string{}}
}

func (a *assets) hash(name string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if h, ok := a.hashes[name]; ok {
		return h
	}
	b, err := fs.ReadFile(a.fsys, name)
	if err != nil {
		return ""
	}
	s := sha256.Sum256(b)
	h := hex.EncodeToString(s[:6])
	a.hashes[name] = h
	return h
}

func (u *UI) assetURL(name string) string {
	return "/static/" + name + "?v=" + u.assets.hash(name)
}

func (a *assets) serve(w http.ResponseWriter, r *http.Request) error {
	name := path.Clean(r.PathValue("path"))
	if strings.HasPrefix(name, ".") || strings.Contains(name, "..") {
		return errs.NotFound("文件")
	}
	b, err := fs.ReadFile(a.fsys, name)
	if err != nil {
		return errs.NotFound("文件")
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	if r.URL.Query().Get("v") != "" {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=3600")
	}
	_, _ = w.Write(b)
	return nil
}
