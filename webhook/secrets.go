package webhook

import (
	"fmt"
	"slices"
	"strings"

	"daihou/inputtext"
)

// ParseSecrets reads a file of shared secrets, as the simulators take them
// with --secrets: one "name=secret" a line, "*=secret" for every name not
// given one; blank lines and lines starting with # are skipped, and the
// secret is the rest of the line with the spaces around it trimmed. kind
// is what the names are ("source", "channel"), for the errors; names are
// the ones allowed.
func ParseSecrets(text, kind string, names []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	text = strings.TrimPrefix(text, "\ufeff") // as some editors save it
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, secret, ok := strings.Cut(line, "=")
		name, secret = strings.TrimSpace(name), strings.TrimSpace(secret)
		switch {
		case !ok || secret == "":
			return nil, fmt.Errorf("line %d: want %s=secret", n+1, kind)
		case name != "*" && !slices.Contains(names, name):
			return nil, fmt.Errorf("line %d: unknown %s %q (want one of %s, or *)", n+1, kind, inputtext.Clip(name, 40), strings.Join(names, ", "))
		case out[name] != nil:
			return nil, fmt.Errorf("line %d: a second secret for %s", n+1, name)
		}
		out[name] = []byte(secret)
	}
	return out, nil
}

// Secrets returns the secret of each of names that has one: from file
// (ParseSecrets' map, may be nil) when it names it, else from its
// environment variable, env(name), read with getenv (may be nil), else
// the file's "*" entry.
func Secrets(names []string, file map[string][]byte, env, getenv func(string) string) map[string][]byte {
	out := map[string][]byte{}
	for _, n := range names {
		switch {
		case file[n] != nil:
			out[n] = file[n]
		case getenv != nil && getenv(env(n)) != "":
			out[n] = []byte(getenv(env(n)))
		case file["*"] != nil:
			out[n] = file["*"]
		}
	}
	return out
}
