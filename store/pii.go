package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/inputtext"
	"daihou/pii"
	"daihou/servicing"
)

// Personal data at rest (package pii): a borrower's name, ID number, phone
// and address are stored sealed under the book's key ring, each but the
// address with a keyed hash beside it for exact-match search. The setting
// pii.check holds a value sealed under the key first used, so that a book
// opened with the wrong key, or with none, says so before anything is
// read or written.

// keyCheck is what pii.check seals.
const (
	keyCheckSetting = "pii.check"
	keyCheckField   = pii.Field("key_check")
	keyCheckValue   = "daihou personal-data key"
)

// ErrNoKey refuses to write personal data without a key.
var ErrNoKey = daihou.Errorf(daihou.ECONFLICT, "personal data is stored encrypted and this process has no key: set %s (see 'daihou key --help')", pii.KeyEnv)

// UseKeys gives the store the key ring it seals and opens personal data
// with. It refuses a ring that does not open what the book sealed before
// (the wrong key, or an old ring without the current key). A nil ring is
// refused when the book holds sealed data: nothing could be read.
func (db *DB) UseKeys(ctx context.Context, keys *pii.KeyRing) error {
	check, err := db.Setting(ctx, keyCheckSetting)
	if err != nil {
		return err
	}
	if keys == nil {
		if check != "" {
			return daihou.Errorf(daihou.ECONFLICT, "this book's personal data is encrypted and no key was given: set %s, or put the book's key file beside the database", pii.KeyEnv)
		}
		db.keys = nil
		return nil
	}
	if check != "" {
		v, verr := pii.Version(check)
		if got, err := keys.Open(keyCheckField, check); err != nil || got != keyCheckValue {
			return daihou.Errorf(daihou.ECONFLICT, "the key given (%s) does not open this book's personal data, sealed under key version %d (%v): give the key this book was encrypted with", keys, v, errors.Join(verr, err))
		}
	}
	db.keys = keys
	return nil
}

// Sealed reports whether the book holds personal data sealed under a key
// (it then opens only with that key).
func (db *DB) Sealed(ctx context.Context) (bool, error) {
	check, err := db.Setting(ctx, keyCheckSetting)
	return check != "", err
}

// Keys returns the key ring in use, nil when none.
func (db *DB) Keys() *pii.KeyRing { return db.keys }

// sealer seals a borrower's personal data for writing.
type sealedBorrower struct {
	name, idNumber, phone, address string
	nameHash, idHash, phoneHash    string
}

// sealBorrower seals b's personal data under the current key.
func sealBorrower(k *pii.KeyRing, b *servicing.Borrower) (sealedBorrower, error) {
	var s sealedBorrower
	if k == nil {
		if b.Name == "" && b.IDNumber == "" && b.Phone == "" && b.Address == "" {
			return s, nil
		}
		return s, ErrNoKey
	}
	var err error
	seal := func(f pii.Field, v string, out, hash *string) {
		if err != nil {
			return
		}
		if *out, err = k.Seal(f, v); err == nil && hash != nil && v != "" {
			*hash = k.Search(f, v)
		}
	}
	seal(pii.Name, b.Name, &s.name, &s.nameHash)
	seal(pii.IDNumber, b.IDNumber, &s.idNumber, &s.idHash)
	seal(pii.Phone, b.Phone, &s.phone, &s.phoneHash)
	seal(pii.Address, b.Address, &s.address, nil)
	return s, err
}

// openBorrower opens the sealed fields of b in place. A value written
// before the book was encrypted (plain text, no e<version>: prefix) is
// returned as it is.
func openBorrower(k *pii.KeyRing, b *servicing.Borrower) error {
	for _, f := range []struct {
		field pii.Field
		v     *string
	}{{pii.Name, &b.Name}, {pii.IDNumber, &b.IDNumber}, {pii.Phone, &b.Phone}, {pii.Address, &b.Address}} {
		if !isSealed(*f.v) {
			continue
		}
		if k == nil {
			return ErrNoKey
		}
		plain, err := k.Open(f.field, *f.v)
		if err != nil {
			return fmt.Errorf("borrower %d %s: %w", b.ID, f.field, err)
		}
		*f.v = plain
	}
	return nil
}

// isSealed reports whether a stored value is sealed text, e<version>:….
func isSealed(v string) bool {
	_, err := pii.Version(v)
	return err == nil
}

