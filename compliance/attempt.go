package compliance

import "time"

// The channels of a contact. Call, AIVoice and Dialer are telephone calls
// and share the call rules; the strings are those of package channel and
// of the contacts table.
const (
	Call    = "call"     // a collector's call (人工外呼)
	AIVoice = "ai-voice" // an AI-voice call (智能语音外呼)
	Dialer  = "dialer"   // a predictive dialer ringing a collector's call
	SMS     = "sms"      // a text message (短信)
	Email   = "email"
	Visit   = "visit"  // a field visit (上门)
	Letter  = "letter" // a posted letter (信函), such as a legal letter (律师函)
)

// Party is whom an attempt reaches: the debtor, or a third party such as
// an emergency contact (紧急联系人). The strings are the contacts table's.
type Party string

// The parties. An Attempt must name one (an empty Party is refused, so a
// caller that forgets it cannot slip a third-party contact past the
// third-party rule); in a history, anything but ThirdParty counts as the
// debtor, which errs toward counting more.
const (
	Debtor     Party = "debtor"
	ThirdParty Party = "third-party"
)

// Attempt is a contact about to be made.
type Attempt struct {
	// At is the instant of the attempt.
	At time.Time
	// Zone is the debtor's local zone; nil means the profile's.
	Zone *time.Location
	// Channel is one of Call, AIVoice, Dialer, SMS, Email, Visit, Letter.
	Channel string
	// Party is whom the attempt reaches.
	Party Party
	// Number is an opaque key of the number dialled (the contacts table
	// keeps a keyed hash, not the number); attempts are counted per key,
	// and an empty key is one number like any other.
	Number     string
	LoanID     int64
	BorrowerID int64
	// Agency is the collection agency making the attempt, "" for the
	// lender itself.
	Agency string
	// Consent: the debtor has consented to contact in the quiet hours.
	Consent bool
	// Recorded: the call will be recorded.
	Recorded bool
	// DisclosesDebt: a third-party contact that would tell the debt.
	DisclosesDebt bool
}

// Contact is a past attempt as the store keeps it.
type Contact struct {
	At         time.Time
	Channel    string
	Party      Party
	Number     string
	LoanID     int64
	BorrowerID int64
	Agency     string
	// Connected: the call was answered, the visit met someone.
	Connected bool
	// Conversation: a conversation with the debtor about the debt took
	// place (right-party contact, 有效沟通).
	Conversation bool
}

// Flags are the debtor's contact flags and the lender's engaged agencies.
type Flags struct {
	// DoNotContact refuses every attempt (禁止联系).
	DoNotContact bool
	// DisputeHold refuses every attempt about the debt until the dispute
	// is resolved (争议处理中).
	DisputeHold bool
	// Agencies are the agencies the lender has engaged and that are active;
	// an attempt by any other agency is refused.
	Agencies []string
}

// Decision is the guard's answer about one attempt.
type Decision struct {
	// Allowed: the attempt may be made.
	Allowed bool
	// Rule is the code of the first rule that refuses (Rule… constants),
	// "" when allowed.
	Rule string
	// Reason says in English, with the Chinese term where there is one,
	// which limit the attempt breaks and the counts that break it.
	Reason string
	// Next is the first instant the same attempt is allowed by every rule,
	// given the same history and flags; zero when allowed, when never, or
	// when only a human act (lifting a flag, engaging an agency, more
	// attempts to the debtor) can allow it.
	Next time.Time
}

func telephone(ch string) bool { return ch == Call || ch == AIVoice || ch == Dialer }

// reaches reports whether an attempt on the channel can tell if the
// debtor is reachable: a call or a visit either reaches someone or it
// does not; a text or a letter delivered says nothing.
func reaches(ch string) bool { return telephone(ch) || ch == Visit }

func knownChannel(ch string) bool {
	switch ch {
	case Call, AIVoice, Dialer, SMS, Email, Visit, Letter:
		return true
	}
	return false
}

// timeBound reports whether the hours rules apply to the channel. A letter
// is not: the lender posts it, the post delivers it at its own hours.
// Email is, like SMS: it lands on the debtor's phone when sent (and
// Regulation F judges an electronic message by when it is sent).
func timeBound(ch string) bool { return ch != Letter }
