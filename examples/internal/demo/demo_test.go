package demo_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/examples/internal/demo"
	"github.com/scimkit/scim/memstore"
)

// Each tenant's token works on its own URL and on the shared one, and on
// no other tenant's URL.
func TestTokensAndMounts(t *testing.T) {
	tokens := scim.NewTokens(nil)
	issued, err := demo.IssueTokens(tokens, "first-token-0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	if issued["acme"] != "first-token-0123456789abcdef" || issued["globex"] == "" || issued["globex"] == issued["acme"] {
		t.Fatalf("issued %v", issued)
	}
	mux, err := demo.NewMux(memstore.New(), scim.Config{Authenticator: tokens})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, tenant string
		want         int
	}{
		{"/scim/v2/Users", "acme", http.StatusOK},
		{"/scim/v2/acme/Users", "acme", http.StatusOK},
		{"/scim/v2/globex/Users", "acme", http.StatusUnauthorized},
		{"/scim/v2/globex/Users", "globex", http.StatusOK},
	} {
		r := httptest.NewRequest("GET", tc.path, nil)
		r.Header.Set("Authorization", "Bearer "+issued[tc.tenant])
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("GET %s with %s's token: %d, want %d", tc.path, tc.tenant, w.Code, tc.want)
		}
	}
}
