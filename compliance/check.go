package compliance

import (
	"fmt"
	"slices"
	"time"
)

// Check decides whether the attempt a may be made, given the debtor's
// contact history (any order; Check neither sorts nor changes it) and
// flags. The rules are applied in this order and the Decision names the
// first that refuses:
//
//  1. profile, channel, party: the inputs name a jurisdiction, a channel
//     and a party Check knows (it fails closed on anything else);
//  2. do-not-contact, dispute, agency: the flags;
//  3. the attempt itself — CN: cn.recording, cn.third-party-disclosure,
//     cn.third-party; US: us.third-party-disclosure;
//  4. the hours — cn.quiet-hours or us.hours;
//  5. the counts — CN: cn.connected-per-day, cn.unanswered-per-number;
//     US: us.7-in-7, us.after-conversation.
//
// Steps 1–3 do not depend on the instant, so an attempt they refuse has no
// Next; steps 4–5 do, and Next is found by re-checking candidate instants,
// each the earliest at which the rule that refused may stop refusing.
//
// History is taken as what happened before the attempt. The count rules
// count every contact in the local calendar days they look at, whatever
// its time of day, so a contact stamped a moment after a.At (the dialer's
// clock and daihou's differ) still counts: the guard errs toward refusing.
// To replay a past decision, pass only the contacts made before it.
func (p Profile) Check(a Attempt, history []Contact, f Flags) Decision {
	j := p.jurisdiction()
	if j == noJurisdiction {
		return Decision{Rule: RuleProfile, Reason: fmt.Sprintf("no compliance profile for jurisdiction %q (CN or US): every contact is refused until one is configured", p.Code)}
	}
	loc := p.zone(j, &a)
	if v := static(j, &a, history, &f); v.rule != "" {
		return Decision{Rule: v.rule, Reason: v.reason(&a, loc)}
	}
	v := timed(j, &a, loc, a.At, history)
	if v.rule == "" {
		return Decision{Allowed: true}
	}
	return Decision{Rule: v.rule, Reason: v.reason(&a, loc), Next: next(j, &a, loc, history, v.until)}
}

// next returns the first instant from t on that every timed rule allows.
// Each refusal's until is a lower bound of when its rule may allow, so
// every instant skipped was refused; the loop ends because until is always
// later than t and no count rule refuses past the last contact's week.
func next(j jurisdiction, a *Attempt, loc *time.Location, history []Contact, t time.Time) time.Time {
	for {
		v := timed(j, a, loc, t, history)
		if v.rule == "" {
			return t
		}
		if !v.until.After(t) {
			return time.Time{} // a zone whose clock makes no progress; leave it to a person
		}
		t = v.until
	}
}

// verdict is one rule's refusal ("" rule: no refusal) with what its reason
// names.
type verdict struct {
	rule  string
	until time.Time // the earliest instant the rule may stop refusing
	n     int       // the count the rule found
	at    time.Time // the instant the reason speaks of, if not the attempt's
}

// static applies the rules that do not depend on the attempt's instant.
func static(j jurisdiction, a *Attempt, history []Contact, f *Flags) verdict {
	switch {
	case !knownChannel(a.Channel):
		return verdict{rule: RuleChannel}
	case a.Party != Debtor && a.Party != ThirdParty:
		return verdict{rule: RuleParty}
	case f.DoNotContact:
		return verdict{rule: RuleDoNotContact}
	case f.DisputeHold:
		return verdict{rule: RuleDispute}
	case a.Agency != "" && !slices.Contains(f.Agencies, a.Agency):
		return verdict{rule: RuleAgency}
	}
	third := a.Party == ThirdParty
	switch j {
	case cnRules:
		switch {
		case telephone(a.Channel) && !a.Recorded:
			return verdict{rule: RuleCNRecording}
		case third && a.DisclosesDebt:
			return verdict{rule: RuleCNThirdPartyDisclosure}
		case third:
			if n := failedSinceConnected(history); n < CNUnreachableAfter {
				return verdict{rule: RuleCNThirdParty, n: n}
			}
		}
	case usRules:
		if third && a.DisclosesDebt {
			return verdict{rule: RuleUSThirdPartyDisclosure}
		}
	}
	return verdict{}
}

