package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"daihou"
	"daihou/approval"
	"daihou/auth"
	"daihou/classification"
	"daihou/inputtext"
	"daihou/loanview"
	"daihou/money"
	"daihou/schedule"
	"daihou/servicing"
	"daihou/web/api"
)

// ProposalPost answers POST /console/loans/{id}/proposals: the user (the
// maker) proposes a waiver, write-off or restructuring, checked by the
// engine as the ledger would post it; nothing reaches the ledger until a
// checker approves it.
func (c *Console) ProposalPost(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	ctx := r.Context()
	f := r.PostForm
	back := func(err error) {
		c.reshow(w, r, s, err, func() (*Page, error) { return c.proposePage(r, s, f) })
	}
	l, err := loanview.Find(ctx, c.DB, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, s.Locale, err)
		return
	}
	kind, err := approval.ParseKind(f.Get("kind"))
	if err == nil && kind == auth.ProposalOverride {
		err = daihou.Invalid("kind", "kind: an override is proposed with its class, in the form below")
	}
	if err != nil {
		back(err)
		return
	}
	var p approval.Params
	switch kind {
	case auth.ProposalWaiver:
		p.Component = servicing.Component(f.Get("component"))
		if p.Amount, err = api.ParseAmount(strings.TrimSpace(f.Get("amount"))); err != nil {
			back(daihou.Invalid("amount", "%v", err))
			return
		}
	case auth.ProposalRestructure:
		if p.NewRate, err = money.ParseRate(strings.TrimSpace(f.Get("new_rate"))); err != nil {
			back(daihou.Invalid("new_rate", "new_rate: want a decimal annual rate such as 0.06, not %q", inputtext.Clip(f.Get("new_rate"), 32)))
			return
		}
		if p.NewTerm, err = strconv.Atoi(strings.TrimSpace(f.Get("new_term"))); err != nil {
			back(daihou.Invalid("new_term", "new_term: want a number of months, not %q", inputtext.Clip(f.Get("new_term"), 32)))
			return
		}
		p.NewMethod = schedule.Method(f.Get("new_method"))
	}
	if _, err := c.DB.Propose(ctx, l.ID, kind, p, f.Get("reason")); err != nil {
		back(err)
		return
	}
	done(w, r, "/console/loans/"+strconv.FormatInt(l.ID, 10)+"/propose", "work.notice.proposed")
}

// OverridePost answers POST /console/loans/{id}/overrides: the user (a
// risk officer, the maker) proposes a class above the loan's regulatory
// floor; another user decides it.
func (c *Console) OverridePost(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r.Context())
	ctx := r.Context()
	f := r.PostForm
	back := func(err error) {
		c.reshow(w, r, s, err, func() (*Page, error) { return c.proposePage(r, s, f) })
	}
	l, err := loanview.Find(ctx, c.DB, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, s.Locale, err)
		return
	}
	class, err := classification.Parse(f.Get("class"))
	if err != nil {
		back(daihou.Invalid("class", "class: want special-mention, substandard, doubtful or loss (关注, 次级, 可疑, 损失), not %q", inputtext.Clip(f.Get("class"), 32)))
		return
	}
	if len(f.Get("reason")) > 1000 {
		back(daihou.Invalid("reason", "reason: at most 1000 bytes"))
		return
	}
	if _, err := c.DB.ProposeOverride(ctx, l.ID, class, f.Get("reason")); err != nil {
		back(err)
		return
	}
	done(w, r, "/console/loans/"+strconv.FormatInt(l.ID, 10)+"/propose", "work.notice.override_proposed")
}

// stampText is a wall time as lists show it, "" for none.
func stampText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04")
}
