package artefact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// pretty re-indents compact JSON: objects one member per line, arrays of
// scalars on one line, other arrays one element per line.
func pretty(out *bytes.Buffer, raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep every number exactly as encoded
	v, err := parse(dec)
	if err != nil {
		return err
	}
	if err := writeValue(out, v, 0); err != nil {
		return err
	}
	out.WriteByte('\n')
	return nil
}

func writeValue(out *bytes.Buffer, v any, depth int) error {
	ind := strings.Repeat("  ", depth+1)
	switch t := v.(type) {
	case orderedObject:
		if len(t) == 0 {
			out.WriteString("{}")
			return nil
		}
		if line, ok := inline(t); ok {
			out.WriteString(line)
			return nil
		}
		out.WriteString("{\n")
		for i, m := range t {
			out.WriteString(ind)
			k, _ := marshal(m.key)
			out.Write(k)
			out.WriteString(": ")
			if err := writeValue(out, m.val, depth+1); err != nil {
				return err
			}
			if i < len(t)-1 {
				out.WriteByte(',')
			}
			out.WriteByte('\n')
		}
		out.WriteString(ind[2:])
		out.WriteByte('}')
	case []any:
		if len(t) == 0 {
			out.WriteString("[]")
			return nil
		}
		flat := true
		for _, e := range t {
			switch e.(type) {
			case []any, orderedObject:
				flat = false
			}
		}
		if flat {
			out.WriteByte('[')
			for i, e := range t {
				if i > 0 {
					out.WriteString(", ")
				}
				if err := writeValue(out, e, depth); err != nil {
					return err
				}
			}
			out.WriteByte(']')
			return nil
		}
		out.WriteString("[\n")
		for i, e := range t {
			out.WriteString(ind)
			if err := writeValue(out, e, depth+1); err != nil {
				return err
			}
			if i < len(t)-1 {
				out.WriteByte(',')
			}
			out.WriteByte('\n')
		}
		out.WriteString(ind[2:])
		out.WriteByte(']')
	default:
		b, err := marshal(t)
		if err != nil {
			return err
		}
		out.Write(b)
	}
	return nil
}

// marshal encodes a scalar without escaping <, > and &: the file is read
// by people and by daihou, never embedded in HTML, and "<= 20000" should
// read as that.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// inlineWidth is the longest object written on one line.
const inlineWidth = 160

// inline renders an object of scalars on one line if it is short, which
// keeps lists of small records (features, bins) one record per line.
func inline(obj orderedObject) (string, bool) {
	var b strings.Builder
	b.WriteByte('{')
	for i, m := range obj {
		switch m.val.(type) {
		case orderedObject:
			return "", false
		case []any:
			if len(m.val.([]any)) > 0 {
				return "", false
			}
		}
		if i > 0 {
			b.WriteString(", ")
		}
		k, _ := marshal(m.key)
		b.Write(k)
		b.WriteString(": ")
		v, err := marshal(m.val)
		if err != nil {
			return "", false
		}
		b.Write(v)
		if b.Len() > inlineWidth {
			return "", false
		}
	}
	b.WriteByte('}')
	return b.String(), true
}

// parse reads one value from the token stream, keeping object members in
// order (decoding into a map would sort them, and the struct order is the
// order a reader wants).
func parse(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	switch d {
	case '{':
		obj := orderedObject{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("object key is %v", k)
			}
			v, err := parse(dec)
			if err != nil {
				return nil, err
			}
			obj = append(obj, member{key, v})
		}
		_, err := dec.Token()
		return obj, err
	case '[':
		arr := []any{}
		for dec.More() {
			v, err := parse(dec)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := dec.Token()
		return arr, err
	}
	return nil, fmt.Errorf("unexpected %v", d)
}

type member struct {
	key string
	val any
}

// orderedObject is a JSON object that keeps its members in file order.
type orderedObject []member
