package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestChiMount checks scimkit under chi's Mount, which leaves the path
// whole: routing, the 201, and a meta.location that includes the mount.
func TestChiMount(t *testing.T) {
	const token = "chi-test-token-0123456789"
	r, err := newRouter(token)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r)
	defer srv.Close()

	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@example.com","name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"value":"ann@example.com","type":"work"}]}`
	req, _ := http.NewRequest("POST", srv.URL+"/scim/v2/Users", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var u struct {
		ID   string
		Meta struct{ Location string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&u); err != nil || resp.StatusCode != 201 {
		t.Fatalf("POST: %d %v", resp.StatusCode, err)
	}
	want := srv.URL + "/scim/v2/Users/" + u.ID
	if u.Meta.Location != want || resp.Header.Get("Location") != want {
		t.Fatalf("location %q / %q, want %q", u.Meta.Location, resp.Header.Get("Location"), want)
	}

	req, _ = http.NewRequest("GET", u.Meta.Location, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != 200 || resp2.Header.Get("Content-Type") != "application/scim+json" {
		t.Fatalf("GET location: %d %s", resp2.StatusCode, resp2.Header.Get("Content-Type"))
	}
	if resp3, _ := http.Get(srv.URL + "/healthz"); resp3 == nil || resp3.StatusCode != 200 {
		t.Fatal("the host's own route is broken")
	}
}
