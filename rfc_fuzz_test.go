package scim_test

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"
)

// FuzzRFCProfile sends arbitrary bodies to POST /Users and PATCH /Users/{id}
// of a handler in the RFC profile, whose users hold complex attributes in
// User.Custom. It must never panic or answer 5xx; a refused PATCH leaves
// the user exactly as it was; what is stored reads back as JSON with at
// most one primary element per multi-valued attribute.
func FuzzRFCProfile(f *testing.F) {
	full, _ := os.ReadFile("testdata/rfc/full-user.json")
	ent, _ := os.ReadFile("testdata/rfc/enterprise-user.json")
	f.Add(full, false)
	f.Add(ent, false)
	for _, op := range []string{
		`{"op":"replace","path":"phoneNumbers[type eq \"work\"].value","value":"1"}`,
		`{"op":"add","path":"emails","value":[{"value":"x@y","primary":true}]}`,
		`{"op":"remove","path":"addresses[type eq \"home\"]"}`,
		`{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"m"}`,
		`{"op":"replace","value":{"name.formatted":"x","nickName":"y","roles":[{"value":"r","primary":true}]}}`,
	} {
		f.Add([]byte(patchBody(op)), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, patch bool) {
		h := newRFCHandler(t)
		created := do(t, h, "POST", "/scim/v2/Users", string(full))
		var u struct{ ID string }
		json.Unmarshal(created.Body.Bytes(), &u)
		path := "/scim/v2/Users/" + u.ID
		before := do(t, h, "GET", path, "").Body.String()
		var rec interface{ Result() *http.Response }
		code := 0
		if patch {
			r := do(t, h, "PATCH", path, string(body))
			rec, code = r, r.Code
		} else {
			r := do(t, h, "POST", "/scim/v2/Users", string(body))
			rec, code = r, r.Code
		}
		_ = rec
		if code >= 500 {
			t.Fatalf("answered %d", code)
		}
		after := do(t, h, "GET", path, "").Body.String()
		if patch && code >= 400 && after != before {
			t.Fatalf("a refused PATCH (%d) changed the user:\n%s\n%s", code, before, after)
		}
		list := do(t, h, "GET", "/scim/v2/Users", "")
		var l struct{ Resources []map[string]any }
		if err := json.Unmarshal(list.Body.Bytes(), &l); err != nil {
			t.Fatalf("the list is not JSON: %v", err)
		}
		for _, r := range l.Resources {
			for k, v := range r {
				elems, ok := v.([]any)
				if !ok {
					continue
				}
				primaries := 0
				for _, e := range elems {
					if m, ok := e.(map[string]any); ok && m["primary"] == true {
						primaries++
					}
				}
				if primaries > 1 {
					t.Fatalf("%s has %d primary elements: %v", k, primaries, v)
				}
			}
		}
	})
}
