package scim_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/scimkit/scim"
)

// FuzzSearchRequest feeds arbitrary SearchRequest bodies to POST
// /Users/.search and /.search: every answer is a 200 ListResponse or a
// 4xx SCIM error, never a 5xx or a panic, and a list never holds more
// than it says.
func FuzzSearchRequest(f *testing.F) {
	for _, s := range []string{
		search(""),
		search(`"filter":"userName sw \"f\"","count":2,"startIndex":2`),
		search(`"attributes":["userName","name.givenName"],"excludedAttributes":["emails"]`),
		search(`"cursor":"","count":1`),
		search(`"cursor":"AQAAAAAAAAAAAAE","count":1`),
		search(`"sortBy":"userName","sortOrder":"descending","filter":null`),
		`{"schemas":[],"count":"x"}`,
		`{"schemas":["` + scim.SearchRequestURN + `"],"count":1e99}`,
		`[]`, `{`, `{"schemas":["` + scim.SearchRequestURN + `"],"Filter":"a","filter":"b"}`,
	} {
		f.Add(s)
	}
	h := newMemHandler(f, scim.Config{})
	for i := range 4 {
		create(f, h, fmt.Sprintf("f%d@example.com", i))
	}
	newGroup(f, h, "fuzzers", "")
	f.Fuzz(func(t *testing.T, body string) {
		for _, target := range []string{"/Users/.search", "/Groups/.search", "/.search"} {
			rec := do(t, h, "POST", target, body)
			switch {
			case rec.Code == 200:
				var l struct {
					TotalResults *int
					ItemsPerPage int
					Resources    []json.RawMessage
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &l); err != nil {
					t.Fatalf("%s: 200 with invalid JSON: %v: %s", target, err, rec.Body)
				}
				if len(l.Resources) != l.ItemsPerPage || l.TotalResults != nil && *l.TotalResults < l.ItemsPerPage {
					t.Fatalf("%s: inconsistent list: %s", target, rec.Body)
				}
			case rec.Code >= 400 && rec.Code < 500:
				var e errorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Status != fmt.Sprint(rec.Code) || e.Detail == "" {
					t.Fatalf("%s: %d is not a SCIM error: %s", target, rec.Code, rec.Body)
				}
			default:
				t.Fatalf("%s %q: status %d: %s", target, body, rec.Code, rec.Body)
			}
		}
	})
}
