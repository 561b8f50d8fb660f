package gbdt

// Tuning records how a model's settings were chosen by cross-validation
// on its training rows.
type Tuning struct {
	Folds         int     `json:"folds"`          // cross-validation folds
	BudgetSeconds float64 `json:"budget_seconds"` // the fit-time budget the search was planned for
	Trials        []Trial `json:"trials"`         // every setting tried, in order
	Chosen        int     `json:"chosen"`         // index in Trials of the setting fitted
}

// Trial is one setting tried and how it did out of fold.
type Trial struct {
	MaxDepth     int     `json:"max_depth"`
	MinLeafRows  int     `json:"min_leaf_rows"`
	LearningRate float64 `json:"learning_rate"`
	L2           float64 `json:"l2"`
	Rounds       int     `json:"rounds"`   // at the lowest mean fold loss
	LogLoss      float64 `json:"log_loss"` // mean over folds at Rounds
	AUC          float64 `json:"auc"`      // of the out-of-fold predictions at Rounds
}
