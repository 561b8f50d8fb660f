package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"daihou/channel"
	"daihou/store/storetest"
)

// outbox run sends through the channels configured in the environment and
// says what it did; a refused message is a dead letter that outbox status
// lists with its error.
func TestOutboxRunAndStatus(t *testing.T) {
	t.Parallel()
	dsn := storetest.DSN(t, "sqlite")
	db := storetest.OpenPath(t, dsn)
	msgs := []channel.Message{
		{Key: "cli-1", Channel: channel.SMS, LoanID: 1, To: "13800138000", Template: "reminder-soft"},
		{Key: "cli-2", Channel: channel.SMS, LoanID: 2, To: "13800138001", Template: "no-such-template"},
		{Key: "cli-3", Channel: channel.Email, LoanID: 3, To: "li@example.com", Template: "reminder-soft"},
	}
	if err := db.Enqueue(storetest.Ctx(), msgs); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), "no-such-template") {
			http.Error(w, "unknown template no-such-template", http.StatusUnprocessableEntity)
			return
		}
		mu.Lock()
		got[r.Header.Get("Idempotency-Key")] = true
		mu.Unlock()
	}))
	defer srv.Close()
	env := map[string]string{"DAIHOU_DB": dsn, "DAIHOU_KEY": string(storetest.Keys.KeyFile())}

	// Nothing configured, or half: said, and nothing sent.
	if _, errs, code := runEnv(t, env, "outbox", "run", "--once"); code != 3 || !strings.Contains(errs, "DAIHOU_CHANNEL_URL_SMS") {
		t.Errorf("no channel: exit %d, %q; want 3 naming the variables", code, errs)
	}
	env["DAIHOU_CHANNEL_URL_SMS"] = srv.URL + "/sms"
	if _, errs, code := runEnv(t, env, "outbox", "run", "--once"); code != 3 || !strings.Contains(errs, "DAIHOU_CHANNEL_SECRET_SMS") {
		t.Errorf("no secret: exit %d, %q; want 3 naming the secret's variable", code, errs)
	}
	env["DAIHOU_CHANNEL_SECRET_SMS"] = "a secret of enough bytes"

	// The email channel is not configured: its message waits.
	out, errs, code := runEnv(t, env, "outbox", "run", "--once", "--json")
	if code != 7 {
		t.Fatalf("run: exit %d, %s; want 7 for the dead letter", code, errs)
	}
	var st struct {
		Claimed, Sent, Dead, Deferred int
		Channels                      []string
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err, out)
	}
	if st.Claimed != 3 || st.Sent != 1 || st.Dead != 1 || st.Deferred != 1 || strings.Join(st.Channels, ",") != "sms" || !got["cli-1"] {
		t.Errorf("run: %+v, received %v; want cli-1 sent, cli-2 dead, cli-3 put off", st, got)
	}

	out, errs, code = runEnv(t, env, "outbox", "status")
	if code != 0 {
		t.Fatalf("status: exit %d, %s", code, errs)
	}
	for _, want := range []string{"email", "sms", "Dead letters", "cli-2", "HTTP 422", "unknown template"} {
		if !strings.Contains(out, want) {
			t.Errorf("status does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "13800138001") {
		t.Errorf("status shows a phone number:\n%s", out)
	}
	out, _, _ = runEnv(t, env, "outbox", "status", "--json")
	var js struct {
		Counts []struct {
			Channel, State string
			Messages       int
		}
		Dead []struct{ Key, LastError string } `json:"dead"`
	}
	if err := json.Unmarshal([]byte(out), &js); err != nil {
		t.Fatal(err, out)
	}
	if len(js.Counts) != 3 || len(js.Dead) != 1 || js.Dead[0].Key != "cli-2" {
		t.Errorf("status --json: %+v", js)
	}
	if _, _, code := runEnv(t, env, "outbox", "frobnicate"); code != 2 {
		t.Errorf("unknown verb: exit %d, want 2", code)
	}
}
