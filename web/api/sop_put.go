package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"daihou"
	"daihou/auth"
	"daihou/collection"
	"daihou/inputtext"
)

// PlanVersion is the answer to a put of a SOP or a strategy: the version
// it was stored as.
type PlanVersion struct {
	Kind    string `json:"kind"` // sop or strategy
	Code    string `json:"code"`
	Version int    `json:"version"`
}

// PutSOP answers PUT /api/v1/sop (risk officer): the body is a SOP
// (collection.SOP), checked and stored as the next version of its code —
// a product's code, or * for every product without its own. A step whose
// condition does not compile is 400 naming the step (field
// steps[i].when) and each problem at its line:column; nothing is stored
// then. Close of business follows it from its next run.
func (a *API) PutSOP(w http.ResponseWriter, r *http.Request) {
	putPlan(a, w, r, "sop", a.DB.PutSOP, func(s collection.SOP) string { return s.Code })
}

// putPlan is what PUT /api/v1/sop and /api/v1/strategy share: the plan
// of the body, checked as it is decoded, stored by put as the next
// version for a manager of rules, and answered with that version.
func putPlan[P any](a *API, w http.ResponseWriter, r *http.Request, kind string, put func(context.Context, P) (int, error), code func(P) string) {
	var p P
	if err := decode(r, &p); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := can(r.Context(), auth.ManageRules, auth.Book()); err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := put(r.Context(), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, PlanVersion{Kind: kind, Code: code(p), Version: v})
}

// DecodeSOP reads a SOP from a file's JSON, unknown fields refused (a
// misspelt "ofset" must not leave a step at day 0); a mistake is named by
// its line and column.
func DecodeSOP(data []byte) (collection.SOP, error) {
	var s collection.SOP
	return s, decodeDocument(data, &s, "a SOP {\"code\":…, \"steps\":[…]}")
}

// decodeDocument reads one JSON object of data into v, strictly, naming
// a mistake by its line and column and an unknown field by its name.
func decodeDocument(data []byte, v any, want string) error {
	if len(bytes.TrimLeft(data, " \t\r\n\ufeff")) == 0 {
		return daihou.Errorf(daihou.EINVALID, "the file is empty: want %s", want)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, e := dec.Token(); e != io.EOF {
			err = errors.New("something follows the object: want one JSON object")
		}
	}
	if err == nil {
		return nil
	}
	line, col := position(data, dec.InputOffset())
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		line, col = position(data, syn.Offset)
	}
	msg := strconv.Itoa(line) + ":" + strconv.Itoa(col) + ": " + inputtext.Clip(err.Error(), 200)
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		return daihou.Invalid(name, "%s", msg)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && typ.Field != "" {
		return daihou.Invalid(typ.Field, "%s", msg)
	}
	return daihou.Errorf(daihou.EINVALID, "%s", msg)
}
