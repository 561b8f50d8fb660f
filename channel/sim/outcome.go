package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"time"

	"daihou/channel"
	"daihou/civil"
	"daihou/synth"
)

// Decision is what a channel makes of one message: the Result it reports,
// when it reports it, and the repayment the borrower will make because of
// it, if any.
type Decision struct {
	Result channel.Result
	// Delay is the share, in [0, 1), of the simulator's maximum delay after
	// which the result is reported.
	Delay float64
	// Pay is the repayment the contact leads to, nil for none.
	Pay *Plan
}

// Plan is a repayment a borrower means to make.
type Plan struct {
	Amount    int64      // fen
	ValueDate civil.Date // the day the money moves
	Channel   string     // the payment channel daihou records: app or transfer
	// Promised says the payment answers a promise (kept, or broken and
	// paid late or in part); Kept that it keeps it: the promised amount on
	// or before the promised date.
	Promised, Kept bool
}

// The prices of contacts, fen. SMS gateways in China bill about ¥0.05 a
// delivered message and AI-voice platforms about ¥0.3 a connected minute,
// each begun minute billed; a dialer call costs its line attempt and the
// collector's time on the line.
const (
	CostSMS          = 5   // ¥0.05 a delivered message
	CostEmail        = 1   // ¥0.01 a delivered email (the least fen can say)
	CostAIVoice      = 30  // ¥0.30 a connected minute
	CostDialerLine   = 10  // ¥0.10 a dialled attempt
	CostDialerMinute = 120 // ¥1.20 a connected minute: the line and the collector
)

// China Standard Time: contacts with no window are placed in the daytime
// of a borrower in China.
var cst = time.FixedZone("CST", 8*3600)

// Decide returns what the channel of m makes of it for a borrower with
// profile p. It is a pure function of (seed, m.Key), the message and the
// profile: the same message to the same borrower has the same outcome in
// every run. m must have passed CheckMessage.
//
// The borrower's risk x is p.Risk — the latent creditworthiness 'daihou
// gen' drew (standard normal) plus the effects of region, occupation,
// industry, income and age, the same figure that made the borrower's
// arrears in the generated book — and d is m.DPD. With σ the logistic
// function:
//
//	SMS, email   not delivered  0.02 + 0.06·σ(1.5(x−1.5)); email 0.04 + 0.08·σ(…)
//	call placed  fails (空号)    0.01 + 0.03·σ(2(x−1.5))
//	             answered       σ(1.1 − 0.65x − 0.025d) (AI voice), σ(0.9 − …) (dialer), within [0.03, 0.95]
//	             by the debtor  0.93 − 0.10·σ(x−1); else a third party: wrong-number
//	willingness  w = 100·σ(1.3 − 0.9x − 0.012d + 0.5ε), ε standard normal
//	outcome      weights: promise 0.05 + 0.55w′ (+0.08 by a person), refused 0.10 + 0.40(1−w′),
//	             hardship 0.06 + 0.12·σ(x), dispute 0.03, complaint 0.006 + 0.014(1−w′); w′ = w/100
//	promise      70 % the whole amount due, else 30–90 % of it in whole yuan, due in 3–7 days
//	kept         σ(0.4 − 0.9x − 0.01d + 2(w′ − 0.5)); a broken promise is paid late
//	             (1–10 days after) in a quarter of cases, in part in half of those
//	paid anyway  after a delivered SMS 0.10·σ(0.5 − 1.1x − 0.03d), email half that;
//	             after an answered call with no promise 0.04·σ(…), an unanswered one 0.03·σ(…)
//
// A satisfaction survey (满意度回访) is answered after 30 % of the AI-voice
// calls the debtor took (15 % of a person's), from 4 for a promise down to
// 1 for a complaint, ±1.
func Decide(seed uint64, m channel.Message, p synth.Profile) Decision {
	g := newDraw(seed, m.Key)
	business, _ := civil.Parse(m.BusinessDate)
	c := contact{g: g, m: &m, x: p.Risk, d: float64(m.DPD), business: business}
	c.res = channel.Result{Key: m.Key, TaskID: m.TaskID, Willingness: -1}
	delay := g.Float64()
	switch m.Channel {
	case channel.SMS, channel.Email:
		c.text()
	default:
		c.call()
	}
	return Decision{Result: c.res, Delay: delay, Pay: c.pay}
}

