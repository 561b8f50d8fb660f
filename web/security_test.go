package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/civil"
	"daihou/classification"
	"daihou/money"
	"daihou/pii"
	"daihou/servicing"
	"daihou/store"
	"daihou/store/storetest"
	"daihou/web"
	"daihou/web/api"
)

// The security tests of the JSON API, over real HTTP on a loopback port,
// on every backend: who is let in, what each actor sees, what hostile
// input does, and how guessing is slowed.

// book is a served book with loans, users and their bearer tokens.
type book struct {
	db   *store.DB
	srv  *web.Server
	base string
	// as acts as each user (storetest.Users): admin, col, col2, am, risk,
	// risk2, mgr, aud, legal.
	as map[string]context.Context
	// bearer is a session of each user in as, and "core": an integration
	// token that sees every loan.
	bearer map[string]string
	// loans are TL0…TL3 (borrowers 张三): TL0 is assigned to col, TL1 to
	// nobody, TL2 to col2, TL3 to nobody.
	loans []int64
	// pii is PL0, whose borrower has an ID number and a phone; its
	// officer is am and it is assigned to col.
	pii int64
	// override is the pending override of TL0, TL1 and TL2, proposed by
	// risk.
	override map[int64]int64
}

// The borrower of the loan PL0.
const (
	piiName  = "王小明"
	piiID    = "110101199003071234"
	piiPhone = "13812345678"
)

// cheapHash are argon2 parameters for test users' passwords: the tests
// are about the answers, not the cost.
var cheapHash = auth.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

