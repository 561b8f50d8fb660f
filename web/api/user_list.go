package api

import (
	"net/http"

	"daihou/auth"
	"daihou/store"
)

// ListUsers answers GET /api/v1/users (admin): every user with roles,
// scope and officer code; never a password hash.
func (a *API) ListUsers(w http.ResponseWriter, r *http.Request) {
	if err := can(r.Context(), auth.ReadUsers, auth.System()); err != nil {
		a.fail(w, r, err)
		return
	}
	us, err := a.DB.Users(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string][]store.User{"users": nonNil(us)})
}
