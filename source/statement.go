package source

import (
	"daihou/signal"
)

// statement reads bank-statement transactions (银行流水), one per record:
// money in and out of the borrower's account, and salary credits, whose
// stopping is a first sign of a lost income.
type statement struct{}

var statementFields = []Field{
	{Name: "direction", Kind: Enum, Required: true, Values: []string{"in", "out"}, Doc: "in: a credit to the account (收入); out: a debit (支出)"},
	{Name: "amount", Kind: Amount, Required: true, Doc: "the transaction's amount, above 0 (交易金额)"},
	{Name: "category", Kind: Enum, Values: []string{"salary", "transfer", "loan", "consumption", "other"},
		Doc: "what the bank's classification says it is: salary (工资, direction in only), transfer (转账), loan (贷款发放或还款), consumption (消费), other"},
	{Name: "counterparty", Kind: Text, Personal: true, Doc: "the other party's name (对方户名); personal data, never quoted in errors"},
}

func (statement) Name() string    { return signal.Statement }
func (statement) Title() string   { return "Bank-statement transactions 银行流水" }
func (statement) Fields() []Field { return statementFields }
func (statement) about() string {
	return "One record per transaction; its date is the transaction date, and its id the bank's transaction reference."
}
func (statement) yields() []yield {
	return []yield{
		{signal.Inflow, "`amount` in fen, when `direction` is `in`"},
		{signal.Outflow, "`amount` in fen, when `direction` is `out`"},
		{signal.Salary, "`amount` in fen, when `direction` is `in` and `category` is `salary` (as well as the inflow)"},
	}
}

// Signals gives the transaction as an inflow or an outflow, and a salary
// credit as a Salary signal besides, since the facts count salary months
// apart from the inflow they are part of.
func (a statement) Signals(r *signal.Record) ([]signal.Signal, error) {
	v := read(a, r)
	direction := v.enum("direction")
	amount := v.amount("amount")
	category, _ := v.optEnum("category", false)
	v.text("counterparty", false)
	if v.ok() {
		switch {
		case amount == 0:
			v.fail("amount", "is 0: a transaction moves money, so its amount is above 0; correct it or leave the transaction out")
		case category == "salary" && direction == "out":
			v.fail("category", "is salary with direction out: a salary is credited to the borrower; correct direction or category")
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if direction == "out" {
		return []signal.Signal{v.signal(signal.Outflow, amount)}, nil
	}
	sigs := []signal.Signal{v.signal(signal.Inflow, amount)}
	if category == "salary" {
		sigs = append(sigs, v.signal(signal.Salary, amount))
	}
	return sigs, nil
}
