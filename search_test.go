package scim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// newMemHandler returns a handler over a fresh memstore, which serves
// groups and keyset paging.
func newMemHandler(t testing.TB, cfg scim.Config) *scim.Handler {
	t.Helper()
	if cfg.Authenticator == nil {
		cfg.Authenticator = scim.SkipAuthentication // what the test is about is not authentication
	}
	h, err := scim.NewHandler(memstore.New(), cfg)
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	return h
}

// search is a SearchRequest body with the given members spliced in.
func search(members string) string {
	if members != "" {
		members = "," + members
	}
	return `{"schemas":["` + scim.SearchRequestURN + `"]` + members + `}`
}

func newGroup(t testing.TB, h http.Handler, name, members string) string {
	t.Helper()
	rec := do(t, h, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":`+quote(name)+`,"members":[`+members+`]}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create group: %d %s", rec.Code, rec.Body)
	}
	var g struct{ ID string }
	json.Unmarshal(rec.Body.Bytes(), &g)
	return g.ID
}

// POST /{Resources}/.search answers exactly what the GET with the same
// parameters answers (RFC 7644 §3.4.3).
func TestSearchMatchesGET(t *testing.T) {
	h := newMemHandler(t, scim.Config{})
	var ids []string
	for i := range 12 {
		ids = append(ids, create(t, h, fmt.Sprintf("user%02d@example.com", i)).ID)
	}
	newGroup(t, h, "Admins", `{"value":"`+ids[0]+`"},{"value":"`+ids[1]+`"}`)
	newGroup(t, h, "Staff", `{"value":"`+ids[2]+`"}`)
	newGroup(t, h, "Alumni", "")
	tests := []struct {
		endpoint, query, body string
	}{
		{"Users", "", ""},
		{"Users", "filter=" + urlq(`userName eq "user03@example.com"`), `"filter":"userName eq \"user03@example.com\""`},
		{"Users", "filter=" + urlq(`userName sw "user1"`) + "&count=2", `"filter":"userName sw \"user1\"","count":2`},
		{"Users", "startIndex=5&count=3", `"startIndex":5,"count":3`},
		{"Users", "startIndex=-4&count=-1", `"startIndex":-4,"count":-1`},
		{"Users", "count=1000", `"count":1000`},
		{"Users", "attributes=userName,name.givenName", `"attributes":["userName","name.givenName"]`},
		{"Users", "excludedAttributes=emails,name", `"excludedAttributes":["emails","name"]`},
		{"Users", "filter=" + urlq(`userName eq "nobody"`), `"filter":"userName eq \"nobody\"","sortBy":"userName","sortOrder":"descending"`},
		{"Groups", "", ""},
		{"Groups", "filter=" + urlq(`displayName sw "A"`), `"filter":"displayName sw \"A\""`},
		{"Groups", "excludedAttributes=members", `"excludedAttributes":["members"]`},
		{"Groups", "attributes=displayName&count=2&startIndex=2", `"attributes":["displayName"],"count":2,"startIndex":2`},
		{"Groups", "filter=" + urlq(`members.value eq "`+ids[2]+`"`), `"filter":"members.value eq \"` + ids[2] + `\""`},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint+"?"+tt.query, func(t *testing.T) {
			get := do(t, h, "GET", "/"+tt.endpoint+"?"+tt.query, "")
			post := do(t, h, "POST", "/"+tt.endpoint+"/.search", search(tt.body))
			decodeList(t, get)
			decodeList(t, post)
			if get.Body.String() != post.Body.String() {
				t.Errorf("GET and .search differ:\nGET    %s\nsearch %s", get.Body, post.Body)
			}
		})
	}
}

func urlq(s string) string { return strings.NewReplacer(" ", "%20", `"`, "%22").Replace(s) }

