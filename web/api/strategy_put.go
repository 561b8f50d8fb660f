package api

import (
	"net/http"

	"daihou/collection"
)

// PutStrategy answers PUT /api/v1/strategy (risk officer): the body is the
// collection strategy (collection.Strategy) with its champion and
// challenger arms, checked and stored as the next version; it is in force
// from the next close of business, whatever its code. A condition that
// does not compile is 400 naming where it is (champion[i].when,
// challenger[i].actions[j].when) at its line:column; nothing is stored.
func (a *API) PutStrategy(w http.ResponseWriter, r *http.Request) {
	putPlan(a, w, r, "strategy", a.DB.PutStrategy, func(s collection.Strategy) string { return s.Code })
}

// DecodeStrategy reads a strategy from a file's JSON, unknown fields
// refused; a mistake is named by its line and column.
func DecodeStrategy(data []byte) (collection.Strategy, error) {
	var s collection.Strategy
	return s, decodeDocument(data, &s, "a strategy {\"code\":…, \"champion\":[…]}")
}
