package scim_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// BenchmarkReads measures the reads identity providers send most, through
// the handler over memstore with 10,000 users and a group of 100: a user
// by id (bench's W1), Okta's userName lookup (W2), a page of 100 (W3) and
// a group by id with its members (W7). Compare a commit with the one
// before it (benchstat).
func BenchmarkReads(b *testing.B) {
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication})
	if err != nil {
		b.Fatal(err)
	}
	var ids []string
	for i := range 10_000 {
		body := strings.Replace(oktaCreate, "test.user@okta.local", fmt.Sprintf("r%05d@okta.local", i), 2)
		rec := serveBench(h, "POST", "/Users", body)
		if rec.Code != 201 {
			b.Fatal(rec.Code, rec.Body)
		}
		ids = append(ids, decodeAny(b, rec.Body.Bytes())["id"].(string))
	}
	var members []string
	for _, id := range ids[:100] {
		members = append(members, `{"value":"`+id+`"}`)
	}
	rec := serveBench(h, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Eng","members":[`+strings.Join(members, ",")+`]}`)
	if rec.Code != 201 {
		b.Fatal(rec.Code, rec.Body)
	}
	group := decodeAny(b, rec.Body.Bytes())["id"].(string)
	for _, w := range []struct{ name, target string }{
		{"W1", "/Users/" + ids[4321]},
		{"W2", "/Users?filter=userName+eq+%22r04321@okta.local%22"},
		{"W3", "/Users?startIndex=4001&count=100"},
		{"W7", "/Groups/" + group},
	} {
		b.Run(w.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if rec := serveBench(h, "GET", w.target, ""); rec.Code != 200 {
					b.Fatal(rec.Code, rec.Body)
				}
			}
		})
	}
}
