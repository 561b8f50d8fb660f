package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"daihou"
	"daihou/auth"
	"daihou/store"
)

// status maps an application error code to its HTTP status, in one place.
var status = map[string]int{
	daihou.EINVALID:         http.StatusBadRequest,
	daihou.ENOTFOUND:        http.StatusNotFound,
	daihou.ECONFLICT:        http.StatusConflict,
	daihou.EUNAUTHORIZED:    http.StatusForbidden,
	daihou.EUNAUTHENTICATED: http.StatusUnauthorized,
	daihou.ETOOLARGE:        http.StatusRequestEntityTooLarge,
	daihou.ERATELIMIT:       http.StatusTooManyRequests,
	daihou.EINTERNAL:        http.StatusInternalServerError,
}

// Problem is the one shape of every error answer:
// {"error":{"code":"invalid","message":"…","field":"amount"}}.
type Problem struct {
	Error ProblemBody `json:"error"`
}

// ProblemBody is the inside of a Problem.
type ProblemBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// RequestID names the request in the server's log: internal errors
	// say nothing more, and an operator finds the cause by it.
	RequestID string `json:"request_id,omitempty"`
	// Rule, Reason and NextAllowed say why the compliance guard refused a
	// contact attempt (409): the rule's code, its reason, and the first
	// instant the same attempt is allowed (RFC 3339), absent when waiting
	// does not allow it.
	Rule        string `json:"rule,omitempty"`
	Reason      string `json:"reason,omitempty"`
	NextAllowed string `json:"next_allowed,omitempty"`
}

// fail answers err in the one error shape. Only internal errors are
// logged as errors; their details stay in the log.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		err = daihou.Errorf(daihou.ETOOLARGE, "the request body is larger than this route accepts (%d bytes)", mb.Limit)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = daihou.Errorf(daihou.EINTERNAL, "the request took longer than the server allows: %w", err)
	}
	code := daihou.ErrorCode(err)
	st, ok := status[code]
	if !ok {
		st = http.StatusInternalServerError
	}
	body := ProblemBody{Code: code, Message: daihou.ErrorMessage(err), Field: daihou.ErrorField(err), RequestID: w.Header().Get("X-Request-Id")}
	var refused *store.RefusedError
	if errors.As(err, &refused) {
		body.Rule, body.Reason = refused.Rule, refused.Reason
		if !refused.Next.IsZero() {
			body.NextAllowed = refused.Next.Format(time.RFC3339)
		}
	}
	switch code {
	case daihou.EINTERNAL:
		a.Logger.ErrorContext(r.Context(), "internal error", "request_id", body.RequestID, "method", r.Method, "route", r.Pattern, "err", err)
	case daihou.EUNAUTHORIZED, daihou.EUNAUTHENTICATED, daihou.ENOTFOUND, daihou.ERATELIMIT:
		// Every denial is logged with who was denied what: a loan outside
		// the actor's scope is answered "not found", and logged here.
		a.Logger.WarnContext(r.Context(), "denied", "request_id", body.RequestID, "actor", auth.FromContext(r.Context()).String(),
			"method", r.Method, "route", r.Pattern, "code", code, "reason", body.Message, "source", source(r))
	}
	if code == daihou.ERATELIMIT {
		w.Header().Set("Retry-After", "1")
	}
	if code == daihou.EUNAUTHENTICATED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="daihou"`)
	}
	writeJSON(w, st, Problem{body})
}

// writeJSON answers v as JSON with status st.
func writeJSON(w http.ResponseWriter, st int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(st)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}
