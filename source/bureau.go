package source

import (
	"fmt"

	"daihou/money"
	"daihou/signal"
)

// bureau reads the summary of a credit report from the credit reference
// center of the People's Bank of China (央行征信): what the borrower owes
// other lenders, and how often lenders have looked (多头借贷).
type bureau struct{}

var bureauFields = []Field{
	{Name: "inquiries", Kind: Int, Required: true, Doc: "new credit inquiries by lenders (贷款审批 / 信用卡审批查询) since the previous report"},
	{Name: "open_loans", Kind: Int, Required: true, Doc: "loans open at other lenders (未结清贷款笔数)"},
	{Name: "balance", Kind: Amount, Required: true, Doc: "their outstanding balance (未结清余额)"},
	{Name: "overdue_accounts", Kind: Int, Required: true, Doc: "accounts overdue now (当前逾期账户数); 0 exactly when overdue_amount is 0"},
	{Name: "overdue_amount", Kind: Amount, Required: true, Doc: "the amount overdue now (当前逾期总额)"},
}

func (bureau) Name() string    { return signal.Bureau }
func (bureau) Title() string   { return "Credit bureau report summary 央行征信" }
func (bureau) Fields() []Field { return bureauFields }
func (bureau) about() string {
	return "One record per credit report pulled for the borrower; its date is the report date."
}
func (bureau) yields() []yield {
	return []yield{
		{signal.Inquiries, "`inquiries`"},
		{signal.OpenLoans, "`open_loans`"},
		{signal.BalanceElsewhere, "`balance`, in fen"},
		{signal.OverdueElsewhere, "`overdue_amount`, in fen"},
	}
}

// Signals gives the report's figures, each dated the report date. Every
// figure is required because the facts take the latest report as the
// whole picture: a figure left out would leave an older report's figure
// standing as if it were current.
func (a bureau) Signals(r *signal.Record) ([]signal.Signal, error) {
	v := read(a, r)
	inquiries, open, balance := v.int("inquiries"), v.int("open_loans"), v.amount("balance")
	accounts, overdue := v.int("overdue_accounts"), v.amount("overdue_amount")
	if v.ok() {
		// An amount overdue is owed on some account, and an account is
		// overdue by some amount: a mismatch is a misread report.
		switch {
		case accounts == 0 && overdue > 0:
			v.fail("overdue_amount", fmt.Sprintf("is %s with overdue_accounts 0: an amount overdue is owed on some account; correct one of the two", money.Amount(overdue)))
		case accounts > 0 && overdue == 0:
			v.fail("overdue_amount", fmt.Sprintf("is 0 with overdue_accounts %d: give the amount overdue on those accounts, or set overdue_accounts to 0", accounts))
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return []signal.Signal{
		v.signal(signal.Inquiries, inquiries),
		v.signal(signal.OpenLoans, open),
		v.signal(signal.BalanceElsewhere, balance),
		v.signal(signal.OverdueElsewhere, overdue),
	}, nil
}
