package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"daihou"
	"daihou/store"
)

// funcs are the templates' functions beyond the view's methods.
var funcs = template.FuncMap{}

// Page is one rendered screen: its template, its title's message key, its
// data, the tables it shows (each exportable) and its charts.
type Page struct {
	Name   string // the template under templates/pages
	Title  string // message key
	Data   any
	Tables []*Table
	Charts []Chart
	// Error is a message shown above the page (a form that did not
	// validate: its own words, from the engine); Notice one that went well.
	Error, Notice string
	// Status is the HTTP status (200 when zero).
	Status int
	// Redirect, when set, sends the browser there instead (303).
	Redirect string
}

// Table returns the page's table id, nil when it has none.
func (p *Page) Table(id string) *Table {
	for _, t := range p.Tables {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// Chart is one ECharts chart: an element id and its option object, which
// goes to the browser as JSON.
type Chart struct {
	ID     string
	Option any
	// Height in pixels (default 300).
	Height int
}

// view is what every template sees: the locale (so {{.T "key"}}), the
// session, the page and the asset paths.
type view struct {
	*Locale
	*Page
	S      *Session
	assets *assets
	Path   string
	query  url.Values
	Nav    []navItem
	Took   time.Duration
}

// Asset returns an embedded file's served path.
func (v *view) Asset(name string) string { return v.assets.Asset(name) }

// tableView is one table with the view it is shown in.
type tableView struct {
	*view
	Table *Table
}

// Tab returns the page's table id for the "table" template.
func (v *view) Tab(id string) (tableView, error) {
	t := v.Page.Table(id)
	if t == nil {
		return tableView{}, fmt.Errorf("console: page %s has no table %q", v.Page.Name, id)
	}
	return tableView{view: v, Table: t}, nil
}

// ExportURL is the link that downloads the table as format.
func (tv tableView) ExportURL(format string) string {
	q := tv.query
	q.Set("export", format)
	q.Set("table", tv.Table.ID)
	return tv.Path + "?" + q.Encode()
}

// chartView is one chart with the view it is shown in.
type chartView struct {
	*view
	Chart Chart
}

// ChartOf returns the page's chart id for the "chart" template.
func (v *view) ChartOf(id string) (chartView, error) {
	for _, ch := range v.Page.Charts {
		if ch.ID == id {
			return chartView{view: v, Chart: ch}, nil
		}
	}
	return chartView{}, fmt.Errorf("console: page %s has no chart %q", v.Page.Name, id)
}

// JSON is the chart's option as JSON, for its script block: html/template
// escapes it for a JSON script element, so no text in it can end the
// block.
func (cv chartView) JSON() (template.JS, error) {
	b, err := json.Marshal(cv.Chart.Option)
	return template.JS(b), err
}

// pageFunc builds a page for a request; an error is shown as the error
// page with the status its code calls for.
type pageFunc func(r *http.Request, s *Session) (*Page, error)

// Page serves a page for the routes.
func (c *Console) Page(fn pageFunc) http.HandlerFunc { return c.page(fn) }

// Form serves a form's POST: the session and its CSRF token are checked
// before h runs.
func (c *Console) Form(h http.HandlerFunc) http.HandlerFunc { return c.authed(h) }

// page serves a pageFunc: HTML, or one of its tables as xlsx or CSV when
// the query asks (?export=xlsx&table=ID), masked as the page is.
func (c *Console) page(fn pageFunc) http.HandlerFunc {
	return c.authed(func(w http.ResponseWriter, r *http.Request) {
		s := sessionOf(r.Context())
		began := time.Now()
		p, err := fn(r, s)
		if err != nil {
			c.fail(w, r, s.Locale, err)
			return
		}
		if p.Redirect != "" {
			http.Redirect(w, r, p.Redirect, http.StatusSeeOther)
			return
		}
		if f := r.URL.Query().Get("export"); f != "" {
			c.export(w, r, s, p, f, r.URL.Query().Get("table"))
			return
		}
		c.render(w, r, p.Status, &view{Locale: s.Locale, Page: p, S: s, Took: time.Since(began)})
	})
}

// render writes a page through its template. A template that fails writes
// nothing half-done: the page is built in memory first.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, v *view) {
	v.assets = c.assets
	v.Path = r.URL.Path
	v.query = r.URL.Query()
	if v.S != nil {
		v.Nav = navFor(v.S)
	}
	t, ok := c.pages[v.Page.Name]
	if !ok {
		c.Logger.ErrorContext(r.Context(), "console: no page", "page", v.Page.Name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		c.Logger.ErrorContext(r.Context(), "console: template", "page", v.Page.Name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if status == 0 {
		status = http.StatusOK
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// ECharts sets style attributes on the elements it draws (tooltips);
	// <style> elements and scripts stay the site's own.
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// statusOf is the HTTP status of an error's code.
var statusOf = map[string]int{
	daihou.EINVALID:         http.StatusUnprocessableEntity,
	daihou.ENOTFOUND:        http.StatusNotFound,
	daihou.ECONFLICT:        http.StatusConflict,
	daihou.EUNAUTHORIZED:    http.StatusForbidden,
	daihou.EUNAUTHENTICATED: http.StatusUnauthorized,
	daihou.ERATELIMIT:       http.StatusTooManyRequests,
	daihou.ETOOLARGE:        http.StatusRequestEntityTooLarge,
}

// errorView is what the error page shows.
type errorView struct {
	Status  int
	Message string
}

// fail shows err as the error page. A loan outside the user's scope is not
// found, like a loan that does not exist; every denial is logged with who
// was denied.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, l *Locale, err error) {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		err = daihou.Errorf(daihou.ETOOLARGE, "the form is larger than the console accepts (%d bytes)", mb.Limit)
	}
	code := daihou.ErrorCode(err)
	st, ok := statusOf[code]
	if !ok {
		st = http.StatusInternalServerError
	}
	s := sessionOf(r.Context())
	actor := "anonymous"
	if s != nil {
		actor = s.Actor.String()
	}
	msg := daihou.ErrorMessage(err)
	switch code {
	case daihou.EUNAUTHORIZED, daihou.EUNAUTHENTICATED, daihou.ENOTFOUND, daihou.ERATELIMIT:
		c.Logger.WarnContext(r.Context(), "denied", "actor", actor, "method", r.Method, "route", r.Pattern, "code", code, "reason", msg, "source", source(r))
	case daihou.EINVALID, daihou.ECONFLICT, daihou.ETOOLARGE:
	default:
		c.Logger.ErrorContext(r.Context(), "console: internal error", "actor", actor, "route", r.Pattern, "err", err)
		msg = l.T("error.internal")
	}
	var refused *store.RefusedError
	if errors.As(err, &refused) {
		msg = refused.Error()
	}
	c.render(w, r, st, &view{Locale: l, S: s, Page: &Page{Name: "error", Title: "error.title", Data: errorView{Status: st, Message: msg}}})
}
