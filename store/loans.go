package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"daihou/auth"
	"daihou/config"
	"daihou/servicing"
)

// NewLoan is a loan to add with its borrower. Borrowers are matched by
// external id.
type NewLoan struct {
	Line     int
	Borrower servicing.Borrower
	Loan     servicing.Loan
}

// AddLoansResult is what AddLoans did.
type AddLoansResult struct {
	IDs     []int64 // of the loans added, in input order
	Present int     // rows identical to a loan already in the book: re-delivery adds nothing
	Rejects []Reject
}

// AddLoans adds loans in one database transaction per chunk, each with its
// disbursement transaction and its state as of the business date. A row
// that repeats a loan already in the book exactly is counted as present; a
// row that names a known loan or borrower with other details is rejected
// as a conflict, as is a loan with an unknown product, invalid terms, a
// rate above the configured limit or a disbursement after the business
// date; the rest are added. Each chunk appends its audit entry for the
// file src (see auditImport).
func (db *DB) AddLoans(ctx context.Context, src Source, in []NewLoan) (AddLoansResult, error) {
	var res AddLoansResult
	if err := auth.Can(auth.FromContext(ctx), auth.ImportLoans, auth.Book()).Err(); err != nil {
		return res, err
	}
	const chunk = 20000
	chunks := max(1, (len(in)+chunk-1)/chunk)
	for start, n := 0, 1; n <= chunks; start, n = start+chunk, n+1 {
		part := in[start:min(start+chunk, len(in))]
		err := db.inTx(ctx, func(t *wtx) error {
			var got AddLoansResult
			if len(part) > 0 { // a file of rejected rows only is still recorded
				var err error
				if got, err = db.addLoanChunk(ctx, t, part); err != nil {
					return err
				}
			}
			res.IDs = append(res.IDs, got.IDs...)
			res.Present += got.Present
			res.Rejects = append(res.Rejects, got.Rejects...)
			c := importCounts{len(got.IDs), got.Present, len(got.Rejects)}
			all := importCounts{len(res.IDs), res.Present, len(res.Rejects)}
			return t.auditImport(ctx, string(auth.ImportLoans), src, n, chunks, c, all)
		})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

func (db *DB) addLoanChunk(ctx context.Context, t *wtx, in []NewLoan) (AddLoansResult, error) {
	var res AddLoansResult
	p, err := db.posterIn(ctx, t)
	if err != nil {
		return res, err
	}
	business := p.business
	prepare := func(q string) (*sql.Stmt, error) { return t.PrepareContext(ctx, q) }
	findLoan, err := prepare(`SELECT ` + loanColumns + ` FROM loans WHERE external_id = ?`)
	if err != nil {
		return res, err
	}
	defer findLoan.Close()
	findBorrower, err := prepare(`SELECT ` + borrowerColumns + ` FROM borrowers WHERE external_id = ?`)
	if err != nil {
		return res, err
	}
	defer findBorrower.Close()
	insBorrower, err := prepare(`INSERT INTO borrowers (external_id, name, id_number, phone, address, region, name_hash, id_number_hash, phone_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	if err != nil {
		return res, err
	}
	defer insBorrower.Close()
	insLoan, err := prepare(`INSERT INTO loans (external_id, borrower_id, product, currency, principal, rate, term, method, disbursed, branch, officer, region, siblings)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COUNT(*) FROM loans WHERE borrower_id = ?)) RETURNING id, siblings`)
	if err != nil {
		return res, err
	}
	defer insLoan.Close()
	bumpSiblings, err := prepare(`UPDATE loans SET siblings = siblings + 1 WHERE borrower_id = ? AND id <> ?`)
	if err != nil {
		return res, err
	}
	defer bumpSiblings.Close()
	insTx, err := prepare(`INSERT INTO transactions (loan_id, seq, kind, value_date, amount, applied_principal, posted_at) VALUES (?, 1, 'disbursement', ?, ?, ?, ?)`)
	if err != nil {
		return res, err
	}
	defer insTx.Close()

	borrowers := map[string]servicing.Borrower{} // known or added in this chunk
	// Each borrower's loans added in this chunk: a loan of one who has
	// others counts itself among their siblings, and looking them up
	// among all the chunk's loans made a chunk of a book with many
	// multi-loan borrowers quadratic.
	chunkLoans := map[int64][]int64{}
	p.loans, p.txs, p.lastSeq = map[int64]replayLoan{}, map[int64][]servicing.Tx{}, map[int64]int64{}
	stamp := t.stamp()
	reject := func(line int, format string, args ...any) {
		res.Rejects = append(res.Rejects, Reject{line, fmt.Sprintf(format, args...)})
	}
	for _, nl := range in {
		l := nl.Loan
		prod, ok := p.products[l.Product]
		if !ok {
			reject(nl.Line, "product: unknown product %q: create it first with 'daihou product put %s'", l.Product, l.Product)
			continue
		}
		if l.Method == "" {
			l.Method = prod.Method
		}
		if l.Currency == "" {
			l.Currency = prod.Currency
		}
		if l.Currency != prod.Currency {
			reject(nl.Line, "currency: %s, but product %s is in %s", l.Currency, prod.Code, prod.Currency)
			continue
		}
		if err := l.Terms().Validate(); err != nil {
			reject(nl.Line, "%v", err)
			continue
		}
		if err := config.CheckRate("rate", l.Rate, p.maxRate); err != nil {
			reject(nl.Line, "rate: %v", err)
			continue
		}
		if l.Disbursed.After(business) {
			reject(nl.Line, "disbursement_date: %v is after the business date %v; import the loan once the book has reached its disbursement date", l.Disbursed, business)
			continue
		}
		old, err := scanLoan(findLoan.QueryRowContext(ctx, l.ExternalID))
		switch {
		case err == nil:
			ob, err := db.findBorrower(findBorrower.QueryRowContext(ctx, nl.Borrower.ExternalID))
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return res, err
			}
			if diff := loanDiff(old, ob, l, nl.Borrower); diff != "" {
				reject(nl.Line, "loan_id: loan %q is already in the book with other terms (%s): a correction is a posting, not a new import", l.ExternalID, diff)
			} else {
				res.Present++
			}
			continue
		case !errors.Is(err, sql.ErrNoRows):
			return res, err
		}
		b, known := borrowers[nl.Borrower.ExternalID]
		if !known {
			b, err = db.findBorrower(findBorrower.QueryRowContext(ctx, nl.Borrower.ExternalID))
			switch {
			case err == nil:
				known = true
			case !errors.Is(err, sql.ErrNoRows):
				return res, err
			}
		}
		if known {
			if diff := borrowerDiff(b, nl.Borrower); diff != "" {
				reject(nl.Line, "borrower_id: borrower %q is already known with another %s: correct the file or the borrower's record", b.ExternalID, diff)
				continue
			}
		} else {
			b = nl.Borrower
			sb, err := sealBorrower(db.keys, &b)
			if err != nil {
				return res, err
			}
			if err := insBorrower.QueryRowContext(ctx, b.ExternalID, sb.name, sb.idNumber, sb.phone, sb.address, b.Region, sb.nameHash, sb.idHash, sb.phoneHash).Scan(&b.ID); err != nil {
				return res, err
			}
		}
		borrowers[b.ExternalID] = b
		l.BorrowerID = b.ID
		var siblings int
		if err := insLoan.QueryRowContext(ctx, l.ExternalID, l.BorrowerID, l.Product, string(l.Currency), int64(l.Principal), int64(l.Rate), l.Term,
			string(l.Method), int64(l.Disbursed), l.Branch, l.Officer, l.Region, l.BorrowerID).Scan(&l.ID, &siblings); err != nil {
			return res, err
		}
		if siblings > 0 {
			if _, err := bumpSiblings.ExecContext(ctx, l.BorrowerID, l.ID); err != nil {
				return res, err
			}
			for _, id := range chunkLoans[l.BorrowerID] { // siblings added earlier in this chunk
				pl := p.loans[id]
				pl.siblings++
				p.loans[id] = pl
			}
		}
		chunkLoans[l.BorrowerID] = append(chunkLoans[l.BorrowerID], l.ID)
		if _, err := insTx.ExecContext(ctx, l.ID, int64(l.Disbursed), int64(l.Principal), int64(l.Principal), stamp); err != nil {
			return res, err
		}
		p.loans[l.ID] = replayLoan{Loan: l, siblings: siblings}
		p.txs[l.ID] = []servicing.Tx{{LoanID: l.ID, Seq: 1, Kind: servicing.Disbursement, ValueDate: l.Disbursed, Amount: l.Principal}}
		p.touched = append(p.touched, l.ID)
		res.IDs = append(res.IDs, l.ID)
	}
	if err := p.derive(ctx, t); err != nil {
		return res, err
	}
	if err := db.ensureKeyCheck(ctx, t); err != nil {
		return res, err
	}
	return res, p.write(ctx, t)
}

// findBorrower reads a borrower row and opens its personal data.
func (db *DB) findBorrower(row *sql.Row) (servicing.Borrower, error) {
	b, err := scanBorrower(row)
	if err == nil {
		err = openBorrower(db.keys, &b)
	}
	return b, err
}

// borrowerDiff names the details given in the file that differ from the
// stored borrower's; a detail left empty in the file is not a difference.
// Personal data is named, never shown.
func borrowerDiff(stored, file servicing.Borrower) string {
	var out []string
	for _, f := range []struct{ name, a, b string }{
		{"name", stored.Name, file.Name}, {"id_number", stored.IDNumber, file.IDNumber}, {"phone", stored.Phone, file.Phone}, {"address", stored.Address, file.Address}, {"region", stored.Region, file.Region},
	} {
		if f.b != "" && f.a != f.b {
			out = append(out, f.name)
		}
	}
	return joinAnd(out)
}

// loanDiff names what differs between a stored loan and a row naming it.
func loanDiff(stored servicing.Loan, sb servicing.Borrower, file servicing.Loan, fb servicing.Borrower) string {
	var out []string
	add := func(name string, differ bool, a, b any) {
		if differ {
			out = append(out, fmt.Sprintf("%s %v, file %v", name, a, b))
		}
	}
	add("borrower_id", sb.ExternalID != fb.ExternalID, sb.ExternalID, fb.ExternalID)
	add("product", stored.Product != file.Product, stored.Product, file.Product)
	add("principal", stored.Principal != file.Principal, stored.Principal, file.Principal)
	add("rate", stored.Rate != file.Rate, stored.Rate, file.Rate)
	add("term", stored.Term != file.Term, stored.Term, file.Term)
	add("method", stored.Method != file.Method, stored.Method, file.Method)
	add("disbursement_date", stored.Disbursed != file.Disbursed, stored.Disbursed, file.Disbursed)
	add("branch", file.Branch != "" && stored.Branch != file.Branch, stored.Branch, file.Branch)
	add("officer", file.Officer != "" && stored.Officer != file.Officer, stored.Officer, file.Officer)
	if d := borrowerDiff(sb, fb); d != "" {
		out = append(out, "borrower "+d)
	}
	return joinAnd(out)
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	s := parts[0]
	for _, p := range parts[1 : len(parts)-1] {
		s += ", " + p
	}
	return s + " and " + parts[len(parts)-1]
}
