package auth

import (
	"fmt"
	"slices"
	"strings"
)

// ResourceKind says what an action applies to.
type ResourceKind string

// The kinds of resource.
const (
	// ResourceLoan is one loan, described by its attributes.
	ResourceLoan ResourceKind = "loan"
	// ResourceBook is the whole book of loans: imports, close of business,
	// reports, models, rules, the audit trail.
	ResourceBook ResourceKind = "book"
	// ResourceSystem is the system itself: users, tokens, products,
	// configuration, keys. It holds no loan data.
	ResourceSystem ResourceKind = "system"
)

// Resource describes what an action is taken on, by the plain attributes
// that decide scope, so that Can needs no storage.
type Resource struct {
	Kind ResourceKind
	// LoanID names the loan in reasons; it plays no part in the decision.
	LoanID int64
	// Branch is the loan's branch (网点/支行) code.
	Branch string
	// Officer is the user name of the loan's officer (贷后管家).
	Officer string
	// Assignees are the user names the loan's collection or legal work is
	// assigned to.
	Assignees []string
}

// Loan returns the resource for one loan.
func Loan(id int64, branch, officer string, assignees ...string) Resource {
	return Resource{Kind: ResourceLoan, LoanID: id, Branch: branch, Officer: officer, Assignees: assignees}
}

// Book is the resource of actions on the whole book.
func Book() Resource { return Resource{Kind: ResourceBook} }

// System is the resource of actions on the system itself.
func System() Resource { return Resource{Kind: ResourceSystem} }

func (r Resource) String() string {
	if r.Kind != ResourceLoan {
		return string(r.Kind)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "loan %d", r.LoanID)
	var parts []string
	if r.Branch != "" {
		parts = append(parts, "branch "+r.Branch)
	}
	if r.Officer != "" {
		parts = append(parts, "officer "+r.Officer)
	}
	if len(r.Assignees) > 0 {
		parts = append(parts, "assigned to "+strings.Join(r.Assignees, ", "))
	}
	if len(parts) > 0 {
		b.WriteString(" (" + strings.Join(parts, "; ") + ")")
	}
	return b.String()
}

// Scope is the set of loans an actor may see and act on, for one action. A
// loan is in it when any part holds: All, its branch is one of Branches,
// its officer is Officer, or it is assigned to Assigned. The zero Scope
// holds no loan.
//
// The fields are what a store needs to filter in SQL:
//
//	All                  no filter
//	Branches             branch IN (…)
//	Officer              officer = ?
//	Assigned             EXISTS (an assignment of the loan to ?)
//
// joined with OR. Officer and Assigned are normalised user names
// (NormalizeName); the store should keep officers and assignees normalised
// the same way, and Contains compares them ignoring ASCII case in case it
// does not.
type Scope struct {
	All      bool
	Branches []string
	Officer  string
	Assigned string
}

// AllLoans is the scope of every loan.
func AllLoans() Scope { return Scope{All: true} }

// IsEmpty reports whether s holds no loan at all.
func (s Scope) IsEmpty() bool {
	return !s.All && len(s.Branches) == 0 && s.Officer == "" && s.Assigned == ""
}

// Contains reports whether the loan r is in s. Only loans are ever in a
// scope; a Book or System resource is in none (Can decides those by role).
func (s Scope) Contains(r Resource) bool {
	if r.Kind != ResourceLoan {
		return false
	}
	if s.All {
		return true
	}
	if r.Branch != "" && slices.Contains(s.Branches, r.Branch) {
		return true
	}
	if s.Officer != "" && sameName(r.Officer, s.Officer) {
		return true
	}
	if s.Assigned != "" {
		for _, a := range r.Assignees {
			if sameName(a, s.Assigned) {
				return true
			}
		}
	}
	return false
}

// union returns the loans in s or t.
func (s Scope) union(t Scope) Scope {
	u := Scope{All: s.All || t.All, Officer: s.Officer, Assigned: s.Assigned}
	if u.Officer == "" {
		u.Officer = t.Officer
	}
	if u.Assigned == "" {
		u.Assigned = t.Assigned
	}
	if u.All {
		return Scope{All: true}
	}
	u.Branches = slices.Clone(s.Branches)
	for _, b := range t.Branches {
		if !slices.Contains(u.Branches, b) {
			u.Branches = append(u.Branches, b)
		}
	}
	return u
}

// String describes s for reasons and screens, e.g. "loans of branches
// 0101, 0102 or whose officer is li.si".
func (s Scope) String() string {
	if s.All {
		return "every loan"
	}
	var parts []string
	if len(s.Branches) == 1 {
		parts = append(parts, "of branch "+s.Branches[0])
	} else if len(s.Branches) > 1 {
		parts = append(parts, "of branches "+strings.Join(s.Branches, ", "))
	}
	if s.Officer != "" {
		parts = append(parts, "whose officer is "+s.Officer)
	}
	if s.Assigned != "" {
		parts = append(parts, "assigned to "+s.Assigned)
	}
	if len(parts) == 0 {
		return "no loan"
	}
	return "loans " + strings.Join(parts, " or ")
}

// sameName compares two user names as NormalizeName would fold them:
// surrounding space ignored, ASCII case ignored. Non-ASCII letters are
// compared exactly, because valid user names have none and Unicode case
// folding would make the Kelvin sign K equal to k.
func sameName(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
