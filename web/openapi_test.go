package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"daihou"
	"daihou/auth"
	"daihou/civil"
	"daihou/collection"
	"daihou/eod"
	"daihou/store/storetest"
	"daihou/web"
	"daihou/web/api"
)

// The OpenAPI document and the mux describe the same API: every route is
// documented, every documented operation is a route, and each answers
// what the document says it answers, in the shape it says.

// openAPI is the part of an OpenAPI 3 document these tests read.
type openAPI struct {
	Security   []map[string][]string                 `json:"security"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]*schema `json:"schemas"`
	} `json:"components"`
}

type operation struct {
	Responses   map[string]response `json:"responses"`
	Parameters  []parameter         `json:"parameters"`
	RequestBody *struct {
		Content map[string]media `json:"content"`
	} `json:"requestBody"`
	// Security is nil when the operation takes the document's default.
	Security *[]map[string][]string `json:"security"`
}

type parameter struct {
	Name     string `json:"name"`
	In       string `json:"in"`
	Required bool   `json:"required"`
}

type response struct {
	Content map[string]media `json:"content"`
}

type media struct {
	Schema *schema `json:"schema"`
}

type schema struct {
	Ref        string             `json:"$ref"`
	Type       string             `json:"type"`
	Format     string             `json:"format"`
	Properties map[string]*schema `json:"properties"`
	Required   []string           `json:"required"`
	Items      *schema            `json:"items"`
	Enum       []string           `json:"enum"`
	MaxLength  *int               `json:"maxLength"`
}

// methods are the operation keys of a path item.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// document parses the embedded OpenAPI document into its operations by
// "METHOD /path".
func document(t *testing.T) (*openAPI, map[string]operation) {
	t.Helper()
	var doc openAPI
	dec := json.NewDecoder(bytes.NewReader(api.OpenAPIDocument()))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	ops := map[string]operation{}
	for path, item := range doc.Paths {
		for key, raw := range item {
			if !slices.Contains(methods, key) {
				continue // parameters, summary …
			}
			var op operation
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("openapi.json %s %s: %v", key, path, err)
			}
			ops[strings.ToUpper(key)+" "+path] = op
		}
	}
	return &doc, ops
}

// isPublic reports whether op takes no bearer token by the document.
func (op operation) isPublic() bool { return op.Security != nil && len(*op.Security) == 0 }

// documents reports whether op lists status st.
func (op operation) documents(st int) bool {
	_, ok := op.Responses[strconv.Itoa(st)]
	return ok
}

func (op operation) statuses() []string {
	var out []string
	for st := range op.Responses {
		out = append(out, st)
	}
	slices.Sort(out)
	return out
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// Every route of the mux is documented and every documented operation is
// a route, with its path parameters, its security and the answers every
// such route can give.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc, ops := document(t)
	if len(doc.Security) != 1 || doc.Security[0]["bearer"] == nil {
		t.Errorf("the document's default security is %v, want bearer", doc.Security)
	}
	srv := web.New(nil, nil)
	routes := map[string]bool{}
	for _, p := range srv.Patterns() {
		method, _ := splitPattern(p)
		if method == "" {
			if p != "/api/" {
				t.Errorf("route %q has no method: only the catch-all /api/ may", p)
			}
			continue
		}
		routes[p] = true
		if _, ok := ops[p]; !ok {
			t.Errorf("route %s is not in openapi.json", p)
		}
	}
	for name, op := range ops {
		if !routes[name] {
			t.Errorf("openapi.json documents %s, which is no route", name)
		}
		_, path := splitPattern(name)
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			if !slices.Contains(op.Parameters, parameter{m[1], "path", true}) {
				t.Errorf("%s: path parameter %s is not documented (in: path, required)", name, m[1])
			}
		}
		if op.isPublic() != slices.Contains(public, name) {
			t.Errorf("%s: public by the document %v, by the tests' list %v", name, op.isPublic(), slices.Contains(public, name))
		}
		if !op.isPublic() && !op.documents(401) {
			t.Errorf("%s takes a token and does not document 401: %v", name, op.statuses())
		}
		if len(op.Responses) == 0 {
			t.Errorf("%s documents no answer", name)
		}
		for st, r := range op.Responses {
			n, err := strconv.Atoi(st)
			if err != nil || n < 100 || n > 599 {
				t.Errorf("%s: response %q is not a status", name, st)
				continue
			}
			if n >= 400 && strings.HasPrefix(name[strings.Index(name, " ")+1:], "/api/") {
				if s := r.Content["application/json"].Schema; s == nil || s.Ref != "#/components/schemas/Problem" {
					t.Errorf("%s: %d is not a Problem", name, n)
				}
			}
		}
		for _, r := range op.Responses {
			for _, m := range r.Content {
				doc.resolves(t, name, m.Schema)
			}
		}
		if op.RequestBody != nil {
			for _, m := range op.RequestBody.Content {
				doc.resolves(t, name, m.Schema)
			}
		}
	}
}

// resolves checks every $ref under s names a schema of the document.
func (d *openAPI) resolves(t *testing.T, op string, s *schema) {
	t.Helper()
	if s == nil {
		return
	}
	if s.Ref != "" {
		if d.schema(s) == nil {
			t.Errorf("%s: %s is not in the document", op, s.Ref)
		}
		return
	}
	for _, p := range s.Properties {
		d.resolves(t, op, p)
	}
	d.resolves(t, op, s.Items)
}

// schema follows s's $ref; nil when it names nothing.
func (d *openAPI) schema(s *schema) *schema {
	for s != nil && s.Ref != "" {
		name, ok := strings.CutPrefix(s.Ref, "#/components/schemas/")
		if !ok {
			return nil
		}
		s = d.Components.Schemas[name]
	}
	return s
}

// check returns how v, a decoded JSON value at path, breaks schema s.
func (d *openAPI) check(path string, s *schema, v any) []string {
	if s = d.schema(s); s == nil {
		return nil
	}
	bad := func(format string, args ...any) []string {
		return []string{path + ": " + fmt.Sprintf(format, args...)}
	}
	if v == nil {
		if s.Type == "" {
			return nil
		}
		return bad("null, want a %s", s.Type)
	}
	switch s.Type {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return bad("%T, want an object", v)
		}
		var out []string
		for _, r := range s.Required {
			if _, ok := m[r]; !ok {
				out = append(out, path+": no "+r+", which is required")
			}
		}
		if len(s.Properties) == 0 {
			return out
		}
		for k, fv := range m {
			p, ok := s.Properties[k]
			if !ok {
				out = append(out, path+": "+k+" is not documented")
				continue
			}
			out = append(out, d.check(path+"."+k, p, fv)...)
		}
		return out
	case "array":
		a, ok := v.([]any)
		if !ok {
			return bad("%T, want an array", v)
		}
		var out []string
		for i, e := range a {
			out = append(out, d.check(fmt.Sprintf("%s[%d]", path, i), s.Items, e)...)
		}
		return out
	case "string":
		str, ok := v.(string)
		switch {
		case !ok:
			return bad("%v, want a string", v)
		case len(s.Enum) > 0 && !slices.Contains(s.Enum, str):
			return bad("%q, want one of %q", str, s.Enum)
		case s.Format == "date" && str != "":
			if _, err := civil.Parse(str); err != nil {
				return bad("%q, want a date", str)
			}
		case s.Format == "date-time" && str != "":
			if _, err := time.Parse(time.RFC3339, str); err != nil {
				return bad("%q, want a date-time", str)
			}
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != math.Trunc(f) {
			return bad("%v, want an integer", v)
		}
	case "number":
		if _, ok := v.(float64); !ok {
			return bad("%v, want a number", v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return bad("%v, want a boolean", v)
		}
	}
	return nil
}

// apiCall is one documented operation called as it should be.
type apiCall struct {
	op     string // "METHOD /path" as documented
	path   string // with its parameters
	token  string
	body   string
	header []string
	want   int
}

// Every documented operation answers, called with a token that may, a
// status the document lists — the one expected — and a body in the
// documented shape; never a 404 for want of a route, a 405 or a 500.
// Without a token each answers 401, also documented.
func TestOpenAPIRoutesAnswer(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, backend string) {
		b := newBook(t, backend, func(s *web.Server) {
			s.API.WebhookSecret = func(string) []byte { return webhookSecret }
			withChannels(s)
		})
		courtBody := `{"id":"C-1","borrower":"TB0","date":"2026-01-11","event":"listed","case_no":"(2026)京0105执1号"}` + "\n"
		doc, ops := document(t)
		const pw = "tea at the bund 1998"
		b.addPasswordUser(t, "pat", pw, auth.Collector)
		watchAll(t, b) // a warning on every loan, for the warning routes
		if _, err := (&eod.Runner{Store: b.db}).Close(storetest.EOD(), civil.MustParse("2026-01-10"), false); err != nil {
			t.Fatal(err)
		}
		session, _, err := b.db.StartSession(b.as["mgr"], time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		_, old, err := b.db.IssueToken(b.as["admin"], "old-dialer", []auth.Role{auth.Integration}, auth.AllLoans(), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		loan := func(id int64) string { return strconv.FormatInt(id, 10) }
		proposal, legalCase := approvalFixtures(t, b)
		tasks := collectionFixtures(t, b)
		callTL0 := fmt.Sprintf("/api/v1/tasks/%d", tasks[collection.Call][b.loans[0]])
		smsBody := fmt.Sprintf(`{"key":"task-%d","status":"delivered","at":"2026-01-10T10:05:00+08:00","willingness":-1}`, tasks[collection.SMS][b.loans[3]])
		welcome, _ := json.Marshal(welcomeSOP)
		strategy, _ := json.Marshal(collection.DefaultStrategy())
		tl0, tl3, pl0 := loan(b.loans[0]), loan(b.loans[3]), loan(b.pii)
		core, admin := b.bearer["core"], b.bearer["admin"]
		calls := []apiCall{
			{"GET /healthz", "/healthz", "", "", nil, 200},
			{"GET /readyz", "/readyz", "", "", nil, 200},
			{"GET /metrics", "/metrics", "", "", nil, 200},
			{"GET /api/v1/openapi.json", "/api/v1/openapi.json", "", "", nil, 200},
			{"POST /api/v1/session", "/api/v1/session", "", `{"name":"pat","password":"` + pw + `"}`, nil, 201},
			{"DELETE /api/v1/session", "/api/v1/session", session, "", nil, 204},
			{"GET /api/v1/loans", "/api/v1/loans?status=active&class=normal&product=CL&branch=BJ01&min_dpd=0&max_dpd=30&limit=2", core, "", nil, 200},
			{"GET /api/v1/loans/{id}", "/api/v1/loans/" + tl3, core, "", nil, 200},
			{"GET /api/v1/loans/{id}/schedule", "/api/v1/loans/TL3/schedule?as_of=2026-03-10", core, "", nil, 200},
			{"GET /api/v1/loans/{id}/transactions", "/api/v1/loans/" + tl3 + "/transactions", core, "", nil, 200},
			{"GET /api/v1/loans/{id}/history", "/api/v1/loans/" + tl3 + "/history", core, "", nil, 200},
			{"POST /api/v1/loans/{id}/reveal", "/api/v1/loans/" + pl0 + "/reveal", b.bearer["am"], `{"reason":"a settlement letter"}`, nil, 200},
			{"POST /api/v1/loans/{id}/payments", "/api/v1/loans/" + tl3 + "/payments", core, `{"amount":"1066.19","value_date":"2026-01-10","channel":"bank"}`, []string{"Idempotency-Key", "OPENAPI-1"}, 201},
			{"POST /api/v1/loans/{id}/reversals", "/api/v1/loans/" + tl3 + "/reversals", core, `{"reverses":2}`, []string{"Idempotency-Key", "OPENAPI-REV-1"}, 201},
			{"POST /api/v1/loans/{id}/overrides", "/api/v1/loans/" + tl3 + "/overrides", b.bearer["risk"], `{"class":"关注","reason":"the borrower's shop has closed"}`, nil, 201},
			{"POST /api/v1/loans/{id}/overrides/{override}/decision", fmt.Sprintf("/api/v1/loans/%s/overrides/%d/decision", tl0, b.override[b.loans[0]]), b.bearer["risk2"], `{"approve":true}`, nil, 200},
			{"POST /api/v1/payments/bulk", "/api/v1/payments/bulk", core, `{"name":"bank-20260111.csv","payments":[{"loan":"TL2","value_date":"2026-01-10","amount":"1.00","reference":"BULK-1"},{"loan":"NOPE","value_date":"2026-01-10","amount":"1.00","reference":"BULK-2"}]}`, nil, 200},
			{"POST /api/v1/sources/{source}/records", "/api/v1/sources/court/records", "", courtBody, signed(webhookSecret, time.Now(), courtBody), 200},
			{"GET /api/v1/reports/portfolio", "/api/v1/reports/portfolio", b.bearer["risk"], "", nil, 200},
			{"GET /api/v1/audit", "/api/v1/audit?object=loan:" + pl0 + "&limit=10", b.bearer["aud"], "", nil, 200},
			{"GET /api/v1/users", "/api/v1/users", admin, "", nil, 200},
			{"POST /api/v1/users", "/api/v1/users", admin, `{"name":"newbie","roles":["collector"],"scope":"branch:BJ01","officer":"N01","password":"a long enough phrase"}`, nil, 201},
			{"PATCH /api/v1/users/{name}", "/api/v1/users/newbie", admin, `{"roles":["collector","legal"],"disabled":true}`, nil, 200},
			{"GET /api/v1/tokens", "/api/v1/tokens", admin, "", nil, 200},
			{"POST /api/v1/tokens", "/api/v1/tokens", admin, `{"name":"dialer-01","roles":["integration"],"scope":"all","expires_in_days":30}`, nil, 201},
			{"DELETE /api/v1/tokens/{id}", "/api/v1/tokens/" + old.ID, admin, "", nil, 204},
			{"GET /api/v1/rules", "/api/v1/rules", b.bearer["risk"], "", nil, 200},
			{"GET /api/v1/rules/{code}", "/api/v1/rules/court_case", b.bearer["aud"], "", nil, 200},
			{"PUT /api/v1/rules/{code}", "/api/v1/rules/court_case", b.bearer["risk"], `{"name":"Court case 涉诉","expr":"court_new_3m > 0 && dpd >= 0","severity":"橙","cooldown":90,"owner":"legal"}`, nil, 200},
			{"PUT /api/v1/rules/{code}", "/api/v1/rules/court_case", b.bearer["risk"], `{"name":"Court case","expr":"court_new_3m >","severity":"orange","owner":"legal"}`, nil, 400},
			{"PATCH /api/v1/rules/{code}", "/api/v1/rules/court_case", b.bearer["risk"], `{"enabled":false}`, nil, 200},
			{"POST /api/v1/rules/backtest", "/api/v1/rules/backtest", b.bearer["risk"], `{"from":"2026-01-10","to":"2026-01-10"}`, nil, 200},
			{"POST /api/v1/rules/backtest", "/api/v1/rules/backtest", b.bearer["risk"], `{"from":"2026-01-10","to":"2026-01-10","rules":[{"code":"draft","name":"Draft","expr":"dpd >= 0","severity":"yellow","owner":"collector"}]}`, nil, 200},
			{"GET /api/v1/warnings", "/api/v1/warnings?loan=TL0&rule=watch_all&state=open&severity=黄&from=2026-01-01&to=2026-01-31&limit=10", b.bearer["col"], "", nil, 200},
			{"POST /api/v1/warnings/{id}/ack", fmt.Sprintf("/api/v1/warnings/%d/ack", warningOn(t, b, b.loans[0])), b.bearer["col"], `{"note":"called the borrower"}`, nil, 200},
			{"POST /api/v1/warnings/{id}/escalate", fmt.Sprintf("/api/v1/warnings/%d/escalate", warningOn(t, b, b.loans[0])), b.bearer["col"], `{"note":"the borrower has moved away"}`, nil, 200},
			{"POST /api/v1/warnings/{id}/resolve", fmt.Sprintf("/api/v1/warnings/%d/resolve", warningOn(t, b, b.loans[0])), b.bearer["col"], `{"note":"found and paying"}`, nil, 200},
			{"POST /api/v1/warnings/{id}/ack", fmt.Sprintf("/api/v1/warnings/%d/ack", warningOn(t, b, b.loans[0])), b.bearer["col"], "", nil, 409},
			{"GET /api/v1/reports/warnings", "/api/v1/reports/warnings?from=2026-01-01&to=2026-01-10", b.bearer["risk"], "", nil, 200},
			{"GET /api/v1/reports/collections", "/api/v1/reports/collections?from=2026-01-01&to=2026-01-10&by=collector", b.bearer["risk"], "", nil, 200},
			{"GET /api/v1/reports/collections", "/api/v1/reports/collections", b.bearer["aud"], "", nil, 200},
			{"GET /api/v1/reports/collections", "/api/v1/reports/collections?by=region", b.bearer["risk"], "", nil, 400},
			{"GET /api/v1/reports/strategies", "/api/v1/reports/strategies?to=2026-01-10", b.bearer["mgr"], "", nil, 200},
			{"GET /api/v1/reports/rate-cap", "/api/v1/reports/rate-cap?limit=2", b.bearer["aud"], "", nil, 200},
			{"GET /api/v1/reports/rate-cap", "/api/v1/reports/rate-cap?limit=lots", b.bearer["risk"], "", nil, 400},
			{"POST /api/v1/loans/{id}/proposals", "/api/v1/loans/" + tl3 + "/proposals", b.bearer["risk"], `{"kind":"writeoff","reason":"the borrower is in prison for fraud"}`, nil, 201},
			{"POST /api/v1/loans/{id}/proposals", "/api/v1/loans/" + tl3 + "/proposals", b.bearer["risk"], `{"kind":"writeoff","reason":"again"}`, nil, 409},
			{"GET /api/v1/approvals", "/api/v1/approvals?status=pending&kind=override&loan=TL1&inbox=true&limit=10", b.bearer["risk2"], "", nil, 200},
			{"GET /api/v1/approvals", "/api/v1/approvals", b.bearer["mgr"], "", nil, 200},
			{"POST /api/v1/approvals/{id}/decision", fmt.Sprintf("/api/v1/approvals/%d/decision", proposal), b.bearer["risk2"], `{"approve":true,"note":"within policy"}`, nil, 200},
			{"POST /api/v1/approvals/{id}/decision", fmt.Sprintf("/api/v1/approvals/%d/decision", proposal), b.bearer["mgr"], `{"approve":false,"note":"too late"}`, nil, 409},
			{"POST /api/v1/loans/{id}/cases", "/api/v1/loans/TL2/cases", b.bearer["mgr"], `{"kind":"litigation","court":"北京市朝阳区人民法院","assignee":"legal","note":"two installments unpaid"}`, nil, 201},
			{"GET /api/v1/cases", "/api/v1/cases?loan=TL1&kind=litigation&stage=filed&open=true&assignee=legal&limit=10", b.bearer["legal"], "", nil, 200},
			{"POST /api/v1/cases/{id}/events", fmt.Sprintf("/api/v1/cases/%d/events", legalCase), b.bearer["legal"], `{"kind":"move","stage":"accepted","court_ref":"(2026)京0105民初1号"}`, nil, 201},
			{"POST /api/v1/cases/{id}/events", fmt.Sprintf("/api/v1/cases/%d/events", legalCase), b.bearer["legal"], `{"kind":"cost","amount":"500.00","note":"诉讼费"}`, nil, 201},
			{"POST /api/v1/cases/{id}/events", fmt.Sprintf("/api/v1/cases/%d/events", legalCase), b.bearer["legal"], `{"kind":"recovery","amount":"100.00","reference":"EXEC-1"}`, nil, 201},
			{"POST /api/v1/cases/{id}/events", fmt.Sprintf("/api/v1/cases/%d/events", legalCase), b.bearer["legal"], `{"kind":"recovery","amount":"100.00","reference":"EXEC-1"}`, nil, 200},
			{"GET /api/v1/tasks", "/api/v1/tasks?mine=false&state=open&kind=call&loan=TL0&limit=10", b.bearer["col"], "", nil, 200},
			{"GET /api/v1/tasks", "/api/v1/tasks?assignee=col2", b.bearer["mgr"], "", nil, 200},
			{"GET /api/v1/tasks/{id}", callTL0, b.bearer["col"], "", nil, 200},
			{"POST /api/v1/tasks/{id}/take", callTL0 + "/take", b.bearer["col"], "", nil, 200},
			{"POST /api/v1/tasks/{id}/check", callTL0 + "/check", b.bearer["col"], `{"at":"2026-01-10T22:30:00+08:00","recording":true}`, nil, 200},
			{"POST /api/v1/tasks/{id}/check", callTL0 + "/check", b.bearer["col"], `{"channel":"fax"}`, nil, 400},
			{"POST /api/v1/tasks/{id}/outcome", callTL0 + "/outcome", b.bearer["col"], `{"outcome":"no-answer","recording":"REC-1","at":"2026-01-10T22:30:00+08:00"}`, nil, 409},
			{"POST /api/v1/tasks/{id}/outcome", callTL0 + "/outcome", b.bearer["col"], `{"outcome":"promise","promise_amount":"500.00","promise_date":"2026-01-20","recording":"REC-2","at":"2026-01-10T10:00:00+08:00","note":"pays on the 20th"}`, nil, 200},
			{"POST /api/v1/channels/{channel}/results", "/api/v1/channels/sms/results", "", smsBody, signedResult(channelSecret, time.Now(), smsBody), 200},
			{"GET /api/v1/sop", "/api/v1/sop", b.bearer["risk"], "", nil, 200},
			{"PUT /api/v1/sop", "/api/v1/sop", b.bearer["risk"], string(welcome), nil, 200},
			{"PUT /api/v1/sop", "/api/v1/sop", b.bearer["risk"], `{"code":"CL","steps":[{"code":"bad","anchor":"overdue","offset":1,"action":"call","when":"dpd >"}]}`, nil, 400},
			{"GET /api/v1/strategy", "/api/v1/strategy", b.bearer["aud"], "", nil, 200},
			{"PUT /api/v1/strategy", "/api/v1/strategy", b.bearer["risk"], string(strategy), nil, 200},
		}
		called := map[string]bool{}
		for _, c := range calls {
			op, ok := ops[c.op]
			if !ok {
				t.Errorf("%s is not documented", c.op)
				continue
			}
			called[c.op] = true
			method, _ := splitPattern(c.op)
			r := do(t, method, b.base+c.path, c.token, c.body, c.header...)
			if !op.documents(r.status) {
				t.Errorf("%s %s: %s, which the document does not list (%v)", method, c.path, r, op.statuses())
			}
			if r.status != c.want {
				t.Errorf("%s %s: %s, want %d", method, c.path, r, c.want)
				continue
			}
			// The answer has the documented shape.
			if m, ok := op.Responses[strconv.Itoa(r.status)].Content["application/json"]; ok {
				if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("%s: Content-Type %q, want JSON", c.op, ct)
				}
				var v any
				if err := json.Unmarshal(r.body, &v); err != nil {
					t.Errorf("%s: the answer is not JSON: %v", c.op, err)
				} else if errs := doc.check(c.op+" "+strconv.Itoa(r.status), m.Schema, v); len(errs) > 0 {
					t.Errorf("the answer breaks the document:\n\t%s", strings.Join(errs, "\n\t"))
				}
			} else if len(r.body) > 0 && r.status == 204 {
				t.Errorf("%s: 204 with a body", c.op)
			}
			// And without a token: 401, documented.
			if !op.isPublic() {
				header := c.header
				if slices.Contains(signedRoutes, c.op) { // its credentials are its headers
					header = nil
				}
				r := do(t, method, b.base+c.path, "", c.body, header...)
				problem(t, c.op+" without a token", r, 401, daihou.EUNAUTHENTICATED)
				if !op.documents(r.status) {
					t.Errorf("%s without a token: %d, which the document does not list", c.op, r.status)
				}
			}
		}
		for name := range ops {
			if !called[name] {
				t.Errorf("documented %s is not called: add it to the calls", name)
			}
		}
		// The document served is the one embedded.
		if r := do(t, "GET", b.base+"/api/v1/openapi.json", "", ""); !bytes.Equal(r.body, api.OpenAPIDocument()) {
			t.Errorf("GET /api/v1/openapi.json is not the embedded document")
		}
		// A method a documented path does not take is no route: answered
		// in the one error shape, never a 500.
		for _, m := range []string{"PUT", "DELETE"} {
			r := do(t, m, b.base+"/api/v1/loans", core, "")
			if r.status != 404 && r.status != 405 {
				t.Errorf("%s /api/v1/loans: %s, want 404 or 405", m, r)
			}
		}
	})
}
