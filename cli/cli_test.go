package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"daihou/store/storetest"
)

// run runs a daihou command in process with its own output buffers,
// $DAIHOU_DB and the tests' key in $DAIHOU_KEY, and returns stdout, stderr
// and the exit code.
func run(t *testing.T, db string, args ...string) (string, string, int) {
	t.Helper()
	return runEnv(t, map[string]string{"DAIHOU_DB": db, "DAIHOU_KEY": string(storetest.Keys.KeyFile())}, args...)
}

// runEnv runs a daihou command in process with exactly the environment
// env.
func runEnv(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
	code := m.Run(context.Background(), args)
	return out.String(), errb.String(), code
}

func TestScheduleJSONReference(t *testing.T) {
	out, errs, code := run(t, "", "schedule", "--principal", "1000000", "--rate", "0.049", "--term", "360", "--method", "equal-installment", "--start", "2026-01-15", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct {
		Installments []map[string]any `json:"installments"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"n": 1.0, "due_date": "2026-02-15", "principal": "1223.94", "interest": "4083.33", "total": "5307.27"}
	for k, v := range want {
		if got.Installments[0][k] != v {
			t.Errorf("installment 1 %s = %v, want %v", k, got.Installments[0][k], v)
		}
	}
	if n := len(got.Installments); n != 360 {
		t.Errorf("%d installments, want 360", n)
	}
}

func TestScheduleTableAndBadInput(t *testing.T) {
	out, _, code := run(t, "", "schedule", "--principal", "10000", "--rate", "0.12", "--term", "3", "--method", "equal-principal", "--start", "2026-01-31")
	if code != 0 || !strings.Contains(out, "2026-02-28") || !strings.Contains(out, "3,333.34") || !strings.Contains(out, "10,000.00") {
		t.Errorf("table output (exit %d):\n%s", code, out)
	}
	_, errs, code := run(t, "", "schedule", "--principal", "10.005", "--rate", "0.12", "--term", "3")
	if code != 3 || !strings.Contains(errs, "decimal places") {
		t.Errorf("bad principal: exit %d, %q; want exit 3 with the reason", code, errs)
	}
	_, _, code = run(t, "", "schedule")
	if code != 2 {
		t.Errorf("missing flags: exit %d, want 2", code)
	}
}

// The whole import flow through the command line: products, loans, a
// payments file with good and bad rows, the reject file, re-delivery, a
// malformed file, and the loan view.
func TestImportFlow(t *testing.T) {
	// The clock is set once, before the backends' subtests run in
	// parallel, and put back when both are done.
	now = func() time.Time { return time.Date(2024, 3, 20, 10, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { now = time.Now })
	storetest.Each(t, func(t *testing.T, backend string) { testImportFlow(t, backend) })
}

func testImportFlow(t *testing.T, backend string) {
	dir := t.TempDir()
	db := storetest.DSN(t, backend)
	for _, p := range []string{"BULLET-6", "CAR-60", "CARD-INST-12", "CONS-12", "CONS-24", "CONS-36", "CONS-6", "MORT-240", "MORT-360", "SME-OP-12", "SME-OP-24"} {
		if _, errs, code := run(t, db, "product", "put", p, "--grace", "3"); code != 0 {
			t.Fatalf("product put %s: %s", p, errs)
		}
	}
	loans := copyFile(t, "../imports/testdata/loans_good.csv", dir)
	out, errs, code := run(t, db, "import", "loans", loans, "--json", "--business-date", "2024-03-20")
	if code != 0 {
		t.Fatalf("import loans: exit %d %s", code, errs)
	}
	var res struct {
		Rows, Imported, Duplicates int
		Rejected                   []struct{ Line int }
	}
	json.Unmarshal([]byte(out), &res)
	if res.Imported != 12 || len(res.Rejected) != 0 {
		t.Fatalf("loans: %+v", res)
	}
	pays := copyFile(t, "../imports/testdata/payments_bad.csv", dir)
	out, errs, code = run(t, db, "import", "payments", pays, "--json")
	if code != 7 { // rows rejected, the good ones imported: its own exit code
		t.Fatalf("import payments: exit %d %s, want 7", code, errs)
	}
	res = struct {
		Rows, Imported, Duplicates int
		Rejected                   []struct{ Line int }
	}{}
	json.Unmarshal([]byte(out), &res)
	if res.Imported == 0 || len(res.Rejected) == 0 || res.Imported+res.Duplicates+len(res.Rejected) != res.Rows {
		t.Fatalf("every row must be imported, a duplicate or rejected: %+v", res)
	}
	rejects, err := os.ReadFile(pays + ".rejects.csv")
	if err != nil {
		t.Fatalf("reject file: %v", err)
	}
	if got := strings.Count(string(rejects), "\n"); got < len(res.Rejected)+1 {
		t.Errorf("reject file has %d lines, want a header and %d rows", got, len(res.Rejected))
	}
	first := res.Imported
	out, _, _ = run(t, db, "import", "payments", pays, "--json")
	json.Unmarshal([]byte(out), &res)
	if res.Imported != 0 || res.Duplicates < first {
		t.Errorf("re-delivery posted %d, duplicates %d; want 0 and at least %d", res.Imported, res.Duplicates, first)
	}

	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("loan_id,value_date,ammount,reference\nLN1,2024-01-01,1,r\n"), 0o644)
	_, errs, code = run(t, db, "import", "payments", bad)
	if code != 3 || !strings.Contains(errs, "nothing was imported") {
		t.Errorf("malformed header: exit %d %q", code, errs)
	}

	out, errs, code = run(t, db, "loan", "show", "LN202401150001", "--as-of", "2024-03-20")
	if code != 0 || !strings.Contains(out, "Schedule") || !strings.Contains(out, "BT20240201001000") || !strings.Contains(out, "DPD") {
		t.Errorf("loan show: exit %d %s\n%s", code, errs, out)
	}
	_, _, code = run(t, db, "loan", "show", "NOPE")
	if code != 4 {
		t.Errorf("unknown loan: exit %d, want 4", code)
	}

	// Corrections are reversals: reverse the first repayment, then waive
	// some of the penalty that re-accrues, then post it again.
	out, errs, code = run(t, db, "loan", "post", "LN202401150001", "--kind", "reversal", "--reverses", "2", "--date", "2024-03-20")
	if code != 0 || !strings.Contains(out, "posted reversal") {
		t.Fatalf("reversal: exit %d %s %s", code, errs, out)
	}
	out, _, _ = run(t, db, "loan", "show", "LN202401150001", "--json")
	var shown struct {
		State struct {
			DPD        int
			PenaltyDue string
		}
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.State.DPD != 34 {
		t.Errorf("after reversing the only payment DPD = %d, want 34 (due 2024-02-15, as of 2024-03-20: 14 days of February 2024, 20 of March)", shown.State.DPD)
	}
	_, errs, code = run(t, db, "loan", "post", "LN202401150001", "--kind", "waiver", "--component", "penalty", "--amount", "99999")
	if code != 3 || !strings.Contains(errs, "waiver exceeds") {
		t.Errorf("waiver above the penalty due: exit %d %q, want exit 3", code, errs)
	}
	_, errs, code = run(t, db, "loan", "post", "LN202401150001", "--kind", "repayment", "--amount", "100", "--date", "2024-03-20", "--reference", "BT20240201001000")
	if code != 5 {
		t.Errorf("re-using a reference for another payment: exit %d %q, want 5 (conflict)", code, errs)
	}

	// Maker-checker between users: the bootstrap admin adds two risk
	// officers; the maker cannot approve, the other can.
	for _, u := range [][]string{{"ops", "--admin"}, {"risk.li", "--role", "risk-officer", "--as", "ops"}, {"risk.wang", "--role", "risk-officer", "--as", "ops"}} {
		if _, errs, code := run(t, db, append([]string{"user", "add", "--no-password"}, u...)...); code != 0 {
			t.Fatalf("user add %v: exit %d %s", u, code, errs)
		}
	}
	if _, errs, code := run(t, db, "loan", "show", "LN202401150002"); code != 6 || !strings.Contains(errs, "--as") {
		t.Errorf("no user named on a book with users: exit %d %q, want 6 and a hint", code, errs)
	}
	out, errs, code = run(t, db, "loan", "override", "LN202401150002", "--class", "次级", "--reason", "borrower's business closed", "--as", "risk.li")
	if code != 0 || !strings.Contains(out, "override 1") {
		t.Fatalf("override: exit %d %s %s", code, errs, out)
	}
	if _, _, code = run(t, db, "loan", "decide", "LN202401150002", "--override", "1", "--approve", "--as", "risk.li"); code != 6 {
		t.Errorf("maker approving own override: exit %d, want 6", code)
	}
	if _, errs, code = run(t, db, "loan", "decide", "LN202401150002", "--override", "1", "--approve", "--as", "risk.wang"); code != 0 {
		t.Fatalf("checker approving: exit %d %s", code, errs)
	}
	out, _, _ = run(t, db, "loan", "show", "LN202401150002", "--as", "risk.wang")
	if !strings.Contains(out, "次级 substandard") || !strings.Contains(out, "override: borrower's business closed") {
		t.Errorf("approved override not shown:\n%s", out)
	}
}

func TestDemoRunsTwiceAndGuardsOtherDatabases(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	for i := 0; i < 2; i++ {
		out, errs, code := run(t, db, "demo", "--loans", "300", "--days", "3", "--serve=false")
		if code != 0 || !strings.Contains(out, "NPL ratio") || !strings.Contains(out, "关注") || !strings.Contains(out, "collector/Demo-") {
			t.Fatalf("demo run %d: exit %d %s\n%s", i+1, code, errs, out)
		}
	}
	other := filepath.Join(dir, "bank.db")
	if _, _, code := run(t, other, "migrate"); code != 0 {
		t.Fatal("migrate failed")
	}
	if _, errs, code := run(t, other, "demo"); code != 5 {
		t.Errorf("demo over a non-demo database: exit %d %q, want refusal", code, errs)
	}
}

func copyFile(t *testing.T, src, dir string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}
