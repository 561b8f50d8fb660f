package cli

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"daihou/pii"
	"daihou/servicing"
	"daihou/store/storetest"
)

// trustLoan is a loan of the generated book with its borrower as stored.
type trustLoan struct {
	servicing.Loan
	borrower servicing.Borrower
}

// pickLoans returns, from the book at dsn, n active loans with a borrower
// who has a name, a phone and an ID number, each with an officer code none
// of the others has.
func pickLoans(t *testing.T, dsn string, n int) []trustLoan {
	t.Helper()
	ctx := storetest.Ctx()
	db, err := storetest.OpenDSN(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ids, err := db.Loans(ctx, 0, 1<<62, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	var out []trustLoan
	officers := map[string]bool{}
	for _, id := range ids {
		l, err := db.Loan(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		b, err := db.Borrower(ctx, l.BorrowerID)
		if err != nil {
			t.Fatal(err)
		}
		if l.Officer == "" || officers[l.Officer] || b.Name == "" || b.Phone == "" || b.IDNumber == "" {
			continue
		}
		if s, err := db.Snapshot(ctx, id); err != nil || s.Status != servicing.StatusActive {
			continue
		}
		officers[l.Officer] = true
		if out = append(out, trustLoan{l, b}); len(out) == n {
			return out
		}
	}
	t.Fatalf("%d loans with distinct officers and a borrower's personal data, want %d", len(out), n)
	return nil
}

// Who may see and do what, from the command line: a collector sees only
// the loans assigned to them, with the borrower's name and nothing else
// plain; a loan outside one's scope does not exist; only an account
// manager reveals, on their own loans, and the reveal is in the trail;
// machinery and user management are not for collectors; and nobody acts
// without saying who they are.
func TestScopeFromTheCommandLine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) {
		dsn := storetest.DSN(t, backend)
		if _, errs, code := run(t, dsn, "gen", "--loans", "200", "--months", "6", "--seed", "3", "--until", "2026-04-20"); code != 0 {
			t.Fatalf("gen: exit %d %s", code, errs)
		}
		loans := pickLoans(t, dsn, 3)
		mine, other, managed := loans[0], loans[1], loans[2]

		ok := func(args ...string) string {
			t.Helper()
			out, errs, code := run(t, dsn, args...)
			if code != 0 {
				t.Fatalf("%s: exit %d %s", strings.Join(args, " "), code, errs)
			}
			return out
		}
		refused := func(want int, args ...string) string {
			t.Helper()
			out, errs, code := run(t, dsn, args...)
			if code != want {
				t.Errorf("%s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, errs)
			}
			if strings.TrimSpace(out) != "" {
				t.Errorf("%s: refused, yet printed %q", strings.Join(args, " "), out)
			}
			return errs
		}

		ok("user", "add", "ops", "--admin", "--no-password")
		// From now on every command names who acts.
		refused(6, "user", "add", "zhang", "--role", "collector", "--no-password")
		ok("user", "add", "zhang", "--role", "collector", "--no-password", "--as", "ops")
		ok("user", "add", "mgr", "--role", "manager", "--no-password", "--as", "ops")
		ok("user", "add", "liwei", "--role", "account-manager", "--officer", managed.Officer, "--no-password", "--as", "ops")
		ok("user", "add", "audrey", "--role", "auditor", "--no-password", "--as", "ops")
		// Only an admin adds users.
		refused(6, "user", "add", "eve", "--role", "manager", "--no-password", "--as", "mgr")
		refused(6, "user", "add", "eve", "--role", "collector", "--no-password", "--as", "zhang")
		// A manager assigns; a collector cannot put a loan in a queue (one
		// it cannot see does not exist), nor take one out of their own.
		refused(4, "loan", "assign", mine.ExternalID, "--to", "zhang", "--as", "zhang")
		if out := ok("loan", "assign", mine.ExternalID, "--to", "zhang", "--as", "mgr"); !strings.Contains(out, "assigned to zhang") {
			t.Errorf("loan assign: %q", out)
		}
		refused(6, "loan", "assign", mine.ExternalID, "--to", "zhang", "--remove", "--as", "zhang")

		// Outside the collector's queue a loan does not exist: the same
		// exit and the same words as for a loan number nobody has.
		errOther := refused(4, "loan", "show", other.ExternalID, "--as", "zhang")
		errNone := refused(4, "loan", "show", "NO-SUCH-LOAN", "--as", "zhang")
		if a, b := strings.ReplaceAll(errOther, other.ExternalID, "X"), strings.ReplaceAll(errNone, "NO-SUCH-LOAN", "X"); a != b || a == "" {
			t.Errorf("a loan outside the scope says %q, a loan that does not exist %q: want the same", errOther, errNone)
		}
		refused(4, "loan", "show", strconv.FormatInt(other.ID, 10), "--as", "zhang")
		refused(4, "loan", "show", strconv.FormatInt(other.ID, 10), "--json", "--as", "zhang")

		// In the queue: the name plain, the phone and ID number masked.
		b := mine.borrower
		out := ok("loan", "show", mine.ExternalID, "--as", "zhang")
		if !strings.Contains(out, b.Name) || !strings.Contains(out, pii.MaskPhone(b.Phone)) || !strings.Contains(out, pii.MaskIDNumber(b.IDNumber)) {
			t.Errorf("collector's view of %s: want name %s plain, phone %s and ID %s masked:\n%s", mine.ExternalID, b.Name, pii.MaskPhone(b.Phone), pii.MaskIDNumber(b.IDNumber), out)
		}
		if strings.Contains(out, b.Phone) || strings.Contains(out, b.IDNumber) {
			t.Errorf("collector's view shows the phone %s or the ID number %s plain:\n%s", b.Phone, b.IDNumber, out)
		}
		var v struct {
			Borrower servicing.Borrower `json:"borrower"`
		}
		if err := json.Unmarshal([]byte(ok("loan", "show", mine.ExternalID, "--json", "--as", "zhang")), &v); err != nil {
			t.Fatal(err)
		}
		if v.Borrower.Name != b.Name || v.Borrower.Phone != pii.MaskPhone(b.Phone) || v.Borrower.IDNumber != pii.MaskIDNumber(b.IDNumber) {
			t.Errorf("collector's JSON borrower %+v: want the name plain, phone and ID masked", v.Borrower)
		}
		// An auditor sees every loan, with nothing plain.
		if out := ok("loan", "show", other.ExternalID, "--as", "audrey"); strings.Contains(out, other.borrower.Name) || !strings.Contains(out, pii.MaskName(other.borrower.Name)) {
			t.Errorf("auditor's view shows the name %s plain, or not masked:\n%s", other.borrower.Name, out)
		}

		// Nobody acts without saying who, nor as someone the book does not
		// have.
		refused(6, "loan", "show", mine.ExternalID)
		refused(6, "loan", "show", mine.ExternalID, "--as", "nobody")
		refused(6, "audit", "verify")

		// A collector may not reveal, even on their own loan; an account
		// manager reveals on theirs, and nobody else's.
		refused(6, "loan", "reveal", mine.ExternalID, "--reason", "x", "--as", "zhang")
		refused(4, "loan", "reveal", other.ExternalID, "--reason", "x", "--as", "liwei")
		refused(3, "loan", "reveal", managed.ExternalID, "--reason", " ", "--as", "liwei")
		out = ok("loan", "reveal", managed.ExternalID, "--reason", "calling about the arrears", "--as", "liwei")
		mb := managed.borrower
		if !strings.Contains(out, mb.Name) || !strings.Contains(out, mb.Phone) || !strings.Contains(out, mb.IDNumber) {
			t.Errorf("reveal by the account manager: want %s %s %s plain:\n%s", mb.Name, mb.Phone, mb.IDNumber, out)
		}
		object := fmt.Sprintf("loan:%d", managed.ID)
		refused(6, "audit", "show", "--object", object, "--as", "zhang")
		var es []struct{ Actor, Action, Object, Detail string }
		if err := json.Unmarshal([]byte(ok("audit", "show", "--object", object, "--json", "--as", "audrey")), &es); err != nil {
			t.Fatal(err)
		}
		if len(es) != 1 || es[0].Action != "pii.reveal" || es[0].Actor != "user:liwei" || es[0].Object != object || !strings.Contains(es[0].Detail, "calling about the arrears") {
			t.Errorf("audit show --object %s: %+v; want liwei's one reveal with its reason", object, es)
		}
		if out := ok("audit", "show", "--object", object, "--as", "audrey"); !strings.Contains(out, "pii.reveal") || !strings.Contains(out, "user:liwei") {
			t.Errorf("audit show --object %s:\n%s", object, out)
		}
		// The refusals wrote nothing; the assignment did.
		es = nil
		json.Unmarshal([]byte(ok("audit", "show", "--object", fmt.Sprintf("loan:%d", mine.ID), "--json", "--as", "audrey")), &es)
		if len(es) != 1 || es[0].Action != "collection.assign" || es[0].Actor != "user:mgr" {
			t.Errorf("entries of the assigned loan %+v: want mgr's assignment alone", es)
		}

		// Machinery is not a collector's.
		refused(6, "eod", "--as", "zhang")
		pays := filepath.Join(t.TempDir(), "pays.csv")
		if err := os.WriteFile(pays, []byte("loan_id,value_date,amount,reference\n"+mine.ExternalID+",2026-04-20,10.00,CLI-1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		refused(6, "import", "payments", pays, "--as", "zhang")
		refused(6, "import", "payments", pays, "--as", "mgr")
		// An admin may import: the file's entry is the import's, started by
		// the admin, with the SHA-256 of the file's bytes as its object.
		ok("import", "payments", pays, "--as", "ops")
		data, _ := os.ReadFile(pays)
		digest := sha256.Sum256(data)
		file := "file:" + hex.EncodeToString(digest[:])
		es = nil
		json.Unmarshal([]byte(ok("audit", "show", "--object", file, "--json", "--as", "audrey")), &es)
		if len(es) != 1 || es[0].Action != "import.payments" || es[0].Actor != "system:import" ||
			!strings.Contains(es[0].Detail, "1 rows: 1 added, 0 already present, 0 rejected") || !strings.Contains(es[0].Detail, "started by user:ops") {
			t.Errorf("entries of %s: %+v; want the import's one, started by ops, with its counts", file, es)
		}

		if out := ok("audit", "verify", "--as", "audrey"); !strings.Contains(out, "audit trail sound") {
			t.Errorf("audit verify: %q", out)
		}
	})
}

// 'audit verify' over a book whose trail was edited past daihou fails and
// names the entry.
func TestAuditVerifyOverATamperedBook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) {
		dsn := storetest.DSN(t, backend)
		if _, errs, code := run(t, dsn, "gen", "--loans", "50", "--months", "6", "--seed", "3", "--until", "2026-04-20"); code != 0 {
			t.Fatalf("gen: exit %d %s", code, errs)
		}
		for _, args := range [][]string{{"user", "add", "ops", "--admin", "--no-password"}, {"user", "add", "audrey", "--role", "auditor", "--no-password", "--as", "ops"}} {
			if _, errs, code := run(t, dsn, args...); code != 0 {
				t.Fatalf("%v: exit %d %s", args, code, errs)
			}
		}
		out, errs, code := run(t, dsn, "audit", "verify", "--json", "--as", "audrey")
		var res struct {
			Entries int64 `json:"entries_sound"`
			Head    int64 `json:"head_seq"`
			OK      bool  `json:"ok"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 || !res.OK || res.Entries != res.Head || res.Head < 4 {
			t.Fatalf("audit verify before: exit %d %s %+v %v", code, errs, res, err)
		}

		k := res.Head - 2
		driver := map[string]string{"sqlite": "sqlite", "postgres": "pgx"}[backend]
		raw, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		r, err := raw.ExecContext(context.Background(), fmt.Sprintf(`UPDATE audit_log SET actor = 'user:mallory' WHERE seq = %d`, k))
		if n, _ := r.RowsAffected(); err != nil || n != 1 {
			t.Fatalf("tampering: %d rows, %v", n, err)
		}

		out, errs, code = run(t, dsn, "audit", "verify", "--as", "audrey")
		if code != 5 || !strings.Contains(errs, fmt.Sprintf("audit trail edited at entry %d:", k)) || strings.Contains(out, "sound") {
			t.Errorf("audit verify after an edit of entry %d: exit %d, stdout %q, stderr %q; want exit 5 naming the entry", k, code, out, errs)
		}
		out, _, code = run(t, dsn, "audit", "verify", "--json", "--as", "audrey")
		res.OK = true
		if err := json.Unmarshal([]byte(out), &res); err != nil || code != 5 || res.OK || res.Entries != k-1 {
			t.Errorf("audit verify --json after the edit: exit %d %+v %v; want exit 5, not ok, %d entries sound", code, res, err, k-1)
		}
	})
}
