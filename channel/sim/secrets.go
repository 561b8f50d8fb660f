package sim

import (
	"fmt"
	"strings"

	"daihou/channel"
)

// SecretEnv is channel.SecretEnv: the variable a channel's secret is read
// from, on both ends (DAIHOU_CHANNEL_SECRET_AI_VOICE for ai-voice).
func SecretEnv(name string) string { return channel.SecretEnv(name) }

// URLEnv is channel.URLEnv: the variable daihou serve reads a channel's URL
// from (DAIHOU_CHANNEL_URL_AI_VOICE for ai-voice).
func URLEnv(name string) string { return channel.URLEnv(name) }

// ParseSecrets reads a secret file: one "channel=secret" a line
// ("*=secret" for every channel not named); blank lines and lines starting
// with # are skipped; the secret is the rest of the line, spaces around it
// trimmed.
func ParseSecrets(text string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, secret, ok := strings.Cut(line, "=")
		name, secret = strings.TrimSpace(name), strings.TrimSpace(secret)
		switch {
		case !ok || secret == "":
			return nil, fmt.Errorf("line %d: want channel=secret", n+1)
		case name != "*" && !channel.Known(name):
			return nil, fmt.Errorf("line %d: unknown channel %q (want one of %s, or *)", n+1, name, strings.Join(channel.Names, ", "))
		case out[name] != nil:
			return nil, fmt.Errorf("line %d: a second secret for %s", n+1, name)
		}
		out[name] = []byte(secret)
	}
	return out, nil
}

// Secrets returns each channel's secret: from file (ParseSecrets' map,
// may be nil) when it names the channel, else from the channel's
// environment variable (SecretEnv), else the file's "*" entry. Channels
// with none are not in the result.
func Secrets(file map[string][]byte, getenv func(string) string) map[string][]byte {
	out := map[string][]byte{}
	for _, c := range channel.Names {
		switch {
		case file[c] != nil:
			out[c] = file[c]
		case getenv != nil && getenv(SecretEnv(c)) != "":
			out[c] = []byte(getenv(SecretEnv(c)))
		case file["*"] != nil:
			out[c] = file["*"]
		}
	}
	return out
}
