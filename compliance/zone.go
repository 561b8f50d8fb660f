package compliance

import (
	"strings"
	"time"
)

// ZoneOf returns the IANA zone of a region code, nil when the code is not
// known. It knows:
//
//   - China's provinces, autonomous regions and municipalities by GB/T 2260
//     two-digit code ("44"), six-digit division code ("440300", by its
//     first two digits), ISO 3166-2 code ("CN-GD", "CN-44"), Chinese name
//     with or without its suffix ("广东", "广东省") or English name
//     ("Guangdong"), and "CN" itself: all Asia/Shanghai, Beijing time. That
//     includes Xinjiang and Tibet: the official time there is Beijing time,
//     even where local custom keeps Xinjiang time (Asia/Urumqi, UTC+6), and
//     the quiet hours are read in official time. Hong Kong, Macau and
//     Taiwan have their own zones (all UTC+8 today).
//   - The United States' 50 states and the District of Columbia as "US-"
//     and the USPS code ("US-CA"), and the inhabited territories ("US-PR").
//     A state that spans zones maps to the zone most of its people live
//     in (Texas: America/Chicago, not El Paso's Denver time; Florida: New
//     York, not the panhandle's Chicago); where the debtor's own zone is
//     known, from the address or the number, the caller uses that instead.
//
// Codes are matched without regard to case or surrounding space.
func ZoneOf(region string) *time.Location {
	key := strings.ToUpper(strings.TrimSpace(region))
	if loc, ok := zones[key]; ok {
		return loc
	}
	if len(key) == 6 && isDigits(key) {
		return zones[key[:2]]
	}
	for _, suffix := range cnSuffixes {
		if name, ok := strings.CutSuffix(key, suffix); ok && name != "" {
			return zones[name]
		}
	}
	return nil
}

