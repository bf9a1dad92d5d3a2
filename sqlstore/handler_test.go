package sqlstore_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// TestTwoHandlers runs two scim handlers, each with its own Store, on one
// table, as two replicas of a host app would: 50 goroutines create
// overlapping users through both (no duplicates may result), then 50
// PATCHes add distinct regions to one user through both (none may be
// lost).
func TestTwoHandlers(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s1, db, cfg := d.newStore(t, fullConfig)
		s2 := must(sqlstore.New(db, cfg))(t)
		defer s2.Close()
		hcfg := scim.Config{Attributes: fullAttributes, Authenticator: scim.SkipAuthentication}
		var handlers []http.Handler
		for _, s := range []scim.Store{s1, s2} {
			h := must(scim.NewHandler(s, hcfg))(t)
			// The host's middleware puts the tenant in the context.
			handlers = append(handlers, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				h.ServeHTTP(w, r.WithContext(scim.WithTenant(r.Context(), "acme")))
			}))
		}
		send := func(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/scim+json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}

		var wg sync.WaitGroup
		codes := make([]int, 50)
		for i := range 50 {
			wg.Go(func() {
				name := userName(i % 10)
				if i%3 == 1 {
					name = strings.ToUpper(name)
				}
				body := fmt.Sprintf(`{"schemas":[%q],"userName":%q,"name":{"givenName":"A","familyName":"B"},"emails":[{"value":%q,"type":"work"}]}`, scim.UserURN, name, name)
				codes[i] = send(handlers[i%2], "POST", "/Users", body).Code
			})
		}
		wg.Wait()
		created := 0
		for i, c := range codes {
			switch c {
			case 201:
				created++
			case 409:
			default:
				t.Errorf("create %d: status %d", i, c)
			}
		}
		var list struct{ TotalResults int }
		json.Unmarshal(send(handlers[0], "GET", "/Users", "").Body.Bytes(), &list)
		if created != 10 || list.TotalResults != 10 {
			t.Fatalf("%d creates answered 201 and %d users are stored, want 10 of each", created, list.TotalResults)
		}

		var target struct{ Resources []struct{ ID string } }
		json.Unmarshal(send(handlers[1], "GET", `/Users?filter=userName%20eq%20%22USER001@example.com%22`, "").Body.Bytes(), &target)
		if len(target.Resources) != 1 {
			t.Fatal("user001 not found")
		}
		id := target.Resources[0].ID
		for i := range 50 {
			wg.Go(func() {
				body := fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"add","path":"regions","value":["r%02d"]}]}`, scim.PatchOpURN, i)
				if rec := send(handlers[i%2], "PATCH", "/Users/"+id, body); rec.Code != 200 {
					t.Errorf("PATCH %d: %d %s", i, rec.Code, rec.Body)
				}
			})
		}
		wg.Wait()
		var u struct{ Regions []string }
		json.Unmarshal(send(handlers[0], "GET", "/Users/"+id, "").Body.Bytes(), &u)
		if len(u.Regions) != 50 {
			t.Fatalf("after 50 concurrent PATCHes the user has %d regions, want 50: an update was lost", len(u.Regions))
		}
	})
}
