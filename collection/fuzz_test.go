package collection_test

import (
	"encoding/json"
	"errors"
	"testing"

	"daihou"
	"daihou/civil"
	"daihou/collection"
	"daihou/warning"
)

// FuzzPlans feeds SOPs and strategies as a risk officer would put them
// (JSON from a file or the API) to the compilers: any input is compiled or
// refused with an invalid-input error naming a field, never a panic; and
// what compiles plans a loan without panicking either.
func FuzzPlans(f *testing.F) {
	sop, _ := json.Marshal(collection.DefaultSOP())
	st, _ := json.Marshal(collection.DefaultStrategy())
	f.Add(sop, true)
	f.Add(st, false)
	f.Add([]byte(`{"code":"*","steps":[{"code":"a","anchor":"overdue","offset":1,"action":"call","when":"dpd >"}]}`), true)
	f.Add([]byte(`{"code":"x","split":50,"champion":[{"name":"s","when":"true","actions":[{"day":1,"every":1,"until":0,"kind":"sms"}]}]}`), false)
	f.Add([]byte(`{"code":"x","champion":[{"name":"s","when":"custom[\"a\"] > 1","actions":[{"day":3650,"kind":"visit"}]}]}`), false)
	disb := civil.New(2025, 1, 1)
	f.Fuzz(func(t *testing.T, body []byte, isSOP bool) {
		in := input(7, disb, disb.AddDays(200), 40, warning.Work{Willingness: 20, WarningLevel: warning.Red})
		check := func(err error) {
			var e *daihou.Error
			if !errors.As(err, &e) || e.Code != daihou.EINVALID || e.Field == "" {
				t.Fatalf("refused with %v (%T), want an invalid-input error naming its field", err, err)
			}
		}
		if isSOP {
			var s collection.SOP
			if json.Unmarshal(body, &s) != nil {
				return
			}
			c, err := collection.CompileSOP(s)
			if err != nil {
				check(err)
				return
			}
			c.Plan(in)
			return
		}
		var s collection.Strategy
		if json.Unmarshal(body, &s) != nil {
			return
		}
		c, err := collection.CompileStrategy(s)
		if err != nil {
			check(err)
			return
		}
		c.Plan(in)
	})
}
