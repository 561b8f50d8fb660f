package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
)

// Maker-checker and legal cases from the command line: a collector
// proposes a waiver, cannot approve it, a risk officer does and it is
// posted; a write-off is rejected with a note, proposed again and
// approved by a manager; the loan's case, worked by legal, goes forward
// only and its recovery is posted as a recovery after write-off.
func TestApprovalAndCaseCommands(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) {
		dsn := storetest.DSN(t, backend)
		db := storetest.OpenPath(t, dsn)
		ids := storetest.AddLoans(t, db, servicing.DefaultProduct("CL"), 2, "")
		as := storetest.Users(t, db, "dave=collector", "alice=risk-officer", "carol=manager", "lee=legal", "erin=auditor")
		// dave's queue is full: close of business gives him none of the
		// loans' collection work, so he holds only what he is assigned.
		if err := db.PutCollector(as["admin"], store.Collector{Name: "dave", Capacity: 0}); err != nil {
			t.Fatal(err)
		}
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
			return errs
		}
		ok("eod", "--date", "2026-02-20", "--as", "admin")
		ok("loan", "assign", "L0", "--to", "dave", "--as", "carol")

		// A waiver: proposed by the collector, approved by risk.
		refused(3, "approval", "propose", "L0", "--kind", "waiver", "--component", "interest", "--amount", "120.01", "--reason", "hardship", "--as", "dave")
		refused(2, "approval", "propose", "L0", "--kind", "override", "--reason", "x", "--as", "dave")
		out := ok("approval", "propose", "L0", "--kind", "waiver", "--component", "interest", "--amount", "50", "--reason", "lost his job", "--as", "dave", "--json")
		var p struct {
			ID        int64
			Status    string
			CanDecide bool  `json:"can_decide"`
			PostedSeq int64 `json:"posted_seq"`
		}
		if err := json.Unmarshal([]byte(out), &p); err != nil || p.ID == 0 || p.Status != "pending" {
			t.Fatalf("propose --json: %q %v", out, err)
		}
		id := fmt.Sprint(p.ID)
		refused(5, "approval", "propose", "L0", "--kind", "waiver", "--component", "interest", "--amount", "1", "--reason", "again", "--as", "dave")
		refused(6, "approval", "approve", id, "--as", "dave")
		if out := ok("approval", "list", "--inbox", "--as", "alice"); !strings.Contains(out, "waive 50.00 of interest") || !strings.Contains(out, "decide") {
			t.Errorf("alice's inbox:\n%s", out)
		}
		if out := ok("approval", "list", "--inbox", "--as", "dave"); !strings.Contains(out, "no proposals") {
			t.Errorf("the maker's inbox:\n%s", out)
		}
		if out := ok("approval", "approve", id, "--note", "within policy", "--as", "alice"); !strings.Contains(out, "approved by alice; posted as #") {
			t.Errorf("approve: %q", out)
		}
		refused(5, "approval", "approve", id, "--as", "carol")
		txs, _ := db.Transactions(storetest.Ctx(), ids[0])
		if last := txs[len(txs)-1]; last.Kind != servicing.Waiver || last.Reference != "proposal:"+id {
			t.Errorf("after the approval the ledger ends with %+v", last)
		}

		// A write-off: a rejection needs a note; then approved by the manager.
		out = ok("approval", "propose", "L1", "--kind", "writeoff", "--reason", "borrower deceased", "--as", "alice", "--json")
		json.Unmarshal([]byte(out), &p)
		wo := fmt.Sprint(p.ID)
		refused(2, "approval", "reject", wo, "--as", "carol")
		refused(6, "approval", "approve", wo, "--as", "alice")
		ok("approval", "reject", wo, "--note", "the estate pays", "--as", "carol")
		refused(5, "approval", "withdraw", wo, "--as", "alice")
		out = ok("approval", "propose", "L1", "--kind", "writeoff", "--reason", "the estate is empty", "--as", "alice", "--json")
		json.Unmarshal([]byte(out), &p)
		wo = fmt.Sprint(p.ID)
		ok("approval", "approve", wo, "--as", "carol")
		if out := ok("approval", "list", "--status", "all", "--kind", "writeoff", "--loan", "L1", "--as", "carol"); strings.Count(out, "writeoff") != 2 || !strings.Contains(out, "rejected") || !strings.Contains(out, "approved") {
			t.Errorf("the write-offs of L1:\n%s", out)
		}
		if s, _ := db.Snapshot(storetest.Ctx(), ids[1]); s.Status != servicing.StatusWrittenOff {
			t.Fatalf("L1 is %s after the approved write-off", s.Status)
		}

		// Its case: opened by the manager for lee; forward only; a recovery.
		out = ok("case", "open", "L1", "--kind", "litigation", "--court", "北京市朝阳区人民法院", "--assignee", "lee", "--as", "carol", "--json")
		var c struct {
			ID        int64
			Stage     string
			Recovered string
		}
		if err := json.Unmarshal([]byte(out), &c); err != nil || c.Stage != "filed" {
			t.Fatalf("case open --json: %q %v", out, err)
		}
		cid := fmt.Sprint(c.ID)
		refused(5, "case", "open", "L1", "--kind", "litigation", "--as", "lee")
		ok("case", "move", cid, "--stage", "accepted", "--court-ref", "(2026)京0105民初1234号", "--as", "lee")
		if errs := refused(5, "case", "move", cid, "--stage", "filed", "--as", "lee"); !strings.Contains(errs, "preservation, judgment, enforcement, closed") {
			t.Errorf("moving back says %q, want the stages it may move to", errs)
		}
		refused(3, "case", "move", cid, "--stage", "appeal", "--as", "lee")
		refused(4, "case", "move", cid, "--stage", "judgment", "--as", "dave")
		ok("case", "cost", cid, "--amount", "500", "--note", "诉讼费", "--as", "lee")
		before, _ := db.Snapshot(storetest.Ctx(), ids[1])
		if out := ok("case", "recover", cid, "--amount", "300.25", "--reference", "EXEC-1", "--as", "lee"); !strings.Contains(out, "recovered 300.25") {
			t.Errorf("recover: %q", out)
		}
		if out := ok("case", "recover", cid, "--amount", "300.25", "--reference", "EXEC-1", "--as", "lee"); !strings.Contains(out, "nothing changed") {
			t.Errorf("the same recovery again: %q", out)
		}
		after, _ := db.Snapshot(storetest.Ctx(), ids[1])
		out = ok("case", "show", cid, "--as", "lee", "--json")
		var shown struct {
			Case struct {
				Recovered string
				CourtRef  string `json:"court_ref"`
			}
			Events []struct{ Kind string }
		}
		if err := json.Unmarshal([]byte(out), &shown); err != nil {
			t.Fatal(err)
		}
		if shown.Case.Recovered != "300.25" || (after.Recovered-before.Recovered).String() != "300.25" || len(shown.Events) != 4 || shown.Case.CourtRef == "" {
			t.Errorf("case show: %+v; the loan recovered %v → %v", shown, before.Recovered, after.Recovered)
		}
		if out := ok("case", "show", cid, "--as", "lee"); !strings.Contains(out, "recovered 300.25 (ledger #") || !strings.Contains(out, "案号") {
			t.Errorf("case show:\n%s", out)
		}
		if out := ok("case", "list", "--open", "--as", "dave"); !strings.Contains(out, "no cases") {
			t.Errorf("a collector's cases:\n%s", out)
		}
		if out := ok("case", "list", "--assignee", "lee", "--as", "carol"); !strings.Contains(out, "accepted") {
			t.Errorf("lee's cases:\n%s", out)
		}
		ok("audit", "verify", "--as", "erin")
	})
}
