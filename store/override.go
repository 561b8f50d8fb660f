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
		return 0, daihou.Errorf(daihou.EINVALID, "an override needs a reason (--reason): regulators ask why")
	}
	if maker = normalUser(maker); maker == "" {
		return 0, daihou.Errorf(daihou.EINVALID, "an override needs its maker (--as USER)")
	}
	var id int64
	err := db.inTx(ctx, func(t *wtx) error {
		snaps, err := loadSnapshots(ctx, t, []int64{loanID})
		if err != nil {
			return err
		}
		snap, ok := snaps[loanID]
		if !ok {
			return daihou.Errorf(daihou.ENOTFOUND, "loan %d has no state yet (not disbursed on the business date)", loanID)
		}
		if class <= snap.Class {
			return daihou.Errorf(daihou.EINVALID, "override to %s %v must be above the loan's current class %s %v", class.Chinese(), class, snap.Class.Chinese(), snap.Class)
		}
		return t.QueryRowContext(ctx, `INSERT INTO classification_overrides (loan_id, class, reason, maker, created_at, status)
			VALUES (?, ?, ?, ?, ?, 'pending') RETURNING id`, loanID, int(class), reason, maker, t.stamp()).Scan(&id)
	})
	return id, err
}

// normalUser is how a user name is compared: case and surrounding space
// do not make another person.
func normalUser(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// DecideOverride approves or rejects a pending override. The checker must
// not be its maker. An approval derives the loan's state again in the same
// transaction, so the decision and its effect commit together or not at
// all.
func (db *DB) DecideOverride(ctx context.Context, loanID, id int64, checker string, approve bool) error {
	return db.inTx(ctx, func(t *wtx) error {
		var maker, status string
		err := t.QueryRowContext(ctx, `SELECT maker, status FROM classification_overrides WHERE loan_id = ? AND id = ?`, loanID, id).Scan(&maker, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return daihou.Errorf(daihou.ENOTFOUND, "override %d of loan %d not found", id, loanID)
		}
		if err != nil {
			return err
		}
		if checker = normalUser(checker); checker == "" || checker == normalUser(maker) {
			return daihou.Errorf(daihou.EUNAUTHORIZED, "the checker of an override must be someone other than its maker %q (四眼原则)", maker)
		}
		if status != "pending" {
			return daihou.Errorf(daihou.ECONFLICT, "override %d is already %s", id, status)
		}
		decision := "rejected"
		if approve {
			decision = "approved"
		}
		res, err := t.ExecContext(ctx, `UPDATE classification_overrides SET status = ?, checker = ?, decided_at = ? WHERE loan_id = ? AND id = ? AND status = 'pending'`,
			decision, checker, t.stamp(), loanID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return daihou.Errorf(daihou.ECONFLICT, "override %d was decided concurrently", id)
		}
		if approve {
			return db.refresh(ctx, t, []int64{loanID})
		}
		return nil
	})
}
