package api

import (
	"net/http"

	"daihou/civil"
	"daihou/legal"
	"daihou/money"
	"daihou/store"
)

// Case is a legal or recovery case as the API answers it.
type Case struct {
	ID        int64        `json:"id"`
	LoanID    int64        `json:"loan_id"`
	Kind      string       `json:"kind"`
	Agency    string       `json:"agency,omitempty"`
	Stage     string       `json:"stage"`
	Opened    civil.Date   `json:"opened"`
	Closed    civil.Date   `json:"closed,omitzero"`
	Court     string       `json:"court,omitempty"`
	CourtRef  string       `json:"court_ref,omitempty"`
	Assignee  string       `json:"assignee,omitempty"`
	Costs     money.Amount `json:"costs"`
	Recovered money.Amount `json:"recovered"`
	Events    int          `json:"events"`
	CreatedBy string       `json:"created_by"`
}

// CaseOf returns c as JSON shows it.
func CaseOf(c legal.Case) Case {
	return Case{ID: c.ID, LoanID: c.LoanID, Kind: string(c.Kind), Agency: c.Agency, Stage: string(c.Stage), Opened: c.Opened, Closed: c.Closed,
		Court: c.Court, CourtRef: c.CourtRef, Assignee: c.Assignee, Costs: c.Costs, Recovered: c.Recovered, Events: c.Events, CreatedBy: c.CreatedBy}
}

// CasesOf returns cs as JSON shows them, [] for none.
func CasesOf(cs []legal.Case) []Case {
	out := make([]Case, len(cs))
	for i, c := range cs {
		out[i] = CaseOf(c)
	}
	return out
}

// CaseEvent is one event of a case as the API answers it.
type CaseEvent struct {
	CaseID    int64        `json:"case_id"`
	Seq       int          `json:"seq"`
	Kind      string       `json:"kind"`
	Date      civil.Date   `json:"date"`
	Stage     string       `json:"stage"`
	Cost      money.Amount `json:"cost,omitempty"`
	Recovery  money.Amount `json:"recovery,omitempty"`
	LedgerSeq int64        `json:"ledger_seq,omitempty"`
	Note      string       `json:"note,omitempty"`
	By        string       `json:"by"`
	At        string       `json:"at"`
}

// CaseEventOf returns e as JSON shows it.
func CaseEventOf(e legal.Event) CaseEvent {
	return CaseEvent{CaseID: e.CaseID, Seq: e.Seq, Kind: string(e.Kind), Date: e.Business, Stage: string(e.Stage), Cost: e.Cost, Recovery: e.Recovery,
		LedgerSeq: e.LedgerSeq, Note: e.Note, By: e.By, At: stamp(e.At)}
}

// CaseEventsOf returns es as JSON shows them, [] for none.
func CaseEventsOf(es []legal.Event) []CaseEvent {
	out := make([]CaseEvent, len(es))
	for i, e := range es {
		out[i] = CaseEventOf(e)
	}
	return out
}

// ListCases answers GET /api/v1/cases: the legal and recovery cases on the
// loans the actor may see, newest first, filtered by loan (id or loan
// number), kind, stage, open=true (not closed) and assignee, at most limit
// (default 100, up to 10000).
func (a *API) ListCases(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f store.CaseFilter
	var err error
	if f.LoanID, err = a.queryLoan(r); err != nil {
		a.fail(w, r, err)
		return
	}
	if s := q.Get("kind"); s != "" {
		k, err := legal.ParseKind(s)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		f.Kind = k
	}
	f.Stage = legal.Stage(q.Get("stage"))
	if f.Open, err = queryBool(r, "open"); err != nil {
		a.fail(w, r, err)
		return
	}
	f.Assignee = q.Get("assignee")
	limit, err := queryInt(r, "limit", 100, 1, 10000)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	f.Limit = int(limit)
	cs, err := a.DB.Cases(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string][]Case{"cases": CasesOf(cs)})
}