// newBook builds a book on backend and serves it until the test ends;
// tweak, when not nil, adjusts the server before it starts.
func newBook(t *testing.T, backend string, tweak func(*web.Server)) *book {
	t.Helper()
	db := storetest.Open(t, backend)
	b := &book{db: db, bearer: map[string]string{}, override: map[int64]int64{}}
	b.loans = storetest.AddLoans(t, db, servicing.DefaultProduct("CL"), 4, "T")
	res, err := db.AddLoans(storetest.Ctx(), store.Source{Name: "pii loans", Rows: 1}, []store.NewLoan{{
		Line:     2,
		Borrower: servicing.Borrower{ExternalID: "PB0", Name: piiName, IDNumber: piiID, Phone: piiPhone},
		Loan: servicing.Loan{ExternalID: "PL0", Product: "CL", Principal: money.MustParseAmount("12000"), Rate: money.MustParseRate("0.12"),
			Term: 12, Disbursed: civil.MustParse("2026-01-10"), Branch: "BJ01", Officer: "am"},
	}})
	if err != nil || len(res.Rejects) > 0 {
		t.Fatalf("AddLoans: %v %v", err, res.Rejects)
	}
	b.pii = res.IDs[0]
	b.as = storetest.Users(t, db, "col=collector", "col2=collector", "am=account-manager", "risk=risk-officer", "risk2=risk-officer",
		"mgr=manager", "aud=auditor", "legal=legal")
	for _, a := range []struct {
		loan int64
		to   string
	}{{b.loans[0], "col"}, {b.pii, "col"}, {b.loans[2], "col2"}} {
		if err := db.Assign(b.as["mgr"], a.loan, a.to, store.AssignCollection); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range b.loans[:3] {
		o, err := db.ProposeOverride(b.as["risk"], id, classification.Substandard, "the borrower's shop has closed")
		if err != nil {
			t.Fatal(err)
		}
		b.override[id] = o
	}
	for name, ctx := range b.as {
		tok, _, err := db.StartSession(ctx, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		b.bearer[name] = tok
	}
	if b.bearer["core"], _, err = db.IssueToken(b.as["admin"], "core-banking", []auth.Role{auth.Integration}, auth.AllLoans(), time.Time{}); err != nil {
		t.Fatal(err)
	}
	b.srv = web.New(db, nil)
	if tweak != nil {
		tweak(b.srv)
	}
	b.base = start(t, b.srv)
	return b
}

// addPasswordUser adds a user who logs in with password.
func (b *book) addPasswordUser(t *testing.T, name, password string, roles ...auth.Role) {
	t.Helper()
	if err := auth.CheckPassword(name, password); err != nil {
		t.Fatal(err)
	}
	h, err := auth.HashPassword(password, cheapHash)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.AddUser(b.as["admin"], store.NewUser{Name: name, Roles: roles, PasswordHash: h}); err != nil {
		t.Fatal(err)
	}
}

// noLimits is a limiter that limits nothing, for tests that send many
// bad credentials on purpose and are not about the limiter.
func noLimits(s *web.Server) {
	s.API.Limiter = auth.NewLimiter(time.Now, auth.LimitRule{}, auth.LimitRule{})
}

// reply is an answer as the client got it.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) String() string {
	return fmt.Sprintf("%d %.300s", r.status, r.body)
}

// do sends one request to url with the bearer token (none when empty),
// the body (none when empty, JSON otherwise) and header pairs.
func do(t *testing.T, method, url, token, body string, header ...string) reply {
	t.Helper()
	r, err := send(method, url, token, body, header...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// send is do for a goroutine other than the test's.
func send(method, url, token, body string, header ...string) (reply, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return reply{}, fmt.Errorf("%s %.100s: %v", method, url, err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{}, fmt.Errorf("%s %.100s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return reply{}, fmt.Errorf("%s %.100s: reading the answer: %v", method, url, err)
	}
	return reply{res.StatusCode, res.Header, b}, nil
}

// problem checks that r is an error answer with status st and code (any
// 4xx when st is 0, any code when code is empty) in the one error shape
// — {"error":{"code","message","field","request_id"}} and nothing else —
// and returns its body.
func problem(t *testing.T, what string, r reply, st int, code string) api.ProblemBody {
	t.Helper()
	if st == 0 && (r.status < 400 || r.status > 499) || st != 0 && r.status != st {
		want := strconv.Itoa(st)
		if st == 0 {
			want = "a 4xx"
		}
		t.Errorf("%s: %s, want %s", what, r, want)
		return api.ProblemBody{}
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want JSON", what, ct)
	}
	var p api.Problem
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil || dec.More() {
		t.Errorf("%s: the answer is not the one error shape (%v): %.300s", what, err, r.body)
		return p.Error
	}
	if p.Error.Code == "" || p.Error.Message == "" {
		t.Errorf("%s: error without a code or a message: %.300s", what, r.body)
	}
	if code != "" && p.Error.Code != code {
		t.Errorf("%s: code %q (%s), want %q", what, p.Error.Code, p.Error.Message, code)
	}
	if id := r.header.Get("X-Request-Id"); p.Error.RequestID == "" || p.Error.RequestID != id {
		t.Errorf("%s: request_id %q, want the X-Request-Id %q", what, p.Error.RequestID, id)
	}
	return p.Error
}

// fill puts values in a route pattern's path: {name} becomes
// url.PathEscape(values["name"]).
func fill(path string, values map[string]string) string {
	for k, v := range values {
		path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(v))
	}
	return path
}

// splitPattern splits a ServeMux pattern "METHOD /path" in two; a pattern
// without a method gives "".
func splitPattern(p string) (method, path string) {
	if m, rest, ok := strings.Cut(p, " "); ok {
		return m, rest
	}
	return "", p
}

// public are the routes that take no bearer token; every other route
// answers 401 without one.
var public = []string{"GET /healthz", "GET /readyz", "GET /metrics", "GET /api/v1/openapi.json", "POST /api/v1/session", "/api/"}

// signed are the routes a source calls, authenticated by a signature over
// the body instead of a token, with a body that is JSON Lines in the
// source's format: webhook_test.go holds them to what this file holds the
// others to (no signature, a bad one, hostile and oversized bodies).
var signedRoutes = []string{"POST /api/v1/sources/{source}/records", "POST /api/v1/channels/{channel}/results"}

// bodiless are the routes that take no body (none, or {}): what jsonRoutes
// holds the others to does not apply, and a body is refused.
var bodiless = []string{"POST /api/v1/tasks/{id}/take"}

// loanRequest is a valid request to a loan route — the body and headers
// its validation accepts — so that what it answers is about the loan, and
// what a collector gets for it on a loan assigned to them.
type loanRequest struct {
	body     string
	header   []string
	assigned int
}

// loanRequests are the requests of the loan routes that need more than a
// GET: a new loan route must be added here.
var loanRequests = map[string]loanRequest{
	"POST /api/v1/loans/{id}/reveal":                        {`{"reason":"calling the borrower about the overdue installment"}`, nil, 403},
	"POST /api/v1/loans/{id}/payments":                      {`{"amount":"1.00"}`, []string{"Idempotency-Key", "SCOPE-PAY-1"}, 403},
	"POST /api/v1/loans/{id}/reversals":                     {`{"reverses":1}`, []string{"Idempotency-Key", "SCOPE-REV-1"}, 403},
	"POST /api/v1/loans/{id}/overrides":                     {`{"class":"doubtful","reason":"the borrower has left the city"}`, nil, 403},
	"POST /api/v1/loans/{id}/overrides/{override}/decision": {`{"approve":true}`, nil, 403},
	"POST /api/v1/loans/{id}/proposals":                     {`{"kind":"writeoff","reason":"the borrower has left the city"}`, nil, 403},
	"POST /api/v1/loans/{id}/cases":                         {`{"kind":"litigation","court":"北京市朝阳区人民法院"}`, nil, 403},
}

// loanRoutes returns the server's routes on one loan, each with its valid
// request.
func loanRoutes(t *testing.T, s *web.Server) map[string]loanRequest {
	t.Helper()
	out := map[string]loanRequest{}
	for _, p := range s.Patterns() {
		if !strings.Contains(p, "/api/v1/loans/{id}") {
			continue
		}
		req, ok := loanRequests[p]
		if method, _ := splitPattern(p); !ok && method != "GET" {
			t.Errorf("route %s has no valid request in loanRequests: add one, so that its scope is tested", p)
			continue
		} else if !ok {
			req.assigned = 200
		}
		out[p] = req
	}
	if len(out) < 5 {
		t.Fatalf("only %d loan routes in %q", len(out), s.Patterns())
	}
	return out
}

// Without a token, or with one that does not authenticate, every route
// but the public ones answers 401 in the one error shape, with
// WWW-Authenticate, and one message for every bad token: nothing tells a
// guesser which part was wrong.
func TestUnauthenticated(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		b := newBook(t, backend, noLimits)
		ctx := b.as["admin"]
		revoked, tok, err := b.db.IssueToken(ctx, "old-dialer", []auth.Role{auth.Integration}, auth.AllLoans(), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.db.RevokeToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		unknown, _ := auth.GenerateToken()
		core := b.bearer["core"]
		wrongSecret := core[:len(core)-4] + "aaaa"
		if wrongSecret == core {
			wrongSecret = core[:len(core)-4] + "bbbb"
		}
		loggedOut := b.bearer["col2"]
		if r := do(t, "DELETE", b.base+"/api/v1/session", loggedOut, ""); r.status != 204 {
			t.Fatalf("log out: %s", r)
		}
		disabled := b.bearer["legal"]
		yes := true
		if _, err := b.db.UpdateUser(ctx, "legal", store.UserChange{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		bad := []struct{ name, token string }{
			{"malformed", "dh_not-a-token"},
			{"SQL", "' OR '1'='1"},
			{"10 KB", strings.Repeat("x", 10<<10)},
			{"unknown", unknown},
			{"wrong secret", wrongSecret},
			{"revoked", revoked},
			{"logged out", loggedOut},
			{"disabled user", disabled},
		}
		var message string
		for _, p := range b.srv.Patterns() {
			if slices.Contains(public, p) || slices.Contains(signedRoutes, p) {
				continue
			}
			method, path := splitPattern(p)
			url := b.base + fill(path, map[string]string{"id": strconv.FormatInt(b.loans[0], 10), "override": "1", "name": "col"})
			r := do(t, method, url, "", "")
			problem(t, p+" without a token", r, 401, daihou.EUNAUTHENTICATED)
			if got := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("%s without a token: WWW-Authenticate %q, want Bearer …", p, got)
			}
			for _, h := range []string{"Basic " + core, "bearer", core} { // not a bearer token, an empty one, no scheme
				req, _ := http.NewRequest(method, url, nil)
				req.Header.Set("Authorization", h)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != 401 {
					t.Errorf("%s with Authorization %.12q…: %d, want 401", p, h, res.StatusCode)
				}
			}
			for _, c := range bad {
				r := do(t, method, url, c.token, "")
				got := problem(t, p+" with a "+c.name+" token", r, 401, daihou.EUNAUTHENTICATED)
				if message == "" {
					message = got.Message
				} else if got.Message != message {
					t.Errorf("%s with a %s token: message %q, and %q for another bad token: the message must not tell which part was wrong", p, c.name, got.Message, message)
				}
				if r.header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s with a %s token: no WWW-Authenticate", p, c.name)
				}
			}
		}
		// The catch-all answers an unknown API path in the one shape.
		problem(t, "GET /api/v1/nope", do(t, "GET", b.base+"/api/v1/nope", core, ""), 404, daihou.ENOTFOUND)
		// The good tokens still work.
		for _, who := range []string{"core", "col"} {
			if r := do(t, "GET", b.base+"/api/v1/loans", b.bearer[who], ""); r.status != 200 {
				t.Errorf("GET /api/v1/loans as %s: %s", who, r)
			}
		}
	})
}

// A collector reads only the loans assigned to them: every loan route
// answers a loan outside their queue exactly as it answers a loan that
// does not exist — 404, same shape, same message — and changes nothing;
// the same requests on an assigned loan are let through to the rules of
// the role; the list holds only assigned loans.
func TestCollectorScope(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		b := newBook(t, backend, nil)
		col := b.bearer["col"]
		mine, theirs, nobodys := b.loans[0], b.loans[2], b.loans[1]
		before := trail(t, b, nobodys)
		for p, req := range loanRoutes(t, b.srv) {
			method, path := splitPattern(p)
			call := func(ref string, override int64) reply {
				return do(t, method, b.base+fill(path, map[string]string{"id": ref, "override": strconv.FormatInt(override, 10)}), col, req.body, req.header...)
			}
			none := call("999999", b.override[nobodys])
			want := problem(t, p+" on a loan that does not exist", none, 404, daihou.ENOTFOUND)
			for _, c := range []struct {
				what, ref string
				loan      int64
			}{
				{"an unassigned loan", strconv.FormatInt(nobodys, 10), nobodys},
				{"an unassigned loan by its number", "TL1", nobodys},
				{"another collector's loan", strconv.FormatInt(theirs, 10), theirs},
			} {
				r := call(c.ref, b.override[c.loan])
				got := problem(t, p+" on "+c.what, r, 404, daihou.ENOTFOUND)
				if got.Field != want.Field || strings.ReplaceAll(got.Message, strconv.Quote(c.ref), `"ID"`) != strings.ReplaceAll(want.Message, `"999999"`, `"ID"`) {
					t.Errorf("%s on %s: %+v; a loan that does not exist: %+v — a collector can tell them apart", p, c.what, got, want)
				}
				if r.header.Get("Content-Type") != none.header.Get("Content-Type") {
					t.Errorf("%s on %s: Content-Type %q, and %q for a loan that does not exist", p, c.what, r.header.Get("Content-Type"), none.header.Get("Content-Type"))
				}
			}
			r := call(strconv.FormatInt(mine, 10), b.override[mine])
			if r.status != req.assigned {
				t.Errorf("%s on the collector's own loan: %s, want %d", p, r, req.assigned)
			}
			if r.status >= 400 {
				problem(t, p+" on the collector's own loan", r, req.assigned, "")
			}
		}
		// Nothing the collector sent changed the loan outside the queue.
		if after := trail(t, b, nobodys); !slices.Equal(after, before) {
			t.Errorf("the audit trail of loan %d changed under the collector's requests: %q, then %q", nobodys, before, after)
		}
		txs, err := b.db.Transactions(storetest.Ctx(), nobodys)
		if err != nil || len(txs) != 1 {
			t.Errorf("loan %d after the collector's requests: transactions %+v, %v; want the disbursement alone", nobodys, txs, err)
		}
		// Each list holds the loans of the actor's scope and no other.
		for _, c := range []struct {
			who   string
			query string
			want  []int64
		}{
			{"col", "", []int64{mine, b.pii}},
			{"col", "?branch=BJ01&limit=1000", []int64{mine, b.pii}},
			{"col", "?cursor=" + strconv.FormatInt(mine, 10), []int64{b.pii}},
			{"col2", "", []int64{theirs}},
			{"am", "", []int64{b.pii}},
			{"legal", "", nil},
			{"risk", "", append(slices.Clone(b.loans), b.pii)},
		} {
			if got := listIDs(t, b, c.who, c.query); !slices.Equal(got, c.want) {
				t.Errorf("GET /api/v1/loans%s as %s: loans %v, want %v", c.query, c.who, got, c.want)
			}
		}
		// An account manager sees the loans whose officer they are, not the others.
		problem(t, "account manager reading another officer's loan", do(t, "GET", b.base+fmt.Sprintf("/api/v1/loans/%d", mine), b.bearer["am"], ""), 404, daihou.ENOTFOUND)
		if r := do(t, "GET", b.base+fmt.Sprintf("/api/v1/loans/%d", b.pii), b.bearer["am"], ""); r.status != 200 {
			t.Errorf("account manager reading their loan: %s", r)
		}
	})
}

