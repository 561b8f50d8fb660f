package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"daihou"
	"daihou/approval"
	"daihou/auth"
	"daihou/legal"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/web/api"
)

// approvalFixtures makes what the approval and case routes act on in the
// OpenAPI test: a pending restructuring of TL1 proposed by risk, and a
// litigation case on TL1 opened by mgr for legal.
func approvalFixtures(t *testing.T, b *book) (proposal, legalCase int64) {
	t.Helper()
	p, err := b.db.Propose(b.as["risk"], b.loans[1], auth.ProposalRestructure,
		approval.Params{NewRate: money.MustParseRate("0.06"), NewTerm: 24, NewMethod: schedule.EqualInstallment}, "lower installments the borrower can pay")
	if err != nil {
		t.Fatal(err)
	}
	c, err := b.db.OpenCase(b.as["mgr"], b.loans[1], store.NewCase{Kind: legal.Litigation, Court: "北京市朝阳区人民法院", Assignee: "legal"})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID, c.ID
}

// decodeAs reads r's body into v.
func decodeAs(t *testing.T, r reply, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%s: %v", r, err)
	}
}

// Maker-checker over HTTP: a write-off proposed by a risk officer shows in
// the manager's inbox and not in the maker's; the maker and a risk officer
// may not approve it; the manager's approval posts it once; then a
// recovery on the loan's legal case is posted as a recovery and moves the
// case's total and the loan's by the same amount.
func TestApprovalAndCaseOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		b := newBook(t, backend, nil)
		tl3 := strconv.FormatInt(b.loans[3], 10)
		post := func(who, path, body string) reply { return do(t, "POST", b.base+path, b.bearer[who], body) }
		get := func(who, path string) reply { return do(t, "GET", b.base+path, b.bearer[who], "") }

		problem(t, "a collector proposing on a loan outside the queue", post("col", "/api/v1/loans/TL3/proposals", `{"kind":"writeoff","reason":"x"}`), 404, daihou.ENOTFOUND)
		problem(t, "a proposal without a reason", post("risk", "/api/v1/loans/TL3/proposals", `{"kind":"writeoff","reason":""}`), 400, daihou.EINVALID)
		problem(t, "a write-off with an amount", post("risk", "/api/v1/loans/TL3/proposals", `{"kind":"writeoff","amount":"1.00","reason":"x"}`), 400, daihou.EINVALID)
		r := post("risk", "/api/v1/loans/TL3/proposals", `{"kind":"writeoff","reason":"the borrower is in prison for fraud"}`)
		if r.status != 201 {
			t.Fatalf("propose: %s", r)
		}
		var p api.Approval
		decodeAs(t, r, &p)
		if p.Status != "pending" || p.Maker != "risk" || p.CanDecide || p.Kind != "writeoff" || p.LoanID != b.loans[3] {
			t.Errorf("proposed %+v", p)
		}
		problem(t, "a second pending write-off", post("risk", "/api/v1/loans/"+tl3+"/proposals", `{"kind":"writeoff","reason":"again"}`), 409, daihou.ECONFLICT)

		inbox := func(who string) map[string]bool {
			t.Helper()
			r := get(who, "/api/v1/approvals?inbox=true&status=pending")
			if r.status != 200 {
				t.Fatalf("inbox of %s: %s", who, r)
			}
			var page struct{ Approvals []api.Approval }
			decodeAs(t, r, &page)
			out := map[string]bool{}
			for _, a := range page.Approvals {
				out[fmt.Sprintf("%s %d", a.Kind, a.ID)] = a.CanDecide
			}
			return out
		}
		wo := fmt.Sprintf("writeoff %d", p.ID)
		if in := inbox("mgr"); !in[wo] {
			t.Errorf("the manager's inbox %v does not hold %s", in, wo)
		}
		if in := inbox("risk2"); len(in) != 3 || in[wo] {
			t.Errorf("the second risk officer's inbox %v: want the three overrides, not the write-off, which only management decides", in)
		}
		if in := inbox("risk"); len(in) != 0 {
			t.Errorf("the maker's inbox %v, want empty", in)
		}
		// Two pages of two, by cursor, are the three overrides once each.
		var first, second api.ApprovalPage
		decodeAs(t, get("risk2", "/api/v1/approvals?inbox=true&limit=2"), &first)
		if len(first.Approvals) != 2 || first.NextCursor == "" {
			t.Fatalf("the first page of two: %+v", first)
		}
		decodeAs(t, get("risk2", "/api/v1/approvals?inbox=true&limit=2&cursor="+url.QueryEscape(first.NextCursor)), &second)
		if len(second.Approvals) != 1 || second.NextCursor != "" || second.Approvals[0].ID == first.Approvals[0].ID || second.Approvals[0].ID == first.Approvals[1].ID {
			t.Errorf("the second page of two: %+v after %+v", second, first)
		}
		if r := get("risk2", "/api/v1/approvals?cursor=12'%20OR%201=1"); r.status != 400 || !strings.Contains(string(r.body), `"field":"cursor"`) {
			t.Errorf("a cursor the list did not give: %s", r)
		}

		decision := fmt.Sprintf("/api/v1/approvals/%d/decision", p.ID)
		problem(t, "the maker approving", post("risk", decision, `{"approve":true}`), 403, daihou.EUNAUTHORIZED)
		problem(t, "a risk officer approving a write-off", post("risk2", decision, `{"approve":true}`), 403, daihou.EUNAUTHORIZED)
		problem(t, "a decision without approve", post("mgr", decision, `{"note":"x"}`), 400, daihou.EINVALID)
		problem(t, "an unknown proposal", post("mgr", "/api/v1/approvals/999999/decision", `{"approve":true}`), 404, daihou.ENOTFOUND)
		if txs, _ := b.db.Transactions(storetest.Ctx(), b.loans[3]); len(txs) != 1 {
			t.Errorf("before approval the loan has %d transactions, want the disbursement alone", len(txs))
		}
		r = post("mgr", decision, `{"approve":true,"note":"loss provision in place"}`)
		if r.status != 200 {
			t.Fatalf("approve: %s", r)
		}
		decodeAs(t, r, &p)
		if p.Status != "approved" || p.Checker != "mgr" || p.PostedSeq == 0 {
			t.Errorf("approved %+v", p)
		}
		problem(t, "deciding twice", post("mgr", decision, `{"approve":false,"note":"changed my mind"}`), 409, daihou.ECONFLICT)
		txs, _ := b.db.Transactions(storetest.Ctx(), b.loans[3])
		if len(txs) != 2 || txs[1].Kind != servicing.WriteOff || txs[1].Seq != p.PostedSeq || txs[1].Reference != approval.Reference(p.ID) {
			t.Errorf("after approval: %+v, want the write-off once", txs)
		}

		// A classification override decided through the inbox.
		o := post("risk2", fmt.Sprintf("/api/v1/approvals/%d/decision", b.override[b.loans[1]]), `{"approve":true,"kind":"override"}`)
		var od api.Approval
		if o.status != 200 {
			t.Fatalf("deciding an override: %s", o)
		}
		if decodeAs(t, o, &od); od.Kind != "override" || od.Status != "approved" || od.Checker != "risk2" {
			t.Errorf("override decided %+v", od)
		}

		// The written-off loan goes to court; what the court recovers is
		// posted as a recovery and counted on the case.
		problem(t, "legal opening a case on a loan not assigned to it", post("legal", "/api/v1/loans/TL3/cases", `{"kind":"litigation"}`), 404, daihou.ENOTFOUND)
		r = post("mgr", "/api/v1/loans/TL3/cases", `{"kind":"litigation","court":"北京市朝阳区人民法院","assignee":"legal","note":"fraud: sue the estate"}`)
		if r.status != 201 {
			t.Fatalf("open a case: %s", r)
		}
		var c api.Case
		decodeAs(t, r, &c)
		if c.Stage != "filed" || c.Assignee != "legal" {
			t.Errorf("opened %+v", c)
		}
		events := fmt.Sprintf("/api/v1/cases/%d/events", c.ID)
		problem(t, "an unknown event", post("legal", events, `{"kind":"appeal"}`), 400, daihou.EINVALID)
		if r := post("legal", events, `{"kind":"move","stage":"judgment","court_ref":"(2026)京0105民初88号"}`); r.status != 201 {
			t.Fatalf("move: %s", r)
		}
		back := problem(t, "moving back", post("legal", events, `{"kind":"move","stage":"accepted"}`), 409, daihou.ECONFLICT)
		if !strings.Contains(back.Message, "enforcement, closed") {
			t.Errorf("moving back: %q does not say where the case may go", back.Message)
		}
		before, _ := b.db.Snapshot(storetest.Ctx(), b.loans[3])
		r = post("legal", events, `{"kind":"recovery","amount":"250.30","reference":"EXEC-9","note":"from the frozen account"}`)
		if r.status != 201 {
			t.Fatalf("recovery: %s", r)
		}
		var ans api.CaseEventAnswer
		decodeAs(t, r, &ans)
		after, _ := b.db.Snapshot(storetest.Ctx(), b.loans[3])
		amount := money.MustParseAmount("250.30")
		if ans.Case.Recovered != amount || after.Recovered-before.Recovered != amount || ans.Event.LedgerSeq == 0 {
			t.Errorf("recovery of %v: case recovered %v, loan %v → %v, event %+v", amount, ans.Case.Recovered, before.Recovered, after.Recovered, ans.Event)
		}
		txs, _ = b.db.Transactions(storetest.Ctx(), b.loans[3])
		if last := txs[len(txs)-1]; last.Kind != servicing.Recovery || last.Seq != ans.Event.LedgerSeq {
			t.Errorf("the recovery posted %+v", last)
		}
		r = post("legal", events, `{"kind":"recovery","amount":"250.30","reference":"EXEC-9"}`)
		var again api.CaseEventAnswer
		if r.status != 200 {
			t.Fatalf("the same recovery again: %s, want 200", r)
		}
		if decodeAs(t, r, &again); again.Event.Seq != ans.Event.Seq || again.Case.Recovered != amount {
			t.Errorf("the same recovery again: %+v", again)
		}
		list := func(who, query string) []api.Case {
			r := get(who, "/api/v1/cases"+query)
			if r.status != 200 {
				t.Fatalf("GET /api/v1/cases%s as %s: %s", query, who, r)
			}
			var page struct{ Cases []api.Case }
			decodeAs(t, r, &page)
			return page.Cases
		}
		if got := list("legal", "?open=true&loan=TL3"); len(got) != 1 || got[0].ID != c.ID || got[0].Recovered != amount {
			t.Errorf("legal's open cases on TL3: %+v", got)
		}
		if got := list("col", ""); len(got) != 0 {
			t.Errorf("a collector lists cases outside the queue: %+v", got)
		}
		problem(t, "a bad stage filter", get("legal", "/api/v1/cases?stage=appeal"), 400, daihou.EINVALID)
		problem(t, "a bad kind filter", get("mgr", "/api/v1/approvals?kind=gift"), 400, daihou.EINVALID)
		if n, err := b.db.VerifyAudit(b.as["aud"], nil); err != nil || n == 0 {
			t.Errorf("VerifyAudit: %d, %v", n, err)
		}
	})
}
