package sim

import (
	"daihou/channel"
	"daihou/webhook"
)

// SecretEnv is channel.SecretEnv: the variable a channel's secret is read
// from, on both ends (DAIHOU_CHANNEL_SECRET_AI_VOICE for ai-voice).
func SecretEnv(name string) string { return channel.SecretEnv(name) }

// URLEnv is channel.URLEnv: the variable daihou serve reads a channel's URL
// from (DAIHOU_CHANNEL_URL_AI_VOICE for ai-voice).
func URLEnv(name string) string { return channel.URLEnv(name) }

// ParseSecrets reads a secret file (webhook.ParseSecrets): one
// "channel=secret" a line, "*=secret" for every channel not named.
func ParseSecrets(text string) (map[string][]byte, error) {
	return webhook.ParseSecrets(text, "channel", channel.Names)
}

// Secrets returns each channel's secret: from file (ParseSecrets' map,
// may be nil) when it names the channel, else from the channel's
// environment variable (SecretEnv), else the file's "*" entry. Channels
// with none are not in the result.
func Secrets(file map[string][]byte, getenv func(string) string) map[string][]byte {
	return webhook.Secrets(channel.Names, file, SecretEnv, getenv)
}
