package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"daihou"
	"daihou/audit"
	"daihou/civil"
	"daihou/classification"
	"daihou/money"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/synth"
	"daihou/warning"
)

// auditGen is the small generated book the audit tests start from.
var auditGen = synth.Config{Seed: 5, Loans: 300, Months: 6, Until: day("2026-03-27")}

// genAuditBook generates auditGen into a new database on backend and
// returns its DSN, the database closed. SQLite copies the file generated
// once per process; PostgreSQL generates into a fresh schema.
func genAuditBook(t *testing.T, backend string) string {
	t.Helper()
	if backend == "sqlite" {
		return storetest.Gen(t, auditGen)
	}
	dsn := storetest.DSN(t, backend)
	if err := storetest.GenInto(storetest.Ctx(), dsn, auditGen); err != nil {
		t.Fatal(err)
	}
	return dsn
}

// activeLoans returns up to n loans of db that are active and normal on
// the business date, with their loan numbers.
func activeLoans(t *testing.T, db *store.DB, n int) []servicing.Loan {
	t.Helper()
	ctx := storetest.Ctx()
	ids, err := db.Loans(ctx, 0, 1<<62, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	var out []servicing.Loan
	for _, id := range ids {
		s, err := db.Snapshot(ctx, id)
		if err != nil || s.Status != servicing.StatusActive || s.Class != classification.Normal {
			continue
		}
		l, err := db.Loan(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if out = append(out, l); len(out) == n {
			return out
		}
	}
	t.Fatalf("%d active normal loans, want %d", len(out), n)
	return nil
}

// auditBook is a generated book after every kind of write, and what was
// written.
type auditBook struct {
	db        *store.DB
	next      civil.Date       // the day closed after gen
	posted    []servicing.Loan // a repayment posted to each, as the local operator
	imported  servicing.Loan   // a payments file paid it
	file      audit.Hash       // the payments file's digest
	loansFile audit.Hash       // a loans file's digest
	overrode  servicing.Loan   // alice proposed, bob approved
}

// writeEveryKind generates a book on backend and writes to it every way
// there is: close of business of the next day, postings, a payments file
// of two chunks, a loans file, users added and changed, and an override
// proposed by one risk officer and approved by another.
func writeEveryKind(t *testing.T, backend string) auditBook {
	t.Helper()
	b := auditBook{db: storetest.OpenPath(t, genAuditBook(t, backend)), next: auditGen.Until.AddDays(1)}
	db, ctx := b.db, storetest.Ctx()
	closeThrough(t, db, b.next)

	loans := activeLoans(t, db, 5)
	b.posted, b.imported, b.overrode = loans[:3], loans[3], loans[4]
	for i, l := range b.posted {
		pay := servicing.Tx{LoanID: l.ID, Kind: servicing.Repayment, ValueDate: b.next, Amount: money.MustParseAmount("10"), Reference: fmt.Sprintf("AUDIT-%d", i)}
		if _, _, err := db.Post(ctx, pay); err != nil {
			t.Fatalf("post to loan %d: %v", l.ID, err)
		}
	}

	// A payments file of more than one chunk (5,000 rows each, never
	// splitting a loan): 5,000 rows for a loan the book does not have, which
	// sort first, then one good payment.
	unknown := "0-NO-SUCH-LOAN"
	if unknown >= b.imported.ExternalID {
		t.Fatalf("loan number %q sorts before %q: the chunks would not be as planned", b.imported.ExternalID, unknown)
	}
	var pays []store.Payment
	for i := range 5000 {
		pays = append(pays, store.Payment{Line: i + 2, LoanRef: unknown, ValueDate: b.next, Amount: 100, Reference: fmt.Sprintf("X-%d", i)})
	}
	pays = append(pays, store.Payment{Line: 5002, LoanRef: b.imported.ExternalID, ValueDate: b.next, Amount: money.MustParseAmount("20"), Reference: "FILE-1"})
	b.file = audit.Digest([]byte("the bytes of pays.csv"))
	res, err := db.ImportPayments(ctx, store.Source{Name: "pays.csv", Digest: b.file, Rows: len(pays) + 1, Rejected: 1}, pays, nil)
	if err != nil || res.Posted != 1 || len(res.Rejects) != 5000 {
		t.Fatalf("import payments: posted %d, %d rejected, %v; want 1 and 5000", res.Posted, len(res.Rejects), err)
	}

	product := loans[0].Product
	b.loansFile = audit.Digest([]byte("the bytes of loans.csv"))
	nl := store.NewLoan{Line: 2, Borrower: servicing.Borrower{ExternalID: "AUDIT-B1", Name: "王五"},
		Loan: servicing.Loan{ExternalID: "AUDIT-L1", Product: product, Principal: money.MustParseAmount("5000"), Rate: money.MustParseRate("0.10"), Term: 12, Disbursed: b.next, Branch: "BJ01"}}
	if res, err := db.AddLoans(ctx, store.Source{Name: "loans.csv", Digest: b.loansFile, Rows: 1}, []store.NewLoan{nl}); err != nil || len(res.IDs) != 1 {
		t.Fatalf("add loans: %+v %v", res, err)
	}

	as := storetest.Users(t, db, "alice=risk-officer", "bob=risk-officer", "carol=collector")
	disabled := true
	if _, err := db.UpdateUser(as["admin"], "carol", store.UserChange{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	id, err := db.ProposeOverride(as["alice"], b.overrode.ID, classification.Doubtful, "the borrower's factory burned down")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DecideOverride(as["bob"], b.overrode.ID, id, true); err != nil {
		t.Fatal(err)
	}
	return b
}

// allEntries returns the whole trail of db.
func allEntries(t *testing.T, db *store.DB, object string) []audit.Entry {
	t.Helper()
	es, err := db.AuditEntries(storetest.EOD(), object, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// A book that was generated, closed, posted to, imported into and
// overridden by two people verifies whole: every entry sound, as many as
// its head says, numbered 1 to N.
func TestAuditVerifiesAfterEveryKindOfWrite(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		b := writeEveryKind(t, backend)
		ctx := storetest.EOD()
		n, err := b.db.VerifyAudit(ctx, nil)
		if err != nil {
			t.Fatalf("VerifyAudit: %v", err)
		}
		head, err := b.db.AuditHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != head.Seq || n < 10 {
			t.Errorf("%d entries sound, head at %d; want all of them, at least 10", n, head.Seq)
		}
		es := allEntries(t, b.db, "")
		if int64(len(es)) != head.Seq {
			t.Fatalf("%d entries stored, head at %d", len(es), head.Seq)
		}
		for i, e := range es {
			if e.Seq != int64(i+1) {
				t.Fatalf("entry %d has seq %d", i+1, e.Seq)
			}
		}
		if last := es[len(es)-1]; last.Hash != head.Hash || last.Action != "override.decide" {
			t.Errorf("last entry %v, head hash %s; want the override's decision, the head's hash", last, head.Hash)
		}
	})
}

// Every write has its entry, naming who did it: each posting, each chunk
// of an import (the file's digest its object), each override proposal and
// decision, each user change and each date closed.
func TestEveryWriteHasItsEntry(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		b := writeEveryKind(t, backend)
		type row struct{ Actor, Action, Object string }
		rows := func(es []audit.Entry) []row {
			var out []row
			for _, e := range es {
				out = append(out, row{e.Actor, e.Action, e.Object})
			}
			return out
		}
		check := func(object string, want []row) []audit.Entry {
			t.Helper()
			es := allEntries(t, b.db, object)
			if got := rows(es); !slices.Equal(got, want) {
				t.Errorf("entries of %s:\n got %v\nwant %v", object, got, want)
			}
			return es
		}
		for _, d := range []civil.Date{auditGen.Until, b.next} {
			obj := audit.EODObject(d)
			es := check(obj, []row{{"system:eod", "eod.run", obj}})
			if len(es) == 1 && (es[0].BusinessDate != d || !strings.Contains(es[0].Detail, "close of business "+d.String())) {
				t.Errorf("close of business entry %v: want business date %v and the date in its detail", es[0], d)
			}
		}
		for i, l := range b.posted {
			obj := audit.LoanObject(l.ID)
			es := check(obj, []row{{"local", "repayment.post", obj}})
			if len(es) == 1 && !strings.Contains(es[0].Detail, fmt.Sprintf("reference AUDIT-%d", i)) {
				t.Errorf("posting entry %v does not name its reference", es[0])
			}
		}
		// The import of payments: its actor is the one who imported, the
		// loan paid has no entry of its own (the file's stands for it).
		check(audit.LoanObject(b.imported.ID), nil)
		obj := audit.Object("file", b.file.String())
		es := check(obj, []row{{"local", "import.payments", obj}, {"local", "import.payments", obj}})
		if len(es) == 2 {
			for i, want := range []string{
				"part 1 of 2: 0 added, 0 already present, 5000 rejected; file pays.csv, 5002 rows, in progress",
				"part 2 of 2: 1 added, 0 already present, 0 rejected; file pays.csv, 5002 rows: 1 added, 0 already present, 5001 rejected",
			} {
				if es[i].Detail != want || es[i].Change != b.file {
					t.Errorf("import entry %d: detail %q, change %s; want %q and the file's digest", i+1, es[i].Detail, es[i].Change, want)
				}
			}
		}
		obj = audit.Object("file", b.loansFile.String())
		if es := check(obj, []row{{"local", "import.loans", obj}}); len(es) == 1 && es[0].Detail != "file loans.csv, 1 rows: 1 added, 0 already present, 0 rejected" {
			t.Errorf("loans import entry detail %q", es[0].Detail)
		}
		obj = audit.LoanObject(b.overrode.ID)
		es = check(obj, []row{{"user:alice", "override.propose", obj}, {"user:bob", "override.decide", obj}})
		if len(es) == 2 && (!strings.Contains(es[0].Detail, "doubtful") || !strings.Contains(es[1].Detail, "approved")) {
			t.Errorf("override entries %q, %q: want the class proposed and the decision", es[0].Detail, es[1].Detail)
		}
		check("user:admin", []row{{"local", "user.manage", "user:admin"}})
		check("user:alice", []row{{"user:admin", "user.manage", "user:alice"}})
		es = check("user:carol", []row{{"user:admin", "user.manage", "user:carol"}, {"user:admin", "user.manage", "user:carol"}})
		if len(es) == 2 && es[1].Detail != "user carol: disabled" {
			t.Errorf("user change entry detail %q, want the change", es[1].Detail)
		}
		// Nothing else wrote: every entry is one of those above, or gen's
		// (its products and the load), or the default warning rules the
		// first close of business put.
		count := map[string]int{}
		for _, e := range allEntries(t, b.db, "") {
			count[e.Action]++
		}
		want := map[string]int{"product.manage": len(synth.Products()), "gen": 1, "eod.run": 2, "repayment.post": 3, "import.payments": 2,
			"import.loans": 1, "user.manage": 5, "override.propose": 1, "override.decide": 1, "rule.manage": len(warning.Defaults())}
		if !maps.Equal(count, want) {
			t.Errorf("entries by action %v, want %v", count, want)
		}
	})
}

// rawDB opens dsn with database/sql, around the store: what someone with
// the database's password, and not daihou, could do.
func rawDB(t *testing.T, backend, dsn string) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if backend == "postgres" {
		driver = "pgx"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// tamper generates a book on backend with some writes on top, runs the
// statements on it past daihou (given the number of entries), and returns
// what VerifyAudit reports: the break, and how many entries are sound.
func tamper(t *testing.T, backend string, statements func(n int64) []string) (te *audit.TamperError, entries, sound int64) {
	t.Helper()
	dsn := genAuditBook(t, backend)
	db := storetest.OpenPath(t, dsn)
	loans := activeLoans(t, db, 6)
	for i, l := range loans {
		pay := servicing.Tx{LoanID: l.ID, Kind: servicing.Repayment, ValueDate: auditGen.Until, Amount: money.MustParseAmount("10"), Reference: fmt.Sprintf("T-%d", i)}
		if _, _, err := db.Post(storetest.Ctx(), pay); err != nil {
			t.Fatal(err)
		}
	}
	head, err := db.AuditHead(storetest.EOD())
	if err != nil {
		t.Fatal(err)
	}
	if n, err := db.VerifyAudit(storetest.EOD(), nil); err != nil || n != head.Seq {
		t.Fatalf("before tampering: %d entries sound of %d, %v", n, head.Seq, err)
	}
	raw := rawDB(t, backend, dsn)
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range statements(head.Seq) {
		res, err := tx.Exec(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("%s: %d rows, want 1", q, n)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	n, err := db.VerifyAudit(storetest.EOD(), nil)
	if !errors.As(err, &te) || !errors.Is(err, audit.ErrTampered) || daihou.ErrorCode(err) != daihou.ECONFLICT {
		t.Fatalf("VerifyAudit after tampering: %d sound, %v; want a TamperError (conflict)", n, err)
	}
	return te, head.Seq, n
}

// Each way of tampering with the trail past daihou is caught, and the
// report names the entry where the chain breaks and how.
func TestAuditTamperingIsCaught(t *testing.T) {
	t.Parallel()
	const k = 4 // the entry tampered with, before gen's and the postings' last
	tests := []struct {
		name  string
		sql   func(n int64) []string
		kind  audit.Tamper
		seq   func(n int64) int64
		sound func(n int64) int64 // entries VerifyAudit counts as sound
		says  string
	}{
		{"one row edited", func(int64) []string {
			return []string{fmt.Sprintf(`UPDATE audit_log SET detail = 'repayment #2 of 1.00' WHERE seq = %d`, k)}
		}, audit.Edited, func(int64) int64 { return k }, func(int64) int64 { return k - 1 }, "whose fields hash to"},
		{"one row deleted", func(int64) []string {
			return []string{fmt.Sprintf(`DELETE FROM audit_log WHERE seq = %d`, k)}
		}, audit.Deleted, func(int64) int64 { return k }, func(int64) int64 { return k - 1 }, fmt.Sprintf("entry %d is missing", k)},
		// Rows are read in seq order, so two rows swapped are two entries
		// each standing at the other's number: the first no longer gives
		// its hash, which reads as an edit.
		{"two rows swapped", func(int64) []string {
			return []string{
				fmt.Sprintf(`UPDATE audit_log SET seq = -1 WHERE seq = %d`, k),
				fmt.Sprintf(`UPDATE audit_log SET seq = %d WHERE seq = %d`, k, k+1),
				fmt.Sprintf(`UPDATE audit_log SET seq = %d WHERE seq = -1`, k+1),
			}
		}, audit.Edited, func(int64) int64 { return k }, func(int64) int64 { return k - 1 }, "whose fields hash to"},
		// The last entry deleted leaves a sound chain that ends short of
		// the head.
		{"last row deleted", func(n int64) []string {
			return []string{fmt.Sprintf(`DELETE FROM audit_log WHERE seq = %d`, n)}
		}, audit.Truncated, func(n int64) int64 { return n }, func(n int64) int64 { return n - 1 }, "was cut from the end"},
		{"last row edited", func(n int64) []string {
			return []string{fmt.Sprintf(`UPDATE audit_log SET actor = 'user:mallory' WHERE seq = %d`, n)}
		}, audit.Edited, func(n int64) int64 { return n }, func(n int64) int64 { return n - 1 }, "user:mallory"},
	}
	storetest.Each(t, func(t *testing.T, backend string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				te, n, sound := tamper(t, backend, tt.sql)
				if n < k+3 {
					t.Fatalf("only %d entries to tamper with", n)
				}
				if te.Kind != tt.kind || te.Seq != tt.seq(n) {
					t.Errorf("%s at entry %d, want %s at entry %d (of %d): %v", te.Kind, te.Seq, tt.kind, tt.seq(n), n, te)
				}
				if !strings.Contains(te.Error(), tt.says) {
					t.Errorf("%q does not say %q", te, tt.says)
				}
				if sound != tt.sound(n) {
					t.Errorf("%d entries sound, want %d", sound, tt.sound(n))
				}
			})
		}
	})
}

// Writers in many processes at once — here goroutines, each with its own
// store — append to one chain: numbered 1 to N with no gap, each entry
// linking to the one before, none lost.
func TestConcurrentWritersKeepOneChain(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		dsn := storetest.DSN(t, backend)
		db := storetest.OpenPath(t, dsn)
		const writers, each = 4, 8
		ids := MustAddLoans(t, db, servicing.DefaultProduct("CL"), writers)
		closeThrough(t, db, day("2026-02-20"))
		ctx := storetest.Ctx()
		before, err := db.AuditHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stores := make([]*store.DB, writers)
		for w := range stores {
			s, err := storetest.OpenDSN(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			stores[w] = s
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, writers*each)
		for w, s := range stores {
			wg.Go(func() {
				<-start
				for i := range each {
					pay := servicing.Tx{LoanID: ids[w], Kind: servicing.Repayment, ValueDate: day("2026-02-10"), Amount: money.MustParseAmount("10"), Reference: fmt.Sprintf("W%d-%d", w, i)}
					if _, _, err := s.Post(ctx, pay); err != nil {
						errs <- fmt.Errorf("writer %d, payment %d: %w", w, i, err)
					}
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		n, err := db.VerifyAudit(ctx, nil)
		if err != nil {
			t.Fatalf("VerifyAudit: %v", err)
		}
		head, err := db.AuditHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := before.Seq + writers*each; n != want || head.Seq != want {
			t.Errorf("%d entries sound, head at %d; want %d", n, head.Seq, want)
		}
		es := allEntries(t, db, "")
		perLoan := map[string]int{}
		for i, e := range es {
			if e.Seq != int64(i+1) {
				t.Fatalf("entry %d has seq %d: a gap or a fork", i+1, e.Seq)
			}
			if i > 0 && e.Prev != es[i-1].Hash {
				t.Fatalf("entry %d does not link to entry %d", e.Seq, i)
			}
			if e.Seq > before.Seq {
				perLoan[e.Object]++
			}
		}
		for _, id := range ids {
			if got := perLoan[audit.LoanObject(id)]; got != each {
				t.Errorf("loan %d has %d posting entries, want %d", id, got, each)
			}
		}
	})
}
