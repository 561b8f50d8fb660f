package imports_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou"
	"daihou/civil"
	"daihou/imports"
	"daihou/money"
	"daihou/signal"
	"daihou/source"
)

func lookup(tb testing.TB, name string) source.Adapter {
	tb.Helper()
	a, err := source.Lookup(name)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// parseSample parses a sample signals file; its name starts with the
// source's name (social.csv, court.jsonl).
func parseSample(tb testing.TB, name string, opts imports.ParseOptions) (imports.SignalFile, error) {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "signals", name))
	if err != nil {
		tb.Fatal(err)
	}
	format, err := imports.FormatFromPath(name)
	if err != nil {
		tb.Fatal(err)
	}
	src, _, _ := strings.Cut(name, ".")
	return imports.ParseSignalsFile(bytes.NewReader(data), format, lookup(tb, src), opts)
}

type kept struct {
	Line int
	ID   string
}

// Reasons shared by the CSV and JSON Lines samples of one source.
const (
	rBothKeys    = "borrower: given together with id_number: give exactly one of them, so that the record names one borrower"
	rCheckDigit  = "id_number: the check digit (ISO 7064 MOD 11-2, GB 11643) does not match the first 17 digits: the number is mistyped; check it against the identity card"
	rNoBorrower  = "borrower: required, but empty or missing: give the borrower's external id in borrower, or their resident ID number in id_number"
	rSocialDate  = `date: "2026/05/10" has other separators: write 2026-05-10`
	rSocialEnum  = `status: "owing" is not a value of the field; want one of paid, unpaid, stopped`
	rSocialMonth = "month: required, but empty or missing; want YYYY-MM, e.g. 2026-05"
	rSocialBase  = "base: required when status is paid: give the contribution base; want yuan in digits with at most 2 decimals, e.g. 1234.50"
	rCourtCase   = `event: "Listed" must be written listed, in lower case`
	rCourtNoCase = "case_no: required, but empty or missing; want text of up to 256 characters"
	rCourtDate   = `date: "2026-04-31" is not a day of the calendar: April 2026 has 30 days; want YYYY-MM-DD, e.g. 2024-03-15`
	rCourtLast   = `id: "CT:2026/04/21" has '/' at character 8; want up to 128 of A-Z a-z 0-9 _ . : -; ` + rNoBorrower +
		`; event: "fined" is not a value of the field; want one of case_filed, case_closed, listed, delisted`
	rTxGrouped  = `amount: "1,000.00" has thousands separators: write 1000.00`
	rTxSalary   = "category: is salary with direction out: a salary is credited to the borrower; correct direction or category"
	rTxZero     = "amount: is 0: a transaction moves money, so its amount is above 0; correct it or leave the transaction out"
	rTxEnum     = `direction: "sideways" is not a value of the field; want one of in, out`
	rAppMeasure = `measure: "App Logins" has 'A' at character 1; want 1 to 40 of a-z 0-9 _, e.g. app_logins`
	rAppValue   = "value: required, but empty or missing; want a whole number, e.g. 3 or -3"
	rAppDate    = `date: "31/05/2026" has the year last; want YYYY-MM-DD, e.g. 2024-03-15 (year first); value: "1.5" is not a whole number; want a whole number, e.g. 3 or -3`
)

