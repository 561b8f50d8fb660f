package api

import (
	"net/http"

	"daihou"
	"daihou/inputtext"
)

// NotFound answers a path under /api/ that is no route, in the one error
// shape.
func (a *API) NotFound(w http.ResponseWriter, r *http.Request) {
	a.fail(w, r, daihou.Errorf(daihou.ENOTFOUND, "no such route: %s %s; the routes are listed in /api/v1/openapi.json", r.Method, inputtext.Clip(r.URL.Path, 100)))
}