// A SearchRequest is decoded strictly: every error a 400 that names the
// member (and the byte offset where one helps).
func TestSearchErrors(t *testing.T) {
	h := newMemHandler(t, scim.Config{})
	create(t, h, "ann@example.com")
	tests := []struct {
		name, target, body string
		status             int
		scimType, detail   string
	}{
		{"no schemas", "/Users/.search", `{"filter":"userName pr"}`, 400, "invalidSyntax", `no "schemas"`},
		{"wrong schemas", "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, 400, "invalidSyntax", "SearchRequest"},
		{"empty schemas", "/Users/.search", `{"schemas":[]}`, 400, "invalidSyntax", "SearchRequest"},
		{"not an object", "/Users/.search", `[1]`, 400, "invalidSyntax", "JSON object"},
		{"malformed", "/Users/.search", `{"schemas":["` + scim.SearchRequestURN + `"],"filter":}`, 400, "invalidSyntax", "byte offset"},
		{"attributes not an array", "/Users/.search", search(`"attributes":"userName"`), 400, "invalidValue", "attributes must be an array"},
		{"attributes element", "/Users/.search", search(`"attributes":["userName",3]`), 400, "invalidValue", `"attributes[1]" must be a string`},
		{"attributes with comma", "/Users/.search", search(`"attributes":["userName,emails"]`), 400, "invalidValue", "one attribute per element"},
		{"unknown attribute mis-cased", "/Users/.search", search(`"attributes":["USERNAME"]`), 400, "invalidValue", "userName"},
		{"filter not a string", "/Users/.search", search(`"filter":{"op":"eq"}`), 400, "invalidValue", `"filter" must be a string`},
		{"filter syntax", "/Users/.search", search(`"filter":"userName eq"`), 400, "invalidFilter", ""},
		{"filter unknown attribute", "/Groups/.search", search(`"filter":"userName eq \"x\""`), 400, "invalidFilter", ""},
		{"sortOrder", "/Users/.search", search(`"sortOrder":"up"`), 400, "invalidValue", "ascending"},
		{"startIndex string", "/Users/.search", search(`"startIndex":"2"`), 400, "invalidValue", `"startIndex" must be an integer`},
		{"count string", "/Users/.search", search(`"count":"2"`), 400, "invalidValue", "count must be an integer"},
		{"count fraction", "/Users/.search", search(`"count":2.5`), 400, "invalidValue", "count must be an integer"},
		{"duplicate member", "/Users/.search", search(`"count":1,"count":2`), 400, "invalidSyntax", "twice"},
		{"mis-cased member", "/Users/.search", search(`"Filter":"userName pr"`), 400, "", "filter"},
		{"root filter no type knows", "/.search", search(`"filter":"nickName eq \"x\""`), 400, "invalidFilter", ""},
		{"root attributes no type knows", "/.search", search(`"attributes":["USERNAME"]`), 400, "invalidValue", "userName"},
		{"root cursor", "/.search", search(`"cursor":""`), 400, "invalidCursor", "per resource type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, h, "POST", tt.target, tt.body)
			if tt.scimType == "" {
				if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.detail) {
					t.Fatalf("status %d, want %d naming %q: %s", rec.Code, tt.status, tt.detail, rec.Body)
				}
			} else {
				e := wantError(t, rec, tt.status, tt.scimType)
				if !strings.Contains(e.Detail, tt.detail) {
					t.Errorf("detail %q does not mention %q", e.Detail, tt.detail)
				}
			}
		})
	}
	// Members the message does not define are ignored, as elsewhere.
	decodeList(t, do(t, h, "POST", "/Users/.search", search(`"x-vendor":1,"filter":null`)))
	// Methods and places.
	if rec := do(t, h, "GET", "/Users/.search", ""); rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "POST" {
		t.Errorf("GET /Users/.search: %d, Allow %q; want 405 with Allow: POST", rec.Code, rec.Header().Get("Allow"))
	}
	if rec := do(t, h, "GET", "/.search", ""); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET /.search: %d, want 405", rec.Code)
	}
	wantError(t, do(t, h, "POST", "/.search/Users", search("")), 404, "")
	wantError(t, do(t, h, "POST", "/Users/.search", search(""), "Content-Type", "text/plain"), 415, "")
	// With names case-insensitive, a mis-cased member is the member.
	hi := newMemHandler(t, scim.Config{Leniency: scim.Leniency{CaseInsensitiveNames: true}})
	create(t, hi, "bob@example.com")
	l := decodeList(t, do(t, hi, "POST", "/Users/.search", `{"SCHEMAS":["`+scim.SearchRequestURN+`"],"FILTER":"userName eq \"bob@example.com\""}`))
	if l.TotalResults != 1 {
		t.Errorf("case-insensitive search found %d users, want 1", l.TotalResults)
	}
	// Without groups, /Groups/.search is the 404 /Groups is.
	hf, _ := newHandler(t, scim.Config{})
	wantError(t, do(t, hf, "POST", "/Groups/.search", search("")), 404, "")
}

