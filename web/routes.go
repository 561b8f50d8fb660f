package web

import (
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// route is one route of the server: a ServeMux pattern and its handler.
type route struct {
	pattern string
	handler http.Handler
}

// routeTable is every route of the server, in one place.
func (s *Server) routeTable() []route {
	a, c := s.API, s.Console
	small := func(h http.HandlerFunc) http.Handler { return limit(s.MaxBody, s.Timeout, h) }
	authed := func(h http.HandlerFunc) http.Handler { return limit(s.MaxBody, s.Timeout, a.Authed(h)) }
	bulk := func(h http.HandlerFunc) http.Handler { return limit(s.BulkBody, s.BulkTimeout, a.Authed(h)) }
	return []route{
		{"GET /healthz", small(s.healthz)},
		{"GET /readyz", small(s.readyz)},
		{"GET /metrics", promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{})},

		{"GET /api/v1/openapi.json", small(a.OpenAPI)},
		{"POST /api/v1/session", small(a.Login)},
		{"DELETE /api/v1/session", authed(a.Logout)},

		{"GET /api/v1/loans", authed(a.ListLoans)},
		{"GET /api/v1/loans/{id}", authed(a.GetLoan)},
		{"GET /api/v1/loans/{id}/schedule", authed(a.GetSchedule)},
		{"GET /api/v1/loans/{id}/transactions", authed(a.GetTransactions)},
		{"GET /api/v1/loans/{id}/history", authed(a.GetHistory)},
		{"POST /api/v1/loans/{id}/reveal", authed(a.RevealBorrower)},
		{"POST /api/v1/loans/{id}/payments", authed(a.PostPayment)},
		{"POST /api/v1/loans/{id}/reversals", authed(a.PostReversal)},
		{"POST /api/v1/loans/{id}/overrides", authed(a.ProposeOverride)},
		{"POST /api/v1/loans/{id}/overrides/{override}/decision", authed(a.DecideOverride)},
		{"POST /api/v1/loans/{id}/proposals", authed(a.ProposeApproval)},
		{"GET /api/v1/approvals", authed(a.ListApprovals)},
		{"POST /api/v1/approvals/{id}/decision", authed(a.DecideApproval)},
		{"POST /api/v1/loans/{id}/cases", authed(a.OpenCase)},
		{"GET /api/v1/cases", authed(a.ListCases)},
		{"POST /api/v1/cases/{id}/events", authed(a.PostCaseEvent)},
		{"POST /api/v1/payments/bulk", bulk(a.PostPayments)},
		{"POST /api/v1/sources/{source}/records", small(a.PostSourceRecords)},
		{"POST /api/v1/channels/{channel}/results", small(a.PostChannelResult)},

		{"GET /api/v1/reports/portfolio", authed(a.GetPortfolioReport)},
		{"GET /api/v1/reports/warnings", authed(a.GetWarningReport)},
		{"GET /api/v1/reports/collections", authed(a.GetCollectionReport)},
		{"GET /api/v1/reports/strategies", authed(a.GetStrategyReport)},
		{"GET /api/v1/reports/rate-cap", authed(a.GetRateCapReport)},

		{"GET /api/v1/rules", authed(a.ListRules)},
		{"GET /api/v1/rules/{code}", authed(a.GetRule)},
		{"PUT /api/v1/rules/{code}", authed(a.PutRule)},
		{"PATCH /api/v1/rules/{code}", authed(a.SwitchRule)},
		{"POST /api/v1/rules/backtest", limit(s.MaxBody, s.BulkTimeout, a.Authed(a.BacktestRules))}, // replays the book: a bulk route's time, a small body
		{"GET /api/v1/warnings", authed(a.ListWarnings)},
		{"POST /api/v1/warnings/{id}/ack", authed(a.AckWarning)},
		{"POST /api/v1/warnings/{id}/escalate", authed(a.EscalateWarning)},
		{"POST /api/v1/warnings/{id}/resolve", authed(a.ResolveWarning)},
		{"GET /api/v1/tasks", authed(a.ListTasks)},
		{"GET /api/v1/tasks/{id}", authed(a.GetTask)},
		{"POST /api/v1/tasks/{id}/take", authed(a.TakeTask)},
		{"POST /api/v1/tasks/{id}/outcome", authed(a.PostOutcome)},
		{"POST /api/v1/tasks/{id}/check", authed(a.PostCheck)},
		{"GET /api/v1/sop", authed(a.GetSOP)},
		{"PUT /api/v1/sop", authed(a.PutSOP)},
		{"GET /api/v1/strategy", authed(a.GetStrategy)},
		{"PUT /api/v1/strategy", authed(a.PutStrategy)},
		{"GET /api/v1/audit", authed(a.GetAudit)},

		{"GET /api/v1/users", authed(a.ListUsers)},
		{"POST /api/v1/users", authed(a.AddUser)},
		{"PATCH /api/v1/users/{name}", authed(a.UpdateUser)},
		{"GET /api/v1/tokens", authed(a.ListTokens)},
		{"POST /api/v1/tokens", authed(a.IssueToken)},
		{"DELETE /api/v1/tokens/{id}", authed(a.RevokeToken)},

		{"/api/", small(a.NotFound)},

		// The console: pages are GET, forms POST with the session's CSRF
		// token (c.page and c.form check both).
		{"GET /{$}", http.RedirectHandler("/console/", http.StatusSeeOther)},
		{"GET /console/static/{file...}", http.HandlerFunc(c.Static)},
		{"GET /console/login", small(c.LoginForm)},
		{"POST /console/login", small(c.Login)},
		{"POST /console/login/lang", small(c.LoginLang)},
		{"POST /console/logout", small(c.Form(c.Logout))},
		{"POST /console/lang", small(c.Form(c.SaveLang))},
		{"GET /console/{$}", small(c.Page(c.Overview))},
		// console: dashboards (asset quality, models, warnings, collections, reports)
		{"GET /console/quality", small(c.Page(c.Quality))},
		{"GET /console/reports/five-tier", small(c.Page(c.FiveTier))},
		// console: monitoring
		{"GET /console/models", small(c.Page(c.Models))},
		{"GET /console/warnings", small(c.Page(c.Warnings))},
		{"GET /console/collections", small(c.Page(c.Collections))},
		// console: loans (list, 360° view, reveal)
		{"GET /console/loans", small(c.Page(c.LoanList))},
		{"GET /console/loans/{id}", small(c.Page(c.LoanShow))},
		{"POST /console/loans/{id}/reveal", small(c.Form(c.LoanReveal))},
		// console: work (queues, outcomes, payments, proposals, approvals, editors)
		{"GET /console/tasks", small(c.Page(c.Tasks))},
		{"GET /console/tasks/{id}", small(c.Page(c.TaskShow))},
		{"POST /console/tasks/{id}/take", small(c.Form(c.TaskTake))},
		{"POST /console/tasks/{id}/outcome", small(c.Form(c.TaskOutcome))},
		{"GET /console/loans/{id}/payment", small(c.Page(c.PaymentForm))},
		{"POST /console/loans/{id}/payments", small(c.Form(c.PaymentPost))},
		{"GET /console/loans/{id}/propose", small(c.Page(c.ProposalForm))},
		{"POST /console/loans/{id}/proposals", small(c.Form(c.ProposalPost))},
		{"POST /console/loans/{id}/overrides", small(c.Form(c.OverridePost))},
		{"GET /console/approvals", small(c.Page(c.Approvals))},
		{"POST /console/approvals/{id}/decision", small(c.Form(c.ApprovalDecide))},
		{"POST /console/overrides/{id}/decision", small(c.Form(c.OverrideDecide))},
		{"GET /console/rules", small(c.Page(c.Rules))},
		{"GET /console/rules/{code}", small(c.Page(c.RuleEdit))},
		{"POST /console/rules/{code}", small(c.Form(c.RuleSave))},
		{"POST /console/rules/{code}/backtest", limit(s.MaxBody, s.BulkTimeout, c.Form(c.RuleBacktest))}, // replays the book, as the API's
		{"GET /console/strategy", small(c.Page(c.Strategy))},
		{"POST /console/strategy", small(c.Form(c.StrategySave))},
		{"GET /console/sop", small(c.Page(c.SOP))},
		{"POST /console/sop", small(c.Form(c.SOPSave))},
	}
}

// routes is the server's mux.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, r := range s.routeTable() {
		mux.Handle(r.pattern, r.handler)
	}
	return mux
}

// Patterns returns the pattern of every route but the console's, for the
// test that holds the OpenAPI document to the mux.
func (s *Server) Patterns() []string {
	var out []string
	for _, r := range s.routeTable() {
		if !consoleRoute(r.pattern) {
			out = append(out, r.pattern)
		}
	}
	return out
}

// ConsolePatterns returns the pattern of every console route, for the
// tests that walk them.
func (s *Server) ConsolePatterns() []string {
	var out []string
	for _, r := range s.routeTable() {
		if consoleRoute(r.pattern) {
			out = append(out, r.pattern)
		}
	}
	return out
}

func consoleRoute(pattern string) bool {
	_, path, _ := strings.Cut(pattern, " ")
	return path == "/{$}" || strings.HasPrefix(path, "/console/")
}
