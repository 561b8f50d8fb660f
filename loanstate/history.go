package loanstate

import (
	"daihou/civil"
	"daihou/classification"
)

// ClassChange is one change of a loan's five-tier class, with its cause:
// regulators ask why, so every change says.
type ClassChange struct {
	LoanID int64                `json:"loan_id"`
	AsOf   civil.Date           `json:"as_of"`
	From   classification.Class `json:"from"`
	To     classification.Class `json:"to"`
	Cause  string               `json:"cause"`
}

// ScoreChange is one entry of a loan's behaviour-score history.
type ScoreChange struct {
	LoanID  int64      `json:"loan_id"`
	AsOf    civil.Date `json:"as_of"`
	ModelID int64      `json:"model_id"`
	Score   int        `json:"score"`
	PD      float64    `json:"pd"` // over the horizon of the loan's IFRS 9 stage
	Reasons string     `json:"reasons"`
}
