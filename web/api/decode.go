package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"daihou"
)

// decode reads the request body as one JSON object into v: the content
// type must be JSON, unknown fields are refused (a misspelt field must not
// be silently ignored on a money route), and every error names the field
// at fault.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return daihou.Errorf(daihou.EINVALID, "the body must be JSON: send Content-Type: application/json (got %q)", clip(ct, 64))
		}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return err
		}
		return daihou.Errorf(daihou.EINVALID, "the body must hold one JSON object and nothing after it")
	}
	return nil
}

// decodeError turns a JSON decoding error into one that names the field.
func decodeError(err error) error {
	var mb *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mb):
		return err
	case errors.Is(err, io.EOF):
		return daihou.Errorf(daihou.EINVALID, "the body is empty: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return daihou.Errorf(daihou.EINVALID, "the body ends in the middle of a JSON value")
	case errors.As(err, &syn):
		return daihou.Errorf(daihou.EINVALID, "the body is not valid JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return daihou.Errorf(daihou.EINVALID, "the body must be a JSON object, not a %s", typ.Value)
		}
		return daihou.Invalid(field, "%s: want a %s, not a %s", field, jsonKind(typ.Type.Kind().String()), typ.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		return daihou.Invalid(name, "unknown field %q: see /api/v1/openapi.json for this route's fields", clip(name, 64))
	}
	// A *daihou.Error from a field's UnmarshalJSON (an amount, a date)
	// keeps its message.
	var de *daihou.Error
	if errors.As(err, &de) {
		return de
	}
	return daihou.Errorf(daihou.EINVALID, "the body could not be read as JSON: %s", clip(err.Error(), 200))
}

func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "number"
	case k == "string":
		return "string"
	case k == "bool":
		return "boolean"
	case k == "slice", k == "array":
		return "list"
	}
	return "object"
}

// clip shortens s for an error message: hostile input must not come back
// at length.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// queryInt reads an optional integer query parameter within [lo, hi].
func queryInt(r *http.Request, name string, def, lo, hi int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < lo || v > hi {
		return 0, daihou.Invalid(name, "%s: want a whole number from %d to %d, not %q", name, lo, hi, clip(s, 32))
	}
	return v, nil
}

// pathID reads a positive integer path parameter. A malformed id is
// answered like a missing loan: 404, with nothing about what exists.
func pathID(r *http.Request, name string) (int64, error) {
	s := r.PathValue(name)
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return 0, daihou.Errorf(daihou.ENOTFOUND, "no %s %q", name, clip(s, 32))
	}
	return v, nil
}
