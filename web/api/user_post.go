package api

import (
	"net/http"

	"daihou"
	"daihou/store"
)

// AddUser answers POST /api/v1/users (admin): a new user with a name,
// roles, an optional granted scope and officer code, and a password.
func (a *API) AddUser(w http.ResponseWriter, r *http.Request) {
	var req UserRequest
	if err := decode(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	if req.Disabled != nil {
		a.fail(w, r, daihou.Invalid("disabled", "disabled: a new user is enabled; disable it afterwards with PATCH"))
		return
	}
	nu := store.NewUser{Name: req.Name}
	var err error
	if nu.Roles, err = roles(req.Roles); err != nil {
		a.fail(w, r, err)
		return
	}
	if req.Scope != nil {
		if nu.Scope, err = scope(*req.Scope); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	if req.Officer != nil {
		nu.Officer = *req.Officer
	}
	if req.Password == nil {
		a.fail(w, r, daihou.Invalid("password", "password: required (at least 12 characters), so that the user can log in"))
		return
	}
	if nu.PasswordHash, err = password(req.Name, *req.Password); err != nil {
		a.fail(w, r, err)
		return
	}
	u, err := a.DB.AddUser(r.Context(), nu)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}
