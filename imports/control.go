package imports

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"daihou/money"
)

// ParseOptions are what the caller knows about a file beyond its bytes.
// The zero value checks nothing but the file itself (and its trailer, if
// it has one).
type ParseOptions struct {
	// ExpectRows, if not nil, is the number of data rows the sender says
	// the file holds, valid and rejected together (in a control sheet, a
	// message, a separate control file). A file that holds another
	// number is refused whole with ErrControlMismatch.
	ExpectRows *int
	// ExpectTotal, if not nil, is the sum the sender states for the
	// file's money column: amount for payments, principal for loans. It
	// is checked against the file's total as Summary.Total defines it; a
	// difference refuses the file with ErrControlMismatch.
	ExpectTotal *money.Amount
	// RequireTrailer refuses, with ErrBadTrailer, a file that does not
	// end with a trailer. Without it a trailer is optional, but checked
	// whenever it is there. A sender that always writes one should set
	// it: only a required trailer detects a file cut off exactly at a
	// line end.
	RequireTrailer bool
}

// validate refuses options that are wrong before the file is read.
func (o ParseOptions) validate() error {
	if o.ExpectRows != nil && *o.ExpectRows < 0 {
		return invalid("the expected row count is %d: want 0 or more", *o.ExpectRows)
	}
	return nil
}

// Summary is what a file holds as a whole: the figures its trailer and
// the caller's expectations are checked against, and how the file ended.
type Summary struct {
	// DataRows is the number of data rows: every row returned and every
	// reject, so len(Rows)+len(Rejects). Blank lines, the CSV header and
	// the trailer are not data rows.
	DataRows int
	// Total is the sum of the money column (amount for payments,
	// principal for loans) over every data row whose value in it could
	// be read as an amount, whether the row was valid or rejected, and
	// whatever its sign: a row with "-5.00" adds -5.00, a row with
	// "1,000.00" or a row that could not be split into fields adds
	// nothing.
	Total money.Amount
	// TrailerLine is the line of the file's trailer, or 0 if it has
	// none. A trailer that is there has been checked: its figures equal
	// DataRows and Total.
	TrailerLine int
	// Unterminated is the line of the last data row if the file ends
	// without a line end after it, or 0. That row is among the rejects,
	// since it may have been cut off in transfer.
	Unterminated int
}

// tally is the running count behind a Summary.
type tally struct {
	valid    int
	total    money.Amount
	overflow bool  // the total left the range of an Amount
	unread   []int // first lines whose amount could not be read
	nUnread  int
}

// maxUnreadListed is how many lines without a readable amount a mismatch
// names.
const maxUnreadListed = 5

// amount adds one data row's amount, or notes that it had none.
func (t *tally) add(line int, a money.Amount, read bool) {
	if !read {
		t.nUnread++
		if len(t.unread) < maxUnreadListed {
			t.unread = append(t.unread, line)
		}
		return
	}
	if a > 0 && t.total > math.MaxInt64-a || a < 0 && t.total < math.MinInt64-a {
		t.overflow = true
		return
	}
	t.total += a
}

// check compares the figures counted with the trailer's and the caller's,
// and returns ErrControlMismatch naming every figure that differs.
func (p *parser) check(o ParseOptions, f Format) error {
	if o.RequireTrailer && p.trailer == nil {
		return invalid("%w: the file has no trailer, and one is required: end it with %s", ErrBadTrailer, p.s.trailerForm(f))
	}
	var problems []string
	totalWrong := false
	if t := p.trailer; t != nil {
		src := fmt.Sprintf("its trailer on line %d states", t.line)
		problems = p.checkRows(problems, t.rows, src)
		if t.hasTotal {
			problems, totalWrong = p.checkTotal(problems, t.total, src)
		}
	}
	if o.ExpectRows != nil {
		problems = p.checkRows(problems, *o.ExpectRows, "the expected count is")
	}
	if o.ExpectTotal != nil {
		var wrong bool
		problems, wrong = p.checkTotal(problems, *o.ExpectTotal, "the expected total is")
		totalWrong = totalWrong || wrong
	}
	if len(problems) == 0 {
		return nil
	}
	if totalWrong && p.nUnread > 0 {
		lines := make([]string, len(p.unread))
		for i, l := range p.unread {
			lines[i] = strconv.Itoa(l)
		}
		more := ""
		if p.nUnread > len(p.unread) {
			more = ", …"
		}
		problems = append(problems, fmt.Sprintf("data rows without a readable %s add nothing to the file's total: %d (line %s%s)",
			p.s.names[p.s.totalCol], p.nUnread, strings.Join(lines, ", "), more))
	}
	return invalid("%w: %s; the file may be incomplete, joined with another or altered: ask the sender to check it and deliver it again",
		ErrControlMismatch, strings.Join(problems, "; "))
}

func (p *parser) checkRows(problems []string, want int, src string) []string {
	got := p.valid + len(p.rejects)
	if got == want {
		return problems
	}
	return append(problems, fmt.Sprintf("the file holds %s (%d valid, %d rejected), but %s %d",
		dataRows(got), p.valid, len(p.rejects), src, want))
}

func dataRows(n int) string {
	if n == 1 {
		return "1 data row"
	}
	return strconv.Itoa(n) + " data rows"
}

func (p *parser) checkTotal(problems []string, want money.Amount, src string) ([]string, bool) {
	col := p.s.names[p.s.totalCol]
	if p.overflow {
		return append(problems, fmt.Sprintf("the %s column adds up to more than an amount can hold, but %s %s", col, src, want)), true
	}
	if p.total == want {
		return problems, false
	}
	msg := fmt.Sprintf("the %s column adds up to %s, but %s %s", col, p.total, src, want)
	if d, ok := difference(want, p.total); ok {
		msg += fmt.Sprintf(" (a difference of %s)", d)
	}
	return append(problems, msg), true
}

// difference returns |a-b|, unless it does not fit in an Amount.
func difference(a, b money.Amount) (money.Amount, bool) {
	if a < b {
		a, b = b, a
	}
	if b < 0 && a > math.MaxInt64+b {
		return 0, false
	}
	return a - b, true
}
