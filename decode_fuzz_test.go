package scim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimkit/scim/schema"
)

// echoStore stores nothing: Create returns the user with an id, so that a
// POST runs the whole handler path without state.
type echoStore struct{ Store }

func (echoStore) Create(_ context.Context, u *User) (*User, error) {
	c := u.Clone()
	c.ID, c.Meta.Version = "f1", `W/"1"`
	return c, nil
}

func fuzzHandlers(t testing.TB) []*Handler {
	attrs := []schema.Attribute{
		{Name: "regions", Type: schema.String, MultiValued: true},
		{Name: "contractor", Type: schema.Boolean},
		{Name: "level", Type: schema.Integer},
		{Name: "hiredAt", Type: schema.DateTime},
		{Name: "levels", Type: schema.Integer, MultiValued: true},
		{Name: "flags", Type: schema.Boolean, MultiValued: true},
		{Name: "dates", Type: schema.DateTime, MultiValued: true},
	}
	ext := schema.Schema{ID: "urn:example:params:scim:schemas:extension:acme:2.0:User",
		Attributes: []schema.Attribute{{Name: "costCenter", Type: schema.String}}}
	var hs []*Handler
	for _, cfg := range []Config{
		{Authenticator: SkipAuthentication, Attributes: attrs, Extensions: []schema.Schema{ext}},
		{Authenticator: SkipAuthentication, Attributes: attrs, Extensions: []schema.Schema{ext}, Required: []string{"userName"},
			Leniency: Leniency{CaseInsensitiveNames: true, DisallowUnknownAttributes: true, DisallowStringBooleans: true, AllowStringIntegers: true}},
	} {
		h, err := NewHandler(echoStore{}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
	return hs
}

// FuzzDecodeUser feeds request bodies to the decoder and to POST /Users:
// no input may panic; each is either a SCIM error (a 4xx with a detail) or
// a user that encodes to valid JSON.
func FuzzDecodeUser(f *testing.F) {
	for _, seed := range []string{
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local","name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],"displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1","active":true,"emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"}],"meta":{"resourceType":"User"},"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[]}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","regions":"us1,emea2","contractor":"True","level":"42","hiredAt":"2026-01-31T09:00:00+01:00","levels":[1,2],"flags":true,"dates":["2026-01-31T09:00:00Z"],"urn:example:params:scim:schemas:extension:acme:2.0:User":{"costCenter":"cc"}}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"UserName":"a","Name":{"GivenName":"x"},"EMAILS":[{"Value":"x","Type":"work"},{"value":"y","primary":true}]}`,
		` {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a\u00e9\ud800","active":null,"emails":null,"name":null} `,
		`{"schemas":[],"userName":{}}`,
		`[1,2]`, `null`, `{`, `{"a":1,"a":2}`, "",
	} {
		f.Add([]byte(seed))
	}
	hs := fuzzHandlers(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, h := range hs {
			u, _, e := h.decodeUser(body)
			if e != nil {
				if e.Status != http.StatusBadRequest || e.ScimType == "" || e.Detail == "" {
					t.Fatalf("decodeUser error %+v", e)
				}
			} else {
				b := h.appendUser(nil, u, "https://example.com/Users/x", nil)
				if !json.Valid(b) {
					t.Fatalf("user encodes to invalid JSON: %s", b)
				}
			}

			r := httptest.NewRequest("POST", "/scim/v2/Users", strings.NewReader(string(body)))
			r.Header.Set("Content-Type", "application/scim+json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("status %d with invalid JSON: %s", rec.Code, rec.Body)
			}
			switch {
			case rec.Code == http.StatusCreated:
				if e != nil {
					t.Fatalf("decodeUser failed (%v) but POST succeeded", e)
				}
			case rec.Code == http.StatusBadRequest || rec.Code == http.StatusRequestEntityTooLarge:
				var eb struct{ Schemas []string }
				if json.Unmarshal(rec.Body.Bytes(), &eb) != nil || len(eb.Schemas) != 1 || eb.Schemas[0] != ErrorURN {
					t.Fatalf("%d is not a SCIM error: %s", rec.Code, rec.Body)
				}
			default:
				t.Fatalf("POST: status %d: %s", rec.Code, rec.Body)
			}
		}
	})
}
