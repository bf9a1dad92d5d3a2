package scimtest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name, pattern, got string
		want               []string // the mismatches, in order
	}{
		{"equal", `{"a":1,"b":"x","c":true,"d":null}`, `{"a":1,"b":"x","c":true,"d":null,"e":2}`, nil},
		{"number is not string", `{"status":"404"}`, `{"status":404}`, []string{`body.status: want "404", got 404`}},
		{"string is not number", `{"totalResults":0}`, `{"totalResults":"0"}`, []string{`body.totalResults: want the number 0, got "0"`}},
		{"1.0 equals 1", `{"n":1}`, `{"n":1.0}`, nil},
		{"empty array is not null", `{"Resources":[]}`, `{"Resources":null}`, []string{"body.Resources: want an array, got null"}},
		{"missing member", `{"Resources":[]}`, `{}`, []string{"body.Resources: missing"}},
		{"names fold", `{"userName":"a"}`, `{"username":"a"}`, nil},
		{"absent", `{"password":"{{absent}}"}`, `{"password":"x"}`, []string{`body.password: must not be returned, got "x"`}},
		{"absent ok", `{"password":"{{absent}}"}`, `{"Password":null}`, nil},
		{"any", `{"id":"{{any}}"}`, `{"id":null}`, []string{"body.id: want a value, got null"}},
		{"string", `{"id":"{{string}}"}`, `{"id":""}`, []string{`body.id: want a non-empty string, got ""`}},
		{"int", `{"n":"{{int}}"}`, `{"n":1.5}`, []string{"body.n: want a JSON integer, got 1.5"}},
		{"array", `{"r":"{{array}}"}`, `{"r":{}}`, []string{"body.r: want an array, got {}"}},
		{"length", `[1]`, `[1,2]`, []string{"body: want 1 elements, got 2: [1,2]"}},
		{"elements", `[{"a":1}]`, `[{"a":2}]`, []string{"body[0].a: want 1, got 2"}},
		{"contains", `["{{contains}}",{"type":"work"}]`, `[{"type":"home"},{"type":"work","value":"x"}]`, nil},
		{"contains none", `["{{contains}}",{"type":"work"}]`, `[{"type":"home"}]`, []string{`body: no element matches {"type":"work"} in [{"type":"home"}]`}},
		{"bool", `{"active":false}`, `{"active":"False"}`, []string{`body.active: want false, got "False"`}},
		{"nested", `{"name":{"givenName":"Ann"}}`, `{"name":{"givenName":"Bo"}}`, []string{`body.name.givenName: want "Ann", got "Bo"`}},
		{"all reported", `{"a":1,"b":2}`, `{"a":0,"b":0}`, []string{"body.a: want 1, got 0", "body.b: want 2, got 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := decodeJSON([]byte(tt.pattern))
			if err != nil {
				t.Fatal(err)
			}
			g, err := decodeJSON([]byte(tt.got))
			if err != nil {
				t.Fatal(err)
			}
			var errs []string
			match("body", p, g, &errs)
			if strings.Join(errs, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("match(%s, %s):\n got %q\nwant %q", tt.pattern, tt.got, errs, tt.want)
			}
		})
	}
}

func TestExchangeFiles(t *testing.T) {
	all, err := loadExchanges()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 40 {
		t.Errorf("%d exchanges loaded; are the testdata files embedded?", len(all))
	}
	base, _ := url.Parse("https://app.example.com/scim/v2")
	v := newUser().with("id", "2819c223-7f76-453a-919d-413861904646", "badToken", "x", "startIndex", "101")
	users := []vars{newUser().with("id", "u-1"), newUser().with("id", "u-2"), newUser().with("id", "u-3")}
	v = memberVars(v.with(newGroupKV()...), users)
	v = one(v, users[0]).with("groupId", "g-1", "lookupName", "ENG", "membersJSON", `[{"value":"u-1"}]`, "prefix", "scimtest.0123abcd.", "cursor", "AQDc7w1T")
	for name, ex := range all {
		t.Run(name, func(t *testing.T) {
			req, err := ex.request(base, v)
			if err != nil {
				t.Fatal(err)
			}
			if p := req.URL.Path; !strings.HasPrefix(p, "/scim/v2/Users") && !strings.HasPrefix(p, "/scim/v2/Groups") {
				t.Errorf("request path %s is not below the base URL", req.URL.Path)
			}
			if ex.respBody != "" {
				if _, err := ex.pattern(v); err != nil {
					t.Error(err)
				}
			}
			if len(ex.statuses) == 0 {
				t.Error("no status")
			}
		})
	}
}

func newGroupKV() []string {
	var kv []string
	for k, x := range newGroupVars() {
		kv = append(kv, k, x)
	}
	return kv
}

// Every exchange with a JSON body is JSON once its values are in, the
// members a conversation builds included.
func TestExchangeBodies(t *testing.T) {
	ex, err := loadExchange("entra/groups-add-batch")
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://app.example.com/scim/v2")
	req, err := ex.request(base, vars{"groupId": "g", "membersJSON": `[{"$ref":null,"value":"a\"b"}]`})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(req.Body)
	got, err := decodeJSON(body)
	if err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	if id := stringOr(arrayAt(arrayAt(got, "Operations")[0], "value")[0], "value"); id != `a"b` {
		t.Errorf("member value %q, want %q:\n%s", id, `a"b`, body)
	}
}

func TestExchangeRequest(t *testing.T) {
	ex, err := parseExchange("x", []byte(`# a comment
GET /Users/{{id}}?filter=userName%20eq%20%22{{userName}}%22
Authorization: Bearer {{badToken}}

HTTP 200 204
Location: {{any}}

{"userName":"{{userName}}"}
`))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("http://h/scim/v2")
	req, err := ex.request(base, vars{"id": "a b/c", "userName": `a+b@x"y`, "badToken": "t"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := req.URL.String(), `http://h/scim/v2/Users/a%20b%2Fc?filter=userName%20eq%20%22a%2Bb%40x%22y%22`; got != want {
		t.Errorf("URL:\n got %s\nwant %s", got, want)
	}
	if got := req.URL.Query().Get("filter"); got != `userName eq "a+b@x"y"` {
		t.Errorf("filter decodes to %q", got)
	}
	if got := req.Header.Get("Authorization"); got != "Bearer t" {
		t.Errorf("Authorization %q", got)
	}
	if !ex.accepts(204) || ex.accepts(201) {
		t.Errorf("statuses %v", ex.statuses)
	}
	p, err := ex.pattern(vars{"userName": `a"b`})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.(map[string]any)["userName"]; got != `a"b` {
		t.Errorf("pattern userName %q", got)
	}
	if _, err := ex.request(base, vars{}); err == nil || !strings.Contains(err.Error(), "no value for {{id}}") {
		t.Errorf("missing value: %v", err)
	}
}

func TestParseExchangeErrors(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"empty", "# only a comment\n", "no request line"},
		{"bad request line", "Users\n\nHTTP 200\n", "want a request line"},
		{"no status", "GET /Users\n\n{}\n", "no status line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseExchange("x", []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"", time.Second},
		{"0", 0},
		{"3", 3 * time.Second},
		{"3600", 60 * time.Second},
		{"-1", time.Second},
		{"soon", time.Second},
		{time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), 0},
		{time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), 60 * time.Second},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.header); got != tt.want {
			t.Errorf("retryAfter(%q) = %s, want %s", tt.header, got, tt.want)
		}
	}
}