// TestParseSignalsSamples parses the sample files of four sources, in
// both formats, each with good rows and rows that break each kind of
// rule (a bad date, an unknown enum value, a required field missing,
// both borrower and id_number, a bad ID check digit, a rule between
// fields): every good row is kept, and every bad one rejected on its
// line with every reason.
func TestParseSignalsSamples(t *testing.T) {
	tests := []struct {
		file    string
		rows    []kept
		rejects []imports.Reject // Raw is not compared
		trailer int
	}{
		{"social.csv",
			[]kept{{2, "SI-C1001-202604"}, {3, "SI-P2-202604"}, {10, "SI-C1009-202604"}, {11, "SI-P10-202604"}},
			[]imports.Reject{{Line: 4, Reason: rSocialDate}, {Line: 5, Reason: rSocialEnum}, {Line: 6, Reason: rSocialMonth},
				{Line: 7, Reason: rBothKeys}, {Line: 8, Reason: rCheckDigit}, {Line: 9, Reason: rSocialBase}}, 12},
		{"social.jsonl",
			[]kept{{1, "SI-C1001-202604"}, {2, "SI-P2-202604"}, {9, "SI-C1009-202604"}, {10, "SI-P10-202604"}},
			[]imports.Reject{{Line: 3, Reason: rSocialDate}, {Line: 4, Reason: rSocialEnum}, {Line: 5, Reason: rSocialMonth},
				{Line: 6, Reason: rBothKeys}, {Line: 7, Reason: rCheckDigit}, {Line: 8, Reason: rSocialBase}}, 11},
		{"court.csv",
			[]kept{{2, "CT-20260302-1"}, {3, "CT-20260415-1"}, {7, "CT-20260419-5"}},
			[]imports.Reject{{Line: 4, Reason: rCourtCase}, {Line: 5, Reason: rCourtNoCase}, {Line: 6, Reason: rCourtDate},
				{Line: 8, Reason: rBothKeys + "; " + rCheckDigit}, {Line: 9, Reason: rCourtLast}}, 0},
		{"court.jsonl",
			[]kept{{1, "CT-20260302-1"}, {2, "CT-20260415-1"}, {6, "CT-20260419-5"}},
			[]imports.Reject{{Line: 3, Reason: rCourtCase}, {Line: 4, Reason: rCourtNoCase}, {Line: 5, Reason: rCourtDate},
				{Line: 7, Reason: rBothKeys + "; " + rCheckDigit}, {Line: 8, Reason: rCourtLast},
				{Line: 9, Reason: `amount: "-5" is negative; an amount is 0 or more: want yuan in digits with at most 2 decimals, e.g. 1234.50`}}, 0},
		{"statement.csv",
			[]kept{{2, "TX-88001"}, {3, "TX-88002"}, {8, "TX-88007"}},
			[]imports.Reject{{Line: 4, Reason: rTxGrouped}, {Line: 5, Reason: rTxSalary}, {Line: 6, Reason: rTxZero}, {Line: 7, Reason: rTxEnum}}, 0},
		{"statement.jsonl",
			[]kept{{1, "TX-88001"}, {2, "TX-88002"}, {7, "TX-88007"}},
			[]imports.Reject{{Line: 3, Reason: rTxGrouped}, {Line: 4, Reason: rTxSalary}, {Line: 5, Reason: rTxZero}, {Line: 6, Reason: rTxEnum},
				{Line: 8, Reason: `amount: "1e3" is not an amount ('e' at character 2); want yuan in digits with at most 2 decimals, e.g. 1234.50`},
				{Line: 9, Reason: `amount: must be a JSON string or number such as "1234.50", not a boolean; counterparty: has a tab at character 2: remove it`}}, 0},
		{"custom.csv",
			[]kept{{2, "APP-1"}, {3, "APP-2"}},
			[]imports.Reject{{Line: 4, Reason: rAppMeasure}, {Line: 5, Reason: rAppValue}, {Line: 6, Reason: rCheckDigit}, {Line: 7, Reason: rAppDate}}, 0},
		{"custom.jsonl",
			[]kept{{1, "APP-1"}, {2, "APP-2"}},
			[]imports.Reject{{Line: 3, Reason: rAppMeasure}, {Line: 4, Reason: rAppValue}, {Line: 5, Reason: rCheckDigit}, {Line: 6, Reason: rAppDate},
				{Line: 7, Reason: `unknown key(s) "colour": the keys are id, borrower, id_number, date, measure, value`}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			file, err := parseSample(t, tt.file, imports.ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var rows []kept
			for _, r := range file.Rows {
				rows = append(rows, kept{r.Line, r.Record.ID})
			}
			if diff := cmp.Diff(tt.rows, rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			rejects := make([]imports.Reject, len(file.Rejects))
			for i, r := range file.Rejects {
				rejects[i] = imports.Reject{Line: r.Line, Reason: r.Reason}
			}
			if diff := cmp.Diff(tt.rejects, rejects); diff != "" {
				t.Errorf("rejects (-want +got):\n%s", diff)
			}
			want := imports.Summary{DataRows: len(tt.rows) + len(tt.rejects), TrailerLine: tt.trailer}
			if diff := cmp.Diff(want, file.Summary); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseSignalsRows checks the kept rows in full: the record as
// normalised, and its signals.
func TestParseSignalsRows(t *testing.T) {
	file, err := parseSample(t, "social.csv", imports.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := civil.MustParse("2026-05-10")
	want := []imports.SignalRow{
		{Line: 2, Record: signal.Record{Source: "social", ID: "SI-C1001-202604", Borrower: "C1001", Date: d,
			Fields: map[string]string{"month": "2026-04", "status": "paid", "base": "8500.00"}},
			Signals: []signal.Signal{{Kind: signal.SocialPaid, Date: civil.MustParse("2026-04-30"), Value: 850000}}},
		{Line: 3, Record: signal.Record{Source: "social", ID: "SI-P2-202604", IDNumber: "440306199003071232", Date: d,
			Fields: map[string]string{"month": "2026-04", "status": "unpaid"}},
			Signals: []signal.Signal{{Kind: signal.SocialPaid, Date: civil.MustParse("2026-04-30")}}},
		{Line: 10, Record: signal.Record{Source: "social", ID: "SI-C1009-202604", Borrower: "C1009", Date: d,
			Fields: map[string]string{"month": "2026-04", "status": "stopped"}},
			Signals: []signal.Signal{{Kind: signal.SocialPaid, Date: civil.MustParse("2026-04-30")}}},
		// The x of the ID number is written X, and 4200.5 as 4200.50.
		{Line: 11, Record: signal.Record{Source: "social", ID: "SI-P10-202604", IDNumber: "11010519491231002X", Date: d,
			Fields: map[string]string{"month": "2026-03", "status": "paid", "base": "4200.50"}},
			Signals: []signal.Signal{{Kind: signal.SocialPaid, Date: civil.MustParse("2026-03-31"), Value: 420050}}},
	}
	if diff := cmp.Diff(want, file.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

// TestSignalsHashAcrossFormats: a record delivered in a CSV file and in
// a JSON Lines file — with numbers as JSON numbers, null for absent, an
// ID number's x in either case — is the same record with the same hash,
// so the second delivery stores nothing.
func TestSignalsHashAcrossFormats(t *testing.T) {
	for _, src := range []string{"social", "court", "statement", "custom"} {
		t.Run(src, func(t *testing.T) {
			csvFile, err := parseSample(t, src+".csv", imports.ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			jsonFile, err := parseSample(t, src+".jsonl", imports.ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			byID := map[string]signal.Record{}
			for _, r := range jsonFile.Rows {
				byID[r.Record.ID] = r.Record
			}
			same := 0
			for _, r := range csvFile.Rows {
				j, ok := byID[r.Record.ID]
				if !ok {
					t.Errorf("%s: in the CSV file only", r.Record.ID)
					continue
				}
				// The court sample's first JSON line states the amount
				// at stake, which its CSV file has no column for.
				differs := src == "court" && r.Record.ID == "CT-20260302-1"
				if got := r.Record.Hash() == j.Hash(); got == differs {
					t.Errorf("%s: hashes equal %v, want %v\nCSV  %+v\nJSON %+v", r.Record.ID, got, !differs, r.Record, j)
				}
				if !differs {
					same++
				}
			}
			if same == 0 {
				t.Error("no record to compare")
			}
		})
	}
}

// TestSignalsHeader: a header that is not the source's columns refuses
// the file, naming the columns there are.
func TestSignalsHeader(t *testing.T) {
	tests := []struct {
		name, header, want string
	}{
		{"unknown column", "id,borrower,date,month,status,base,colour",
			`unknown column(s) "colour"; expected columns: id, date, month, status (required); borrower, id_number, base (optional)`},
		{"misspelt column", "id,borrower,date,Month,status",
			`missing required column(s) month; unknown column(s) "Month" (did you mean "month"?)`},
		{"another source's file", "id,borrower,date,event,case_no",
			`missing required column(s) month, status; unknown column(s) "event", "case_no"`},
		{"duplicate column", "id,borrower,date,month,status,date", `duplicate column(s) "date" (columns 3 and 6)`},
		{"no id", "borrower,date,month,status", "missing required column(s) id"},
	}
	a := lookup(t, signal.Social)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := imports.ParseSignalsFile(strings.NewReader(tt.header+"\n"), imports.FormatCSV, a, imports.ParseOptions{})
			if !errors.Is(err, imports.ErrBadHeader) || daihou.ErrorCode(err) != daihou.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v: want ErrBadHeader containing %q", err, tt.want)
			}
		})
	}
	// Optional columns may be left out; the order is free.
	file, err := imports.ParseSignalsFile(strings.NewReader("status,date,id_number,month,id\nunpaid,2026-05-10,440306199003071232,2026-04,S1\n"),
		imports.FormatCSV, a, imports.ParseOptions{})
	if err != nil || len(file.Rows) != 1 || len(file.Rejects) != 0 {
		t.Errorf("rows %v, rejects %v, err %v: want one row", file.Rows, file.Rejects, err)
	}
}

// TestSignalsControl: a signals file has a row count to check and no
// total.
func TestSignalsControl(t *testing.T) {
	const header = "id,borrower,date,month,status\n"
	const row = "S1,C1,2026-05-10,2026-04,unpaid\n"
	const obj = `{"id":"S1","borrower":"C1","date":"2026-05-10","month":"2026-04","status":"unpaid"}` + "\n"
	tests := []struct {
		name   string
		format imports.Format
		input  string
		opts   imports.ParseOptions
		want   error  // nil: the file is read
		msg    string // part of the error
	}{
		{"trailer", imports.FormatCSV, header + row + "#trailer,rows=1\n", imports.ParseOptions{RequireTrailer: true}, nil, ""},
		{"JSON Lines trailer", imports.FormatJSONL, obj + `{"trailer":{"rows":1}}` + "\n", imports.ParseOptions{RequireTrailer: true}, nil, ""},
		{"expected rows", imports.FormatCSV, header + row, imports.ParseOptions{ExpectRows: ptr(1)}, nil, ""},
		{"trailer of another count", imports.FormatCSV, header + row + "#trailer,rows=2\n", imports.ParseOptions{}, imports.ErrControlMismatch,
			"the file holds 1 data row (1 valid, 0 rejected), but its trailer on line 3 states 2"},
		{"trailer with a total", imports.FormatCSV, header + row + "#trailer,rows=1,total=0\n", imports.ParseOptions{}, imports.ErrBadTrailer,
			"total is not an item of a social trailer, which states rows only; write the trailer as #trailer,rows=N with N the number of data rows"},
		{"JSON Lines trailer with a total", imports.FormatJSONL, obj + `{"trailer":{"rows":1,"total":"0"}}` + "\n", imports.ParseOptions{}, imports.ErrBadTrailer,
			`write the trailer as {"trailer":{"rows":N}} with N the number of data rows`},
		{"required trailer missing", imports.FormatCSV, header + row, imports.ParseOptions{RequireTrailer: true}, imports.ErrBadTrailer,
			"end it with #trailer,rows=N with N the number of data rows"},
		{"expected total", imports.FormatCSV, header + row, imports.ParseOptions{ExpectTotal: ptr(money.Amount(0))}, nil,
			"a social file has no money column to total: give the expected row count only"},
		{"empty", imports.FormatJSONL, "\n\n", imports.ParseOptions{}, imports.ErrEmpty, ""},
		{"GBK", imports.FormatCSV, header + "S1,C\xD5\xC5,2026-05-10,2026-04,unpaid\n", imports.ParseOptions{}, imports.ErrBadEncoding, ""},
		{"no format", 0, header, imports.ParseOptions{}, imports.ErrUnknownFormat, ""},
	}
	a := lookup(t, signal.Social)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, err := imports.ParseSignalsFile(strings.NewReader(tt.input), tt.format, a, tt.opts)
			switch {
			case tt.msg == "" && tt.want == nil:
				if err != nil || len(file.Rows) != 1 {
					t.Fatalf("rows %v, err %v: want one row", file.Rows, err)
				}
			case err == nil:
				t.Fatalf("no error, want %v", tt.want)
			case tt.want != nil && !errors.Is(err, tt.want), !strings.Contains(err.Error(), tt.msg), daihou.ErrorCode(err) != daihou.EINVALID:
				t.Fatalf("error %v: want %v containing %q", err, tt.want, tt.msg)
			case file.Rows != nil || file.Rejects != nil:
				t.Errorf("an error came with rows or rejects")
			}
		})
	}
}

// TestSignalsPersonalData: no reason in the samples repeats an ID number
// or a counterparty's name, which stay in Raw.
func TestSignalsPersonalData(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "signals", "*.*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	digits := regexp.MustCompile(`[0-9]{15,}`)
	for _, name := range files {
		file, err := parseSample(t, filepath.Base(name), imports.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range file.Rejects {
			if digits.MatchString(r.Reason) || strings.Contains(r.Reason, "王") || strings.Contains(r.Reason, "华信") {
				t.Errorf("%s line %d: reason %q repeats personal data", name, r.Line, r.Reason)
			}
		}
	}
}

// wide is an adapter with more fields than a file holds; clash has a
// field named as a common column.
type wide struct{ fields []source.Field }

func (wide) Name() string                                    { return "wide" }
func (wide) Title() string                                   { return "wide" }
func (w wide) Fields() []source.Field                        { return w.fields }
func (wide) Signals(*signal.Record) ([]signal.Signal, error) { return nil, nil }

func TestSignalsAdapterOutOfBounds(t *testing.T) {
	many := make([]source.Field, 13)
	for i := range many {
		many[i] = source.Field{Name: string(rune('a' + i)), Kind: source.Text}
	}
	for _, a := range []wide{{many}, {[]source.Field{{Name: "date", Kind: source.Text}}}, {[]source.Field{{Name: "trailer", Kind: source.Text}}}} {
		_, err := imports.ParseSignalsFile(strings.NewReader("id\n"), imports.FormatCSV, a, imports.ParseOptions{})
		if daihou.ErrorCode(err) != daihou.EINTERNAL {
			t.Errorf("%d fields: error %v, want an internal error", len(a.fields), err)
		}
	}
}

// FuzzParseSignals checks, for any input in either format and for every
// source, that ParseSignalsFile does not panic, that every line is
// accounted for exactly once (as a row or a reject), and that every row
// is a record that passes Check, is normalised, and carries exactly the
// signals its adapter derives.
func FuzzParseSignals(f *testing.F) {
	all := source.All()
	index := map[string]uint8{}
	for i, a := range all {
		index[a.Name()] = uint8(i)
	}
	files, err := filepath.Glob(filepath.Join("testdata", "signals", "*.*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no samples: %v", err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		src, _, _ := strings.Cut(filepath.Base(name), ".")
		f.Add(data, strings.HasSuffix(name, ".jsonl"), index[src])
	}
	const bureauHeader = "id,borrower,id_number,date,inquiries,open_loans,balance,overdue_accounts,overdue_amount"
	for _, s := range []string{
		"", "\uFEFF", bureauHeader, bureauHeader + "\n", bureauHeader + "\nB1,C1,,2026-05-31,3,1,100.5,0,0\n",
		bureauHeader + "\nB1,C1,,2026-05-31,3,1,100.5,1,0\nB2,,11010519491231002X,2026-05-31,0,0,0,0,0\n#trailer,rows=2\n",
		bureauHeader + "\nB1,C1,,2026-05-31,3,1,100.5,0,0",
		`{"id":"B1","borrower":"C1","date":"2026-05-31","inquiries":3,"open_loans":"1","balance":100.5,"overdue_accounts":0,"overdue_amount":"0"}` + "\n",
		`{"id":"B1","id_number":"11010519491231002x","date":"2026-05-31","inquiries":-3,"open_loans":1e2,"balance":null}` + "\n" + `{"trailer":{"rows":1}}` + "\n",
	} {
		f.Add([]byte(s), false, uint8(0))
		f.Add([]byte(s), true, uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, jsonl bool, which uint8) {
		a := all[int(which)%len(all)]
		format := imports.FormatCSV
		if jsonl {
			format = imports.FormatJSONL
		}
		file, err := imports.ParseSignalsFile(bytes.NewReader(data), format, a, imports.ParseOptions{})
		lines := make([]int, len(file.Rows))
		for i, r := range file.Rows {
			lines[i] = r.Line
			rec := r.Record
			if rec.Source != a.Name() {
				t.Errorf("line %d: source %q, want %q", r.Line, rec.Source, a.Name())
			}
			if err := source.Check(a, &rec); err != nil {
				t.Errorf("line %d: a row that fails Check: %v", r.Line, err)
				continue
			}
			norm := rec
			norm.Fields = make(map[string]string, len(rec.Fields))
			for k, v := range rec.Fields {
				norm.Fields[k] = v
			}
			source.Normalize(a, &norm)
			if diff := cmp.Diff(rec, norm); diff != "" {
				t.Errorf("line %d: a row not normalised (-row +normalised):\n%s", r.Line, diff)
			}
			sigs, err := a.Signals(&rec)
			if err != nil || !cmp.Equal(sigs, r.Signals) || len(sigs) == 0 {
				t.Errorf("line %d: signals %v, but the adapter gives %v, %v", r.Line, r.Signals, sigs, err)
			}
		}
		if err == nil && file.Total != 0 {
			t.Errorf("Summary.Total %v, want 0", file.Total)
		}
		checkAccounting(t, data, format, lines, file.Rejects, file.Summary, err)
	})
}

// BenchmarkParseSignals measures a month of bureau summaries for 10,000
// borrowers, the largest regular delivery.
func BenchmarkParseSignals(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("id,borrower,id_number,date,inquiries,open_loans,balance,overdue_accounts,overdue_amount\n")
	for i := range 10000 {
		fmt.Fprintf(&buf, "CR-202605-%d,C%d,,2026-05-31,%d,%d,%d.%02d,0,0.00\n", i, i, i%7, i%4, 1000+i*37, i%100)
	}
	data := buf.Bytes()
	a := lookup(b, signal.Bureau)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		file, err := imports.ParseSignalsFile(bytes.NewReader(data), imports.FormatCSV, a, imports.ParseOptions{})
		if err != nil || len(file.Rows) != 10000 {
			b.Fatalf("%d rows, %v", len(file.Rows), err)
		}
	}
}
