package compliance

import (
	"strings"
	"testing"
	"time"
)

var (
	sh      = mustZone("Asia/Shanghai")
	ny      = mustZone("America/New_York")
	la      = mustZone("America/Los_Angeles")
	london  = mustZone("Europe/London")
	phoenix = mustZone("America/Phoenix")
	hawaii  = mustZone("Pacific/Honolulu")
)

// local returns an instant on a wall clock.
func local(loc *time.Location, y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, loc)
}

// call returns an attempt by the lender's collector to the debtor on
// number n1 about loan 1, recorded.
func call(at time.Time, loc *time.Location) Attempt {
	return Attempt{At: at, Zone: loc, Channel: Call, Party: Debtor, Number: "n1", LoanID: 1, BorrowerID: 7, Recorded: true}
}

// with returns a changed copy of a.
func (a Attempt) with(f func(*Attempt)) Attempt { f(&a); return a }

// past returns a telephone contact with the debtor on n1 about loan 1.
func past(at time.Time, connected bool) Contact {
	return Contact{At: at, Channel: Call, Party: Debtor, Number: "n1", LoanID: 1, BorrowerID: 7, Connected: connected}
}

// changed returns a changed copy of c.
func (c Contact) changed(f func(*Contact)) Contact { f(&c); return c }

type checkCase struct {
	name     string
	profile  Profile
	attempt  Attempt
	history  []Contact
	flags    Flags
	wantRule string    // "" allowed
	wantNext time.Time // zero: none
}

func runChecks(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.profile
			if p.Code == "" {
				p = CN()
			}
			got := p.Check(c.attempt, c.history, c.flags)
			if got.Rule != c.wantRule || got.Allowed != (c.wantRule == "") {
				t.Fatalf("got allowed %v rule %q (%s), want rule %q", got.Allowed, got.Rule, got.Reason, c.wantRule)
			}
			if !got.Next.Equal(c.wantNext) {
				t.Errorf("got Next %v, want %v (%s)", got.Next, c.wantNext, got.Reason)
			}
			if !got.Allowed && got.Reason == "" {
				t.Errorf("got no reason for a refusal by %s", got.Rule)
			}
			if got.Allowed && got.Reason != "" {
				t.Errorf("got reason %q for an allowed attempt, want none", got.Reason)
			}
			if got.Reason != "" {
				t.Log(got.Reason)
			}
		})
	}
}

func TestProfileOf(t *testing.T) {
	for _, c := range []struct {
		code, want string
	}{
		{"CN", "CN"}, {"cn", "CN"}, {"Us", "US"}, {"US", "US"},
		{"UK", ""}, {"", ""}, {"CHN", ""},
	} {
		t.Run(c.code, func(t *testing.T) {
			p, err := ProfileOf(c.code)
			if c.want == "" {
				if err == nil || !strings.Contains(err.Error(), "CN") || !strings.Contains(err.Error(), "US") {
					t.Fatalf("got error %v, want one naming CN and US", err)
				}
				return
			}
			if err != nil || p.Code != c.want || p.Zone == nil {
				t.Fatalf("got %+v, %v, want profile %s with a zone", p, err, c.want)
			}
		})
	}
	if got, want := CN().Zone.String(), "Asia/Shanghai"; got != want {
		t.Errorf("got CN zone %s, want %s", got, want)
	}
	if got, want := US().Zone.String(), "America/New_York"; got != want {
		t.Errorf("got US zone %s, want %s", got, want)
	}
}

