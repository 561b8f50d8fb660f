package console

import (
	"encoding/json"
	"net/http"

	"daihou"
	"daihou/auth"
	"daihou/collection"
	"daihou/inputtext"
)

// SOP answers GET /console/sop?code=…: a SOP timeline (贷后 SOP) in force
// in an editor — the default "*" unless a product's code is chosen —
// with its version and who put it.
func (c *Console) SOP(r *http.Request, s *Session) (*Page, error) {
	p, err := c.sopPage(r, s, r.URL.Query().Get("code"), "")
	if err != nil {
		return nil, err
	}
	p.Notice = workNotice(r, s.Locale)
	return p, nil
}

// sopPage builds the editor of SOP code, holding text when the user's own
// comes back.
func (c *Console) sopPage(r *http.Request, s *Session, code, text string) (*Page, error) {
	ctx := r.Context()
	if err := auth.Can(s.Actor, auth.ReadRules, auth.Book()).Err(); err != nil {
		return nil, err
	}
	if code == "" {
		code = "*"
	}
	sops, err := c.DB.SOPs(ctx)
	if err != nil {
		return nil, err
	}
	vs, err := c.DB.PlanVersions(ctx, "sop")
	if err != nil {
		return nil, err
	}
	v := planView{Code: code, CanManage: auth.Can(s.Actor, auth.ManageRules, auth.Book()).Allowed}
	var cur *collection.SOP
	for i := range sops {
		v.Codes = append(v.Codes, sops[i].Code)
		if sops[i].Code == code {
			cur = &sops[i]
		}
	}
	if cur == nil && text == "" {
		return nil, daihou.Errorf(daihou.ENOTFOUND, "no SOP %q: the SOPs in force are %v", inputtext.Clip(code, 32), v.Codes)
	}
	for _, pv := range vs {
		if pv.Code == code {
			v.Version, v.At = pv, stampText(pv.At)
		}
	}
	if v.Text = text; text == "" {
		b, err := json.MarshalIndent(cur, "", "  ")
		if err != nil {
			return nil, err
		}
		v.Text = string(b)
	}
	return &Page{Name: "sop", Title: "work.sop.title", Data: v}, nil
}
