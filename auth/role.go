package auth

import (
	"errors"
	"slices"
	"strings"

	"daihou"
)

// Role is what a user or a token is for. A role grants actions (matrix.go)
// and, with the actor's name, a scope of loans (scopeOf).
type Role string

// The roles of people and integrations; an admin gives them to users and
// tokens.
const (
	// AccountManager (贷后专员/客户经理) owns a book of loans as their
	// officer: visits, checks, servicing.
	AccountManager Role = "account-manager"
	// Collector (催收员) works the collection tasks of the loans assigned
	// to them.
	Collector Role = "collector"
	// RiskOfficer (风控) tunes rules, strategies and models and decides
	// classification changes.
	RiskOfficer Role = "risk-officer"
	// Legal (法务) handles litigation, asset preservation (诉讼保全) and the
	// recovery of written-off loans assigned to them.
	Legal Role = "legal"
	// Manager (管理层) reads dashboards and KPIs, assigns work and decides
	// the proposals that need management's signature.
	Manager Role = "manager"
	// Auditor (审计) reads everything, changes nothing and verifies the
	// audit trail.
	Auditor Role = "auditor"
	// Admin manages users, tokens, products, configuration and keys and
	// runs the machinery (imports, close of business), but reads no loan.
	Admin Role = "admin"
	// Integration is the role of API tokens for core banking, payment
	// channels and data vendors.
	Integration Role = "integration"
)

// The roles of system actors. No user or token can hold them: they exist
// so that the matrix also says what close of business, an automated import
// and a webhook source may do.
const (
	// SystemEOD is close of business (日终批处理).
	SystemEOD Role = "system-eod"
	// SystemImport is an import that runs without a person, e.g. a file
	// dropped by core banking.
	SystemImport Role = "system-import"
	// SystemWebhook is a webhook source whose signature was checked: a
	// payment channel or a data vendor.
	SystemWebhook Role = "system-webhook"
)

// ErrUnknownRole is returned (inside a daihou.Error with code EINVALID) by
// ParseRole for a name that is not a role, and for a system role given to a
// user or a token.
var ErrUnknownRole = errors.New("unknown role")

// Roles returns the roles that can be given to users and tokens, in the
// order of the matrix's columns.
func Roles() []Role {
	return []Role{AccountManager, Collector, RiskOfficer, Legal, Manager, Auditor, Admin, Integration}
}

// systemRoles are the roles of system actors, in the order of the matrix's
// columns after Roles.
var systemRoles = []Role{SystemEOD, SystemImport, SystemWebhook}

// IsSystem reports whether r belongs to system actors only.
func (r Role) IsSystem() bool { return slices.Contains(systemRoles, r) }

// Valid reports whether r is one of the roles daihou knows, system roles
// included.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) || r.IsSystem() }

// ParseRole returns the role named s (surrounding space and case ignored),
// for a user or a token: system roles are refused.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Roles(), r) {
		return r, nil
	}
	if r.IsSystem() {
		return "", daihou.Errorf(daihou.EINVALID, "%w: %q belongs to system actors and cannot be given to a user or a token; want one of %s", ErrUnknownRole, s, roleList())
	}
	return "", daihou.Errorf(daihou.EINVALID, "%w %q: want one of %s", ErrUnknownRole, s, roleList())
}

func roleList() string {
	names := make([]string, 0, len(Roles()))
	for _, r := range Roles() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}