func TestCNQuietHours(t *testing.T) {
	d := func(day, hh, mm, ss int) time.Time { return local(sh, 2026, 3, day, hh, mm, ss) }
	at := func(day, hh, mm, ss int) Attempt { return call(d(day, hh, mm, ss), sh) }
	on := func(ch string, a Attempt) Attempt { return a.with(func(a *Attempt) { a.Channel = ch }) }
	runChecks(t, []checkCase{
		{name: "21:59:59 allowed", attempt: at(2, 21, 59, 59)},
		{name: "22:00:00 refused until 08:00 tomorrow", attempt: at(2, 22, 0, 0), wantRule: RuleCNQuietHours, wantNext: d(3, 8, 0, 0)},
		{name: "23:59:59 refused", attempt: at(2, 23, 59, 59), wantRule: RuleCNQuietHours, wantNext: d(3, 8, 0, 0)},
		{name: "00:00:00 refused until 08:00 today", attempt: at(3, 0, 0, 0), wantRule: RuleCNQuietHours, wantNext: d(3, 8, 0, 0)},
		{name: "07:59:59 refused", attempt: at(3, 7, 59, 59), wantRule: RuleCNQuietHours, wantNext: d(3, 8, 0, 0)},
		{name: "08:00:00 allowed", attempt: at(3, 8, 0, 0)},
		{name: "consent lifts it", attempt: at(2, 23, 0, 0).with(func(a *Attempt) { a.Consent = true })},
		{name: "ai-voice refused", attempt: on(AIVoice, at(2, 22, 0, 0)), wantRule: RuleCNQuietHours, wantNext: d(3, 8, 0, 0)},
		{name: "sms refused", attempt: on(SMS, at(2, 22, 0, 0)), wantRule: RuleCNQuietHours, wantNext: d(3, 8, 0, 0)},
		{name: "email refused", attempt: on(Email, at(3, 7, 0, 0)), wantRule: RuleCNQuietHours, wantNext: d(3, 8, 0, 0)},
		{name: "visit refused", attempt: on(Visit, at(2, 22, 30, 0)), wantRule: RuleCNQuietHours, wantNext: d(3, 8, 0, 0)},
		{name: "letter not time-bound", attempt: on(Letter, at(2, 23, 0, 0))},
		{name: "no zone is the profile's", attempt: call(d(2, 22, 0, 0), nil), wantRule: RuleCNQuietHours, wantNext: d(3, 8, 0, 0)},
		{name: "a profile with no zone is Beijing time", profile: Profile{Code: "cn"}, attempt: call(d(2, 22, 0, 0), nil), wantRule: RuleCNQuietHours, wantNext: d(3, 8, 0, 0)},
	})
}

func TestCNQuietHoursAcrossZones(t *testing.T) {
	utc := func(day, hh, mm int) time.Time { return time.Date(2026, 3, day, hh, mm, 0, 0, time.UTC) }
	runChecks(t, []checkCase{
		// 14:30 UTC is 22:30 in Beijing and 14:30 in London.
		{name: "14:30Z Shanghai refused", attempt: call(utc(2, 14, 30), sh), wantRule: RuleCNQuietHours, wantNext: utc(3, 0, 0)},
		{name: "14:30Z London allowed", attempt: call(utc(2, 14, 30), london)},
		{name: "14:30Z Xinjiang is Beijing time", attempt: call(utc(2, 14, 30), ZoneOf("65")), wantRule: RuleCNQuietHours, wantNext: utc(3, 0, 0)},
		// 23:30 UTC is 07:30 next day in Beijing, 23:30 in London, 18:30 in New York.
		{name: "23:30Z Shanghai refused", attempt: call(utc(2, 23, 30), sh), wantRule: RuleCNQuietHours, wantNext: utc(3, 0, 0)},
		{name: "23:30Z London refused", attempt: call(utc(2, 23, 30), london), wantRule: RuleCNQuietHours, wantNext: utc(3, 8, 0)},
		{name: "23:30Z New York allowed", attempt: call(utc(2, 23, 30), ny)},
		// 12:00 UTC is 07:00 in New York (EST) and 20:00 in Beijing.
		{name: "12:00Z New York refused", attempt: call(utc(2, 12, 0), ny), wantRule: RuleCNQuietHours, wantNext: utc(2, 13, 0)},
		{name: "12:00Z Shanghai allowed", attempt: call(utc(2, 12, 0), sh)},
	})
}