// ensureKeyCheck stores pii.check through q when the book has none, or one
// under an older key: the first write sealed under a key names it, and a
// process holding only older keys is refused from then on.
func (db *DB) ensureKeyCheck(ctx context.Context, q querier) error {
	if db.keys == nil {
		return nil
	}
	cur, err := setting(ctx, q, keyCheckSetting)
	if err != nil {
		return err
	}
	if v, err := pii.Version(cur); err == nil && v == db.keys.Current() {
		return nil
	}
	sealed, err := db.keys.Seal(keyCheckField, keyCheckValue)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, keyCheckSetting, sealed)
	return err
}

const borrowerColumns = `id, external_id, name, id_number, phone, address, region`

func scanBorrower(sc interface{ Scan(...any) error }) (servicing.Borrower, error) {
	var b servicing.Borrower
	err := sc.Scan(&b.ID, &b.ExternalID, &b.Name, &b.IDNumber, &b.Phone, &b.Address, &b.Region)
	return b, err
}

// FindBorrowers returns the ids of the borrowers whose field (name,
// id_number or phone) is value, by exact match on its normalised form
// (pii.Normalize), through the keyed hashes: nothing is decrypted.
func (db *DB) FindBorrowers(ctx context.Context, field pii.Field, value string) ([]int64, error) {
	col := map[pii.Field]string{pii.Name: "name_hash", pii.IDNumber: "id_number_hash", pii.Phone: "phone_hash"}[field]
	if col == "" {
		return nil, daihou.Invalid("field", "field: search by name, id_number or phone, not %q", inputtext.Clip(string(field), 32))
	}
	if db.keys == nil {
		return nil, ErrNoKey
	}
	if strings.TrimSpace(value) == "" {
		return nil, daihou.Invalid("value", "value: empty")
	}
	hashes := db.keys.SearchAll(field, value)
	args := make([]any, len(hashes))
	for i, h := range hashes {
		args[i] = h
	}
	return queryColumn[int64](ctx, db.read, `SELECT id FROM borrowers WHERE `+col+` IN (`+placeholders(len(args))+`) ORDER BY id LIMIT 1000`, args...)
}

// RevealBorrower returns loan id's borrower with personal data unmasked,
// as the actor in ctx, who must be allowed to reveal it on this loan: the
// reveal is an act of its own, recorded in the audit trail with the reason
// given, in the same transaction that reads the data.
func (db *DB) RevealBorrower(ctx context.Context, loanID int64, reason string) (servicing.Borrower, error) {
	if reason = strings.TrimSpace(reason); reason == "" {
		return servicing.Borrower{}, daihou.Invalid("reason", "a reveal of personal data needs a reason (《个人信息保护法》: each view has a purpose)")
	}
	if len(reason) > 500 {
		return servicing.Borrower{}, daihou.Invalid("reason", "reason: at most 500 bytes, not %d", len(reason))
	}
	var b servicing.Borrower
	err := db.inTx(ctx, func(t *wtx) error {
		if err := t.canLoan(ctx, auth.RevealPersonalData, loanID); err != nil {
			return err
		}
		var err error
		b, err = scanBorrower(t.QueryRowContext(ctx, `SELECT b.id, b.external_id, b.name, b.id_number, b.phone, b.address, b.region FROM borrowers b JOIN loans l ON l.borrower_id = b.id WHERE l.id = ?`, loanID))
		if err != nil {
			return err
		}
		if err := openBorrower(db.keys, &b); err != nil {
			return err
		}
		return t.audit(ctx, string(auth.RevealPersonalData), audit.LoanObject(loanID), audit.DigestFields(strconv.FormatInt(b.ID, 10), reason),
			fmt.Sprintf("personal data of borrower %s revealed: %s", b.ExternalID, reason))
	})
	return b, err
}

// Rotate seals under the ring's current key every borrower whose personal
// data is sealed under an older key, or not sealed at all (written before
// the book was encrypted), in chunks, and returns how many it sealed;
// progress, when not nil, is told the count after each chunk. It resumes
// where it stopped: what is under the current key is not read again.
func (db *DB) Rotate(ctx context.Context, progress func(done int64)) (int64, error) {
	if db.keys == nil {
		return 0, ErrNoKey
	}
	prefix := "e" + strconv.FormatUint(uint64(db.keys.Current()), 10) + ":%"
	cond := `(name <> '' AND name NOT LIKE ?) OR (id_number <> '' AND id_number NOT LIKE ?) OR (phone <> '' AND phone NOT LIKE ?) OR (address <> '' AND address NOT LIKE ?)`
	n, err := db.reseal(ctx, string(auth.RotateKeys), cond, []any{prefix, prefix, prefix, prefix}, progress)
	if err != nil {
		return n, err
	}
	// The raw records of the data sources are personal data too: an old
	// key retired with records still under it would lose them.
	m, err := db.resealRecords(ctx, prefix, func(done int64) {
		if progress != nil {
			progress(n + done)
		}
	})
	if err != nil {
		return n + m, err
	}
	// So are the outbox's messages, sent or not (package outbox).
	o, err := db.resealOutbox(ctx, prefix, func(done int64) {
		if progress != nil {
			progress(n + m + done)
		}
	})
	return n + m + o, err
}

