package sqlstore_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
	"github.com/scimkit/scim/scimtest"
	"github.com/scimkit/scim/sqlstore"
)

// The PATCH and create rules of RFC 7643 §2.4 and RFC 7644 §3.5.2 over
// each database, in both profiles: the handler decides, and these tests
// prove that what it decides is what the tables hold.

// profileStore is a store over fresh user, group and membership tables and
// a handler over it, for one profile: the strict one keeping a
// multi-valued regions column, the RFC one its JSON attributes column.
type profileStore struct {
	name string
	s    *sqlstore.Store
	h    http.Handler
}

func profileStores(t *testing.T, d database, required ...string) []profileStore {
	t.Helper()
	regions := sqlstore.Custom{Name: "regions", Column: "regions", Kind: filter.String, Multi: true}
	strict, _, _ := d.newGroupStore(t, sqlstore.Config{Custom: []sqlstore.Custom{regions}})
	rfc, _, _ := d.newGroupStore(t, sqlstore.Config{Columns: sqlstore.Columns{Attributes: "attributes"}})
	return []profileStore{
		{"strict", strict, must(scim.NewHandler(strict, scim.Config{Authenticator: scim.SkipAuthentication, Required: required,
			Attributes: []schema.Attribute{{Name: "regions", Type: schema.String, MultiValued: true}}}))(t)},
		{"rfc", rfc, must(scim.NewHandler(rfc, scim.Config{Authenticator: scim.SkipAuthentication, Profile: scim.ProfileRFC, Required: required}))(t)},
	}
}

// send serves one request and returns the response.
func send(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/scim+json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func patchOps(ops ...string) string {
	return `{"schemas":["` + scim.PatchOpURN + `"],"Operations":[` + strings.Join(ops, ",") + `]}`
}

// wantSCIMError checks that rec is a 400 with scimType and a detail that
// holds each of parts.
func wantSCIMError(t *testing.T, what string, rec *httptest.ResponseRecorder, scimType string, parts ...string) {
	t.Helper()
	body := rec.Body.String()
	if rec.Code != http.StatusBadRequest || !strings.Contains(body, `"scimType":"`+scimType+`"`) {
		t.Errorf("%s: %d %s, want 400 %s", what, rec.Code, body, scimType)
		return
	}
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("%s: %s does not say %s", what, body, p)
		}
	}
}

const annBody = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@example.com","externalId":"ext-1","displayName":"Ann Lee",
	"name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"type":"work","value":"ann@example.com","primary":true}],"active":true}`

// RFC 7644 §3.5.2.2: a removed attribute is unassigned (a removed active
// is an inactive user) unless it is required, which is a 400 mutability
// naming the operation and writing nothing.
func TestRemoveUnassignsOnEveryDatabase(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		for _, p := range profileStores(t, d) {
			u := serve(t, p.h, "POST", "/Users", annBody, http.StatusCreated)
			id := u["id"].(string)
			got := serve(t, p.h, "PATCH", "/Users/"+id, patchOps(`{"op":"remove","path":"active"}`, `{"op":"remove","path":"externalId"}`), http.StatusOK)
			if got["active"] != false || got["externalId"] != nil {
				t.Errorf("%s: after remove active and externalId: active %v, externalId %v", p.name, got["active"], got["externalId"])
			}
			stored, err := p.s.User(bg, id)
			if err != nil || stored.Active || stored.ExternalID != "" {
				t.Errorf("%s: stored after the removes: %+v, %v", p.name, stored, err)
			}
			list := serve(t, p.h, "GET", "/Users?filter="+url.QueryEscape("active eq false"), "", http.StatusOK)
			if list["totalResults"] != 1.0 {
				t.Errorf("%s: active eq false finds %v users", p.name, list["totalResults"])
			}
			version := stored.Meta.Version
			wantSCIMError(t, p.name+": remove userName", send(p.h, "PATCH", "/Users/"+id, patchOps(`{"op":"replace","path":"displayName","value":"X"}`, `{"op":"remove","path":"userName"}`)),
				"mutability", `Operations[1]: attribute \"userName\" is required`)
			if after, _ := p.s.User(bg, id); after.Meta.Version != version || after.DisplayName != "Ann Lee" {
				t.Errorf("%s: a refused PATCH was written: %+v", p.name, after)
			}
		}
	})
}