func TestCNConnectedPerDay(t *testing.T) {
	d := func(day, hh, mm, ss int) time.Time { return local(sh, 2026, 3, day, hh, mm, ss) }
	three := []Contact{
		past(d(2, 9, 0, 0), true),
		past(d(2, 10, 0, 0), true).changed(func(c *Contact) { c.Agency = "A1" }),
		past(d(2, 11, 0, 0), true).changed(func(c *Contact) { c.Channel = AIVoice; c.Number = "n2" }),
	}
	toThirdParty := func(c Contact) Contact {
		return c.changed(func(c *Contact) { c.Party = ThirdParty; c.Number = "e1" })
	}
	nyDay := func(day, hh int) time.Time { return local(ny, 2026, 3, day, hh, 0, 0) }
	runChecks(t, []checkCase{
		{name: "3rd connected allowed", attempt: call(d(2, 15, 0, 0), sh), history: three[:2]},
		{name: "4th refused until 08:00 tomorrow", attempt: call(d(2, 15, 0, 0), sh), history: three, wantRule: RuleCNConnectedPerDay, wantNext: d(3, 8, 0, 0)},
		{name: "4th by ai-voice refused", attempt: call(d(2, 15, 0, 0), sh).with(func(a *Attempt) { a.Channel = AIVoice }), history: three, wantRule: RuleCNConnectedPerDay, wantNext: d(3, 8, 0, 0)},
		{name: "4th by an agency refused", attempt: call(d(2, 15, 0, 0), sh).with(func(a *Attempt) { a.Agency = "A1" }), history: three, flags: Flags{Agencies: []string{"A1"}}, wantRule: RuleCNConnectedPerDay, wantNext: d(3, 8, 0, 0)},
		{name: "4th with consent refused until midnight", attempt: call(d(2, 23, 0, 0), sh).with(func(a *Attempt) { a.Consent = true }), history: three, wantRule: RuleCNConnectedPerDay, wantNext: d(3, 0, 0, 0)},
		{name: "3 yesterday allowed", attempt: call(d(3, 8, 0, 0), sh), history: three},
		{name: "one at 23:59:59 yesterday not today", attempt: call(d(2, 15, 0, 0), sh), history: []Contact{past(d(1, 23, 59, 59), true), three[0], three[1]}},
		{name: "one at 00:00:00 today counts", attempt: call(d(2, 15, 0, 0), sh), history: []Contact{past(d(2, 0, 0, 0), true), three[0], three[1]}, wantRule: RuleCNConnectedPerDay, wantNext: d(3, 8, 0, 0)},
		{name: "unanswered do not count", attempt: call(d(2, 15, 0, 0), sh), history: []Contact{three[0], three[1], past(d(2, 12, 0, 0), false), past(d(2, 13, 0, 0), false), past(d(2, 14, 0, 0), false)}},
		{name: "third-party calls do not count", attempt: call(d(2, 15, 0, 0), sh), history: []Contact{toThirdParty(three[0]), toThirdParty(three[1]), toThirdParty(three[2])}},
		{name: "texts do not count", attempt: call(d(2, 15, 0, 0), sh), history: []Contact{three[0], three[1], three[2].changed(func(c *Contact) { c.Channel = SMS })}},
		{name: "an SMS after 3 connected allowed", attempt: call(d(2, 15, 0, 0), sh).with(func(a *Attempt) { a.Channel = SMS }), history: three},
		// Under the CN profile a debtor in New York has New York's days.
		{name: "the debtor's local day, refused", attempt: call(nyDay(2, 21), ny), history: []Contact{past(nyDay(2, 18), true), past(nyDay(2, 19), true), past(nyDay(2, 20), true)}, wantRule: RuleCNConnectedPerDay, wantNext: nyDay(3, 8)},
		{name: "the debtor's local day, next day allowed", attempt: call(nyDay(3, 9), ny), history: []Contact{past(nyDay(2, 18), true), past(nyDay(2, 19), true), past(nyDay(2, 20), true)}},
	})
}

func TestCNUnansweredPerNumber(t *testing.T) {
	d := func(day, hh int) time.Time { return local(sh, 2026, 3, day, hh, 0, 0) }
	unanswered := func(n int, number string) []Contact {
		var h []Contact
		for i := range n {
			h = append(h, past(d(2, 8+i), false).changed(func(c *Contact) { c.Number = number }))
		}
		return h
	}
	six := unanswered(6, "n1")
	mixed := append(unanswered(3, "n1"), Contact{At: d(2, 12), Channel: AIVoice, Party: ThirdParty, Number: "n1", LoanID: 1},
		Contact{At: d(2, 13), Channel: Dialer, Party: ThirdParty, Number: "n1", LoanID: 1, Agency: "A1"},
		Contact{At: d(2, 14), Channel: Call, Party: ThirdParty, Number: "n1", LoanID: 2})
	runChecks(t, []checkCase{
		{name: "6th allowed", attempt: call(d(2, 15), sh), history: unanswered(5, "n1")},
		{name: "7th refused until 08:00 tomorrow", attempt: call(d(2, 15), sh), history: six, wantRule: RuleCNUnansweredPerNumber, wantNext: d(3, 8)},
		{name: "another number allowed", attempt: call(d(2, 15), sh).with(func(a *Attempt) { a.Number = "n2" }), history: six},
		{name: "every party and agency counts on the number", attempt: call(d(2, 15), sh), history: mixed, wantRule: RuleCNUnansweredPerNumber, wantNext: d(3, 8)},
		{name: "yesterday's do not count", attempt: call(d(3, 9), sh), history: six},
		{name: "an SMS to the number allowed", attempt: call(d(2, 15), sh).with(func(a *Attempt) { a.Channel = SMS }), history: six},
		{name: "connected calls are not unanswered", attempt: call(d(2, 15), sh), history: append(unanswered(5, "n1"), past(d(2, 14), true))},
	})
}

