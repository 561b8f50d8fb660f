package auth

import (
	"errors"
	"fmt"
	"strings"

	"daihou"
)

// Decision is Can's answer: whether the action is allowed and the rule that
// decided, for the log of denials (and of allowed reveals).
type Decision struct {
	Allowed bool
	// Reason names the rule that decided, e.g. "allow: role collector
	// grants collection.record on loans assigned to zhang.san", or "deny:
	// user:bob holds no role that grants writeoff.decide (roles:
	// collector); it is granted to manager". It may name the loan's branch,
	// officer and assignees: it is for the log, not for the screen.
	Reason string
	// Role is the role that granted the action; "" when denied or when the
	// actor is Local.
	Role Role

	actor  Actor
	action Action
}

// ErrDenied is in the chain of Decision.Err for every denial.
var ErrDenied = errors.New("not allowed")

// Err returns nil when d allows, and otherwise a daihou.Error with code
// EUNAUTHORIZED wrapping ErrDenied, whose message says what was refused
// without the loan's attributes (Reason has those, for the log).
func (d Decision) Err() error {
	if d.Allowed {
		return nil
	}
	if d.action == "" || !d.action.Valid() {
		return daihou.Errorf(daihou.EUNAUTHORIZED, "%w: %s", ErrDenied, strings.TrimPrefix(d.Reason, "deny: "))
	}
	return daihou.Errorf(daihou.EUNAUTHORIZED, "%w: %s may not %s here; an admin can grant a role that allows it (%s)",
		ErrDenied, d.actor, d.action, rolesOrNone(GrantedTo(d.action)))
}

func allow(a Actor, act Action, r Role, format string, args ...any) Decision {
	return Decision{Allowed: true, Reason: "allow: " + fmt.Sprintf(format, args...), Role: r, actor: a, action: act}
}

func deny(a Actor, act Action, format string, args ...any) Decision {
	return Decision{Reason: "deny: " + fmt.Sprintf(format, args...), actor: a, action: act}
}

// Can decides whether actor may take action on resource. It is the one
// authorisation function: every front end calls it before it acts. It
// denies by default: the zero Actor, an unknown action, a resource of the
// wrong kind, an action no role of the actor grants, and a loan outside
// every granting role's scope are all denied.
//
// An action on a loan is allowed when some role of the actor grants it and
// that role's scope (scopeOf) contains the loan. An action on the book is
// allowed when a granting role sees every loan. An action on the system is
// allowed when a role grants it.
func Can(actor Actor, action Action, resource Resource) Decision {
	if actor.IsZero() {
		return deny(actor, action, "no actor: every action needs a user, a token or a system actor")
	}
	g := grantOf(action)
	if g == nil {
		return deny(actor, action, "unknown action %q", action)
	}
	if resource.Kind != g.target {
		return deny(actor, action, "%s applies to a %s, and was asked about a %s", action, g.target, kindOrNone(resource.Kind))
	}
	if actor.kind == KindLocal {
		return allow(actor, action, "", "local operator of a book with no users may %s", action)
	}
	var granting []Role
	for _, r := range actor.roles {
		if Granted(r, action) {
			granting = append(granting, r)
		}
	}
	if len(granting) == 0 {
		return deny(actor, action, "%s holds no role that grants %s (roles: %s); it is granted to %s",
			actor, action, rolesOrNone(actor.roles), rolesOrNone(g.roles))
	}
	switch g.target {
	case ResourceSystem:
		return allow(actor, action, granting[0], "role %s grants %s", granting[0], action)
	case ResourceBook:
		for _, r := range granting {
			if scopeOf(actor, r).All {
				return allow(actor, action, r, "role %s grants %s on the whole book", r, action)
			}
		}
		return deny(actor, action, "%s covers the whole book and %s sees only part of it (%s)", action, actor, describeScopes(actor, granting))
	}
	for _, r := range granting {
		s := scopeOf(actor, r)
		if s.Contains(resource) {
			return allow(actor, action, r, "role %s grants %s on %s, which holds %s", r, action, s, resource)
		}
	}
	return deny(actor, action, "%s is outside the scope of %s for %s (%s)", resource, actor, action, describeScopes(actor, granting))
}

// ScopeFor returns the loans on which actor may take action: the union of
// the scopes of the actor's roles that grant it. It is empty for an action
// no role grants, an unknown action, and an action on the system. The store
// turns it into a WHERE clause for lists, so that a list shows exactly the
// loans Can would allow one by one.
func ScopeFor(actor Actor, action Action) Scope {
	g := grantOf(action)
	if actor.IsZero() || g == nil || g.target == ResourceSystem {
		return Scope{}
	}
	if actor.kind == KindLocal {
		return AllLoans()
	}
	var s Scope
	for _, r := range actor.roles {
		if Granted(r, action) {
			s = s.union(scopeOf(actor, r))
		}
	}
	if g.target == ResourceBook && !s.All {
		return Scope{}
	}
	return s
}

// scopeOf is the scope role r gives actor a: every loan for the roles that
// oversee the book, the actor's own loans (as officer or assignee) for the
// roles that work them, widened by what an admin granted.
func scopeOf(a Actor, r Role) Scope {
	switch r {
	case RiskOfficer, Manager, Auditor, Admin, SystemEOD, SystemImport, SystemWebhook:
		return AllLoans()
	case AccountManager:
		return Scope{Officer: a.name}.union(a.scope)
	case Collector, Legal:
		return Scope{Assigned: a.name}.union(a.scope)
	case Integration:
		return a.Granted()
	}
	return Scope{}
}

func describeScopes(a Actor, roles []Role) string {
	parts := make([]string, len(roles))
	for i, r := range roles {
		parts[i] = fmt.Sprintf("%s: %s", r, scopeOf(a, r))
	}
	return strings.Join(parts, "; ")
}

func rolesOrNone(rs []Role) string {
	if len(rs) == 0 {
		return "none"
	}
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func kindOrNone(k ResourceKind) string {
	if k == "" {
		return "resource of no kind"
	}
	return string(k)
}
