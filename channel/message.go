// Package channel is how daihou reaches borrowers through automated
// channels — an SMS gateway (短信), an AI-voice or dialer platform (智能语音
// 外呼), email — and what the channels report back. A Message leaves
// through the transactional outbox (package outbox) as a signed webhook;
// a Result comes back through the signed callback of daihou serve
// (POST /api/v1/channels/{channel}/results).
package channel

// The channels daihou sends to.
const (
	SMS     = "sms"
	AIVoice = "ai-voice"
	Email   = "email"
	Dialer  = "dialer" // a predictive dialer that rings a person's calls
)

// Names lists the channels.
var Names = []string{SMS, AIVoice, Email, Dialer}

// Known reports whether name is a channel.
func Known(name string) bool {
	for _, n := range Names {
		if n == name {
			return true
		}
	}
	return false
}

// Message is one thing for a channel to deliver: a reminder by SMS or
// email, an AI-voice reminder call, a dialer job. Key is its idempotency
// key: a receiver that gets the same Key twice acts once.
type Message struct {
	Key          string `json:"key"`
	Channel      string `json:"channel"`
	TaskID       int64  `json:"task_id"`
	LoanID       int64  `json:"loan_id"`
	LoanNumber   string `json:"loan_number"`
	BorrowerID   int64  `json:"borrower_id"`
	To           string `json:"to"`       // phone number or email address
	Name         string `json:"name"`     // how to address the borrower
	Template     string `json:"template"` // the script or text template, e.g. "reminder-soft"
	Lang         string `json:"lang"`     // zh-CN or en
	AmountDue    int64  `json:"amount_due"`
	Currency     string `json:"currency"`
	DPD          int    `json:"dpd"`
	BusinessDate string `json:"business_date"` // YYYY-MM-DD, the close of business that made it
	// NotBefore and NotAfter (RFC 3339) bound when the contact may be
	// made: the compliance guard's window in the borrower's local time.
	NotBefore string `json:"not_before,omitempty"`
	NotAfter  string `json:"not_after,omitempty"`
}

// The statuses of a Result.
const (
	Delivered = "delivered" // a text or email reached the borrower's device
	Failed    = "failed"    // it could not be delivered or the call not placed
	Called    = "called"    // a call was attempted; Connected says if it was answered
)

// Result is what a channel reports of a Message: a delivery receipt or a
// call's result. Outcome is one of collection's outcomes (no-answer,
// wrong-number, promise, refused, dispute, hardship, complaint, paid);
// a promise carries PromiseAmount (fen) and PromiseDate (YYYY-MM-DD).
// Willingness is the AI-voice platform's willingness-to-pay score, 0–100
// (-1 none); Satisfaction a survey reply, 1–5 (0 none); Cost what the
// contact cost, fen.
type Result struct {
	Key           string `json:"key"`
	TaskID        int64  `json:"task_id"`
	Status        string `json:"status"`
	At            string `json:"at"` // RFC 3339 instant of the contact
	Connected     bool   `json:"connected"`
	RightParty    bool   `json:"right_party"`
	Outcome       string `json:"outcome"`
	PromiseAmount int64  `json:"promise_amount,omitempty"`
	PromiseDate   string `json:"promise_date,omitempty"`
	Willingness   int    `json:"willingness"`
	Satisfaction  int    `json:"satisfaction,omitempty"`
	Recording     string `json:"recording,omitempty"`
	Cost          int64  `json:"cost,omitempty"`
	Note          string `json:"note,omitempty"`
}
