package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"daihou"
	"daihou/channel"
	"daihou/civil"
	"daihou/inputtext"
)

// MaxBody bounds a message's body: a Message is well under a kilobyte.
const MaxBody = 64 << 10

// DecodeMessage reads body as one channel.Message and checks it as a
// gateway would before it accepts the job: every error is an EINVALID
// *daihou.Error naming the field at fault (daihou.ErrorField). Unknown
// fields are refused, as daihou's own API refuses them: a misspelt field
// must not pass unseen between two builds of the same program.
func DecodeMessage(body []byte) (channel.Message, error) {
	var m channel.Message
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return channel.Message{}, decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return channel.Message{}, daihou.Errorf(daihou.EINVALID, "the body must hold one JSON object and nothing after it")
	}
	if err := CheckMessage(m); err != nil {
		return channel.Message{}, err
	}
	return m, nil
}

// Bounds of a message's fields.
const (
	maxKey    = 64
	maxText   = 200   // name, template, loan number, to
	maxDPD    = 36500 // a hundred years
	maxAmount = 1e16  // fen: a hundred trillion yuan
)

// CheckMessage reports the first field of m that no real gateway would
// take, as an EINVALID *daihou.Error naming it.
func CheckMessage(m channel.Message) error {
	for _, f := range []struct{ name, v string }{
		{"key", m.Key}, {"channel", m.Channel}, {"loan_number", m.LoanNumber}, {"to", m.To}, {"name", m.Name},
		{"template", m.Template}, {"lang", m.Lang}, {"currency", m.Currency}, {"business_date", m.BusinessDate},
		{"not_before", m.NotBefore}, {"not_after", m.NotAfter},
	} {
		switch {
		case !utf8.ValidString(f.v) || strings.ContainsRune(f.v, 0) || strings.ContainsRune(f.v, utf8.RuneError):
			return daihou.Invalid(f.name, "%s: holds a NUL or bytes that are not UTF-8", f.name)
		case len(f.v) > maxText:
			return daihou.Invalid(f.name, "%s: at most %d bytes (got %d)", f.name, maxText, len(f.v))
		}
	}
	switch {
	case m.Key == "":
		return daihou.Invalid("key", "key: required, the message's idempotency key")
	case len(m.Key) > maxKey || strings.IndexFunc(m.Key, func(c rune) bool { return c > unicode.MaxASCII || !unicode.IsPrint(c) || c == ' ' }) >= 0:
		return daihou.Invalid("key", "key: want 1 to %d printable ASCII characters without spaces", maxKey)
	case !channel.Known(m.Channel):
		return daihou.Invalid("channel", "channel: want one of %s, not %q", strings.Join(channel.Names, ", "), inputtext.Clip(m.Channel, 32))
	case m.TaskID < 0:
		return daihou.Invalid("task_id", "task_id: want 0 (none) or a task's id, not %d", m.TaskID)
	case m.LoanID <= 0:
		return daihou.Invalid("loan_id", "loan_id: required, a positive loan id (got %d)", m.LoanID)
	case m.BorrowerID <= 0:
		return daihou.Invalid("borrower_id", "borrower_id: required, a positive borrower id (got %d)", m.BorrowerID)
	case m.AmountDue < 0 || m.AmountDue > maxAmount:
		return daihou.Invalid("amount_due", "amount_due: want fen from 0 to %d, not %d", int64(maxAmount), m.AmountDue)
	case m.Currency != "" && !isCurrency(m.Currency):
		return daihou.Invalid("currency", "currency: want an ISO 4217 code such as CNY, not %q", inputtext.Clip(m.Currency, 16))
	case m.DPD < 0 || m.DPD > maxDPD:
		return daihou.Invalid("dpd", "dpd: want days past due from 0 to %d, not %d", maxDPD, m.DPD)
	case m.Lang != "" && m.Lang != "zh-CN" && m.Lang != "en":
		return daihou.Invalid("lang", "lang: want zh-CN or en, not %q", inputtext.Clip(m.Lang, 16))
	}
	if err := checkTo(m.Channel, m.To); err != nil {
		return err
	}
	if _, err := civil.Parse(m.BusinessDate); err != nil {
		return daihou.Invalid("business_date", "business_date: want the date YYYY-MM-DD of the close of business that made the message, not %q", inputtext.Clip(m.BusinessDate, 32))
	}
	var from, to time.Time
	for _, f := range []struct {
		name, v string
		t       *time.Time
	}{{"not_before", m.NotBefore, &from}, {"not_after", m.NotAfter, &to}} {
		if f.v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, f.v)
		if err != nil {
			return daihou.Invalid(f.name, "%s: want an RFC 3339 instant such as 2026-06-30T09:00:00+08:00, not %q", f.name, inputtext.Clip(f.v, 40))
		}
		*f.t = t
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return daihou.Invalid("not_after", "not_after %s is before not_before %s: the contact window is empty", m.NotAfter, m.NotBefore)
	}
	return nil
}

// checkTo checks the address for the channel: an email address for email,
// a phone number for the others.
func checkTo(ch, to string) error {
	if to == "" {
		return daihou.Invalid("to", "to: required, the number or address to contact")
	}
	if ch == channel.Email {
		local, domain, ok := strings.Cut(to, "@")
		if !ok || local == "" || domain == "" || strings.ContainsAny(to, " \t\r\n<>,;") || strings.Contains(domain, "@") {
			return daihou.Invalid("to", "to: want an email address for the email channel, not %q", inputtext.Clip(to, 40))
		}
		return nil
	}
	digits := strings.TrimPrefix(to, "+")
	ok := len(digits) >= 5 && len(digits) <= 20
	for _, c := range digits {
		ok = ok && c >= '0' && c <= '9'
	}
	if !ok {
		return daihou.Invalid("to", "to: want a phone number of 5 to 20 digits (an optional leading +) for the %s channel, not %q", ch, inputtext.Clip(to, 40))
	}
	return nil
}

func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// decodeError turns a JSON decoding error into one that names the field.
func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return daihou.Errorf(daihou.EINVALID, "the body is empty: send a channel message as a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return daihou.Errorf(daihou.EINVALID, "the body ends in the middle of a JSON value")
	case errors.As(err, &syn):
		return daihou.Errorf(daihou.EINVALID, "the body is not valid JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		if typ.Field == "" {
			return daihou.Errorf(daihou.EINVALID, "the body must be a JSON object, not a %s", typ.Value)
		}
		return daihou.Invalid(typ.Field, "%s: want a %s, not a %s", typ.Field, kind(typ.Type.Kind().String()), typ.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if n, err := strconv.Unquote(name); err == nil {
			name = n
		}
		name = inputtext.Clip(name, 64)
		return daihou.Invalid(name, "unknown field %q: a channel message has the fields of channel.Message", name)
	}
	return daihou.Errorf(daihou.EINVALID, "the body could not be read as a channel message: %s", inputtext.Clip(err.Error(), 200))
}

func kind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "number"
	case k == "string":
		return "string"
	case k == "bool":
		return "boolean"
	}
	return "object"
}
