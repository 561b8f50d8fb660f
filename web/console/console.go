package console

import (
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"daihou/auth"
	"daihou/store"
)

// Console serves the web console over one book.
type Console struct {
	DB     *store.DB
	Logger *slog.Logger
	// Limiter slows password guessing; share the API's so that a guess
	// counts once, whichever door it came through.
	Limiter *auth.Limiter
	// SessionTTL is a session's absolute lifetime (default 8 h), Idle how
	// long it may go unused (default 30 min).
	SessionTTL, Idle time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	pages  map[string]*template.Template
	cat    catalogues
	assets *assets
}

// pageNames is every page template under templates/pages, by part of the
// console: New refuses to start when a file and these lists disagree, so a
// page cannot be half-registered.
var pageNames = slices.Concat(framePages, qualityPages, loanPages, workPages, monitorPages)

// framePages are the frame's own pages.
var framePages = []string{"login", "error", "overview", "home"}

// New returns the console over db, its templates parsed and checked: every
// page registered, every message key used in a template present in every
// catalogue.
func New(db *store.DB, logger *slog.Logger, limiter *auth.Limiter) (*Console, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if limiter == nil {
		limiter = auth.NewLimiter(time.Now, auth.DefaultNameRule, auth.DefaultSourceRule)
	}
	c := &Console{DB: db, Logger: logger, Limiter: limiter, SessionTTL: 8 * time.Hour, Idle: 30 * time.Minute}
	var err error
	if c.cat, err = loadCatalogues(); err != nil {
		return nil, err
	}
	if c.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if c.pages, err = c.parsePages(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Console) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// parsePages parses each page with the layout and the partials.
func (c *Console) parsePages() (map[string]*template.Template, error) {
	files, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	var found []string
	for _, f := range files {
		found = append(found, strings.TrimSuffix(strings.TrimPrefix(f, "templates/pages/"), ".html"))
	}
	want := append([]string(nil), pageNames...)
	sort.Strings(found)
	sort.Strings(want)
	if strings.Join(found, ",") != strings.Join(want, ",") {
		return nil, fmt.Errorf("console: page templates %v and registered pages %v disagree", found, want)
	}
	base, err := template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	if err := c.checkKeys(); err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := base.Clone()
		if err == nil {
			t, err = t.ParseFS(templateFS, "templates/pages/"+name+".html")
		}
		if err != nil {
			return nil, fmt.Errorf("console: page %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// ctxKey keys the session in a request's context.
type ctxKey struct{}

func sessionOf(ctx context.Context) *Session {
	s, _ := ctx.Value(ctxKey{}).(*Session)
	return s
}

// secureRequest says whether the client reached us over TLS, directly or
// through a proxy that says so: the session cookie is then Secure.
func secureRequest(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}
