package behaviour

import (
	"strings"
)

// reasonSentences gives each behaviour feature of AllNames, as a reason
// code (扣分原因), a sentence a customer or a regulator can read. A reason
// code names a feature that cost the loan points, so each sentence says
// which way the feature's value counts against the loan.
var reasonSentences = map[string][2]string{ // zh-CN, en
	"product":                 {"所属贷款产品的历史违约风险较高", "the loan's product has a higher history of default"},
	"method":                  {"还款方式对应的违约风险较高", "the repayment method carries a higher risk of default"},
	"region":                  {"借款人所在地区的违约风险较高", "the borrower's region has a higher risk of default"},
	"term":                    {"贷款期限对应的违约风险较高", "the loan's term carries a higher risk of default"},
	"rate_pct":                {"贷款利率偏高", "the loan's interest rate is high"},
	"principal_k":             {"贷款金额对应的违约风险较高", "the loan amount carries a higher risk of default"},
	"months_on_book":          {"贷款发放时间较短，还款记录有限", "the loan is recent, with little repayment history"},
	"utilisation":             {"未还本金占贷款金额的比例偏高", "a high share of the principal is still outstanding"},
	"arrears_ratio":           {"逾期欠款相对每期应还金额偏高", "overdue amounts are high relative to the regular instalment"},
	"paid_due_ratio":          {"已还金额占到期应还金额的比例偏低", "a low share of the amounts due has been repaid"},
	"dpd":                     {"当前逾期天数偏高", "the current days past due are high"},
	"max_dpd_3m":              {"最近3个月最长逾期天数偏高", "highest days past due in the last 3 months is high"},
	"max_dpd_6m":              {"最近6个月最长逾期天数偏高", "highest days past due in the last 6 months is high"},
	"max_dpd_12m":             {"最近12个月最长逾期天数偏高", "highest days past due in the last 12 months is high"},
	"times_30p_12m":           {"最近12个月逾期30天以上的月数偏多", "several months in the last 12 were 30 or more days past due"},
	"times_60p_12m":           {"最近12个月逾期60天以上的月数偏多", "several months in the last 12 were 60 or more days past due"},
	"times_90p_12m":           {"最近12个月逾期90天以上的月数偏多", "several months in the last 12 were 90 or more days past due"},
	"months_since_delinquent": {"距最近一次逾期的时间较短", "the last delinquency was recent"},
	"restructured":            {"贷款曾经重组", "the loan has been restructured"},
	"credit_held":             {"账户存在溢缴款余额", "the account holds a credit balance"},

	"inquiries_1m":         {"最近1个月征信查询次数偏多", "many credit inquiries in the last month"},
	"inquiries_3m":         {"最近3个月征信查询次数偏多", "many credit inquiries in the last 3 months"},
	"inquiries_6m":         {"最近6个月征信查询次数偏多", "many credit inquiries in the last 6 months"},
	"open_loans_elsewhere": {"在其他机构的未结清贷款笔数偏多（多头借贷）", "many open loans at other lenders"},
	"balance_elsewhere_k":  {"在其他机构的贷款余额偏高", "a high balance owed to other lenders"},
	"overdue_elsewhere_k":  {"在其他机构存在逾期欠款", "amounts overdue at other lenders"},
	"court_cases":          {"存在未结的涉诉案件", "open court cases against the borrower"},
	"court_new_3m":         {"最近3个月有新立案的涉诉案件", "a court case filed in the last 3 months"},
	"dishonest":            {"被列为失信被执行人", "listed as a dishonest debtor"},
	"social_gap_months":    {"社保连续断缴", "social-security contributions have stopped"},
	"inflow_drop_pct":      {"最近3个月银行流水入账明显下降", "bank-statement inflow fell over the last 3 months"},
	"salary_months_6m":     {"最近6个月工资入账的月份偏少", "few months with a salary credit in the last 6"},
	"utility_arrears_k":    {"存在水电燃气欠费", "utility bills in arrears"},
	"tax_arrears_k":        {"存在欠缴税款", "taxes in arrears"},
	"business_anomaly":     {"企业被列入经营异常名录", "the business is listed for abnormal operation"},
}

// Languages ReasonText writes.
const (
	LangZH = "zh-CN"
	LangEN = "en"
)

// ReasonText returns the sentence for reason code code in lang, LangZH or
// LangEN; other spellings of the two ("zh", "zh_CN", "en-GB") are read as
// them, and any other language gets zh-CN, the product's default. A code
// that is not a behaviour feature — a column of a generic CSV model —
// gets a sentence naming the column, so every reason reads as a sentence.
func ReasonText(code, lang string) string {
	en := isEnglish(lang)
	if s, ok := reasonSentences[code]; ok {
		if en {
			return s[1]
		}
		return s[0]
	}
	if en {
		return "the value of " + code + " lowered the score"
	}
	return "“" + code + "”的取值拉低了评分"
}

// ReasonTexts turns a comma-separated list of reason codes, as close of
// business stores them, into sentences joined for one line: "；" in
// Chinese, "; " in English.
func ReasonTexts(codes, lang string) string {
	if strings.TrimSpace(codes) == "" {
		return ""
	}
	parts := strings.Split(codes, ",")
	for i, c := range parts {
		parts[i] = ReasonText(strings.TrimSpace(c), lang)
	}
	if isEnglish(lang) {
		return strings.Join(parts, "; ")
	}
	return strings.Join(parts, "；")
}

func isEnglish(lang string) bool {
	l := strings.ToLower(strings.TrimSpace(lang))
	return l == "en" || strings.HasPrefix(l, "en-") || strings.HasPrefix(l, "en_")
}
