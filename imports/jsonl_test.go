package imports

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

type member struct {
	key  string
	kind jsonKind
	val  string
}

func scanLine(s string) (ms []member, top jsonKind, ok bool, err *jsonError) {
	sc := jsonScanner{s: s}
	top, ok = sc.object(func(k string, kind jsonKind, v string) {
		ms = append(ms, member{k, kind, v})
	})
	return ms, top, ok, sc.err
}

// decodeWithStdlib walks a line that encoding/json accepts and returns its
// top-level members as jsonScanner should report them: strings decoded,
// numbers, objects and arrays as their literal text.
func decodeWithStdlib(t *testing.T, s string) (ms []member, isObject bool) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("Token: %v", err)
		}
		key := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			t.Fatalf("Decode: %v", err)
		}
		m := member{key: key}
		switch raw[0] {
		case '"':
			m.kind = jsonString
			if err := json.Unmarshal(raw, &m.val); err != nil {
				t.Fatal(err)
			}
		case 'n':
			m.kind = jsonNull
		case 't', 'f':
			m.kind = jsonBool
		case '{':
			m.kind, m.val = jsonObject, string(raw)
		case '[':
			m.kind, m.val = jsonArray, string(raw)
		default:
			m.kind = jsonNumber
			m.val = string(raw)
		}
		ms = append(ms, m)
	}
	return ms, true
}

// checkScanner compares jsonScanner with encoding/json on one line.
func checkScanner(t *testing.T, s string) {
	if !utf8.ValidString(s) || strings.ContainsAny(s, "\n") {
		return // the line reader never hands such text to the scanner
	}
	got, _, ok, err := scanLine(s)
	if err != nil && !err.syntax {
		return // nested beyond maxJSONDepth: a reject of its own
	}
	valid := json.Valid([]byte(s))
	if (err == nil) != valid {
		t.Fatalf("line %q: scanner error %v, json.Valid %v", s, err, valid)
	}
	if !valid {
		return
	}
	want, isObject := decodeWithStdlib(t, s)
	if ok != isObject {
		t.Fatalf("line %q: scanner says object %v, encoding/json %v", s, ok, isObject)
	}
	if !ok {
		return
	}
	if len(got) != len(want) {
		t.Fatalf("line %q: scanner members %+v, encoding/json %+v", s, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("line %q: member %d: scanner %+v, encoding/json %+v", s, i, got[i], want[i])
		}
	}
}

var scannerSeeds = []string{
	`{}`, ` { } `, `{"a":"b"}`, `{"a":1,"b":-0.5e+3,"c":null,"d":true,"e":false}`,
	`{"a":{"b":[1,2,{"c":[]}]},"z":"y"}`, `{"a":"\u5f20\u4e09\n\t\"\\\/\b\f\r"}`,
	`{"a":"\ud83d\ude00"}`, `{"a":"\ud83d"}`, `{"a":"\ud83dx"}`, `{"a":"\ude00\ud83d\u0041"}`,
	`{"a":1,}`, `{"a" 1}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":-}`, `{"a":"x`,
	`{"a":"\x"}`, `{"a":"\u12"}`, `{a:1}`, `{'a':1}`, `[1,2]`, `"s"`, `12`, `null`, `{"a":1}x`,
	`{"a":1} {"b":2}`, `{"a":tru}`, `{"a":nul}`, "{\"a\":\"\x01\"}", `{"a":[1,]}`, `{"a":[1 2]}`,
	`{"a":{"b"}}`, `{"a":{"b":1,}}`, `{"dup":1,"dup":2}`, `{"":""}`, `{"a":"张三"}`, ``, `  `,
}

func TestJSONScannerMatchesEncodingJSON(t *testing.T) {
	for _, s := range scannerSeeds {
		t.Run(s, func(t *testing.T) { checkScanner(t, s) })
	}
}

func TestJSONScannerDepth(t *testing.T) {
	deep := `{"a":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`
	_, _, ok, err := scanLine(deep)
	if ok || err == nil || err.syntax {
		t.Fatalf("got ok=%v err=%+v; want a non-syntax depth error", ok, err)
	}
}

// FuzzJSONScanner checks the hand-written JSON scanner against
// encoding/json: same verdict on validity, same members and values.
func FuzzJSONScanner(f *testing.F) {
	for _, s := range scannerSeeds {
		f.Add(s)
	}
	for _, name := range []string{"testdata/loans_good.jsonl", "testdata/loans_bad.jsonl", "testdata/payments_bad.jsonl"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, l := range bytes.Split(data, []byte("\n")) {
			f.Add(string(l))
		}
	}
	f.Fuzz(checkScanner)
}
