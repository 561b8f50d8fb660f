package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"daihou/store"
	"daihou/web/api"
	"daihou/web/console"
)

// Server is daihou's HTTP server over one database.
type Server struct {
	DB      *store.DB
	API     *api.API
	Console *console.Console
	Logger  *slog.Logger
	Metrics *Metrics
	// MaxBody bounds a request body (default 1 MiB); bulk routes allow
	// BulkBody (default 64 MiB).
	MaxBody, BulkBody int64
	// Timeout bounds a request's work (default 30 s), BulkTimeout a bulk
	// request's (default 10 min).
	Timeout, BulkTimeout time.Duration
}

// New returns a server over db with its defaults.
func New(db *store.DB, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{DB: db, API: api.New(db, logger), Logger: logger, Metrics: NewMetrics(), MaxBody: 1 << 20, BulkBody: 64 << 20, Timeout: 30 * time.Second, BulkTimeout: 10 * time.Minute}
	c, err := console.New(db, logger, s.API.Limiter)
	if err != nil {
		panic(err) // the embedded templates and catalogues are broken: a build error, caught by every test
	}
	s.Console = c
	s.API.OnSignals = db.WarnOnArrival // a court listing reaches its owner in seconds, not the next morning
	s.API.Posted = func(kind, outcome string, n int) { s.Metrics.Postings.WithLabelValues(kind, outcome).Add(float64(n)) }
	s.Metrics.Registry.MustRegister(newEODCollector(db))
	return s
}

// Handler returns the server's handler: every route behind the middleware.
func (s *Server) Handler() http.Handler {
	return s.observe(secure(s.routes()))
}

// Serve answers on l until ctx is cancelled, then stops taking requests
// and lets those in flight finish (at most grace).
func (s *Server) Serve(ctx context.Context, l net.Listener, grace time.Duration) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       2 * time.Minute, // bulk bodies
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	s.Logger.Info("shutting down", "grace", grace.String())
	stop, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(stop)
	if err != nil {
		// Past the grace, what is still open is cut rather than left to
		// hold the process.
		srv.Close()
	}
	if e := <-done; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}
