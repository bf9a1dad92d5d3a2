package scimadmin_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/activitylog"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/scimadmin"
)

// A host mounts the SCIM handler and the setup page over one token set and
// one activity log; the setup page goes behind the host's admin sign-in
// (here a stand-in that signs everyone in as acme's admin).
func Example() {
	tokens := scim.NewTokens(nil)
	activity := activitylog.New(0, nil)
	scimHandler, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: tokens, Activity: activity})
	if err != nil {
		panic(err)
	}
	admin, err := scimadmin.New(scimadmin.Config{
		Tenant:   func(r *http.Request) (string, error) { return "acme", nil },
		Tokens:   tokens,
		Activity: activity,
		BaseURL:  func(*http.Request, string) string { return "https://app.example.com/scim/v2" },
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", scimHandler)
	mux.Handle("/settings/scim/", http.StripPrefix("/settings/scim", admin))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// A token issued earlier (the page's Generate button does the same),
	// and a create by Okta with it.
	token, _ := tokens.Issue("acme", "Okta 2026", time.Now().AddDate(1, 0, 0))
	req, _ := http.NewRequest("POST", srv.URL+"/scim/v2/Users", strings.NewReader(
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@acme.example","name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"value":"ann@acme.example","type":"work"}]}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	req.Header.Set("User-Agent", "Okta SCIM Client 1.0.0")
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()

	resp, err = http.Get(srv.URL + "/settings/scim/")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	for _, s := range []string{"https://app.example.com/scim/v2", "Okta 2026", "ACTIVE", "created", "ann@acme.example"} {
		fmt.Printf("%s shown: %v\n", s, strings.Contains(string(page), s))
	}
	fmt.Println("token shown:", strings.Contains(string(page), token))
	// Output:
	// https://app.example.com/scim/v2 shown: true
	// Okta 2026 shown: true
	// ACTIVE shown: true
	// created shown: true
	// ann@acme.example shown: true
	// token shown: false
}
