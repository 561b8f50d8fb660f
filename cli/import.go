package cli

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/civil"
	"daihou/imports"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
	"daihou/source"
	"daihou/store"
)

// sourceNames lists the data sources, for messages.
func sourceNames() string {
	var names []string
	for _, a := range source.All() {
		names = append(names, a.Name())
	}
	return strings.Join(names, ", ")
}

func (m *Main) runImport(ctx context.Context, args []string) error {
	fs := m.newFlagSet("import loans|payments FILE | import signals --source NAME FILE [--db PATH] [--json]", `Import loans, payments or data-source records (signals) from a CSV (.csv)
or JSON Lines (.jsonl, .ndjson) file.

A bad row never stops the good ones: each rejected row is reported with its
line number and reason and written to FILE.rejects.csv, and the command exits
with status 7 so a batch scheduler can tell. Re-importing a file adds nothing
twice: a payment's reference is its idempotency key across the whole book,
and a loan row identical to one in the book is counted as already present
(one that differs is rejected as a conflict). A malformed file (wrong header,
not UTF-8) is refused whole.

A file cut off in transfer is caught: a last line without a line end is
rejected (its value may be cut short), and a control trailer — a last line
'#trailer,rows=N,total=X' (JSON Lines: {"trailer":{"rows":N,"total":"X"}}) —
or --expect-rows / --expect-total are checked against what the file holds;
a mismatch refuses the file whole.

A book starts with a business date: the first loans import into a new
database names it with --business-date (loans disbursed after it are
refused).

Loans columns:    loan_id, borrower_id, product, principal, rate, term, disbursement_date
                  (optional: borrower_name, id_number, phone, method, branch, officer, region)
Payments columns: loan_id, value_date, amount, reference (optional: channel)
Signals columns:  id, borrower (or id_number), date, then the source's fields
                  (see the README's record formats); --source names the source:
                  bureau, court, hukou, social, utility, statement, tax,
                  business, ecommerce, transport, custom. A record already
                  stored (same source and id, same content) is a duplicate.`)
	b := m.bookFlags(fs)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	opening := fs.String("business-date", "", "loans: the date the book is taken over on, for a book with no business date yet")
	expectRows := fs.Int("expect-rows", -1, "refuse the file unless it holds exactly this many data rows (the sender's control count)")
	expectTotal := fs.String("expect-total", "", "payments: refuse the file unless its amounts sum to this (the sender's control total)")
	requireTrailer := fs.Bool("require-trailer", false, "refuse a file without a control trailer (#trailer,rows=N,total=X)")
	sourceName := fs.String("source", "", "signals: the data source the file comes from")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 2 || (fs.Arg(0) != "loans" && fs.Arg(0) != "payments" && fs.Arg(0) != "signals") {
		fs.Usage()
		return usagef("want: import loans|payments FILE, or import signals --source NAME FILE")
	}
	kind, path := fs.Arg(0), fs.Arg(1)
	var adapter source.Adapter
	if kind == "signals" {
		if *sourceName == "" {
			return usagef("import signals: name the data source with --source (one of %s)", sourceNames())
		}
		var err error
		if adapter, err = source.Lookup(*sourceName); err != nil {
			return daihou.Errorf(daihou.EINVALID, "--source: %w", err)
		}
	} else if *sourceName != "" {
		return usagef("--source is for import signals")
	}
	opts := imports.ParseOptions{RequireTrailer: *requireTrailer}
	if *expectRows >= 0 {
		opts.ExpectRows = expectRows
	}
	if *expectTotal != "" {
		t, err := money.ParseAmount(*expectTotal)
		if err != nil {
			return daihou.Errorf(daihou.EINVALID, "--expect-total: %w", err)
		}
		opts.ExpectTotal = &t
	}
	format, err := imports.FormatFromPath(path)
	if err != nil {
		return daihou.Errorf(daihou.EINVALID, "%w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return daihou.Errorf(daihou.EINVALID, "%w", err)
	}
	defer f.Close()
	// The file's SHA-256 is computed as it is parsed, for the audit entry:
	// an auditor can check it against the file with sha256sum.
	digest := sha256.New()
	in := io.TeeReader(f, digest)
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	action := map[string]auth.Action{"loans": auth.ImportLoans, "payments": auth.ImportPayments, "signals": auth.IngestSignals}[kind]
	if err := can(ctx, action, auth.Book()); err != nil {
		return err
	}
	if *opening != "" {
		d, err := civil.Parse(*opening)
		if err != nil {
			return daihou.Errorf(daihou.EINVALID, "--business-date: %w", err)
		}
		if err := s.OpenBook(ctx, d); err != nil {
			return err
		}
	}
	importer, _ := auth.Import("")
	ctx, startedBy := system(ctx, importer)
	srcOf := func(rows, rejected int) store.Source {
		io.Copy(digest, in) // whatever the parser left unread (a trailer)
		return store.Source{Name: path, Digest: audit.Hash(digest.Sum(nil)), Rows: rows, Rejected: rejected, StartedBy: startedBy}
	}

	began := time.Now()
	var rejects []imports.Reject
	var rows, added, duplicates int
	var summary imports.Summary
	switch kind {
	case "loans":
		file, err := imports.ParseLoansFile(in, format, opts)
		if err != nil {
			return daihou.Errorf(daihou.EINVALID, "%s: %w (nothing was imported)", path, err)
		}
		parsed := file.Rows
		rows, rejects, summary = file.DataRows, file.Rejects, file.Summary
		loans := make([]store.NewLoan, len(parsed))
		for i, r := range parsed {
			loans[i] = store.NewLoan{Line: r.Line,
				Borrower: servicing.Borrower{ExternalID: r.BorrowerID, Name: r.BorrowerName, IDNumber: r.IDNumber, Phone: r.Phone, Region: r.Region},
				Loan: servicing.Loan{ExternalID: r.LoanID, Product: r.Product, Principal: r.Principal, Rate: r.Rate, Term: r.Term,
					Method: schedule.Method(r.Method), Disbursed: r.DisbursementDate, Branch: r.Branch, Officer: r.Officer, Region: r.Region}}
		}
		res, err := s.AddLoans(ctx, srcOf(rows, len(rejects)), loans)
		if err != nil {
			return err
		}
		added, duplicates = len(res.IDs), res.Present
		rejects = mergeRejects(rejects, res.Rejects)
	case "payments":
		file, err := imports.ParsePaymentsFile(in, format, opts)
		if err != nil {
			return daihou.Errorf(daihou.EINVALID, "%s: %w (nothing was imported)", path, err)
		}
		parsed := file.Rows
		rows, rejects, summary = file.DataRows, file.Rejects, file.Summary
		pays := make([]store.Payment, len(parsed))
		for i, r := range parsed {
			pays[i] = store.Payment{Line: r.Line, LoanRef: r.LoanID, ValueDate: r.ValueDate, Amount: r.Amount, Channel: r.Channel, Reference: r.Reference}
		}
		res, err := s.ImportPayments(ctx, srcOf(rows, len(rejects)), pays, m.progress(len(pays), "posting payments"))
		if err != nil {
			return err
		}
		added, duplicates = res.Posted, res.Duplicates
		rejects = mergeRejects(rejects, res.Rejects)
	case "signals":
		file, err := imports.ParseSignalsFile(in, format, adapter, opts)
		if err != nil {
			return daihou.Errorf(daihou.EINVALID, "%s: %w (nothing was imported)", path, err)
		}
		rows, rejects, summary = file.DataRows, file.Rejects, file.Summary
		recs := make([]store.SignalIn, len(file.Rows))
		for i, r := range file.Rows {
			recs[i] = store.SignalIn{Line: r.Line, Record: r.Record, Signals: r.Signals}
		}
		res, err := s.IngestSignals(ctx, srcOf(rows, len(rejects)), recs, m.progress(len(recs), "storing records"))
		if err != nil {
			return err
		}
		added, duplicates = res.Stored, res.Duplicates
		rejects = mergeRejects(rejects, res.Rejects)
	}
	elapsed := time.Since(began)
	rejectFile := ""
	if len(rejects) > 0 {
		rejectFile = imports.RejectPath(path)
		if err := writeRejectFile(rejectFile, path, rejects); err != nil {
			return err
		}
	} else if err := os.Remove(imports.RejectPath(path)); err != nil && !os.IsNotExist(err) {
		// A rejects file left by an earlier import would say rows were
		// refused that this one took.
		return err
	}
	if *asJSON {
		type rej struct {
			Line   int    `json:"line"`
			Reason string `json:"reason"`
		}
		out := struct {
			Kind       string  `json:"kind"`
			Rows       int     `json:"rows"`
			Imported   int     `json:"imported"`
			Duplicates int     `json:"duplicates"`
			Rejected   []rej   `json:"rejected"`
			RejectFile string  `json:"reject_file,omitempty"`
			Trailer    bool    `json:"trailer_checked"`
			Seconds    float64 `json:"seconds"`
		}{Kind: kind, Rows: rows, Imported: added, Duplicates: duplicates, Rejected: []rej{}, RejectFile: rejectFile, Trailer: summary.TrailerLine != 0, Seconds: elapsed.Seconds()}
		for _, r := range rejects {
			out.Rejected = append(out.Rejected, rej{r.Line, r.Reason})
		}
		if err := writeJSON(m.Stdout, out); err != nil {
			return err
		}
		return rejectedRows(len(rejects), rejectFile)
	}
	what := kind
	if kind == "signals" {
		what = adapter.Name() + " records"
	}
	fmt.Fprintf(m.Stdout, "%s: %d rows, %d %s imported, %d already present, %d rejected (%.2fs)\n", path, rows, added, what, duplicates, len(rejects), elapsed.Seconds())
	if summary.TrailerLine != 0 {
		fmt.Fprintf(m.Stdout, "control trailer on line %d checked: %d rows", summary.TrailerLine, summary.DataRows)
		if kind == "payments" {
			fmt.Fprintf(m.Stdout, ", total %s", summary.Total.Grouped())
		}
		fmt.Fprintln(m.Stdout)
	}
	if summary.Unterminated != 0 {
		fmt.Fprintf(m.Stdout, "warning: the last line (%d) has no line end and was rejected: the file may have been cut off in transfer\n", summary.Unterminated)
	}
	for i, r := range rejects {
		if i == 20 {
			fmt.Fprintf(m.Stdout, "  … and %d more\n", len(rejects)-20)
			break
		}
		fmt.Fprintf(m.Stdout, "  line %d: %s\n", r.Line, r.Reason)
	}
	if rejectFile != "" {
		fmt.Fprintf(m.Stdout, "rejected rows written to %s\n", rejectFile)
	}
	return rejectedRows(len(rejects), rejectFile)
}

// rejectedRows is the error of an import that kept its good rows and
// rejected others: its own exit code, so a batch scheduler can tell.
func rejectedRows(n int, file string) error {
	if n == 0 {
		return nil
	}
	return partialError{fmt.Sprintf("%d rows rejected, the other rows imported; correct the rows in %s and import it", n, file)}
}

// partialError is a command that did its work but for some input rows.
type partialError struct{ msg string }

func (e partialError) Error() string { return e.msg }

// mergeRejects adds the store's rejects to the parser's, sorted by line.
func mergeRejects(parsed []imports.Reject, stored []store.Reject) []imports.Reject {
	out := append([]imports.Reject(nil), parsed...)
	for _, r := range stored {
		out = append(out, imports.Reject{Line: r.Line, Reason: r.Reason})
	}
	sortRejects(out)
	return out
}

// writeRejectFile writes the reject file, filling in the raw text of rows
// the store refused from the input file.
func writeRejectFile(rejectPath, input string, rejects []imports.Reject) error {
	need := map[int]bool{}
	for _, r := range rejects {
		if r.Raw == "" {
			need[r.Line] = true
		}
	}
	if len(need) > 0 {
		lines, err := readLines(input, need)
		if err != nil {
			return err
		}
		for i := range rejects {
			if rejects[i].Raw == "" {
				rejects[i].Raw = lines[rejects[i].Line]
			}
		}
	}
	f, err := os.Create(rejectPath)
	if err != nil {
		return err
	}
	if err := imports.WriteRejects(f, rejects); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