// POST /.search lists users, then groups, as one list paged by index.
func TestSearchRoot(t *testing.T) {
	h := newMemHandler(t, scim.Config{})
	var users []string
	for i := range 3 {
		users = append(users, create(t, h, fmt.Sprintf("u%d@example.com", i)).ID)
	}
	g1 := newGroup(t, h, "Admins", `{"value":"`+users[0]+`"}`)
	g2 := newGroup(t, h, "Staff", "")
	all := append(append([]string{}, users...), g1, g2)
	ids := func(l listJSON) []string {
		var out []string
		for _, r := range l.Resources {
			var x struct{ ID string }
			json.Unmarshal(r, &x)
			out = append(out, x.ID)
		}
		return out
	}
	tests := []struct {
		body       string
		total      int
		startIndex int
		want       []string
	}{
		{"", 5, 1, all},
		{`"count":2`, 5, 1, all[:2]},
		{`"startIndex":3,"count":2`, 5, 3, all[2:4]},
		{`"startIndex":4,"count":10`, 5, 4, all[3:]},
		{`"startIndex":9`, 5, 9, nil},
		{`"count":0`, 5, 1, nil},
		{`"filter":"userName eq \"u1@example.com\""`, 1, 1, users[1:2]},
		{`"filter":"displayName eq \"Staff\""`, 1, 1, []string{g2}},
		{`"filter":"id eq \"` + g1 + `\" or id eq \"` + users[2] + `\""`, 2, 1, []string{users[2], g1}},
		{`"filter":"meta.resourceType eq \"Group\""`, 2, 1, []string{g1, g2}},
		{`"filter":"members.value eq \"` + users[0] + `\""`, 1, 1, []string{g1}},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			l := decodeList(t, do(t, h, "POST", "/.search", search(tt.body)))
			if l.TotalResults != tt.total || l.StartIndex != tt.startIndex || l.ItemsPerPage != len(tt.want) {
				t.Errorf("totalResults %d, startIndex %d, itemsPerPage %d; want %d, %d, %d", l.TotalResults, l.StartIndex, l.ItemsPerPage, tt.total, tt.startIndex, len(tt.want))
			}
			if got := ids(l); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// attributes apply per type; a name one type lacks is left out there.
	rec := do(t, h, "POST", "/.search", search(`"attributes":["userName","displayName"]`))
	decodeList(t, rec)
	body := rec.Body.String()
	if strings.Count(body, `"userName"`) != 3 || strings.Contains(body, `"emails"`) || strings.Contains(body, `"members"`) || strings.Count(body, `"displayName"`) < 2 {
		t.Errorf("root search with attributes: %s", body)
	}
	// Groups' own attributes only: users keep their id.
	rec = do(t, h, "POST", "/.search", search(`"attributes":["members"]`))
	decodeList(t, rec)
	if strings.Contains(rec.Body.String(), `"userName"`) || !strings.Contains(rec.Body.String(), `"members"`) {
		t.Errorf("root search with attributes [members]: %s", rec.Body)
	}
	// A store without groups: the root search lists users.
	hf, _ := newHandler(t, scim.Config{})
	create(t, hf, "solo@example.com")
	if l := decodeList(t, do(t, hf, "POST", "/scim/v2/.search", search(""))); l.TotalResults != 1 {
		t.Errorf("root search without groups: totalResults %d, want 1", l.TotalResults)
	}
}
