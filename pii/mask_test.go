package pii_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"

	"daihou/auth"
	"daihou/pii"
)

func TestMaskIDNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"110105194912310021", "110***********0021"},
		{"11010519491231002X", "110***********002X"},
		{"11010519491231002x", "110***********002X"},
		{" 110105 19491231 002X ", "110***********002X"},
		{"１１０１０５１９４９１２３１００２Ｘ", "110***********002X"},
		{"110105491231002", "110*********002"}, // 15 digits, before 1999
		{"E12345678", "*******78"},             // passport: last quarter
		{"H1234567890", "*********90"},         // 港澳居民来往内地通行证 (11)
		{"810000199001011234", "810***********1234"},
		{"A1234567(8)", "*********8)"},
		{"1101051949123100XX", "**************00XX"}, // not a valid 身份证号: other
		{"12345", "****5"},
		{"1234", "***4"},
		{"123", "***"},
		{"X", "*"},
		{"", ""},
		{"护照号码ABCD", "******CD"},
	}
	for _, tt := range tests {
		if got := pii.MaskIDNumber(tt.in); got != tt.want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13800135678", "138****5678"},
		{"138 0013 5678", "138****5678"},
		{"138-0013-5678", "138****5678"},
		{"+86 138 0013 5678", "+86 138****5678"},
		{"008613800135678", "+86 138****5678"},
		{"8613800135678", "+86 138****5678"},
		{"１３８００１３５６７８", "138****5678"},
		{"19912345678", "199****5678"},
		{"12345678901", "*******8901"}, // 12…: not a mobile prefix
		{"010-88881234", "*******1234"},
		{"(021) 6888 1234", "*******1234"},
		{"+1 415 555 0100", "+*******0100"},
		{"+852 9123 4567", "+*******4567"},
		{"00852 9123 4567", "+*******4567"},
		{"+1 138 0013 5678", "+********5678"}, // not China's code
		{"95588", "***88"},
		{"110", "***"},
		{"", ""},
		{"unknown", "*******"},
		{"无", "*"},
	}
	for _, tt := range tests {
		if got := pii.MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"张三", "张*"},
		{"张三丰", "张**"},
		{"欧阳娜娜", "欧阳**"},
		{"欧阳娜", "欧阳*"},
		{"司马相如", "司马**"},
		{"欧阳", "欧*"},
		{"张李晓明", "张李**"},
		{"爱新觉罗溥仪", "爱新****"},
		{"张", "*"},
		{"  张三  ", "张*"},
		{"阿卜杜拉·买买提", "阿***·买**"},
		{"阿卜杜拉•买买提", "阿***•买**"},
		{"张 三", "张 *"},
		{"John Smith", "J*** S****"},
		{"John F. Kennedy", "J*** F. K******"},
		{"Jean-Luc Picard", "J***-L** P*****"},
		{"O'Brien", "O'B****"},
		{"Madonna", "M******"},
		{"J", "*"},
		{"A.", "*."},
		{"A. B.", "A. *."},
		{"A B", "A *"},
		{"", ""},
		{"Ｊｏｈｎ", "J***"},
		{"李 Lee", "李 L**"},
		{"Zoë Ångström", "Z** Å*******"},
	}
	for _, tt := range tests {
		if got := pii.MaskName(tt.in); got != tt.want {
			t.Errorf("MaskName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"广东省深圳市南山区科技园路1号", "广东省深圳市****"},
		{"广东省 深圳市 南山区 科技园路1号", "广东省深圳市****"},
		{"广东省广州市天河区", "广东省广州市****"},
		{"浙江省杭州市西湖区文三路", "浙江省杭州市****"},
		{"北京市朝阳区建国路88号", "北京市****"},
		{"上海市浦东新区世纪大道100号", "上海市****"},
		{"深圳市南山区", "深圳市****"},
		{"新疆维吾尔自治区乌鲁木齐市天山区", "新疆维吾尔自治区乌鲁木齐市****"},
		{"内蒙古自治区锡林郭勒盟锡林浩特市", "内蒙古自治区锡林郭勒盟锡林浩特市"}, // nothing finer than the city
		{"湖北省恩施土家族苗族自治州恩施市舞阳坝街道", "湖北省恩施土家族苗族自治州****"},
		{"香港特别行政区九龙弥敦道", "香港特别行政区****"},
		{"广东深圳市南山区", "广东深圳市****"},
		{"江苏省", "江苏省"},
		{"江苏省某某镇", "江苏省****"},
		{"市场路1号", "****"},
		{"朝阳区建国路88号", "****"},
		{"221B Baker Street, London", "****, London"},
		{"1 Main St, Springfield, IL 62701", "****, IL 62701"},
		{"somewhere", "****"},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := pii.MaskAddress(tt.in); got != tt.want {
			t.Errorf("MaskAddress(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A name that already starts with a star is still hidden (a case the
// property test found).
func TestMaskNameStarred(t *testing.T) {
	for _, in := range []string{"*.", "*-", "* ."} {
		if got := pii.MaskName(in); got == strings.TrimSpace(in) {
			t.Errorf("MaskName(%q) = %q: shown whole", in, got)
		}
	}
}

func TestMaskOtherField(t *testing.T) {
	if got := pii.Mask("employer", " 深圳市某某科技有限公司 "); got != strings.Repeat("*", 11) {
		t.Errorf("Mask(employer) = %q", got)
	}
	if got := pii.Mask(pii.Phone, "13800135678"); got != "138****5678" {
		t.Errorf("Mask(phone) = %q", got)
	}
}

// TestMaskHides: a mask never shows a value of two characters or more
// whole, and name and ID masks keep the number of characters.
func TestMaskHides(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.StringN(2, 30, -1).Draw(t, "value")
		for _, f := range []pii.Field{pii.Name, pii.IDNumber, pii.Phone, pii.Address, "other"} {
			m := pii.Mask(f, s)
			// A value of stars alone looks like its own mask: nothing to hide.
			if v := strings.TrimSpace(s); m == v && strings.Trim(v, "*") != "" && f != pii.Address {
				t.Fatalf("Mask(%s, %q) shows it whole", f, s)
			}
			if !utf8.ValidString(m) {
				t.Fatalf("Mask(%s, %q) = %q, not UTF-8", f, s, m)
			}
		}
		if got, want := utf8.RuneCountInString(pii.MaskIDNumber(s)), utf8.RuneCountInString(pii.Normalize(pii.IDNumber, s)); got != want {
			t.Fatalf("MaskIDNumber(%q) has %d characters, want %d", s, got, want)
		}
	})
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{"张三", "11010519491231002X", "+86 138 0013 5678", "广东省深圳市南山区", "a·b", "\xff", "省市"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, field := range []pii.Field{pii.Name, pii.IDNumber, pii.Phone, pii.Address, "x"} {
			m := pii.Mask(field, s)
			if utf8.RuneCountInString(m) > utf8.RuneCountInString(s)+4 {
				t.Fatalf("Mask(%s, %q) = %q is longer than the value", field, s, m)
			}
			_ = pii.Normalize(field, s)
		}
	})
}

func TestPolicy(t *testing.T) {
	p := pii.DefaultPolicy()
	tests := []struct {
		roles []auth.Role
		f     pii.Field
		want  pii.View
	}{
		{[]auth.Role{auth.Collector}, pii.Name, pii.Plain},
		{[]auth.Role{auth.Collector}, pii.Phone, pii.Masked},
		{[]auth.Role{auth.AccountManager}, pii.Name, pii.Plain},
		{[]auth.Role{auth.AccountManager}, pii.IDNumber, pii.Masked},
		{[]auth.Role{auth.Legal}, pii.Address, pii.Masked},
		{[]auth.Role{auth.Auditor}, pii.Name, pii.Masked},
		{[]auth.Role{auth.Manager}, pii.Name, pii.Masked},
		{[]auth.Role{auth.Admin}, pii.Name, pii.Masked},
		{[]auth.Role{auth.Manager, auth.Collector}, pii.Name, pii.Plain},
		{[]auth.Role{"chief"}, pii.Name, pii.Masked},
		{nil, pii.Name, pii.Masked},
		{[]auth.Role{auth.Collector}, "employer", pii.Masked},
	}
	for _, tt := range tests {
		if got := p.View(tt.roles, tt.f); got != tt.want {
			t.Errorf("View(%v, %s) = %s, want %s", tt.roles, tt.f, got, tt.want)
		}
	}
	var none pii.Policy
	if none.View([]auth.Role{auth.Collector}, pii.Name) != pii.Masked {
		t.Error("a nil policy shows plain")
	}
	if got := p.Show([]auth.Role{auth.Auditor}, pii.Phone, "13800135678"); got != "138****5678" {
		t.Errorf("Show to the auditor = %q", got)
	}
	if got := p.Show([]auth.Role{auth.Collector}, pii.Name, "张三"); got != "张三" {
		t.Errorf("Show to the collector = %q", got)
	}
	p[auth.Collector][pii.Phone] = pii.Plain
	if pii.DefaultPolicy().View([]auth.Role{auth.Collector}, pii.Phone) != pii.Masked {
		t.Error("DefaultPolicy shares its maps")
	}
}
