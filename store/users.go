package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/inputtext"
)

// User is a person who uses daihou, as the book keeps them.
type User struct {
	ID    int64       `json:"id"`
	Name  string      `json:"name"`
	Roles []auth.Role `json:"roles"`
	// Scope is what an admin granted beyond the roles' own: every loan, or
	// whole branches.
	Scope auth.Scope `json:"-"`
	// ScopeText is Scope as it is written: "" (none), "all" or
	// "branch:0101,0102".
	ScopeText string `json:"scope"`
	// Officer is the officer code on the loans this user manages as their
	// account manager (loans.officer); the user's name unless set.
	Officer  string `json:"officer"`
	Disabled bool   `json:"disabled"`
	// PasswordHash is the argon2id PHC string, "" when the user has no
	// password (and cannot log in).
	PasswordHash string `json:"-"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
	// Lang is the console language the user chose ("" for the default).
	Lang string `json:"lang,omitempty"`
}

// Actor returns the auth.Actor the user acts as.
func (u User) Actor() (auth.Actor, error) { return auth.NewUser(u.Name, u.Roles, u.Scope) }

// ParseGrantedScope reads a granted scope as it is written: "" or "none"
// (the roles' own scope only), "all", or "branch:CODE[,CODE…]".
func ParseGrantedScope(s string) (auth.Scope, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" || strings.EqualFold(s, "none"):
		return auth.Scope{}, nil
	case strings.EqualFold(s, "all"):
		return auth.AllLoans(), nil
	}
	list, ok := strings.CutPrefix(s, "branch:")
	if !ok {
		return auth.Scope{}, daihou.Invalid("scope", "scope %q: want none, all or branch:CODE[,CODE…]", inputtext.Clip(s, 64))
	}
	var sc auth.Scope
	for _, b := range strings.Split(list, ",") {
		b = strings.TrimSpace(b)
		if b == "" || len(b) > 64 {
			return auth.Scope{}, daihou.Invalid("scope", "scope %q: a branch code is 1 to 64 characters", inputtext.Clip(s, 64))
		}
		if !slices.Contains(sc.Branches, b) {
			sc.Branches = append(sc.Branches, b)
		}
	}
	return sc, nil
}

// FormatGrantedScope writes a granted scope as ParseGrantedScope reads it.
func FormatGrantedScope(s auth.Scope) string {
	switch {
	case s.All:
		return "all"
	case len(s.Branches) > 0:
		return "branch:" + strings.Join(s.Branches, ",")
	}
	return ""
}

const userColumns = `id, name, roles, scope, officer, disabled, password, created_at, updated_at, lang`

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	var roles string
	var disabled int
	if err := sc.Scan(&u.ID, &u.Name, &roles, &u.ScopeText, &u.Officer, &disabled, &u.PasswordHash, &u.CreatedAt, &u.UpdatedAt, &u.Lang); err != nil {
		return u, err
	}
	for _, r := range strings.Split(roles, ",") {
		if r != "" {
			u.Roles = append(u.Roles, auth.Role(r))
		}
	}
	u.Disabled = disabled != 0
	var err error
	u.Scope, err = ParseGrantedScope(u.ScopeText)
	return u, err
}

func joinRoles(rs []auth.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// HasUsers reports whether the book has any user: until it does, the
// command line acts as the local operator.
func (db *DB) HasUsers(ctx context.Context) (bool, error) {
	return hasUsers(ctx, db.read)
}

func hasUsers(ctx context.Context, q querier) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1) t`).Scan(&n)
	return n > 0, err
}

// User returns the user named name (compared without regard to case);
// ENOTFOUND when there is none.
func (db *DB) User(ctx context.Context, name string) (User, error) {
	return userByName(ctx, db.read, name)
}