func TestCNThirdParty(t *testing.T) {
	d := func(hh int) time.Time { return local(sh, 2026, 3, 2, hh, 0, 0) }
	emergency := call(d(15), sh).with(func(a *Attempt) { a.Party = ThirdParty; a.Number = "e1" })
	failed := func(hh int) Contact { return past(d(hh), false) }
	connected := func(hh int) Contact { return past(d(hh), true) }
	visit := func(c Contact) Contact { return c.changed(func(c *Contact) { c.Channel = Visit }) }
	sms := func(c Contact) Contact { return c.changed(func(c *Contact) { c.Channel = SMS }) }
	third := func(c Contact) Contact { return c.changed(func(c *Contact) { c.Party = ThirdParty; c.Number = "e2" }) }
	disclose := emergency.with(func(a *Attempt) { a.DisclosesDebt = true })
	runChecks(t, []checkCase{
		{name: "no attempts yet refused", attempt: emergency, wantRule: RuleCNThirdParty},
		{name: "2 failures refused", attempt: emergency, history: []Contact{failed(9), failed(10)}, wantRule: RuleCNThirdParty},
		{name: "3 failures allowed", attempt: emergency, history: []Contact{failed(9), failed(10), failed(11)}},
		{name: "3 failures in any order allowed", attempt: emergency, history: []Contact{failed(11), failed(9), failed(10)}},
		{name: "connected after the failures refused", attempt: emergency, history: []Contact{failed(9), failed(10), failed(11), connected(12)}, wantRule: RuleCNThirdParty},
		{name: "connected before the failures allowed", attempt: emergency, history: []Contact{failed(11), connected(8), failed(9), failed(10)}},
		{name: "failures around a connected one refused", attempt: emergency, history: []Contact{failed(12), connected(10), failed(8), failed(9)}, wantRule: RuleCNThirdParty},
		{name: "a failure at the connected instant is not after it", attempt: emergency, history: []Contact{connected(10), failed(10), failed(11), failed(12)}, wantRule: RuleCNThirdParty},
		{name: "failed visits count", attempt: emergency, history: []Contact{visit(failed(9)), failed(10), visit(failed(11))}},
		{name: "texts say nothing of reachability", attempt: emergency, history: []Contact{sms(failed(9)), failed(10), failed(11)}, wantRule: RuleCNThirdParty},
		{name: "failed third-party calls do not count", attempt: emergency, history: []Contact{third(failed(9)), third(failed(10)), third(failed(11))}, wantRule: RuleCNThirdParty},
		{name: "telling the debt refused although unreachable", attempt: disclose, history: []Contact{failed(9), failed(10), failed(11)}, wantRule: RuleCNThirdPartyDisclosure},
		{name: "telling the debt refused before all else of the attempt", attempt: disclose, wantRule: RuleCNThirdPartyDisclosure},
		{name: "telling the debt to the debtor is not third-party", attempt: call(d(15), sh).with(func(a *Attempt) { a.DisclosesDebt = true })},
	})
}

func TestCNRecording(t *testing.T) {
	at := local(sh, 2026, 3, 2, 10, 0, 0)
	unrecorded := func(ch string) Attempt {
		return call(at, sh).with(func(a *Attempt) { a.Channel = ch; a.Recorded = false })
	}
	runChecks(t, []checkCase{
		{name: "call unrecorded refused", attempt: unrecorded(Call), wantRule: RuleCNRecording},
		{name: "ai-voice unrecorded refused", attempt: unrecorded(AIVoice), wantRule: RuleCNRecording},
		{name: "dialer unrecorded refused", attempt: unrecorded(Dialer), wantRule: RuleCNRecording},
		{name: "call recorded allowed", attempt: call(at, sh)},
		{name: "sms needs no recording", attempt: unrecorded(SMS)},
		{name: "visit needs no recording", attempt: unrecorded(Visit)},
		{name: "US has no recording rule", profile: US(), attempt: unrecorded(Call).with(func(a *Attempt) { a.Zone = ny; a.At = local(ny, 2026, 3, 2, 10, 0, 0) })},
	})
}

