package web

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the server's Prometheus metrics, on a registry of its own so
// that tests can run servers side by side.
type Metrics struct {
	Registry *prometheus.Registry
	// Requests is the latency of requests by route pattern, method and
	// status class.
	Requests *prometheus.HistogramVec
	// Postings counts transactions posted through the API, by kind and
	// outcome (posted, duplicate, rejected).
	Postings *prometheus.CounterVec
	// EOD is the duration of close-of-business runs this process made.
	EOD prometheus.Histogram
}

// NewMetrics returns the metrics on a new registry, with the Go runtime's
// and the process's collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "daihou_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern, method and status class.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .02, .05, .1, .2, .5, 1, 2.5, 5},
		}, []string{"route", "method", "code"}),
		Postings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "daihou_postings_total",
			Help: "Transactions posted through the API, by kind and outcome.",
		}, []string{"kind", "outcome"}),
		EOD: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "daihou_eod_duration_seconds",
			Help:    "Duration of the close-of-business runs of this process.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 12),
		}),
	}
	m.Registry.MustRegister(m.Requests, m.Postings, m.EOD, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
