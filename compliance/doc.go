// Package compliance is the collection compliance guard (催收合规校验): it
// decides whether one contact attempt with a debtor (债务人) — a human call,
// an AI-voice call (智能语音外呼), an SMS (短信), an email, a visit (上门),
// a letter (信函) — may be made now, and if not, which rule refuses it, why,
// and when it next may be. It runs before every attempt, human or automated,
// and holds the rules of a jurisdiction in a Profile: China (the default;
// the China Banking Association consumer-loan collection guideline 2026 and
// GB/T 45251-2025) with its quiet hours (夜间休息时间, 22:00–08:00), at most
// three connected calls (接通) a day per debtor across the lender and its
// collection agencies (委外催收机构), at most six unanswered attempts (未接通)
// a day per number, third parties such as emergency contacts (紧急联系人)
// only once the debtor is unreachable (失联) and never told the debt, and
// every call recorded (全程录音); the United States (Regulation F, 12 CFR
// part 1006) with its convenient hours, seven calls in seven days per debt
// and the week of quiet after a conversation. Do-not-contact (禁止联系) and
// dispute (争议) flags and the list of engaged agencies apply under both.
// The package also holds the legal cap on interest and fees for private
// lending (民间借贷利率上限): four times the one-year Loan Prime Rate
// (贷款市场报价利率, LPR), 《民法典》 art. 680 and the Supreme People's Court
// private-lending provisions, art. 25.
//
// The package is pure: it reads no clock, no database and no network. The
// caller passes the instant of the attempt, the debtor's contact history
// and flags; a nightly batch can check millions of planned messages with
// no allocation for an allowed one.
package compliance
