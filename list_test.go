package scim_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/schema"
)

// TestListFilter checks the filters Okta and Entra ID send, and the
// comparison rules of each attribute (RFC 7643 caseExact).
func TestListFilter(t *testing.T) {
	h, _ := newHandler(t, scim.Config{Attributes: customAttrs, Extensions: []schema.Schema{acmeExt}})
	for _, body := range []string{
		namedUser("Test.User@okta.local", `,"externalId":"00uAbC","emails":[{"type":"work","value":"Test.User@Example.com"}],"regions":"us1,emea2","level":3,"active":false`),
		namedUser("bob@okta.local", `,"externalId":"00uabc","emails":[{"type":"work","value":"bob@example.com"}],"`+acmeURN+`":{"costCenter":"cc-9"}`),
		namedUser("carl", `,"emails":[{"type":"home","value":"carl@home.example","primary":true},{"value":"carl@example.com","primary":true}]`),
	} {
		decodeUser(t, do(t, h, "POST", "/Users", body), 201)
	}
	tests := []struct {
		filter string
		want   []string
	}{
		{`userName eq "test.user@okta.local"`, []string{"Test.User@okta.local"}},
		{`userName eq "TEST.USER@OKTA.LOCAL"`, []string{"Test.User@okta.local"}},
		{`userName eq "nobody@okta.local"`, nil},
		{`userName eq "8a0f2e5c-37e4-4b44-a1cf-63a6c5c6a0d1"`, nil}, // Entra's test connection
		{`externalId eq "00uAbC"`, []string{"Test.User@okta.local"}},
		{`externalId eq "00uabc"`, []string{"bob@okta.local"}},
		{`externalId eq "00UABC"`, nil},
		{`emails[type eq "work"].value eq "test.user@example.com"`, []string{"Test.User@okta.local"}},
		{`emails[type eq "work"].value eq "bob@example.com"`, []string{"bob@okta.local"}},
		{`emails[type eq "work" and value eq "bob@example.com"]`, []string{"bob@okta.local"}},
		{`emails.value eq "carl@example.com"`, []string{"carl"}},
		{`emails eq "carl@example.com"`, []string{"carl"}},
		{`userName eq "bob@okta.local" and externalId eq "00uabc"`, []string{"bob@okta.local"}},
		{`userName eq "bob@okta.local" and externalId eq "00uAbC"`, nil},
		{`active eq false`, []string{"Test.User@okta.local"}},
		{`active eq "False"`, []string{"Test.User@okta.local"}},
		{`regions eq "emea2"`, []string{"Test.User@okta.local"}},
		{`level gt 2`, []string{"Test.User@okta.local"}},
		{`urn:example:params:scim:schemas:extension:acme:2.0:User:costCenter eq "cc-9"`, []string{"bob@okta.local"}},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "carl"`, []string{"carl"}},
		{`userName sw "b" or userName eq "carl"`, []string{"bob@okta.local", "carl"}},
		{`not (userName pr)`, nil},
		{`meta.resourceType eq "User"`, []string{"Test.User@okta.local", "bob@okta.local", "carl"}},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			l := decodeList(t, do(t, h, "GET", "/scim/v2/Users?filter="+url.QueryEscape(tt.filter)+"&startIndex=1&count=100", ""))
			if got := l.userNames(t); !slices.Equal(got, tt.want) || l.TotalResults != len(tt.want) || l.ItemsPerPage != len(tt.want) {
				t.Errorf("found %q (total %d, items %d), want %q", got, l.TotalResults, l.ItemsPerPage, tt.want)
			}
		})
	}
}

// TestListFilterErrors checks that every filter problem is a 400
// invalidFilter whose detail says what is wrong.
func TestListFilterErrors(t *testing.T) {
	h, _ := newHandler(t, scim.Config{Attributes: customAttrs})
	tests := []struct {
		filter string
		detail []string // parts of the detail
	}{
		{`userName eq`, []string{"offset 11"}},
		{`userName "x"`, []string{"offset 9"}},
		{`userName eq "x`, []string{"offset"}},
		{`(userName eq "x"`, []string{"offset"}},
		{`userName xx "x"`, []string{"offset 9"}},
		{`nickName eq "x"`, []string{`"nickName"`}},
		{`UserName eq "x"`, []string{`"UserName"`, `"userName"`}},
		{`emails[Type eq "work"].value eq "x"`, []string{`"type"`}},
		{`name.GivenName eq "x"`, []string{`"givenName"`}},
		{`password eq "x"`, []string{"password"}},
		{`urn:example:nope:nickName eq "x"`, []string{"nickName"}},
		{`active gt true`, []string{"active"}},
		{`active eq "yes"`, []string{"active"}},
		{`userName eq 42`, []string{"userName"}},
		{`level co 4`, []string{"level"}},
		{`hiredAt gt "yesterday"`, []string{"hiredAt"}},
		{`name eq "x"`, []string{"name"}},
		{`userName[value eq "x"]`, []string{"userName"}},
		{strings.Repeat("(", 40) + `userName eq "x"` + strings.Repeat(")", 40), nil},
		{`userName eq "` + strings.Repeat("x", 5000) + `"`, nil},
	}
	for _, tt := range tests {
		name := tt.filter
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			e := wantError(t, do(t, h, "GET", "/Users?filter="+url.QueryEscape(tt.filter), ""), 400, scim.ScimTypeInvalidFilter)
			for _, d := range tt.detail {
				if !strings.Contains(e.Detail, d) {
					t.Errorf("detail %q does not contain %s", e.Detail, d)
				}
			}
		})
	}
}

