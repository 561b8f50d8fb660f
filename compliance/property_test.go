package compliance

import (
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// propertyZones include zones with a half-hour offset and one (Havana)
// whose daylight-saving gap swallows midnight.
var propertyZones = []*time.Location{
	nil, sh, ny, la, london, phoenix,
	mustZone("Asia/Kolkata"), mustZone("America/Havana"), mustZone("Pacific/Chatham"),
}

var (
	allChannels    = []string{Call, Call, Call, AIVoice, Dialer, SMS, Email, Visit, Letter}
	staticRules    = []string{RuleChannel, RuleParty, RuleDoNotContact, RuleDispute, RuleAgency, RuleCNRecording, RuleCNThirdPartyDisclosure, RuleCNThirdParty, RuleUSThirdPartyDisclosure}
	propertyBase   = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	propertyPeriod = int64(40 * 24 * time.Hour) // across Havana's and New York's daylight-saving starts
)

func drawParty(t *rapid.T, label string) Party {
	return rapid.SampledFrom([]Party{Debtor, Debtor, Debtor, ThirdParty}).Draw(t, label)
}

func drawAttempt(t *rapid.T) Attempt {
	at := propertyBase.Add(time.Duration(rapid.Int64Range(0, propertyPeriod).Draw(t, "at")))
	if rapid.Bool().Draw(t, "whole minute") {
		at = at.Truncate(time.Minute) // lands exactly on the boundaries more often
	}
	return Attempt{
		At:            at,
		Zone:          rapid.SampledFrom(propertyZones).Draw(t, "zone"),
		Channel:       rapid.SampledFrom(allChannels).Draw(t, "channel"),
		Party:         drawParty(t, "party"),
		Number:        rapid.SampledFrom([]string{"n1", "n2", "e1"}).Draw(t, "number"),
		LoanID:        rapid.Int64Range(1, 2).Draw(t, "loan"),
		BorrowerID:    7,
		Agency:        drawAgency(t),
		Consent:       rarely(t, "consent", 10),
		Recorded:      !rarely(t, "unrecorded", 20),
		DisclosesDebt: rarely(t, "discloses", 20),
	}
}

// rarely is true about once in n draws (rapid favours small integers, so
// the test is against a middle value, not zero).
func rarely(t *rapid.T, label string, n int) bool {
	return rapid.IntRange(0, 10*n-1).Draw(t, label)%n == n/2
}

// drawHistory draws contacts over the nine days before the attempt and the
// day after it (a contact stamped after the attempt must count too), or,
// to reach the daily limits, over the hours around it.
func drawHistory(t *rapid.T, at time.Time) []Contact {
	n := rapid.IntRange(0, 40).Draw(t, "contacts")
	span := rapid.SampledFrom([]int64{9 * 24 * 3600, 12 * 3600}).Draw(t, "span")
	answered := rapid.Bool().Draw(t, "often answered")
	h := make([]Contact, n)
	for i := range h {
		off := rapid.Int64Range(-span, span/9).Draw(t, "offset")
		connected := rarely(t, "connected", 8)
		if answered {
			connected = rapid.Bool().Draw(t, "connected")
		}
		h[i] = Contact{
			At:           at.Add(time.Duration(off) * time.Second),
			Channel:      rapid.SampledFrom(allChannels).Draw(t, "channel"),
			Party:        drawParty(t, "party"),
			Number:       rapid.SampledFrom([]string{"n1", "n2", "e1"}).Draw(t, "number"),
			LoanID:       rapid.Int64Range(1, 2).Draw(t, "loan"),
			BorrowerID:   7,
			Agency:       rapid.SampledFrom([]string{"", "A1"}).Draw(t, "agency"),
			Connected:    connected,
			Conversation: connected && rapid.Bool().Draw(t, "conversation"),
		}
	}
	return h
}

// drawAgency draws the lender, an engaged agency or, rarely, another.
func drawAgency(t *rapid.T) string {
	switch {
	case rarely(t, "unengaged", 10):
		return "A9"
	case rapid.Bool().Draw(t, "by agency"):
		return "A1"
	}
	return ""
}

func drawFlags(t *rapid.T) Flags {
	return Flags{
		DoNotContact: rarely(t, "dnc", 30),
		DisputeHold:  rarely(t, "dispute", 30),
		Agencies:     []string{"A1"},
	}
}

// TestCheckProperties: a Decision is consistent, does not depend on the
// order of the history or change it, and its Next is the first allowed
// instant — allowed itself, with every instant between the attempt and it
// refused.
func TestCheckProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := rapid.SampledFrom([]Profile{CN(), US()}).Draw(t, "profile")
		a := drawAttempt(t)
		h := drawHistory(t, a.At)
		f := drawFlags(t)
		kept := slices.Clone(h)

		d := p.Check(a, h, f)
		if !slices.Equal(h, kept) {
			t.Fatalf("Check changed the history")
		}
		if d.Allowed != (d.Rule == "") || d.Allowed != (d.Reason == "") || d.Allowed && !d.Next.IsZero() {
			t.Fatalf("got an inconsistent decision %+v", d)
		}

		shuffled := slices.Clone(h)
		for i := len(shuffled) - 1; i > 0; i-- {
			j := rapid.IntRange(0, i).Draw(t, "swap")
			shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
		}
		if e := p.Check(a, shuffled, f); e.Allowed != d.Allowed || e.Rule != d.Rule || e.Reason != d.Reason || !e.Next.Equal(d.Next) {
			t.Fatalf("got %+v for the history reordered, want %+v", e, d)
		}

		at := func(when time.Time) Decision {
			b := a
			b.At = when
			return p.Check(b, h, f)
		}
		switch {
		case d.Allowed:
		case d.Next.IsZero():
			// Only the rules that no instant changes give no Next: they
			// still refuse a year on, at noon.
			if !slices.Contains(staticRules, d.Rule) {
				t.Fatalf("got no Next from %s, a rule of the hours or counts (%s)", d.Rule, d.Reason)
			}
			later := a.At.AddDate(1, 0, 0).Truncate(24 * time.Hour).Add(12 * time.Hour)
			if e := at(later); e.Allowed || e.Rule != d.Rule {
				t.Fatalf("got %+v a year on, want refused by %s again", e, d.Rule)
			}
		default:
			if !d.Next.After(a.At) {
				t.Fatalf("got Next %v not after the attempt %v", d.Next, a.At)
			}
			if e := at(d.Next); !e.Allowed {
				t.Fatalf("got %s (%s) at Next %v, want allowed; first refusal %s", e.Rule, e.Reason, d.Next, d.Reason)
			}
			gap := int64(d.Next.Sub(a.At))
			samples := []int64{1, gap - 1}
			for range 4 {
				samples = append(samples, rapid.Int64Range(1, max(1, gap-1)).Draw(t, "between"))
			}
			for _, ns := range samples {
				if ns <= 0 || ns >= gap {
					continue
				}
				when := a.At.Add(time.Duration(ns))
				if e := at(when); e.Allowed {
					t.Fatalf("got allowed at %v, between the attempt %v and Next %v (%s)", when, a.At, d.Next, d.Reason)
				}
			}
		}
	})
}
