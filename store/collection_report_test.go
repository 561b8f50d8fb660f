package store_test

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"daihou"
	"daihou/civil"
	"daihou/collection"
	"daihou/money"
	"daihou/report"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
)

// crRaw is a plain connection to a test database, for writing the rows of
// the collection tables directly and counting them with SQL of its own.
type crRaw struct {
	*sql.DB
	pg bool
}

func crOpenRaw(t *testing.T, backend, dsn string) *crRaw {
	t.Helper()
	driver, src := "sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)"
	if backend == "postgres" {
		driver, src = "pgx", dsn
	}
	raw, err := sql.Open(driver, src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return &crRaw{raw, backend == "postgres"}
}

// bind numbers the placeholders for PostgreSQL.
func (r *crRaw) bind(q string) string {
	if !r.pg {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (r *crRaw) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := r.Exec(r.bind(q), args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func (r *crRaw) id(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := r.QueryRow(r.bind(q+" RETURNING id"), args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return id
}

func (r *crRaw) int(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := r.QueryRow(r.bind(q), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// groups runs a query of a key and n integer columns and returns them by
// key.
func (r *crRaw) groups(t *testing.T, q string, n int, args ...any) map[string][]int64 {
	t.Helper()
	rows, err := r.Query(r.bind(q), args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	out := map[string][]int64{}
	for rows.Next() {
		var key sql.NullString
		vals := make([]int64, n)
		dest := []any{&key}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		// NULL and '' are both no key: add them up.
		if prev, ok := out[key.String]; ok {
			for i := range vals {
				vals[i] += prev[i]
			}
		}
		out[key.String] = vals
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// crFill writes a few months of collection work on loans 900001 … directly
// into the collection tables — episodes, their tasks, contacts and the
// promises they took — drawn from a seeded generator, so that every
// combination the figures distinguish occurs.
func crFill(t *testing.T, raw *crRaw, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	base := civil.MustParse("2026-01-15")
	people := []string{"alice", "bob", "carol", ""}
	teams := []string{"A", "B", ""}
	channels := []string{"call", "ai-voice", "dialer", "visit", "sms", "email", "call", "call"}
	outcomes := []collection.Outcome{collection.NoAnswer, collection.WrongNumber, collection.Promise, collection.Refused, collection.Complaint, collection.Paid, collection.Delivered, collection.Promise}
	taskN := 0
	for loan := int64(900001); loan <= 900060; loan++ {
		borrower := loan
		start := base.AddDays(rng.IntN(75))
		var tasks []int64
		for ep := 0; ep < 2; ep++ {
			arm := pick(collection.Champion, collection.Challenger)
			seg := pick("late", "person", "auto")
			if arm == collection.Challenger && seg == "auto" {
				seg = "auto-voice-first"
			}
			entry := 1 + rng.IntN(3)
			worst := entry + rng.IntN(2)
			ended, outcome := civil.Date(0), ""
			if rng.IntN(3) > 0 {
				ended = start.AddDays(4 + rng.IntN(40))
				outcome = pick(collection.Cured, collection.Cured, collection.Settled, collection.WrittenOff)
			}
			raw.exec(t, `INSERT INTO collection_episodes (loan_id, started, ended, outcome, strategy, arm, segment, entry_bucket, max_bucket, entry_overdue, collected, willingness)
				VALUES (?, ?, ?, ?, 'two-track', ?, ?, ?, ?, ?, ?, -1)`, loan, int64(start), int64(ended), outcome, arm, seg, entry, worst, 10000+rng.IntN(90000), rng.IntN(50000))
			for k := rng.IntN(4); k > 0; k-- {
				taskN++
				ch := pick(collection.Person, collection.Person, "sms")
				who, team := pick(people...), pick(teams...)
				if ch != collection.Person {
					who, team = "", ""
				}
				tasks = append(tasks, raw.id(t, `INSERT INTO tasks (loan_id, borrower_id, kind, origin, anchor, episode, arm, channel, created, due, sla, priority, assignee, team, state)
					VALUES (?, ?, 'call', ?, ?, ?, ?, ?, ?, ?, ?, 100, ?, ?, 'open')`, loan, borrower, fmt.Sprintf("test:%d", taskN), int64(start)+int64(k), int64(start), arm, ch,
					int64(start), int64(start), int64(start)+2, who, team))
			}
			if ended == 0 {
				break
			}
			start = ended.AddDays(3 + rng.IntN(10))
		}
		for k := rng.IntN(9); k > 0; k-- {
			business := civil.MustParse("2026-02-20").AddDays(rng.IntN(45))
			ch := pick(channels...)
			var task int64
			if len(tasks) > 0 && rng.IntN(4) > 0 {
				task = tasks[rng.IntN(len(tasks))]
			}
			outcome := outcomes[rng.IntN(len(outcomes))]
			connected, rpc := 0, 0
			if outcome.Connected() {
				connected = 1
			}
			if outcome.RightParty() && rng.IntN(5) > 0 {
				rpc = 1
			}
			by := pick("alice", "bob", "carol", "channel:"+ch)
			at := business.Time().Add(10 * time.Hour).Unix()
			contact := raw.id(t, `INSERT INTO contacts (loan_id, borrower_id, task_id, at, business, channel, party, by_name, connected, rpc, outcome, cost, satisfaction)
				VALUES (?, ?, ?, ?, ?, ?, 'debtor', ?, ?, ?, ?, ?, ?)`, loan, borrower, task, at, int64(business), ch, by, connected, rpc, string(outcome), rng.IntN(300), rng.IntN(6))
			if outcome != collection.Promise {
				continue
			}
			due := business.AddDays(1 + rng.IntN(10))
			state, settled := pick(collection.PromiseOpen, collection.PromiseKept, collection.PromiseBroken), civil.Date(0)
			switch state {
			case collection.PromiseKept:
				settled = business.AddDays(rng.IntN(due.Sub(business) + 1))
			case collection.PromiseBroken:
				settled = due.AddDays(1)
			}
			raw.exec(t, `INSERT INTO promises (loan_id, task_id, contact_id, made, due, amount, paid, state, settled, by_name) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
				loan, task, contact, int64(business), int64(due), 100+rng.IntN(100000), state, int64(settled), by)
		}
	}
}

// crExpected counts the figures of [from, to] with SQL of its own, by
// dimension and key, as report.Figures documents them.
func crExpected(t *testing.T, raw *crRaw, from, to civil.Date) map[string]map[string]report.Figures {
	t.Helper()
	f, tt := int64(from), int64(to)
	out := map[string]map[string]report.Figures{}
	// put applies fn to the figures of a key as SQL names it: NULL or ''
	// is "(none)", a bucket is its number.
	put := func(dim, key string, fn func(*report.Figures)) {
		switch {
		case key == "":
			key = report.NoKey
		case dim == report.DimBucket:
			n, err := strconv.Atoi(key)
			if err != nil {
				t.Fatalf("bucket %q", key)
			}
			key = servicing.Bucket(n).String()
		}
		if out[dim] == nil {
			out[dim] = map[string]report.Figures{}
		}
		v := out[dim][key]
		fn(&v)
		out[dim][key] = v
	}
	sum := func(x string) string { return "CAST(COALESCE(SUM(" + x + "), 0) AS BIGINT)" }
	attempt := "c.channel IN ('call', 'ai-voice', 'dialer', 'visit')"
	spans := func(e, date string) string {
		return e + ".loan_id = %s.loan_id AND " + e + ".started <= " + date + " AND (" + e + ".ended = 0 OR " + e + ".ended >= " + date + ")"
	}
	contactKeys := map[string][2]string{
		report.DimAll:       {"'all'", ""},
		report.DimCollector: {"c.by_name", ""},
		report.DimTeam:      {"t.team", "LEFT JOIN tasks t ON t.id = c.task_id"},
		report.DimChannel:   {"c.channel", ""},
		report.DimArm:       {"e.arm", "LEFT JOIN collection_episodes e ON " + fmt.Sprintf(spans("e", "c.business"), "c")},
		report.DimBucket:    {"CAST(e.entry_bucket AS TEXT)", "LEFT JOIN collection_episodes e ON " + fmt.Sprintf(spans("e", "c.business"), "c")},
	}
	for dim, k := range contactKeys {
		q := `SELECT ` + k[0] + `, COUNT(*), ` + sum("CASE WHEN "+attempt+" THEN 1 ELSE 0 END") + `, ` + sum("CASE WHEN "+attempt+" AND c.connected = 1 THEN 1 ELSE 0 END") + `, ` +
			sum("CASE WHEN "+attempt+" AND c.rpc = 1 THEN 1 ELSE 0 END") + `, ` + sum("CASE WHEN c.outcome = 'complaint' THEN 1 ELSE 0 END") + `, ` +
			sum("CASE WHEN c.satisfaction > 0 THEN 1 ELSE 0 END") + `, ` + sum("c.satisfaction") + `, ` + sum("c.cost") + `
			FROM contacts c ` + k[1] + ` WHERE c.business >= ? AND c.business <= ? GROUP BY 1`
		for key, v := range raw.groups(t, q, 8, f, tt) {
			put(dim, key, func(x *report.Figures) {
				x.Contacts, x.Attempts, x.Connected, x.RPC, x.Complaints, x.Rated, x.SatisfactionSum, x.Cost = v[0], v[1], v[2], v[3], v[4], v[5], v[6], money.Amount(v[7])
			})
		}
	}
	made := "p.made >= ? AND p.made <= ?"
	settled := "p.settled >= ? AND p.settled <= ?"
	promiseKeys := map[string][2]string{
		report.DimAll:       {"'all'", ""},
		report.DimCollector: {"p.by_name", ""},
		report.DimTeam:      {"t.team", "LEFT JOIN tasks t ON t.id = p.task_id"},
		report.DimChannel:   {"c.channel", "LEFT JOIN contacts c ON c.id = p.contact_id"},
		report.DimArm:       {"e.arm", "LEFT JOIN collection_episodes e ON " + fmt.Sprintf(spans("e", "p.made"), "p")},
		report.DimBucket:    {"CAST(e.entry_bucket AS TEXT)", "LEFT JOIN collection_episodes e ON " + fmt.Sprintf(spans("e", "p.made"), "p")},
	}
	for dim, k := range promiseKeys {
		q := `SELECT ` + k[0] + `, ` + sum("CASE WHEN "+made+" THEN 1 ELSE 0 END") + `, ` + sum("CASE WHEN "+made+" THEN p.amount ELSE 0 END") + `, ` +
			sum("CASE WHEN "+settled+" AND p.state = 'kept' THEN 1 ELSE 0 END") + `, ` + sum("CASE WHEN "+settled+" AND p.state = 'kept' THEN p.amount ELSE 0 END") + `, ` +
			sum("CASE WHEN "+settled+" AND p.state = 'broken' THEN 1 ELSE 0 END") + `
			FROM promises p ` + k[1] + ` WHERE (` + made + `) OR (` + settled + `) GROUP BY 1`
		for key, v := range raw.groups(t, q, 5, f, tt, f, tt, f, tt, f, tt, f, tt, f, tt, f, tt) {
			put(dim, key, func(x *report.Figures) {
				x.PromisesMade, x.Promised, x.PromisesKept, x.KeptAmount, x.PromisesBroken = v[0], money.Amount(v[1]), v[2], money.Amount(v[3]), v[4]
			})
		}
	}
	ended := "e.ended >= ? AND e.ended <= ?"
	episodeKeys := map[string][2]string{
		report.DimAll:       {"'all'", ""},
		report.DimArm:       {"e.arm", ""},
		report.DimBucket:    {"CAST(e.entry_bucket AS TEXT)", ""},
		report.DimCollector: {"w.assignee", "LEFT JOIN (SELECT DISTINCT loan_id, episode, assignee FROM tasks WHERE assignee <> '') w ON w.loan_id = e.loan_id AND w.episode = e.started"},
		report.DimTeam:      {"w.team", "LEFT JOIN (SELECT DISTINCT loan_id, episode, team FROM tasks WHERE team <> '') w ON w.loan_id = e.loan_id AND w.episode = e.started"},
		report.DimChannel: {"x.channel", `LEFT JOIN (SELECT DISTINCT e2.loan_id, e2.started, c.channel FROM collection_episodes e2 JOIN contacts c ON ` + fmt.Sprintf(spans("e2", "c.business"), "c") + `
			WHERE c.business >= ` + strconv.FormatInt(f, 10) + ` AND c.business <= ` + strconv.FormatInt(tt, 10) + `) x ON x.loan_id = e.loan_id AND x.started = e.started`},
	}
	for dim, k := range episodeKeys {
		q := `SELECT ` + k[0] + `, COUNT(*), ` + sum("CASE WHEN e.started >= ? THEN 1 ELSE 0 END") + `, ` + sum("CASE WHEN "+ended+" THEN 1 ELSE 0 END") + `, ` +
			sum("CASE WHEN "+ended+" AND e.outcome = 'cured' THEN 1 ELSE 0 END") + `, ` + sum("CASE WHEN "+ended+" AND e.outcome = 'settled' THEN 1 ELSE 0 END") + `, ` +
			sum("CASE WHEN "+ended+" AND e.outcome = 'written-off' THEN 1 ELSE 0 END") + `, ` +
			sum("CASE WHEN "+ended+" AND e.outcome = 'cured' THEN e.ended - e.started + 1 ELSE 0 END") + `, ` +
			sum("CASE WHEN e.max_bucket > e.entry_bucket THEN 1 ELSE 0 END") + `, ` + sum("e.collected") + `
			FROM collection_episodes e ` + k[1] + ` WHERE e.started <= ? AND (e.ended = 0 OR e.ended >= ?) GROUP BY 1`
		for key, v := range raw.groups(t, q, 9, f, f, tt, f, tt, f, tt, f, tt, f, tt, tt, f) {
			put(dim, key, func(x *report.Figures) {
				x.Episodes, x.Entered, x.Ended, x.Cured, x.Settled, x.WrittenOff, x.CureDays, x.RolledForward, x.Collected = v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], money.Amount(v[8])
			})
		}
	}
	return out
}

// figuresOf returns a report's figures by dimension and key.
func figuresOf(r report.CollectionReport) map[string]map[string]report.Figures {
	out := map[string]map[string]report.Figures{report.DimAll: {report.DimAll: r.Total.Figures}}
	for _, l := range r.Lines {
		if out[l.Dimension] == nil {
			out[l.Dimension] = map[string]report.Figures{}
		}
		out[l.Dimension][l.Key] = l.Figures
	}
	return out
}

// The promise of the collection report: every KPI is a count or a sum
// anyone can check with SQL over the same rows. Rows written straight into
// the tables (and those close of business made of eight loans' arrears)
// are counted twice, by package report through the store and by SQL here,
// for every key of every dimension; the book-wide figures likewise. The
// daily figures close of business keeps equal the report of their date.
func TestCollectionReportReconcilesWithSQL(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		dsn := storetest.DSN(t, backend)
		db := storetest.OpenPath(t, dsn)
		db.Now = func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }
		raw := crOpenRaw(t, backend, dsn)
		ctx := storetest.Ctx()
		ids := MustAddLoans(t, db, servicing.DefaultProduct("CL"), 8)
		closeThrough(t, db, day("2026-03-31"))
		crFill(t, raw, 42)
		// A 90+ cell and a write-off with recoveries, one reversed; the
		// next close replays the loan written off.
		raw.exec(t, `INSERT INTO agg_portfolio (as_of, product, branch, status, bucket, class, stage, loans, outstanding, overdue, ecl, written_off, recovered)
			VALUES (?, 'ZZ', 'BJ01', 'active', 5, 3, 3, 1, 1234567, 100000, 0, 0, 0)`, int64(day("2026-03-31")))
		seq := raw.int(t, `SELECT MAX(seq) FROM transactions WHERE loan_id = ?`, ids[0])
		tx := func(kind string, date string, amount int64, reverses int64) int64 {
			seq++
			raw.exec(t, `INSERT INTO transactions (loan_id, seq, kind, value_date, amount, reference, reverses, posted_at) VALUES (?, ?, ?, ?, ?, ?, ?, '2026-04-01T00:00:00Z')`,
				ids[0], seq, kind, int64(day(date)), amount, fmt.Sprintf("T%d", seq), reverses)
			return seq
		}
		tx("write-off", "2026-03-20", 0, 0)
		tx("recovery", "2026-03-25", 10000, 0)
		r2 := tx("recovery", "2026-03-28", 5000, 0)
		tx("reversal", "2026-03-29", 5000, r2)
		tx("recovery", "2026-04-01", 700, 0)
		closeThrough(t, db, day("2026-04-02"))
		// Officers on four loans, one settled early in March and one in
		// February (not active at the start).
		raw.exec(t, `UPDATE loans SET officer = 'am1' WHERE id IN (?, ?, ?, ?)`, ids[0], ids[1], ids[2], ids[3])
		raw.exec(t, `UPDATE loan_state SET status = 'settled', settled_date = ? WHERE loan_id = ?`, int64(day("2026-03-15")), ids[1])
		raw.exec(t, `UPDATE loan_state SET status = 'settled', settled_date = ? WHERE loan_id = ?`, int64(day("2026-02-15")), ids[2])

		from, to := day("2026-03-01"), day("2026-03-31")
		got, err := db.CollectionReport(ctx, from, to, "")
		if err != nil {
			t.Fatal(err)
		}
		want := crExpected(t, raw, from, to)
		if diff := cmp.Diff(want, figuresOf(got)); diff != "" {
			t.Errorf("report figures differ from SQL's (-sql +report):\n%s", diff)
		}
		if n := got.Total.Figures; n.Contacts < 100 || n.PromisesMade < 10 || n.Episodes < 50 || n.Cured < 5 || n.Ended <= n.Cured {
			t.Errorf("the fixture is too thin to prove much: %+v", n)
		}
		if k := got.Total.KPIs.CureRate; k.Num != want[report.DimAll][report.DimAll].Cured || k.Den != want[report.DimAll][report.DimAll].Episodes {
			t.Errorf("cure rate %d/%d", k.Num, k.Den)
		}
		// The trend: one line per date closed in March, each stored by its
		// close (before the rows above were written).
		if len(got.Trend) != 31 || got.Trend[0].Date != from || got.Trend[30].Date != to {
			t.Errorf("trend of %d dates, want March's 31", len(got.Trend))
		}

		b := got.Book
		if b == nil {
			t.Fatal("no book figures")
		}
		last := raw.int(t, `SELECT MAX(as_of) FROM agg_portfolio WHERE as_of <= ?`, int64(to))
		opening := raw.int(t, `SELECT MAX(as_of) FROM agg_portfolio WHERE as_of < ?`, int64(from))
		active := raw.int(t, `SELECT CAST(COALESCE(SUM(outstanding), 0) AS BIGINT) FROM agg_portfolio WHERE as_of = ? AND status = 'active'`, last)
		over90 := raw.int(t, `SELECT CAST(COALESCE(SUM(outstanding), 0) AS BIGINT) FROM agg_portfolio WHERE as_of = ? AND status = 'active' AND bucket >= 4`, last)
		pastDue := raw.int(t, `SELECT CAST(COALESCE(SUM(outstanding), 0) AS BIGINT) FROM agg_portfolio WHERE as_of = ? AND status = 'active' AND bucket >= 1`, opening)
		firstWO := `(SELECT MIN(w.value_date) FROM transactions w WHERE w.loan_id = s.loan_id AND w.kind = 'write-off')`
		woN := raw.int(t, `SELECT COUNT(*) FROM loan_state s WHERE s.status = 'written-off' AND `+firstWO+` BETWEEN ? AND ?`, int64(from), int64(to))
		wo := raw.int(t, `SELECT CAST(COALESCE(SUM(s.written_off), 0) AS BIGINT) FROM loan_state s WHERE s.status = 'written-off' AND `+firstWO+` BETWEEN ? AND ?`, int64(from), int64(to))
		unreversed := `FROM transactions r WHERE r.kind = 'recovery' AND r.value_date BETWEEN ? AND ?
			AND NOT EXISTS (SELECT 1 FROM transactions v WHERE v.loan_id = r.loan_id AND v.kind = 'reversal' AND v.reverses = r.seq)`
		recN := raw.int(t, `SELECT COUNT(*) `+unreversed, int64(from), int64(to))
		rec := raw.int(t, `SELECT CAST(COALESCE(SUM(r.amount), 0) AS BIGINT) `+unreversed, int64(from), int64(to))
		if b.AsOf != civil.Date(last) || b.OpeningDate != civil.Date(opening) || int64(b.ActiveBalance) != active || int64(b.Over90Balance) != over90 ||
			int64(b.OpeningPastDue) != pastDue || b.WrittenOffN != woN || int64(b.WrittenOff) != wo || b.Recoveries != recN || int64(b.Recovered) != rec {
			t.Errorf("book %+v; SQL: as of %v opening %v, active %d, 90+ %d, past due %d, written off %d loans %d, recoveries %d %d",
				b.BookFigures, civil.Date(last), civil.Date(opening), active, over90, pastDue, woN, wo, recN, rec)
		}
		if over90 < 1234567 || woN != 1 || wo <= 0 || recN != 1 || rec != 10000 {
			t.Errorf("the ledger fixture did not take: 90+ %d, written off %d (%d), recoveries %d (%d)", over90, woN, wo, recN, rec)
		}
		ratio := func(name string, r report.Ratio, num, den int64) {
			t.Helper()
			if r.Num != num || r.Den != den {
				t.Errorf("%s %d/%d, want %d/%d", name, r.Num, r.Den, num, den)
			}
		}
		ratio("90+ share", b.Over90Share, over90, active)
		ratio("write-off ratio", b.WriteOffRatio, wo, pastDue)
		// Maturity of every test loan: 12 months after 2026-01-10.
		officer := `FROM loans l JOIN loan_state s ON s.loan_id = l.id WHERE l.officer <> '' AND l.disbursed < ?
			AND NOT (s.status = 'settled' AND s.settled_date < ?) AND NOT (s.status = 'written-off' AND ` + firstWO + ` < ?)`
		officers := raw.int(t, `SELECT COUNT(*) `+officer, int64(from), int64(from), int64(from))
		churned := raw.int(t, `SELECT COUNT(*) `+officer+` AND s.status = 'settled' AND s.settled_date BETWEEN ? AND ? AND s.settled_date < ?`,
			int64(from), int64(from), int64(from), int64(from), int64(to), int64(day("2027-01-10")))
		if b.OfficerChurn == nil {
			t.Fatal("no officer churn")
		}
		ratio("officer churn", *b.OfficerChurn, churned, officers)
		if officers != 3 || churned != 1 {
			t.Errorf("officer fixture: %d of %d", churned, officers)
		}

		// Every breakdown alone is the same line as in the whole.
		for _, dim := range report.CollectionDimensions[1:] {
			r, err := db.CollectionReport(ctx, from, to, dim)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string]map[string]report.Figures{report.DimAll: want[report.DimAll], dim: want[dim]}, figuresOf(r)); diff != "" {
				t.Errorf("by %s (-sql +report):\n%s", dim, diff)
			}
		}

		// The daily figures of the last close are the report of its date.
		last2 := day("2026-04-02")
		daily := map[string]map[string]report.Figures{}
		for _, dim := range report.CollectionDimensions {
			ds, err := db.CollectionDaily(ctx, last2, last2, dim)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				if daily[dim] == nil {
					daily[dim] = map[string]report.Figures{}
				}
				daily[dim][d.Key] = d.Figures
			}
		}
		day2, err := db.CollectionReport(ctx, last2, last2, "")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(figuresOf(day2), daily); diff != "" {
			t.Errorf("collection_daily of %v differs from the report of the date (-report +daily):\n%s", last2, diff)
		}
		if diff := cmp.Diff(crExpected(t, raw, last2, last2), daily); diff != "" {
			t.Errorf("collection_daily of %v differs from SQL (-sql +daily):\n%s", last2, diff)
		}
		if day2.Total.Figures.Contacts == 0 && day2.Total.Figures.Episodes == 0 {
			t.Error("nothing on the last date")
		}

		crCheckStrategies(t, db, raw, from, to)

		// Bad input, and who may read.
		if _, err := db.CollectionReport(ctx, from, to, "region"); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("by region: %v", err)
		}
		if _, err := db.CollectionReport(ctx, to, from, ""); daihou.ErrorCode(err) != daihou.EINVALID {
			t.Errorf("to before from: %v", err)
		}
		if r, err := db.CollectionReport(ctx, 0, 0, report.DimArm); err != nil || r.From != day("2026-04-01") || r.To != last2 {
			t.Errorf("default period %v–%v, %v; want the month of the last close to it", r.From, r.To, err)
		}
		as := storetest.Users(t, db, "col=collector", "mgr=manager", "aud=auditor")
		for who, ok := range map[string]bool{"col": false, "mgr": true, "aud": true} {
			_, err1 := db.CollectionReport(as[who], from, to, "")
			_, err2 := db.StrategyReport(as[who], from, to)
			_, err3 := db.CollectionDaily(as[who], from, to, report.DimAll)
			for _, err := range []error{err1, err2, err3} {
				if ok && err != nil || !ok && daihou.ErrorCode(err) != daihou.EUNAUTHORIZED {
					t.Errorf("%s reads the collection reports: %v", who, err)
				}
			}
		}
	})
}

// crCheckStrategies holds the champion/challenger comparison to SQL: per
// strategy, arm and segment, the episodes active in the period, cured,
// rolled forward, collected, and the cost, right-party contacts and
// complaints of the contacts within them.
func crCheckStrategies(t *testing.T, db *store.DB, raw *crRaw, from, to civil.Date) {
	t.Helper()
	rep, err := db.StrategyReport(storetest.Ctx(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	type counts struct{ Episodes, Cured, Rolled, Collected, Cost, RPC, Complaints int64 }
	got := map[string]counts{}
	add := func(c report.Comparison, a report.ArmResult) {
		if a.Segment == "" || a.Segment == report.AllSegments || a.Episodes == 0 {
			return
		}
		k := c.Strategy + "/" + a.Arm + "/" + a.Segment
		if _, dup := got[k]; dup {
			t.Errorf("%s twice", k)
		}
		got[k] = counts{a.Episodes, a.Cured, a.RolledForward, int64(a.Collected), int64(a.Cost), a.RPC, a.Complaints}
	}
	for _, c := range rep.Comparisons {
		add(c, c.Champion)
		add(c, c.Challenger)
	}
	f, tt := int64(from), int64(to)
	want := map[string]counts{}
	rows := raw.groups(t, `SELECT e.strategy || '/' || e.arm || '/' || e.segment, COUNT(*),
		CAST(SUM(CASE WHEN e.ended >= ? AND e.ended <= ? AND e.outcome = 'cured' THEN 1 ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN e.max_bucket > e.entry_bucket THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(e.collected) AS BIGINT)
		FROM collection_episodes e WHERE e.started <= ? AND (e.ended = 0 OR e.ended >= ?) GROUP BY e.strategy, e.arm, e.segment`, 4, f, tt, tt, f)
	for k, v := range rows {
		want[k] = counts{Episodes: v[0], Cured: v[1], Rolled: v[2], Collected: v[3]}
	}
	contacts := raw.groups(t, `SELECT e.strategy || '/' || e.arm || '/' || e.segment, CAST(SUM(c.cost) AS BIGINT),
		CAST(SUM(CASE WHEN c.channel IN ('call', 'ai-voice', 'dialer', 'visit') AND c.rpc = 1 THEN 1 ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN c.outcome = 'complaint' THEN 1 ELSE 0 END) AS BIGINT)
		FROM contacts c JOIN collection_episodes e ON e.loan_id = c.loan_id AND e.started <= c.business AND (e.ended = 0 OR e.ended >= c.business)
		WHERE c.business >= ? AND c.business <= ? GROUP BY e.strategy, e.arm, e.segment`, 3, f, tt)
	for k, v := range contacts {
		w := want[k]
		w.Cost, w.RPC, w.Complaints = v[0], v[1], v[2]
		want[k] = w
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("strategy comparison differs from SQL (-sql +report):\n%s", diff)
	}
	// The whole arms are the sums of their segments, with Wilson intervals.
	all := rep.Comparisons[0]
	if all.Segment != report.AllSegments {
		t.Fatalf("first comparison %q, want the whole strategy", all.Segment)
	}
	var champ, chall int64
	for k, c := range want {
		if strings.HasPrefix(k, all.Strategy+"/"+collection.Champion+"/") {
			champ += c.Episodes
		} else if strings.HasPrefix(k, all.Strategy+"/"+collection.Challenger+"/") {
			chall += c.Episodes
		}
	}
	if all.Champion.Episodes != champ || all.Challenger.Episodes != chall || all.Champion.CureCI == nil || all.Cure.Verdict == "" {
		t.Errorf("whole strategy %+v", all)
	}
}
