// Package web is daihou's HTTP server (daihou serve): the routes of the
// JSON API (web/api) and, next, the console, behind one set of middleware —
// a request id on every request and log line, security headers (a
// content security policy without inline script, no framing, no MIME
// sniffing, no referrer), a size limit on every body, time limits, panics
// turned into 500s — and the operational endpoints: /healthz (the process
// is up), /readyz (the database answers and its schema is current) and
// Prometheus /metrics (request latency by route, postings, close of
// business).
package web
