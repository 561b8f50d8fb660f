package sim

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"daihou/civil"
)

// Handler returns the simulator's routes:
//
//	GET /sources                     the sources, their record counts and URLs (JSON)
//	GET /sources/{name}/records      a page of a source's records (the pull protocol)
//	GET /healthz                     200 "ok"
func (f *Feed) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sources", f.list)
	mux.HandleFunc("GET /sources/{name}/records", f.records)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	return mux
}

// Listing is what GET /sources answers.
type Listing struct {
	Seed    uint64       `json:"seed"`
	Loans   int          `json:"loans"`
	Months  int          `json:"months"`
	Until   civil.Date   `json:"until"`
	Sources []SourceInfo `json:"sources"`
}

// SourceInfo is one source of a Listing.
type SourceInfo struct {
	Name    string `json:"name"`
	Records int    `json:"records"`
	URL     string `json:"url"` // the records URL, relative to the server unless a base was given
}

// Listing describes the feed; URLs are under base (e.g.
// "http://127.0.0.1:8089"), or relative when base is "".
func (f *Feed) Listing(base string) Listing {
	l := Listing{Seed: f.Config.Seed, Loans: f.Config.Loans, Months: f.Config.Months, Until: f.Config.Until}
	for _, s := range Sources {
		l.Sources = append(l.Sources, SourceInfo{Name: s, Records: f.Len(s), URL: base + "/sources/" + s + "/records"})
	}
	return l
}

func (f *Feed) list(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(f.Listing(""))
}

func (f *Feed) records(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			http.Error(w, "limit must be a positive whole number", http.StatusBadRequest)
			return
		}
		limit = n
	}
	body, next, err := f.Page(r.PathValue("name"), q.Get("cursor"), limit)
	switch {
	case errors.Is(err, ErrUnknownSource):
		http.Error(w, "unknown source "+strconv.Quote(r.PathValue("name")), http.StatusNotFound)
		return
	case errors.Is(err, ErrBadCursor):
		http.Error(w, "cursor must be one this server gave", http.StatusBadRequest)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("X-Next-Cursor", next)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// Serve serves the feed on l until ctx ends, then lets requests in flight
// finish for up to grace.
func (f *Feed) Serve(ctx context.Context, l net.Listener, grace time.Duration) error {
	srv := &http.Server{Handler: f.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
