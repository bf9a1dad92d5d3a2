package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
)

func TestCreateAndGet(t *testing.T) {
	now := time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)
	h, st := newHandler(t, scim.Config{Now: func() time.Time { return now }})
	rec := do(t, h, "POST", "/scim/v2/Users", oktaCreate)
	u := decodeUser(t, rec, http.StatusCreated)
	if u.ID == "" || u.UserName != "test.user@okta.local" || u.Name.GivenName != "Test" || u.Name.FamilyName != "User" ||
		u.ExternalID != "00ujl29u0le5T6Aj10h7" || u.DisplayName != "Test User" || u.Active == nil || !*u.Active {
		t.Errorf("created user: %s", rec.Body)
	}
	if len(u.Emails) != 1 || u.Emails[0].Value != "test.user@okta.local" || u.Emails[0].Type != "work" || !u.Emails[0].Primary {
		t.Errorf("emails: %+v", u.Emails)
	}
	if rec.Header().Get("Location") != u.Meta.Location || u.Meta.Location != "http://example.com/scim/v2/Users/"+u.ID {
		t.Errorf("Location %q, meta.location %q", rec.Header().Get("Location"), u.Meta.Location)
	}
	if u.Meta.Version == "" || rec.Header().Get("ETag") != u.Meta.Version {
		t.Errorf("ETag %q, meta.version %q", rec.Header().Get("ETag"), u.Meta.Version)
	}
	if u.Meta.ResourceType != "User" || u.Meta.Created != "2026-01-31T09:00:00Z" || u.Meta.LastModified != u.Meta.Created {
		t.Errorf("meta: %+v", u.Meta)
	}
	if !slices.Equal(u.Schemas, []string{scim.UserURN}) {
		t.Errorf("schemas %q", u.Schemas)
	}
	for _, k := range []string{"password", "groups", "locale"} {
		if _, ok := u.Raw[k]; ok {
			t.Errorf("%s echoed: %s", k, rec.Body)
		}
	}
	if strings.Contains(rec.Body.String(), "1mz050nq") {
		t.Errorf("the password was echoed: %s", rec.Body)
	}
	stored := st.get(u.ID)
	if strings.Contains(fmt.Sprintf("%+v", *stored), "1mz050nq") {
		t.Errorf("the password was stored: %+v", stored)
	}

	rec = do(t, h, "GET", "/scim/v2/Users/"+u.ID, "")
	got := decodeUser(t, rec, http.StatusOK)
	if got.ID != u.ID || got.Meta.Version != u.Meta.Version || rec.Header().Get("ETag") != u.Meta.Version || got.Meta.Location != u.Meta.Location {
		t.Errorf("GET: %s", rec.Body)
	}
	if rec.Header().Get("Location") != "" {
		t.Errorf("GET has a Location header")
	}

	for _, inm := range []string{u.Meta.Version, `"other", ` + u.Meta.Version, strings.TrimPrefix(u.Meta.Version, "W/"), "*"} {
		rec = do(t, h, "GET", "/scim/v2/Users/"+u.ID, "", "If-None-Match", inm)
		if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
			t.Errorf("If-None-Match %s: %d %s", inm, rec.Code, rec.Body)
		}
	}
	decodeUser(t, do(t, h, "GET", "/scim/v2/Users/"+u.ID, "", "If-None-Match", `W/"stale"`), http.StatusOK)

	e := wantError(t, do(t, h, "POST", "/scim/v2/Users", strings.Replace(oktaCreate, "test.user@okta.local", "TEST.USER@okta.local", 1)), http.StatusConflict, scim.ScimTypeUniqueness)
	if !strings.Contains(e.Detail, "userName") {
		t.Errorf("409 detail %q does not name userName", e.Detail)
	}
}

