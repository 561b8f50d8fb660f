package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"daihou"
	"daihou/inputtext"
	"daihou/loanview"
)

// decode reads the request body as one JSON object into v: the content
// type must be JSON, unknown fields are refused (a misspelt field must not
// be silently ignored on a money route), and every error names the field
// at fault.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return daihou.Errorf(daihou.EINVALID, "the body must be JSON: send Content-Type: application/json (got %q)", inputtext.Clip(ct, 64))
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
	if f, bad := nulField(reflect.ValueOf(v), ""); bad {
		return daihou.Invalid(f, "%s: holds a NUL character (\\u0000), which no field accepts", f)
	}
	return nil
}

// nulField returns the JSON name of the first string in v that holds a
// NUL: PostgreSQL cannot store or compare text holding one, and would
// fail the query (a 500) instead of refusing the field.
func nulField(v reflect.Value, name string) (string, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return nulField(v.Elem(), name)
		}
	case reflect.String:
		return name, strings.ContainsRune(v.String(), 0)
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if f, bad := nulField(v.Index(i), name); bad {
				return f, true
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			sf := v.Type().Field(i)
			if !sf.IsExported() {
				continue
			}
			tag, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if tag == "" {
				tag = sf.Name
			}
			if f, bad := nulField(v.Field(i), tag); bad {
				return f, true
			}
		}
	}
	return "", false
}

// checkText refuses a request whose path or query holds a NUL or bytes
// that are not UTF-8, which no parameter accepts: PostgreSQL fails a
// query comparing text with them (a 500) instead of finding nothing. A
// bad path is not found, like any malformed id; a bad query parameter is
// invalid.
func checkText(r *http.Request) error {
	if !plainText(r.URL.Path) {
		return daihou.Errorf(daihou.ENOTFOUND, "nothing at this path: it holds a NUL or bytes that are not UTF-8")
	}
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			if plainText(k) && plainText(v) {
				continue
			}
			field := "query"
			if plainText(k) && len(k) <= 64 {
				field = k
			}
			return daihou.Invalid(field, "%s: holds a NUL or bytes that are not UTF-8", field)
		}
	}
	return nil
}

func plainText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

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
		return daihou.Invalid(name, "unknown field %q: see /api/v1/openapi.json for this route's fields", inputtext.Clip(name, 64))
	}
	// A *daihou.Error from a field's UnmarshalJSON (an amount, a date)
	// keeps its message.
	var de *daihou.Error
	if errors.As(err, &de) {
		return de
	}
	return daihou.Errorf(daihou.EINVALID, "the body could not be read as JSON: %s", inputtext.Clip(err.Error(), 200))
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

// queryInt reads an optional integer query parameter within [lo, hi].
func queryInt(r *http.Request, name string, def, lo, hi int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < lo || v > hi {
		return 0, daihou.Invalid(name, "%s: want a whole number from %d to %d, not %q", name, lo, hi, inputtext.Clip(s, 32))
	}
	return v, nil
}

// queryBool reads an optional query parameter true or false, false when
// it is absent.
func queryBool(r *http.Request, name string) (bool, error) {
	switch s := r.URL.Query().Get(name); s {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, daihou.Invalid(name, "%s: want true or false, not %q", name, inputtext.Clip(s, 32))
	}
}

// queryLoan reads a list's loan filter, a loan's id or loan number: the
// loan's id, 0 when there is none. A loan outside the actor's scope reads
// as one that does not exist, and either is a 400 naming loan, so the
// filter tells nobody what exists.
func (a *API) queryLoan(r *http.Request) (int64, error) {
	s := r.URL.Query().Get("loan")
	if s == "" {
		return 0, nil
	}
	l, err := loanview.Find(r.Context(), a.DB, s)
	if daihou.ErrorCode(err) == daihou.ENOTFOUND {
		return 0, daihou.Invalid("loan", "loan: %s", daihou.ErrorMessage(err))
	}
	if err != nil {
		return 0, err
	}
	return l.ID, nil
}

// pathID reads a positive integer path parameter. A malformed id is
// answered like a missing loan: 404, with nothing about what exists.
func pathID(r *http.Request, name string) (int64, error) {
	s := r.PathValue(name)
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return 0, daihou.Errorf(daihou.ENOTFOUND, "no %s %q", name, inputtext.Clip(s, 32))
	}
	return v, nil
}
