package console

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"daihou"
	"daihou/inputtext"
	"daihou/money"
)

// Table is one table of a page, shown as HTML and exported as it is shown:
// the same columns, the same (masked) cells.
type Table struct {
	ID      string // unique on its page; ?export=xlsx&table=ID
	Title   string // already in the page's language
	Columns []Column
	Rows    [][]Cell
	// Next is the link to the next page of a list read by cursor; "" on
	// the last.
	Next string
	// All, when set, yields every row of the list for an export, beyond
	// the page shown (a streaming export of a large list).
	All func(yield func([]Cell) error) error
}

// Column is one column's heading; Num right-aligns it.
type Column struct {
	Label string
	Num   bool
}

// Cell is one table cell: its text as shown and, for a number, its value
// for a spreadsheet.
type Cell struct {
	Text  string
	Href  string
	Class string
	// Value is the number a spreadsheet gets (money in major units, a
	// ratio as a fraction); nil for text.
	Value  any
	Format string // xlsx number format for Value
}

// TextCell is a cell of text.
func TextCell(s string) Cell { return Cell{Text: s} }

// LinkCell is a cell of text linking to href.
func LinkCell(s, href string) Cell { return Cell{Text: s, Href: href} }

// IntCell is a count.
func IntCell(l *Locale, n int64) Cell {
	return Cell{Text: l.Int(n), Value: n, Format: "#,##0", Class: "num"}
}

// MoneyCell is an amount: exact text, and a number in major units for a
// spreadsheet (which has only floats; the CSV keeps the exact text).
func MoneyCell(l *Locale, a money.Amount) Cell {
	f, _ := strconv.ParseFloat(a.String(), 64)
	return Cell{Text: l.Money(a), Value: f, Format: "#,##0.00", Class: "num"}
}

// PctCell is a ratio shown as a percentage.
func PctCell(l *Locale, f float64) Cell {
	return Cell{Text: l.Pct(f), Value: f, Format: "0.00%", Class: "num"}
}

// maxExportRows bounds an export: a spreadsheet holds 1,048,576 rows.
const maxExportRows = 1_048_575

// export writes table id of p as xlsx or CSV.
func (c *Console) export(w http.ResponseWriter, r *http.Request, s *Session, p *Page, format, id string) {
	t := p.Table(id)
	if t == nil {
		var ids []string
		for _, t := range p.Tables {
			ids = append(ids, t.ID)
		}
		c.fail(w, r, s.Locale, daihou.Invalid("table", "table: this page has tables %v, not %q", ids, inputtext.Clip(id, 32)))
		return
	}
	rows := t.All
	if rows == nil {
		rows = func(yield func([]Cell) error) error {
			for _, row := range t.Rows {
				if err := yield(row); err != nil {
					return err
				}
			}
			return nil
		}
	}
	name := fmt.Sprintf("daihou-%s-%s-%s", p.Name, t.ID, c.now().Format("20060102-150405"))
	c.Logger.InfoContext(r.Context(), "export", "actor", s.Actor.String(), "page", p.Name, "table", t.ID, "format", format)
	switch format {
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		w.Write([]byte("\ufeff")) // Excel reads UTF-8 CSV as such only with a BOM
		cw := csv.NewWriter(w)
		cw.Write(labels(t))
		n := 0
		err := rows(func(row []Cell) error {
			if n++; n > maxExportRows {
				return errTooMany
			}
			rec := make([]string, len(row))
			for i, cell := range row {
				rec[i] = csvSafe(cell.Text)
				if a, ok := cell.Value.(float64); ok && cell.Format == "#,##0.00" {
					rec[i] = strconv.FormatFloat(a, 'f', 2, 64)
				}
			}
			return cw.Write(rec)
		})
		cw.Flush()
		if err != nil {
			c.Logger.ErrorContext(r.Context(), "export", "err", err)
		}
	case "xlsx":
		f := excelize.NewFile()
		defer f.Close()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			c.fail(w, r, s.Locale, err)
			return
		}
		styles := map[string]int{}
		style := func(format string) int {
			if id, ok := styles[format]; ok {
				return id
			}
			id, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &format})
			styles[format] = id
			return id
		}
		head := make([]any, len(t.Columns))
		for i, col := range t.Columns {
			head[i] = excelize.Cell{Value: col.Label}
		}
		sw.SetRow("A1", head)
		n := 1
		err = rows(func(row []Cell) error {
			if n++; n > maxExportRows+1 {
				return errTooMany
			}
			vals := make([]any, len(row))
			for i, cell := range row {
				if cell.Value != nil {
					vals[i] = excelize.Cell{Value: cell.Value, StyleID: style(cell.Format)}
				} else {
					vals[i] = excelize.Cell{Value: cell.Text}
				}
			}
			at, _ := excelize.CoordinatesToCellName(1, n)
			return sw.SetRow(at, vals)
		})
		if err == nil {
			err = sw.Flush()
		}
		if err != nil {
			c.fail(w, r, s.Locale, err)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		f.Write(w)
	default:
		c.fail(w, r, s.Locale, daihou.Invalid("export", "export: want xlsx or csv, not %q", inputtext.Clip(format, 16)))
	}
}

var errTooMany = daihou.Errorf(daihou.ETOOLARGE, "the export has more rows than a spreadsheet holds (%d): narrow the filter", maxExportRows)

func labels(t *Table) []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Label
	}
	return out
}

// csvSafe keeps a spreadsheet from running a cell as a formula (CSV
// injection): text that starts like one is quoted with an apostrophe.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		if _, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64); err != nil {
			return "'" + s
		}
	}
	return s
}
