package console

import (
	"net/http"
	"slices"
	"sort"
	"strings"

	"daihou/civil"
	"daihou/classification"
	"daihou/config"
	"daihou/eod"
	"daihou/inputtext"
	"daihou/report"
	"daihou/servicing"
)

// qualityFilter is what a dashboard's filter form asked for, each value
// one that exists (an unknown one is dropped with a message).
type qualityFilter struct {
	Product, Branch, Region, Officer string
	// branches are the branches the branch and region filters leave, nil
	// when neither is set.
	branches map[string]bool
}

// byBranch reports whether the filter narrows the portfolio by branch.
func (f qualityFilter) byBranch() bool { return f.branches != nil }

// Any reports whether any filter is set (the templates ask).
func (f qualityFilter) Any() bool {
	return f.Product != "" || f.Branch != "" || f.Region != "" || f.Officer != ""
}

// keep reports whether a portfolio cell is in the filter's loans (the
// officer aside: no cell is cut by officer).
func (f qualityFilter) keep(product, branch string) bool {
	if f.Product != "" && product != f.Product {
		return false
	}
	return f.branches == nil || f.branches[branch]
}

// branchList returns the filter's branches in order, nil for all.
func (f qualityFilter) branchList() []string {
	if f.branches == nil {
		return nil
	}
	var out []string
	for b := range f.branches {
		out = append(out, b)
	}
	sort.Strings(out)
	if out == nil {
		out = []string{} // a branch outside its region: no loans, not all
	}
	return out
}

// filterChoices are what a filter form offers.
type filterChoices struct {
	Products, Branches []string
	Regions            []string
	Officer            bool     // the form has an officer field
	Months             []string // the periods the period select offers
	Month              string   // the period shown
	Period             string   // the period select's label (a message key)
}

// filterView is the part of a dashboard's data its filter form shows.
type filterView struct {
	Filter  qualityFilter
	Choices filterChoices
	// Notes say which figures a filter cannot narrow.
	Notes []string
}

// readFilter reads the filter form of r against what exists in the cells
// at: an unknown value is dropped and named in the message returned, with
// what exists instead. SQL never sees a value that is not one of these.
func (c *Console) readFilter(r *http.Request, l *Locale, at *eod.Aggregates, regions []config.Region, officer bool) (qualityFilter, filterChoices, []string, error) {
	q := r.URL.Query()
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	products, branches := map[string]bool{}, map[string]bool{}
	for k := range at.Portfolio {
		products[k.Product] = true
		branches[k.Branch] = true
	}
	ch := filterChoices{Products: sortedKeys(products), Branches: sortedKeys(branches), Officer: officer}
	for _, rg := range regions {
		ch.Regions = append(ch.Regions, rg.Name)
	}
	var f qualityFilter
	var msgs []string
	if v := get("product"); v != "" {
		if products[v] {
			f.Product = v
		} else {
			msgs = append(msgs, l.T("quality.unknown_product", inputtext.Clip(v, 40), strings.Join(ch.Products, "、")))
		}
	}
	if v := get("branch"); v != "" {
		if branches[v] {
			f.Branch = v
			f.branches = map[string]bool{v: true}
		} else {
			msgs = append(msgs, l.T("quality.unknown_branch", inputtext.Clip(v, 40), strings.Join(ch.Branches, "、")))
		}
	}
	if v := get("region"); v != "" {
		i := slices.IndexFunc(regions, func(rg config.Region) bool { return rg.Name == v })
		switch {
		case len(regions) == 0:
			msgs = append(msgs, l.T("quality.no_regions", inputtext.Clip(v, 40), config.Regions))
		case i < 0:
			msgs = append(msgs, l.T("quality.unknown_region", inputtext.Clip(v, 40), strings.Join(ch.Regions, "、")))
		default:
			f.Region = v
			in := map[string]bool{}
			for _, b := range regions[i].Branches {
				if f.branches == nil || f.branches[b] {
					in[b] = true
				}
			}
			f.branches = in
		}
	}
	if v := get("officer"); v != "" && officer {
		codes, err := c.DB.Officers(r.Context(), v, 1)
		if err != nil {
			return f, ch, nil, err
		}
		if len(codes) == 1 && codes[0] == v {
			f.Officer = v
		} else {
			some, err := c.DB.Officers(r.Context(), "", 12)
			if err != nil {
				return f, ch, nil, err
			}
			msgs = append(msgs, l.T("quality.unknown_officer", inputtext.Clip(v, 40), strings.Join(some, "、")))
		}
	}
	return f, ch, msgs, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// filtered returns the cells of a that f keeps: portfolio and migration
// cells by product and branch, roll and vintage cells by product only
// (they are not kept by branch).
func filtered(a *eod.Aggregates, f qualityFilter) *eod.Aggregates {
	if f.Product == "" && f.branches == nil {
		return a
	}
	out := eod.NewAggregates()
	for k, v := range a.Portfolio {
		if f.keep(k.Product, k.Branch) {
			out.Portfolio[k] = v
		}
	}
	for k, v := range a.Migration {
		if f.keep(k.Product, k.Branch) {
			out.Migration[k] = v
		}
	}
	for k, v := range a.Roll {
		if f.Product == "" || k.Product == f.Product {
			out.Roll[k] = v
		}
	}
	for k, v := range a.Vintage {
		if f.Product == "" || k.Product == f.Product {
			out.Vintage[k] = v
		}
	}
	return out
}

// figures are a portfolio's headline figures with the ratios the
// dashboards add to the report's.
type figures struct {
	report.Report
	M1, M3 float64 // balance in M1+ and M3+ over the outstanding
}

// figuresOf computes the figures of portfolio cells on d.
func figuresOf(d civil.Date, cells map[eod.PortfolioKey]eod.PortfolioCell) figures {
	a := eod.NewAggregates()
	a.Portfolio = cells
	f := figures{Report: report.Build(d, a, nil)}
	var m3 int64
	for _, b := range f.Buckets {
		if name, ok := servicing.ParseBucket(b.Name); ok && name >= servicing.M3 {
			m3 += int64(b.Outstanding)
		}
	}
	if t := f.Portfolio.Outstanding; t != 0 {
		f.M1 = f.Portfolio.PastDueRatio
		f.M3 = float64(m3) / float64(t)
	}
	return f
}

// className is a five-tier class in the reader's language.
func className(l *Locale, c classification.Class) string {
	return l.T("quality.class_" + c.String())
}

// monthEnds reads the roll and vintage cells of every month end on
// record up to d (at most 24 months before it), as report.Read reads
// them, keyed by date: the month ends' other cells are not needed.
func (c *Console) monthEnds(r *http.Request, d civil.Date) (map[civil.Date]*eod.Aggregates, error) {
	dates, err := c.DB.MonthEnds(r.Context())
	if err != nil {
		return nil, err
	}
	var keep []civil.Date
	for _, md := range dates {
		if !md.After(d) && d.MonthIndex()-md.MonthIndex() <= 24 {
			keep = append(keep, md)
		}
	}
	return c.DB.FlowCells(r.Context(), keep)
}
