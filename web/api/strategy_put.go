package api

import (
	"net/http"

	"daihou/auth"
	"daihou/collection"
)

// PutStrategy answers PUT /api/v1/strategy (risk officer): the body is the
// collection strategy (collection.Strategy) with its champion and
// challenger arms, checked and stored as the next version; it is in force
// from the next close of business, whatever its code. A condition that
// does not compile is 400 naming where it is (champion[i].when,
// challenger[i].actions[j].when) at its line:column; nothing is stored.
func (a *API) PutStrategy(w http.ResponseWriter, r *http.Request) {
	var s collection.Strategy
	if err := decode(r, &s); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := can(r.Context(), auth.ManageRules, auth.Book()); err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.DB.PutStrategy(r.Context(), s)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, PlanVersion{Kind: "strategy", Code: s.Code, Version: v})
}

// DecodeStrategy reads a strategy from a file's JSON, unknown fields
// refused; a mistake is named by its line and column.
func DecodeStrategy(data []byte) (collection.Strategy, error) {
	var s collection.Strategy
	return s, decodeDocument(data, &s, "a strategy {\"code\":…, \"champion\":[…]}")
}
