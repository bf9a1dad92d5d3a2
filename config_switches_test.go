package scim_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

func TestDisabledOperations(t *testing.T) {
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Disabled: scim.OpDelete | scim.OpPatch})
	if err != nil {
		t.Fatal(err)
	}
	_, u := call(t, h, "POST", "/Users", userBody("ann@example.com", "ann@example.com", ""))
	id := u["id"].(string)
	patch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`
	for _, tc := range []struct{ method, body string }{{"DELETE", ""}, {"PATCH", patch}} {
		code, e := call(t, h, tc.method, "/Users/"+id, tc.body)
		if code != 501 || e["status"] != "501" || !strings.Contains(e["detail"].(string), tc.method) {
			t.Errorf("%s: %d %v, want a 501 SCIM error naming the method", tc.method, code, e)
		}
	}
	if code, _ := call(t, h, "GET", "/Users/"+id, ""); code != 200 {
		t.Errorf("GET is not disabled: %d", code)
	}
	_, spc := call(t, h, "GET", "/ServiceProviderConfig", "")
	if spc["patch"].(map[string]any)["supported"] != false {
		t.Errorf("ServiceProviderConfig advertises a disabled PATCH: %v", spc["patch"])
	}

	h, _ = scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Disabled: scim.OpCreate})
	if code, _ := call(t, h, "POST", "/Users", userBody("ann@example.com", "ann@example.com", "")); code != 501 {
		t.Errorf("disabled create: %d, want 501", code)
	}
}

func TestDiscoveryAuthentication(t *testing.T) {
	tokens := scim.NewTokens(nil)
	for _, open := range []bool{false, true} {
		h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: tokens, AllowUnauthenticatedDiscovery: open})
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/ServiceProviderConfig", "/ResourceTypes", "/Schemas"} {
			want := 401
			if open {
				want = 200
			}
			if code, _ := call(t, h, "GET", path, ""); code != want {
				t.Errorf("open=%v GET %s without a token: %d, want %d", open, path, code, want)
			}
		}
		if code, _ := call(t, h, "GET", "/Users", ""); code != 401 {
			t.Errorf("open=%v: /Users without a token: %d, want 401", open, code)
		}
	}
}

func TestURLLimit(t *testing.T) {
	h, _ := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, MaxURLBytes: 64})
	code, e := call(t, h, "GET", "/Users?filter=userName%20eq%20%22"+strings.Repeat("a", 80)+"%22", "")
	if code != 414 || e["status"] != "414" {
		t.Fatalf("long URL: %d %v, want 414", code, e)
	}
}

// slowStore blocks in List until the request's context ends; a context
// without a deadline, which would block it for good, is refused at once.
type slowStore struct{ *memstore.Store }

var errNoDeadline = errors.New("the store's context has no deadline")

func (s slowStore) List(ctx context.Context, q scim.Query) (*scim.Page, error) {
	if _, ok := ctx.Deadline(); !ok {
		return nil, errNoDeadline
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestRequestTimeoutReachesTheStore(t *testing.T) {
	h, _ := scim.NewHandler(slowStore{memstore.New()}, scim.Config{Authenticator: scim.SkipAuthentication, RequestTimeout: 20 * time.Millisecond})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/Users", nil))
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), `"status":"503"`) {
		t.Fatalf("timed-out request: %d %s, want a 503 SCIM error", rec.Code, rec.Body)
	}
}
