package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// noExternalID keeps no externalId (as sqlstore over a table whose
// externalId column is "-") and refuses every filter on it, and on displayName.
type noExternalID struct{ *memstore.Store }

func (noExternalID) Keeps() scim.Kept { return scim.Kept{Missing: []string{"externalId"}} }

func (s noExternalID) List(ctx context.Context, q scim.Query) (*scim.Page, error) {
	if f := fmt.Sprint(q.Filter); strings.Contains(f, "externalId") || strings.Contains(f, "displayName") {
		return nil, fmt.Errorf("no column: %w", scim.ErrUnsupportedFilter)
	}
	return s.Store.List(ctx, q)
}

// A filter that names an attribute the store does not keep is refused
// with a detail that says so, and never suggests a lookup the store
// cannot serve.
func TestFilterOnAttributeNotKept(t *testing.T) {
	h, err := scim.NewHandler(noExternalID{memstore.New()}, scim.Config{Authenticator: scim.SkipAuthentication})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path, body string
		says               []string
	}{
		{"GET", "/Users?filter=" + url.QueryEscape(`externalId eq "0a21f0f2"`), "",
			[]string{"keeps no externalId", "match users on userName", "eq on userName, id or the work email"}},
		{"POST", "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq \"a\" or externalId eq \"b\""}`,
			[]string{"keeps no externalId", "match users on userName"}},
		{"POST", "/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"externalId eq \"b\""}`,
			[]string{"keeps no externalId"}},
		// Refused for another attribute: the generic detail, without
		// externalId among the lookups.
		{"GET", "/Users?filter=" + url.QueryEscape(`displayName eq "x"`), "",
			[]string{"cannot evaluate this filter", "eq on userName, id or the work email"}},
	} {
		e := wantError(t, do(t, h, tc.method, "/scim/v2"+tc.path, tc.body), http.StatusBadRequest, scim.ScimTypeInvalidFilter)
		for _, s := range tc.says {
			if !strings.Contains(e.Detail, s) {
				t.Errorf("%s %s: detail %q does not say %q", tc.method, tc.path, e.Detail, s)
			}
		}
		if strings.Contains(e.Detail, "userName, externalId") {
			t.Errorf("%s %s: detail %q suggests externalId, which the store does not keep", tc.method, tc.path, e.Detail)
		}
	}
}