func TestCreateDefaultsActive(t *testing.T) {
	h, _ := newHandler(t, scim.Config{})
	for _, tt := range []struct {
		extra string
		want  bool
	}{{"", true}, {`,"active":null`, true}, {`,"active":false`, false}, {`,"active":"False"`, false}, {`,"active":true`, true}} {
		u := decodeUser(t, do(t, h, "POST", "/Users", minimalUser("u"+tt.extra, tt.extra)), 201)
		if *u.Active != tt.want {
			t.Errorf("%s: active %v, want %v", tt.extra, *u.Active, tt.want)
		}
	}
}

func TestUserNameEchoedAsSent(t *testing.T) {
	h, _ := newHandler(t, scim.Config{})
	u := create(t, h, "Ann.Lee@Example.COM")
	if u.UserName != "Ann.Lee@Example.COM" {
		t.Errorf("userName %q", u.UserName)
	}
	// userName is caseExact false; externalId and id are exact.
	decodeUser(t, do(t, h, "POST", "/Users", minimalUser("bob", `,"externalId":"X1"`)), 201)
	decodeUser(t, do(t, h, "POST", "/Users", minimalUser("carl", `,"externalId":"x1"`)), 201)
	wantError(t, do(t, h, "GET", "/Users/"+strings.ToUpper(u.ID), ""), 404, "")
}