// trail is the actions of loan id's audit entries.
func trail(t *testing.T, b *book, id int64) []string {
	t.Helper()
	es, err := b.db.AuditEntries(b.as["aud"], audit.LoanObject(id), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Action+" "+e.Actor)
	}
	return out
}

// listIDs lists the loans as who sees them.
func listIDs(t *testing.T, b *book, who, query string) []int64 {
	t.Helper()
	r := do(t, "GET", b.base+"/api/v1/loans"+query, b.bearer[who], "")
	if r.status != 200 {
		t.Fatalf("GET /api/v1/loans%s as %s: %s", query, who, r)
	}
	var page api.LoanPage
	if err := json.Unmarshal(r.body, &page); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, l := range page.Loans {
		ids = append(ids, l.ID)
	}
	return ids
}

// hostile are values for every parameter: SQL, control characters,
// broken UTF-8, unicode and 10 KB strings.
var hostile = []string{
	"1 OR 1=1",
	"1;DROP TABLE loans",
	"'",
	"1' OR '1'='1",
	"' OR '1'='1' --",
	"1); DELETE FROM loans; --",
	`"; DROP TABLE users; --`,
	"张三' OR 1=1 --",
	"𝕯😀\u202e\u200b",
	"%00",
	"\x00",
	"\xff\xfe",
	"../../../etc/passwd",
	strings.Repeat("A", 10<<10),
	strings.Repeat("贷", 10<<10/3),
}