func TestUSHours(t *testing.T) {
	d := func(day, hh, mm, ss int) time.Time { return local(ny, 2026, 2, day, hh, mm, ss) }
	at := func(day, hh, mm, ss int) Attempt { return call(d(day, hh, mm, ss), ny) }
	on := func(ch string, a Attempt) Attempt { return a.with(func(a *Attempt) { a.Channel = ch }) }
	utc := func(m time.Month, day, hh, mm, ss int) time.Time {
		return time.Date(2026, m, day, hh, mm, ss, 0, time.UTC)
	}
	us := US()
	runChecks(t, []checkCase{
		{name: "07:59:59 refused until 08:00", profile: us, attempt: at(10, 7, 59, 59), wantRule: RuleUSHours, wantNext: d(10, 8, 0, 0)},
		{name: "08:00:00 allowed", profile: us, attempt: at(10, 8, 0, 0)},
		{name: "21:00:00 allowed", profile: us, attempt: at(10, 21, 0, 0)},
		{name: "21:00:00 and 1ns refused", profile: us, attempt: call(d(10, 21, 0, 0).Add(time.Nanosecond), ny), wantRule: RuleUSHours, wantNext: d(11, 8, 0, 0)},
		{name: "21:00:01 refused until 08:00 tomorrow", profile: us, attempt: at(10, 21, 0, 1), wantRule: RuleUSHours, wantNext: d(11, 8, 0, 0)},
		{name: "00:00:00 refused", profile: us, attempt: at(11, 0, 0, 0), wantRule: RuleUSHours, wantNext: d(11, 8, 0, 0)},
		{name: "consent lifts it", profile: us, attempt: at(10, 23, 0, 0).with(func(a *Attempt) { a.Consent = true })},
		{name: "email refused", profile: us, attempt: on(Email, at(10, 21, 30, 0)), wantRule: RuleUSHours, wantNext: d(11, 8, 0, 0)},
		{name: "sms refused", profile: us, attempt: on(SMS, at(10, 6, 0, 0)), wantRule: RuleUSHours, wantNext: d(10, 8, 0, 0)},
		{name: "letter not time-bound", profile: us, attempt: on(Letter, at(10, 23, 0, 0))},
		{name: "no zone is New York", profile: us, attempt: call(d(10, 7, 0, 0), nil), wantRule: RuleUSHours, wantNext: d(10, 8, 0, 0)},
		// 13:30 UTC in February: 08:30 in New York, 05:30 in Los Angeles, 03:30 in Honolulu.
		{name: "13:30Z New York allowed", profile: us, attempt: call(utc(2, 10, 13, 30, 0), ny)},
		{name: "13:30Z Los Angeles refused", profile: us, attempt: call(utc(2, 10, 13, 30, 0), la), wantRule: RuleUSHours, wantNext: utc(2, 10, 16, 0, 0)},
		{name: "13:30Z Honolulu refused", profile: us, attempt: call(utc(2, 10, 13, 30, 0), hawaii), wantRule: RuleUSHours, wantNext: utc(2, 10, 18, 0, 0)},
		// 02:30 UTC: 21:30 in New York, 18:30 in Los Angeles.
		{name: "02:30Z New York refused", profile: us, attempt: call(utc(2, 11, 2, 30, 0), ny), wantRule: RuleUSHours, wantNext: utc(2, 11, 13, 0, 0)},
		{name: "02:30Z Los Angeles allowed", profile: us, attempt: call(utc(2, 11, 2, 30, 0), la)},
		// Arizona keeps no daylight saving: in July 14:59:59 UTC is 07:59:59 there, 10:59:59 in New York.
		{name: "July 14:59:59Z Phoenix refused", profile: us, attempt: call(utc(7, 1, 14, 59, 59), phoenix), wantRule: RuleUSHours, wantNext: utc(7, 1, 15, 0, 0)},
		{name: "July 14:59:59Z New York allowed", profile: us, attempt: call(utc(7, 1, 14, 59, 59), ny)},
		// Daylight saving starts 8 March 2026 at 02:00 in New York: 08:00 EDT is 12:00 UTC.
		{name: "DST day 07:59:59 refused until 08:00 EDT", profile: us, attempt: call(local(ny, 2026, 3, 8, 7, 59, 59), ny), wantRule: RuleUSHours, wantNext: utc(3, 8, 12, 0, 0)},
	})
}

