package store

import (
	"testing"

	"daihou/auth"
	"daihou/civil"
	"daihou/money"
	"daihou/servicing"
)

// A group whose set fails in the database — here a trigger refuses one
// posting's row, as a constraint or a deadlock might — answers each
// posting as if it had come alone: the refused one fails, the others
// post, each with its audit entry.
func TestGroupFailingInTheDatabasePostsEachAlone(t *testing.T) {
	eachDSN(t, "group", func(t *testing.T, dsn string) {
		db, ctx := openBook(t, dsn)
		var loans []NewLoan
		for i, ref := range []string{"L1", "L2", "L3"} {
			loans = append(loans, NewLoan{Line: i + 2, Borrower: servicing.Borrower{ExternalID: "B" + ref}, Loan: servicing.Loan{ExternalID: ref, Product: "CL",
				Principal: money.MustParseAmount("12000"), Rate: money.MustParseRate("0.12"), Term: 12, Disbursed: civil.MustParse("2026-01-10")}})
		}
		added, err := db.AddLoans(ctx, Source{Name: "loans"}, loans)
		if err != nil || len(added.Rejects) > 0 {
			t.Fatal(err, added.Rejects)
		}
		refuse := []string{`CREATE TRIGGER boom BEFORE INSERT ON transactions WHEN NEW.reference = 'BOOM' BEGIN SELECT RAISE(ABORT, 'boom'); END`}
		if db.dialect == Postgres {
			refuse = []string{
				`CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.reference = 'BOOM' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$`,
				`CREATE TRIGGER boom BEFORE INSERT ON transactions FOR EACH ROW EXECUTE FUNCTION boom()`,
			}
		}
		for _, q := range refuse {
			if _, err := db.write.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		before, err := db.AuditHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var batch []*postRequest
		for i, ref := range []string{"GOOD-1", "BOOM", "GOOD-3"} {
			batch = append(batch, &postRequest{ctx: ctx, done: make(chan postResult, 1),
				tx: servicing.Tx{LoanID: added.IDs[i], Kind: servicing.Repayment, ValueDate: civil.MustParse("2026-02-10"), Amount: 106619, Reference: ref}})
		}
		db.commitGroup(batch)
		for i, r := range batch {
			res := <-r.done
			switch {
			case i == 1 && res.err == nil:
				t.Errorf("%s: posted, want the trigger's refusal", r.tx.Reference)
			case i != 1 && (res.err != nil || res.posted.Seq != 2 || res.posted.Applied.Sum() != r.tx.Amount):
				t.Errorf("%s: %+v, %v; want posted as #2 with its parts", r.tx.Reference, res.posted, res.err)
			}
			txs, err := db.Transactions(ctx, added.IDs[i])
			if want := 2 - i%2; err != nil || len(txs) != want {
				t.Errorf("loan %d: %d transactions (%v), want %d", added.IDs[i], len(txs), err, want)
			}
		}
		if _, err := db.VerifyAudit(ctx, nil); err != nil {
			t.Fatal(err)
		}
		entries, err := db.AuditEntries(ctx, "", before.Seq, 100)
		if err != nil {
			t.Fatal(err)
		}
		posted := 0
		for _, e := range entries {
			if e.Action == string(auth.PostRepayment) {
				posted++
			}
		}
		if posted != 2 {
			t.Errorf("%d posting entries after the group, want 2", posted)
		}
	})
}