// resealRecords seals under the current key every data-source record whose
// payload is under another, a chunk per transaction with its audit entry.
func (db *DB) resealRecords(ctx context.Context, prefix string, progress func(int64)) (int64, error) {
	var done int64
	after := [2]string{}
	for {
		var n int
		err := db.inTx(ctx, func(t *wtx) error {
			if err := t.can(auth.RotateKeys, auth.System()); err != nil {
				return err
			}
			rows, err := t.QueryContext(ctx, `SELECT source, record_id, payload FROM signal_records WHERE (source > ? OR (source = ? AND record_id > ?)) AND payload NOT LIKE ? ORDER BY source, record_id LIMIT 2000`,
				after[0], after[0], after[1], prefix)
			if err != nil {
				return err
			}
			type rec struct{ source, id, payload string }
			var list []rec
			for rows.Next() {
				var r rec
				if err := rows.Scan(&r.source, &r.id, &r.payload); err != nil {
					rows.Close()
					return err
				}
				list = append(list, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, r := range list {
				sealed, _, err := db.keys.Reseal(recordField, r.payload)
				if err != nil {
					return err
				}
				if _, err := t.ExecContext(ctx, `UPDATE signal_records SET payload = ? WHERE source = ? AND record_id = ?`, sealed, r.source, r.id); err != nil {
					return err
				}
			}
			n = len(list)
			if n == 0 {
				return nil
			}
			first, last := list[0], list[n-1]
			after = [2]string{last.source, last.id}
			return t.audit(ctx, string(auth.RotateKeys), "book", audit.DigestFields(first.source, first.id, last.source, last.id),
				fmt.Sprintf("%d data-source records (%s/%s to %s/%s) sealed under key version %d", n, first.source, first.id, last.source, last.id, db.keys.Current()))
		})
		if err != nil {
			return done, err
		}
		done += int64(n)
		if n == 0 {
			return done, nil
		}
		if progress != nil {
			progress(done)
		}
	}
}

// reseal opens and seals again under the current key the borrowers that
// cond selects, a chunk per transaction with its audit entry.
func (db *DB) reseal(ctx context.Context, action, cond string, args []any, progress func(int64)) (int64, error) {
	var done int64
	after := int64(0)
	for {
		var n int
		err := db.inTx(ctx, func(t *wtx) error {
			if err := t.can(auth.RotateKeys, auth.System()); err != nil {
				return err
			}
			if err := db.ensureKeyCheck(ctx, t); err != nil {
				return err
			}
			rows, err := t.QueryContext(ctx, `SELECT `+borrowerColumns+` FROM borrowers WHERE id > ? AND (`+cond+`) ORDER BY id LIMIT 2000`, append([]any{after}, args...)...)
			if err != nil {
				return err
			}
			var list []servicing.Borrower
			for rows.Next() {
				b, err := scanBorrower(rows)
				if err != nil {
					rows.Close()
					return err
				}
				list = append(list, b)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for i := range list {
				b := &list[i]
				if err := openBorrower(db.keys, b); err != nil {
					return err
				}
				s, err := sealBorrower(db.keys, b)
				if err != nil {
					return err
				}
				if _, err := t.ExecContext(ctx, `UPDATE borrowers SET name = ?, id_number = ?, phone = ?, address = ?, name_hash = ?, id_number_hash = ?, phone_hash = ? WHERE id = ?`,
					s.name, s.idNumber, s.phone, s.address, s.nameHash, s.idHash, s.phoneHash, b.ID); err != nil {
					return err
				}
			}
			n = len(list)
			if n == 0 {
				return nil
			}
			after = list[n-1].ID
			return t.audit(ctx, action, "book", audit.DigestFields(idList([]int64{list[0].ID, after})...),
				fmt.Sprintf("%d borrowers (ids %d to %d) sealed under key version %d", n, list[0].ID, after, db.keys.Current()))
		})
		if err != nil {
			return done, err
		}
		done += int64(n)
		if n == 0 {
			return done, nil
		}
		if progress != nil {
			progress(done)
		}
	}
}