func TestReplace(t *testing.T) {
	h, st := newHandler(t, scim.Config{})
	u := create(t, h, "ann")
	id := u.ID

	// Okta's full PUT: id, groups, meta, password and active included.
	okta := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"` + id + `","userName":"ann","name":{"givenName":"Annie","familyName":"Lee"},` +
		`"emails":[{"primary":true,"value":"annie@example.com","type":"work"}],"displayName":"Annie Lee","locale":"en-US","externalId":"00u1",` +
		`"groups":[{"value":"g1","display":"Admins"}],"password":"pw-1","active":true,"meta":{"resourceType":"User","created":"2020-01-01T00:00:00Z","version":"W/\"999\"","location":"https://evil.example/Users/x"}}`
	rec := do(t, h, "PUT", "/scim/v2/Users/"+id, okta)
	got := decodeUser(t, rec, http.StatusOK)
	if got.ID != id || got.Name.GivenName != "Annie" || got.Emails[0].Value != "annie@example.com" || got.ExternalID != "00u1" || !*got.Active {
		t.Errorf("PUT: %s", rec.Body)
	}
	if got.Meta.Created != u.Meta.Created || got.Meta.Version == u.Meta.Version || got.Meta.Version == `W/"999"` ||
		got.Meta.Location != u.Meta.Location || rec.Header().Get("ETag") != got.Meta.Version {
		t.Errorf("PUT meta: %+v (was %+v), ETag %q", got.Meta, u.Meta, rec.Header().Get("ETag"))
	}
	if rec.Header().Get("Location") != "" {
		t.Errorf("PUT has a Location header")
	}
	if _, ok := got.Raw["groups"]; ok || strings.Contains(rec.Body.String(), "pw-1") {
		t.Errorf("PUT echoed groups or password: %s", rec.Body)
	}
	if s := fmt.Sprintf("%+v", *st.get(id)); strings.Contains(s, "pw-1") || strings.Contains(s, "g1") {
		t.Errorf("stored: %s", s)
	}

	// A PUT with id of another user still replaces the one in the URL.
	other := create(t, h, "bob")
	got = decodeUser(t, do(t, h, "PUT", "/Users/"+id, strings.Replace(okta, `"id":"`+id, `"id":"`+other.ID, 1)), 200)
	if got.ID != id || st.get(other.ID).UserName != "bob" {
		t.Errorf("PUT with a foreign id: %+v", got)
	}

	// Deactivate by PUT, then a PUT without active keeps it inactive.
	got = decodeUser(t, do(t, h, "PUT", "/Users/"+id, strings.Replace(okta, `"active":true`, `"active":false`, 1)), 200)
	if *got.Active {
		t.Fatal("PUT active:false left the user active")
	}
	got = decodeUser(t, do(t, h, "PUT", "/Users/"+id, strings.Replace(okta, `,"active":true`, ``, 1)), 200)
	if *got.Active {
		t.Error("PUT without active reactivated the user")
	}
	got = decodeUser(t, do(t, h, "PUT", "/Users/"+id, strings.Replace(okta, `"active":true`, `"active":null`, 1)), 200)
	if *got.Active {
		t.Error("PUT with active null reactivated the user")
	}

	// PUT replaces: what is not sent is gone.
	got = decodeUser(t, do(t, h, "PUT", "/Users/"+id, minimalUser("ann", "")), 200)
	if got.ExternalID != "" || got.DisplayName != "Ann Lee" {
		t.Errorf("PUT did not replace externalId and displayName: %+v", got)
	}

	// Renaming onto another user's userName (in another case) is a 409.
	wantError(t, do(t, h, "PUT", "/Users/"+id, minimalUser("BOB", "")), 409, scim.ScimTypeUniqueness)
	// A PUT is validated like a create.
	wantError(t, do(t, h, "PUT", "/Users/"+id, `{"schemas":["`+scim.UserURN+`"],"userName":"ann"}`), 400, scim.ScimTypeInvalidValue)
}

func TestIfMatch(t *testing.T) {
	h, st := newHandler(t, scim.Config{})
	u := create(t, h, "ann")
	stale := u.Meta.Version
	fresh := decodeUser(t, do(t, h, "PUT", "/Users/"+u.ID, minimalUser("ann2", ""), "If-Match", stale), 200)
	if fresh.UserName != "ann2" {
		t.Fatal("PUT with a current If-Match did not apply")
	}
	for _, req := range []struct{ method, body string }{{"PUT", minimalUser("ann3", "")}, {"DELETE", ""}} {
		t.Run(req.method, func(t *testing.T) {
			e := wantError(t, do(t, h, req.method, "/Users/"+u.ID, req.body, "If-Match", stale), http.StatusPreconditionFailed, "")
			if !strings.Contains(e.Detail, stale) {
				t.Errorf("412 detail %q does not name the stale version", e.Detail)
			}
			if got := st.get(u.ID); got == nil || got.UserName != "ann2" {
				t.Errorf("a stale %s changed the user: %+v", req.method, got)
			}
		})
	}
	if rec := do(t, h, "DELETE", "/Users/"+u.ID, "", "If-Match", fresh.Meta.Version); rec.Code != 204 {
		t.Fatalf("DELETE with the current version: %d %s", rec.Code, rec.Body)
	}
}

func TestDelete(t *testing.T) {
	h, st := newHandler(t, scim.Config{})
	u := create(t, h, "ann")
	if rec := do(t, h, "DELETE", "/scim/v2/Users/"+u.ID, ""); rec.Code != 204 || rec.Body.Len() != 0 {
		t.Fatalf("DELETE: %d %s", rec.Code, rec.Body)
	}
	if st.get(u.ID) != nil {
		t.Fatal("the user is still stored")
	}
	wantError(t, do(t, h, "GET", "/scim/v2/Users/"+u.ID, ""), 404, "")
	wantError(t, do(t, h, "DELETE", "/scim/v2/Users/"+u.ID, ""), 404, "")
	// The userName is free again.
	create(t, h, "ann")
}

// TestInactiveUsersVisible checks that a deactivated user is still returned
// by GET and by filters.
func TestInactiveUsersVisible(t *testing.T) {
	h, _ := newHandler(t, scim.Config{})
	u := decodeUser(t, do(t, h, "POST", "/Users", minimalUser("ann", `,"active":false`)), 201)
	decodeUser(t, do(t, h, "GET", "/Users/"+u.ID, ""), 200)
	l := decodeList(t, do(t, h, "GET", "/Users?filter="+urlQuery(`userName eq "ann"`), ""))
	if l.TotalResults != 1 {
		t.Errorf("filter does not find the inactive user: %+v", l)
	}
}

func TestEmptyList(t *testing.T) {
	h, _ := newHandler(t, scim.Config{})
	for _, target := range []string{
		"/scim/v2/Users",
		"/scim/v2/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100",
		"/scim/v2/Users?count=0",
	} {
		rec := do(t, h, "GET", target, "")
		const want = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`
		if rec.Code != 200 || rec.Body.String() != want {
			t.Errorf("%s: %d %s\nwant %s", target, rec.Code, rec.Body, want)
		}
		wantSCIMType(t, rec)
	}
}

