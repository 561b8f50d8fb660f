package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"daihou/audit"
	"daihou/auth"
	"daihou/store"
	"daihou/warning"
)

// GetRule answers GET /api/v1/rules/{code} (risk officer, manager,
// auditor): the rule's latest version, the variables it reads and every
// version with who put it and when; 404 for a code no rule has.
func (a *API) GetRule(w http.ResponseWriter, r *http.Request) {
	h, err := LoadRuleHistory(r.Context(), a.DB, r.PathValue("code"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h)
}

// LoadRuleHistory returns the history of rule code, if the actor in ctx
// may read rules; ENOTFOUND for a code no rule has.
//
// Who put each version and when come from the audit entries of the rule
// itself (object rule:CODE, one per version, written in the version's
// transaction): a rule's provenance is part of the rule, so whoever may
// read rules sees it, without the rest of the trail.
func LoadRuleHistory(ctx context.Context, db *store.DB, code string) (RuleHistory, error) {
	var h RuleHistory
	if err := can(ctx, auth.ReadRules, auth.Book()); err != nil {
		return h, err
	}
	vs, err := db.RuleVersions(ctx, code)
	if err != nil {
		return h, err
	}
	h.Rule, h.Vars = RuleOf(vs[0]), []string{}
	// A stored rule compiled when it was put; one that no longer does
	// (a variable since removed) still has a history to show.
	if p, err := warning.Compile(vs[0]); err == nil {
		h.Vars = p.Vars()
	}
	es, err := db.AuditEntries(ctx, audit.Object("rule", code), 0, 100000)
	if err != nil {
		return h, err
	}
	type stamp struct{ by, at string }
	put := map[int]stamp{}
	for _, e := range es {
		var c string
		var v int
		if e.Action != string(auth.ManageRules) {
			continue
		}
		if _, err := fmt.Sscanf(e.Detail, "rule %s version %d", &c, &v); err == nil && c == code {
			put[v] = stamp{e.Actor, e.Time.UTC().Format(time.RFC3339)}
		}
	}
	for _, r := range vs {
		s := put[r.Version]
		h.Versions = append(h.Versions, RuleVersion{Rule: RuleOf(r), By: s.by, At: s.at})
	}
	return h, nil
}
