package source

import (
	"fmt"
	"strings"

	"daihou/money"
	"daihou/signal"
)

// described is what the built-in adapters tell Markdown beyond their
// Fields: what one record is and what its date means, and the signals
// they derive. It is not part of Adapter so that an adapter written
// elsewhere (a simulator, a test double) need not document itself.
type described interface {
	about() string
	yields() []yield
}

// narrowed is implemented by an adapter whose Signals holds a field to
// less than its kind allows, to say so in the field's allowed values.
type narrowed interface {
	allowed(field string) string
}

// yield is one kind of signal an adapter derives, and from what.
type yield struct {
	kind signal.Kind
	doc  string
}

// commonFields documents the fields every record has; Check holds their
// rules.
var commonFields = []struct{ name, kind, required, allowed, doc string }{
	{FieldID, "text", "yes", fmt.Sprintf("up to %d of `A-Z a-z 0-9 _ . : -`", MaxIDLen),
		"the source's own id of the record; with the source it identifies the record, so one delivered twice is stored once"},
	{FieldBorrower, "text", "one of `borrower`, `id_number`", fmt.Sprintf("up to %d characters", MaxBorrowerLen),
		"the borrower's external id, as `borrower_id` in the loans file"},
	{FieldIDNumber, "text", "one of `borrower`, `id_number`", "18 characters: 17 digits and a check digit `0-9` or `X` (ISO 7064 MOD 11-2)",
		"the borrower's resident identity number (居民身份证号码), for sources that know only that; personal data, never quoted in errors"},
	{FieldDate, "date", "yes", "`YYYY-MM-DD`", "the date the record describes: see each source"},
}

// Markdown returns the record format of every source, as the README's
// section "Data sources: record formats" holds it: the kinds of value,
// the common fields, then one table per source with the signals it
// yields. A test keeps the README equal to it.
func Markdown() string {
	var b strings.Builder
	b.WriteString("Every record has the common fields, then the fields of its source. In a CSV file each field is a column " +
		"(an optional one may be left out of the header); in JSON Lines it is a key of the line's object, where a whole number " +
		"or an amount may also be a JSON number. Values are checked against their kind:\n\n")
	for _, k := range []Kind{Text, Int, Amount, Date, Month, Enum} {
		fmt.Fprintf(&b, "- **%s**: %s\n", k, kindDoc(k))
	}
	b.WriteString("\nA record that breaks a rule is refused with the field and what to write instead; " +
		"an ID number or other personal data is never quoted.\n\n")

	b.WriteString("### Common fields\n\n")
	tableHead(&b)
	for _, f := range commonFields {
		row(&b, "`"+f.name+"`", f.kind, f.required, f.allowed, f.doc)
	}
	b.WriteString("\nEach signal below is dated the record's date unless it says otherwise, and is about the borrower the record names.\n")

	for _, a := range all {
		fmt.Fprintf(&b, "\n### `%s`: %s\n\n", a.Name(), a.Title())
		d, _ := a.(described)
		if d != nil {
			b.WriteString(d.about() + "\n\n")
		}
		tableHead(&b)
		for _, f := range a.Fields() {
			req := "no"
			if f.Required {
				req = "yes"
			}
			values := allowed(f)
			if n, ok := a.(narrowed); ok && n.allowed(f.Name) != "" {
				values = n.allowed(f.Name)
			}
			row(&b, "`"+f.Name+"`", f.Kind.String(), req, values, f.Doc)
		}
		if d != nil {
			b.WriteString("\nSignals:\n\n")
			for _, y := range d.yields() {
				fmt.Fprintf(&b, "- `%s`: %s\n", y.kind, escape(y.doc))
			}
		}
	}
	return b.String()
}

func kindDoc(k Kind) string {
	switch k {
	case Text:
		return fmt.Sprintf("up to %d characters, with no white space around them and no control or invisible characters", MaxTextLen)
	case Int:
		return fmt.Sprintf("ASCII digits, 0 to %s; a leading `-` where the field allows it", grouped(MaxInt))
	case Amount:
		return fmt.Sprintf("yuan in ASCII digits with at most 2 decimals (`1234.50`), 0 to %s, read exactly to the fen; "+
			"no thousands separators or currency sign", money.Amount(MaxAmount).Grouped())
	case Date:
		return "`YYYY-MM-DD`, a day of the calendar from 1900"
	case Month:
		return "`YYYY-MM`, from 1900"
	case Enum:
		return "one of the field's values, exactly as listed (lower case)"
	}
	return ""
}

// allowed is a field's allowed values for its table.
func allowed(f Field) string {
	switch f.Kind {
	case Enum:
		vs := make([]string, len(f.Values))
		for i, v := range f.Values {
			vs[i] = "`" + v + "`"
		}
		return strings.Join(vs, ", ")
	case Int:
		if f.Signed {
			return fmt.Sprintf("-%s to %s", grouped(MaxInt), grouped(MaxInt))
		}
		return "0 to " + grouped(MaxInt)
	case Amount:
		return "0.00 to " + money.Amount(MaxAmount).Grouped()
	case Date:
		return "`YYYY-MM-DD`"
	case Month:
		return "`YYYY-MM`"
	}
	return fmt.Sprintf("up to %d characters", MaxTextLen)
}

// grouped writes a whole number with thousands separators.
func grouped(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func tableHead(b *strings.Builder) {
	b.WriteString("| field | kind | required | allowed values | meaning |\n|---|---|---|---|---|\n")
}

func row(b *strings.Builder, cells ...string) {
	for _, c := range cells {
		b.WriteString("| " + escape(c) + " ")
	}
	b.WriteString("|\n")
}

// escape keeps a cell's text from ending the cell.
func escape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
