// Package daihou holds what every part of daihou shares: the application
// error type and its codes. Domain packages (schedule, servicing, scoring …)
// live in their own folders; storage, HTTP and the CLI sit at the edges.
package daihou

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status and one CLI exit code, in one
// place each (the HTTP server and the cli package).
const (
	EINVALID      = "invalid"      // the request or input is malformed or breaks a rule
	ENOTFOUND     = "not_found"    // the named thing does not exist
	ECONFLICT     = "conflict"     // the request conflicts with current state
	EUNAUTHORIZED = "unauthorized" // the caller may not do this
	EINTERNAL     = "internal"     // a bug or an infrastructure failure

	EUNAUTHENTICATED = "unauthenticated" // the caller did not say who they are, or not credibly
	ETOOLARGE        = "too_large"       // the request is larger than the route accepts
	ERATELIMIT       = "rate_limited"    // too many attempts: wait, then try again
)

// Error is daihou's application error: a code a program can branch on and
// a message a person can act on.
type Error struct {
	Code    string
	Message string
	// Field names the input field at fault, when one is ("amount",
	// "value_date"): an API answer carries it so a form can mark it.
	Field string
	Err   error // optional cause, for errors.Is/As
}

func (e *Error) Error() string {
	if e.Err != nil && e.Message == "" {
		return e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and formatted message. A %w
// verb in the format keeps the wrapped error reachable through errors.Is.
func Errorf(code, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Message: err.Error(), Err: errors.Unwrap(err)}
}

// Invalid returns an EINVALID error about one input field.
func Invalid(field, format string, args ...any) *Error {
	e := Errorf(EINVALID, format, args...)
	e.Field = field
	return e
}

// ErrorField returns the field of the first *Error in err's chain that
// names one, "" when none does.
func ErrorField(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Field != "" {
			return e.Field
		}
		err = e.Err
	}
	return ""
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message for internal errors, which must not leak details to users.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
