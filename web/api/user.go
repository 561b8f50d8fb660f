package api

import (
	"daihou"
	"daihou/auth"
	"daihou/store"
)

// UserRequest adds a user or changes one: on a change, each field left
// out stays as it is.
type UserRequest struct {
	Name     string   `json:"name,omitempty"`
	Roles    []string `json:"roles,omitempty"`
	Scope    *string  `json:"scope,omitempty"` // "", "all" or "branch:A,B"
	Officer  *string  `json:"officer,omitempty"`
	Password *string  `json:"password,omitempty"`
	Disabled *bool    `json:"disabled,omitempty"`
}

// roles parses role names.
func roles(names []string) ([]auth.Role, error) {
	out := make([]auth.Role, 0, len(names))
	for _, n := range names {
		r, err := auth.ParseRole(n)
		if err != nil {
			return nil, daihou.Invalid("roles", "roles: %s", daihou.ErrorMessage(err))
		}
		out = append(out, r)
	}
	return out, nil
}

// scope parses a granted scope.
func scope(s string) (auth.Scope, error) {
	sc, err := store.ParseGrantedScope(s)
	if err != nil {
		return sc, daihou.Invalid("scope", "scope: %s", daihou.ErrorMessage(err))
	}
	return sc, nil
}

// password checks a new password against the rules and hashes it.
func password(name, pw string) (string, error) {
	if err := auth.CheckPassword(name, pw); err != nil {
		return "", daihou.Invalid("password", "password: %s", daihou.ErrorMessage(err))
	}
	return auth.HashPassword(pw, auth.DefaultParams)
}