// failedSinceConnected counts the debtor's failed calls and visits after
// the latest connected one: the debtor is unreachable when the most recent
// CNUnreachableAfter attempts all failed. A failure at the same instant as
// the latest connected attempt is not after it, so the count does not
// depend on the order of the history.
func failedSinceConnected(history []Contact) int {
	var last time.Time
	seen := false
	for i := range history {
		c := &history[i]
		if c.Connected && c.Party != ThirdParty && reaches(c.Channel) && (!seen || c.At.After(last)) {
			last, seen = c.At, true
		}
	}
	n := 0
	for i := range history {
		c := &history[i]
		if !c.Connected && c.Party != ThirdParty && reaches(c.Channel) && (!seen || c.At.After(last)) {
			n++
		}
	}
	return n
}

// timed applies the rules that depend on the instant t.
func timed(j jurisdiction, a *Attempt, loc *time.Location, t time.Time, history []Contact) verdict {
	lt := t.In(loc)
	y, m, d := lt.Date()
	hh, mm, ss := lt.Clock()
	sec := hh*3600 + mm*60 + ss
	if j == cnRules {
		return cnTimed(a, loc, y, m, d, sec, history)
	}
	return usTimed(a, loc, y, m, d, sec, lt.Nanosecond(), history)
}

const (
	hour8  = 8 * 3600
	hour21 = 21 * 3600
	hour22 = 22 * 3600
)

func cnTimed(a *Attempt, loc *time.Location, y int, m time.Month, d, sec int, history []Contact) verdict {
	if timeBound(a.Channel) && !a.Consent && (sec < hour8 || sec >= hour22) {
		day := d
		if sec >= hour22 {
			day++
		}
		return verdict{rule: RuleCNQuietHours, until: wallClock(y, m, day, 8, loc)}
	}
	if !telephone(a.Channel) {
		return verdict{}
	}
	start, end := wallClock(y, m, d, 0, loc), wallClock(y, m, d+1, 0, loc)
	connected, unanswered := 0, 0
	for i := range history {
		c := &history[i]
		if !telephone(c.Channel) || c.At.Before(start) || !c.At.Before(end) {
			continue
		}
		switch {
		case c.Connected:
			if c.Party != ThirdParty {
				connected++
			}
		case c.Number == a.Number:
			unanswered++
		}
	}
	if a.Party == Debtor && connected >= CNMaxConnectedPerDay {
		return verdict{rule: RuleCNConnectedPerDay, until: end, n: connected}
	}
	if unanswered >= CNMaxUnansweredPerNumber {
		return verdict{rule: RuleCNUnansweredPerNumber, until: end, n: unanswered}
	}
	return verdict{}
}

func usTimed(a *Attempt, loc *time.Location, y int, m time.Month, d, sec, nsec int, history []Contact) verdict {
	// 1006.6(b)(1)(i): "before 8:00 a.m. and after 9:00 p.m. local time" is
	// inconvenient; read literally, 8:00:00 a.m. is not before 8 and
	// 9:00:00 p.m. is not after 9, so both are convenient, and the first
	// instant past 21:00:00 (21:00:00.000000001) is not.
	if timeBound(a.Channel) && !a.Consent && (sec < hour8 || sec > hour21 || sec == hour21 && nsec > 0) {
		day := d
		if sec >= hour21 {
			day++
		}
		return verdict{rule: RuleUSHours, until: wallClock(y, m, day, 8, loc)}
	}
	if !telephone(a.Channel) {
		return verdict{}
	}
	// The seven consecutive days end on the attempt's local date (day 7);
	// 1006.14(b)(2)(i) counts calls to a particular person about a
	// particular debt, so a debtor's calls on this loan count, and a third
	// party's on this loan to the same number (the only key of the person
	// the history holds).
	from, end := wallClock(y, m, d-6, 0, loc), wallClock(y, m, d+1, 0, loc)
	debtor := a.Party == Debtor
	calls, talked := 0, false
	var oldest, talk time.Time
	for i := range history {
		c := &history[i]
		if !telephone(c.Channel) || c.LoanID != a.LoanID || c.At.Before(from) || !c.At.Before(end) {
			continue
		}
		if (c.Party != ThirdParty) != debtor || !debtor && c.Number != a.Number {
			continue
		}
		if calls == 0 || c.At.Before(oldest) {
			oldest = c.At
		}
		calls++
		if debtor && c.Conversation && (!talked || c.At.After(talk)) {
			talk, talked = c.At, true
		}
	}
	if calls >= USMaxCallsIn7Days {
		oy, om, od := oldest.In(loc).Date()
		return verdict{rule: RuleUS7In7, until: wallClock(oy, om, od+7, 0, loc), n: calls, at: from}
	}
	if talked {
		// The conversation's date is day one of the seven; calls resume on
		// day eight.
		cy, cm, cd := talk.In(loc).Date()
		return verdict{rule: RuleUSAfterConversation, until: wallClock(cy, cm, cd+USConversationDays, 0, loc), at: talk}
	}
	return verdict{}
}

