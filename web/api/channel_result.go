package api

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"daihou"
	"daihou/auth"
	"daihou/channel"
	"daihou/inputtext"
	"daihou/webhook"
)

// EnvChannelSecret returns a channel's webhook secret from the
// environment (channel.SecretEnv: DAIHOU_CHANNEL_SECRET_AI_VOICE for
// ai-voice), nil when none is set.
func EnvChannelSecret(name string) []byte {
	if v := os.Getenv(channel.SecretEnv(name)); v != "" {
		return []byte(v)
	}
	return nil
}

// ChannelResultAnswer is the answer to a channel's result: Recorded is
// false for a result already recorded (a callback delivered twice).
type ChannelResultAnswer struct {
	Recorded bool `json:"recorded"`
}

// PostChannelResult answers POST /api/v1/channels/{channel}/results: what
// a channel reports of a message daihou sent it — a delivery receipt or a
// call's result, one channel.Result as JSON — signed under the channel's
// secret as the outbox signs what it sends (package webhook). It is
// recorded as the contact it was, with the AI voice's willingness score
// and the promise it took, by the channel's webhook actor. 401 unsigned
// or badly signed; 404 for an unknown channel, one whose secret is not
// set, or a key that names no message of the channel; 400 naming the
// field at fault. A result already recorded answers recorded false.
func (a *API) PostChannelResult(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("channel")
	if !channel.Known(name) {
		a.fail(w, r, daihou.Errorf(daihou.ENOTFOUND, "no channel %q: want one of %s", inputtext.Clip(name, 32), strings.Join(channel.Names, ", ")))
		return
	}
	var secret []byte
	if a.ChannelSecret != nil {
		secret = a.ChannelSecret(name)
	}
	if len(secret) < channel.MinSecret {
		why := "is not set"
		if len(secret) > 0 {
			why = fmt.Sprintf("is shorter than the %d bytes a secret needs", channel.MinSecret)
		}
		a.fail(w, r, daihou.Errorf(daihou.ENOTFOUND, "the results callback of channel %s is off: %s %s on the server", name, channel.SecretEnv(name), why))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// Bad signatures count against the sender's address like bad tokens.
	if err := a.Limiter.Check("", source(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := webhook.Verify(secret, r.Header.Get(webhook.TimestampHeader), r.Header.Get(webhook.SignatureHeader), body, a.now()); err != nil {
		a.Limiter.Failed("", source(r))
		a.fail(w, r, daihou.Errorf(daihou.EUNAUTHENTICATED, "%v", err))
		return
	}
	var res channel.Result
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := decode(r, &res); err != nil {
		a.fail(w, r, err)
		return
	}
	actor, err := auth.Webhook("channel-" + name)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	fresh, err := a.DB.RecordResult(auth.NewContext(r.Context(), actor), name, res)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ChannelResultAnswer{Recorded: fresh})
}
