package e2e_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"daihou/civil"
	"daihou/money"
	"daihou/store/storetest"
)

// TestWalk walks the whole post-loan loop the way a new user would, on the
// daihou binary and nothing else: users of every role, a core-banking
// file of loans with bad rows in it, payment files with a back-dated
// payment and a re-delivery, close of business day by day (on PostgreSQL
// split over two 'daihou eod worker' processes), 'daihou serve' taking a
// court listing by signed webhook and raising its warning at once, the
// SOP's and the strategy's tasks in the collectors' queues, a promise to
// pay kept and one broken, a classification override and a write-off each
// through maker-checker, a back-test of a draft rule, the five-tier sheet
// exported to xlsx from the console, the collector's queue in Chromium,
// and the audit trail verified at the end.
func TestWalk(t *testing.T) {
	if storetest.RaceDetector {
		t.Skip("the walk drives the daihou binary and Chromium, neither built with the race detector: it runs in the ordinary test run")
	}
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("sqlite", func(t *testing.T) { walk(t, bin, "sqlite") })
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(storetest.EnvPostgres) == "" {
			t.Skip("PostgreSQL not tested: set " + storetest.EnvPostgres + "=postgres://… to run this against it")
		}
		walk(t, bin, "postgres")
	})
}

// The book the walk takes over: 24 loans of 12,000.00 at 12 % over 12
// months, equal installments of 1,066.19, taken over on opened.
// L001–L016 (disbursed 2025-10-10) pay every installment; L005's December
// payment reaches the book three weeks late, back-dated. L017–L020
// (disbursed 2025-09-28) and L021–L024 (2025-10-10) never pay.
const (
	opened    = "2025-12-20" // the business date the book is taken over on
	firstStop = "2025-12-31" // the first run of close of business ends here
	lastClose = "2026-01-27" // the book is closed through here before the promises
	walkPass  = "Tidal-Basin-4471"
	rootPass  = "Quiet-River-2026"
	courtKey  = "walk-court-secret-0123456789abcdef"
)

// walkUsers are the book's people besides root, its administrator.
var walkUsers = []struct{ name, roles, officer string }{
	{"col1", "collector", ""},
	{"col2", "collector", ""},
	{"risk1", "risk-officer", ""},
	{"risk2", "risk-officer", ""},
	{"mgr", "manager", ""},
	{"chief", "risk-officer,manager", ""}, // may propose a write-off and decide one: maker-checker must still stop them deciding their own
	{"legal1", "legal", ""},
	{"am1", "account-manager", "AM01"}, // the dedicated officer (贷后管家) of every loan
	{"aud", "auditor", ""},
}

func loanNo(i int) string { return fmt.Sprintf("L%03d", i) }

// paying reports whether loan i pays its installments.
func paying(i int) bool { return i <= 16 }

