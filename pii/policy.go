package pii

import "daihou/auth"

// View is how a field is shown.
type View int

// The views. The zero View is Masked, so a forgotten entry fails closed.
const (
	Masked View = iota
	Plain
)

func (v View) String() string {
	if v == Plain {
		return "plain"
	}
	return "masked"
}

// Policy says, per role and field, which fields are shown plain; every
// pair it does not name is masked. A role that is not in it, a field that
// is not in it, and a nil Policy all mask.
type Policy map[auth.Role]map[Field]View

// DefaultPolicy returns daihou's policy: a borrower's name is plain to the
// people who speak to the borrower — the account manager, the collector,
// the lawyer — and everything else is masked for everyone. An ID number,
// a phone or an address is seen plain only through auth.RevealPersonalData,
// one audited reveal at a time, by the roles the matrix grants it (account
// manager and legal); the dialer calls a number without showing it.
func DefaultPolicy() Policy {
	return Policy{
		auth.AccountManager: {Name: Plain},
		auth.Collector:      {Name: Plain},
		auth.Legal:          {Name: Plain},
	}
}

// View returns how field f is shown to an actor holding roles: Plain if
// any role sees it plain, Masked otherwise.
func (p Policy) View(roles []auth.Role, f Field) View {
	for _, r := range roles {
		if p[r][f] == Plain {
			return Plain
		}
	}
	return Masked
}

// Show returns value as an actor holding roles sees field f: as it is, or
// masked.
func (p Policy) Show(roles []auth.Role, f Field, value string) string {
	if p.View(roles, f) == Plain {
		return value
	}
	return Mask(f, value)
}
