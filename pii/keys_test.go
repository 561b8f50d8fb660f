package pii_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"daihou"
	"daihou/pii"
)

func TestParseKeys(t *testing.T) {
	const url = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE" // key1 unpadded; the URL and standard alphabets agree here
	tests := []struct {
		name     string
		text     string
		versions []uint32
		current  uint32
	}{
		{"bare key", key1, []uint32{1}, 1},
		{"bare key with a new line", key1 + "\n", []uint32{1}, 1},
		{"versioned", "3:" + key1, []uint32{3}, 3},
		{"unpadded", "1:" + url, []uint32{1}, 1},
		{"URL alphabet", "1:" + strings.NewReplacer("+", "-", "/", "_").Replace("+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/8="), []uint32{1}, 1},
		{"two, comma separated", "1:" + key1 + ",2:" + key2, []uint32{1, 2}, 2},
		{"file with comments", "# keys\n2:" + key2 + "  # the new one\n\n1:" + key1 + "\r\n", []uint32{1, 2}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := pii.ParseKeys(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if got := k.Versions(); !slices.Equal(got, tt.versions) || k.Current() != tt.current {
				t.Errorf("versions %v current %d, want %v current %d", got, k.Current(), tt.versions, tt.current)
			}
		})
	}

	bad := []struct {
		name, text, why string
	}{
		{"empty", "", "no key is given"},
		{"only a comment", "# nothing\n", "no key is given"},
		{"too short", "1:AQEB", "not base64 of exactly 32 bytes"},
		{"too long", "1:" + key1[:43] + "BAQE=", "not base64 of exactly 32 bytes"},
		{"not base64", "1:" + strings.Repeat("!", 44), "not base64"},
		{"hex", "1:" + strings.Repeat("01", 32), "not base64 of exactly 32 bytes"},
		{"all zeros", "1:" + strings.Repeat("A", 43) + "=", "all zeros"},
		{"version zero", "0:" + key1, "the version is not a number"},
		{"version with a leading zero", "01:" + key1, "the version is not a number"},
		{"version too big", "65536:" + key1, "the version is not a number"},
		{"negative version", "-1:" + key1, "the version is not a number"},
		{"version twice", "1:" + key1 + " 1:" + key2, "version 1 is given twice"},
		{"one key twice", "1:" + key1 + " 2:" + key1, "repeats the key"},
		{"bare key among others", key1 + " 2:" + key2, "entry 1 has no version"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pii.ParseKeys(tt.text)
			if !errors.Is(err, pii.ErrBadKey) || daihou.ErrorCode(err) != daihou.EINVALID || !strings.Contains(err.Error(), tt.why) {
				t.Fatalf("ParseKeys = %v, want ErrBadKey saying %q", err, tt.why)
			}
			for _, secret := range []string{key1, key2, key1[:20], key2[:20], "0101010101"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q shows key material", err)
				}
			}
		})
	}
}

func TestKeyFileRoundTrip(t *testing.T) {
	k := mustRing(t, "1:"+key1+",2:"+key2)
	text := k.KeyFile()
	if !bytes.HasPrefix(text, []byte("# daihou personal-data keys")) {
		t.Errorf("key file starts %q", text[:40])
	}
	back, err := pii.ParseKeys(string(text))
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := k.Seal(pii.Name, "张三")
	if pt, err := back.Open(pii.Name, ct); err != nil || pt != "张三" {
		t.Errorf("a ring read back from its key file does not open: %q, %v", pt, err)
	}
	fresh := pii.NewKeyRing()
	if fresh.Current() != 1 || bytes.Equal(fresh.KeyFile(), pii.NewKeyRing().KeyFile()) {
		t.Error("NewKeyRing is not random")
	}
}

// TestKeyRingShowsNoKey: no way of printing or logging a ring shows a key.
func TestKeyRingShowsNoKey(t *testing.T) {
	k := mustRing(t, "1:"+key1+",2:"+key2)
	want := "pii.KeyRing{versions 1, 2; current 2}"
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("keys", "ring", k)
	js, _ := json.Marshal(struct{ Ring *pii.KeyRing }{k})
	outputs := []string{logged.String(), string(js), fmt.Sprint(*k), fmt.Sprintf("%v", []*pii.KeyRing{k})}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%d", "%q", "%T %p"} {
		out := fmt.Sprintf(verb, k)
		if verb != "%T %p" && out != want {
			t.Errorf("Sprintf(%q) = %q, want %q", verb, out, want)
		}
		outputs = append(outputs, out)
	}
	for _, out := range outputs {
		for _, secret := range []string{key1[:16], key2[:16], "0101010101", "1 1 1 1 1", "\x01\x01\x01"} {
			if strings.Contains(out, secret) {
				t.Errorf("%q shows key material", out)
			}
		}
	}
}

func FuzzParseKeys(f *testing.F) {
	f.Add(key1)
	f.Add("1:" + key1 + ",2:" + key2)
	f.Add("# c\n3:" + key2 + "\n")
	f.Add("1:")
	f.Add(":::")
	f.Fuzz(func(t *testing.T, text string) {
		k, err := pii.ParseKeys(text)
		if err != nil {
			if !errors.Is(err, pii.ErrBadKey) {
				t.Fatalf("error %v is not ErrBadKey", err)
			}
			return
		}
		vs := k.Versions()
		if len(vs) == 0 || k.Current() != slices.Max(vs) {
			t.Fatalf("ring %v", k)
		}
		back, err := pii.ParseKeys(string(k.KeyFile()))
		if err != nil || !slices.Equal(back.Versions(), vs) {
			t.Fatalf("key file of %v does not read back: %v", k, err)
		}
		ct, err := k.Seal(pii.Name, "x")
		if err != nil {
			t.Fatal(err)
		}
		if pt, err := back.Open(pii.Name, ct); err != nil || pt != "x" {
			t.Fatalf("a ring read back does not open: %v", err)
		}
	})
}
