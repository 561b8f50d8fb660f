package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"daihou"
	"daihou/auth"
	"daihou/classification"
	"daihou/inputtext"
	"daihou/loanview"
	"daihou/pii"
	"daihou/servicing"
	"daihou/store"
)

// loanPageSize is how many loans a page of the list shows; an export
// reads the store in pages of exportPageSize.
const (
	loanPageSize   = 50
	exportPageSize = 1000
)

// loanListView is what the loan list shows besides its table: the search
// and filters as typed, for the form.
type loanListView struct {
	Q, Product, Branch, Bucket, Class, Officer string
	Buckets                                    []string
	Classes                                    []classOption
}

// classOption is one class in the filter's choices.
type classOption struct {
	Value, Key string
}

// LoanList answers GET /console/loans (贷款查询): the loans the user may
// read, searched by loan id or number, or exactly by a borrower's ID
// number or phone (through the keyed hashes, nothing decrypted), filtered
// by product, branch, bucket, class and officer, a page at a time by
// cursor; the export streams every loan of the filtered list. Personal
// data is masked as the user's role sees it.
func (c *Console) LoanList(r *http.Request, s *Session) (*Page, error) {
	ctx := r.Context()
	if auth.ScopeFor(s.Actor, auth.ReadLoan).IsEmpty() {
		return nil, auth.Can(s.Actor, auth.ReadLoan, auth.Loan(0, "", "")).Err()
	}
	l := s.Locale
	q := r.URL.Query()
	v := loanListView{Q: strings.TrimSpace(q.Get("q")), Product: q.Get("product"), Branch: q.Get("branch"), Bucket: q.Get("bucket"),
		Class: q.Get("class"), Officer: q.Get("officer")}
	for b := servicing.M0; b <= servicing.M7; b++ {
		v.Buckets = append(v.Buckets, b.String())
	}
	for k := classification.Normal; k <= classification.Loss; k++ {
		v.Classes = append(v.Classes, classOption{Value: k.String(), Key: "loan.class." + k.String()})
	}
	t := &Table{ID: "loans", Title: l.T("loan.list.table"), Columns: loanColumns(l)}
	page := &Page{Name: "loan_list", Title: "loan.list.title", Data: v, Tables: []*Table{t}}
	f, only, err := c.loanFilter(r, v)
	if err != nil {
		if daihou.ErrorCode(err) == daihou.EINVALID {
			page.Error, page.Status = daihou.ErrorMessage(err), http.StatusUnprocessableEntity
			return page, nil
		}
		return nil, err
	}
	page1 := f
	if only != 0 {
		// The loan alone, and only if the other filters keep it.
		page1.Limit = 1
		if page1.After < only {
			page1.After = only - 1
		}
	}
	rows, more, err := c.DB.ListLoans(ctx, page1)
	if err != nil {
		return nil, err
	}
	if only != 0 {
		rows, more = keep(rows, only), false
	}
	if t.Rows, err = c.loanCells(r, s, rows); err != nil {
		return nil, err
	}
	if more {
		next := r.URL.Query()
		next.Del("export")
		next.Del("table")
		next.Set("cursor", strconv.FormatInt(rows[len(rows)-1].ID, 10))
		t.Next = r.URL.Path + "?" + next.Encode()
	}
	t.All = func(yield func([]Cell) error) error {
		all := f
		all.After, all.Limit = 0, exportPageSize
		if only != 0 {
			all.After, all.Limit = only-1, 1
		}
		for {
			rows, more, err := c.DB.ListLoans(ctx, all)
			if err != nil {
				return err
			}
			if only != 0 {
				rows, more = keep(rows, only), false
			}
			cells, err := c.loanCells(r, s, rows)
			if err != nil {
				return err
			}
			for _, row := range cells {
				if err := yield(row); err != nil {
					return err
				}
			}
			if !more {
				return nil
			}
			all.After = rows[len(rows)-1].ID
		}
	}
	return page, nil
}

