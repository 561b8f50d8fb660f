package auth

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"daihou"
)

// ActorKind says what kind of actor acts.
type ActorKind string

// The kinds of actor.
const (
	// KindUser is a person logged in to the console or named by the CLI's
	// --as.
	KindUser ActorKind = "user"
	// KindToken is an API token acting with its own roles and scope.
	KindToken ActorKind = "token"
	// KindSystem is a named part of daihou acting on its own: close of
	// business, an automated import, a webhook source.
	KindSystem ActorKind = "system"
	// KindLocal is the operator at the database of a book that has no
	// users yet.
	KindLocal ActorKind = "local"
)

// Actor is who acts. Build one with NewUser, NewToken, EOD, Import, Webhook
// or Local; the zero Actor is no one and Can denies it everything.
type Actor struct {
	kind  ActorKind
	name  string
	roles []Role
	scope Scope // granted by an admin: All or Branches
}

// ErrInvalidActor is returned (inside a daihou.Error with code EINVALID)
// by the constructors for an actor that cannot exist: a bad name, no role,
// a system role given to a person, a bad scope.
var ErrInvalidActor = errors.New("invalid actor")

// NewUser returns the actor for a user, from what the store keeps: the
// name, the roles and the scope an admin granted beyond the roles' own
// (every loan, or whole branches). The granted scope cannot name an
// officer or an assignee: those follow from the roles.
func NewUser(name string, roles []Role, granted Scope) (Actor, error) {
	return newPrincipal(KindUser, name, roles, granted)
}

// NewToken returns the actor for an API token, named for what it is for
// (e.g. core-banking, dialer-01), with its roles and scope. A token cannot
// be an admin: a leaked token must never be able to create users or more
// tokens.
func NewToken(name string, roles []Role, granted Scope) (Actor, error) {
	a, err := newPrincipal(KindToken, name, roles, granted)
	if err == nil && a.Has(Admin) {
		return Actor{}, daihou.Errorf(daihou.EINVALID, "%w: token %s cannot hold the admin role; issue it a narrower role such as integration", ErrInvalidActor, a.name)
	}
	return a, err
}

func newPrincipal(kind ActorKind, name string, roles []Role, granted Scope) (Actor, error) {
	n, err := NormalizeName(name)
	if err != nil {
		return Actor{}, err
	}
	if len(roles) == 0 {
		return Actor{}, daihou.Errorf(daihou.EINVALID, "%w: %s %s has no role; give it at least one of %s", ErrInvalidActor, kind, n, roleList())
	}
	var rs []Role
	for _, r := range roles {
		r, err := ParseRole(string(r))
		if err != nil {
			return Actor{}, fmt.Errorf("%s %s: %w", kind, n, err)
		}
		if !slices.Contains(rs, r) {
			rs = append(rs, r)
		}
	}
	if granted.Officer != "" || granted.Assigned != "" {
		return Actor{}, daihou.Errorf(daihou.EINVALID, "%w: %s %s: a granted scope names every loan or branches; officer and assignee scopes follow from the roles", ErrInvalidActor, kind, n)
	}
	s := Scope{All: granted.All}
	if !s.All {
		for _, b := range granted.Branches {
			b = strings.TrimSpace(b)
			if b == "" {
				return Actor{}, daihou.Errorf(daihou.EINVALID, "%w: %s %s: a granted branch is empty", ErrInvalidActor, kind, n)
			}
			if !slices.Contains(s.Branches, b) {
				s.Branches = append(s.Branches, b)
			}
		}
	}
	return Actor{kind: kind, name: n, roles: rs, scope: s}, nil
}

// EOD returns the system actor for close of business (日终).
func EOD() Actor { return systemActor("eod", SystemEOD) }

// Import returns the system actor for an import that runs without a
// person, named for its feed (e.g. core-banking); an empty feed gives the
// plain import actor.
func Import(feed string) (Actor, error) {
	if feed == "" {
		return systemActor("import", SystemImport), nil
	}
	f, err := NormalizeName(feed)
	if err != nil {
		return Actor{}, fmt.Errorf("import feed: %w", err)
	}
	return systemActor("import:"+f, SystemImport), nil
}

// Webhook returns the system actor for a webhook source (a payment channel,
// a data vendor) whose signature the caller has checked.
func Webhook(source string) (Actor, error) {
	s, err := NormalizeName(source)
	if err != nil {
		return Actor{}, fmt.Errorf("webhook source: %w", err)
	}
	return systemActor("webhook:"+s, SystemWebhook), nil
}

func systemActor(name string, role Role) Actor {
	return Actor{kind: KindSystem, name: name, roles: []Role{role}, scope: AllLoans()}
}

// Local returns the operator at the database of a book without users. Can
// allows it everything (see the package documentation); a front end must
// offer it only while the book has no user.
func Local() Actor { return Actor{kind: KindLocal, name: "local"} }

// Kind returns what kind of actor a is; "" for the zero Actor.
func (a Actor) Kind() ActorKind { return a.kind }

// Name returns the actor's normalised name: a user's or a token's name, the
// system actor's name (eod, import:core-banking, webhook:unionpay), or
// "local".
func (a Actor) Name() string { return a.name }

// Roles returns the actor's roles.
func (a Actor) Roles() []Role { return slices.Clone(a.roles) }

// Has reports whether a holds role r.
func (a Actor) Has(r Role) bool { return slices.Contains(a.roles, r) }

// Granted returns the scope an admin granted a beyond its roles' own.
func (a Actor) Granted() Scope {
	s := a.scope
	s.Branches = slices.Clone(s.Branches)
	return s
}

// IsZero reports whether a is the zero Actor, no one.
func (a Actor) IsZero() bool { return a.kind == "" }

// String returns what the audit trail records for a: user:alice,
// token:core-banking, system:eod, system:webhook:unionpay, local.
func (a Actor) String() string {
	switch a.kind {
	case "":
		return "nobody"
	case KindLocal:
		return "local"
	}
	return string(a.kind) + ":" + a.name
}
