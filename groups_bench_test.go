package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// benchUsers is how many users the tenant has, whatever the group's size:
// the group's size is then the only difference between two runs (a store
// of 12 users against one of 100,000 would measure the heap, not the
// group: the collector marks the larger one).
const benchUsers = 100_000

// benchGroup builds a memstore handler whose tenant has benchUsers users,
// a group of the first n of them, and two users outside it, straight
// through the store.
func benchGroup(b *testing.B, n int) (http.Handler, string, [2]string) {
	b.Helper()
	st := memstore.New()
	ctx := context.Background()
	h, err := scim.NewHandler(st, scim.Config{Authenticator: scim.SkipAuthentication})
	if err != nil {
		b.Fatal(err)
	}
	members := make([]scim.Member, 0, n)
	for i := range benchUsers {
		u, err := st.Create(ctx, &scim.User{UserName: fmt.Sprintf("u%07d", i)})
		if err != nil {
			b.Fatal(err)
		}
		if i < n {
			members = append(members, scim.Member{Value: u.ID})
		}
	}
	var out [2]string
	for i := range out {
		u, _ := st.Create(ctx, &scim.User{UserName: fmt.Sprintf("out%d", i)})
		out[i] = u.ID
	}
	g, err := st.CreateGroup(ctx, &scim.Group{DisplayName: "big", Members: members})
	if err != nil {
		b.Fatal(err)
	}
	return h, g.ID, out
}

// BenchmarkGroupPatch is W6 in process: one PATCH adding one member and
// removing another, on groups of 10 and 100,000 members. The cost must
// not grow with the group (go test -bench GroupPatch -benchmem).
func BenchmarkGroupPatch(b *testing.B) {
	for _, n := range []int{10, 100_000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			h, id, out := benchGroup(b, n)
			bodies := [2]string{
				patchBody(addMembers(out[0]), `{"op":"remove","path":`+memberPath(out[1])+`}`),
				patchBody(addMembers(out[1]), `{"op":"remove","path":`+memberPath(out[0])+`}`),
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				r := httptest.NewRequest("PATCH", "/scim/v2/Groups/"+id, strings.NewReader(bodies[i%2]))
				r.Header.Set("Content-Type", "application/scim+json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusNoContent {
					b.Fatal(w.Code, w.Body)
				}
			}
		})
	}
}

// BenchmarkGroupGetExcluded is W7 in process: Entra ID's GET of a group
// with excludedAttributes=members, on groups of 10 and 100,000 members.
func BenchmarkGroupGetExcluded(b *testing.B) {
	for _, n := range []int{10, 100_000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			h, id, _ := benchGroup(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				r := httptest.NewRequest("GET", "/scim/v2/Groups/"+id+"?excludedAttributes=members", nil)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK || strings.Contains(w.Body.String(), `"members"`) {
					b.Fatal(w.Code, w.Body)
				}
			}
		})
	}
}