// cnSuffixes are the endings of the official Chinese names, longest first
// so that 广西壮族自治区 loses 壮族自治区, not only 自治区.
var cnSuffixes = []string{"维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// zones maps every upper-cased code and name to its zone.
var zones = buildZones()

func buildZones() map[string]*time.Location {
	m := map[string]*time.Location{"CN": shanghai}
	for _, p := range cnProvinces {
		loc := shanghai
		if p.zone != "" {
			loc = mustZone(p.zone)
		}
		m[p.code] = loc
		m["CN-"+p.code] = loc
		m["CN-"+p.iso] = loc
		m[p.zh] = loc
		for _, en := range strings.Split(p.en, "|") {
			m[strings.ToUpper(en)] = loc
		}
	}
	for _, s := range usStates {
		m["US-"+s.code] = mustZone(s.zone)
	}
	return m
}

// cnProvinces are the provincial divisions of GB/T 2260 with their ISO
// 3166-2:CN letters, Chinese short names and English names ("|" between
// spellings). zone is "" for Beijing time.
var cnProvinces = []struct{ code, iso, zh, en, zone string }{
	{"11", "BJ", "北京", "Beijing", ""},
	{"12", "TJ", "天津", "Tianjin", ""},
	{"13", "HE", "河北", "Hebei", ""},
	{"14", "SX", "山西", "Shanxi", ""},
	{"15", "NM", "内蒙古", "Inner Mongolia|Nei Mongol|Neimenggu", ""},
	{"21", "LN", "辽宁", "Liaoning", ""},
	{"22", "JL", "吉林", "Jilin", ""},
	{"23", "HL", "黑龙江", "Heilongjiang", ""},
	{"31", "SH", "上海", "Shanghai", ""},
	{"32", "JS", "江苏", "Jiangsu", ""},
	{"33", "ZJ", "浙江", "Zhejiang", ""},
	{"34", "AH", "安徽", "Anhui", ""},
	{"35", "FJ", "福建", "Fujian", ""},
	{"36", "JX", "江西", "Jiangxi", ""},
	{"37", "SD", "山东", "Shandong", ""},
	{"41", "HA", "河南", "Henan", ""},
	{"42", "HB", "湖北", "Hubei", ""},
	{"43", "HN", "湖南", "Hunan", ""},
	{"44", "GD", "广东", "Guangdong", ""},
	{"45", "GX", "广西", "Guangxi", ""},
	{"46", "HI", "海南", "Hainan", ""},
	{"50", "CQ", "重庆", "Chongqing", ""},
	{"51", "SC", "四川", "Sichuan", ""},
	{"52", "GZ", "贵州", "Guizhou", ""},
	{"53", "YN", "云南", "Yunnan", ""},
	{"54", "XZ", "西藏", "Tibet|Xizang", ""},
	{"61", "SN", "陕西", "Shaanxi", ""},
	{"62", "GS", "甘肃", "Gansu", ""},
	{"63", "QH", "青海", "Qinghai", ""},
	{"64", "NX", "宁夏", "Ningxia", ""},
	{"65", "XJ", "新疆", "Xinjiang", ""}, // Beijing time is official; see ZoneOf
	{"71", "TW", "台湾", "Taiwan", "Asia/Taipei"},
	{"81", "HK", "香港", "Hong Kong|Hongkong", "Asia/Hong_Kong"},
	{"82", "MO", "澳门", "Macau|Macao", "Asia/Macau"},
}

// usStates are the states, DC and the inhabited territories by USPS code,
// each with the zone of most of its people.
var usStates = []struct{ code, zone string }{
	{"AL", "America/Chicago"},
	{"AK", "America/Anchorage"},
	{"AZ", "America/Phoenix"}, // no daylight saving (the Navajo Nation's is not modelled)
	{"AR", "America/Chicago"},
	{"CA", "America/Los_Angeles"},
	{"CO", "America/Denver"},
	{"CT", "America/New_York"},
	{"DE", "America/New_York"},
	{"DC", "America/New_York"},
	{"FL", "America/New_York"},
	{"GA", "America/New_York"},
	{"HI", "Pacific/Honolulu"},
	{"ID", "America/Boise"},
	{"IL", "America/Chicago"},
	{"IN", "America/Indiana/Indianapolis"},
	{"IA", "America/Chicago"},
	{"KS", "America/Chicago"},
	{"KY", "America/New_York"},
	{"LA", "America/Chicago"},
	{"ME", "America/New_York"},
	{"MD", "America/New_York"},
	{"MA", "America/New_York"},
	{"MI", "America/Detroit"},
	{"MN", "America/Chicago"},
	{"MS", "America/Chicago"},
	{"MO", "America/Chicago"},
	{"MT", "America/Denver"},
	{"NE", "America/Chicago"},
	{"NV", "America/Los_Angeles"},
	{"NH", "America/New_York"},
	{"NJ", "America/New_York"},
	{"NM", "America/Denver"},
	{"NY", "America/New_York"},
	{"NC", "America/New_York"},
	{"ND", "America/Chicago"},
	{"OH", "America/New_York"},
	{"OK", "America/Chicago"},
	{"OR", "America/Los_Angeles"},
	{"PA", "America/New_York"},
	{"RI", "America/New_York"},
	{"SC", "America/New_York"},
	{"SD", "America/Chicago"},
	{"TN", "America/Chicago"},
	{"TX", "America/Chicago"},
	{"UT", "America/Denver"},
	{"VT", "America/New_York"},
	{"VA", "America/New_York"},
	{"WA", "America/Los_Angeles"},
	{"WV", "America/New_York"},
	{"WI", "America/Chicago"},
	{"WY", "America/Denver"},
	// Territories.
	{"PR", "America/Puerto_Rico"},
	{"VI", "America/St_Thomas"},
	{"GU", "Pacific/Guam"},
	{"MP", "Pacific/Saipan"},
	{"AS", "Pacific/Pago_Pago"},
}
