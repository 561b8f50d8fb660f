// Package synth generates synthetic loan portfolios (模拟数据) for demos,
// tests and benchmarks, deterministically from a seed and at bank scale.
//
// Every borrower has a latent risk (潜在风险): a hidden creditworthiness
// drawn once, shifted by what a lender would see — age, region, income band,
// occupation and industry. The latent risk drives payment behaviour here and
// is kept with the borrower profile so that the external signals of later
// issues (bureau inquiries, court cases, social security, utility arrears)
// can be drawn from the same hidden truth and a behaviour score has
// something real to learn.
//
// Loans are consumer instalment loans (消费分期), small-business loans (小微
// 经营贷) and mortgages (住房按揭) with all four repayment methods, disbursed
// over the history window with growth and weekday seasonality so that every
// month is a vintage. Behaviour is simulated installment by installment:
// most borrowers pay by withholding (代扣) on the due date; some pay a few
// days late, some miss and then cure, pay one installment or part of one,
// or roll deeper; deep arrears are restructured (重组) or written off (核销)
// and sometimes recovered; some loans are paid off early; a few payments are
// posted days after their value date (back-dated). Amounts are exact: when a
// borrower clears arrears the amount is the replayed amount due, penalty
// included, so a cured loan is really current.
//
// Generation is parallel and deterministic regardless of scheduling: loan i
// draws from its own random stream seeded by (seed, i), its borrower from a
// stream seeded by (seed, borrower), and batches are delivered in loan
// order. Along the way the generator records each loan's state at every
// month end of the history — analytically while its history is clean,
// by replay once it is not — so the history's month-end portfolio, roll-rate
// and vintage aggregates come out of generation without a close of business
// per day.
package synth
