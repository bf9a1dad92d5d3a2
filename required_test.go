package scim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// requiredCase is a handler configuration and a user with every attribute
// it keeps, for the tests that derive their cases from /Schemas.
type requiredCase struct {
	name string
	cfg  scim.Config
	// user is a create body with every attribute the profile keeps; its
	// userName is {{userName}}.
	user string
}

func requiredCases(t *testing.T) []requiredCase {
	t.Helper()
	full, err := os.ReadFile("testdata/rfc/full-user.json")
	if err != nil {
		t.Fatal(err)
	}
	ent, err := os.ReadFile("testdata/rfc/enterprise-user.json")
	if err != nil {
		t.Fatal(err)
	}
	var fullUser, entUser map[string]any
	if err := json.Unmarshal(full, &fullUser); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ent, &entUser); err != nil {
		t.Fatal(err)
	}
	const entURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	fullUser[entURN] = entUser[entURN]
	fullUser["schemas"] = []string{scim.UserURN, entURN}
	fullUser["userName"] = "{{userName}}"
	rfcUser, _ := json.Marshal(fullUser)
	strictUser := `{"schemas":["` + scim.UserURN + `"],"userName":"{{userName}}","externalId":"ext-1","displayName":"Ann Lee","active":true,` +
		`"name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"type":"work","value":"ann@example.com","primary":true}]}`
	return []requiredCase{
		{"strict", scim.Config{}, strictUser},
		{"strict, more required", scim.Config{Required: []string{"userName", "name.givenName", "name.familyName", "emails", "displayName", "externalId"}}, strictUser},
		{"rfc", scim.Config{Profile: scim.ProfileRFC}, string(rfcUser)},
		{"rfc, more required", scim.Config{Profile: scim.ProfileRFC, Required: []string{"userName", "title", "name.familyName", "phoneNumbers", entURN + ":department"}}, string(rfcUser)},
	}
}

