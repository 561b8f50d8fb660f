package source_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"daihou"
	"daihou/civil"
	"daihou/signal"
	"daihou/source"
)

// f makes a record's fields from name, value pairs.
func f(kv ...string) map[string]string {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func sig(k signal.Kind, date string, v int64) signal.Signal {
	return signal.Signal{Kind: k, Date: civil.MustParse(date), Value: v}
}

func mustLookup(tb testing.TB, name string) source.Adapter {
	tb.Helper()
	a, err := source.Lookup(name)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// TestSignals derives each source's signals from records that pass
// Check, with the expected signals worked out by hand; the cases with
// wantField break a rule between fields, which Signals refuses naming
// the field.
func TestSignals(t *testing.T) {
	const d = "2026-05-31"
	tests := []struct {
		name      string
		source    string
		fields    map[string]string
		want      []signal.Signal
		wantField string // the field Signals' error names
		wantWhy   string // and a part of its reason
	}{
		{"bureau report", signal.Bureau, f("inquiries", "3", "open_loans", "5", "balance", "123456.78", "overdue_accounts", "1", "overdue_amount", "2000.5"),
			[]signal.Signal{sig(signal.Inquiries, d, 3), sig(signal.OpenLoans, d, 5), sig(signal.BalanceElsewhere, d, 12345678), sig(signal.OverdueElsewhere, d, 200050)}, "", ""},
		{"bureau report of a clean borrower", signal.Bureau, f("inquiries", "0", "open_loans", "0", "balance", "0", "overdue_accounts", "0", "overdue_amount", "0.00"),
			[]signal.Signal{sig(signal.Inquiries, d, 0), sig(signal.OpenLoans, d, 0), sig(signal.BalanceElsewhere, d, 0), sig(signal.OverdueElsewhere, d, 0)}, "", ""},
		{"bureau amount overdue on no account", signal.Bureau, f("inquiries", "0", "open_loans", "1", "balance", "10", "overdue_accounts", "0", "overdue_amount", "5"),
			nil, "overdue_amount", "is 5.00 with overdue_accounts 0"},
		{"bureau accounts overdue by nothing", signal.Bureau, f("inquiries", "0", "open_loans", "1", "balance", "10", "overdue_accounts", "2", "overdue_amount", "0"),
			nil, "overdue_amount", "is 0 with overdue_accounts 2"},

		{"court case filed", signal.Court, f("event", "case_filed", "case_no", "(2026)京0105执1234号", "amount", "50000"),
			[]signal.Signal{sig(signal.CourtCase, d, 1)}, "", ""},
		{"court case closed", signal.Court, f("event", "case_closed", "case_no", "(2026)京0105执1234号"), []signal.Signal{sig(signal.CourtCase, d, -1)}, "", ""},
		{"court listed", signal.Court, f("event", "listed", "case_no", "(2026)沪0115执88号"), []signal.Signal{sig(signal.Dishonest, d, 1)}, "", ""},
		{"court delisted", signal.Court, f("event", "delisted", "case_no", "(2026)沪0115执88号"), []signal.Signal{sig(signal.Dishonest, d, 0)}, "", ""},

		{"hukou match", signal.Hukou, f("result", "match"), []signal.Signal{sig(signal.Mismatch, d, 0), sig(signal.Deceased, d, 0)}, "", ""},
		{"hukou mismatch", signal.Hukou, f("result", "mismatch"), []signal.Signal{sig(signal.Mismatch, d, 1)}, "", ""},
		{"hukou deceased", signal.Hukou, f("result", "deceased"), []signal.Signal{sig(signal.Mismatch, d, 0), sig(signal.Deceased, d, 1)}, "", ""},

		{"social paid", signal.Social, f("month", "2026-02", "status", "paid", "base", "8500.00"), []signal.Signal{sig(signal.SocialPaid, "2026-02-28", 850000)}, "", ""},
		{"social paid in a leap February", signal.Social, f("month", "2024-02", "status", "paid", "base", "1"), []signal.Signal{sig(signal.SocialPaid, "2024-02-29", 100)}, "", ""},
		{"social paid this month", signal.Social, f("month", "2026-05", "status", "paid", "base", "0.01"), []signal.Signal{sig(signal.SocialPaid, "2026-05-31", 1)}, "", ""},
		{"social unpaid", signal.Social, f("month", "2025-12", "status", "unpaid"), []signal.Signal{sig(signal.SocialPaid, "2025-12-31", 0)}, "", ""},
		{"social stopped with its base", signal.Social, f("month", "2026-04", "status", "stopped", "base", "8500"), []signal.Signal{sig(signal.SocialPaid, "2026-04-30", 0)}, "", ""},
		{"social paid without base", signal.Social, f("month", "2026-04", "status", "paid"), nil, "base", "required when status is paid"},
		{"social paid on base 0", signal.Social, f("month", "2026-04", "status", "paid", "base", "0"), nil, "base", "is 0 with status paid"},
		{"social month after the record", signal.Social, f("month", "2026-06", "status", "unpaid"), nil, "month", "is 2026-06, after the month of the record's date"},

		{"utility on time", signal.Utility, f("utility", "water", "status", "on_time"), []signal.Signal{sig(signal.Arrears, d, 0)}, "", ""},
		{"utility on time, arrears 0", signal.Utility, f("utility", "gas", "status", "on_time", "arrears", "0.00"), []signal.Signal{sig(signal.Arrears, d, 0)}, "", ""},
		{"utility arrears", signal.Utility, f("utility", "electricity", "status", "arrears", "arrears", "312.4"), []signal.Signal{sig(signal.Arrears, d, 31240)}, "", ""},
		{"utility arrears not given", signal.Utility, f("utility", "electricity", "status", "arrears"), nil, "arrears", "required when status is arrears"},
		{"utility arrears of 0", signal.Utility, f("utility", "electricity", "status", "arrears", "arrears", "0"), nil, "arrears", "is 0 with status arrears"},
		{"utility on time with arrears", signal.Utility, f("utility", "water", "status", "on_time", "arrears", "10"), nil, "arrears", "is 10.00 with status on_time"},

		{"statement salary", signal.Statement, f("direction", "in", "amount", "15000.00", "category", "salary", "counterparty", "某某科技有限公司"),
			[]signal.Signal{sig(signal.Inflow, d, 1500000), sig(signal.Salary, d, 1500000)}, "", ""},
		{"statement transfer in", signal.Statement, f("direction", "in", "amount", "200", "category", "transfer"), []signal.Signal{sig(signal.Inflow, d, 20000)}, "", ""},
		{"statement in, no category", signal.Statement, f("direction", "in", "amount", "0.99"), []signal.Signal{sig(signal.Inflow, d, 99)}, "", ""},
		{"statement out", signal.Statement, f("direction", "out", "amount", "88.8", "category", "consumption"), []signal.Signal{sig(signal.Outflow, d, 8880)}, "", ""},
		{"statement of nothing", signal.Statement, f("direction", "out", "amount", "0"), nil, "amount", "is 0"},
		{"statement salary paid out", signal.Statement, f("direction", "out", "amount", "1", "category", "salary"), nil, "category", "is salary with direction out"},

		{"tax filed", signal.Tax, f("period", "2026-04", "status", "filed"), []signal.Signal{sig(signal.TaxArrears, d, 0)}, "", ""},
		{"tax filed, arrears 0", signal.Tax, f("period", "2026-04", "status", "filed", "arrears", "0"), []signal.Signal{sig(signal.TaxArrears, d, 0)}, "", ""},
		{"tax late, paid since", signal.Tax, f("period", "2026-03", "status", "late", "arrears", "0"), []signal.Signal{sig(signal.TaxArrears, d, 0)}, "", ""},
		{"tax late", signal.Tax, f("period", "2026-03", "status", "late", "arrears", "1200.3"), []signal.Signal{sig(signal.TaxArrears, d, 120030)}, "", ""},
		{"tax unpaid", signal.Tax, f("period", "2026-01", "status", "unpaid", "arrears", "45000"), []signal.Signal{sig(signal.TaxArrears, d, 4500000)}, "", ""},
		{"tax filed with arrears", signal.Tax, f("period", "2026-04", "status", "filed", "arrears", "1"), nil, "arrears", "with status filed"},
		{"tax unpaid without arrears", signal.Tax, f("period", "2026-04", "status", "unpaid"), nil, "arrears", "required when status is unpaid"},
		{"tax late without arrears", signal.Tax, f("period", "2026-04", "status", "late"), nil, "arrears", "required when status is late"},
		{"tax unpaid by nothing", signal.Tax, f("period", "2026-04", "status", "unpaid", "arrears", "0"), nil, "arrears", "is 0 with status unpaid"},
		{"tax period after the record", signal.Tax, f("period", "2026-07", "status", "filed"), nil, "period", "after the month of the record's date"},

		{"business listed", signal.Business, f("event", "abnormal_listed"), []signal.Signal{sig(signal.BusinessAnomaly, d, 1)}, "", ""},
		{"business removed", signal.Business, f("event", "abnormal_removed"), []signal.Signal{sig(signal.BusinessAnomaly, d, 0)}, "", ""},
		{"business penalty", signal.Business, f("event", "penalty"), []signal.Signal{sig(signal.BusinessAnomaly, d, 1)}, "", ""},
		{"business deregistered", signal.Business, f("event", "deregistered"), []signal.Signal{sig(signal.BusinessAnomaly, d, 1)}, "", ""},

		{"ecommerce", signal.Ecommerce, f("orders", "12", "spend", "3456.7"), []signal.Signal{sig(signal.Spend, d, 345670)}, "", ""},
		{"ecommerce, nothing bought", signal.Ecommerce, f("orders", "0", "spend", "0"), []signal.Signal{sig(signal.Spend, d, 0)}, "", ""},
		{"ecommerce, free orders", signal.Ecommerce, f("orders", "2", "spend", "0"), []signal.Signal{sig(signal.Spend, d, 0)}, "", ""},
		{"ecommerce spend on no order", signal.Ecommerce, f("orders", "0", "spend", "9.9"), nil, "spend", "with orders 0"},

		{"transport", signal.Transport, f("trips", "4", "mode", "rail"), []signal.Signal{sig(signal.Trips, d, 4)}, "", ""},
		{"transport, all modes", signal.Transport, f("trips", "007"), []signal.Signal{sig(signal.Trips, d, 7)}, "", ""},

		{"custom", signal.Custom, f("measure", "app_logins", "value", "17"), []signal.Signal{sig(signal.CustomKind("app_logins"), d, 17)}, "", ""},
		{"custom negative", signal.Custom, f("measure", "deposit_change", "value", "-2500"), []signal.Signal{sig(signal.CustomKind("deposit_change"), d, -2500)}, "", ""},
		{"custom measure in capitals", signal.Custom, f("measure", "AppLogins", "value", "1"), nil, "measure", "has 'A' at character 1"},
		{"custom measure with a space", signal.Custom, f("measure", "app logins", "value", "1"), nil, "measure", "has a space at character 4"},
		{"custom measure too long", signal.Custom, f("measure", strings.Repeat("m", 41), "value", "1"), nil, "measure", "longer than 40"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mustLookup(t, tt.source)
			r := &signal.Record{Source: tt.source, ID: "R1", Borrower: "C1", Date: civil.MustParse(d), Fields: tt.fields}
			if err := source.Check(a, r); err != nil {
				t.Fatalf("Check: %v", err)
			}
			got, err := a.Signals(r)
			if tt.wantField != "" {
				checkFieldError(t, err, tt.wantField, tt.wantWhy)
				if got != nil {
					t.Errorf("signals %v came with the error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Signals: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Signals (-want +got):\n%s", diff)
			}
		})
	}
}

// checkFieldError checks that err is a record error naming field first,
// with a reason containing why, and coded invalid.
func checkFieldError(t *testing.T, err error, field, why string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one on %s", field)
	}
	var re *source.RecordError
	if !errors.As(err, &re) {
		t.Fatalf("error %v is not a *source.RecordError", err)
	}
	if daihou.ErrorCode(err) != daihou.EINVALID || daihou.ErrorField(err) != re.Problems[0].Field {
		t.Errorf("error %v: code %q field %q, want invalid and %q", err, daihou.ErrorCode(err), daihou.ErrorField(err), re.Problems[0].Field)
	}
	for _, p := range re.Problems {
		if p.Field == field && strings.Contains(p.Reason, why) {
			return
		}
	}
	t.Errorf("error %v: want a problem with %s containing %q", err, field, why)
}

// TestSignalsUnchecked: Signals given a record that skipped Check
// reports what is wrong instead of reading it as zero.
func TestSignalsUnchecked(t *testing.T) {
	for _, a := range source.All() {
		t.Run(a.Name(), func(t *testing.T) {
			r := &signal.Record{Source: a.Name(), ID: "R1", Borrower: "C1", Date: civil.MustParse("2026-05-31"), Fields: map[string]string{}}
			for _, fl := range a.Fields() {
				r.Fields[fl.Name] = "?"
			}
			sigs, err := a.Signals(r)
			if err == nil || sigs != nil {
				t.Fatalf("Signals = %v, %v; want an error", sigs, err)
			}
			var re *source.RecordError
			if !errors.As(err, &re) || re.Source != a.Name() {
				t.Fatalf("error %v: want a RecordError of %s", err, a.Name())
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	want := []string{signal.Bureau, signal.Court, signal.Hukou, signal.Social, signal.Utility, signal.Statement,
		signal.Tax, signal.Business, signal.Ecommerce, signal.Transport, signal.Custom}
	all := source.All()
	var got []string
	for _, a := range all {
		got = append(got, a.Name())
		if a.Title() == "" || len(a.Fields()) == 0 {
			t.Errorf("%s: no title or no fields", a.Name())
		}
		if b, err := source.Lookup(a.Name()); err != nil || b != a {
			t.Errorf("Lookup(%q) = %v, %v", a.Name(), b, err)
		}
		for _, fl := range a.Fields() {
			if fl.Doc == "" || fl.Kind.String() == "" || (fl.Kind == source.Enum) != (len(fl.Values) > 0) {
				t.Errorf("%s.%s: undocumented, or values on a field that is not an enum (or none on one that is)", a.Name(), fl.Name)
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("All (-want +got):\n%s", diff)
	}
	all[0] = nil
	if source.All()[0] == nil {
		t.Error("All returned the registry itself, not a copy")
	}

	_, err := source.Lookup("Bureau")
	if !errors.Is(err, source.ErrUnknownSource) || daihou.ErrorCode(err) != daihou.ENOTFOUND {
		t.Fatalf("Lookup(Bureau) error %v: want ErrUnknownSource, not found", err)
	}
	if msg := err.Error(); !strings.Contains(msg, `"Bureau"`) || !strings.Contains(msg, strings.Join(want, ", ")) {
		t.Errorf("Lookup error %q: want the name and every source", msg)
	}
}
