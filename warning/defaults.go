package warning

// Defaults returns the rule set that ships (DESIGN §6): one rule for each
// of the common signals, enabled, at version 1. Thresholds are where a
// post-loan team usually starts; the back-test (Backtest, Judge) is how a
// lender moves them.
func Defaults() []Rule {
	return []Rule{
		{
			Code: "score_drop", Version: 1, Name: "Score drop 评分下降", Severity: Orange, Cooldown: 90, Owner: "risk-officer", Enabled: true,
			Expr: `scored && score_drop >= 50`,
			Description: "The behaviour score has fallen 50 points or more below the loan's first score: its risk has grown since it was booked. " +
				"行为评分较首次评分下降50分及以上，风险较放款时明显上升。",
		},
		{
			Code: "first_payment_default", Version: 1, Name: "First-payment default 首期违约", Severity: Red, Cooldown: 30, Owner: "risk-officer", Enabled: true,
			Expr: `first_payment_default && dpd >= 1`,
			Description: "The first installment is past due and unpaid: the classic sign of an application fraud or a borrower who never meant to pay. " +
				"首期还款逾期未还，常见于欺诈申请或无还款意愿的借款人。",
		},
		{
			Code: "partial_payments", Version: 1, Name: "Partial payments 部分还款", Severity: Yellow, Cooldown: 60, Owner: "account-manager", Enabled: true,
			Expr: `partial_payments >= 1 && dpd >= 1`,
			Description: "An installment past due has been paid only in part: the borrower pays what they can, a sign of strained cash flow rather than of unwillingness. " +
				"逾期应还款仅部分偿还：借款人尽力还款，多为现金流紧张而非无还款意愿。",
		},
		{
			Code: "court_case", Version: 1, Name: "Court case 涉诉", Severity: Orange, Cooldown: 90, Owner: "legal", Enabled: true,
			Expr: `court_new_3m > 0`,
			Description: "A court case was filed against the borrower in the last 90 days: other creditors are suing, and assets may be frozen. " +
				"借款人近90天内新增涉诉案件，其他债权人可能已起诉，资产或被冻结。",
		},
		{
			Code: "dishonest", Version: 1, Name: "Dishonest debtor 失信被执行人", Severity: Red, Cooldown: 180, Owner: "legal", Enabled: true,
			Expr: `dishonest`,
			Description: "The borrower is on the court's list of dishonest debtors: a judgment against them has gone unpaid. " +
				"借款人被列入失信被执行人名单，存在未履行的生效判决。",
		},
		{
			Code: "social_security_stopped", Version: 1, Name: "Social security stopped 社保断缴", Severity: Orange, Cooldown: 90, Owner: "account-manager", Enabled: true,
			Expr: `social_known && social_gap_months >= 3`,
			Description: "No social-security contribution for three months or more: the borrower may have lost their job. " +
				"社保连续断缴三个月及以上，借款人可能已失业。",
		},
		{
			Code: "inflow_drop", Version: 1, Name: "Inflow drop 流水下降", Severity: Orange, Cooldown: 90, Owner: "account-manager", Enabled: true,
			Expr: `statement_known && inflow_prev_3m >= 1000000 && inflow_drop_pct >= 50`,
			Description: "Money into the borrower's bank account over the last three months is half or less of the three months before (from at least 10,000 yuan): income has fallen. " +
				"近三个月银行流水入账较前三个月下降一半及以上（前三个月不少于1万元），收入明显下降。",
		},
		{
			Code: "many_inquiries", Version: 1, Name: "Many new inquiries 多头查询", Severity: Yellow, Cooldown: 60, Owner: "risk-officer", Enabled: true,
			Expr: `inquiries_1m >= 4 || inquiries_3m >= 8`,
			Description: "Four or more credit inquiries in 30 days, or eight in 90: the borrower is applying for credit everywhere (多头借贷). " +
				"近30天征信查询4次及以上或近90天8次及以上，借款人正在多处申请贷款。",
		},
		{
			Code: "overdue_elsewhere", Version: 1, Name: "Overdue elsewhere 他行逾期", Severity: Orange, Cooldown: 60, Owner: "risk-officer", Enabled: true,
			Expr: `overdue_elsewhere >= 100000`,
			Description: "The credit bureau reports 1,000 yuan or more overdue at other lenders: trouble there usually comes here next. " +
				"征信显示在其他机构逾期1000元及以上，风险往往随后传导至本行。",
		},
		{
			Code: "identity_mismatch", Version: 1, Name: "Identity mismatch 身份不符", Severity: Red, Cooldown: 180, Owner: "risk-officer", Enabled: true,
			Expr: `identity_mismatch`,
			Description: "The borrower's identity does not match the household registry: a possible impostor or forged documents. " +
				"借款人身份信息与公安户籍不一致，可能冒名或证件伪造。",
		},
		{
			Code: "deceased", Version: 1, Name: "Borrower deceased 借款人死亡", Severity: Red, Cooldown: 365, Owner: "legal", Enabled: true,
			Expr: `deceased`,
			Description: "The household registry records the borrower as deceased: the claim must be made against the estate or the guarantors. " +
				"公安户籍登记借款人已死亡，需向遗产继承人或担保人主张债权。",
		},
	}
}
