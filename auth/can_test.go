package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"daihou"
	"daihou/auth"
)

func mustUser(tb testing.TB, name string, roles []auth.Role, granted auth.Scope) auth.Actor {
	tb.Helper()
	a, err := auth.NewUser(name, roles, granted)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func mustToken(tb testing.TB, name string, roles []auth.Role, granted auth.Scope) auth.Actor {
	tb.Helper()
	a, err := auth.NewToken(name, roles, granted)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func roles(rs ...auth.Role) []auth.Role { return rs }

func TestCan(t *testing.T) {
	var (
		alice   = mustUser(t, "alice", roles(auth.AccountManager), auth.Scope{})
		head    = mustUser(t, "head.0101", roles(auth.AccountManager), auth.Scope{Branches: []string{"0101"}})
		zhang   = mustUser(t, "zhang.san", roles(auth.Collector), auth.Scope{})
		risk    = mustUser(t, "risk.li", roles(auth.RiskOfficer), auth.Scope{})
		lawyer  = mustUser(t, "wang.lawyer", roles(auth.Legal), auth.Scope{})
		boss    = mustUser(t, "boss", roles(auth.Manager), auth.Scope{})
		audit   = mustUser(t, "auditor.zhao", roles(auth.Auditor), auth.Scope{})
		admin   = mustUser(t, "root.admin", roles(auth.Admin), auth.Scope{})
		both    = mustUser(t, "mixed", roles(auth.Manager, auth.Collector), auth.Scope{})
		core    = mustToken(t, "core-banking", roles(auth.Integration), auth.AllLoans())
		branchT = mustToken(t, "branch-feed", roles(auth.Integration), auth.Scope{Branches: []string{"0202"}})
		dialer  = mustToken(t, "dialer", roles(auth.Collector), auth.Scope{})
		eod     = auth.EOD()
	)
	hook, err := auth.Webhook("unionpay")
	if err != nil {
		t.Fatal(err)
	}
	imp, err := auth.Import("core-banking")
	if err != nil {
		t.Fatal(err)
	}
	ownLoan := auth.Loan(42, "0101", "alice", "zhang.san")
	otherLoan := auth.Loan(43, "0202", "bob", "li.si")
	shoutyLoan := auth.Loan(44, "0303", " ALICE ", "Zhang.San", "wang.lawyer")

	tests := []struct {
		name     string
		actor    auth.Actor
		action   auth.Action
		resource auth.Resource
		want     bool
		reason   string // a part of the reason
	}{
		{"nobody", auth.Actor{}, auth.ReadLoan, ownLoan, false, "no actor"},
		{"unknown action", boss, "loan.delete", ownLoan, false, `unknown action "loan.delete"`},
		{"empty action", boss, "", ownLoan, false, "unknown action"},
		{"loan action on the book", boss, auth.ReadLoan, auth.Book(), false, "applies to a loan"},
		{"book action on a loan", boss, auth.ReadReport, ownLoan, false, "applies to a book"},
		{"resource without kind", boss, auth.ReadLoan, auth.Resource{}, false, "resource of no kind"},

		{"officer reads own loan", alice, auth.ReadLoan, ownLoan, true, "whose officer is alice"},
		{"officer compared ignoring case and space", alice, auth.ReadLoan, shoutyLoan, true, "role account-manager"},
		{"officer reads another's loan", alice, auth.ReadLoan, otherLoan, false, "outside the scope of user:alice"},
		{"officer posts a repayment", alice, auth.PostRepayment, ownLoan, true, ""},
		{"officer cannot post a write-off", alice, auth.PostWriteOff, ownLoan, false, "granted to integration"},
		{"officer proposes a write-off", alice, auth.ProposeWriteOff, ownLoan, true, ""},
		{"officer cannot decide a write-off", alice, auth.DecideWriteOff, ownLoan, false, "granted to manager"},
		{"officer reveals own borrower", alice, auth.RevealPersonalData, ownLoan, true, ""},
		{"officer cannot reveal another's", alice, auth.RevealPersonalData, otherLoan, false, "outside the scope"},
		{"officer reads no report", alice, auth.ReadReport, auth.Book(), false, "holds no role"},
		{"branch grant widens the officer", head, auth.ReadLoan, shoutyLoan, false, "outside"},
		{"branch grant covers the branch", head, auth.ReadLoan, ownLoan, true, "of branch 0101"},

		{"collector reads assigned loan", zhang, auth.ReadLoan, ownLoan, true, "assigned to zhang.san"},
		{"collector assignee compared ignoring case", zhang, auth.ReadLoan, shoutyLoan, true, ""},
		{"collector cannot read other loans", zhang, auth.ReadLoan, otherLoan, false, "collector: loans assigned to zhang.san"},
		{"collector records a contact", zhang, auth.RecordCollection, ownLoan, true, ""},
		{"collector proposes a waiver", zhang, auth.ProposeWaiver, ownLoan, true, ""},
		{"collector cannot post a write-off", zhang, auth.PostWriteOff, ownLoan, false, "holds no role"},
		{"collector cannot propose a write-off", zhang, auth.ProposeWriteOff, ownLoan, false, "holds no role"},
		{"collector cannot post a repayment", zhang, auth.PostRepayment, ownLoan, false, "holds no role"},
		{"collector cannot reveal personal data", zhang, auth.RevealPersonalData, ownLoan, false, "holds no role"},

		{"risk officer reads any loan", risk, auth.ReadLoan, otherLoan, true, "every loan"},
		{"risk officer proposes an override", risk, auth.ProposeOverride, otherLoan, true, ""},
		{"risk officer decides an override", risk, auth.DecideOverride, otherLoan, true, ""},
		{"risk officer trains models", risk, auth.TrainModel, auth.Book(), true, "whole book"},
		{"risk officer changes no configuration", risk, auth.ChangeConfig, auth.System(), false, "granted to admin"},
		{"risk officer posts nothing", risk, auth.PostRepayment, otherLoan, false, ""},

		{"legal records litigation", lawyer, auth.RecordLegal, shoutyLoan, true, ""},
		{"legal posts a recovery on its loan", lawyer, auth.PostRecovery, shoutyLoan, true, ""},
		{"legal cannot act on others", lawyer, auth.RecordLegal, ownLoan, false, "outside"},

		{"manager decides a write-off", boss, auth.DecideWriteOff, otherLoan, true, ""},
		{"manager reads reports", boss, auth.ReadReport, auth.Book(), true, ""},
		{"manager assigns collection", boss, auth.AssignCollection, otherLoan, true, ""},
		{"manager posts nothing", boss, auth.PostRepayment, otherLoan, false, ""},
		{"manager reads no audit trail", boss, auth.ReadAudit, auth.Book(), false, "granted to auditor"},
		{"manager and collector posts no repayment", both, auth.PostRepayment, otherLoan, false, "holds no role"},
		{"manager and collector records only on assigned loans", both, auth.RecordCollection, otherLoan, false, "outside"},
		{"manager and collector reads all", both, auth.ReadLoan, otherLoan, true, "role manager"},

		{"auditor reads any loan", audit, auth.ReadLoan, otherLoan, true, ""},
		{"auditor verifies the trail", audit, auth.VerifyAudit, auth.Book(), true, ""},
		{"auditor reads users", audit, auth.ReadUsers, auth.System(), true, ""},
		{"auditor reveals nothing", audit, auth.RevealPersonalData, otherLoan, false, ""},
		{"auditor posts nothing", audit, auth.PostRepayment, otherLoan, false, ""},
		{"auditor changes nothing", audit, auth.ChangeConfig, auth.System(), false, ""},

		{"admin manages users", admin, auth.ManageUsers, auth.System(), true, "role admin grants user.manage"},
		{"admin rotates keys", admin, auth.RotateKeys, auth.System(), true, ""},
		{"admin runs close of business", admin, auth.RunEOD, auth.Book(), true, ""},
		{"admin reads no loan", admin, auth.ReadLoan, otherLoan, false, "holds no role"},
		{"admin reads no audit trail", admin, auth.ReadAudit, auth.Book(), false, ""},

		{"token posts a repayment", core, auth.PostRepayment, otherLoan, true, "role integration"},
		{"token posts a write-off decided upstream", core, auth.PostWriteOff, otherLoan, true, ""},
		{"token imports payments", core, auth.ImportPayments, auth.Book(), true, ""},
		{"token cannot decide", core, auth.DecideWriteOff, otherLoan, false, ""},
		{"token cannot manage users", core, auth.ManageUsers, auth.System(), false, ""},
		{"token reads its branch", branchT, auth.ReadLoan, otherLoan, true, "of branch 0202"},
		{"token reads no other branch", branchT, auth.ReadLoan, ownLoan, false, "outside"},
		{"branch token cannot import the book", branchT, auth.ImportLoans, auth.Book(), false, "sees only part"},
		{"collector token is a collector", dialer, auth.ReadLoan, ownLoan, false, "outside"},

		{"eod runs", eod, auth.RunEOD, auth.Book(), true, "role system-eod"},
		{"eod posts nothing", eod, auth.PostRepayment, ownLoan, false, ""},
		{"import imports", imp, auth.ImportLoans, auth.Book(), true, ""},
		{"import runs no close", imp, auth.RunEOD, auth.Book(), false, ""},
		{"webhook posts a repayment", hook, auth.PostRepayment, otherLoan, true, ""},
		{"webhook ingests signals", hook, auth.IngestSignals, auth.Book(), true, ""},
		{"webhook reads no loan", hook, auth.ReadLoan, otherLoan, false, ""},
		{"local may do anything", auth.Local(), auth.ManageUsers, auth.System(), true, "local operator"},
		{"local still needs the right kind", auth.Local(), auth.ReadLoan, auth.Book(), false, "applies to a loan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := auth.Can(tt.actor, tt.action, tt.resource)
			if got, want := d.Allowed, tt.want; got != want {
				t.Fatalf("Allowed = %v, want %v (reason %q)", got, want, d.Reason)
			}
			if !strings.Contains(d.Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", d.Reason, tt.reason)
			}
			prefix := "deny: "
			if tt.want {
				prefix = "allow: "
			}
			if !strings.HasPrefix(d.Reason, prefix) {
				t.Errorf("reason %q does not start with %q", d.Reason, prefix)
			}
			err := d.Err()
			switch {
			case tt.want && err != nil:
				t.Errorf("Err() = %v for an allowed decision", err)
			case !tt.want && !errors.Is(err, auth.ErrDenied):
				t.Errorf("Err() = %v, want ErrDenied", err)
			case !tt.want && daihou.ErrorCode(err) != daihou.EUNAUTHORIZED:
				t.Errorf("code %q, want %q", daihou.ErrorCode(err), daihou.EUNAUTHORIZED)
			}
			if !tt.want && tt.resource.Branch != "" && strings.Contains(daihou.ErrorMessage(err), tt.resource.Branch) {
				t.Errorf("the user's message %q tells the loan's branch", daihou.ErrorMessage(err))
			}
		})
	}
}

func TestScopeFor(t *testing.T) {
	alice := mustUser(t, "alice", roles(auth.AccountManager, auth.Collector), auth.Scope{Branches: []string{"0101", "0102"}})
	zhang := mustUser(t, "zhang.san", roles(auth.Collector), auth.Scope{})
	core := mustToken(t, "core", roles(auth.Integration), auth.Scope{Branches: []string{"0202"}})
	boss := mustUser(t, "boss", roles(auth.Manager), auth.Scope{})
	tests := []struct {
		name   string
		actor  auth.Actor
		action auth.Action
		want   auth.Scope
	}{
		{"officer and collector read", alice, auth.ReadLoan, auth.Scope{Branches: []string{"0101", "0102"}, Officer: "alice", Assigned: "alice"}},
		{"officer only posts", alice, auth.PostRepayment, auth.Scope{Branches: []string{"0101", "0102"}, Officer: "alice"}},
		{"collector records", zhang, auth.RecordCollection, auth.Scope{Assigned: "zhang.san"}},
		{"collector never posts", zhang, auth.PostRepayment, auth.Scope{}},
		{"token has its grant", core, auth.ReadLoan, auth.Scope{Branches: []string{"0202"}}},
		{"partial scope cannot act on the book", core, auth.ImportLoans, auth.Scope{}},
		{"manager sees all", boss, auth.ReadLoan, auth.AllLoans()},
		{"manager reads reports on the book", boss, auth.ReadReport, auth.AllLoans()},
		{"system actions have no scope", boss, auth.ReadProducts, auth.Scope{}},
		{"unknown action", boss, "x", auth.Scope{}},
		{"nobody", auth.Actor{}, auth.ReadLoan, auth.Scope{}},
		{"local", auth.Local(), auth.ReadLoan, auth.AllLoans()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, auth.ScopeFor(tt.actor, tt.action)); diff != "" {
				t.Errorf("ScopeFor (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScopeString(t *testing.T) {
	tests := []struct {
		s    auth.Scope
		want string
	}{
		{auth.Scope{}, "no loan"},
		{auth.AllLoans(), "every loan"},
		{auth.Scope{All: true, Officer: "x"}, "every loan"},
		{auth.Scope{Branches: []string{"0101"}}, "loans of branch 0101"},
		{auth.Scope{Branches: []string{"0101", "0102"}, Officer: "a", Assigned: "a"}, "loans of branches 0101, 0102 or whose officer is a or assigned to a"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.s, got, tt.want)
		}
	}
}

// genActor draws any actor the constructors can build, and some they
// cannot (the zero Actor).
func genActor(t *rapid.T) auth.Actor {
	names := []string{"alice", "bob", "zhang.san"}
	branches := []string{"0101", "0202"}
	kind := rapid.IntRange(0, 5).Draw(t, "kind")
	switch kind {
	case 0:
		return auth.Actor{}
	case 1:
		return auth.Local()
	case 2:
		return auth.EOD()
	}
	rs := rapid.SliceOfNDistinct(rapid.SampledFrom(auth.Roles()), 1, 3, rapid.ID).Draw(t, "roles")
	var g auth.Scope
	switch rapid.IntRange(0, 2).Draw(t, "grant") {
	case 1:
		g.All = true
	case 2:
		g.Branches = rapid.SliceOfNDistinct(rapid.SampledFrom(branches), 1, 2, rapid.ID).Draw(t, "branches")
	}
	name := rapid.SampledFrom(names).Draw(t, "name")
	if kind == 3 {
		a, err := auth.NewUser(name, rs, g)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a, err := auth.NewToken(name, rs, g)
	if err != nil {
		return auth.Actor{} // an admin token: refused, so no one
	}
	return a
}

func genLoan(t *rapid.T) auth.Resource {
	people := []string{"", "alice", "ALICE", "bob", "zhang.san"}
	return auth.Loan(rapid.Int64Range(1, 9).Draw(t, "id"),
		rapid.SampledFrom([]string{"", "0101", "0202", "0303"}).Draw(t, "branch"),
		rapid.SampledFrom(people).Draw(t, "officer"),
		rapid.SliceOfN(rapid.SampledFrom(people[1:]), 0, 2).Draw(t, "assignees")...)
}

// TestCanAgreesWithScopeFor holds the promise the store relies on: a list
// filtered by ScopeFor shows exactly the loans Can allows one by one, and
// anything allowed is allowed by a role the matrix grants.
func TestCanAgreesWithScopeFor(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := genActor(t)
		act := rapid.SampledFrom(auth.Actions()).Draw(t, "action")
		var res auth.Resource
		switch act.Target() {
		case auth.ResourceLoan:
			res = genLoan(t)
		case auth.ResourceBook:
			res = auth.Book()
		default:
			res = auth.System()
		}
		d := auth.Can(a, act, res)
		if act.Target() == auth.ResourceLoan {
			if got, want := d.Allowed, auth.ScopeFor(a, act).Contains(res); got != want {
				t.Fatalf("Can = %v (%s), ScopeFor(...).Contains = %v", got, d.Reason, want)
			}
		}
		if d.Allowed && a.Kind() != auth.KindLocal && !auth.Granted(d.Role, act) {
			t.Fatalf("allowed by role %q, which the matrix does not grant %s", d.Role, act)
		}
		if d.Allowed && a.Kind() != auth.KindLocal && !a.Has(d.Role) {
			t.Fatalf("allowed by role %q, which %s does not hold", d.Role, a)
		}
	})
}

// TestDenyByDefault: any action name outside the closed list is denied to
// everyone, whatever the resource.
func TestDenyByDefault(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := genActor(t)
		act := auth.Action(rapid.String().Draw(t, "action"))
		if act.Valid() {
			t.Skip("a real action")
		}
		for _, res := range []auth.Resource{genLoan(t), auth.Book(), auth.System()} {
			if d := auth.Can(a, act, res); d.Allowed {
				t.Fatalf("Can(%s, %q, %v) allowed: %s", a, act, res, d.Reason)
			}
		}
	})
}
