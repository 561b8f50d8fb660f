package api_test

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"daihou"
	"daihou/collection"
	"daihou/warning"
	"daihou/web/api"
)

// A refused document is EINVALID and says where: a line:column, or the
// field at fault.
var where = regexp.MustCompile(`^\d+:\d+: `)

func refusedWell(t *testing.T, err error) {
	t.Helper()
	if daihou.ErrorCode(err) != daihou.EINVALID {
		t.Fatalf("%v: code %s, want invalid", err, daihou.ErrorCode(err))
	}
	if msg := daihou.ErrorMessage(err); msg == "" || len(msg) > 400 {
		t.Fatalf("message %q: empty or unbounded", msg)
	}
}

// roundTrip checks that what was accepted, written as JSON, reads back
// the same.
func roundTrip[T any](t *testing.T, got T, decode func([]byte) (T, error)) {
	t.Helper()
	out, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("accepted %+v, which does not encode: %v", got, err)
	}
	back, err := decode(out)
	if err != nil || !reflect.DeepEqual(back, got) {
		t.Fatalf("accepted %+v; its JSON %s reads back as %+v, %v", got, out, back, err)
	}
}

func seedDocuments(f *testing.F, good any) {
	data, err := json.Marshal(good)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, s := range []string{"", "\ufeff", "{}", "[]", "null", "[null]", `{"code":1}`, `{"code":"x"} {}`, `{"code":"x","unknown":1}`, "{\n\"code\": \"x\",\n\"steps\": [\n{\"ofset\": 3}]}", `[{"code":"a","expr":"true"},{"code":""}]`} {
		f.Add([]byte(s))
	}
}

func FuzzDecodeRules(f *testing.F) {
	var rules []api.RuleRequest
	for _, r := range warning.Defaults() {
		on := r.Enabled
		rules = append(rules, api.RuleRequest{Code: r.Code, Name: r.Name, Expr: r.Expr, Severity: r.Severity.String(), Cooldown: r.Cooldown, Owner: r.Owner, Enabled: &on, Description: r.Description})
	}
	seedDocuments(f, rules)
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := api.DecodeRules(data)
		if err != nil {
			refusedWell(t, err)
			msg := daihou.ErrorMessage(err)
			if where.MatchString(msg) || daihou.ErrorField(err) != "" || strings.HasPrefix(msg, "the file is empty") || msg == "the list holds no rule" {
				return
			}
			t.Fatalf("%q: %v names no place", data, err)
		}
		if len(got) == 0 {
			t.Fatal("accepted a file of no rules")
		}
		for _, r := range got {
			if r.Code == "" {
				t.Fatalf("accepted a rule with no code: %+v", r)
			}
		}
		roundTrip(t, got, api.DecodeRules)
	})
}

func FuzzDecodeSOP(f *testing.F) { fuzzDocument(f, collection.DefaultSOP(), api.DecodeSOP) }

func FuzzDecodeStrategy(f *testing.F) {
	fuzzDocument(f, collection.DefaultStrategy(), api.DecodeStrategy)
}

// fuzzDocument fuzzes decode, seeded with good: what it refuses is
// refused well, what it accepts reads back the same.
func fuzzDocument[T any](f *testing.F, good T, decode func([]byte) (T, error)) {
	seedDocuments(f, good)
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decode(data)
		if err != nil {
			refusedWell(t, err)
			return
		}
		roundTrip(t, got, decode)
	})
}