func walk(t *testing.T, bin, backend string) {
	began := time.Now()
	w := newWalker(t, bin, backend)
	defer func() { t.Logf("the walk on %s took %.1f s", backend, time.Since(began).Seconds()) }()

	// 1. Bootstrap: the first user is the administrator, who adds the
	// others; from then on every command says who acts.
	w.okIn(rootPass+"\n", "user", "add", "root", "--admin", "--password-stdin")
	for _, u := range walkUsers {
		args := []string{"user", "add", u.name, "--role", u.roles, "--password-stdin", "--as", "root"}
		if u.officer != "" {
			args = append(args, "--officer", u.officer)
		}
		w.okIn(walkPass+"\n", args...)
	}
	var users []struct {
		Name  string   `json:"name"`
		Roles []string `json:"roles"`
	}
	w.okJSON(&users, "user", "list", "--json", "--as", "root")
	if len(users) != len(walkUsers)+1 {
		t.Errorf("user list has %d users, want %d: %+v", len(users), len(walkUsers)+1, users)
	}
	if r := w.run("", "product", "list"); r.code != 6 || !strings.Contains(r.stderr, "--as") {
		t.Errorf("a command that names nobody on a book with users: exit %d %q, want 6 and how to say who acts", r.code, r.stderr)
	}
	w.ok("product", "put", "CONS-12", "--name", "消费分期 12 期", "--method", "equal-installment", "--as", "root")
	var issued struct {
		Token string `json:"token"`
	}
	w.okJSON(&issued, "token", "add", "core-banking", "--role", "integration", "--scope", "all", "--json", "--as", "root")
	if !strings.HasPrefix(issued.Token, "dh_") {
		t.Fatalf("token add printed the token %q", issued.Token)
	}
	coreBanking := issued.Token

	// 2. The core-banking file of loans, two rows of it bad: they are
	// reported with their lines and reasons and the good rows kept.
	loans := [][]string{{"loan_id", "borrower_id", "product", "principal", "rate", "term", "disbursement_date", "borrower_name", "phone", "branch", "officer", "region"}}
	for i := 1; i <= 24; i++ {
		disbursed := "2025-10-10"
		if i >= 17 && i <= 20 {
			disbursed = "2025-09-28"
		}
		loans = append(loans, []string{loanNo(i), fmt.Sprintf("B%03d", i), "CONS-12", "12000.00", "0.12", "12", disbursed,
			fmt.Sprintf("客户%02d", i), fmt.Sprintf("1380000%04d", i), "BJ01", "AM01", "北京"})
		if i == 4 { // line 6 of the file
			loans = append(loans, []string{"L900", "B900", "CONS-12", "12000.00", "12%", "12", "2025-10-10", "客户90", "13800009900", "BJ01", "AM01", "北京"})
		}
	}
	// line 27: a loan paid out after the take-over date
	loans = append(loans, []string{"L901", "B901", "CONS-12", "12000.00", "0.12", "12", "2026-02-01", "客户91", "13800009901", "BJ01", "AM01", "北京"})
	loanFile := w.writeCSV("loans.csv", loans)
	var imp importResult
	if r := w.runJSON(&imp, "import", "loans", loanFile, "--business-date", opened, "--json", "--as", "root"); r.code != 7 {
		t.Fatalf("import loans with two bad rows: exit %d, want 7\n%s", r.code, r.stderr)
	}
	if imp.Rows != 26 || imp.Imported != 24 || len(imp.Rejected) != 2 {
		t.Fatalf("import loans: %+v, want 26 rows, 24 imported, 2 rejected", imp)
	}
	for i, want := range []struct {
		line  int
		field string
	}{{6, "rate"}, {27, "disbursement_date"}} {
		if got := imp.Rejected[i]; got.Line != want.line || !strings.Contains(got.Reason, want.field) {
			t.Errorf("rejected row %d: %+v, want line %d and a reason naming %s", i, got, want.line, want.field)
		}
	}
	rejects := w.readCSV(loanFile + ".rejects.csv")
	if len(rejects) != 3 || rejects[1][0] != "6" || !strings.HasPrefix(rejects[1][2], "L900,") || rejects[2][0] != "27" || !strings.HasPrefix(rejects[2][2], "L901,") {
		t.Errorf("loans.csv.rejects.csv holds %q, want a heading and lines 6 and 27 with their reasons and rows", rejects)
	}
	w.fails(4, "loan", "show", "L900", "--as", "mgr")
	if err := os.Remove(loanFile + ".rejects.csv"); err != nil {
		t.Fatal(err)
	}
	if r := w.runJSON(&imp, "import", "loans", loanFile, "--json", "--as", "root"); r.code != 7 || imp.Imported != 0 || imp.Duplicates != 24 {
		t.Errorf("the loans file delivered again: %+v, want nothing imported and 24 already present", imp)
	}

	// 3. Payments by file: two installments of every paying loan but
	// L005's second.
	var first [][]string
	first = append(first, []string{"loan_id", "value_date", "amount", "reference", "channel"})
	for i := 1; i <= 16; i++ {
		first = append(first, []string{loanNo(i), "2025-11-10", "1066.19", fmt.Sprintf("CB-%03d-01", i), "bank"})
		if i != 5 {
			first = append(first, []string{loanNo(i), "2025-12-10", "1066.19", fmt.Sprintf("CB-%03d-02", i), "bank"})
		}
	}
	firstFile := w.writeCSV("payments-1.csv", first)
	w.okJSON(&imp, "import", "payments", firstFile, "--json", "--as", "root")
	if imp.Imported != 31 || imp.Duplicates != 0 || len(imp.Rejected) != 0 {
		t.Fatalf("import payments: %+v, want 31 imported", imp)
	}

	// 4. Close of business to the end of December: L005 is three weeks
	// past due with penalty running.
	w.workers = w.startWorkers()
	w.close(firstStop)
	l5 := w.loan("L005", "mgr")
	if l5.State.DPD != 21 || fen(t, l5.State.PenaltyDue) <= 0 || l5.State.Class != 2 {
		t.Errorf("L005 on %s before its late payment: DPD %d, penalty %s, class %d; want 21 days past due, penalty, 关注",
			firstStop, l5.State.DPD, l5.State.PenaltyDue, l5.State.Class)
	}

	// L005's December payment arrives, value-dated on its due date, with
	// a row of the first file delivered again: the replay owes nothing
	// late, and the re-delivered payment is not posted twice.
	second := w.writeCSV("payments-2.csv", [][]string{
		{"loan_id", "value_date", "amount", "reference", "channel"},
		{"L005", "2025-12-10", "1066.19", "CB-005-02", "bank"},
		{"L001", "2025-11-10", "1066.19", "CB-001-01", "bank"},
	})
	w.okJSON(&imp, "import", "payments", second, "--json", "--as", "root")
	if imp.Imported != 1 || imp.Duplicates != 1 {
		t.Errorf("the back-dated payment and a re-delivered one: %+v, want 1 imported and 1 already present", imp)
	}
	l5 = w.loan("L005", "mgr")
	if l5.State.DPD != 0 || l5.State.PenaltyDue != "0.00" || l5.State.Class != 1 || l5.State.OverduePrincipal != "0.00" {
		t.Errorf("L005 after its back-dated payment: DPD %d, penalty %s, overdue principal %s, class %d; want current, nothing owed late, 正常",
			l5.State.DPD, l5.State.PenaltyDue, l5.State.OverduePrincipal, l5.State.Class)
	}
	if tx := l5.Transactions[len(l5.Transactions)-1]; tx.ValueDate != "2025-12-10" || tx.Applied.Penalty != "0.00" || fen(t, tx.Applied.Interest)+fen(t, tx.Applied.Principal) != 106619 {
		t.Errorf("L005's back-dated payment %+v: want it value-dated 2025-12-10, no penalty, the whole installment to interest and principal", tx)
	}
	if as := w.loan("L005", "mgr", "--as-of", "2025-12-25"); as.State.DPD != 0 {
		t.Errorf("L005 as of 2025-12-25, replayed: DPD %d, want 0", as.State.DPD)
	}
	if l1 := w.loan("L001", "mgr"); len(l1.Transactions) != 3 || repayments(l1) != 2 {
		t.Errorf("L001 after its payment was delivered twice: %d transactions (%d repayments), want the disbursement and 2 repayments", len(l1.Transactions), repayments(l1))
	}
	w.okJSON(&imp, "import", "payments", firstFile, "--json", "--as", "root")
	if imp.Imported != 0 || imp.Duplicates != 31 {
		t.Errorf("the first payments file delivered again: %+v, want 31 already present", imp)
	}

	// Close of business on through January; core banking's file of the
	// day's payments comes in after the close of their due date.
	third := [][]string{{"loan_id", "value_date", "amount", "reference", "channel"}}
	for i := 1; i <= 16; i++ {
		third = append(third, []string{loanNo(i), "2026-01-10", "1066.19", fmt.Sprintf("CB-%03d-03", i), "bank"})
	}
	w.close("2026-01-10")
	w.okJSON(&imp, "import", "payments", w.writeCSV("payments-3.csv", third), "--json", "--as", "root")
	if imp.Imported != 16 {
		t.Errorf("January's payments: %+v, want 16 imported", imp)
	}
	w.close(lastClose)
	var report portfolioReport
	w.okJSON(&report, "report", "--json", "--as", "mgr")
	if report.Date != lastClose {
		t.Fatalf("the report is as of %s, want the last close %s", report.Date, lastClose)
	}
	buckets := map[string]int{}
	for _, b := range report.Buckets {
		buckets[b.Name] = b.Loans
	}
	// L017–L020 fell due on 2025-10-28 (91 days), L021–L024 on 2025-11-10 (78 days).
	if want := map[string]int{"M0": 16, "M3": 4, "M4": 4}; !mapsEqualNonZero(buckets, want) {
		t.Errorf("buckets on %s: %v, want %v", lastClose, buckets, want)
	}
	for _, i := range []int{1, 5, 16} {
		if l := w.loan(loanNo(i), "mgr"); l.State.DPD != 0 || repayments(l) != 3 {
			t.Errorf("%s on %s: DPD %d with %d repayments, want current with 3", loanNo(i), lastClose, l.State.DPD, repayments(l))
		}
	}

	// 5. daihou serve: the loans as close of business left them, over
	// HTTP; a court listing pushed by the signed webhook raises its
	// warning in front of legal at once.
	w.serve("DAIHOU_WEBHOOK_SECRET_COURT=" + courtKey)
	mgr := w.session("mgr")
	var list struct {
		Loans []struct {
			ID     int64  `json:"id"`
			Number string `json:"number"`
			DPD    int    `json:"dpd"`
			Class  int    `json:"class"`
		} `json:"loans"`
	}
	w.getJSON(&list, "/api/v1/loans?limit=100", mgr)
	ids := map[string]int64{}
	numbers := map[int64]int{}
	for _, l := range list.Loans {
		ids[l.Number] = l.ID
		i, _ := strconv.Atoi(strings.TrimPrefix(l.Number, "L"))
		numbers[l.ID] = i
		want := 0
		switch {
		case i >= 17 && i <= 20:
			want = 91
		case i >= 21:
			want = 78
		}
		if l.DPD != want {
			t.Errorf("GET /api/v1/loans: %s is %d days past due, want %d", l.Number, l.DPD, want)
		}
	}
	if len(list.Loans) != 24 {
		t.Fatalf("GET /api/v1/loans lists %d loans, want 24", len(list.Loans))
	}

	w.ok("loan", "assign", "L003", "--to", "legal1", "--kind", "legal", "--as", "mgr")
	legal := w.session("legal1")
	record := []byte(`{"id":"court-2026-0001","borrower":"B003","date":"` + lastClose + `","event":"listed","case_no":"(2026)京0105执1234号","amount":"50000.00"}` + "\n")
	if code, body := w.pushCourt(record, "sha256="+strings.Repeat("0", 64)); code != http.StatusUnauthorized {
		t.Errorf("a court record with a bad signature: %d %s, want 401", code, body)
	}
	pushed := time.Now()
	code, body := w.pushCourt(record, "")
	var stored struct {
		Stored, Duplicates, Warnings int
	}
	json.Unmarshal(body, &stored)
	if code != http.StatusOK || stored.Stored != 1 || stored.Warnings != 1 {
		t.Fatalf("the signed court record: %d %s, want 200 with it stored and a warning raised", code, body)
	}
	var warned struct {
		Warnings []walkWarning `json:"warnings"`
	}
	eventually(t, "the court listing's warning for legal", 10*time.Second, func() bool {
		w.getJSON(&warned, "/api/v1/warnings?loan=L003&state=open", legal)
		return len(warned.Warnings) == 1
	})
	if got := warned.Warnings[0]; got.Rule != "dishonest" || got.Severity != "red" || got.Owner != "legal" || !strings.HasPrefix(got.By, "system:webhook:court") {
		t.Errorf("the court listing raised %+v, want the red dishonest-debtor warning for legal, by the webhook", got)
	}
	t.Logf("the court listing's warning was in front of legal %v after the push", time.Since(pushed).Round(time.Millisecond))
	if code, body := w.pushCourt(record, ""); code != http.StatusOK || !bytes.Contains(body, []byte(`"duplicates":1`)) {
		t.Errorf("the same court record again: %d %s, want 200 and a duplicate", code, body)
	}

	// 6. The collectors' queues hold the SOP's preliminary collection
	// (day 90 from disbursement, past due) and the strategy's calls, all
	// on the loans that never paid.
	queues := map[string][]walkTask{}
	kinds := map[string]int{}
	for _, c := range []string{"col1", "col2"} {
		var ts []walkTask
		w.okJSON(&ts, "task", "list", "--mine", "--state", "open", "--limit", "1000", "--json", "--as", c)
		queues[c] = ts
		for _, tk := range ts {
			if tk.Assignee != c || tk.Role != "collector" {
				t.Errorf("%s's queue holds task %d of %s for %s", c, tk.ID, tk.Assignee, tk.Role)
			}
			if paying(numbers[tk.Loan]) {
				t.Errorf("%s's queue holds task %d (%s) on %s, a loan that pays", c, tk.ID, tk.Origin, loanNo(numbers[tk.Loan]))
			}
			kinds[tk.Origin]++
		}
	}
	if kinds["sop:preliminary-90"] == 0 || kinds["strategy:person:0"] == 0 {
		t.Fatalf("the collectors' queues hold %v, want the SOP's preliminary collection and the strategy's calls", kinds)
	}
	// A promise to pay on a call of each collector's, after asking the
	// compliance guard (at 10:00 Beijing time, on the business date).
	at := lastClose + "T10:00:00+08:00"
	keep, brk := firstCall(queues["col1"]), firstCall(queues["col2"])
	if keep == nil || brk == nil {
		t.Fatalf("no call in a collector's queue: col1 %d tasks, col2 %d", len(queues["col1"]), len(queues["col2"]))
	}
	var verdict struct {
		Allowed bool   `json:"allowed"`
		Rule    string `json:"rule"`
	}
	w.okJSON(&verdict, "task", "check", id(keep.ID), "--recording", "--at", at, "--json", "--as", "col1")
	if !verdict.Allowed {
		t.Errorf("the guard refuses a recorded call at 10:00: %+v", verdict)
	}
	if r := w.runJSON(&verdict, "task", "check", id(keep.ID), "--recording", "--at", lastClose+"T23:00:00+08:00", "--json", "--as", "col1"); r.code != 5 || verdict.Rule != "cn.quiet-hours" {
		t.Errorf("a call at 23:00: exit %d %+v, want 5 and the quiet hours", r.code, verdict)
	}
	promise := func(tk *walkTask, who, rec string) {
		var done walkTask
		w.okJSON(&done, "task", "outcome", id(tk.ID), "--outcome", "promise", "--promise-amount", "500.00", "--promise-date", "2026-01-28",
			"--recording", rec, "--at", at, "--note", "will pay after payday", "--json", "--as", who)
		if done.State != "done" || done.Outcome != "promise" {
			t.Errorf("the promise on task %d: %+v, want it done with a promise", tk.ID, done)
		}
	}
	promise(keep, "col1", "REC-20260127-0001")
	promise(brk, "col2", "REC-20260127-0002")
	// Core banking posts the kept promise's payment over the API; posted
	// again under its key, it is not posted twice.
	pay := []byte(`{"amount":"500.00","value_date":"` + lastClose + `","channel":"bank"}`)
	path := fmt.Sprintf("/api/v1/loans/%d/payments", keep.Loan)
	if code, hdr, body := w.do("POST", path, coreBanking, pay, "Idempotency-Key", "CB-PTP-0001"); code != http.StatusCreated {
		t.Fatalf("POST %s: %d %s", path, code, body)
	} else if code, hdr, _ = w.do("POST", path, coreBanking, pay, "Idempotency-Key", "CB-PTP-0001"); code != http.StatusOK || hdr.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the same payment again: %d, Idempotent-Replayed %q; want 200 and true", code, hdr.Get("Idempotent-Replayed"))
	}
	kept := w.closeNext()
	if kept.PromisesKept != 1 || kept.PromisesBroken != 0 {
		t.Errorf("the close after the payment (%s): %d promises kept, %d broken; want 1 kept", kept.Date, kept.PromisesKept, kept.PromisesBroken)
	}
	broken := w.closeNext()
	if broken.PromisesKept != 0 || broken.PromisesBroken != 1 {
		t.Errorf("the close the day after the promise date (%s): %d kept, %d broken; want the unpaid promise broken", broken.Date, broken.PromisesKept, broken.PromisesBroken)
	}
	// Each promise shows on its task as close of business settled it.
	for _, c := range []struct {
		task       *walkTask
		who, state string
		settled    string
		paid       string
	}{{keep, "col1", "kept", lastClose, "500.00"}, {brk, "col2", "broken", "2026-01-29", "0.00"}} {
		var shown struct {
			Contacts []struct {
				By        string `json:"by"`
				Outcome   string `json:"outcome"`
				Recording string `json:"recording"`
			} `json:"contacts"`
			Promises []struct {
				Amount  string `json:"amount"`
				Paid    string `json:"paid"`
				State   string `json:"state"`
				Settled string `json:"settled"`
			} `json:"promises"`
		}
		w.okJSON(&shown, "task", "show", id(c.task.ID), "--json", "--as", c.who)
		if len(shown.Contacts) != 1 || shown.Contacts[0].By != c.who || shown.Contacts[0].Outcome != "promise" || shown.Contacts[0].Recording == "" {
			t.Errorf("task %d's contacts: %+v, want %s's recorded call with the promise", c.task.ID, shown.Contacts, c.who)
		}
		if len(shown.Promises) != 1 || shown.Promises[0].Amount != "500.00" || shown.Promises[0].State != c.state ||
			shown.Promises[0].Settled != c.settled || shown.Promises[0].Paid != c.paid {
			t.Errorf("task %d's promises: %+v, want 500.00 %s on %s with %s paid", c.task.ID, shown.Promises, c.state, c.settled, c.paid)
		}
	}
	var kpis struct {
		Total struct {
			Figures struct {
				Made   int `json:"promises_made"`
				Kept   int `json:"promises_kept"`
				Broken int `json:"promises_broken"`
			} `json:"figures"`
		} `json:"total"`
	}
	w.okJSON(&kpis, "report", "collections", "--json", "--as", "mgr")
	if f := kpis.Total.Figures; f.Made != 2 || f.Kept != 1 || f.Broken != 1 {
		t.Errorf("report collections: %+v, want 2 promises made, 1 kept, 1 broken", f)
	}
	// The court listing raised nothing twice when close of business saw it.
	var dishonest []walkWarning
	w.okJSON(&dishonest, "warning", "list", "--rule", "dishonest", "--json", "--as", "risk1")
	if len(dishonest) != 1 {
		t.Errorf("dishonest-debtor warnings after the closes that saw the listing: %d, want the webhook's one", len(dishonest))
	}

	// 7. Maker-checker: a classification override, and a write-off.
	out := w.ok("loan", "override", "L021", "--class", "substandard", "--reason", "borrower left the city; no income found", "--as", "risk1")
	m := regexp.MustCompile(`override (\d+) of L021`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("loan override printed %q, want the override's number", out)
	}
	if r := w.fails(6, "loan", "decide", "L021", "--override", m[1], "--approve", "--as", "risk1"); !strings.Contains(r.stderr, "四眼原则") {
		t.Errorf("the maker deciding their own override: %q, want it refused by the four-eyes rule", r.stderr)
	}
	w.ok("loan", "decide", "L021", "--override", m[1], "--approve", "--as", "risk2")
	if l := w.loan("L021", "mgr"); l.State.Class != 3 || !strings.Contains(l.State.ClassCause, "override") {
		t.Errorf("L021 after the approved override: class %d (%s), want 次级 by the override", l.State.Class, l.State.ClassCause)
	}
	// L017 is more than 90 days past due: its floor is 次级, and no
	// override goes below it.
	w.fails(3, "loan", "override", "L017", "--class", "special-mention", "--reason", "paid elsewhere", "--as", "risk1")

	var proposal struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
		Seq    int64  `json:"posted_seq"`
	}
	w.okJSON(&proposal, "approval", "propose", "L024", "--kind", "writeoff", "--reason", "borrower deceased, no estate", "--json", "--as", "chief")
	if r := w.fails(6, "approval", "approve", id(proposal.ID), "--as", "chief"); !strings.Contains(r.stderr, "四眼原则") {
		t.Errorf("the maker approving their own write-off: %q, want it refused by the four-eyes rule", r.stderr)
	}
	w.ok("approval", "approve", id(proposal.ID), "--note", "estate checked: nothing to recover", "--as", "mgr")
	// The approvals inbox keeps both decisions with their two people.
	var approved struct {
		Approvals []struct {
			ID      int64  `json:"id"`
			Kind    string `json:"kind"`
			Maker   string `json:"maker"`
			Checker string `json:"checker"`
			Seq     int64  `json:"posted_seq"`
		} `json:"approvals"`
	}
	w.okJSON(&approved, "approval", "list", "--status", "approved", "--json", "--as", "mgr")
	decided := map[string]string{}
	for _, a := range approved.Approvals {
		decided[a.Kind] = fmt.Sprintf("%d by %s, checked by %s, posted %v", a.ID, a.Maker, a.Checker, a.Seq != 0)
	}
	if want := map[string]string{
		"writeoff": fmt.Sprintf("%d by chief, checked by mgr, posted true", proposal.ID),
		"override": m[1] + " by risk1, checked by risk2, posted false",
	}; !maps.Equal(decided, want) {
		t.Errorf("approved proposals %v, want %v", decided, want)
	}
	if l := w.loan("L024", "mgr"); l.State.Status != "written-off" || fen(t, l.State.WrittenOff) <= 1200000 || l.Transactions[len(l.Transactions)-1].Kind != "write-off" {
		t.Errorf("L024 after the approved write-off: %s, written off %s; want written off, more than the principal", l.State.Status, l.State.WrittenOff)
	}

	// 8. A draft rule back-tested on the book's history, beside as many
	// random warnings.
	draft := filepath.Join(w.dir, "draft-rule.json")
	if err := os.WriteFile(draft, []byte(`{"code": "dpd_30", "name": "30 days past due 逾期30天", "expr": "dpd >= 30",
		"severity": "orange", "cooldown": 30, "owner": "risk-officer"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var bt struct {
		Report struct {
			Set   backtestStat   `json:"set"`
			Rules []backtestStat `json:"rules"`
		} `json:"report"`
		Random struct {
			Set backtestStat `json:"set"`
		} `json:"random"`
	}
	w.okJSON(&bt, "rule", "backtest", "--from", opened, "--to", lastClose, "--rule", draft, "--json", "--as", "risk1")
	// Every loan that never paid is 30 days past due from the first day;
	// L017–L020 went 90+ on 2026-01-26, 37 days after their warning.
	if s := bt.Report.Set; s.Warnings != 8 || s.Loans != 8 || s.Early90.Num != 4 || s.Early90.Den != 4 {
		t.Errorf("back-test of dpd >= 30: %+v, want 8 warnings on 8 loans and the 4 loans gone 90+ identified early", s)
	}
	if len(bt.Report.Rules) != 1 || bt.Report.Rules[0].Rule != "dpd_30" || bt.Random.Set.Warnings != bt.Report.Set.Warnings {
		t.Errorf("back-test: rules %+v, random %+v; want the draft's line and as many random warnings", bt.Report.Rules, bt.Random.Set)
	}

	// 9. The five-tier sheet exported to xlsx from the console: its rows
	// add up, and to the report's.
	w.okJSON(&report, "report", "--json", "--as", "mgr")
	w.checkFiveTierExport(report)

	// 10. The collector's queue in Chromium lists the tasks 'task list'
	// says are due.
	var due []walkTask
	w.okJSON(&due, "task", "list", "--mine", "--state", "open", "--limit", "1000", "--json", "--as", "col1")
	want := map[string]bool{}
	for _, tk := range due {
		if tk.Due <= w.closed[len(w.closed)-1] {
			want["#"+id(tk.ID)] = true
		}
	}
	if len(want) == 0 {
		t.Fatalf("col1 has no task due")
	}
	t.Run("chromium", func(t *testing.T) { queueInBrowser(t, w.base, "col1", want) })

	// 11. The audit trail is sound, and tells who made and who decided
	// the write-off.
	if out := w.ok("audit", "verify", "--as", "aud"); !strings.Contains(out, "sound") {
		t.Errorf("audit verify: %q", out)
	}
	var trail []struct {
		Actor  string `json:"actor"`
		Action string `json:"action"`
	}
	w.okJSON(&trail, "audit", "show", "--object", fmt.Sprintf("loan:%d", ids["L024"]), "--json", "--as", "aud")
	var acts []string
	for _, e := range trail {
		acts = append(acts, e.Actor+" "+e.Action)
	}
	for _, want := range []string{"user:chief writeoff.propose", "user:mgr writeoff.decide"} {
		if !slices.Contains(acts, want) {
			t.Errorf("L024's audit trail %q lacks %q", acts, want)
		}
	}
	if w.pg {
		w.checkWorkers()
	}
}

// walker runs the daihou binary on one book.
type walker struct {
	t       *testing.T
	bin     string
	dir     string   // the working folder: the book's files, the files imported
	env     []string // the environment of every daihou process
	pg      bool
	dsn     string
	base    string // daihou serve's URL, once it runs
	client  *http.Client
	workers []*child // PostgreSQL: the close-of-business workers
	mu      sync.Mutex
	closed  []string // the dates close of business has closed, in order
}

func newWalker(t *testing.T, bin, backend string) *walker {
	w := &walker{t: t, bin: bin, dir: t.TempDir(), pg: backend == "postgres", client: &http.Client{Timeout: 30 * time.Second}}
	// What the developer's shell says about daihou is not the walk's.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DAIHOU_") {
			w.env = append(w.env, kv)
		}
	}
	if w.pg {
		// A PostgreSQL book has no key file beside it: its operator makes
		// the personal-data key and gives it to every process.
		w.dsn = storetest.DSN(t, "postgres")
		key := make([]byte, 32)
		rand.Read(key)
		w.env = append(w.env, "DAIHOU_KEY="+base64.StdEncoding.EncodeToString(key))
	} else {
		w.dsn = filepath.Join(w.dir, "book.db")
	}
	w.env = append(w.env, "DAIHOU_DB="+w.dsn)
	return w
}

// result is what a daihou command did.
type result struct {
	stdout, stderr string
	code           int
}

// run runs daihou with args and stdin, bounded in time, and returns what
// it did; a command that cannot be run fails the test.
func (w *walker) run(stdin string, args ...string) result {
	w.t.Helper()
	r, err := w.execute(stdin, args...)
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

// execute runs daihou with args and stdin, bounded in time; it may run on
// any goroutine.
func (w *walker) execute(stdin string, args ...string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.bin, args...)
	cmd.Env, cmd.Dir, cmd.Stdin = w.env, w.dir, strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return r, fmt.Errorf("daihou %s did not finish within 2 minutes\n%s%s", strings.Join(args, " "), r.stdout, r.stderr)
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		return r, fmt.Errorf("daihou %s: %v", strings.Join(args, " "), err)
	}
	return r, nil
}

// okIn runs daihou with stdin and fails the test unless it succeeds; it
// returns the standard output.
func (w *walker) okIn(stdin string, args ...string) string {
	w.t.Helper()
	r := w.run(stdin, args...)
	if r.code != 0 {
		w.t.Fatalf("daihou %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// ok runs daihou and fails the test unless it succeeds.
func (w *walker) ok(args ...string) string {
	w.t.Helper()
	return w.okIn("", args...)
}

// okJSON runs daihou (with --json among args) and decodes what it prints
// into v; it fails the test unless the command succeeds.
func (w *walker) okJSON(v any, args ...string) {
	w.t.Helper()
	if r := w.runJSON(v, args...); r.code != 0 {
		w.t.Fatalf("daihou %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
}

// runJSON runs daihou and decodes what it prints into v, whatever its exit.
func (w *walker) runJSON(v any, args ...string) result {
	w.t.Helper()
	r := w.run("", args...)
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		w.t.Fatalf("daihou %s: exit %d, and its output is not JSON (%v):\n%s%s", strings.Join(args, " "), r.code, err, r.stdout, r.stderr)
	}
	return r
}

// fails runs daihou and fails the test unless it exits with code.
func (w *walker) fails(code int, args ...string) result {
	w.t.Helper()
	r := w.run("", args...)
	if r.code != code {
		w.t.Errorf("daihou %s: exit %d, want %d\n%s%s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	return r
}

// writeCSV writes rows to name in the working folder and returns its path.
func (w *walker) writeCSV(name string, rows [][]string) string {
	w.t.Helper()
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.WriteAll(rows)
	path := filepath.Join(w.dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		w.t.Fatal(err)
	}
	return path
}

// readCSV reads a CSV file (with or without a byte-order mark).
func (w *walker) readCSV(path string) [][]string {
	w.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		w.t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		w.t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// importResult is what 'daihou import --json' prints.
type importResult struct {
	Rows       int `json:"rows"`
	Imported   int `json:"imported"`
	Duplicates int `json:"duplicates"`
	Rejected   []struct {
		Line   int    `json:"line"`
		Reason string `json:"reason"`
	} `json:"rejected"`
}

// loanView is the part of 'daihou loan show --json' the walk reads.
type loanView struct {
	State struct {
		Status           string `json:"status"`
		DPD              int    `json:"dpd"`
		Class            int    `json:"class"`
		ClassCause       string `json:"class_cause"`
		OverduePrincipal string `json:"overdue_principal"`
		PenaltyDue       string `json:"penalty_due"`
		WrittenOff       string `json:"written_off"`
	} `json:"state"`
	Transactions []struct {
		Kind      string `json:"kind"`
		ValueDate string `json:"value_date"`
		Reference string `json:"reference"`
		Applied   struct {
			Penalty   string `json:"penalty"`
			Interest  string `json:"interest"`
			Principal string `json:"principal"`
		} `json:"applied"`
	} `json:"transactions"`
}

// loan shows a loan as user sees it.
func (w *walker) loan(number, user string, flags ...string) loanView {
	w.t.Helper()
	var v loanView
	w.okJSON(&v, append([]string{"loan", "show", number, "--json", "--as", user}, flags...)...)
	return v
}

func repayments(l loanView) int {
	n := 0
	for _, tx := range l.Transactions {
		if tx.Kind == "repayment" {
			n++
		}
	}
	return n
}

// portfolioReport is the part of 'daihou report --json' the walk reads.
type portfolioReport struct {
	Date      string `json:"date"`
	Portfolio struct {
		ActiveLoans int    `json:"active_loans"`
		Outstanding string `json:"outstanding"`
		NPLBalance  string `json:"npl_balance"`
	} `json:"portfolio"`
	Buckets []struct {
		Name  string `json:"name"`
		Loans int    `json:"loans"`
	} `json:"buckets"`
	Classes []struct {
		Name        string `json:"name"`
		Loans       int    `json:"loans"`
		Outstanding string `json:"outstanding"`
	} `json:"classes"`
}

// mapsEqualNonZero reports whether got and want hold the same non-zero counts.
func mapsEqualNonZero(got, want map[string]int) bool {
	for k, v := range got {
		if v != want[k] {
			return false
		}
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

// fen reads an amount in yuan ("12,000.00" or "12000.00") as fen.
func fen(t *testing.T, s string) int64 {
	t.Helper()
	a, err := money.ParseAmount(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return int64(a)
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// dateSummary is one date of 'daihou eod --json'.
type dateSummary struct {
	Date           string `json:"date"`
	Touched        int    `json:"touched"`
	PromisesKept   int    `json:"promises_kept"`
	PromisesBroken int    `json:"promises_broken"`
}

// eodArgs are the flags of a close of business on the book: on PostgreSQL
// it queues the dates' partitions for the workers and waits for them.
func (w *walker) eodArgs(date string) []string {
	args := []string{"eod", "--json", "--as", "root"}
	if date != "" {
		args = append(args, "--date", date)
	}
	if w.pg {
		args = append(args, "--workers", "0", "--partitions", "4")
	}
	return args
}

// close runs close of business through date and checks that it closed
// every day since the last close once, in order.
func (w *walker) close(date string) []dateSummary {
	w.t.Helper()
	var out struct {
		Dates []dateSummary `json:"dates"`
	}
	w.okJSON(&out, w.eodArgs(date)...)
	w.closedDates(out.Dates, date)
	return out.Dates
}

// closeAsync runs close of business through date in the background; the
// channel closes when it has been checked.
func (w *walker) closeAsync(date string) <-chan struct{} {
	w.t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		r, err := w.execute("", w.eodArgs(date)...)
		var out struct {
			Dates []dateSummary `json:"dates"`
		}
		if err != nil {
			w.t.Error(err)
			return
		}
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil {
			w.t.Errorf("daihou eod --date %s: exit %d\n%s%s", date, r.code, r.stdout, r.stderr)
			return
		}
		w.closedDates(out.Dates, date)
	}()
	return done
}

// closedDates checks the dates a close reported: each day after the last
// closed one up to through, once.
func (w *walker) closedDates(ds []dateSummary, through string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	next := opened
	if n := len(w.closed); n > 0 {
		next = civil.MustParse(w.closed[n-1]).AddDays(1).String()
	}
	for _, d := range ds {
		if d.Date != next {
			w.t.Errorf("close of business through %s closed %s, want %s next", through, d.Date, next)
			return
		}
		w.closed = append(w.closed, d.Date)
		next = civil.MustParse(d.Date).AddDays(1).String()
	}
	if through != "" && w.closed[len(w.closed)-1] != through {
		w.t.Errorf("close of business through %s stopped at %s", through, w.closed[len(w.closed)-1])
	}
}

// closeNext closes the next business day and returns its summary.
func (w *walker) closeNext() dateSummary {
	w.t.Helper()
	ds := w.close("")
	if len(ds) != 1 {
		w.t.Fatalf("close of the next day closed %d dates", len(ds))
	}
	return ds[0]
}

// startWorkers starts two close-of-business workers on a PostgreSQL book.
func (w *walker) startWorkers() []*child {
	if !w.pg {
		return nil
	}
	return []*child{w.start("eod worker 1", nil, "eod", "worker"), w.start("eod worker 2", nil, "eod", "worker")}
}

var partitionDone = regexp.MustCompile(`msg="close of business partition done" date=(\S+) part=(\d+)`)

// checkWorkers checks from the workers' logs that the two shared close of
// business: every partition of every date closed so far done once, by one
// of them, and each did some.
func (w *walker) checkWorkers() {
	w.t.Helper()
	done := map[string]string{}
	for _, c := range w.workers {
		n := 0
		for _, m := range partitionDone.FindAllStringSubmatch(c.output(), -1) {
			key := m[1] + " part " + m[2]
			if by, twice := done[key]; twice {
				w.t.Errorf("%s of close of business done by %s and by %s", key, by, c.name)
			}
			done[key] = c.name
			n++
		}
		if n == 0 {
			w.t.Errorf("%s worked no partition of close of business:\n%s", c.name, c.output())
		}
		w.t.Logf("%s worked %d partitions of close of business", c.name, n)
	}
	for _, d := range w.closed {
		for p := range 4 {
			if done[fmt.Sprintf("%s part %d", d, p)] == "" {
				w.t.Errorf("no worker logged partition %d of %s done", p, d)
			}
		}
	}
}

// child is a daihou process that runs beside the walk until it ends.
type child struct {
	name   string
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    bytes.Buffer // its standard output and error
	exited chan struct{}
}

func (c *child) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.Write(p)
}

func (c *child) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

// start starts daihou with args (and env besides the walk's) until the
// test ends: then it is interrupted, and killed if it has not stopped
// within 10 s.
func (w *walker) start(name string, env []string, args ...string) *child {
	w.t.Helper()
	c := &child{name: name, exited: make(chan struct{})}
	c.cmd = exec.Command(w.bin, args...)
	c.cmd.Env, c.cmd.Dir = append(slices.Clone(w.env), env...), w.dir
	c.cmd.Stdout, c.cmd.Stderr = c, c
	if err := c.cmd.Start(); err != nil {
		w.t.Fatalf("start %s: %v", name, err)
	}
	go func() { c.cmd.Wait(); close(c.exited) }()
	t := w.t
	t.Cleanup(func() {
		c.cmd.Process.Signal(os.Interrupt)
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
			c.cmd.Process.Kill()
			<-c.exited
			t.Errorf("%s did not stop within 10 s of an interrupt", name)
		}
		if t.Failed() {
			t.Logf("%s's output:\n%s", name, c.output())
		}
	})
	return c
}

// serve starts daihou serve on a free port of 127.0.0.1 and waits until
// it is ready.
func (w *walker) serve(env ...string) {
	w.t.Helper()
	c := w.start("daihou serve", env, "serve", "--addr", "127.0.0.1:0")
	url := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)`)
	eventually(w.t, "daihou serve's address", 20*time.Second, func() bool {
		select {
		case <-c.exited:
			w.t.Fatalf("daihou serve exited:\n%s", c.output())
		default:
		}
		if m := url.FindStringSubmatch(c.output()); m != nil {
			w.base = m[1]
			return true
		}
		return false
	})
	eventually(w.t, "daihou serve ready", 20*time.Second, func() bool {
		res, err := w.client.Get(w.base + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
}

// eventually calls f every 50 ms until it holds, failing the test when
// timeout passes first.
func eventually(t *testing.T, what string, timeout time.Duration, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// do sends a request to daihou serve with a bearer token and header pairs.
func (w *walker) do(method, path, token string, body []byte, header ...string) (int, http.Header, []byte) {
	w.t.Helper()
	req, err := http.NewRequest(method, w.base+path, bytes.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := w.client.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		w.t.Fatalf("%s %s: %v", method, path, err)
	}
	return res.StatusCode, res.Header, b
}

// getJSON gets path with token and decodes the answer, which must be 200.
func (w *walker) getJSON(v any, path, token string) {
	w.t.Helper()
	code, _, body := w.do("GET", path, token, nil)
	if code != http.StatusOK {
		w.t.Fatalf("GET %s: %d %s", path, code, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		w.t.Fatalf("GET %s: %v\n%s", path, err, body)
	}
}

// session logs name in to the API and returns the session's token.
func (w *walker) session(name string) string {
	w.t.Helper()
	body, _ := json.Marshal(map[string]string{"name": name, "password": walkPass})
	code, _, b := w.do("POST", "/api/v1/session", "", body)
	var s struct {
		Token string `json:"token"`
	}
	if code != http.StatusCreated || json.Unmarshal(b, &s) != nil || s.Token == "" {
		w.t.Fatalf("log in %s to the API: %d %s", name, code, b)
	}
	return s.Token
}

// pushCourt posts JSON Lines to the court source's webhook, signed as the
// README says (or with signature, when given), and returns the answer.
func (w *walker) pushCourt(body []byte, signature string) (int, []byte) {
	w.t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	if signature == "" {
		mac := hmac.New(sha256.New, []byte(courtKey))
		mac.Write([]byte(ts + "."))
		mac.Write(body)
		signature = "sha256=" + hex.EncodeToString(mac.Sum(nil))
	}
	code, _, b := w.do("POST", "/api/v1/sources/court/records", "", body,
		"Content-Type", "application/x-ndjson", "X-Daihou-Timestamp", ts, "X-Daihou-Signature", signature)
	return code, b
}

// walkWarning is a warning as the API and 'warning list --json' give it.
type walkWarning struct {
	ID       int64  `json:"id"`
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Owner    string `json:"owner"`
	State    string `json:"state"`
	By       string `json:"by"`
}

// walkTask is a task as 'task list --json' gives it.
type walkTask struct {
	ID       int64  `json:"id"`
	Loan     int64  `json:"loan_id"`
	Kind     string `json:"kind"`
	Role     string `json:"role"`
	Origin   string `json:"origin"`
	Due      string `json:"due"`
	Assignee string `json:"assignee"`
	State    string `json:"state"`
	Outcome  string `json:"outcome"`
}

// firstCall returns the first call in a queue, nil for none.
func firstCall(ts []walkTask) *walkTask {
	for i := range ts {
		if ts[i].Kind == "call" {
			return &ts[i]
		}
	}
	return nil
}

// backtestStat is one line of a back-test.
type backtestStat struct {
	Rule     string `json:"rule"`
	Warnings int    `json:"warnings"`
	Loans    int    `json:"loans"`
	Early90  struct {
		Num int `json:"num"`
		Den int `json:"den"`
	} `json:"early_90"`
}

// consoleLogin logs name in to the console through its login form, with
// the form's CSRF token, and returns a client holding the session cookie.
func (w *walker) consoleLogin(name string) *http.Client {
	w.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(w.base + "/console/login")
	if err != nil {
		w.t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if res.StatusCode != http.StatusOK || m == nil {
		w.t.Fatalf("the login form: %d, CSRF token found: %v", res.StatusCode, m != nil)
	}
	res, err = c.PostForm(w.base+"/console/login", url.Values{"name": {name}, "password": {walkPass}, "csrf": {string(m[1])}, "next": {"/console/"}})
	if err != nil {
		w.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		w.t.Fatalf("console login as %s: %d, want 303", name, res.StatusCode)
	}
	return c
}

// checkFiveTierExport downloads the five-tier sheet (五级分类及拨备情况表)
// as xlsx the way its page links it, and checks the file against itself
// and against the report.
func (w *walker) checkFiveTierExport(report portfolioReport) {
	t := w.t
	t.Helper()
	c := w.consoleLogin("mgr")
	get := func(path string) (*http.Response, []byte) {
		res, err := c.Get(w.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %.300s", path, res.StatusCode, b)
		}
		return res, b
	}
	_, page := get("/console/reports/five-tier")
	link := regexp.MustCompile(`href="([^"]*export=xlsx[^"]*table=five-tier[^"]*)"`).FindSubmatch(page)
	if link == nil {
		t.Fatalf("the five-tier page has no xlsx export of its table:\n%.2000s", page)
	}
	res, file := get(html.UnescapeString(string(link[1])))
	if ct := res.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("the xlsx export's Content-Type is %q", ct)
	}
	x, err := excelize.OpenReader(bytes.NewReader(file))
	if err != nil {
		t.Fatalf("the five-tier export is not an xlsx file excelize opens: %v", err)
	}
	defer x.Close()
	rows, err := x.GetRows(x.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	// 项目 笔数 贷款余额 …; 正常 关注 次级 可疑 损失, 不良贷款合计, 合计.
	want := []string{"正常", "关注", "次级", "可疑", "损失", "不良贷款合计", "合计"}
	if len(rows) != len(want)+1 {
		t.Fatalf("the five-tier xlsx has %d rows, want a heading and %d: %q", len(rows), len(want), rows)
	}
	count := func(r []string) int {
		n, err := strconv.Atoi(strings.ReplaceAll(r[1], ",", ""))
		if err != nil {
			t.Fatalf("row %q: loans %q", r, r[1])
		}
		return n
	}
	var loans, balance, nplLoans, npl int64
	for i, label := range want {
		r := rows[i+1]
		if len(r) < 3 || r[0] != label {
			t.Fatalf("xlsx row %d is %q, want %s first", i+1, r, label)
		}
		n, b := int64(count(r)), fen(t, r[2])
		switch {
		case i < 5:
			rc := report.Classes[i]
			if n != int64(rc.Loans) || b != fen(t, rc.Outstanding) {
				t.Errorf("xlsx %s: %d loans, %s; the report's %s: %d loans, %s", label, n, r[2], rc.Name, rc.Loans, rc.Outstanding)
			}
			loans, balance = loans+n, balance+b
			if i >= 2 {
				nplLoans, npl = nplLoans+n, npl+b
			}
		case label == "不良贷款合计":
			if n != nplLoans || b != npl || b != fen(t, report.Portfolio.NPLBalance) {
				t.Errorf("xlsx 不良贷款合计: %d loans, %s; 次级+可疑+损失 %d, %d fen; the report's NPL balance %s", n, r[2], nplLoans, npl, report.Portfolio.NPLBalance)
			}
		default:
			if n != loans || b != balance || n != int64(report.Portfolio.ActiveLoans) || b != fen(t, report.Portfolio.Outstanding) {
				t.Errorf("xlsx 合计: %d loans, %s; the classes add to %d, %d fen; the report: %d active loans, %s",
					n, r[2], loans, balance, report.Portfolio.ActiveLoans, report.Portfolio.Outstanding)
			}
		}
	}
	if nplLoans == 0 {
		t.Errorf("the five-tier xlsx shows no non-performing loan: %q", rows)
	}
}

// queueInBrowser logs the collector in in Chromium: they land on their
// queue, which lists the tasks of want, every page of it.
func queueInBrowser(t *testing.T, base, collector string, want map[string]bool) {
	chromiumPath(t)
	tb := newTab(t, newBrowser(t, t.TempDir()))
	tb.login(base, collector, walkPass)
	tb.run("the queue", chromedp.WaitVisible(chromedp.CSS(`#table-tasks`)))
	if where := eval[string](tb, "where", `location.pathname`); where != "/console/tasks" {
		t.Errorf("a collector's login lands on %s, want the queue", where)
	}
	shown := map[string]bool{}
	for page := 1; ; page++ {
		for _, s := range eval[[]string](tb, "the queue's tasks", `Array.from(document.querySelectorAll("#table-tasks tbody tr td:first-child a")).map(a => a.textContent.trim())`) {
			if shown[s] {
				t.Errorf("the queue lists %s twice", s)
			}
			shown[s] = true
		}
		next := eval[string](tb, "the next page", `(document.querySelector('#table-tasks a[rel="next"]') || {}).href || ""`)
		if next == "" || page == 20 {
			break
		}
		tb.run("the next page", chromedp.Navigate(next), chromedp.WaitVisible(chromedp.CSS(`#table-tasks`)))
	}
	tb.clean("the queue")
	for s := range want {
		if !shown[s] {
			t.Errorf("the queue in the browser lacks task %s, which 'task list' has due", s)
		}
	}
	for s := range shown {
		if !want[s] {
			t.Errorf("the queue in the browser lists task %s, which 'task list' has not", s)
		}
	}
	t.Logf("%s's queue in Chromium lists %d tasks", collector, len(shown))
}