func TestUS7In7(t *testing.T) {
	d := func(day, hh, mm, ss int) time.Time { return local(ny, 2026, 2, day, hh, mm, ss) }
	// week returns one call a day on days 5…9 at 10:00, one on day 10 at
	// 09:00 and one at first: seven calls in the window 4–10 February.
	week := func(first time.Time) []Contact {
		h := []Contact{past(first, false)}
		for day := 5; day <= 9; day++ {
			h = append(h, past(d(day, 10, 0, 0), day%2 == 0))
		}
		return append(h, past(d(10, 9, 0, 0), false))
	}
	seven := week(d(4, 10, 0, 0))
	attempt := call(d(10, 10, 0, 0), ny)
	onLoan := func(loan int64, h []Contact) []Contact {
		out := make([]Contact, len(h))
		for i, c := range h {
			out[i] = c.changed(func(c *Contact) { c.LoanID = loan })
		}
		return out
	}
	asSMS := func(h []Contact) []Contact {
		out := make([]Contact, len(h))
		for i, c := range h {
			out[i] = c.changed(func(c *Contact) { c.Channel = SMS })
		}
		return out
	}
	toThird := func(h []Contact) []Contact {
		out := make([]Contact, len(h))
		for i, c := range h {
			out[i] = c.changed(func(c *Contact) { c.Party = ThirdParty; c.Number = "e1" })
		}
		return out
	}
	eight := []Contact{past(d(4, 10, 0, 0), false), past(d(5, 10, 0, 0), false), past(d(6, 10, 0, 0), false),
		past(d(10, 8, 0, 0), false), past(d(10, 8, 30, 0), false), past(d(10, 9, 0, 0), true), past(d(10, 9, 15, 0), false), past(d(10, 9, 30, 0), false)}
	thirdParty := attempt.with(func(a *Attempt) { a.Party = ThirdParty; a.Number = "e1" })
	us := US()
	runChecks(t, []checkCase{
		{name: "7th call allowed", profile: us, attempt: attempt, history: seven[1:]},
		{name: "8th refused until the oldest leaves, then 08:00", profile: us, attempt: attempt, history: seven, wantRule: RuleUS7In7, wantNext: d(11, 8, 0, 0)},
		{name: "8th with consent refused until the midnight the oldest leaves", profile: us, attempt: attempt.with(func(a *Attempt) { a.Consent = true }), history: seven, wantRule: RuleUS7In7, wantNext: d(11, 0, 0, 0)},
		{name: "oldest at 00:00:00 on day 1 of the window counts", profile: us, attempt: attempt, history: week(d(4, 0, 0, 0)), wantRule: RuleUS7In7, wantNext: d(11, 8, 0, 0)},
		{name: "oldest at 23:59:59 the day before the window does not", profile: us, attempt: attempt, history: week(d(3, 23, 59, 59))},
		{name: "Next after two calls leave", profile: us, attempt: attempt, history: eight, wantRule: RuleUS7In7, wantNext: d(12, 8, 0, 0)},
		{name: "another loan's calls do not count", profile: us, attempt: attempt, history: onLoan(2, seven)},
		{name: "texts do not count", profile: us, attempt: attempt, history: asSMS(seven)},
		{name: "an SMS after 7 calls allowed", profile: us, attempt: attempt.with(func(a *Attempt) { a.Channel = SMS }), history: seven},
		{name: "a third party's 8th call refused", profile: us, attempt: thirdParty, history: toThird(seven), wantRule: RuleUS7In7, wantNext: d(11, 8, 0, 0)},
		{name: "another third party's calls do not count", profile: us, attempt: thirdParty.with(func(a *Attempt) { a.Number = "e2" }), history: toThird(seven)},
		{name: "a third party's calls do not count for the debtor", profile: us, attempt: attempt, history: toThird(seven)},
	})
}

func TestUSAfterConversation(t *testing.T) {
	d := func(day, hh, mm, ss int) time.Time { return local(ny, 2026, 2, day, hh, mm, ss) }
	talk := func(at time.Time) Contact {
		return past(at, true).changed(func(c *Contact) { c.Conversation = true })
	}
	day1 := []Contact{talk(d(2, 10, 0, 0))}
	at := func(day, hh, mm, ss int) Attempt { return call(d(day, hh, mm, ss), ny) }
	consent := func(a Attempt) Attempt { return a.with(func(a *Attempt) { a.Consent = true }) }
	us := US()
	runChecks(t, []checkCase{
		{name: "day 1 after the conversation refused", profile: us, attempt: at(2, 15, 0, 0), history: day1, wantRule: RuleUSAfterConversation, wantNext: d(9, 8, 0, 0)},
		{name: "day 7, 6 days after, refused", profile: us, attempt: at(8, 10, 0, 0), history: day1, wantRule: RuleUSAfterConversation, wantNext: d(9, 8, 0, 0)},
		{name: "day 7 at 23:59:59 with consent refused until midnight", profile: us, attempt: consent(at(8, 23, 59, 59)), history: day1, wantRule: RuleUSAfterConversation, wantNext: d(9, 0, 0, 0)},
		{name: "day 8 at 00:00:00 with consent allowed", profile: us, attempt: consent(at(9, 0, 0, 0)), history: day1},
		{name: "day 8 at 08:00 allowed", profile: us, attempt: at(9, 8, 0, 0), history: day1},
		{name: "another loan allowed", profile: us, attempt: at(5, 10, 0, 0).with(func(a *Attempt) { a.LoanID = 2 }), history: day1},
		{name: "an SMS allowed", profile: us, attempt: at(5, 10, 0, 0).with(func(a *Attempt) { a.Channel = SMS }), history: day1},
		{name: "a connected call without a conversation does not count", profile: us, attempt: at(5, 10, 0, 0), history: []Contact{past(d(2, 10, 0, 0), true)}},
		{name: "the latest conversation sets Next", profile: us, attempt: at(9, 10, 0, 0), history: []Contact{talk(d(2, 10, 0, 0)), talk(d(5, 10, 0, 0))}, wantRule: RuleUSAfterConversation, wantNext: d(12, 8, 0, 0)},
	})
}

