package scim_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimkit/scim"
)

// FuzzGroupWrites sends arbitrary bodies to POST /Groups, PUT and PATCH
// /Groups/{id}. It must never panic; every answer is a success or a SCIM
// error (never a 500); a refused write leaves the group exactly as it
// was; an accepted one leaves a group with a displayName whose members
// are all users of the tenant. The flags byte picks the method and
// handler options.
func FuzzGroupWrites(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/groups*.json")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		var g struct {
			Steps []struct {
				Request struct {
					Method string
					Body   json.RawMessage
				}
			}
		}
		json.Unmarshal(data, &g)
		for _, s := range g.Steps {
			flags := map[string]byte{"POST": 0, "PUT": 1, "PATCH": 2}[s.Request.Method]
			if s.Request.Body != nil {
				f.Add([]byte(strings.ReplaceAll(string(s.Request.Body), "{{id:1}}", "USER")), flags)
			}
		}
	}
	f.Add([]byte(patchBody(`{"op":"replace","value":{"members":[{"value":"USER"}],"displayName":"x"}}`)), byte(2))
	f.Add([]byte(patchBody(`{"op":"remove","path":"members[value eq \"USER\" or value eq \"x\"]"}`)), byte(6))
	f.Fuzz(func(t *testing.T, body []byte, flags byte) {
		cfg := scim.Config{
			Leniency:             scim.Leniency{CaseInsensitiveNames: flags&4 != 0, DisallowUnknownAttributes: flags&8 != 0},
			MaxMembersPerRequest: 4,
		}
		h, _ := newGroupHandler(t, cfg)
		user := create(t, h, "a@x.com").ID
		g := createGroup(t, h, "Eng", user)
		path := "/scim/v2/Groups/" + g.ID
		before := do(t, h, "GET", path, "").Body.String()
		b := strings.ReplaceAll(string(body), "USER", user)
		var rec interface{ Result() *http.Response }
		var code int
		switch flags & 3 {
		case 0:
			r := do(t, h, "POST", "/scim/v2/Groups", b)
			rec, code = r, r.Code
		case 1:
			r := do(t, h, "PUT", path, b)
			rec, code = r, r.Code
		default:
			r := do(t, h, "PATCH", path, b)
			rec, code = r, r.Code
		}
		_ = rec
		if code >= 500 {
			t.Fatalf("answered %d", code)
		}
		after := do(t, h, "GET", path, "").Body.String()
		if code >= 400 && after != before {
			t.Fatalf("a refused write (%d) changed the group:\n%s\n%s", code, before, after)
		}
		var list struct{ Resources []groupJSON }
		json.Unmarshal([]byte(do(t, h, "GET", "/scim/v2/Groups", "").Body.String()), &list)
		for _, g := range list.Resources {
			if strings.TrimSpace(g.DisplayName) == "" {
				t.Fatalf("a group without displayName was stored: %+v", g)
			}
			for _, m := range g.Members {
				if m.Value != user {
					t.Fatalf("a member that is no user was stored: %+v", m)
				}
			}
		}
	})
}
