package api

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/imports"
	"daihou/inputtext"
	datasource "daihou/source"
	"daihou/store"
)

// EnvSecrets returns the webhook secret of a source from the environment,
// nil when none is set (the source's webhook is then off).
func EnvSecrets(name string) []byte {
	if v := os.Getenv(datasource.SecretEnv(name)); v != "" {
		return []byte(v)
	}
	return nil
}

// WebhookResult is the answer to a delivery.
type WebhookResult struct {
	Records    int            `json:"records"`
	Stored     int            `json:"stored"`
	Duplicates int            `json:"duplicates"`
	Rejected   []WebhookError `json:"rejected"`
	// Warnings are the warnings the stored records raised at once.
	Warnings int `json:"warnings"`
}

// WebhookError is one record of a delivery that was not stored: its line
// in the body (1-based) and why.
type WebhookError struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// PostSourceRecords answers POST /api/v1/sources/{source}/records: a
// source's webhook. The request is signed (datasource.Verify) under the
// source's secret; the body is JSON Lines of records in the source's
// format. A body with any malformed record stores nothing and answers 400
// naming every bad line, so the sender corrects it and sends it whole
// again; a record for a borrower the book does not hold is answered in
// rejected beside the others stored (re-sending the body stores nothing
// twice). 200 comes only after the records are committed.
func (a *API) PostSourceRecords(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("source")
	adapter, err := datasource.Lookup(name)
	if err != nil {
		a.fail(w, r, daihou.Errorf(daihou.ENOTFOUND, "%v", err))
		return
	}
	secret := a.secret(name)
	if secret == nil {
		a.fail(w, r, daihou.Errorf(daihou.ENOTFOUND, "the webhook of source %s is off: set %s on the server to its secret", name, datasource.SecretEnv(name)))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// Bad signatures count against the sender's address like bad tokens:
	// a secret is not guessed one request at a time.
	if err := a.Limiter.Check("", source(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := datasource.Verify(secret, r.Header.Get(datasource.TimestampHeader), r.Header.Get(datasource.SignatureHeader), body, a.now()); err != nil {
		a.Limiter.Failed("", source(r))
		a.fail(w, r, daihou.Errorf(daihou.EUNAUTHENTICATED, "%v", err))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/x-ndjson") && !strings.HasPrefix(ct, "application/jsonl") && !strings.HasPrefix(ct, "application/json") {
		a.fail(w, r, daihou.Invalid("Content-Type", "Content-Type: send application/x-ndjson (JSON Lines of records), not %q", inputtext.Clip(ct, 64)))
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		a.fail(w, r, daihou.Invalid("body", "body: empty; send one record per line as JSON"))
		return
	}
	if body[len(body)-1] != '\n' {
		body = append(body, '\n') // one record sent as a plain JSON object
	}
	file, err := imports.ParseSignalsFile(bytes.NewReader(body), imports.FormatJSONL, adapter, imports.ParseOptions{})
	if err != nil {
		a.fail(w, r, daihou.Invalid("body", "body: %v", err))
		return
	}
	if len(file.Rejects) > 0 {
		a.fail(w, r, malformed(file.Rejects))
		return
	}
	res := WebhookResult{Records: file.DataRows, Rejected: []WebhookError{}}
	actor, err := auth.Webhook(name)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ctx := auth.NewContext(r.Context(), actor)
	in := make([]store.SignalIn, len(file.Rows))
	for i, row := range file.Rows {
		in[i] = store.SignalIn{Line: row.Line, Record: row.Record, Signals: row.Signals}
	}
	src := store.Source{Name: "webhook " + name, Digest: audit.Hash(sha256.Sum256(body)), Rows: file.DataRows}
	got, err := a.DB.IngestSignals(ctx, src, in, nil)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res.Stored, res.Duplicates = got.Stored, got.Duplicates
	for _, rj := range got.Rejects {
		res.Rejected = append(res.Rejected, WebhookError{rj.Line, rj.Reason})
	}
	if a.OnSignals != nil && len(got.Borrowers) > 0 {
		n, err := a.OnSignals(ctx, got.Borrowers)
		if err != nil {
			// The records are stored and close of business will take
			// them; the answer must not make the sender send them again.
			a.Logger.ErrorContext(ctx, "warnings on arrival", "source", name, "err", err)
		}
		res.Warnings = n
	}
	writeJSON(w, http.StatusOK, res)
}

// malformed is the error of a body with malformed records: every bad
// line with its reason, up to a page of them.
func malformed(rejects []imports.Reject) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of the records are malformed and nothing was stored; correct them and send the body again: ", len(rejects))
	for i, rj := range rejects {
		if i == 20 {
			fmt.Fprintf(&b, "; … and %d more", len(rejects)-20)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(rj.String())
	}
	return daihou.Invalid("body", "%s", b.String())
}

func (a *API) secret(name string) []byte {
	if a.WebhookSecret != nil {
		return a.WebhookSecret(name)
	}
	return nil
}
