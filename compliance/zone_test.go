package compliance

import "testing"

func TestZoneOf(t *testing.T) {
	for _, c := range []struct {
		region, want string // want "" for nil
	}{
		{"US-CA", "America/Los_Angeles"},
		{"us-ny", "America/New_York"},
		{" US-TX ", "America/Chicago"},
		{"US-AZ", "America/Phoenix"},
		{"US-HI", "Pacific/Honolulu"},
		{"US-AK", "America/Anchorage"},
		{"US-DC", "America/New_York"},
		{"US-IN", "America/Indiana/Indianapolis"},
		{"US-PR", "America/Puerto_Rico"},
		{"北京", "Asia/Shanghai"},
		{"北京市", "Asia/Shanghai"},
		{"广东省", "Asia/Shanghai"},
		{"广西壮族自治区", "Asia/Shanghai"},
		{"44", "Asia/Shanghai"},
		{"440300", "Asia/Shanghai"},
		{"CN-GD", "Asia/Shanghai"},
		{"cn-44", "Asia/Shanghai"},
		{"Guangdong", "Asia/Shanghai"},
		{"Inner Mongolia", "Asia/Shanghai"},
		{"CN", "Asia/Shanghai"},
		{"65", "Asia/Shanghai"}, // Xinjiang keeps official Beijing time
		{"新疆维吾尔自治区", "Asia/Shanghai"},
		{"Xinjiang", "Asia/Shanghai"},
		{"西藏自治区", "Asia/Shanghai"},
		{"81", "Asia/Hong_Kong"},
		{"香港特别行政区", "Asia/Hong_Kong"},
		{"CN-MO", "Asia/Macau"},
		{"71", "Asia/Taipei"},
		{"", ""},
		{"US", ""},
		{"US-XX", ""},
		{"CA", ""}, // a bare state code is not a region: it could be Canada
		{"99", ""},
		{"990000", ""},
		{"省", ""},
		{"火星省", ""},
	} {
		t.Run(c.region, func(t *testing.T) {
			loc := ZoneOf(c.region)
			got := ""
			if loc != nil {
				got = loc.String()
			}
			if got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestZoneOfEveryState(t *testing.T) {
	states := []string{"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
		"KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC",
		"ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC"}
	if got, want := len(states), 51; got != want {
		t.Fatalf("got %d codes, want %d", got, want)
	}
	for _, s := range states {
		if ZoneOf("US-"+s) == nil {
			t.Errorf("got no zone for US-%s, want one", s)
		}
	}
}

func TestZoneOfEveryProvince(t *testing.T) {
	for _, p := range cnProvinces {
		for _, key := range []string{p.code, p.zh, "CN-" + p.iso} {
			if ZoneOf(key) == nil {
				t.Errorf("got no zone for %q, want one", key)
			}
		}
	}
}
