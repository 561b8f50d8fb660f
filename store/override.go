package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"daihou"
	"daihou/classification"
)

// Override is a request to classify a loan above its regulatory floor,
// approved by a second person (maker-checker, 四眼原则).
type Override struct {
	LoanID  int64
	ID      int64
	Class   classification.Class
	Reason  string
	Maker   string
	Checker string
	Status  string // pending, approved, rejected
}

// ProposeOverride records a pending override. It must raise the loan above
// its current class — an override can never move a loan below its floor.
func (db *DB) ProposeOverride(ctx context.Context, loanID int64, class classification.Class, reason, maker string) (int64, error) {
	if strings.TrimSpace(reason) == "" {
		return 0, daihou.Errorf(daihou.EINVALID, "an override needs a reason")
	}
	if maker == "" {
		return 0, daihou.Errorf(daihou.EINVALID, "an override needs its maker")
	}
	snap, err := db.Snapshot(ctx, loanID)
	if err != nil {
		return 0, err
	}
	if class <= snap.Class {
		return 0, daihou.Errorf(daihou.EINVALID, "override to %v must be above the loan's current class %v", class, snap.Class)
	}
	var id int64
	err = db.write.QueryRowContext(ctx, `INSERT INTO classification_overrides (loan_id, id, class, reason, maker, created_at, status)
		VALUES (?, (SELECT COALESCE(MAX(id), 0) + 1 FROM classification_overrides WHERE loan_id = ?), ?, ?, ?, ?, 'pending') RETURNING id`,
		loanID, loanID, int(class), reason, maker, db.stamp()).Scan(&id)
	return id, err
}

// DecideOverride approves or rejects a pending override. The checker must
// not be its maker. An approval re-derives the loan's state at once.
func (db *DB) DecideOverride(ctx context.Context, loanID, id int64, checker string, approve bool) error {
	var maker, status string
	err := db.read.QueryRowContext(ctx, `SELECT maker, status FROM classification_overrides WHERE loan_id = ? AND id = ?`, loanID, id).Scan(&maker, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return daihou.Errorf(daihou.ENOTFOUND, "override %d of loan %d not found", id, loanID)
	}
	if err != nil {
		return err
	}
	if checker == "" || checker == maker {
		return daihou.Errorf(daihou.EUNAUTHORIZED, "the checker of an override must be someone other than its maker %q", maker)
	}
	if status != "pending" {
		return daihou.Errorf(daihou.ECONFLICT, "override %d is already %s", id, status)
	}
	decision := "rejected"
	if approve {
		decision = "approved"
	}
	res, err := db.write.ExecContext(ctx, `UPDATE classification_overrides SET status = ?, checker = ?, decided_at = ? WHERE loan_id = ? AND id = ? AND status = 'pending'`,
		decision, checker, db.stamp(), loanID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return daihou.Errorf(daihou.ECONFLICT, "override %d was decided concurrently", id)
	}
	if approve {
		return db.Refresh(ctx, []int64{loanID})
	}
	return nil
}
