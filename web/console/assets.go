package console

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// staticPrefix is where assets are served.
const staticPrefix = "/console/static/"

// asset is one embedded file, served under a name that carries its hash so
// that a browser may keep it for a year and a new build is fetched anew.
type asset struct {
	body, gz []byte
	ctype    string
}

// assets maps a logical name ("app.css", "vendor/echarts/echarts.min.js")
// to its served path, and a served path to the file.
type assets struct {
	url   map[string]string
	files map[string]*asset
}

func loadAssets() (*assets, error) {
	a := &assets{url: map[string]string{}, files: map[string]*asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(staticFS, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		ext := path.Ext(name)
		served := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		f := &asset{body: b, ctype: mime.TypeByExtension(ext)}
		if f.ctype == "" {
			f.ctype = "text/plain; charset=utf-8"
		}
		if ext == ".js" || ext == ".css" {
			var z bytes.Buffer
			w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
			w.Write(b)
			w.Close()
			f.gz = z.Bytes()
		}
		a.url[name] = staticPrefix + served
		a.files[served] = f
		return nil
	})
	return a, err
}

// Asset returns the served path of the embedded file name; it panics on a
// name that is not embedded, which the template tests catch.
func (a *assets) Asset(name string) string {
	u, ok := a.url[name]
	if !ok {
		panic(fmt.Sprintf("console: no asset %q", name))
	}
	return u
}

// Static serves the embedded assets under their fingerprinted names.
func (c *Console) Static(w http.ResponseWriter, r *http.Request) {
	f, ok := c.assets.files[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Vary", "Accept-Encoding")
	body := f.body
	if f.gz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}