// loanFilter reads the list's search and filters. A search that names a
// loan (its id or number) keeps that loan alone: only is its id. One that
// names no loan is looked up as a borrower's ID number and phone.
func (c *Console) loanFilter(r *http.Request, v loanListView) (f store.LoanFilter, only int64, err error) {
	ctx := r.Context()
	f = store.LoanFilter{Product: v.Product, Branch: v.Branch, Officer: v.Officer, Limit: loanPageSize}
	for _, p := range []struct {
		name, value string
		max         int
	}{{"q", v.Q, 64}, {"product", v.Product, 32}, {"branch", v.Branch, 64}, {"officer", v.Officer, 64}} {
		if len(p.value) > p.max {
			return f, 0, daihou.Invalid(p.name, "%s: at most %d characters", p.name, p.max)
		}
		if !utf8.ValidString(p.value) || strings.ContainsRune(p.value, 0) {
			return f, 0, daihou.Invalid(p.name, "%s: not text (a NUL byte or broken UTF-8)", p.name)
		}
	}
	if v.Bucket != "" {
		found := false
		for _, b := range v.Buckets {
			found = found || b == v.Bucket
		}
		if !found {
			return f, 0, daihou.Invalid("bucket", "bucket: want one of %s, not %q", strings.Join(v.Buckets, ", "), inputtext.Clip(v.Bucket, 16))
		}
		f.Bucket = v.Bucket
	}
	if v.Class != "" {
		k, perr := classification.Parse(v.Class)
		if perr != nil {
			return f, 0, daihou.Invalid("class", "class: want normal, special-mention, substandard, doubtful or loss (or 正常, 关注, 次级, 可疑, 损失), not %q", inputtext.Clip(v.Class, 32))
		}
		f.Class = k
	}
	if s := r.URL.Query().Get("cursor"); s != "" {
		after, perr := strconv.ParseInt(s, 10, 64)
		if perr != nil || after < 0 {
			return f, 0, daihou.Invalid("cursor", "cursor: follow the next-page link, not %q", inputtext.Clip(s, 32))
		}
		f.After = after
	}
	if v.Q == "" {
		return f, 0, nil
	}
	l, err := loanview.Find(ctx, c.DB, v.Q)
	switch {
	case err == nil:
		return f, l.ID, nil
	case daihou.ErrorCode(err) != daihou.ENOTFOUND:
		return f, 0, err
	}
	f.Borrowers = []int64{}
	for _, field := range []pii.Field{pii.IDNumber, pii.Phone} {
		ids, err := c.DB.FindBorrowers(ctx, field, v.Q)
		if errors.Is(err, store.ErrNoKey) {
			break // a book without personal data has nothing to search
		}
		if err != nil && daihou.ErrorCode(err) != daihou.EINVALID {
			return f, 0, err
		}
		f.Borrowers = append(f.Borrowers, ids...)
	}
	if len(f.Borrowers) > 1000 {
		f.Borrowers = f.Borrowers[:1000]
	}
	return f, 0, nil
}

// keep is the row of loan id among rows, if it is there.
func keep(rows []store.LoanRow, id int64) []store.LoanRow {
	for _, r := range rows {
		if r.ID == id {
			return []store.LoanRow{r}
		}
	}
	return nil
}

func loanColumns(l *Locale) []Column {
	return []Column{{Label: l.T("loan.col.number")}, {Label: l.T("loan.col.borrower")}, {Label: l.T("loan.col.phone")},
		{Label: l.T("loan.col.product")}, {Label: l.T("loan.col.branch")}, {Label: l.T("loan.col.officer")}, {Label: l.T("loan.col.status")},
		{Label: l.T("loan.col.dpd"), Num: true}, {Label: l.T("loan.col.bucket")}, {Label: l.T("col.class")}, {Label: l.T("loan.col.stage"), Num: true},
		{Label: l.T("col.outstanding"), Num: true}, {Label: l.T("loan.col.score"), Num: true}}
}

// loanCells are the rows of a page of loans, the borrower's name and phone
// masked as the user's role sees them.
func (c *Console) loanCells(r *http.Request, s *Session, rows []store.LoanRow) ([][]Cell, error) {
	ids := make([]int64, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	borrowers, err := c.DB.LoanBorrowers(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	l := s.Locale
	policy := pii.DefaultPolicy()
	out := make([][]Cell, 0, len(rows))
	for _, row := range rows {
		b := loanview.Mask(borrowers[row.ID], s.Actor, policy)
		out = append(out, []Cell{
			LinkCell(row.Number, loanPath(row.ID)), TextCell(b.Name), TextCell(b.Phone),
			TextCell(row.Product), TextCell(row.Branch), TextCell(row.Officer), TextCell(statusText(l, row.Status)),
			IntCell(l, int64(row.DPD)), TextCell(servicing.BucketOf(row.DPD).String()), classCell(l, row.Class), IntCell(l, int64(row.Stage)),
			MoneyCell(l, row.Outstanding), scoreCell(l, row.Score),
		})
	}
	return out, nil
}

// scoreCell is a behaviour score, "—" for a loan no model has scored.
func scoreCell(l *Locale, score int) Cell {
	if score == 0 {
		return Cell{Text: "—", Class: "num"}
	}
	return IntCell(l, int64(score))
}

// loanPath is the loan 360° page of loan id.
func loanPath(id int64) string { return "/console/loans/" + url.PathEscape(strconv.FormatInt(id, 10)) }

// classText is a five-tier class in the user's language.
func classText(l *Locale, k classification.Class) string {
	if k < classification.Normal || k > classification.Loss {
		return "—"
	}
	return l.T("loan.class." + k.String())
}

func classCell(l *Locale, k classification.Class) Cell {
	c := TextCell(classText(l, k))
	if k.NonPerforming() {
		c.Class = "bad"
	}
	return c
}

// statusText is a loan's status in the user's language.
func statusText(l *Locale, st servicing.Status) string {
	switch st {
	case servicing.StatusActive, servicing.StatusSettled, servicing.StatusWrittenOff:
		return l.T("loan.status." + string(st))
	}
	return "—"
}
