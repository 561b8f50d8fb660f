package signal

import (
	"crypto/sha256"
	"slices"
	"strconv"
	"strings"

	"daihou/civil"
)

// Sources, by the name a record's source field, the import's --source and
// the webhook path use.
const (
	Bureau    = "bureau"    // credit bureau report summary 央行征信
	Court     = "court"     // court enforcement, dishonest-debtor list 法院执行 / 失信被执行人
	Hukou     = "hukou"     // household registration identity check 公安户籍
	Social    = "social"    // social-security contributions 社保
	Utility   = "utility"   // water, electricity, gas 水电
	Statement = "statement" // bank-statement transactions 银行流水
	Tax       = "tax"       // tax filings 税务
	Business  = "business"  // business-registration anomalies 工商异常
	Ecommerce = "ecommerce" // e-commerce orders 电商
	Transport = "transport" // transport records 出行
	Custom    = "custom"    // a lender's own feed
)

// Record is one raw record as a source delivered it: what it is about
// (the borrower, by external id or ID number), the date it describes, and
// its source-specific fields, validated by the source's adapter.
type Record struct {
	Source string `json:"source"`
	// ID is the source's own id of the record; with Source it identifies
	// the record, so a record delivered twice is stored once.
	ID string `json:"id"`
	// Borrower is the borrower's external id; IDNumber (身份证号) is the
	// alternative key for sources that know only that. Exactly one is set.
	Borrower string            `json:"borrower,omitempty"`
	IDNumber string            `json:"id_number,omitempty"`
	Date     civil.Date        `json:"date"`
	Fields   map[string]string `json:"fields"`
}

// Hash returns the record's content hash: SHA-256 over a canonical form of
// every part (fields in name order), so that the same record delivered in
// a CSV file, a JSON line or a webhook body has one hash.
func (r *Record) Hash() [32]byte {
	h := sha256.New()
	var buf []byte
	put := func(s string) {
		buf = append(strconv.AppendInt(buf[:0], int64(len(s)), 10), ':')
		buf = append(append(buf, s...), ';')
		h.Write(buf)
	}
	put(r.Source)
	put(r.ID)
	put(r.Borrower)
	put(r.IDNumber)
	put(r.Date.String())
	keys := make([]string, 0, len(r.Fields))
	for k := range r.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		put(k)
		put(r.Fields[k])
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Kind is what a Signal measures. Kinds are source-qualified
// ("bureau.inquiries"); a custom feed's kinds are "custom.<name>".
type Kind string

// The kinds the built-in adapters derive, with the unit of Value.
const (
	Inquiries        Kind = "bureau.inquiries"  // new credit inquiries since the previous report (count)
	OpenLoans        Kind = "bureau.open_loans" // open loans at other lenders (count) 多头借贷
	BalanceElsewhere Kind = "bureau.balance"    // their outstanding balance (fen)
	OverdueElsewhere Kind = "bureau.overdue"    // amount overdue at other lenders (fen)

	CourtCase Kind = "court.case"        // +1 a case filed against the borrower, -1 one closed
	Dishonest Kind = "court.dishonest"   // 1 listed as a dishonest debtor 失信被执行人, 0 removed
	Mismatch  Kind = "identity.mismatch" // 1 identity does not match the registry, 0 matches
	Deceased  Kind = "identity.deceased" // 1 registered as deceased

	SocialPaid Kind = "social.paid"     // a month's contribution: its base (fen) when paid, 0 when unpaid
	Arrears    Kind = "utility.arrears" // utility arrears outstanding (fen), 0 when paid on time

	Inflow  Kind = "statement.inflow"  // money in (fen)
	Outflow Kind = "statement.outflow" // money out (fen)
	Salary  Kind = "statement.salary"  // a salary credit (fen); also counted in Inflow

	TaxArrears      Kind = "tax.arrears"      // tax overdue (fen), 0 when filed and paid
	BusinessAnomaly Kind = "business.anomaly" // 1 listed for abnormal operation 经营异常, 0 removed
	Spend           Kind = "ecommerce.spend"  // e-commerce spending (fen)
	Trips           Kind = "transport.trips"  // trips taken (count)
)

// CustomKind returns the kind of a custom feed's measure.
func CustomKind(name string) Kind { return Kind("custom." + name) }

// IsCustom reports whether k is a custom feed's kind, and its name.
func (k Kind) IsCustom() (string, bool) { return strings.CutPrefix(string(k), "custom.") }

// Signal is one dated number about one borrower.
type Signal struct {
	Borrower int64      `json:"borrower"`
	Kind     Kind       `json:"kind"`
	Date     civil.Date `json:"date"`  // the date it describes
	Known    civil.Date `json:"known"` // the business date it was stored
	Value    int64      `json:"value"`
}

// Less orders signals by date, then kind, then known date: the order
// Summarise reads them in.
func Less(a, b *Signal) bool {
	if a.Date != b.Date {
		return a.Date < b.Date
	}
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	return a.Known < b.Known
}
