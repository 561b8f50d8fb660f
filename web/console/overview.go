package console

import (
	"net/http"

	"daihou"
	"daihou/auth"
	"daihou/report"
)

// overviewView is what the overview shows.
type overviewView struct {
	Report report.Report
}

// Overview answers GET /console/: the book's headline figures on the last
// closed date, their trends and the five-tier distribution.
func (c *Console) Overview(r *http.Request, s *Session) (*Page, error) {
	ctx := r.Context()
	if err := auth.Can(s.Actor, auth.ReadReport, auth.Book()).Err(); err != nil {
		return nil, err
	}
	d, err := c.DB.LastClose(ctx)
	if err != nil {
		return nil, err
	}
	if d == 0 {
		return nil, daihou.Errorf(daihou.ENOTFOUND, "%s", s.Locale.T("overview.no_close"))
	}
	rep, err := report.Read(ctx, c.DB, d)
	if err != nil {
		return nil, err
	}
	l := s.Locale
	classes := &Table{ID: "classes", Title: l.T("overview.classes"), Columns: []Column{{Label: l.T("col.class")}, {Label: l.T("col.loans"), Num: true}, {Label: l.T("col.outstanding"), Num: true}, {Label: l.T("col.share"), Num: true}}}
	var pie []map[string]any
	for _, line := range rep.Classes {
		classes.Rows = append(classes.Rows, []Cell{TextCell(line.Name), IntCell(l, line.Loans), MoneyCell(l, line.Outstanding), PctCell(l, line.Share)})
		pie = append(pie, map[string]any{"name": line.Name, "value": line.Outstanding.String()})
	}
	return &Page{Name: "overview", Title: "overview.title", Data: overviewView{Report: rep}, Tables: []*Table{classes},
		Charts: []Chart{{ID: "classes", Option: map[string]any{
			"tooltip": map[string]any{"trigger": "item"},
			"series":  []any{map[string]any{"type": "pie", "radius": []string{"40%", "70%"}, "data": pie}},
		}}}}, nil
}
