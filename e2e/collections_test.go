package e2e_test

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"daihou/approval"
	"daihou/auth"
	"daihou/channel"
	"daihou/channel/sim"
	"daihou/civil"
	"daihou/collection"
	"daihou/eod"
	"daihou/money"
	"daihou/outbox"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/synth"
	"daihou/web"
)

var cst = time.FixedZone("CST", 8*3600)

// TestCollectionsLoop runs a generated book through 90 days of close of
// business with the collection steps on: the outbox sends the automated
// reminders over HTTP to the channel simulator, whose results and payments
// come back through daihou serve's signed callback and payment API;
// collectors work their queues (their calls decided by the same borrower
// model), good borrowers pay on time, a risk officer proposes the
// write-offs close of business asks for and a manager approves them. Then
// the book must show tasks, contacts, promises kept and broken, cures and
// a write-off, and the numbers must add up.
func TestCollectionsLoop(t *testing.T) {
	if storetest.RaceDetector {
		t.Skip("90 days of the whole loop take seven minutes under the race detector, past CI's budget; the outbox, the channel simulator, the server and close of business are raced in their own packages")
	}
	cfg := synth.Config{Seed: 11, Loans: 500, Months: 12, Until: civil.MustParse("2026-03-27")}
	path := storetest.Gen(t, cfg)
	db := storetest.OpenPath(t, path)
	var clock atomic.Int64 // the simulated wall clock, Unix nanoseconds
	clock.Store(localTime(cfg.Until, 22).UnixNano())
	db.Now = func() time.Time { return time.Unix(0, clock.Load()) }
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()

	// People: collectors, account managers owning some loans for life,
	// a lawyer, a risk officer and a manager.
	var officers []string
	rows, err := raw.Query(`SELECT DISTINCT officer FROM loans ORDER BY officer LIMIT 4`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var o string
		rows.Scan(&o)
		officers = append(officers, o)
	}
	rows.Close()
	ctxs := storetest.Users(t, db, "col1=collector", "col2=collector", "col3=collector", "legal1=legal", "risk=risk-officer", "mgr=manager")
	admin := ctxs["admin"]
	for i, o := range officers {
		name := fmt.Sprintf("am%d", i+1)
		if _, err := db.AddUser(admin, store.NewUser{Name: name, Roles: []auth.Role{auth.AccountManager}, Officer: o}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutCollector(admin, store.Collector{Name: "col3", Capacity: 200, Team: "B"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"col1", "col2"} {
		if err := db.PutCollector(admin, store.Collector{Name: c, Capacity: 100, Team: "A"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutAgency(admin, "acme", "Acme Recovery 催收公司", true); err != nil {
		t.Fatal(err)
	}
	token, _, err := db.IssueToken(admin, "channel-sim", []auth.Role{auth.Integration}, auth.Scope{All: true}, time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}

	// The server, the simulator and the outbox's senders, on loopback.
	secrets := map[string][]byte{}
	for _, ch := range []string{channel.SMS, channel.AIVoice} {
		secrets[ch] = []byte("e2e-secret-of-" + ch + "-0123456789")
		t.Setenv(channel.SecretEnv(ch), string(secrets[ch]))
	}
	base := serve(t, web.New(db, nil).Handler())
	s, err := sim.New(sim.Config{Seed: cfg.Seed, Secrets: secrets, Callback: base, API: base, Token: token, MaxDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	simURL := serve(t, s.Handler())
	senders := map[string]outbox.Sender{}
	for ch, sec := range secrets {
		senders[ch] = &channel.Webhook{URL: simURL + "/" + ch, Secret: sec}
	}
	disp := &outbox.Dispatcher{Store: db.Outbox(), Senders: senders, Gate: db.ContactGate(), Now: db.Now}
	runner := &eod.Runner{Store: db, ChunkSize: 250}
	core := auth.NewContext(context.Background(), mustToken(t, "core-banking"))
	var owed []sim.Plan // payments collectors' calls led to, by value date
	var owedLoan []int64

	start := cfg.Until.AddDays(1)
	end := start.AddDays(89)
	writeOffs := 0
	for d := start; !d.After(end); d = d.AddDays(1) {
		clock.Store(localTime(d, 23).UnixNano())
		if _, err := runner.Close(storetest.EOD(), d, d == start); err != nil {
			t.Fatalf("close of %s: %v", d, err)
		}
		// The day after the close: reminders go out in office hours.
		clock.Store(localTime(d.AddDays(1), 10).UnixNano())
		if _, err := disp.RunOnce(context.Background()); err != nil {
			t.Fatalf("%s: outbox: %v", d, err)
		}
		if err := s.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := s.Flush(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		// Good borrowers pay the day before they are due.
		payOnTime(t, raw, db, core, d, cfg.Seed)
		// Collectors work their queues; their calls go as the model says.
		for _, name := range []string{"col1", "col2", "col3"} {
			plans, loans := workQueue(t, db, ctxs[name], cfg.Seed, d)
			owed, owedLoan = append(owed, plans...), append(owedLoan, loans...)
		}
		owed, owedLoan = payOwed(t, db, core, d, owed, owedLoan)
		writeOffs += proposeWriteOffs(t, db, ctxs["risk"], ctxs["mgr"])
		clock.Add(int64(time.Hour))
	}

	// One more close takes in the last day's payments and decisions.
	end = end.AddDays(1)
	clock.Store(localTime(end, 23).UnixNano())
	if _, err := runner.Close(storetest.EOD(), end, false); err != nil {
		t.Fatal(err)
	}

	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := raw.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	for _, c := range []struct {
		what string
		n    int
	}{
		{"tasks", count(`SELECT COUNT(*) FROM tasks`)},
		{"SMS tasks", count(`SELECT COUNT(*) FROM tasks WHERE kind = 'sms'`)},
		{"AI-voice tasks", count(`SELECT COUNT(*) FROM tasks WHERE kind = 'ai-voice'`)},
		{"people's calls", count(`SELECT COUNT(*) FROM tasks WHERE kind = 'call'`)},
		{"phone revisits", count(`SELECT COUNT(*) FROM tasks WHERE kind = 'revisit'`)},
		{"contacts", count(`SELECT COUNT(*) FROM contacts`)},
		{"connected contacts", count(`SELECT COUNT(*) FROM contacts WHERE connected = 1`)},
		{"AI-voice willingness scores", count(`SELECT COUNT(*) FROM contacts WHERE willingness >= 0`)},
		{"promises kept", count(`SELECT COUNT(*) FROM promises WHERE state = 'kept'`)},
		{"promises broken", count(`SELECT COUNT(*) FROM promises WHERE state = 'broken'`)},
		{"cures", count(`SELECT COUNT(*) FROM collection_episodes WHERE outcome = 'cured'`)},
		{"tasks closed by a cure", count(`SELECT COUNT(*) FROM tasks WHERE state = 'closed' AND note LIKE '%cured%'`)},
		{"challenger episodes", count(`SELECT COUNT(*) FROM collection_episodes WHERE arm = 'challenger'`)},
		{"messages sent", count(`SELECT COUNT(*) FROM outbox WHERE state = 'sent'`)},
		{"write-offs approved", writeOffs},
		{"written-off episodes", count(`SELECT COUNT(*) FROM collection_episodes WHERE outcome = 'written-off'`)},
	} {
		t.Logf("%-28s %d", c.what, c.n)
		if c.n == 0 {
			t.Errorf("after 90 days: no %s", c.what)
		}
	}
	if n := count(`SELECT COUNT(*) FROM outbox WHERE state = 'dead'`); n != 0 {
		t.Errorf("%d messages dead-lettered", n)
	}
	// Every message sent is one automated task, and every automated task
	// made a message.
	if a, m := count(`SELECT COUNT(*) FROM tasks WHERE channel <> 'person'`), count(`SELECT COUNT(*) FROM outbox`); a != m {
		t.Errorf("%d automated tasks, %d messages", a, m)
	}
	// A written-off loan's episode ended on the day of its write-off.
	if n := count(`SELECT COUNT(*) FROM collection_episodes e JOIN loan_state s ON s.loan_id = e.loan_id WHERE e.outcome = 'written-off' AND s.status <> 'written-off'`); n != 0 {
		t.Errorf("%d episodes ended written-off on loans that are not", n)
	}
	// No loan has an open episode while current, or none while past due.
	if n := count(`SELECT COUNT(*) FROM loan_state s JOIN collection_episodes e ON e.loan_id = s.loan_id AND e.ended = 0 WHERE s.dpd = 0`); n != 0 {
		t.Errorf("%d current loans with an open collection episode", n)
	}
	if n := count(`SELECT COUNT(*) FROM loan_state s WHERE s.status = 'active' AND s.dpd > 0 AND NOT EXISTS (SELECT 1 FROM collection_episodes e WHERE e.loan_id = s.loan_id AND e.ended = 0)`); n != 0 {
		t.Errorf("%d past-due loans with no open episode", n)
	}
	// No open task on a settled or written-off loan.
	if n := count(`SELECT COUNT(*) FROM tasks t JOIN loan_state s ON s.loan_id = t.loan_id WHERE t.state IN ('open', 'escalated') AND s.status <> 'active'`); n != 0 {
		t.Errorf("%d open tasks on loans no longer active", n)
	}
	// What each episode says it collected is what its loan was repaid
	// from its first day past due to its end.
	rows, err = raw.Query(`SELECT e.loan_id, e.started, e.ended, e.outcome, e.collected, COALESCE((SELECT SUM(x.amount) FROM transactions x WHERE x.loan_id = e.loan_id
		AND x.kind = 'repayment' AND x.value_date >= e.started AND x.value_date <= CASE WHEN e.ended = 0 THEN ? ELSE e.ended END
		AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.loan_id = x.loan_id AND r.kind = 'reversal' AND r.reverses = x.seq)), 0) FROM collection_episodes e`, int64(end))
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for rows.Next() {
		var loan, started, ended, collected, paid int64
		var outcome string
		rows.Scan(&loan, &started, &ended, &outcome, &collected, &paid)
		if collected != paid {
			if bad++; bad <= 5 {
				t.Errorf("loan %d episode %s–%s (%s) says it collected %s, its repayments in that time are %s", loan, civil.Date(started), civil.Date(ended), outcome, money.Amount(collected), money.Amount(paid))
				logLoan(t, raw, loan)
			}
		}
	}
	rows.Close()
	checkKPIs(t, db, raw, ctxs["mgr"], start, end)
	storetest.CheckCache(t, db)
}

func serve(t *testing.T, h interface {
	ServeHTTP(w http.ResponseWriter, r *http.Request)
}) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return "http://" + l.Addr().String()
}

// localTime is hour o'clock on d in Beijing time.
func localTime(d civil.Date, hour int) time.Time {
	y, m, day := d.YMD()
	return time.Date(y, m, day, hour, 0, 0, 0, cst)
}

func mustToken(t *testing.T, name string) auth.Actor {
	a, err := auth.NewToken(name, []auth.Role{auth.Integration}, auth.Scope{All: true})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// payOnTime pays, the day before it is due, the installment of every
// active loan due tomorrow whose borrower is of the better half (by the
// generator's risk).
func payOnTime(t *testing.T, raw *sql.DB, db *store.DB, ctx context.Context, d civil.Date, seed uint64) {
	t.Helper()
	rows, err := raw.Query(`SELECT s.loan_id, s.borrower_id, s.next_due_amount FROM loan_state s WHERE s.status = 'active' AND s.dpd = 0 AND s.next_due_date = ?`, int64(d.AddDays(1)))
	if err != nil {
		t.Fatal(err)
	}
	type due struct {
		loan, borrower int64
		amount         money.Amount
	}
	var dues []due
	for rows.Next() {
		var x due
		rows.Scan(&x.loan, &x.borrower, &x.amount)
		dues = append(dues, x)
	}
	rows.Close()
	for _, x := range dues {
		p, ok := synth.BorrowerProfile(seed, x.borrower)
		if !ok || p.Risk > 0.5 || x.amount <= 0 {
			continue
		}
		if _, _, err := db.Post(ctx, servicing.Tx{LoanID: x.loan, Kind: servicing.Repayment, ValueDate: d, Amount: x.amount, Channel: "autopay",
			Reference: fmt.Sprintf("AUTO-%d-%s", x.loan, d)}); err != nil {
			t.Fatalf("autopay of loan %d: %v", x.loan, err)
		}
	}
}

// workQueue has a collector work the open tasks of their queue, up to a
// day's work: calls decided by the simulator's borrower model (as a
// dialer call), visits and other work done.
func workQueue(t *testing.T, db *store.DB, ctx context.Context, seed uint64, d civil.Date) ([]sim.Plan, []int64) {
	t.Helper()
	tasks, err := db.Tasks(ctx, store.TaskFilter{Mine: true, State: "open", Limit: 40})
	if err != nil {
		t.Fatal(err)
	}
	var plans []sim.Plan
	var loans []int64
	for _, tk := range tasks {
		snap, err := db.Snapshot(ctx, tk.LoanID)
		if err != nil {
			t.Fatal(err)
		}
		o := store.Outcome{Outcome: collection.Done}
		if tk.Kind.ContactChannel() == "call" {
			prof, _ := synth.BorrowerProfile(seed, tk.BorrowerID)
			dec := sim.Decide(seed, channel.Message{Key: store.TaskKey(tk.ID), Channel: channel.Dialer, TaskID: tk.ID, LoanID: tk.LoanID,
				BorrowerID: tk.BorrowerID, AmountDue: int64(snap.OverduePrincipal + snap.OverdueInterest + snap.PenaltyDue), DPD: snap.DPD, BusinessDate: d.String()}, prof)
			r := dec.Result
			o.Outcome = collection.Outcome(r.Outcome)
			if r.Status == channel.Failed {
				o.Outcome = collection.NoAnswer
			}
			o.Recording, o.Cost, o.Satisfaction = "rec-"+r.Key, money.Amount(r.Cost), r.Satisfaction
			if o.Outcome == collection.Promise {
				o.PromiseAmount = money.Amount(r.PromiseAmount)
				o.PromiseDate, _ = civil.Parse(r.PromiseDate)
			}
			if dec.Pay != nil {
				plans, loans = append(plans, *dec.Pay), append(loans, tk.LoanID)
			}
		}
		if _, err := db.RecordOutcome(ctx, tk.ID, o); err != nil && !strings.Contains(err.Error(), "compliance guard") {
			t.Fatalf("task %d (%s) outcome %s: %v", tk.ID, tk.Kind, o.Outcome, err)
		}
	}
	return plans, loans
}

// payOwed posts the payments calls led to whose value date has come.
func payOwed(t *testing.T, db *store.DB, ctx context.Context, d civil.Date, plans []sim.Plan, loans []int64) ([]sim.Plan, []int64) {
	t.Helper()
	var keep []sim.Plan
	var keepLoans []int64
	for i, p := range plans {
		if p.ValueDate.After(d) {
			keep, keepLoans = append(keep, p), append(keepLoans, loans[i])
			continue
		}
		_, _, err := db.Post(ctx, servicing.Tx{LoanID: loans[i], Kind: servicing.Repayment, ValueDate: p.ValueDate, Amount: money.Amount(p.Amount), Channel: p.Channel,
			Reference: fmt.Sprintf("CALL-%d-%d-%s", loans[i], i, p.ValueDate)})
		if err != nil && !strings.Contains(err.Error(), "exceeds") && !strings.Contains(err.Error(), "settled") && !strings.Contains(err.Error(), "written") {
			t.Fatalf("payment of loan %d: %v", loans[i], err)
		}
	}
	return keep, keepLoans
}

// proposeWriteOffs has the risk officer propose the write-off of every
// loan whose write-off proposal task is open, and the manager approve it:
// maker-checker, the loan written off only on approval.
func proposeWriteOffs(t *testing.T, db *store.DB, risk, mgr context.Context) int {
	t.Helper()
	tasks, err := db.Tasks(risk, store.TaskFilter{State: "open", Kind: string(collection.WriteOffProposal)})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tk := range tasks {
		p, err := db.Propose(risk, tk.LoanID, auth.ProposalWriteOff, approval.Params{}, "over 180 days past due, collection exhausted (催收无果)")
		if err != nil {
			t.Fatalf("propose write-off of loan %d: %v", tk.LoanID, err)
		}
		if snap, _ := db.Snapshot(mgr, tk.LoanID); snap.Status != servicing.StatusActive {
			t.Fatalf("loan %d is %s before the write-off is approved", tk.LoanID, snap.Status)
		}
		if _, err := db.DecideProposal(mgr, p.ID, true, "approved"); err != nil {
			t.Fatalf("approve write-off of loan %d: %v", tk.LoanID, err)
		}
		if _, err := db.RecordOutcome(risk, tk.ID, store.Outcome{Outcome: collection.Done, Note: fmt.Sprintf("write-off proposal %d approved", p.ID)}); err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// checkKPIs holds the collection report to the rows it counts: every
// figure of the period against an SQL count of its own over the same
// rows, the arms' episodes adding up to all of them, and the days' stored
// figures adding up to the period's where rows belong to one day.
func checkKPIs(t *testing.T, db *store.DB, raw *sql.DB, ctx context.Context, from, to civil.Date) {
	t.Helper()
	rep, err := db.CollectionReport(ctx, from, to, "")
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Total.Figures
	q := func(query string, args ...any) int64 {
		t.Helper()
		var n sql.NullInt64
		if err := raw.QueryRow(query, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n.Int64
	}
	a, b := int64(from), int64(to)
	const attempts = `channel IN ('call', 'ai-voice', 'dialer', 'visit')`
	const active = `started <= ? AND (ended = 0 OR ended >= ?)`
	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"contacts", f.Contacts, q(`SELECT COUNT(*) FROM contacts WHERE business BETWEEN ? AND ?`, a, b)},
		{"attempts", f.Attempts, q(`SELECT COUNT(*) FROM contacts WHERE business BETWEEN ? AND ? AND `+attempts, a, b)},
		{"connected", f.Connected, q(`SELECT COUNT(*) FROM contacts WHERE business BETWEEN ? AND ? AND connected = 1 AND `+attempts, a, b)},
		{"right-party contacts", f.RPC, q(`SELECT COUNT(*) FROM contacts WHERE business BETWEEN ? AND ? AND rpc = 1 AND `+attempts, a, b)},
		{"complaints", f.Complaints, q(`SELECT COUNT(*) FROM contacts WHERE business BETWEEN ? AND ? AND outcome = 'complaint'`, a, b)},
		{"satisfaction replies", f.Rated, q(`SELECT COUNT(*) FROM contacts WHERE business BETWEEN ? AND ? AND satisfaction > 0`, a, b)},
		{"satisfaction sum", f.SatisfactionSum, q(`SELECT SUM(satisfaction) FROM contacts WHERE business BETWEEN ? AND ? AND satisfaction > 0`, a, b)},
		{"cost", int64(f.Cost), q(`SELECT SUM(cost) FROM contacts WHERE business BETWEEN ? AND ?`, a, b)},
		{"promises made", f.PromisesMade, q(`SELECT COUNT(*) FROM promises WHERE made BETWEEN ? AND ?`, a, b)},
		{"promised", int64(f.Promised), q(`SELECT SUM(amount) FROM promises WHERE made BETWEEN ? AND ?`, a, b)},
		{"promises kept", f.PromisesKept, q(`SELECT COUNT(*) FROM promises WHERE settled BETWEEN ? AND ? AND state = 'kept'`, a, b)},
		{"promises broken", f.PromisesBroken, q(`SELECT COUNT(*) FROM promises WHERE settled BETWEEN ? AND ? AND state = 'broken'`, a, b)},
		{"episodes", f.Episodes, q(`SELECT COUNT(*) FROM collection_episodes WHERE `+active, b, a)},
		{"cured", f.Cured, q(`SELECT COUNT(*) FROM collection_episodes WHERE ended BETWEEN ? AND ? AND outcome = 'cured'`, a, b)},
		{"written off", f.WrittenOff, q(`SELECT COUNT(*) FROM collection_episodes WHERE ended BETWEEN ? AND ? AND outcome = 'written-off'`, a, b)},
		{"cure days", f.CureDays, q(`SELECT SUM(ended - started + 1) FROM collection_episodes WHERE ended BETWEEN ? AND ? AND outcome = 'cured'`, a, b)},
		{"rolled forward", f.RolledForward, q(`SELECT COUNT(*) FROM collection_episodes WHERE max_bucket > entry_bucket AND `+active, b, a)},
		{"collected", int64(f.Collected), q(`SELECT SUM(collected) FROM collection_episodes WHERE `+active, b, a)},
	} {
		if c.got != c.want {
			t.Errorf("report collections %s: %d, the rows say %d", c.name, c.got, c.want)
		}
		if c.want == 0 && c.name != "written off" {
			t.Errorf("report collections %s: 0 — the loop should have made some", c.name)
		}
	}
	k := rep.Total.KPIs
	if k.PromiseKeptRate.Num != f.PromisesKept || k.PromiseKeptRate.Den != f.PromisesKept+f.PromisesBroken {
		t.Errorf("promise-kept rate %+v from kept %d broken %d", k.PromiseKeptRate, f.PromisesKept, f.PromisesBroken)
	}
	var arms int64
	for _, l := range rep.Lines {
		if l.Dimension == "arm" {
			arms += l.Figures.Episodes
		}
	}
	if arms != f.Episodes {
		t.Errorf("the arms' episodes add up to %d, all episodes %d", arms, f.Episodes)
	}
	days, err := db.CollectionDaily(ctx, from, to, "all")
	if err != nil {
		t.Fatal(err)
	}
	var contacts, made int64
	for _, d := range days {
		contacts += d.Figures.Contacts
		made += d.Figures.PromisesMade
	}
	// Each close of business stored its date's figures; contacts and
	// promises belong to one business date, so the days add up.
	if len(days) == 0 || contacts != f.Contacts || made != f.PromisesMade {
		t.Errorf("%d days stored: contacts %d, promises %d; the period has %d and %d", len(days), contacts, made, f.Contacts, f.PromisesMade)
	}
}

// logLoan logs a loan's transactions and collection episodes, to show why
// a check of it failed.
func logLoan(t *testing.T, raw *sql.DB, loan int64) {
	t.Helper()
	rows, err := raw.Query(`SELECT seq, kind, value_date, amount, reverses, posted_at, reference FROM transactions WHERE loan_id = ? ORDER BY seq`, loan)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var seq, vd, amt, rev int64
		var kind, posted, ref string
		rows.Scan(&seq, &kind, &vd, &amt, &rev, &posted, &ref)
		t.Logf("  loan %d tx %d: %s of %s value-dated %s, posted %s, reverses %d, ref %s", loan, seq, kind, money.Amount(amt), civil.Date(vd), posted, rev, ref)
	}
	rows.Close()
	rows, err = raw.Query(`SELECT started, ended, outcome, collected FROM collection_episodes WHERE loan_id = ? ORDER BY started`, loan)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var st, en, c int64
		var o string
		rows.Scan(&st, &en, &o, &c)
		t.Logf("  loan %d episode %s–%s %s, collected %s", loan, civil.Date(st), civil.Date(en), o, money.Amount(c))
	}
	rows.Close()
}