func TestListPaging(t *testing.T) {
	h, st := newHandler(t, scim.Config{MaxResults: 5})
	var all []string
	for i := range 12 {
		all = append(all, create(t, h, fmt.Sprintf("user%02d", i)).UserName)
	}
	tests := []struct {
		query             string
		start, items      int
		first             string
		storeStart, count int
	}{
		{"", 1, 5, "user00", 1, 5},
		{"?startIndex=1&count=3", 1, 3, "user00", 1, 3},
		{"?startIndex=4&count=3", 4, 3, "user03", 4, 3},
		{"?startIndex=11&count=5", 11, 2, "user10", 11, 5},
		{"?startIndex=13", 13, 0, "", 13, 5},
		{"?startIndex=0&count=2", 1, 2, "user00", 1, 2},
		{"?startIndex=-7&count=2", 1, 2, "user00", 1, 2},
		{"?count=0", 1, 0, "", 1, 0},
		{"?count=-3", 1, 0, "", 1, 0},
		{"?count=1000", 1, 5, "user00", 1, 5},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			l := decodeList(t, do(t, h, "GET", "/Users"+tt.query, ""))
			names := l.userNames(t)
			if l.TotalResults != 12 || l.StartIndex != tt.start || l.ItemsPerPage != tt.items || len(names) != tt.items {
				t.Errorf("total %d start %d items %d (%d listed), want 12 %d %d", l.TotalResults, l.StartIndex, l.ItemsPerPage, len(names), tt.start, tt.items)
			}
			if len(names) > 0 && names[0] != tt.first {
				t.Errorf("first %q, want %q", names[0], tt.first)
			}
			q := st.queries[len(st.queries)-1]
			if q.StartIndex != tt.storeStart || q.Count != tt.count {
				t.Errorf("the Store got startIndex %d count %d, want %d %d", q.StartIndex, q.Count, tt.storeStart, tt.count)
			}
		})
	}
	// Paging through visits every user once, in a stable order.
	var seen []string
	for start := 1; start <= 12; start += 5 {
		seen = append(seen, decodeList(t, do(t, h, "GET", fmt.Sprintf("/Users?startIndex=%d&count=5", start), "")).userNames(t)...)
	}
	if !slices.Equal(seen, all) {
		t.Errorf("paged %q, want %q", seen, all)
	}
}

// overfullStore returns more users than asked for, which the handler must
// cut to Count.
type overfullStore struct{ *fakeStore }

func (s overfullStore) List(ctx context.Context, q scim.Query) (*scim.Page, error) {
	q.Count = 1000
	return s.fakeStore.List(ctx, q)
}

func TestListCutsToCount(t *testing.T) {
	st := newFakeStore()
	h, err := scim.NewHandler(overfullStore{st}, scim.Config{Authenticator: scim.SkipAuthentication})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		create(t, h, fmt.Sprint("u", i))
	}
	l := decodeList(t, do(t, h, "GET", "/Users?count=2", ""))
	if l.ItemsPerPage != 2 || len(l.Resources) != 2 {
		t.Errorf("itemsPerPage %d with %d resources, want 2", l.ItemsPerPage, len(l.Resources))
	}
}

func TestListUsersAreComplete(t *testing.T) {
	h, _ := newHandler(t, scim.Config{})
	create(t, h, "ann")
	l := decodeList(t, do(t, h, "GET", "/Users?startIndex=1&count=100", ""))
	var u map[string]any
	if err := json.Unmarshal(l.Resources[0], &u); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "userName", "name", "active", "emails", "meta"} {
		if _, ok := u[k]; !ok {
			t.Errorf("listed user lacks %s", k)
		}
	}
}
