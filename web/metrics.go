package web

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"daihou/store"
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
}

// eodCollector reports the book's last close of business at each scrape:
// close of business runs in its own processes ('daihou eod', its
// workers), so the server reads what the last run recorded.
type eodCollector struct {
	db                      *store.DB
	date, duration, touched *prometheus.Desc
}

func newEODCollector(db *store.DB) *eodCollector {
	return &eodCollector{db: db,
		date:     prometheus.NewDesc("daihou_eod_last_date_seconds", "The last business date closed, as Unix time of its midnight UTC.", nil, nil),
		duration: prometheus.NewDesc("daihou_eod_last_duration_seconds", "How long the close of business of the last closed date took.", nil, nil),
		touched:  prometheus.NewDesc("daihou_eod_last_loans", "Loans the close of business of the last closed date re-derived.", nil, nil),
	}
}

func (c *eodCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.date
	ch <- c.duration
	ch <- c.touched
}

func (c *eodCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	d, err := c.db.LastClose(ctx)
	if err != nil || d == 0 {
		return // nothing closed yet, or the database is away: /readyz says which
	}
	ch <- prometheus.MustNewConstMetric(c.date, prometheus.GaugeValue, float64(d.Time().Unix()))
	if sum, _, err := c.db.EODSummary(ctx, d); err == nil {
		ch <- prometheus.MustNewConstMetric(c.duration, prometheus.GaugeValue, sum.Duration.Seconds())
		ch <- prometheus.MustNewConstMetric(c.touched, prometheus.GaugeValue, float64(sum.Touched))
	}
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
	}
	m.Registry.MustRegister(m.Requests, m.Postings, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
