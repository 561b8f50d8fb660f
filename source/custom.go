package source

import (
	"daihou/inputtext"
	"fmt"

	"daihou/signal"
)

// custom reads a lender's own feed (自定义数据): any measure the lender
// names, one number per record, for warning rules written against it.
type custom struct{}

// maxMeasureLen bounds a measure's name, which becomes part of a signal
// kind and a rule variable.
const maxMeasureLen = 40

var customFields = []Field{
	{Name: "measure", Kind: Text, Required: true, Doc: "the measure's name (e.g. `app_logins`); rules read it as `custom.<measure>`"},
	{Name: "value", Kind: Int, Required: true, Signed: true, Doc: "its value, a whole number that may be negative (a leading -)"},
}

func (custom) Name() string    { return signal.Custom }
func (custom) Title() string   { return "A lender's own feed 自定义数据" }
func (custom) Fields() []Field { return customFields }
func (custom) about() string {
	return "One record per measure and date; its date is the date the value describes."
}
func (custom) allowed(field string) string {
	if field == "measure" {
		return "1 to 40 of `a-z 0-9 _`"
	}
	return ""
}
func (custom) yields() []yield {
	return []yield{{signal.CustomKind("<measure>"), "`value`, the kind named after `measure` (`custom.app_logins`)"}}
}

// Signals gives the value as the measure's own kind. The name is held to
// lower-case letters, digits and '_' because it becomes a rule variable
// (custom.app_logins), which must read the same in every rule.
func (a custom) Signals(r *signal.Record) ([]signal.Signal, error) {
	v := read(a, r)
	measure := v.text("measure", true)
	value := v.int("value")
	if why := measureReason(measure); v.ok() && why != "" {
		v.fail("measure", why)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return []signal.Signal{v.signal(signal.CustomKind(measure), value)}, nil
}

func measureReason(m string) string {
	const want = "want 1 to 40 of a-z 0-9 _, e.g. app_logins"
	if len(m) > maxMeasureLen {
		return fmt.Sprintf("%s is longer than %d characters; %s", quote(m), maxMeasureLen, want)
	}
	for i, r := range m {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '_') {
			return fmt.Sprintf("%s has %s at character %d; %s", quote(m), inputtext.DescribeRune(r), len([]rune(m[:i]))+1, want)
		}
	}
	return ""
}
