package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes is every route of the server, in one place.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	small := func(h http.HandlerFunc) http.Handler { return limit(s.MaxBody, s.Timeout, h) }

	mux.Handle("GET /healthz", small(s.healthz))
	mux.Handle("GET /readyz", small(s.readyz))
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{}))
	return mux
}