// contact is one message being decided.
type contact struct {
	g        *rand.Rand
	m        *channel.Message
	x, d     float64 // risk, days past due
	business civil.Date
	res      channel.Result
	pay      *Plan
	seconds  int // on the line, for a connected call
}

func (c *contact) text() {
	fail := 0.02 + 0.06*sigmoid(1.5*(c.x-1.5))
	cost, what := int64(CostSMS), "number not reachable: the operator gave no delivery receipt"
	share := 1.0
	if c.m.Channel == channel.Email {
		fail = 0.04 + 0.08*sigmoid(1.5*(c.x-1.5))
		cost, what, share = CostEmail, "bounced: mailbox unknown or full", 0.5
	}
	c.res.At = c.at(0)
	if c.g.Float64() < fail {
		c.res.Status, c.res.Note = channel.Failed, what
		return
	}
	c.res.Status, c.res.Cost = channel.Delivered, cost
	c.maybePay(share * 0.10)
}

func (c *contact) call() {
	person := c.m.Channel == channel.Dialer
	c.res.Status = channel.Called
	if person {
		c.res.Cost = CostDialerLine
	}
	if c.g.Float64() < 0.01+0.03*sigmoid(2*(c.x-1.5)) {
		c.res.At, c.res.Status, c.res.Outcome, c.res.Note = c.at(0), channel.Failed, "wrong-number", "number not in service (空号)"
		return
	}
	base := 1.1
	if person {
		base = 0.9
	}
	answer := min(max(sigmoid(base-0.65*c.x-0.025*c.d), 0.03), 0.95)
	if c.g.Float64() >= answer {
		c.res.At, c.res.Outcome = c.at(0), "no-answer"
		c.maybePay(0.03)
		return
	}
	c.res.Connected = true
	if c.g.Float64() >= 0.93-0.10*sigmoid(c.x-1) {
		c.seconds = 10 + c.g.IntN(25)
		c.res.Outcome, c.res.Note = "wrong-number", "answered by someone else, who does not know the debtor"
		c.finishCall(person)
		return
	}
	c.res.RightParty = true
	w := int(math.Round(100 * sigmoid(1.3-0.9*c.x-0.012*c.d+0.5*c.g.NormFloat64())))
	wp := float64(w) / 100
	if !person {
		c.res.Willingness = w
	}
	promise := 0.05 + 0.55*wp
	if person {
		promise += 0.08
	}
	if c.m.AmountDue <= 0 {
		promise = 0 // nothing to promise
	}
	weights := [...]float64{promise, 0.10 + 0.40*(1-wp), 0.06 + 0.12*sigmoid(c.x), 0.03, 0.006 + 0.014*(1-wp)}
	outcomes := [...]string{"promise", "refused", "hardship", "dispute", "complaint"}
	k := pick(c.g, weights[:])
	c.res.Outcome = outcomes[k]
	c.seconds = 40 + c.g.IntN(100)
	if person {
		c.seconds = 60 + c.g.IntN(300)
	}
	switch c.res.Outcome {
	case "promise":
		c.promise(wp)
		c.seconds += 20
	case "hardship":
		c.res.Note = hardships[c.g.IntN(len(hardships))]
		c.maybePay(0.04)
	case "dispute":
		c.res.Note = disputes[c.g.IntN(len(disputes))]
	case "complaint":
		c.res.Note = complaints[c.g.IntN(len(complaints))]
	default:
		c.maybePay(0.04)
	}
	survey := 0.30
	if person {
		survey = 0.15
	}
	if c.g.Float64() < survey {
		score := [...]int{4, 2, 3, 2, 1}[k] + c.g.IntN(3) - 1
		if c.res.Outcome == "complaint" {
			score = 1
		}
		c.res.Satisfaction = min(max(score, 1), 5)
	}
	c.finishCall(person)
}

var (
	hardships  = []string{"lost their job", "in hospital", "business closed for now", "family emergency", "wages paid late"}
	disputes   = []string{"disputes the amount due", "says the payment was already made", "disputes the late fees", "says the loan is not theirs"}
	complaints = []string{"complains of being called too often", "complains of the tone of the call", "threatens to complain to the regulator"}
)

