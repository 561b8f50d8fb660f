package sim

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"daihou"
	"daihou/inputtext"
	"daihou/webhook"
)

// Handler returns the simulator's routes:
//
//	POST /{channel}   a channel.Message to deliver (sms, ai-voice, email, dialer)
//	GET  /stats       Stats, as JSON
//	GET  /healthz     200 "ok"
//
// A message answers 202 {"key":…,"status":"accepted"} when it is taken,
// 200 {"key":…,"status":"duplicate"} (and Idempotent-Replayed: true) when
// its key was taken before, 401 when the signature is missing, stale or
// wrong, 400 naming the field when the message is malformed, 404 for a
// channel not served, 413 for a body over MaxBody and 503 with
// Retry-After when the queue is full. Errors have daihou's API shape,
// {"error":{"code":…,"message":…,"field":…}}.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{channel}", s.receive)
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.Stats()) })
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	return mux
}

// Accepted is the answer to a message taken, or taken before.
type Accepted struct {
	Key    string `json:"key"`
	Status string `json:"status"` // accepted or duplicate
}

func (s *Sim) receive(w http.ResponseWriter, r *http.Request) {
	ch := r.PathValue("channel")
	secret := s.cfg.Secrets[ch]
	if secret == nil {
		s.refuse(w, http.StatusNotFound, daihou.Errorf(daihou.ENOTFOUND, "no channel %q here: this simulator serves %v", inputtext.Clip(ch, 32), s.Channels()))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			s.refuse(w, http.StatusRequestEntityTooLarge, daihou.Errorf(daihou.ETOOLARGE, "the body is over %d bytes: a channel message is well under a kilobyte", MaxBody))
			return
		}
		s.refuse(w, http.StatusBadRequest, daihou.Errorf(daihou.EINVALID, "reading the body: %v", err))
		return
	}
	if err := webhook.Verify(secret, r.Header.Get(webhook.TimestampHeader), r.Header.Get(webhook.SignatureHeader), body, s.cfg.Now()); err != nil {
		s.refuse(w, http.StatusUnauthorized, daihou.Errorf(daihou.EUNAUTHENTICATED, "%v (the %s channel's secret, $%s)", err, ch, SecretEnv(ch)))
		return
	}
	m, err := DecodeMessage(body)
	if err != nil {
		s.refuse(w, http.StatusBadRequest, err)
		return
	}
	if m.Channel != ch {
		s.refuse(w, http.StatusBadRequest, daihou.Invalid("channel", "channel: the message is for %s but was posted to /%s", m.Channel, ch))
		return
	}
	if k := r.Header.Get(webhook.IdempotencyHeader); k != "" && k != m.Key {
		s.refuse(w, http.StatusBadRequest, daihou.Invalid(webhook.IdempotencyHeader, "%s %q is not the message's key %q", webhook.IdempotencyHeader, inputtext.Clip(k, 64), m.Key))
		return
	}
	dup, err := s.accept(m)
	switch {
	case errors.Is(err, errFull):
		w.Header().Set("Retry-After", "1")
		s.problem(w, http.StatusServiceUnavailable, daihou.Errorf(daihou.ERATELIMIT, "%v: send it again in a second", err))
	case dup:
		w.Header().Set("Idempotent-Replayed", "true")
		writeJSON(w, http.StatusOK, Accepted{Key: m.Key, Status: "duplicate"})
	default:
		writeJSON(w, http.StatusAccepted, Accepted{Key: m.Key, Status: "accepted"})
	}
}

// refuse answers a message the simulator will not act on.
func (s *Sim) refuse(w http.ResponseWriter, status int, err error) {
	s.count(func(st *Stats) { st.Rejected++ })
	s.problem(w, status, err)
}

func (s *Sim) problem(w http.ResponseWriter, status int, err error) {
	type body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	}
	writeJSON(w, status, struct {
		Error body `json:"error"`
	}{body{daihou.ErrorCode(err), daihou.ErrorMessage(err), daihou.ErrorField(err)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// Serve serves the simulator on l until ctx ends, then stops taking
// messages, gives the deliveries under way up to grace to finish, and
// closes the Sim.
func (s *Sim) Serve(ctx context.Context, l net.Listener, grace time.Duration) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), grace)
		srv.Shutdown(sctx)
		s.Wait(sctx)
		cancel()
		<-errc
	}
	s.Close()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