func TestFlags(t *testing.T) {
	for _, p := range []Profile{CN(), US()} {
		t.Run(p.Code, func(t *testing.T) {
			at := call(time.Date(2026, 3, 2, 10, 0, 0, 0, p.Zone), nil)
			letter := at.with(func(a *Attempt) { a.Channel = Letter })
			byAgency := func(code string) Attempt { return at.with(func(a *Attempt) { a.Agency = code }) }
			engaged := Flags{Agencies: []string{"A1", "A2"}}
			runChecks(t, []checkCase{
				{name: "do-not-contact refuses a call", profile: p, attempt: at, flags: Flags{DoNotContact: true}, wantRule: RuleDoNotContact},
				{name: "do-not-contact refuses a letter", profile: p, attempt: letter, flags: Flags{DoNotContact: true}, wantRule: RuleDoNotContact},
				{name: "dispute refuses", profile: p, attempt: at, flags: Flags{DisputeHold: true}, wantRule: RuleDispute},
				{name: "an agency not engaged refused", profile: p, attempt: byAgency("A9"), flags: engaged, wantRule: RuleAgency},
				{name: "an agency with no list refused", profile: p, attempt: byAgency("A1"), wantRule: RuleAgency},
				{name: "an engaged agency allowed", profile: p, attempt: byAgency("A2"), flags: engaged},
				{name: "the lender itself allowed", profile: p, attempt: at},
			})
		})
	}
}

func TestRuleOrder(t *testing.T) {
	cnAt := func(day, hh int) time.Time { return local(sh, 2026, 3, day, hh, 0, 0) }
	usAt := func(day, hh int) time.Time { return local(ny, 2026, 2, day, hh, 0, 0) }
	threeConnected := []Contact{past(cnAt(2, 9), true), past(cnAt(2, 10), true), past(cnAt(2, 11), true)}
	sixUnanswered := []Contact{past(cnAt(2, 12), false), past(cnAt(2, 13), false), past(cnAt(2, 14), false), past(cnAt(2, 15), false), past(cnAt(2, 16), false), past(cnAt(2, 17), false)}
	var usHistory []Contact
	for day := 4; day <= 9; day++ {
		usHistory = append(usHistory, past(usAt(day, 10), false))
	}
	usHistory = append(usHistory, past(usAt(9, 11), true).changed(func(c *Contact) { c.Conversation = true }))
	runChecks(t, []checkCase{
		{name: "unknown profile first", profile: Profile{Code: "UK"}, attempt: call(cnAt(2, 23), sh), flags: Flags{DoNotContact: true}, wantRule: RuleProfile},
		{name: "unknown channel", attempt: call(cnAt(2, 10), sh).with(func(a *Attempt) { a.Channel = "fax" }), wantRule: RuleChannel},
		{name: "no party", attempt: call(cnAt(2, 10), sh).with(func(a *Attempt) { a.Party = "" }), wantRule: RuleParty},
		{name: "do-not-contact before quiet hours", attempt: call(cnAt(2, 23), sh), flags: Flags{DoNotContact: true, DisputeHold: true}, wantRule: RuleDoNotContact},
		{name: "dispute before agency", attempt: call(cnAt(2, 10), sh).with(func(a *Attempt) { a.Agency = "A9" }), flags: Flags{DisputeHold: true}, wantRule: RuleDispute},
		{name: "agency before recording", attempt: call(cnAt(2, 10), sh).with(func(a *Attempt) { a.Agency = "A9"; a.Recorded = false }), wantRule: RuleAgency},
		{name: "recording before quiet hours", attempt: call(cnAt(2, 23), sh).with(func(a *Attempt) { a.Recorded = false }), wantRule: RuleCNRecording},
		{name: "third party before quiet hours", attempt: call(cnAt(2, 23), sh).with(func(a *Attempt) { a.Party = ThirdParty }), wantRule: RuleCNThirdParty},
		{name: "quiet hours before connected per day", attempt: call(cnAt(2, 23), sh), history: threeConnected, wantRule: RuleCNQuietHours, wantNext: cnAt(3, 8)},
		{name: "connected per day before unanswered per number", attempt: call(cnAt(2, 18), sh), history: append(threeConnected, sixUnanswered...), wantRule: RuleCNConnectedPerDay, wantNext: cnAt(3, 8)},
		// Seven calls through 9 February, the last a conversation: the 7-in-7
		// rule refuses until the 4th leaves on the 11th, the conversation
		// until the 16th; Next is the first instant both allow.
		{name: "7-in-7 before after-conversation, Next allowed by both", profile: US(), attempt: call(usAt(10, 10), ny), history: usHistory, wantRule: RuleUS7In7, wantNext: usAt(16, 8)},
	})
}