// finishCall prices a connected call and places it in time.
func (c *contact) finishCall(person bool) {
	minutes := int64((c.seconds + 59) / 60)
	if person {
		c.res.Cost += minutes * CostDialerMinute
	} else {
		c.res.Cost += minutes * CostAIVoice
	}
	c.res.At = c.at(c.seconds)
	c.res.Recording = "sim://recordings/" + c.m.Channel + "/" + c.keyHex() + ".wav"
}

// promise makes the debtor's promise to pay and decides whether it is kept.
func (c *contact) promise(wp float64) {
	due := c.m.AmountDue
	amount := due
	if c.g.Float64() >= 0.70 {
		amount = max(int64(float64(due)*(0.3+0.6*c.g.Float64()))/100*100, min(100, due))
	}
	date := c.business.AddDays(3 + c.g.IntN(5))
	c.res.PromiseAmount, c.res.PromiseDate = amount, date.String()
	if c.g.Float64() < sigmoid(0.4-0.9*c.x-0.01*c.d+2*(wp-0.5)) {
		// Most pay near the date they promised.
		back := int(math.Abs(c.g.NormFloat64()) * 1.2)
		day := date.AddDays(-back)
		if day.Before(c.business.AddDays(1)) {
			day = c.business.AddDays(1)
		}
		c.pay = &Plan{Amount: amount, ValueDate: day, Channel: c.payChannel(), Promised: true, Kept: true}
		return
	}
	if c.g.Float64() < 0.25 {
		late := amount
		if c.g.Float64() < 0.5 {
			late = max(amount/2/100*100, min(100, amount))
		}
		c.pay = &Plan{Amount: late, ValueDate: date.AddDays(1 + c.g.IntN(10)), Channel: c.payChannel(), Promised: true}
	}
}

// maybePay decides whether the borrower pays what is due without promising,
// with probability scale·σ(0.5 − 1.1x − 0.03d), one to five days later.
func (c *contact) maybePay(scale float64) {
	if c.m.AmountDue <= 0 || c.g.Float64() >= scale*sigmoid(0.5-1.1*c.x-0.03*c.d) {
		return
	}
	amount := c.m.AmountDue
	if c.g.Float64() < 0.25 {
		amount = max(amount/2/100*100, min(100, amount))
	}
	c.pay = &Plan{Amount: amount, ValueDate: c.business.AddDays(1 + c.g.IntN(5)), Channel: c.payChannel()}
}

func (c *contact) payChannel() string {
	if c.g.Float64() < 0.7 {
		return "app"
	}
	return "transfer"
}

// at returns the instant of the contact, RFC 3339: within the message's
// window when it has one, else in the daytime (09:00–20:00 CST) of its
// business date, and early enough for a call of seconds to end in it.
func (c *contact) at(seconds int) string {
	var from, to time.Time
	if c.m.NotBefore != "" {
		from, _ = time.Parse(time.RFC3339, c.m.NotBefore)
	}
	if c.m.NotAfter != "" {
		to, _ = time.Parse(time.RFC3339, c.m.NotAfter)
	}
	switch {
	case from.IsZero() && to.IsZero():
		y, mo, d := c.business.YMD()
		from = time.Date(y, mo, d, 9, 0, 0, 0, cst)
		to = from.Add(11 * time.Hour)
	case to.IsZero():
		to = from.Add(2 * time.Hour)
	case from.IsZero():
		from = to.Add(-2 * time.Hour)
	}
	span := to.Sub(from) - time.Duration(seconds)*time.Second
	t := from
	if span > 0 {
		t = from.Add(time.Duration(c.g.Int64N(int64(span/time.Second)+1)) * time.Second)
	}
	return t.Format(time.RFC3339)
}

func (c *contact) keyHex() string {
	h := sha256.Sum256([]byte(c.m.Channel + "\x00" + c.m.Key))
	return hex.EncodeToString(h[:12])
}

// newDraw returns the random stream of a message: the seed and the key,
// hashed.
func newDraw(seed uint64, key string) *rand.Rand {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h := sha256.New()
	h.Write(b[:])
	h.Write([]byte(key))
	sum := h.Sum(nil)
	return rand.New(rand.NewPCG(binary.LittleEndian.Uint64(sum[:8]), binary.LittleEndian.Uint64(sum[8:16])))
}

// pick returns an index drawn with the given weights.
func pick(g *rand.Rand, weights []float64) int {
	var total float64
	for _, w := range weights {
		total += w
	}
	x := g.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