// handler returns a handler over a fresh memstore with tc's configuration.
func (tc requiredCase) handler(t *testing.T) http.Handler {
	t.Helper()
	cfg := tc.cfg
	if cfg.Authenticator == nil {
		cfg.Authenticator = scim.SkipAuthentication // what the test is about is not authentication
	}
	h, err := scim.NewHandler(memstore.New(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// servedSchemas returns the User schema and its extensions as h's
// /Schemas serves them.
func servedSchemas(t *testing.T, h http.Handler) []schemaDoc {
	t.Helper()
	var rt struct {
		Schema           string
		SchemaExtensions []struct{ Schema string }
	}
	if err := json.Unmarshal(do(t, h, "GET", "/scim/v2/ResourceTypes/User", "").Body.Bytes(), &rt); err != nil {
		t.Fatal(err)
	}
	ids := []string{rt.Schema}
	for _, e := range rt.SchemaExtensions {
		ids = append(ids, e.Schema)
	}
	var docs []schemaDoc
	for _, id := range ids {
		var d schemaDoc
		if err := json.Unmarshal(do(t, h, "GET", "/scim/v2/Schemas/"+id, "").Body.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	return docs
}

// attrPath names attribute a (and sub, when not nil) of schema d as the
// handler names attributes: extension attributes with their URN.
func attrPath(d schemaDoc, a attrDoc, sub *attrDoc) string {
	p := a.Name
	if sub != nil {
		p += "." + sub.Name
	}
	if d.ID != scim.UserURN {
		p = d.ID + ":" + p
	}
	return p
}

// requiredPaths are the attributes /Schemas says a user must have: a
// required attribute, or its required sub-attributes when it marks some.
func requiredPaths(docs []schemaDoc) []string {
	var out []string
	for _, d := range docs {
		for _, a := range d.Attributes {
			if !a.Required {
				continue
			}
			subs := 0
			for i := range a.SubAttributes {
				if a.SubAttributes[i].Required {
					out = append(out, attrPath(d, a, &a.SubAttributes[i]))
					subs++
				}
			}
			if subs == 0 {
				out = append(out, attrPath(d, a, nil))
			}
		}
	}
	return out
}

// A create or replace that lacks several required attributes is one 400
// that names every one of them, so that a client learns from one response
// all it must send.
func TestCreateNamesEveryMissingRequiredAttribute(t *testing.T) {
	for _, tc := range requiredCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.handler(t)
			required := requiredPaths(servedSchemas(t, h))
			if len(required) < 2 && tc.name != "rfc" {
				t.Fatalf("/Schemas marks only %q required; the case needs several", required)
			}
			wantAll := func(rec *http.Response, body string, lacking []string) {
				t.Helper()
				if rec.StatusCode != http.StatusBadRequest {
					t.Fatalf("status %d: %s", rec.StatusCode, body)
				}
				var e errorBody
				json.Unmarshal([]byte(body), &e)
				if e.ScimType != "invalidValue" {
					t.Errorf("scimType %q, want invalidValue", e.ScimType)
				}
				for _, p := range required {
					if named := strings.Contains(e.Detail, strconv.Quote(p)); named != slices.Contains(lacking, p) {
						t.Errorf("detail %q names %q: %t, want %t", e.Detail, p, named, !named)
					}
				}
			}
			empty := `{"schemas":["` + scim.UserURN + `"]}`
			rec := do(t, h, "POST", "/scim/v2/Users", empty)
			wantAll(rec.Result(), rec.Body.String(), required)

			withName := `{"schemas":["` + scim.UserURN + `"],"userName":"only@example.com"}`
			rec = do(t, h, "POST", "/scim/v2/Users", withName)
			if len(required) == 1 {
				if rec.Code != http.StatusCreated {
					t.Fatalf("a user with only userName, the only required attribute: %d %s", rec.Code, rec.Body)
				}
				return
			}
			wantAll(rec.Result(), rec.Body.String(), slices.DeleteFunc(slices.Clone(required), func(p string) bool { return p == "userName" }))

			created := decodeUser(t, do(t, h, "POST", "/scim/v2/Users", strings.ReplaceAll(tc.user, "{{userName}}", "full@example.com")), http.StatusCreated)
			rec = do(t, h, "PUT", "/scim/v2/Users/"+created.ID, withName)
			wantAll(rec.Result(), rec.Body.String(), slices.DeleteFunc(slices.Clone(required), func(p string) bool { return p == "userName" }))
		})
	}
}

// served returns the value the served user m has at attribute a (and sub)
// of schema d.
func served(m map[string]any, d schemaDoc, a attrDoc, sub *attrDoc) (any, bool) {
	if d.ID != scim.UserURN {
		m, _ = m[d.ID].(map[string]any)
	}
	v, ok := m[a.Name]
	if sub != nil {
		inner, _ := v.(map[string]any)
		v, ok = inner[sub.Name]
	}
	return v, ok && v != nil
}

// RFC 7644 §3.5.2.2, for every attribute /Schemas lists: a remove of a
// read-only attribute, or of a required one (or what holds one), is a 400
// mutability naming the operation, with nothing written; a remove of any
// other attribute leaves it unassigned. An unassigned active is served as
// false, an unassigned displayName as the name it defaults to.
func TestPatchRemoveFollowsTheSchema(t *testing.T) {
	for _, tc := range requiredCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.handler(t)
			docs := servedSchemas(t, h)
			required := requiredPaths(docs)
			n := 0
			check := func(path string, readOnly bool, unassigned func(m map[string]any) string) {
				t.Helper()
				n++
				u := decodeUser(t, do(t, h, "POST", "/scim/v2/Users", strings.ReplaceAll(tc.user, "{{userName}}", "u"+strconv.Itoa(n)+"@example.com")), http.StatusCreated)
				rec := do(t, h, "PATCH", "/scim/v2/Users/"+u.ID, patchBody(`{"op":"add","path":"nickName","value":"x"}`, `{"op":"remove","path":`+quote(path)+`}`))
				var held []string
				for _, r := range required {
					if r == path || strings.HasPrefix(r, path+".") || strings.HasPrefix(r, path+":") {
						held = append(held, r)
					}
				}
				switch {
				case readOnly || len(held) > 0:
					if rec.Code != http.StatusBadRequest {
						t.Errorf("remove %s: %d %s, want 400 mutability", path, rec.Code, rec.Body)
						return
					}
					e := wantError(t, rec, http.StatusBadRequest, "mutability")
					for _, r := range held {
						if want := `Operations[1]: attribute`; !strings.Contains(e.Detail, want) || !strings.Contains(e.Detail, strconv.Quote(r)) {
							t.Errorf("remove %s: detail %q does not name Operations[1] and %q", path, e.Detail, r)
						}
					}
					if got := decodeUser(t, do(t, h, "GET", "/scim/v2/Users/"+u.ID, ""), http.StatusOK); got.Meta.Version != u.Meta.Version {
						t.Errorf("remove %s was refused, but the user changed: version %s → %s", path, u.Meta.Version, got.Meta.Version)
					}
				default:
					if rec.Code != http.StatusOK {
						t.Errorf("remove %s: %d %s, want 200", path, rec.Code, rec.Body)
						return
					}
					got := decodeAny(t, do(t, h, "GET", "/scim/v2/Users/"+u.ID, "").Body.Bytes())
					if msg := unassigned(got); msg != "" {
						t.Errorf("after remove %s: %s", path, msg)
					}
				}
			}
			for _, d := range docs {
				if d.ID != scim.UserURN {
					check(d.ID, false, func(m map[string]any) string {
						if v, ok := m[d.ID]; ok {
							return "the extension is still served: " + string(mustJSON(v))
						}
						return ""
					})
				}
				for _, a := range d.Attributes {
					check(attrPath(d, a, nil), a.Mutability == "readOnly", func(m map[string]any) string {
						v, ok := served(m, d, a, nil)
						switch {
						case d.ID == scim.UserURN && a.Name == "active":
							if v != false {
								return "active is " + string(mustJSON(v)) + ", want false"
							}
						case d.ID == scim.UserURN && a.Name == "displayName":
							name, _ := m["name"].(map[string]any)
							if ok && v != strings.TrimSpace(stringOf(name["givenName"])+" "+stringOf(name["familyName"])) {
								return "displayName is " + string(mustJSON(v)) + ", want it absent or the name it defaults to"
							}
						case ok:
							return a.Name + " is still served: " + string(mustJSON(v))
						}
						return ""
					})
					if a.Type != "complex" || a.MultiValued {
						continue
					}
					for i := range a.SubAttributes {
						sub := &a.SubAttributes[i]
						check(attrPath(d, a, sub), a.Mutability == "readOnly" || sub.Mutability == "readOnly", func(m map[string]any) string {
							if v, ok := served(m, d, a, sub); ok {
								return attrPath(d, a, sub) + " is still served: " + string(mustJSON(v))
							}
							return ""
						})
					}
				}
			}
		})
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

// A PATCH is judged by the user it produces: removing several required
// attributes is one 400 mutability naming each with its operation, and a
// required list removed and added again in one PATCH is a replacement.
func TestPatchRemovingRequiredAttributes(t *testing.T) {
	for _, profile := range []scim.Profile{scim.ProfileStrict, scim.ProfileRFC} {
		h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Profile: profile, Required: []string{"userName", "name.givenName", "emails"}})
		if err != nil {
			t.Fatal(err)
		}
		u := create(t, h, "ann@example.com")
		path := "/scim/v2/Users/" + u.ID
		rec := do(t, h, "PATCH", path, patchBody(`{"op":"remove","path":"name.givenName"}`, `{"op":"replace","path":"displayName","value":"X"}`,
			`{"op":"replace","path":"userName","value":null}`, `{"op":"replace","path":"emails","value":[]}`))
		e := wantError(t, rec, http.StatusBadRequest, "mutability")
		for _, want := range []string{`Operations[0]: attribute "name.givenName" is required`, `Operations[2]: attribute "userName" is required`, `Operations[3]: attribute "emails" is required`} {
			if !strings.Contains(e.Detail, want) {
				t.Errorf("profile %d: detail %q lacks %q", profile, e.Detail, want)
			}
		}
		if got := decodeUser(t, do(t, h, "GET", path, ""), http.StatusOK); got.Meta.Version != u.Meta.Version || got.DisplayName == "X" {
			t.Errorf("profile %d: a refused PATCH changed the user: %+v", profile, got)
		}
		rec = do(t, h, "PATCH", path, patchBody(`{"op":"remove","path":"emails"}`, `{"op":"add","path":"emails","value":[{"type":"work","value":"new@example.com"}]}`))
		if got := decodeUser(t, rec, http.StatusOK); len(got.Emails) != 1 || got.Emails[0].Value != "new@example.com" {
			t.Errorf("profile %d: remove and add of emails: %+v", profile, got.Emails)
		}
	}
}

