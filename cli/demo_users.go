package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"text/tabwriter"

	"daihou/auth"
	"daihou/store"
)

// demoLogin is one of the demo's users, with the password it was given.
type demoLogin struct {
	Name, Password string
	Role           auth.Role
	what           string // what the role does, for the table
}

// demoRoles are the demo's users: one for each role a lender's staff
// has, so that each can be tried in the console.
var demoRoles = []demoLogin{
	{Name: "admin", Role: auth.Admin, what: "users, tokens, configuration 用户与配置"},
	{Name: "manager", Role: auth.Manager, what: "dashboards, approvals 管理看板、审批"},
	{Name: "risk", Role: auth.RiskOfficer, what: "asset quality, rules, overrides 资产质量、预警规则"},
	{Name: "officer", Role: auth.AccountManager, what: "own loans, inspections 客户经理"},
	{Name: "collector", Role: auth.Collector, what: "today's queue, promises to pay 催收员"},
	{Name: "legal", Role: auth.Legal, what: "cases 法务"},
	{Name: "auditor", Role: auth.Auditor, what: "read-only, the audit trail 审计"},
}

// addDemoUsers gives the demo book a user of every role with a fresh
// password each, a collector profile for the collector (so close of
// business assigns them work) and the book's busiest officer code to the
// account manager, and returns the logins and a context acting as the
// admin.
func addDemoUsers(ctx context.Context, s *store.DB) ([]demoLogin, context.Context, error) {
	officer, err := s.BusiestOfficer(ctx)
	if err != nil {
		return nil, nil, err
	}
	admin := ctx
	var out []demoLogin
	for i, d := range demoRoles {
		var b [6]byte
		rand.Read(b[:])
		d.Password = "Demo-" + hex.EncodeToString(b[:])
		h, err := auth.HashPassword(d.Password, auth.DefaultParams)
		if err != nil {
			return nil, nil, err
		}
		nu := store.NewUser{Name: d.Name, Roles: []auth.Role{d.Role}, PasswordHash: h}
		if d.Role == auth.AccountManager {
			nu.Officer = officer
		}
		if _, err := s.AddUser(admin, nu); err != nil {
			return nil, nil, err
		}
		if i == 0 {
			a, _, err := s.UserActor(ctx, d.Name)
			if err != nil {
				return nil, nil, err
			}
			admin = auth.NewContext(ctx, a)
		}
		if d.Role == auth.Collector {
			if err := s.PutCollector(admin, store.Collector{Name: d.Name, Team: "A", Capacity: 200}); err != nil {
				return nil, nil, err
			}
		}
		out = append(out, d)
	}
	return out, admin, nil
}

// printLogins writes the demo's logins as a table.
func printLogins(w io.Writer, url string, logins []demoLogin) {
	fmt.Fprintf(w, "\nThe console 控制台: %s/console/   (Ctrl-C stops it; the book stays for every other command)\n\n", url)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "user\tpassword\trole\tfor")
	for _, l := range logins {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Name, l.Password, l.Role, l.what)
	}
	tw.Flush()
}
