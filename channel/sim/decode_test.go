package sim

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"daihou"
	"daihou/channel"
	"daihou/synth"
)

// The handler's parser: any body is either a message that passes
// CheckMessage, encodes back to itself and can be decided without a
// panic, or an EINVALID error with a message — never a panic, never a
// message the rest of the simulator would trip on.
func FuzzSimDecodeMessage(f *testing.F) {
	for _, m := range []channel.Message{
		message(channel.SMS, 1, 0, day0),
		message(channel.Email, 2, 0, day0),
		func() channel.Message {
			m := message(channel.AIVoice, 3, 0, day0)
			m.NotBefore, m.NotAfter = "2026-06-30T09:00:00+08:00", "2026-06-30T09:00:30+08:00"
			return m
		}(),
		func() channel.Message {
			m := message(channel.Dialer, 4, 0, day0)
			m.NotAfter, m.AmountDue, m.DPD = "2026-06-30T21:00:00-05:00", 0, 36500
			return m
		}(),
	} {
		b, _ := json.Marshal(m)
		f.Add(b)
	}
	for _, s := range []string{``, `{}`, `null`, `[]`, `{"key":"k"}`, `{"key":"k","amount_due":1e30}`, `{"key":"\u0000"}`,
		`{"key":"k","channel":"sms","loan_id":1,"borrower_id":1,"to":"+8613800000000","business_date":"2026-02-29"}`,
		`{"key":"k","channel":"email","loan_id":1,"borrower_id":1,"to":"a@b","business_date":"2026-06-30","not_before":"2026-06-30T25:00:00Z"}`,
		`{"key":"k","channel":"sms","loan_id":9223372036854775807,"borrower_id":9223372036854775807,"to":"12345","business_date":"9999-12-31","dpd":36500,"amount_due":10000000000000000}`,
		`{"key":"k","channel":"sms","loan_id":1,"borrower_id":1,"to":"12345","business_date":"2026-06-30"} x`,
		"{\"key\":\"k\",\"name\":\"\xff\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := DecodeMessage(body)
		if err != nil {
			var e *daihou.Error
			if !errors.As(err, &e) || e.Code != daihou.EINVALID || e.Message == "" {
				t.Fatalf("DecodeMessage(%q): %#v; want an EINVALID *daihou.Error with a message", body, err)
			}
			if (m != channel.Message{}) {
				t.Fatalf("DecodeMessage(%q) = %+v with an error", body, m)
			}
			return
		}
		if err := CheckMessage(m); err != nil {
			t.Fatalf("DecodeMessage(%q) took %+v, which CheckMessage refuses: %v", body, m, err)
		}
		again, _ := json.Marshal(m)
		m2, err := DecodeMessage(again)
		if err != nil || !reflect.DeepEqual(m, m2) {
			t.Fatalf("%+v encodes as %s, which decodes as %+v, %v", m, again, m2, err)
		}
		p, _ := synth.BorrowerProfile(1, m.BorrowerID)
		d := Decide(1, m, p)
		if d.Result.Key != m.Key || d.Result.At == "" || d.Result.Status == "" {
			t.Fatalf("Decide(%+v) = %+v", m, d)
		}
	})
}