// An unassigned active is an inactive user, whatever the profile: served
// as false, found by active eq false, and a deactivation to the host.
func TestRemoveActiveDeactivates(t *testing.T) {
	for _, profile := range []scim.Profile{scim.ProfileStrict, scim.ProfileRFC} {
		var kinds []scim.EventKind
		h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Profile: profile, Hooks: scim.Hooks{
			AfterChange: func(_ context.Context, e scim.Event) { kinds = append(kinds, e.Kind) },
		}})
		if err != nil {
			t.Fatal(err)
		}
		u := create(t, h, "ann@example.com")
		for _, op := range []string{`{"op":"remove","path":"active"}`, `{"op":"Replace","path":"active","value":null}`} {
			kinds = nil
			do(t, h, "PATCH", "/scim/v2/Users/"+u.ID, patchBody(`{"op":"replace","path":"active","value":true}`))
			got := decodeUser(t, do(t, h, "PATCH", "/scim/v2/Users/"+u.ID, patchBody(op)), http.StatusOK)
			if got.Active == nil || *got.Active {
				t.Errorf("profile %d: %s: active is %v, want false", profile, op, got.Active)
			}
			list := decodeList(t, do(t, h, "GET", "/scim/v2/Users?filter=active%20eq%20false", ""))
			if list.TotalResults != 1 {
				t.Errorf("profile %d: %s: active eq false finds %d users", profile, op, list.TotalResults)
			}
			if !slices.Contains(kinds, scim.EventDeactivated) {
				t.Errorf("profile %d: %s: the host saw %v, want a deactivation", profile, op, kinds)
			}
		}
	}
}
