package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"daihou/civil"
	"daihou/eod"
	"daihou/source"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/web"
)

var webhookSecret = []byte("court-secret-for-tests")

// signed returns the headers of a webhook delivery of body at ts.
func signed(secret []byte, ts time.Time, body string) []string {
	return []string{source.TimestampHeader, fmt.Sprint(ts.Unix()), source.SignatureHeader, source.Sign(secret, ts.Unix(), []byte(body)), "Content-Type", "application/x-ndjson"}
}

// A source's webhook over real HTTP: only a signed, fresh delivery is
// taken; a malformed one stores nothing and names each bad line; an
// oversized one is refused; a duplicate stores nothing; the answer comes
// once the records are stored.
func TestWebhook(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		now := time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC)
		b := newBook(t, backend, func(s *web.Server) {
			noLimits(s)
			s.API.Now = func() time.Time { return now }
			s.API.WebhookSecret = func(name string) []byte {
				if name == "court" {
					return webhookSecret
				}
				return nil
			}
		})
		// The book is closed through the day before the listing, as on a
		// working morning.
		if _, err := (&eod.Runner{Store: b.db}).Close(storetest.EOD(), civil.MustParse("2026-01-11"), false); err != nil {
			t.Fatal(err)
		}
		url := b.base + "/api/v1/sources/court/records"
		good := `{"id":"C-1","borrower":"TB0","date":"2026-01-11","event":"listed","case_no":"(2026)京0105执1号"}` + "\n" +
			`{"id":"C-2","borrower":"TB1","date":"2026-01-11","event":"case_filed","case_no":"(2026)京0105执2号","amount":"5000.00"}` + "\n"

		for _, c := range []struct {
			name   string
			header []string
			status int
			says   string
		}{
			{"unsigned", []string{"Content-Type", "application/x-ndjson"}, 401, "X-Daihou-Timestamp"},
			{"wrong secret", signed([]byte("guess"), now, good), 401, "does not match"},
			{"signed for another body", signed(webhookSecret, now, good+" "), 401, "does not match"},
			{"replayed from yesterday", signed(webhookSecret, now.Add(-24*time.Hour), good), 401, "window"},
			{"from the future", signed(webhookSecret, now.Add(10*time.Minute), good), 401, "window"},
			{"timestamp not a number", []string{source.TimestampHeader, "yesterday", source.SignatureHeader, "sha256=00"}, 401, "Unix seconds"},
		} {
			r := do(t, "POST", url, "", good, c.header...)
			p := problem(t, c.name, r, c.status, "")
			if !strings.Contains(p.Message, c.says) {
				t.Errorf("%s: %q, want it to say %q", c.name, p.Message, c.says)
			}
		}
		if recs, _ := b.db.BorrowerRecords(storetest.Ctx(), 1, 10); len(recs) != 0 {
			t.Fatalf("refused deliveries stored %d records", len(recs))
		}

		// Unknown source, and a source whose webhook is off.
		problem(t, "unknown source", do(t, "POST", b.base+"/api/v1/sources/astrology/records", "", good, signed(webhookSecret, now, good)...), 404, "not_found")
		off := do(t, "POST", b.base+"/api/v1/sources/bureau/records", "", good, signed(webhookSecret, now, good)...)
		if p := problem(t, "webhook off", off, 404, ""); !strings.Contains(p.Message, "DAIHOU_WEBHOOK_SECRET_BUREAU") {
			t.Errorf("webhook off: %q, want the variable to set", p.Message)
		}

		// Malformed: every bad line named, nothing stored.
		bad := `{"id":"C-3","borrower":"TB0","date":"2026-01-11","event":"listed","case_no":"X"}` + "\n" +
			`{"id":"C-4","borrower":"TB0","date":"2026-13-01","event":"listed","case_no":"X"}` + "\n" +
			`{"id":"C-5","borrower":"TB0","date":"2026-01-11","event":"arrested","case_no":"X"}` + "\n" +
			`{"id":"C-6","borrower":"TB0",` + "\n"
		p := problem(t, "malformed body", do(t, "POST", url, "", bad, signed(webhookSecret, now, bad)...), 400, "invalid")
		for _, want := range []string{"3 of the records", "line 2: date", "line 3: event", "line 4:"} {
			if !strings.Contains(p.Message, want) {
				t.Errorf("malformed body: %q, want it to say %q", p.Message, want)
			}
		}
		var res struct {
			Stored   int `json:"stored"`
			Dups     int `json:"duplicates"`
			Warnings int `json:"warnings"`
			Rejected []struct {
				Line   int    `json:"line"`
				Reason string `json:"reason"`
			} `json:"rejected"`
		}
		if recs, _ := b.db.BorrowerRecords(storetest.Ctx(), 1, 10); len(recs) != 0 {
			t.Fatalf("a malformed delivery stored %d records", len(recs))
		}

		// Oversized.
		big := strings.Repeat(strings.TrimSuffix(good, "\n")[:60]+"\n", (2<<20)/61)
		problem(t, "oversized", do(t, "POST", url, "", big, signed(webhookSecret, now, big)...), 413, "too_large")

		// Good, then the same delivery again (a sender's retry) within the
		// window: stored once.
		// The listing raises its warning at once, before any close of
		// business: the first delivery raises the dishonest-debtor and
		// court-case warnings on the borrowers' loans (two each), the
		// second nothing.
		for i, want := range []struct{ stored, dups, warned int }{{2, 0, 4}, {0, 2, 0}} {
			r := do(t, "POST", url, "", good, signed(webhookSecret, now.Add(time.Duration(i)*time.Minute), good)...)
			res.Stored, res.Dups, res.Warnings = 0, 0, 0
			if err := json.Unmarshal(r.body, &res); err != nil || r.status != 200 || res.Stored != want.stored || res.Dups != want.dups || res.Warnings != want.warned {
				t.Errorf("delivery %d: %v, want %d stored, %d duplicates and %d warnings", i+1, r, want.stored, want.dups, want.warned)
			}
		}
		ws, err := b.db.Warnings(storetest.Ctx(), store.WarningFilter{State: "open"})
		if err != nil {
			t.Fatal(err)
		}
		rules := map[string]int{}
		for _, w := range ws {
			rules[w.Rule]++
		}
		if rules["dishonest"] != 2 || rules["court_case"] != 2 {
			t.Errorf("warnings raised on arrival: %v, want dishonest on TB0's two loans and court_case on TB1's", rules)
		}
		// The close of business that sees the records raises them no
		// second time.
		if _, err := (&eod.Runner{Store: b.db}).Close(storetest.EOD(), civil.MustParse("2026-01-12"), false); err != nil {
			t.Fatal(err)
		}
		if again, err := b.db.Warnings(storetest.Ctx(), store.WarningFilter{}); err != nil || len(again) != len(ws) {
			t.Errorf("after close of business: %d warnings (%v), want the %d raised on arrival", len(again), err, len(ws))
		}
		recs, err := b.db.BorrowerRecords(storetest.Ctx(), 1, 10)
		if err != nil || len(recs) != 1 || recs[0].Record.ID != "C-1" || recs[0].By != "system:webhook:court" {
			t.Errorf("stored: %+v %v", recs, err)
		}
	})
}