func TestCheckAllowedDoesNotAllocate(t *testing.T) {
	h := []Contact{past(local(sh, 2026, 3, 2, 9, 0, 0), true), past(local(sh, 2026, 3, 1, 9, 0, 0), false)}
	for _, p := range []Profile{CN(), US()} {
		a := call(time.Date(2026, 3, 2, 15, 0, 0, 0, p.Zone), nil).with(func(a *Attempt) { a.Agency = "A1" })
		f := Flags{Agencies: []string{"A1"}}
		if d := p.Check(a, h, f); !d.Allowed {
			t.Fatalf("%s: got %s, want allowed", p.Code, d.Reason)
		}
		if got := testing.AllocsPerRun(100, func() { p.Check(a, h, f) }); got != 0 {
			t.Errorf("%s: got %v allocations per allowed check, want 0", p.Code, got)
		}
	}
}

func TestReasonNamesCounts(t *testing.T) {
	d := func(hh int) time.Time { return local(sh, 2026, 3, 2, hh, 0, 0) }
	got := CN().Check(call(d(15), sh), []Contact{past(d(9), true), past(d(10), true), past(d(11), true)}, Flags{}).Reason
	want := "4th call to the debtor after 3 connected calls today (local 2026-03-02, Asia/Shanghai): at most 3 connected calls a day (每日接通不超过3次) across the lender and its agencies"
	if got != want {
		t.Errorf("got reason %q, want %q", got, want)
	}
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 22: "22nd", 111: "111th"} {
		if got := ordinal(n); got != want {
			t.Errorf("got ordinal(%d) %q, want %q", n, got, want)
		}
	}
}

// benchHistory returns a debtor's week as a busy collection queue makes it:
// n contacts over the 7 days before end, spread over waking hours, mostly
// calls and AI-voice calls, some texts and a visit, a third answered, a
// few by an agency and to an emergency contact, on two loans. The contacts
// are in the order a store's index would give, newest last, but Check does
// not rely on it.
func benchHistory(end time.Time, loc *time.Location, n int) []Contact {
	channels := []string{Call, AIVoice, Call, SMS, AIVoice, Call, Dialer, SMS, Call, Visit}
	h := make([]Contact, n)
	for i := range h {
		day := 7 * i / n
		at := end.In(loc).AddDate(0, 0, day-7)
		at = time.Date(at.Year(), at.Month(), at.Day(), 8+(i*5)%13, (i*17)%60, 0, 0, loc)
		h[i] = Contact{
			At: at, Channel: channels[i%len(channels)], Party: Debtor, Number: []string{"n1", "n2"}[i%2],
			LoanID: int64(1 + i%3/2), BorrowerID: 7, Connected: i%3 == 0, Conversation: i%9 == 0,
		}
		if i%7 == 3 {
			h[i].Agency = "A1"
		}
		if i%11 == 5 {
			h[i].Party, h[i].Number = ThirdParty, "e1"
		}
	}
	return h
}

// BenchmarkCheck measures decisions a second with a 40-contact week of
// history. "batch" checks a night's mix — every channel, every hour of the
// day, debtor and third party, so quiet hours, the counts and the Next
// search all run; "allowed" the common case of a permitted daytime call.
func BenchmarkCheck(b *testing.B) {
	for _, p := range []Profile{CN(), US()} {
		day := time.Date(2026, 3, 10, 0, 0, 0, 0, p.Zone)
		history := benchHistory(day, p.Zone, 40)
		flags := Flags{Agencies: []string{"A1", "A2"}}
		var batch []Attempt
		for i := range 96 {
			a := call(day.Add(time.Duration(i)*15*time.Minute), nil)
			a.Channel = []string{Call, AIVoice, SMS, Email}[i%4]
			a.LoanID = int64(1 + i%2)
			a.Number = []string{"n1", "n2"}[i%2]
			if i%13 == 0 {
				a.Party, a.Number = ThirdParty, "e1"
			}
			batch = append(batch, a)
		}
		allowed := call(day.Add(10*time.Hour), nil)
		allowed.Number, allowed.LoanID = "n3", 3
		if d := p.Check(allowed, history, flags); !d.Allowed {
			b.Fatalf("%s: got %s, want the daytime call allowed", p.Code, d.Reason)
		}
		b.Run(p.Code+"/batch", func(b *testing.B) {
			n, refused := 0, 0
			for b.Loop() {
				if !p.Check(batch[n%len(batch)], history, flags).Allowed {
					refused++
				}
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "decisions/s")
			b.ReportMetric(float64(refused)/float64(n), "refused/op")
		})
		b.Run(p.Code+"/allowed", func(b *testing.B) {
			n := 0
			for b.Loop() {
				p.Check(allowed, history, flags)
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "decisions/s")
		})
	}
}
