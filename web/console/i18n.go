package console

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"daihou/civil"
	"daihou/money"
)

//go:embed messages
var messageFS embed.FS

// defaultLang is the console's language until a user chooses another.
const defaultLang = "zh-CN"

// langs are the catalogues, in the order the language switch offers them.
var langs = []string{"zh-CN", "en"}

// catalogues maps a language to its messages, key → text.
type catalogues map[string]map[string]string

func loadCatalogues() (catalogues, error) {
	cat := catalogues{}
	for _, l := range langs {
		// One file per part of the console (frame.json, loan.json …),
		// merged; a key in two files is a mistake, not an override.
		files, err := fs.Glob(messageFS, "messages/"+l+"/*.json")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		for _, f := range files {
			b, err := fs.ReadFile(messageFS, f)
			if err != nil {
				return nil, err
			}
			part := map[string]string{}
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("console: %s: %w", f, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("console: %s: message %q is defined twice", f, k)
				}
				m[k] = v
			}
		}
		cat[l] = m
	}
	// Every language says everything: a key missing from one would show
	// its bare name to those users.
	for _, l := range langs[1:] {
		if miss := missing(cat[langs[0]], cat[l]); len(miss) > 0 {
			return nil, fmt.Errorf("console: messages/%s lacks %v", l, miss)
		}
		if miss := missing(cat[l], cat[langs[0]]); len(miss) > 0 {
			return nil, fmt.Errorf("console: messages/%s lacks %v", langs[0], miss)
		}
	}
	return cat, nil
}

func missing(from, in map[string]string) []string {
	var out []string
	for k := range from {
		if _, ok := in[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// keyUse finds message keys used in templates: {{.T "key"}} or
// {{$.T "key" …}}.
var keyUse = regexp.MustCompile(`\.T\s+"([^"]+)"`)

// checkKeys refuses templates that use a key no catalogue has.
func (c *Console) checkKeys() error {
	return fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, path)
		if err != nil {
			return err
		}
		for _, m := range keyUse.FindAllStringSubmatch(string(b), -1) {
			if _, ok := c.cat[defaultLang][m[1]]; !ok {
				return fmt.Errorf("console: %s uses message %q, which messages/%s lacks", path, m[1], defaultLang)
			}
		}
		return nil
	})
}

// Locale speaks one language: messages and number formats.
type Locale struct {
	Lang string
	msgs map[string]string
}

func (c *Console) locale(lang string) *Locale {
	if _, ok := c.cat[lang]; !ok {
		lang = defaultLang
	}
	return &Locale{Lang: lang, msgs: c.cat[lang]}
}

// pickLang is the language of a request without a user's choice: the
// first of Accept-Language we speak, else the default.
func pickLang(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil {
		for _, l := range langs {
			if ck.Value == l {
				return l
			}
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(tag)
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh-CN"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return defaultLang
}

// T returns the message key says, with args formatted into it (fmt
// verbs). A key no catalogue has shows as ⟦key⟧, which the browser tests
// look for.
func (l *Locale) T(key string, args ...any) string {
	s, ok := l.msgs[key]
	if !ok {
		return "⟦" + key + "⟧"
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Money formats an amount in major units with separators.
func (l *Locale) Money(a money.Amount) string { return a.Grouped() }

// Int formats a count with thousands separators.
func (l *Locale) Int(n int64) string { return money.Group(n) }

// Pct formats a fraction as a percentage with two decimals ("1.23%").
func (l *Locale) Pct(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "—"
	}
	return strconv.FormatFloat(f*100, 'f', 2, 64) + "%"
}

// Date formats a business date (ISO in both languages: officers file by it).
func (l *Locale) Date(d civil.Date) string {
	if d == 0 {
		return "—"
	}
	return d.String()
}
