package store_test

import (
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"

	"daihou"
	"daihou/approval"
	"daihou/auth"
	"daihou/legal"
	"daihou/money"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
)

// A case goes forward through its stages with its costs; a recovery on it
// is posted to the loan — a repayment before write-off, a recovery after —
// and moves the case's recovered total and the loan's by the same fen,
// once per reference.
func TestCaseLifeAndRecovery(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		dsn := storetest.DSN(t, backend)
		db := storetest.OpenPath(t, dsn)
		ids := MustAddLoans(t, db, servicing.DefaultProduct("CL"), 2)
		closeThrough(t, db, day("2026-03-20"))
		as := storetest.Users(t, db, "lee=legal", "lin=legal", "carol=manager", "alice=risk-officer", "dave=collector", "erin=auditor")
		loan := ids[0]
		court := store.NewCase{Kind: legal.Litigation, Court: "北京市朝阳区人民法院", Assignee: "lee", Note: "two installments unpaid, borrower unreachable"}

		// Who may open one: not a lawyer the loan is not assigned to, not risk.
		if _, err := db.OpenCase(as["lee"], loan, court); daihou.ErrorCode(err) != daihou.ENOTFOUND {
			t.Errorf("lawyer opening a case on a loan not assigned to them: %v, want ENOTFOUND", err)
		}
		if _, err := db.OpenCase(as["alice"], loan, court); daihou.ErrorCode(err) != daihou.EUNAUTHORIZED {
			t.Errorf("risk officer opening a case: %v, want EUNAUTHORIZED", err)
		}
		if _, err := db.OpenCase(as["carol"], loan, store.NewCase{Kind: legal.Litigation, Assignee: "alice"}); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("a case assigned to a risk officer: %v, want EINVALID", err)
		}
		if _, err := db.OpenCase(as["carol"], loan, store.NewCase{Kind: legal.Agency, Agency: "NOPE"}); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("a case placed with an unknown agency: %v, want EINVALID", err)
		}
		// The manager opens it for lee, whose queue the loan joins.
		c, err := db.OpenCase(as["carol"], loan, court)
		if err != nil {
			t.Fatal(err)
		}
		if c.Stage != legal.Filed || c.Assignee != "lee" || c.Opened != day("2026-03-20") || c.Events != 1 {
			t.Errorf("opened %+v", c)
		}
		if _, err := db.OpenCase(as["lee"], loan, store.NewCase{Kind: legal.Litigation}); daihou.ErrorCode(err) != daihou.ECONFLICT {
			t.Errorf("a second open litigation case: %v, want ECONFLICT", err)
		}
		if _, _, err := db.MoveCase(as["lin"], c.ID, store.CaseMove{Stage: legal.Accepted}); daihou.ErrorCode(err) != daihou.ENOTFOUND {
			t.Errorf("another lawyer moving the case: %v, want ENOTFOUND", err)
		}

		// Forward only, and the message says where it may go.
		if c, _, err = db.MoveCase(as["lee"], c.ID, store.CaseMove{Stage: legal.Accepted, CourtRef: "(2026)京0105民初1234号"}); err != nil {
			t.Fatal(err)
		}
		if c.CourtRef != "(2026)京0105民初1234号" || c.Stage != legal.Accepted {
			t.Errorf("accepted %+v", c)
		}
		_, _, err = db.MoveCase(as["lee"], c.ID, store.CaseMove{Stage: legal.Filed})
		if !errors.Is(err, legal.ErrBadMove) || daihou.ErrorCode(err) != daihou.ECONFLICT || !strings.Contains(err.Error(), "preservation, judgment, enforcement, closed") {
			t.Errorf("moving back: %v, want ECONFLICT naming the next stages", err)
		}
		if _, _, err := db.MoveCase(as["lee"], c.ID, store.CaseMove{Stage: "appeal"}); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("an unknown stage: %v, want EINVALID", err)
		}
		if c, _, err = db.AddCaseCost(as["lee"], c.ID, money.MustParseAmount("500"), "court fee 诉讼费"); err != nil || c.Costs != money.MustParseAmount("500") {
			t.Fatalf("cost: %+v %v", c, err)
		}
		if _, _, err := db.AddCaseCost(as["lee"], c.ID, 0, ""); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("a cost of 0: %v, want EINVALID", err)
		}

		// Before write-off a recovery is a repayment.
		c, e, _, err := db.RecordCaseRecovery(as["lee"], c.ID, money.MustParseAmount("100"), "", "paid at the hearing")
		if err != nil {
			t.Fatal(err)
		}
		txs, _ := db.Transactions(storetest.Ctx(), loan)
		if last := txs[len(txs)-1]; last.Kind != servicing.Repayment || last.Seq != e.LedgerSeq || last.Amount != money.MustParseAmount("100") {
			t.Errorf("recovery before write-off posted %+v, event %+v", last, e)
		}

		// Written off by maker-checker, then recovered through the case.
		wo, err := db.Propose(as["alice"], loan, auth.ProposalWriteOff, approval.Params{}, "judgment uncollectable for now")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.DecideProposal(as["carol"], wo.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if c, _, err = db.MoveCase(as["lee"], c.ID, store.CaseMove{Stage: legal.Enforcement, Note: "执行立案"}); err != nil {
			t.Fatal(err)
		}
		snapBefore, _ := db.Snapshot(storetest.Ctx(), loan)
		caseBefore := c.Recovered
		amount := money.MustParseAmount("300.07")
		c, e, _, err = db.RecordCaseRecovery(as["lee"], c.ID, amount, "EXEC-2026-1", "frozen account released by the court")
		if err != nil {
			t.Fatal(err)
		}
		snap, _ := db.Snapshot(storetest.Ctx(), loan)
		if got, want := c.Recovered-caseBefore, amount; got != want {
			t.Errorf("the case's recovered total moved by %v, want %v", got, want)
		}
		if got := snap.Recovered - snapBefore.Recovered; got != c.Recovered-caseBefore {
			t.Errorf("the loan's recovered amount moved by %v, the case's by %v: they must move together", got, c.Recovered-caseBefore)
		}
		txs, _ = db.Transactions(storetest.Ctx(), loan)
		if last := txs[len(txs)-1]; last.Kind != servicing.Recovery || last.Seq != e.LedgerSeq || last.Reference != "EXEC-2026-1" {
			t.Errorf("recovery after write-off posted %+v, event %+v", last, e)
		}
		// The same reference again changes nothing.
		again, e2, dup, err := db.RecordCaseRecovery(as["lee"], c.ID, amount, "EXEC-2026-1", "")
		if err != nil || !dup || e2.Seq != e.Seq || again.Recovered != c.Recovered {
			t.Errorf("the same recovery again: %+v %+v %v; want the first event and no change", again, e2, err)
		}
		if n, _ := db.Transactions(storetest.Ctx(), loan); len(n) != len(txs) {
			t.Errorf("the same recovery again posted: %d transactions, then %d", len(txs), len(n))
		}
		// A reference of another posting is not this case's.
		if _, _, _, err := db.RecordCaseRecovery(as["lee"], c.ID, amount, approval.Reference(wo.ID), ""); daihou.ErrorCode(err) != daihou.ECONFLICT {
			t.Errorf("recovery with the write-off's reference: %v, want ECONFLICT", err)
		}

		events, err := db.CaseEvents(as["lee"], c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		var recovered money.Amount
		for i, e := range events {
			kinds = append(kinds, string(e.Kind))
			recovered += e.Recovery
			if e.Seq != i+1 {
				t.Errorf("event %d has seq %d", i, e.Seq)
			}
		}
		if want := []string{"open", "move", "cost", "recovery", "move", "recovery"}; !slices.Equal(kinds, want) {
			t.Errorf("events %q, want %q", kinds, want)
		}
		if recovered != c.Recovered {
			t.Errorf("events recover %v, the case %v", recovered, c.Recovered)
		}

		// Lists follow scope.
		for who, want := range map[string]int{"lee": 1, "carol": 1, "dave": 0, "lin": 0, "alice": 1} {
			got, err := db.Cases(as[who], store.CaseFilter{Open: true})
			if err != nil || len(got) != want {
				t.Errorf("open cases as %s: %+v %v; want %d", who, got, err, want)
			}
		}
		if _, err := db.Case(as["dave"], c.ID); daihou.ErrorCode(err) != daihou.ENOTFOUND {
			t.Errorf("a collector reading a case outside their queue: %v, want ENOTFOUND", err)
		}

		// Closed: nothing more on it; a new case may be opened.
		if c, _, err = db.MoveCase(as["lee"], c.ID, store.CaseMove{Stage: legal.Closed}); err != nil || c.Closed != day("2026-03-20") {
			t.Fatalf("closed %+v %v", c, err)
		}
		if _, _, err := db.AddCaseCost(as["lee"], c.ID, 100, ""); daihou.ErrorCode(err) != daihou.ECONFLICT {
			t.Errorf("a cost on a closed case: %v, want ECONFLICT", err)
		}
		if _, _, _, err := db.RecordCaseRecovery(as["lee"], c.ID, 100, "", ""); daihou.ErrorCode(err) != daihou.ECONFLICT {
			t.Errorf("a recovery on a closed case: %v, want ECONFLICT", err)
		}
		if _, _, err := db.MoveCase(as["lee"], c.ID, store.CaseMove{Stage: legal.Enforcement}); daihou.ErrorCode(err) != daihou.ECONFLICT {
			t.Errorf("moving a closed case: %v, want ECONFLICT", err)
		}

		// An agency case, placed with an active agency.
		addAgency(t, backend, dsn, "AG01")
		ag, err := db.OpenCase(as["carol"], ids[1], store.NewCase{Kind: legal.Agency, Agency: "AG01", Assignee: "lin"})
		if err != nil || ag.Stage != legal.Placed || ag.Agency != "AG01" {
			t.Fatalf("agency case %+v %v", ag, err)
		}
		if _, _, err := db.MoveCase(as["lin"], ag.ID, store.CaseMove{Stage: legal.Judgment}); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("an agency case to a court's stage: %v, want EINVALID", err)
		}
		if _, _, err := db.MoveCase(as["lin"], ag.ID, store.CaseMove{Stage: legal.Working, CourtRef: "x"}); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("an agency case with a court reference: %v, want EINVALID", err)
		}
		storetest.CheckCache(t, db)
		if _, err := db.VerifyAudit(as["erin"], nil); err != nil {
			t.Error(err)
		}
	})
}

// addAgency adds an active agency to the book at dsn directly: the tests
// of cases need one, not the way agencies are managed.
func addAgency(t *testing.T, backend, dsn, code string) {
	t.Helper()
	driver, src := "sqlite", "file:"+dsn
	if backend == "postgres" {
		driver, src = "pgx", dsn
	}
	raw, err := sql.Open(driver, src)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	q := `INSERT INTO agencies (code, name, active, updated_by, updated_at) VALUES ('` + code + `', 'agency', 1, 'test', '2026-03-20T00:00:00Z')`
	if _, err := raw.Exec(q); err != nil {
		t.Fatal(err)
	}
}
