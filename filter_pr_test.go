package scim_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// TestComplexPresent: pr on a complex attribute compared whole matches
// when it "contains a non-empty node" (RFC 7644 §3.4.2.2): name pr holds
// for a user with any part of a name, addresses pr for one with any part
// of an address, meta pr for every user. It used to look for a value
// sub-attribute that name, addresses and meta do not have, so it held for
// no one.
func TestComplexPresent(t *testing.T) {
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Profile: scim.ProfileRFC})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"full","name":{"formatted":"Ms. Full"},"addresses":[{"locality":"Paris"}],
		  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"displayName":"Boss"}}}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"given","name":{"givenName":"Ann"}}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bare"}`,
	} {
		r := httptest.NewRequest(http.MethodPost, "/Users", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/scim+json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", w.Code, w.Body)
		}
	}
	for _, tc := range []struct{ filter, want string }{
		{`name pr`, "full given"},
		{`not (name pr)`, "bare"},
		{`addresses pr`, "full"},
		{`meta pr`, "bare full given"},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr`, "full"},
		{`name pr and addresses pr`, "full"},
		{`emails pr`, ""},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/Users?attributes=userName&filter="+url.QueryEscape(tc.filter), nil))
		if w.Code != http.StatusOK {
			t.Errorf("%s: %d %s", tc.filter, w.Code, w.Body)
			continue
		}
		if got := userNames(t, w.Body.Bytes()); got != tc.want {
			t.Errorf("%s: matched %q, want %q", tc.filter, got, tc.want)
		}
	}
}

// userNames returns the sorted userNames of a ListResponse, space-separated.
func userNames(t *testing.T, body []byte) string {
	t.Helper()
	var l struct {
		Resources []struct {
			UserName string `json:"userName"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(body, &l); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range l.Resources {
		names = append(names, r.UserName)
	}
	slices.Sort(names)
	return strings.Join(names, " ")
}