func userByName(ctx context.Context, q querier, name string) (User, error) {
	n, err := auth.NormalizeName(name)
	if err != nil {
		return User{}, err
	}
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE name = ?`, n))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, daihou.Errorf(daihou.ENOTFOUND, "no user %q: 'daihou user list' shows who there is", n)
	}
	return u, err
}

// Users returns every user, by name.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// NewUser is a user to add.
type NewUser struct {
	Name         string
	Roles        []auth.Role
	Scope        auth.Scope
	Officer      string // "" for the user's name
	PasswordHash string // auth.HashPassword's PHC string; "" for none
}

// AddUser adds a user, as the actor in ctx (who must manage users; the
// local operator may add the first one). ECONFLICT if the name (or the
// officer code) is taken.
func (db *DB) AddUser(ctx context.Context, nu NewUser) (User, error) {
	actor, err := auth.NewUser(nu.Name, nu.Roles, nu.Scope) // validates name, roles and scope
	if err != nil {
		return User{}, err
	}
	officer := strings.TrimSpace(nu.Officer)
	if officer == "" {
		officer = actor.Name()
	}
	if len(officer) > 64 {
		return User{}, daihou.Invalid("officer", "officer: at most 64 characters")
	}
	var u User
	err = db.inTx(ctx, func(t *wtx) error {
		if err := t.can(auth.ManageUsers, auth.System()); err != nil {
			return err
		}
		if _, err := userByName(ctx, t, actor.Name()); err == nil {
			return daihou.Errorf(daihou.ECONFLICT, "there is already a user %q: names compare without regard to case", actor.Name())
		} else if daihou.ErrorCode(err) != daihou.ENOTFOUND {
			return err
		}
		var holder string
		switch err := t.QueryRowContext(ctx, `SELECT name FROM users WHERE officer = ?`, officer).Scan(&holder); {
		case err == nil:
			return daihou.Errorf(daihou.ECONFLICT, "officer code %q is already %s's: each code belongs to one user", officer, holder)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		stamp := t.stamp()
		granted := FormatGrantedScope(actor.Granted())
		if err := t.QueryRowContext(ctx, `INSERT INTO users (name, roles, scope, officer, password, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?) RETURNING id`,
			actor.Name(), joinRoles(actor.Roles()), granted, officer, nu.PasswordHash, stamp, stamp).Scan(&u.ID); err != nil {
			return err
		}
		u = User{ID: u.ID, Name: actor.Name(), Roles: actor.Roles(), Scope: actor.Granted(), ScopeText: granted, Officer: officer, PasswordHash: nu.PasswordHash, CreatedAt: stamp, UpdatedAt: stamp}
		return t.audit(ctx, string(auth.ManageUsers), audit.Object("user", u.Name), audit.DigestFields(u.Name, joinRoles(u.Roles), granted, officer),
			fmt.Sprintf("user %s added: roles %s, scope %s, officer %s, password %s", u.Name, joinRoles(u.Roles), orNone(granted), officer, setOrNot(nu.PasswordHash != "")))
	})
	return u, err
}

// UserChange is a change to a user: each field that is not nil replaces
// the user's.
type UserChange struct {
	Roles        *[]auth.Role
	Scope        *auth.Scope
	Officer      *string
	PasswordHash *string
	Disabled     *bool
}

// UpdateUser changes the user named name, as the actor in ctx (who must
// manage users). Disabling a user also ends their sessions.
func (db *DB) UpdateUser(ctx context.Context, name string, c UserChange) (User, error) {
	var u User
	err := db.inTx(ctx, func(t *wtx) error {
		if err := t.can(auth.ManageUsers, auth.System()); err != nil {
			return err
		}
		var err error
		if u, err = userByName(ctx, t, name); err != nil {
			return err
		}
		var what []string
		if c.Roles != nil {
			u.Roles = *c.Roles
			what = append(what, "roles "+joinRoles(u.Roles))
		}
		if c.Scope != nil {
			u.Scope = *c.Scope
		}
		actor, err := auth.NewUser(u.Name, u.Roles, u.Scope) // validates roles and scope together
		if err != nil {
			return err
		}
		u.Roles, u.Scope = actor.Roles(), actor.Granted()
		if c.Scope != nil {
			u.ScopeText = FormatGrantedScope(u.Scope)
			what = append(what, "scope "+orNone(u.ScopeText))
		}
		if c.Officer != nil {
			o := strings.TrimSpace(*c.Officer)
			if o == "" {
				o = u.Name
			}
			if len(o) > 64 {
				return daihou.Invalid("officer", "officer: at most 64 characters")
			}
			var holder string
			switch err := t.QueryRowContext(ctx, `SELECT name FROM users WHERE officer = ? AND id <> ?`, o, u.ID).Scan(&holder); {
			case err == nil:
				return daihou.Errorf(daihou.ECONFLICT, "officer code %q is already %s's: each code belongs to one user", o, holder)
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			u.Officer = o
			what = append(what, "officer "+o)
		}
		if c.PasswordHash != nil {
			u.PasswordHash = *c.PasswordHash
			what = append(what, "password changed")
		}
		if c.Disabled != nil {
			u.Disabled = *c.Disabled
			if u.Disabled {
				what = append(what, "disabled")
			} else {
				what = append(what, "enabled")
			}
		}
		if len(what) == 0 {
			return nil
		}
		u.UpdatedAt = t.stamp()
		if _, err := t.ExecContext(ctx, `UPDATE users SET roles = ?, scope = ?, officer = ?, password = ?, disabled = ?, updated_at = ? WHERE id = ?`,
			joinRoles(u.Roles), u.ScopeText, u.Officer, u.PasswordHash, boolInt(u.Disabled), u.UpdatedAt, u.ID); err != nil {
			return err
		}
		if u.Disabled || c.PasswordHash != nil {
			// A disabled user, or one whose password changed, is logged
			// out everywhere.
			if _, err := t.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE kind = 'session' AND user_id = ? AND revoked_at = ''`, u.UpdatedAt, u.ID); err != nil {
				return err
			}
		}
		return t.audit(ctx, string(auth.ManageUsers), audit.Object("user", u.Name), audit.DigestFields(append([]string{u.Name}, what...)...),
			"user "+u.Name+": "+strings.Join(what, ", "))
	})
	return u, err
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func setOrNot(b bool) string {
	if b {
		return "set"
	}
	return "not set"
}

// UserActor returns the actor of the user named name, for a front end that
// was told who acts (the CLI's --as): EUNAUTHENTICATED when there is no
// such user or the user is disabled, without saying which.
func (db *DB) UserActor(ctx context.Context, name string) (auth.Actor, User, error) {
	u, err := db.User(ctx, name)
	if daihou.ErrorCode(err) == daihou.ENOTFOUND || daihou.ErrorCode(err) == daihou.EINVALID || err == nil && u.Disabled {
		return auth.Actor{}, User{}, daihou.Errorf(daihou.EUNAUTHENTICATED, "no enabled user %q in this book: an admin adds one with 'daihou user add'", inputtext.Clip(strings.TrimSpace(name), 64))
	}
	if err != nil {
		return auth.Actor{}, User{}, err
	}
	a, err := u.Actor()
	return a, u, err
}

// BusiestOfficer returns the officer code on the most loans ("" in an
// empty book): the demo gives it to its account manager.
func (db *DB) BusiestOfficer(ctx context.Context) (string, error) {
	var officer string
	err := db.read.QueryRowContext(ctx, `SELECT officer FROM loans WHERE officer <> '' GROUP BY officer ORDER BY COUNT(*) DESC, officer LIMIT 1`).Scan(&officer)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return officer, err
}