// TestListFilterCaseInsensitiveNames checks that CaseInsensitiveNames
// resolves mis-cased names in filters to the canonical ones.
func TestListFilterCaseInsensitiveNames(t *testing.T) {
	h, st := newHandler(t, scim.Config{Leniency: scim.Leniency{CaseInsensitiveNames: true}})
	create(t, h, "ann")
	l := decodeList(t, do(t, h, "GET", "/Users?filter="+url.QueryEscape(`USERNAME eq "ANN" and Emails[TYPE eq "work"].Value pr`), ""))
	if l.TotalResults != 1 {
		t.Fatalf("found %d", l.TotalResults)
	}
	if got := st.queries[len(st.queries)-1].Filter.String(); !strings.Contains(got, "userName") || !strings.Contains(got, "emails[type") {
		t.Errorf("the Store got %s, want canonical names", got)
	}
}

// TestListUnsupportedFilter checks that a filter the Store cannot answer is
// a 400 invalidFilter, never a silently unfiltered list.
func TestListUnsupportedFilter(t *testing.T) {
	h, st := newHandler(t, scim.Config{})
	create(t, h, "ann")
	st.fail = scim.ErrUnsupportedFilter
	wantError(t, do(t, h, "GET", "/Users?filter="+url.QueryEscape(`userName co "a"`), ""), 400, scim.ScimTypeInvalidFilter)
}

// TestListQueryAttributes checks that a list's Query says which top-level
// attributes the response returns (Query.Attributes), from attributes and
// excludedAttributes, for GET and .search, so that a Store can skip
// loading the others.
func TestListQueryAttributes(t *testing.T) {
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	tests := []struct {
		name         string
		cfg          scim.Config
		method       string
		target       string
		body         string
		want, absent []string
	}{
		{"strict, no projection", scim.Config{}, "GET", "/Users?filter=userName+eq+%22a%22", "",
			[]string{"id", "userName", "name", "emails", "active", "meta"}, []string{"password", "title"}},
		{"attributes=userName", scim.Config{}, "GET", "/Users?attributes=userName", "",
			[]string{"id", "userName"}, []string{"name", "emails", "displayName"}},
		{"excludedAttributes=name,emails", scim.Config{}, "GET", "/Users?excludedAttributes=name,emails", "",
			[]string{"userName", "displayName"}, []string{"name", "emails"}},
		{"attributes=name.givenName", scim.Config{}, "GET", "/Users?attributes=name.givenName", "",
			[]string{"name"}, []string{"emails"}},
		{"RFC, no projection", scim.Config{Profile: scim.ProfileRFC}, "GET", "/Users", "",
			[]string{"title", "addresses", ent + ":department", ent + ":manager"}, []string{"password"}},
		{"RFC, an extension's attribute", scim.Config{Profile: scim.ProfileRFC}, "GET", "/Users?attributes=" + ent + ":department", "",
			[]string{"id", ent + ":department"}, []string{ent + ":manager", "title", "userName"}},
		{"RFC, the extension excluded", scim.Config{Profile: scim.ProfileRFC}, "GET", "/Users?excludedAttributes=" + ent, "",
			[]string{"title"}, []string{ent + ":department", ent + ":manager"}},
		{".search", scim.Config{Profile: scim.ProfileRFC}, "POST", "/Users/.search",
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"attributes":["nickName"]}`,
			[]string{"id", "nickName"}, []string{"title", "userName"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, st := newHandler(t, tt.cfg)
			if rec := do(t, h, tt.method, tt.target, tt.body); rec.Code != 200 {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			q := st.queries[len(st.queries)-1]
			if q.Attributes == nil {
				t.Fatal("Query.Attributes is nil")
			}
			for _, a := range tt.want {
				if !q.Wants(a) {
					t.Errorf("Query.Attributes %v lacks %s", q.Attributes, a)
				}
			}
			for _, a := range tt.absent {
				if q.Wants(a) {
					t.Errorf("Query.Attributes %v lists %s", q.Attributes, a)
				}
			}
		})
	}
	t.Run("groups", func(t *testing.T) {
		h, st := newGroupHandler(t, scim.Config{})
		do(t, h, "GET", "/Groups?attributes=displayName", "")
		if q := st.lastQuery; !q.Wants("displayName") || q.Wants("members") || q.Members {
			t.Errorf("GET /Groups?attributes=displayName: Attributes %v, Members %v", q.Attributes, q.Members)
		}
		do(t, h, "GET", "/Groups", "")
		if q := st.lastQuery; !q.Wants("displayName") || !q.Wants("members") {
			t.Errorf("GET /Groups: Attributes %v", q.Attributes)
		}
	})
	if !(&scim.Query{}).Wants("anything") {
		t.Error("a Query without Attributes does not want every attribute")
	}
}
