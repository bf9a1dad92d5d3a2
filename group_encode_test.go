package scim_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/scimkit/scim"
)

// TestEmptyGroupHasNoMembers checks that a group without members is served
// without a members attribute, never "members":[], on every read and
// write that returns it: an empty multi-valued attribute is unassigned,
// and unassigned attributes are absent (RFC 7643 §2.5).
func TestEmptyGroupHasNoMembers(t *testing.T) {
	h, _ := newGroupHandler(t, scim.Config{})
	a := create(t, h, "a@x.com").ID
	noMembers := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Bare"}`
	empty := createGroup(t, h, "Empty").ID // sent with "members":[]
	bare := decodeGroup(t, do(t, h, "POST", "/scim/v2/Groups", noMembers), http.StatusCreated).ID
	emptied := createGroup(t, h, "Emptied", a).ID
	if rec := do(t, h, "PATCH", "/scim/v2/Groups/"+emptied, patchBody(`{"op":"remove","path":"members"}`)); rec.Code != http.StatusNoContent {
		t.Fatalf("emptying a group: %d %s", rec.Code, rec.Body)
	}
	for _, tc := range []struct {
		name, method, target, body string
		status                     int
	}{
		{"create with []", "POST", "/scim/v2/Groups", groupBody("Empty too"), http.StatusCreated},
		{"create without members", "POST", "/scim/v2/Groups", noMembers, http.StatusCreated},
		{"get, created with []", "GET", "/scim/v2/Groups/" + empty, "", http.StatusOK},
		{"get, created without members", "GET", "/scim/v2/Groups/" + bare, "", http.StatusOK},
		{"get, emptied by PATCH", "GET", "/scim/v2/Groups/" + emptied, "", http.StatusOK},
		{"get with attributes=members", "GET", "/scim/v2/Groups/" + empty + "?attributes=members", "", http.StatusOK},
		{"replace with []", "PUT", "/scim/v2/Groups/" + bare, groupBody("Bare"), http.StatusOK},
		{"PATCH asking for members", "PATCH", "/scim/v2/Groups/" + empty + "?attributes=members", patchBody(`{"op":"replace","path":"displayName","value":"Empty"}`), http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, h, tc.method, tc.target, tc.body)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			var g map[string]json.RawMessage
			if err := json.Unmarshal(rec.Body.Bytes(), &g); err != nil {
				t.Fatal(err)
			}
			if m, ok := g["members"]; ok {
				t.Errorf("members is %s, want it absent: %s", m, rec.Body)
			}
		})
	}
	t.Run("list", func(t *testing.T) {
		rec := do(t, h, "GET", "/scim/v2/Groups?filter=displayName%20sw%20%22Empt%22", "")
		var l struct{ Resources []map[string]json.RawMessage }
		if err := json.Unmarshal(rec.Body.Bytes(), &l); err != nil || len(l.Resources) != 3 {
			t.Fatalf("list: %v: %s", err, rec.Body)
		}
		for _, g := range l.Resources {
			if m, ok := g["members"]; ok {
				t.Errorf("group %s has members %s, want it absent", g["displayName"], m)
			}
		}
	})
}
