package storetest

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// DumpPath is Dump of the SQLite database at path.
func DumpPath(tb testing.TB, path string) map[string][]string {
	tb.Helper()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	return Dump(tb, raw)
}

// Dump returns the rows of the tables close of business writes (and the
// transactions it reads), as text in a stable order, for comparing two
// databases that should hold the same book. The class history's id is
// left out: it orders changes, it is not data; reruns of a date are left
// out, as they keep the date's close.
func Dump(tb testing.TB, raw *sql.DB) map[string][]string {
	tb.Helper()
	out := map[string][]string{}
	for name, q := range map[string]string{
		"loan_state":    `SELECT * FROM loan_state ORDER BY loan_id`,
		"eod_loans":     `SELECT * FROM eod_loans ORDER BY loan_id`,
		"agg_portfolio": `SELECT * FROM agg_portfolio ORDER BY as_of, product, branch, status, bucket, class, stage`,
		"agg_roll":      `SELECT * FROM agg_roll ORDER BY as_of, product, from_state, to_state`,
		"agg_vintage":   `SELECT * FROM agg_vintage ORDER BY as_of, product, vintage`,
		"agg_migration": `SELECT * FROM agg_migration ORDER BY as_of, product, branch, from_class, to_state`,
		"eod_dirty":     `SELECT * FROM eod_dirty ORDER BY loan_id`,
		"history":       `SELECT loan_id, as_of, from_class, to_class, cause FROM classification_history ORDER BY loan_id, as_of, from_class, to_class`,
		"transactions":  `SELECT loan_id, seq, kind, value_date, amount, reference FROM transactions ORDER BY loan_id, seq`,
		"eod_runs":      `SELECT as_of, status FROM eod_runs WHERE attempt = 1 ORDER BY as_of`,
		"settings":      `SELECT key, value FROM settings WHERE key = 'business_date'`,
		"tasks":         `SELECT loan_id, kind, origin, anchor, episode, arm, channel, created, due, sla, priority, assignee, state, outcome, escalations, closed FROM tasks ORDER BY loan_id, origin, anchor`,
		"episodes":      `SELECT * FROM collection_episodes ORDER BY loan_id, started`,
		"promises":      `SELECT loan_id, made, due, amount, paid, state, settled FROM promises ORDER BY loan_id, id`,
		"wakes":         `SELECT loan_id, wake_date FROM loan_state ORDER BY loan_id`,
	} {
		rows, err := raw.Query(q)
		if err != nil {
			tb.Fatal(err)
		}
		out[name] = []string{} // present even when empty, so callers can check
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				if name == "loan_state" && cols[i] == "wake_date" {
					continue // in "wakes": what the state is and when it is next looked at are apart
				}
				if i > 0 {
					b.WriteByte('|')
				}
				fmt.Fprint(&b, v)
			}
			out[name] = append(out[name], b.String())
		}
		rows.Close()
	}
	return out
}
