package scim_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// BenchmarkWrites measures the two writes identity providers send most,
// through the handler over memstore, in both profiles: Okta's create
// (bench's W4) and Entra ID's four-operation PATCH (W5entra), alternating
// between two values so that every PATCH writes. The limit walk runs on
// each; compare a commit with the one before it (benchstat).
func BenchmarkWrites(b *testing.B) {
	for _, p := range []struct {
		name    string
		profile scim.Profile
	}{{"strict", scim.ProfileStrict}, {"rfc", scim.ProfileRFC}} {
		h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Profile: p.profile})
		if err != nil {
			b.Fatal(err)
		}
		b.Run("W4/"+p.name, func(b *testing.B) {
			n := 0
			b.ReportAllocs()
			for b.Loop() {
				n++
				body := strings.Replace(oktaCreate, "test.user@okta.local", fmt.Sprintf("w4-%d@okta.local", n), 2)
				if rec := serveBench(h, "POST", "/Users", body); rec.Code != 201 {
					b.Fatal(rec.Code, rec.Body)
				}
			}
		})
		b.Run("W5entra/"+p.name, func(b *testing.B) {
			rec := serveBench(h, "POST", "/Users", oktaCreate)
			if rec.Code != 201 {
				b.Fatal(rec.Code, rec.Body)
			}
			target := "/Users/" + decodeAny(b, rec.Body.Bytes())["id"].(string)
			bodies := [2]string{entraPatch("False", "new@contoso.com"), entraPatch("True", "old@contoso.com")}
			n := 0
			b.ReportAllocs()
			for b.Loop() {
				n++
				if rec := serveBench(h, "PATCH", target, bodies[n%2]); rec.Code != 200 {
					b.Fatal(rec.Code, rec.Body)
				}
			}
		})
	}
}

func entraPatch(active, email string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"` + active + `"},{"op":"Replace","path":"emails[type eq \"work\"].value","value":"` + email + `"},{"op":"Replace","path":"name.givenName","value":"Ann"},{"op":"Add","path":"externalId","value":"abc"}]}`
}

func serveBench(h *scim.Handler, method, target, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/scim+json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}
