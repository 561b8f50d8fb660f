package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// Core banking's withholding run of a closed day posts the installments
// due that day that the generated borrowers pay, once: delivered again it
// posts nothing, and the next close finds overdue exactly the loans whose
// borrowers did not pay. A day not yet closed is refused, saying so.
func TestSimWithholdingPostsWhatTheBorrowersPay(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "book.db")
	if _, errs, code := run(t, db, "gen", "--loans", "10000", "--months", "6", "--seed", "4", "--until", "2026-03-31"); code != 0 {
		t.Fatalf("gen: %s", errs)
	}
	if _, errs, code := run(t, db, "sim", "withholding", "--date", "2026-04-01", "--seed", "4"); code == 0 || !strings.Contains(errs, "close the day first") {
		t.Errorf("the withholding run of a day not closed: exit %d, %q", code, errs)
	}
	var eod struct {
		Dates []struct {
			NewlyOverdue int `json:"newly_overdue"`
		} `json:"dates"`
	}
	if out, errs, code := run(t, db, "eod", "--date", "2026-04-01", "--json"); code != 0 {
		t.Fatalf("eod: %s %s", out, errs)
	}
	withhold := func() withholding {
		t.Helper()
		out, errs, code := run(t, db, "sim", "withholding", "--date", "2026-04-01", "--seed", "4", "--json")
		if code != 0 {
			t.Fatalf("sim withholding: exit %d: %s", code, errs)
		}
		var w withholding
		if err := json.Unmarshal([]byte(out), &w); err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		return w
	}
	first := withhold()
	if first.Due < 20 || first.Paid == 0 || first.Paid == first.Due || first.Posted != first.Paid || first.Amount <= 0 {
		t.Fatalf("the withholding run of 2026-04-01: %+v, want most of the installments due that day paid, and some not", first)
	}
	if again := withhold(); again.Posted != 0 || again.Due != first.Due-first.Paid {
		t.Errorf("the run delivered again: %+v, want nothing posted and the %d unpaid still due", again, first.Due-first.Paid)
	}
	out, errs, code := run(t, db, "eod", "--date", "2026-04-02", "--json")
	if code != 0 {
		t.Fatalf("eod: %s %s", out, errs)
	}
	if err := json.Unmarshal([]byte(out), &eod); err != nil || len(eod.Dates) != 1 {
		t.Fatalf("%q: %v", out, err)
	}
	if got := eod.Dates[0].NewlyOverdue; got != first.Due-first.Paid {
		t.Errorf("the close after the run: %d loans newly overdue, want the %d whose borrowers did not pay", got, first.Due-first.Paid)
	}
}
