package store

import (
	"context"

	"daihou"

	"daihou/auth"
	"daihou/civil"
)

// CollectorInfo is a person who works tasks as assignment sees them: the
// user's roles, officer code and whether they are disabled, with their
// working profile (Collector) — the defaults (capacity 100, any skill,
// any region) while none has been set (Set false).
type CollectorInfo struct {
	Collector
	Roles    []string `json:"roles"`
	Officer  string   `json:"officer"`
	Disabled bool     `json:"disabled"`
	Set      bool     `json:"set"`
}

// queueRoles are the roles whose queues take tasks (collection.Kind.Role).
var queueRoles = []string{string(auth.AccountManager), string(auth.Collector), string(auth.Legal), string(auth.RiskOfficer)}

// Collectors returns everyone who works tasks — every user with a role
// whose queue takes tasks, or with a working profile — by name, as the
// actor in ctx, who must be allowed to assign collection work (a
// manager), to set profiles (an admin) or to read users (an auditor).
func (db *DB) Collectors(ctx context.Context) ([]CollectorInfo, error) {
	if err := canAny(auth.FromContext(ctx), []auth.Action{auth.AssignCollection, auth.ManageUsers, auth.ReadUsers}); err != nil {
		return nil, err
	}
	all, err := readCollectors(ctx, db.read)
	if err != nil {
		return nil, err
	}
	out := []CollectorInfo{}
	for _, c := range all {
		if c.Set || worksQueue(c.Roles) {
			out = append(out, c)
		}
	}
	return out, nil
}

// readCollectors reads every user with their working profile: what the
// list shows and what close of business assigns by (roster).
func readCollectors(ctx context.Context, q querier) ([]CollectorInfo, error) {
	rows, err := q.QueryContext(ctx, `SELECT u.name, u.officer, u.roles, u.disabled, CASE WHEN c.name IS NULL THEN 0 ELSE 1 END, COALESCE(c.team, ''), COALESCE(c.capacity, 100),
		COALESCE(c.skills, ''), COALESCE(c.regions, ''), COALESCE(c.absent_from, 0), COALESCE(c.absent_until, 0)
		FROM users u LEFT JOIN collectors c ON c.name = u.name ORDER BY u.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CollectorInfo
	for rows.Next() {
		var c CollectorInfo
		var roles, skills, regions string
		var disabled, set int
		var from, until int64
		if err := rows.Scan(&c.Name, &c.Officer, &roles, &disabled, &set, &c.Team, &c.Capacity, &skills, &regions, &from, &until); err != nil {
			return nil, err
		}
		c.Roles, c.Disabled, c.Set = splitList(roles), disabled != 0, set != 0
		c.Skills, c.Regions = orEmpty(splitList(skills)), orEmpty(splitList(regions))
		c.AbsentFrom, c.AbsentUntil = civil.Date(from), civil.Date(until)
		out = append(out, c)
	}
	return out, rows.Err()
}

func worksQueue(roles []string) bool {
	for _, r := range roles {
		for _, q := range queueRoles {
			if r == q {
				return true
			}
		}
	}
	return false
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Agency is an outsourcing agency (委外催收机构) as PutAgency keeps it.
type Agency struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Active    bool   `json:"active"`
	UpdatedBy string `json:"updated_by"`
	UpdatedAt string `json:"updated_at"`
}

// Agencies returns the agencies by code, as the actor in ctx, who must
// be allowed to assign collection work (a manager) or to read the
// configuration.
func (db *DB) Agencies(ctx context.Context) ([]Agency, error) {
	if err := canAny(auth.FromContext(ctx), []auth.Action{auth.AssignCollection, auth.ReadConfig}); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT code, name, active, updated_by, updated_at FROM agencies ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Agency{}
	for rows.Next() {
		var a Agency
		var active int
		if err := rows.Scan(&a.Code, &a.Name, &active, &a.UpdatedBy, &a.UpdatedAt); err != nil {
			return nil, err
		}
		a.Active = active != 0
		out = append(out, a)
	}
	return out, rows.Err()
}

// canAny lets actor through when any of actions is allowed on what it
// applies to — the system, the whole book, or every loan for an action on
// loans (a manager's assigning) — and returns the first refusal otherwise.
func canAny(actor auth.Actor, actions []auth.Action) error {
	var first error
	for _, a := range actions {
		var err error
		switch a.Target() {
		case auth.ResourceSystem:
			err = auth.Can(actor, a, auth.System()).Err()
		case auth.ResourceBook:
			err = auth.Can(actor, a, auth.Book()).Err()
		default:
			if !auth.ScopeFor(actor, a).All {
				err = daihou.Errorf(daihou.EUNAUTHORIZED, "%s may not %s on every loan", actor, a)
			}
		}
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return first
}
