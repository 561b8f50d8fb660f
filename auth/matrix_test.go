package auth_test

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"daihou/auth"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// columns are the matrix's columns: the assignable roles, then the system
// roles.
var columns = append(auth.Roles(), auth.SystemEOD, auth.SystemImport, auth.SystemWebhook)

// renderMatrix draws the matrix as a text table, one row per action.
func renderMatrix() string {
	var b strings.Builder
	short := map[auth.Role]string{
		auth.AccountManager: "acct", auth.Collector: "coll", auth.RiskOfficer: "risk", auth.Legal: "legal",
		auth.Manager: "mgr", auth.Auditor: "audit", auth.Admin: "admin", auth.Integration: "integ",
		auth.SystemEOD: "s-eod", auth.SystemImport: "s-imp", auth.SystemWebhook: "s-hook",
	}
	b.WriteString(pad("action", 20) + pad("on", 7))
	for _, r := range columns {
		b.WriteString(pad(short[r], 7))
	}
	b.WriteString("\n")
	for _, a := range auth.Actions() {
		b.WriteString(pad(string(a), 20) + pad(string(a.Target()), 7))
		for _, r := range columns {
			cell := "."
			if auth.Granted(r, a) {
				cell = "X"
			}
			b.WriteString(pad(cell, 7))
		}
		b.WriteString("\n")
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func pad(s string, n int) string { return s + strings.Repeat(" ", max(1, n-len(s))) }

// TestMatrixGolden keeps the role × action table in testdata, so that every
// change of a grant shows in review as a changed row.
func TestMatrixGolden(t *testing.T) {
	got := strings.TrimRight(renderMatrix(), " \n") + "\n"
	path := filepath.Join("testdata", "matrix.txt")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./auth -run TestMatrixGolden -update)", err)
	}
	if got != string(want) {
		t.Errorf("the matrix changed; if that is meant, run go test ./auth -run TestMatrixGolden -update\ngot:\n%s\nwant:\n%s", got, want)
	}
}

func TestMatrixShape(t *testing.T) {
	seen := map[auth.Action]bool{}
	for _, a := range auth.Actions() {
		if seen[a] {
			t.Errorf("action %s appears twice", a)
		}
		seen[a] = true
		if a.Target() == "" {
			t.Errorf("action %s applies to nothing", a)
		}
		got, err := auth.ParseAction(" " + strings.ToUpper(string(a)) + " ")
		if err != nil || got != a {
			t.Errorf("ParseAction(%q) = %q, %v", a, got, err)
		}
		for _, r := range auth.GrantedTo(a) {
			if !r.Valid() {
				t.Errorf("action %s granted to unknown role %q", a, r)
			}
		}
	}
	for _, r := range columns {
		n := 0
		for _, a := range auth.Actions() {
			if auth.Granted(r, a) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("role %s is granted nothing", r)
		}
	}
}

// TestLeastPrivilege states the promises of the matrix in words, apart from
// the golden file, so that an update of the golden file cannot quietly
// break them.
func TestLeastPrivilege(t *testing.T) {
	changes := func(a auth.Action) bool {
		s := string(a)
		return !strings.HasSuffix(s, ".read") && a != auth.VerifyAudit
	}
	for _, a := range auth.Actions() {
		if auth.Granted(auth.Auditor, a) && changes(a) {
			t.Errorf("the auditor may %s, which changes something", a)
		}
		if auth.Granted(auth.Admin, a) && a.Target() == auth.ResourceLoan {
			t.Errorf("the admin may %s on a loan", a)
		}
		if strings.HasSuffix(string(a), ".decide") {
			for _, r := range []auth.Role{auth.Collector, auth.AccountManager, auth.Integration, auth.Admin} {
				if auth.Granted(r, a) {
					t.Errorf("%s may %s: deciding is for risk or management", r, a)
				}
			}
		}
	}
	for _, a := range []auth.Action{auth.PostWriteOff, auth.ProposeWriteOff, auth.DecideWriteOff, auth.PostRepayment, auth.RevealPersonalData, auth.ImportPayments} {
		if auth.Granted(auth.Collector, a) {
			t.Errorf("a collector may %s", a)
		}
	}
	for _, a := range []auth.Action{auth.ManageUsers, auth.ManageTokens, auth.RotateKeys, auth.ChangeConfig} {
		if got := auth.GrantedTo(a); !slices.Equal(got, []auth.Role{auth.Admin}) {
			t.Errorf("%s is granted to %v, want admin alone", a, got)
		}
	}
	if got := auth.GrantedTo(auth.RevealPersonalData); !slices.Equal(got, []auth.Role{auth.AccountManager, auth.Legal}) {
		t.Errorf("pii.reveal is granted to %v", got)
	}
}

func TestParseRole(t *testing.T) {
	tests := []struct {
		in   string
		want auth.Role
		ok   bool
	}{
		{"collector", auth.Collector, true},
		{" Risk-Officer ", auth.RiskOfficer, true},
		{"system-eod", "", false},
		{"root", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := auth.ParseRole(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseRole(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "account-manager, collector") {
			t.Errorf("ParseRole(%q): %v does not list the roles", tt.in, err)
		}
	}
}