// SQL metacharacters and oversized input in every parameter — path,
// query, header and body — are refused in the one error shape, or read as
// plain data that matches nothing; never a 500. Afterwards every loan,
// user and token is still there and the audit chain verifies.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		b := newBook(t, backend, func(s *web.Server) {
			noLimits(s)
			s.BulkBody = 2 << 20 // a bulk body above this needs no 64 MiB
		})
		core, admin := b.bearer["core"], b.bearer["admin"]
		loans, err := b.db.CountLoans(storetest.Ctx(), 0, 1<<62)
		if err != nil || loans != 5 {
			t.Fatalf("%d loans, %v", loans, err)
		}
		users, err := b.db.Users(b.as["admin"])
		if err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(b.loans[3], 10)
		refused := func(what string, r reply) {
			t.Helper()
			problem(t, what, r, 0, "")
		}
		// stored checks a 2xx stored the value as sent (ok); a 4xx must
		// be in the one shape.
		stored := func(what string, r reply, ok func() bool) {
			t.Helper()
			if r.status < 200 || r.status > 299 {
				refused(what, r)
			} else if !ok() {
				t.Errorf("%s: %s, and the value was not stored as sent", what, r)
			}
		}
		// empty checks a 200 matched nothing; a 4xx must be in the one shape.
		empty := func(what string, r reply, list string) {
			t.Helper()
			if r.status != 200 {
				refused(what, r)
				return
			}
			var page map[string]json.RawMessage
			if err := json.Unmarshal(r.body, &page); err != nil || string(page[list]) != "[]" {
				t.Errorf("%s: %s, want no %s", what, r, list)
			}
		}
		for i, v := range hostile {
			q := url.QueryEscape(v)
			// Path parameters: of every loan route, as the loan and the override.
			for p, req := range loanRoutes(t, b.srv) {
				method, path := splitPattern(p)
				refused(fmt.Sprintf("%s with id %.40q", p, v), do(t, method, b.base+fill(path, map[string]string{"id": v, "override": "1"}), core, req.body, req.header...))
				if strings.Contains(p, "{override}") {
					refused(fmt.Sprintf("%s with override %.40q", p, v), do(t, method, b.base+fill(path, map[string]string{"id": id, "override": v}), b.bearer["risk2"], req.body, req.header...))
				}
				if method == "GET" {
					refused(fmt.Sprintf("%s?as_of=%.40q", p, v), do(t, method, b.base+fill(path, map[string]string{"id": id})+"?as_of="+q, core, ""))
				}
			}
			refused(fmt.Sprintf("PATCH /api/v1/users/%.40q", v), do(t, "PATCH", b.base+"/api/v1/users/"+url.PathEscape(v), admin, `{"disabled":true}`))
			refused(fmt.Sprintf("DELETE /api/v1/tokens/%.40q", v), do(t, "DELETE", b.base+"/api/v1/tokens/"+url.PathEscape(v), admin, ""))
			// Query parameters.
			for _, param := range []string{"status", "class", "cursor", "limit", "min_dpd", "max_dpd"} {
				problem(t, fmt.Sprintf("GET /api/v1/loans?%s=%.40q", param, v), do(t, "GET", b.base+"/api/v1/loans?"+param+"="+q, core, ""), 400, daihou.EINVALID)
			}
			for _, param := range []string{"product", "branch"} {
				empty(fmt.Sprintf("GET /api/v1/loans?%s=%.40q", param, v), do(t, "GET", b.base+"/api/v1/loans?"+param+"="+q, core, ""), "loans")
			}
			for _, param := range []string{"cursor", "limit"} {
				refused(fmt.Sprintf("GET /api/v1/audit?%s=%.40q", param, v), do(t, "GET", b.base+"/api/v1/audit?"+param+"="+q, b.bearer["aud"], ""))
			}
			for _, object := range []string{v, "loan:" + v} {
				empty(fmt.Sprintf("GET /api/v1/audit?object=%.40q", object), do(t, "GET", b.base+"/api/v1/audit?object="+url.QueryEscape(object), b.bearer["aud"], ""), "entries")
			}
			refused(fmt.Sprintf("GET /api/v1/reports/portfolio?date=%.40q", v), do(t, "GET", b.base+"/api/v1/reports/portfolio?date="+q, b.bearer["risk"], ""))
			// Headers: a key that breaks the rule is refused; one that
			// keeps it is the payment's reference, stored as sent.
			if !strings.ContainsAny(v, "\x00\xff") { // not sendable in a header
				r := do(t, "POST", b.base+"/api/v1/loans/"+id+"/payments", core, `{"amount":"1.00"}`, "Idempotency-Key", v)
				stored(fmt.Sprintf("payment with Idempotency-Key %.40q", v), r, func() bool { return hasTx(t, b, b.loans[3], v, "") })
			}
			// JSON bodies.
			s := jsonString(v)
			cases := []struct{ route, token, body string }{
				{"POST /api/v1/loans/" + id + "/payments", core, `{"amount":` + s + `}`},
				{"POST /api/v1/loans/" + id + "/payments", core, `{"amount":"1.00","value_date":` + s + `}`},
				{"POST /api/v1/loans/" + id + "/reversals", core, `{"reverses":1,"value_date":` + s + `}`},
				{"POST /api/v1/loans/" + id + "/reversals", core, `{"reverses":` + s + `}`},
				{"POST /api/v1/loans/" + id + "/overrides", b.bearer["risk"], `{"class":` + s + `,"reason":"x"}`},
				{"POST /api/v1/loans/" + id + "/overrides/1/decision", b.bearer["risk2"], `{"approve":` + s + `}`},
				{"POST /api/v1/users", admin, `{"name":"newbie","roles":[` + s + `],"password":"a long enough phrase"}`},
				{"POST /api/v1/users", admin, `{"name":"newbie","roles":["collector"],"scope":` + s + `,"password":"a long enough phrase"}`},
				{"PATCH /api/v1/users/col", admin, `{"roles":[` + s + `]}`},
				{"PATCH /api/v1/users/col", admin, `{"scope":` + s + `}`},
				{"PATCH /api/v1/users/col", admin, `{"name":` + s + `}`},
				{"POST /api/v1/tokens", admin, `{"name":` + s + `,"roles":["integration"]}`},
				{"POST /api/v1/tokens", admin, `{"name":"dialer","roles":[` + s + `]}`},
				{"POST /api/v1/tokens", admin, `{"name":"dialer","roles":["integration"],"scope":` + s + `}`},
			}
			if v == "' OR '1'='1' --" || v == "\x00" {
				// A password is hashed (argon2, 64 MiB) whatever the name:
				// a few of these are enough.
				cases = append(cases, []struct{ route, token, body string }{
					{"POST /api/v1/session", "", `{"name":` + s + `,"password":"a long enough phrase"}`},
					{"POST /api/v1/session", "", `{"name":"col","password":` + s + `}`},
					{"POST /api/v1/users", admin, `{"name":` + s + `,"roles":["collector"],"password":"a long enough phrase"}`},
				}...)
			}
			for _, c := range cases {
				method, path := splitPattern(c.route)
				refused(fmt.Sprintf("%s with %.60s", c.route, c.body), do(t, method, b.base+path, c.token, c.body, "Idempotency-Key", "HOSTILE-1"))
			}
			// Free text — a reason, an officer code, a channel, a batch's
			// name, a reference — is refused when it breaks a rule, and
			// otherwise stored as sent.
			r := do(t, "POST", fmt.Sprintf("%s/api/v1/loans/%d/reveal", b.base, b.pii), b.bearer["am"], `{"reason":`+s+`}`)
			stored(fmt.Sprintf("reveal with reason %.40q", v), r, func() bool { return len(v) <= 500 })
			r = do(t, "POST", b.base+"/api/v1/loans/"+id+"/overrides", b.bearer["risk"], `{"class":"loss","reason":`+s+`}`)
			stored(fmt.Sprintf("override with reason %.40q", v), r, func() bool { return len(v) <= 1000 })
			plain := decoded(t, s) // as JSON decoding reads it: invalid UTF-8 becomes U+FFFD
			r = do(t, "PATCH", b.base+"/api/v1/users/mgr", admin, `{"officer":`+s+`}`)
			stored(fmt.Sprintf("officer code %.40q", v), r, func() bool {
				u, err := b.db.User(b.as["admin"], "mgr")
				return err == nil && u.Officer == strings.TrimSpace(plain)
			})
			key := fmt.Sprintf("CH-%d", i)
			r = do(t, "POST", b.base+"/api/v1/loans/"+id+"/payments", core, `{"amount":"1.00","channel":`+s+`}`, "Idempotency-Key", key)
			stored(fmt.Sprintf("payment with channel %.40q", v), r, func() bool { return hasTx(t, b, b.loans[3], key, plain) })
			// A bulk payment is posted or rejected by itself, never a 500.
			for j, p := range []string{
				`{"name":` + s + `,"payments":[{"loan":"TL3","value_date":"2026-01-10","amount":"1.00","reference":` + jsonString("B-"+v) + `}]}`,
				`{"payments":[{"loan":"TL3","value_date":"2026-01-10","amount":"1.00","reference":` + jsonString(fmt.Sprintf("BC-%d", i)) + `,"channel":` + s + `}]}`,
				`{"payments":[{"loan":` + s + `,"value_date":"2026-01-10","amount":"1.00","reference":"HB-1"}]}`,
				`{"payments":[{"loan":"TL3","value_date":` + s + `,"amount":"1.00","reference":"HB-2"}]}`,
			} {
				r = do(t, "POST", b.base+"/api/v1/payments/bulk", core, p)
				var res api.BulkResult
				if r.status != 200 {
					refused(fmt.Sprintf("bulk payment %.80s", p), r)
				} else if err := json.Unmarshal(r.body, &res); err != nil || res.Posted+len(res.Rejected) != 1 || res.Posted == 1 && (j == 0 && !hasTx(t, b, b.loans[3], "B-"+plain, "") || j == 1 && !hasTx(t, b, b.loans[3], fmt.Sprintf("BC-%d", i), plain)) {
					t.Errorf("bulk payment %.80s: %s, want it posted as sent or rejected", p, r)
				}
			}
		}

		// Bodies above the route's limit: 413 on every route that reads one.
		big := `{"reason":"` + strings.Repeat("a", 1<<20) + `"}`
		for _, p := range b.srv.Patterns() {
			method, path := splitPattern(p)
			if method != "POST" && method != "PATCH" || slices.Contains(signedRoutes, p) {
				continue
			}
			body := big
			if p == "POST /api/v1/payments/bulk" {
				body = `{"name":"` + strings.Repeat("a", 2<<20) + `"}`
			}
			token := core
			if strings.Contains(p, "/users") || strings.Contains(p, "/tokens") {
				token = admin
			}
			r := do(t, method, b.base+fill(path, map[string]string{"id": id, "override": "1", "name": "col"}), token, body, "Idempotency-Key", "BIG-1")
			problem(t, p+" with a body above its limit", r, 413, daihou.ETOOLARGE)
		}

		// Unknown fields, on every route that reads JSON, are refused by name.
		for p, c := range jsonRoutes(t, b) {
			method, path := splitPattern(p)
			body := strings.TrimSuffix(c.body, "}") + `,"amout":5}`
			got := problem(t, p+" with an unknown field", do(t, method, b.base+path, c.token, body, c.header...), 400, daihou.EINVALID)
			if got.Field != "amout" {
				t.Errorf("%s with an unknown field: field %q, want amout", p, got.Field)
			}
			for _, bad := range []string{`[` + c.body + `]`, c.body + c.body, strings.Repeat("[", 100000), `{"amount":"0.01"e400}`, "\xff"} {
				refused(fmt.Sprintf("%s with body %.20q", p, bad), do(t, method, b.base+path, c.token, bad, c.header...))
			}
			r := do(t, method, b.base+path, c.token, c.body, append([]string{"Content-Type", "text/plain"}, c.header...)...)
			problem(t, p+" with a body that is not JSON", r, 400, daihou.EINVALID)
		}

		// Everything is still there, and the trail verifies.
		if n, err := b.db.CountLoans(storetest.Ctx(), 0, 1<<62); err != nil || n != loans {
			t.Errorf("after the hostile input: %d loans, %v; want %d", n, err, loans)
		}
		if got, err := b.db.Users(b.as["admin"]); err != nil || len(got) != len(users) {
			t.Errorf("after the hostile input: %d users, %v; want %d", len(got), err, len(users))
		} else {
			for _, u := range got {
				if u.Disabled {
					t.Errorf("user %s was disabled", u.Name)
				}
			}
		}
		if got := listIDs(t, b, "core", ""); len(got) != int(loans) {
			t.Errorf("after the hostile input the integration token lists %v", got)
		}
		if n, err := b.db.VerifyAudit(b.as["aud"], nil); err != nil || n == 0 {
			t.Errorf("VerifyAudit after the hostile input: %d entries, %v", n, err)
		}
	})
}

