package compliance

import (
	"strings"
	"time"
	_ "time/tzdata" // the zones must load on a host with no zoneinfo (a scratch container)

	"daihou"
)

// Profile is a jurisdiction's collection rules. The rules themselves are
// the law's and live in the code, selected by Code; Zone is the debtor's
// zone when an Attempt names none. The zero Profile names no jurisdiction
// and refuses every attempt: a guard that is not configured must fail
// closed.
type Profile struct {
	// Code is the jurisdiction, "CN" or "US".
	Code string
	// Zone is the default debtor zone; nil means the jurisdiction's own
	// default (Asia/Shanghai for CN, America/New_York for US).
	Zone *time.Location
}

// The limits of the rules. They are the law's (or the industry
// guideline's) and are not configurable: a lender that wants stricter ones
// sets them in its strategies, not in the guard.
const (
	// CNMaxConnectedPerDay is how many connected calls (接通) a debtor may
	// have in one local calendar day, across the lender and its agencies.
	CNMaxConnectedPerDay = 3
	// CNMaxUnansweredPerNumber is how many unanswered attempts one number
	// may have in the debtor's local calendar day.
	CNMaxUnansweredPerNumber = 6
	// CNUnreachableAfter is how many consecutive failed attempts make a
	// debtor unreachable (失联), after which third parties may be contacted.
	CNUnreachableAfter = 3
	// USMaxCallsIn7Days is the Regulation F call-frequency presumption:
	// more than seven calls in seven consecutive days about one debt
	// (12 CFR 1006.14(b)(2)(i)(A)).
	USMaxCallsIn7Days = 7
	// USConversationDays is the seven-day period after a telephone
	// conversation during which no call is placed about that debt
	// (12 CFR 1006.14(b)(2)(i)(B)); the conversation's date is day one.
	USConversationDays = 7
)

// The rule codes of a Decision: stable, for programs and reports to branch
// on. They are listed in the order Check applies them.
const (
	RuleProfile                = "profile"                   // the Profile names no jurisdiction
	RuleChannel                = "channel"                   // the attempt's channel is unknown
	RuleParty                  = "party"                     // the attempt's party is unknown
	RuleDoNotContact           = "do-not-contact"            // 禁止联系
	RuleDispute                = "dispute"                   // a dispute hold on the debt
	RuleAgency                 = "agency"                    // an agency the lender has not engaged
	RuleCNRecording            = "cn.recording"              // a call that would not be recorded
	RuleCNThirdPartyDisclosure = "cn.third-party-disclosure" // a third party would be told the debt
	RuleCNThirdParty           = "cn.third-party"            // a third party before the debtor is unreachable
	RuleUSThirdPartyDisclosure = "us.third-party-disclosure" // a third party would be told the debt
	RuleCNQuietHours           = "cn.quiet-hours"            // 22:00–08:00 local
	RuleCNConnectedPerDay      = "cn.connected-per-day"      // a 4th connected call today
	RuleCNUnansweredPerNumber  = "cn.unanswered-per-number"  // a 7th unanswered attempt on a number today
	RuleUSHours                = "us.hours"                  // before 8 a.m. or after 9 p.m. local
	RuleUS7In7                 = "us.7-in-7"                 // an 8th call in 7 days about the debt
	RuleUSAfterConversation    = "us.after-conversation"     // a call within 7 days after a conversation
)

// The jurisdictions' default zones, loaded once; time/tzdata guarantees
// they load.
var (
	shanghai = mustZone("Asia/Shanghai")
	newYork  = mustZone("America/New_York")
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("compliance: " + err.Error())
	}
	return loc
}

// CN returns the China profile, the default: the China Banking Association
// consumer-loan collection guideline 2026 and GB/T 45251-2025, debtors in
// Beijing time unless an Attempt names their zone.
func CN() Profile { return Profile{Code: "CN", Zone: shanghai} }

// US returns the United States profile: Regulation F, 12 CFR 1006.6 and
// 1006.14, debtors in America/New_York unless an Attempt names their zone.
func US() Profile { return Profile{Code: "US", Zone: newYork} }

// ProfileOf returns the profile of a jurisdiction code, "CN" or "US" in any
// case. Any other code is EINVALID naming the codes allowed.
func ProfileOf(code string) (Profile, error) {
	switch strings.ToUpper(code) {
	case "CN":
		return CN(), nil
	case "US":
		return US(), nil
	}
	return Profile{}, daihou.Invalid("jurisdiction", "unknown jurisdiction %q: the compliance profiles are CN (China, the default) and US (Regulation F)", code)
}

// jurisdiction selects a rule set.
type jurisdiction uint8

const (
	noJurisdiction jurisdiction = iota
	cnRules
	usRules
)

func (p Profile) jurisdiction() jurisdiction {
	switch {
	case strings.EqualFold(p.Code, "CN"):
		return cnRules
	case strings.EqualFold(p.Code, "US"):
		return usRules
	}
	return noJurisdiction
}

// zone returns the zone the rules read the attempt's local time in.
func (p Profile) zone(j jurisdiction, a *Attempt) *time.Location {
	switch {
	case a.Zone != nil:
		return a.Zone
	case p.Zone != nil:
		return p.Zone
	case j == usRules:
		return newYork
	}
	return shanghai
}
