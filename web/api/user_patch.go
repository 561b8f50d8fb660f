package api

import (
	"net/http"

	"daihou"
	"daihou/store"
)

// UpdateUser answers PATCH /api/v1/users/{name} (admin): new roles,
// scope, officer code or password, or disabled (which logs the user out
// everywhere).
func (a *API) UpdateUser(w http.ResponseWriter, r *http.Request) {
	var req UserRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	if req.Name != "" {
		a.fail(w, r, daihou.Invalid("name", "name: a user cannot be renamed; the name in the path says which user"))
		return
	}
	name := r.PathValue("name")
	var c store.UserChange
	if req.Roles != nil {
		rs, err := roles(req.Roles)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		c.Roles = &rs
	}
	if req.Scope != nil {
		sc, err := scope(*req.Scope)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		c.Scope = &sc
	}
	c.Officer, c.Disabled = req.Officer, req.Disabled
	if req.Password != nil {
		h, err := password(name, *req.Password)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		c.PasswordHash = &h
	}
	u, err := a.DB.UpdateUser(r.Context(), name, c)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}