// wallClock returns the first instant of the given local date at the given
// hour (d may overflow the month, as time.Date allows). Where a daylight-
// saving gap swallows that hour (midnight in Havana or Santiago), it is the
// end of the gap: time.Date may instead pick the instant an hour before,
// which reads an hour early on the wall clock and ends its zone period at
// the gap.
func wallClock(y int, m time.Month, d, hour int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, hour, 0, 0, 0, loc)
	if h := t.In(loc).Hour(); h != hour && (h+1)%24 == hour {
		_, end := t.ZoneBounds()
		t = end
	}
	return t
}

// reason says why v refuses a, in the debtor's local time.
func (v verdict) reason(a *Attempt, loc *time.Location) string {
	local := a.At.In(loc)
	day := local.Format(time.DateOnly)
	switch v.rule {
	case RuleChannel:
		return fmt.Sprintf("unknown channel %q: the guard knows call, ai-voice, dialer, sms, email, visit and letter, and refuses what it cannot judge", a.Channel)
	case RuleParty:
		return fmt.Sprintf("unknown party %q: an attempt reaches the debtor or a third party, and must say which", a.Party)
	case RuleDoNotContact:
		return "the debtor is flagged do-not-contact (禁止联系): no attempt by any channel until the flag is lifted"
	case RuleDispute:
		return fmt.Sprintf("the debt (loan %d) is on dispute hold (争议处理中): no collection contact until the dispute is resolved", a.LoanID)
	case RuleAgency:
		return fmt.Sprintf("agency %q is not a collection agency the lender has engaged and keeps active (未委托的催收机构)", a.Agency)
	case RuleCNRecording:
		return fmt.Sprintf("the %s would not be recorded: every collection call is recorded in full (全程录音)", a.Channel)
	case RuleCNThirdPartyDisclosure:
		return "a third party (第三人) may not be told of the debt (不得向第三人透露债务)"
	case RuleUSThirdPartyDisclosure:
		return "a third party may not be told of the debt (12 CFR 1006.6(d)(1), 1006.10(b)(2))"
	case RuleCNThirdParty:
		return fmt.Sprintf("a third party (emergency contact, 紧急联系人) may be contacted only once the debtor is unreachable (失联), after %d consecutive failed calls or visits: %d since the debtor was last reached", CNUnreachableAfter, v.n)
	case RuleCNQuietHours:
		return fmt.Sprintf("local time %s (%s) is in the quiet hours 22:00–08:00 (夜间休息时间): no contact without the debtor's consent", local.Format(time.TimeOnly), loc)
	case RuleCNConnectedPerDay:
		return fmt.Sprintf("%s call to the debtor after %d connected calls today (local %s, %s): at most %d connected calls a day (每日接通不超过%d次) across the lender and its agencies", ordinal(v.n+1), v.n, day, loc, CNMaxConnectedPerDay, CNMaxConnectedPerDay)
	case RuleCNUnansweredPerNumber:
		return fmt.Sprintf("%s attempt on this number after %d unanswered today (local %s, %s): at most %d unanswered attempts a number a day (同一号码每日未接通不超过%d次)", ordinal(v.n+1), v.n, day, loc, CNMaxUnansweredPerNumber, CNMaxUnansweredPerNumber)
	case RuleUSHours:
		return fmt.Sprintf("local time %s (%s) is before 8:00 a.m. or after 9:00 p.m., an inconvenient time (12 CFR 1006.6(b)(1)(i)), and the consumer has not consented", local.Format(time.TimeOnly), loc)
	case RuleUS7In7:
		return fmt.Sprintf("%s call about loan %d after %d calls in the 7 days %s to %s (%s): at most %d calls in 7 consecutive days (12 CFR 1006.14(b)(2)(i)(A))", ordinal(v.n+1), a.LoanID, v.n, v.at.In(loc).Format(time.DateOnly), day, loc, USMaxCallsIn7Days)
	case RuleUSAfterConversation:
		talk := v.at.In(loc)
		return fmt.Sprintf("a telephone conversation about loan %d on %s (%s): no call in the 7 days through %s (12 CFR 1006.14(b)(2)(i)(B))", a.LoanID, talk.Format(time.DateOnly), loc, talk.AddDate(0, 0, USConversationDays-1).Format(time.DateOnly))
	}
	return v.rule
}

// ordinal writes 4 as "4th".
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return fmt.Sprintf("%d%s", n, suffix)
}
