package collection

import (
	"hash/fnv"
	"math"
	"slices"
	"strconv"

	"daihou/civil"
	"daihou/servicing"
)

// Member is a person who works tasks, as assignment sees them: the roles
// they hold, their officer code (loans.officer: the loans they own as
// dedicated officer, 贷后管家), team, capacity (their share of new work),
// skills (the kinds they take; none: any), regions (none: any) and an
// absence (inclusive business dates).
type Member struct {
	Name        string
	Officer     string
	Team        string
	Roles       []string
	Capacity    int
	Skills      []Kind
	Regions     []string
	AbsentFrom  civil.Date
	AbsentUntil civil.Date
	Disabled    bool
}

// Available reports whether m can take new work on date: present, and
// with a capacity above 0.
func (m *Member) Available(date civil.Date) bool { return m.Capacity > 0 && m.present(date) }

// present reports whether m is at work on date: not disabled, not away.
// A member present with capacity 0 keeps the loans in their queue and is
// given no others.
func (m *Member) present(date civil.Date) bool {
	if m.Disabled {
		return false
	}
	return m.AbsentFrom == 0 || date.Before(m.AbsentFrom) || (m.AbsentUntil != 0 && date.After(m.AbsentUntil))
}

func (m *Member) takes(role string, k Kind) bool {
	return slices.Contains(m.Roles, role) && (len(m.Skills) == 0 || slices.Contains(m.Skills, k))
}

func (m *Member) covers(region string) bool {
	return len(m.Regions) == 0 || slices.Contains(m.Regions, region)
}

// Roster is who works tasks on a date, and the agencies engaged.
type Roster struct {
	members   []*Member
	byName    map[string]*Member
	byOfficer map[string]*Member
	agencies  []string
}

// NewRoster returns the roster of members, with the active outsourcing
// agencies' codes.
func NewRoster(members []Member, agencies []string) *Roster {
	r := &Roster{byName: map[string]*Member{}, byOfficer: map[string]*Member{}, agencies: slices.Sorted(slices.Values(agencies))}
	for i := range members {
		m := &members[i]
		r.members = append(r.members, m)
		r.byName[m.Name] = m
		if m.Officer != "" {
			r.byOfficer[m.Officer] = m
		}
	}
	return r
}

// Available reports whether the assignee name can hold work on date: a
// member at work then (whatever their capacity), or an agency engaged.
func (r *Roster) Available(name string, date civil.Date) bool {
	if name == "" {
		return false
	}
	if code, ok := agencyCode(name); ok {
		return slices.Contains(r.agencies, code)
	}
	m := r.byName[name]
	return m != nil && m.present(date)
}

// TeamOf returns the team of the member name, "" when none.
func (r *Roster) TeamOf(name string) string {
	if m := r.byName[name]; m != nil {
		return m.Team
	}
	return ""
}

// AgencyPrefix marks an assignee that is an outsourcing agency.
const AgencyPrefix = "agency:"

func agencyCode(name string) (string, bool) {
	if len(name) > len(AgencyPrefix) && name[:len(AgencyPrefix)] == AgencyPrefix {
		return name[len(AgencyPrefix):], true
	}
	return "", false
}

// Assign returns who takes task t on loan l on date: nobody for an automated
// task; for an account manager's task the loan's dedicated officer
// (贷后管家) while they are available; for an agency's an engaged agency;
// otherwise a member with the task's role and skill, preferring those who
// cover the loan's region, chosen by capacity-weighted rendezvous hashing
// of the loan: the same loan goes to the same person every day while the
// roster holds, each person's share of loans is proportional to their
// capacity, a person leaving moves only their loans, and the choice needs
// no counter shared between the processes of close of business. "" when
// nobody can take it: the task waits in its team's queue.
func (r *Roster) Assign(t *Task, l *servicing.Loan, date civil.Date) string {
	role := t.Kind.Role()
	switch role {
	case "":
		return ""
	case "agency":
		best, bestScore := "", math.Inf(-1)
		for _, a := range r.agencies {
			if s := rendezvous(a, l.ID, 1); s > bestScore {
				best, bestScore = a, s
			}
		}
		if best == "" {
			return ""
		}
		return AgencyPrefix + best
	case "account-manager":
		if m := r.byOfficer[l.Officer]; m != nil && m.Available(date) && m.takes(role, t.Kind) {
			return m.Name
		}
	}
	best, bestScore, bestLocal := "", math.Inf(-1), false
	for _, m := range r.members {
		if !m.Available(date) || !m.takes(role, t.Kind) {
			continue
		}
		local := m.covers(l.Region)
		if bestLocal && !local {
			continue
		}
		s := rendezvous(m.Name, l.ID, m.Capacity)
		if (local && !bestLocal) || s > bestScore {
			best, bestScore, bestLocal = m.Name, s, local
		}
	}
	return best
}

// Prefer returns the first of names — the people whose queue already
// holds the loan (an assignment by a manager, or an earlier task's) —
// who is available on date and takes task t, "" when none is: work on a
// loan stays with the person who has it.
func (r *Roster) Prefer(names []string, t *Task, date civil.Date) string {
	role := t.Kind.Role()
	for _, n := range names {
		if m := r.byName[n]; m != nil && m.present(date) && m.takes(role, t.Kind) {
			return n
		}
	}
	return ""
}

// rendezvous is the weighted rendezvous (highest random weight) score of
// name for loan: −w / ln(u) with u uniform in (0, 1) from a hash of both,
// whose maximum over names falls on each name with probability
// proportional to its weight.
func rendezvous(name string, loan int64, weight int) float64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write(strconv.AppendInt(nil, loan, 10))
	x := h.Sum64()
	// fnv's low bits mix poorly over short inputs: finish with a
	// splitmix64 round.
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	u := (float64(x>>11) + 0.5) / (1 << 53)
	return -float64(weight) / math.Log(u)
}
