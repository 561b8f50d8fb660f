package behaviour_test

import (
	"strings"
	"testing"
	"unicode"

	"daihou/scoring/behaviour"
)

// TestEveryFeatureHasSentences: each behaviour feature has its own
// sentence in both languages — not the generic one for unknown codes, and
// not the same sentence as another feature.
func TestEveryFeatureHasSentences(t *testing.T) {
	seen := map[string]string{}
	for _, name := range behaviour.AllNames {
		for _, lang := range []string{behaviour.LangZH, behaviour.LangEN} {
			got := behaviour.ReasonText(name, lang)
			if got == "" || strings.Contains(got, "lowered the score") || strings.Contains(got, "拉低了评分") {
				t.Errorf("%s in %s: got %q, want a sentence of its own", name, lang, got)
			}
			if other, dup := seen[lang+got]; dup {
				t.Errorf("%s and %s share the %s sentence %q", name, other, lang, got)
			}
			seen[lang+got] = name
			if han := strings.IndexFunc(got, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0; han != (lang == behaviour.LangZH) {
				t.Errorf("%s in %s: %q is in the wrong language", name, lang, got)
			}
		}
	}
}

func TestReasonTextFallbacks(t *testing.T) {
	tests := []struct {
		name, code, lang, want string
	}{
		{"zh spelled short", "max_dpd_6m", "zh", "最近6个月最长逾期天数偏高"},
		{"en with region", "max_dpd_6m", "en-GB", "highest days past due in the last 6 months is high"},
		{"unknown language is zh-CN", "dpd", "fr", "当前逾期天数偏高"},
		{"generic column in en", "PAY_0", "en", "the value of PAY_0 lowered the score"},
		{"generic column in zh", "PAY_0", "zh-CN", "“PAY_0”的取值拉低了评分"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := behaviour.ReasonText(tt.code, tt.lang); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReasonTexts(t *testing.T) {
	tests := []struct {
		codes, lang, want string
	}{
		{"", "en", ""},
		{"dpd,restructured", "en", "the current days past due are high; the loan has been restructured"},
		{"dpd, restructured", "zh-CN", "当前逾期天数偏高；贷款曾经重组"},
	}
	for _, tt := range tests {
		if got := behaviour.ReasonTexts(tt.codes, tt.lang); got != tt.want {
			t.Errorf("ReasonTexts(%q, %q): got %q, want %q", tt.codes, tt.lang, got, tt.want)
		}
	}
}