// hasTx reports whether loan id has a repayment with reference ref (and
// channel, when not empty).
func hasTx(t *testing.T, b *book, id int64, ref, channel string) bool {
	t.Helper()
	txs, err := b.db.Transactions(storetest.Ctx(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, tx := range txs {
		if tx.Kind == servicing.Repayment && tx.Reference == ref && (channel == "" || tx.Channel == channel) {
			return true
		}
	}
	return false
}

// decoded is the JSON string s as decoded.
func decoded(t *testing.T, s string) string {
	t.Helper()
	var v string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// jsonString is s as a JSON string; invalid UTF-8 goes through as raw
// bytes, as a hostile client would send it.
func jsonString(s string) string {
	if utf8.ValidString(s) {
		b, _ := json.Marshal(s)
		return string(b)
	}
	return `"` + s + `"`
}

// jsonRequest is a valid request to a route that reads a JSON body.
type jsonRequest struct {
	path   string
	token  string
	body   string
	header []string
}

// jsonRoutes returns a valid request of every route that reads a JSON
// body, by pattern; a new such route must be added here.
func jsonRoutes(t *testing.T, b *book) map[string]jsonRequest {
	t.Helper()
	id := strconv.FormatInt(b.loans[3], 10)
	known := map[string]jsonRequest{
		"POST /api/v1/session":                                  {"", "", `{"name":"col","password":"a long enough phrase"}`, nil},
		"POST /api/v1/loans/{id}/reveal":                        {"", b.bearer["am"], `{"reason":"calling the borrower"}`, nil},
		"POST /api/v1/loans/{id}/payments":                      {"", b.bearer["core"], `{"amount":"1.00"}`, []string{"Idempotency-Key", "UNKNOWN-1"}},
		"POST /api/v1/loans/{id}/reversals":                     {"", b.bearer["core"], `{"reverses":1}`, []string{"Idempotency-Key", "UNKNOWN-2"}},
		"POST /api/v1/loans/{id}/overrides":                     {"", b.bearer["risk"], `{"class":"loss","reason":"x"}`, nil},
		"POST /api/v1/loans/{id}/overrides/{override}/decision": {"", b.bearer["risk2"], `{"approve":false}`, nil},
		"POST /api/v1/loans/{id}/proposals":                     {"", b.bearer["risk"], `{"kind":"writeoff","reason":"x"}`, nil},
		"POST /api/v1/approvals/{id}/decision":                  {"", b.bearer["risk2"], `{"approve":false,"note":"no"}`, nil},
		"POST /api/v1/loans/{id}/cases":                         {"", b.bearer["mgr"], `{"kind":"litigation"}`, nil},
		"POST /api/v1/cases/{id}/events":                        {"", b.bearer["legal"], `{"kind":"move","stage":"accepted"}`, nil},
		"POST /api/v1/payments/bulk":                            {"", b.bearer["core"], `{"payments":[{"loan":"TL3","value_date":"2026-01-10","amount":"1.00","reference":"U-1"}]}`, nil},
		"POST /api/v1/users":                                    {"", b.bearer["admin"], `{"name":"newbie","roles":["collector"],"password":"a long enough phrase"}`, nil},
		"PATCH /api/v1/users/{name}":                            {"", b.bearer["admin"], `{"officer":"X9"}`, nil},
		"POST /api/v1/tokens":                                   {"", b.bearer["admin"], `{"name":"dialer","roles":["integration"]}`, nil},
		"PUT /api/v1/rules/{code}":                              {"", b.bearer["risk"], `{"name":"Watch","expr":"dpd >= 0","severity":"yellow","owner":"collector"}`, nil},
		"PATCH /api/v1/rules/{code}":                            {"", b.bearer["risk"], `{"enabled":true}`, nil},
		"POST /api/v1/rules/backtest":                           {"", b.bearer["risk"], `{"from":"2026-01-10","to":"2026-01-10"}`, nil},
		"POST /api/v1/warnings/{id}/ack":                        {"", b.bearer["col"], `{"note":"called the borrower"}`, nil},
		"POST /api/v1/warnings/{id}/escalate":                   {"", b.bearer["col"], `{"note":"called the borrower"}`, nil},
		"POST /api/v1/warnings/{id}/resolve":                    {"", b.bearer["col"], `{"note":"called the borrower"}`, nil},
		"POST /api/v1/tasks/{id}/check":                         {"", b.bearer["col"], `{"recording":true}`, nil},
		"POST /api/v1/tasks/{id}/outcome":                       {"", b.bearer["col"], `{"outcome":"no-answer","recording":"REC-1"}`, nil},
		"PUT /api/v1/sop":                                       {"", b.bearer["risk"], `{"code":"*","name":"None","steps":[]}`, nil},
		"PUT /api/v1/strategy":                                  {"", b.bearer["risk"], `{"code":"calls","split":0,"champion":[{"name":"all","when":"true","actions":[{"day":1,"kind":"call"}]}]}`, nil},
	}
	out := map[string]jsonRequest{}
	for _, p := range b.srv.Patterns() {
		method, path := splitPattern(p)
		if method != "POST" && method != "PATCH" && method != "PUT" || slices.Contains(signedRoutes, p) || slices.Contains(bodiless, p) {
			continue
		}
		c, ok := known[p]
		if !ok {
			t.Errorf("route %s has no valid request in jsonRoutes: add one, so that its decoding is tested", p)
			continue
		}
		pid := id
		if strings.HasSuffix(p, "/reveal") {
			pid = strconv.FormatInt(b.pii, 10)
		}
		c.path = fill(path, map[string]string{"id": pid, "override": strconv.FormatInt(b.override[b.loans[0]], 10), "name": "col"})
		out[p] = c
	}
	return out
}

// The same payment sent many times at once, with one Idempotency-Key,
// posts once: one 201, the others 200 replaying it; the key used for a
// different amount is a conflict.
func TestConcurrentIdempotentPayment(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		b := newBook(t, backend, nil)
		const key, n = "BANK-20260110-000042", 16
		url := fmt.Sprintf("%s/api/v1/loans/%d/payments", b.base, b.loans[3])
		replies := make([]reply, n)
		var wg sync.WaitGroup
		ready := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-ready
				r, err := send("POST", url, b.bearer["core"], `{"amount":"1066.19","channel":"bank"}`, "Idempotency-Key", key)
				if err != nil {
					t.Error(err)
				}
				replies[i] = r
			})
		}
		close(ready)
		wg.Wait()
		var created, replayed int
		var seqs []int64
		for _, r := range replies {
			var tx servicing.Tx
			switch {
			case r.status == 201:
				created++
			case r.status == 200 && r.header.Get("Idempotent-Replayed") == "true":
				replayed++
			default:
				t.Errorf("concurrent payment: %s (Idempotent-Replayed %q), want 201 once and 200 replayed", r, r.header.Get("Idempotent-Replayed"))
				continue
			}
			if err := json.Unmarshal(r.body, &tx); err != nil || tx.Reference != key || tx.Amount != 106619 {
				t.Errorf("concurrent payment answered %s", r)
			}
			seqs = append(seqs, tx.Seq)
		}
		if created != 1 || replayed != n-1 {
			t.Errorf("%d requests: %d posted, %d replayed; want 1 and %d", n, created, replayed, n-1)
		}
		if slices.Sort(seqs); len(seqs) > 0 && seqs[0] != seqs[len(seqs)-1] {
			t.Errorf("the answers name different transactions: %v", seqs)
		}
		txs, err := b.db.Transactions(storetest.Ctx(), b.loans[3])
		if err != nil {
			t.Fatal(err)
		}
		var posted int
		for _, tx := range txs {
			if tx.Kind == servicing.Repayment && tx.Reference == key {
				posted++
			}
		}
		if posted != 1 {
			t.Errorf("the loan has %d repayments with reference %s, want 1: %+v", posted, key, txs)
		}
		// The key reused for another payment is refused; the first is
		// replayed again later.
		problem(t, "the key with another amount", do(t, "POST", url, b.bearer["core"], `{"amount":"1066.20","channel":"bank"}`, "Idempotency-Key", key), 409, daihou.ECONFLICT)
		if r := do(t, "POST", url, b.bearer["core"], `{"amount":"1066.19","channel":"bank"}`, "Idempotency-Key", key); r.status != 200 || r.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("the same payment again: %s", r)
		}
		if after, _ := b.db.Transactions(storetest.Ctx(), b.loans[3]); len(after) != len(txs) {
			t.Errorf("the conflict or the replay posted: %d transactions, then %d", len(txs), len(after))
		}
	})
}

