package store

import (
	"context"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/warning"
)

// WarningCount is how many warnings one rule raised on one day at one
// severity that are now in one state: the counts a warnings dashboard
// sums by day, by severity and by rule. State is the warning's state
// now, not on the day it was raised.
type WarningCount struct {
	Raised   civil.Date
	Rule     string
	Severity warning.Severity
	State    warning.State
	Count    int64
}

// WarningCounts returns the warnings raised on the business dates from …
// to, counted by day, rule, severity and current state, oldest day first.
// The actor in ctx must be allowed to read reports (EUNAUTHORIZED);
// EINVALID when to is before from.
func (db *DB) WarningCounts(ctx context.Context, from, to civil.Date) ([]WarningCount, error) {
	if err := auth.Can(auth.FromContext(ctx), auth.ReadReport, auth.Book()).Err(); err != nil {
		return nil, err
	}
	if to.Before(from) {
		return nil, daihou.Invalid("to", "to: %v is before from (%v)", to, from)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT raised, rule, severity, state, COUNT(*) FROM warnings
		WHERE raised >= ? AND raised <= ? GROUP BY raised, rule, severity, state ORDER BY raised, rule, severity, state`, int64(from), int64(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []WarningCount
	for rows.Next() {
		var c WarningCount
		var raised int64
		var sev, state string
		if err := rows.Scan(&raised, &c.Rule, &sev, &state, &c.Count); err != nil {
			return nil, err
		}
		c.Raised = civil.Date(raised)
		if c.Severity, err = warning.ParseSeverity(sev); err != nil {
			return nil, daihou.Errorf(daihou.EINTERNAL, "warnings of rule %s on %v: %w", c.Rule, c.Raised, err)
		}
		if c.State, err = warning.ParseState(state); err != nil {
			return nil, daihou.Errorf(daihou.EINTERNAL, "warnings of rule %s on %v: %w", c.Rule, c.Raised, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