// A create lacking several required attributes is one 400 naming each.
func TestMissingRequiredNamedTogetherOnEveryDatabase(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		for _, p := range profileStores(t, d, "userName", "name.givenName", "displayName", "emails") {
			wantSCIMError(t, p.name, send(p.h, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@example.com"}`),
				"invalidValue", `\"name.givenName\"`, `\"displayName\"`, `\"emails\"`)
		}
	})
}

// RFC 7644 §3.5.2.3: a filter that matches nothing is a 400 noTarget with
// nothing written, except Entra ID's type eq "work" upsert.
func TestFilterMatchingNothingOnEveryDatabase(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		for _, p := range profileStores(t, d, "userName") {
			id := serve(t, p.h, "POST", "/Users", annBody, http.StatusCreated)["id"].(string)
			before, _ := p.s.User(bg, id)
			wantSCIMError(t, p.name, send(p.h, "PATCH", "/Users/"+id, patchOps(`{"op":"replace","path":"emails[type eq \"nonexistent\"].value","value":"x@example.com"}`)),
				"noTarget", "Operations[0]", `emails[type eq \"nonexistent\"]`)
			if after, _ := p.s.User(bg, id); after.Meta.Version != before.Meta.Version {
				t.Errorf("%s: a refused PATCH was written: %+v", p.name, after)
			}
			bare := serve(t, p.h, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bare@example.com"}`, http.StatusCreated)["id"].(string)
			serve(t, p.h, "PATCH", "/Users/"+bare, patchOps(`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"new@contoso.com"}`), http.StatusOK)
			if stored, _ := p.s.User(bg, bare); stored.Email != "new@contoso.com" {
				t.Errorf("%s: Entra's upsert of the work email stored %q", p.name, stored.Email)
			}
		}
	})
}

// RFC 7643 §2.4: an element sent twice is stored once: regions in their
// column, emails in the JSON column, a group's members in their table.
func TestDuplicatesCollapseOnEveryDatabase(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		for _, p := range profileStores(t, d, "userName") {
			body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"dup@example.com",` +
				`"emails":[{"type":"work","value":"dup@example.com"},{"type":"work","value":"dup@example.com","primary":true}]`
			if p.name == "strict" {
				body += `,"regions":["us1","us1","emea2"]`
			}
			id := serve(t, p.h, "POST", "/Users", body+"}", http.StatusCreated)["id"].(string)
			stored, err := p.s.User(bg, id)
			if err != nil {
				t.Fatal(err)
			}
			if p.name == "strict" {
				if r, _ := stored.Custom["regions"].([]string); len(r) != 2 {
					t.Errorf("%s: regions stored as %v", p.name, stored.Custom["regions"])
				}
			} else if e, _ := stored.Custom["emails"].([]map[string]any); len(e) != 1 || e[0]["primary"] != true {
				t.Errorf("%s: emails stored as %v", p.name, stored.Custom["emails"])
			}
			got := serve(t, p.h, "PATCH", "/Users/"+id, patchOps(`{"op":"add","path":"emails","value":[{"type":"work","value":"dup@example.com"}]}`), http.StatusOK)
			if e, _ := got["emails"].([]any); len(e) != 1 {
				t.Errorf("%s: emails after adding the one there is: %v", p.name, got["emails"])
			}
			g := serve(t, p.h, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Eng","members":[{"value":"`+id+`"},{"value":"`+id+`","type":"User"}]}`, http.StatusCreated)
			got = serve(t, p.h, "GET", "/Groups/"+g["id"].(string), "", http.StatusOK)
			if m, _ := got["members"].([]any); len(m) != 1 {
				t.Errorf("%s: members of a group created with one member twice: %v", p.name, got["members"])
			}
		}
	})
}

// scimtest's rfc conversations, the kit's checks of these rules, pass
// over each database in both profiles.
func TestRFCConversationsOnEveryDatabase(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		for _, p := range profileStores(t, d) {
			for _, c := range scimtest.Conversations() {
				if c.IdP == "rfc" {
					c.Run(context.Background(), scimtest.Target{Handler: p.h}, reporter{t, p.name})
				}
			}
		}
	})
}

// reporter fails t with what a conversation reports.
type reporter struct {
	t       *testing.T
	profile string
}

func (r reporter) Fail(f scimtest.Failure) { r.t.Errorf("%s: %s: %s", r.profile, f.Check, f) }

func (r reporter) Logf(format string, args ...any) { r.t.Logf(r.profile+": "+format, args...) }