// Personal data is masked by role on every route that shows a borrower,
// and shown plain only through an audited reveal by a role that may.
func TestMasking(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		b := newBook(t, backend, nil)
		loan := fmt.Sprintf("%s/api/v1/loans/%d", b.base, b.pii)
		view := func(who string) servicing.Borrower {
			t.Helper()
			r := do(t, "GET", loan, b.bearer[who], "")
			if r.status != 200 {
				t.Fatalf("GET the loan as %s: %s", who, r)
			}
			var v struct{ Borrower servicing.Borrower }
			if err := json.Unmarshal(r.body, &v); err != nil {
				t.Fatal(err)
			}
			// No route of the loan, nor the list, carries the plain ID number or phone.
			for _, path := range []string{"", "/schedule", "/transactions", "/history"} {
				r := do(t, "GET", loan+path, b.bearer[who], "")
				for _, plain := range []string{piiID, piiPhone} {
					if bytes.Contains(r.body, []byte(plain)) {
						t.Errorf("GET …%s as %s shows %s plain", path, who, plain)
					}
				}
			}
			if r := do(t, "GET", b.base+"/api/v1/loans?limit=1000", b.bearer[who], ""); bytes.Contains(r.body, []byte(piiID)) || bytes.Contains(r.body, []byte(piiPhone)) || bytes.Contains(r.body, []byte(piiName)) {
				t.Errorf("the loan list as %s shows personal data: %.300s", who, r.body)
			}
			return v.Borrower
		}
		maskedID, maskedPhone, maskedName := pii.Mask(pii.IDNumber, piiID), pii.Mask(pii.Phone, piiPhone), pii.Mask(pii.Name, piiName)
		if maskedID == piiID || maskedPhone == piiPhone || maskedName == piiName || maskedName != "王**" {
			t.Fatalf("masks %q %q %q", maskedID, maskedPhone, maskedName)
		}
		// Those who contact the borrower see the name; nobody sees the
		// ID number or the phone without a reveal.
		for _, who := range []string{"col", "am"} {
			if got := view(who); got.Name != piiName || got.IDNumber != maskedID || got.Phone != maskedPhone {
				t.Errorf("%s sees %q %q %q, want %q %q %q", who, got.Name, got.IDNumber, got.Phone, piiName, maskedID, maskedPhone)
			}
		}
		for _, who := range []string{"risk", "mgr", "aud", "core"} {
			if got := view(who); got.Name != maskedName || got.IDNumber != maskedID || got.Phone != maskedPhone {
				t.Errorf("%s sees %q %q %q, want %q %q %q", who, got.Name, got.IDNumber, got.Phone, maskedName, maskedID, maskedPhone)
			}
		}
		reveal := loan + "/reveal"
		const reason = `{"reason":"the borrower asked for a settlement letter"}`
		for _, c := range []struct {
			who  string
			st   int
			code string
		}{
			{"col", 403, daihou.EUNAUTHORIZED},  // reads the loan, may not reveal
			{"risk", 403, daihou.EUNAUTHORIZED}, // likewise
			{"aud", 403, daihou.EUNAUTHORIZED},
			{"core", 403, daihou.EUNAUTHORIZED},
			{"legal", 404, daihou.ENOTFOUND}, // may reveal, but not on a loan outside the queue
			{"admin", 404, daihou.ENOTFOUND}, // reads no loan at all
		} {
			got := problem(t, "reveal as "+c.who, do(t, "POST", reveal, b.bearer[c.who], reason), c.st, c.code)
			for _, plain := range []string{piiID, piiPhone, piiName} {
				if strings.Contains(got.Message, plain) {
					t.Errorf("the refusal of a reveal to %s shows %s", c.who, plain)
				}
			}
		}
		problem(t, "reveal without a reason", do(t, "POST", reveal, b.bearer["am"], `{}`), 400, daihou.EINVALID)
		if got := countReveals(t, b); got != 0 {
			t.Errorf("%d reveals in the audit trail before any was allowed", got)
		}
		r := do(t, "POST", reveal, b.bearer["am"], reason)
		var got servicing.Borrower
		if r.status != 200 || json.Unmarshal(r.body, &got) != nil || got.Name != piiName || got.IDNumber != piiID || got.Phone != piiPhone {
			t.Errorf("reveal by the loan's officer: %s", r)
		}
		if n := countReveals(t, b); n != 1 {
			t.Errorf("%d reveals in the audit trail, want the officer's one", n)
		}
		// The auditor finds it through the API too.
		r = do(t, "GET", b.base+"/api/v1/audit?object="+audit.LoanObject(b.pii), b.bearer["aud"], "")
		if r.status != 200 || !bytes.Contains(r.body, []byte(`"action":"pii.reveal"`)) || !bytes.Contains(r.body, []byte("user:am")) {
			t.Errorf("GET /api/v1/audit?object=%s: %s, want the reveal by user:am", audit.LoanObject(b.pii), r)
		}
		// A reveal does not unmask the next view.
		if got := view("am"); got.IDNumber != maskedID {
			t.Errorf("after the reveal the officer's view shows the ID number %q", got.IDNumber)
		}
	})
}

