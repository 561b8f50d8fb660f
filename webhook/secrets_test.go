package webhook_test

import (
	"slices"
	"strings"
	"testing"

	"daihou/webhook"
)

var names = []string{"bureau", "court", "tax"}

func env(n string) string { return "SECRET_" + strings.ToUpper(n) }

func TestParseSecrets(t *testing.T) {
	file, err := webhook.ParseSecrets("\ufeff# secrets\r\nbureau = b1 = b2 \r\n\n*=all\n", "source", names)
	if err != nil {
		t.Fatal(err)
	}
	getenv := map[string]string{"SECRET_BUREAU": "env-b", "SECRET_COURT": "env-c"}
	got := webhook.Secrets(names, file, env, func(k string) string { return getenv[k] })
	// The file wins over the environment, which wins over the file's "*";
	// a secret may hold "=".
	if string(got["bureau"]) != "b1 = b2" || string(got["court"]) != "env-c" || string(got["tax"]) != "all" || len(got) != 3 {
		t.Errorf("secrets %q", got)
	}
	if got := webhook.Secrets(names, nil, env, func(k string) string { return getenv[k] }); len(got) != 2 {
		t.Errorf("from the environment alone: %q", got)
	}
	if got := webhook.Secrets(names, nil, env, nil); len(got) != 0 {
		t.Errorf("nothing given: %q", got)
	}
	for bad, says := range map[string]string{
		"bureau":                       "line 1: want source=secret",
		"bureau=":                      "line 1: want source=secret",
		"# c\nnonsense=x":              `line 2: unknown source "nonsense" (want one of bureau, court, tax, or *)`,
		"bureau=a\nbureau=b":           "line 2: a second secret for bureau",
		"*=a\n*=b":                     "line 2: a second secret for *",
		"=x":                           `line 1: unknown source ""`,
		strings.Repeat("a", 99) + "=x": "…",
	} {
		if _, err := webhook.ParseSecrets(bad, "source", names); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("ParseSecrets(%q): %v, want an error saying %q", bad, err, says)
		}
	}
}

// Whatever a secret file holds, ParseSecrets either refuses it or gives
// only names it allows, each with a secret that has no space around it,
// and reads its own output back the same.
func FuzzParseSecrets(f *testing.F) {
	for _, s := range []string{"", "bureau=b1\n*=all", "# x\n\n court = c ", "bureau", "x=y", "tax=a\ntax=b", "=", "*==", "\ufeffbureau=1\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, err := webhook.ParseSecrets(text, "source", names)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "line ") {
				t.Fatalf("error %q does not name the line", err)
			}
			return
		}
		var again strings.Builder
		for n, s := range got {
			if n != "*" && !slices.Contains(names, n) {
				t.Fatalf("name %q accepted", n)
			}
			if len(s) == 0 || strings.TrimSpace(string(s)) != string(s) || strings.ContainsAny(string(s), "\n") {
				t.Fatalf("secret %q of %s", s, n)
			}
			again.WriteString(n + "=" + string(s) + "\n")
		}
		back, err := webhook.ParseSecrets(again.String(), "source", names)
		if err != nil || len(back) != len(got) {
			t.Fatalf("own output %q: %v %q", again.String(), err, back)
		}
		for n, s := range got {
			if string(back[n]) != string(s) {
				t.Fatalf("own output: %s is %q, was %q", n, back[n], s)
			}
		}
	})
}