// countReveals counts the reveals of the pii loan in the audit trail,
// checking each names its actor.
func countReveals(t *testing.T, b *book) int {
	t.Helper()
	es, err := b.db.AuditEntries(b.as["aud"], audit.LoanObject(b.pii), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Action == string(auth.RevealPersonalData) {
			n++
			if e.Actor != "user:am" {
				t.Errorf("reveal by %s", e.Actor)
			}
		}
	}
	return n
}

// clock is a fake clock for a limiter.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Guessing is slowed: after a few wrong passwords for one name, that name
// is locked — the right password too — whether the user exists or not,
// until the lock-out ends; after many bad tokens from one address, the
// address is locked, good tokens too.
func TestBruteForce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		clk := &clock{now: time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)}
		b := newBook(t, backend, func(s *web.Server) {
			s.API.Limiter = auth.NewLimiter(clk.Now, auth.DefaultNameRule, auth.DefaultSourceRule)
		})
		const pw = "tea at the bund 1998"
		b.addPasswordUser(t, "pat", pw, auth.Collector)
		login := func(name, password string) reply {
			body, _ := json.Marshal(api.LoginRequest{Name: name, Password: password})
			return do(t, "POST", b.base+"/api/v1/session", "", string(body))
		}
		r := login("pat", pw)
		var s api.Session
		if r.status != 201 || json.Unmarshal(r.body, &s) != nil || s.Token == "" {
			t.Fatalf("login: %s", r)
		}
		if r := do(t, "GET", b.base+"/api/v1/loans", s.Token, ""); r.status != 200 {
			t.Errorf("the session: %s", r)
		}
		for _, name := range []string{"pat", "nobody"} {
			var message string
			for i := range auth.DefaultNameRule.MaxFailures {
				got := problem(t, fmt.Sprintf("wrong password %d for %s", i+1, name), login(name, fmt.Sprintf("wrong guess number %d", i)), 401, daihou.EUNAUTHENTICATED)
				if message == "" {
					message = got.Message
				} else if got.Message != message {
					t.Errorf("wrong password for %s: %q, then %q", name, message, got.Message)
				}
			}
			r := login(name, "yet another wrong guess")
			problem(t, "a guess for "+name+" once locked", r, 429, daihou.ERATELIMIT)
			if r.header.Get("Retry-After") == "" {
				t.Errorf("429 without Retry-After")
			}
			if name == "pat" {
				problem(t, "the right password while locked", login(name, pw), 429, daihou.ERATELIMIT)
			}
		}
		// Others log in meanwhile; the lock ends.
		b.addPasswordUser(t, "quinn", pw, auth.Collector)
		if r := login("quinn", pw); r.status != 201 {
			t.Errorf("another user's login while pat is locked: %s", r)
		}
		clk.Add(auth.DefaultNameRule.LockOut + time.Minute)
		if r := login("pat", pw); r.status != 201 {
			t.Errorf("the right password after the lock-out: %s", r)
		}

		// Bad bearer tokens from one address: 401 until the source rule
		// is reached, then 429 for every token from there, good ones too.
		clk.Add(auth.DefaultSourceRule.Window + time.Minute) // forget the failed logins
		var i int
		for ; i < auth.DefaultSourceRule.MaxFailures+1; i++ {
			r := do(t, "GET", b.base+"/api/v1/loans", fmt.Sprintf("dh_guess%d", i), "")
			if r.status == 429 {
				break
			}
			problem(t, "a bad token", r, 401, daihou.EUNAUTHENTICATED)
		}
		if i != auth.DefaultSourceRule.MaxFailures {
			t.Errorf("locked after %d bad tokens, want %d", i, auth.DefaultSourceRule.MaxFailures)
		}
		problem(t, "a good token from a locked address", do(t, "GET", b.base+"/api/v1/loans", b.bearer["core"], ""), 429, daihou.ERATELIMIT)
		clk.Add(auth.DefaultSourceRule.LockOut + time.Minute)
		if r := do(t, "GET", b.base+"/api/v1/loans", b.bearer["core"], ""); r.status != 200 {
			t.Errorf("a good token after the lock-out: %s", r)
		}
		// Guesses at one token's secret lock that token id after the name rule.
		unknown, _ := auth.GenerateToken()
		for i := range auth.DefaultNameRule.MaxFailures {
			guess := unknown[:len(unknown)-2] + string(rune('a'+i)) + "a"
			problem(t, "a guessed secret", do(t, "GET", b.base+"/api/v1/loans", guess, ""), 401, daihou.EUNAUTHENTICATED)
		}
		problem(t, "a guessed secret once locked", do(t, "GET", b.base+"/api/v1/loans", unknown, ""), 429, daihou.ERATELIMIT)
	})
}
