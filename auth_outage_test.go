package scim_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// authFunc adapts a function to scim.Authenticator.
type authFunc func(ctx context.Context, token string) (scim.Principal, error)

func (f authFunc) Authenticate(ctx context.Context, token string) (scim.Principal, error) {
	return f(ctx, token)
}

// TestAuthenticatorOutage: a token that could not be checked (the token
// store is down, the request's time ran out) is a 503, not a 401: an IdP
// reads 401s as a revoked credential (Entra ID quarantines the app after a
// run of them), so an outage must not look like one, nor count against
// the client's budget of failed tokens. A refusal stays a 401.
func TestAuthenticatorOutage(t *testing.T) {
	dbDown := errors.New("dial tcp 10.0.0.5:5432: connection refused")
	for _, tc := range []struct {
		name       string
		err        error
		status     int
		authHeader bool
		detail     string
	}{
		{"store down", &scim.Error{Status: http.StatusServiceUnavailable, Detail: "the token store did not answer", Err: dbDown}, 503, false, "the token store did not answer"},
		{"store down, wrapped", fmt.Errorf("auth: %w", &scim.Error{Status: http.StatusServiceUnavailable, Detail: "try again", Err: dbDown}), 503, false, "try again"},
		{"context deadline", fmt.Errorf("lookup: %w", context.DeadlineExceeded), 503, false, "longer than this service provider allows"},
		{"refused with a reason", &scim.Error{Status: http.StatusUnauthorized, Detail: "the bearer token expired on 2026-01-31"}, 401, true, "expired on 2026-01-31"},
		{"refused, plain error", errors.New("no such token"), 401, true, "not valid"},
		{"refused, an *Error of another status", &scim.Error{Status: http.StatusForbidden, Detail: "nope"}, 401, true, "nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// One failed token blocks the client: a 503 must not spend it.
			h, err := scim.NewHandler(memstore.New(), scim.Config{
				Authenticator: authFunc(func(context.Context, string) (scim.Principal, error) {
					return scim.Principal{}, tc.err
				}),
				FailedAuthLimiter: scim.NewTokenBucket(0.0001, 1, nil),
			})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				req := httptest.NewRequest(http.MethodGet, "/Users", nil)
				req.Header.Set("Authorization", "Bearer some-token")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				want := tc.status
				if i == 1 && tc.status == 401 {
					want = http.StatusTooManyRequests // the budget of one is spent
				}
				if rec.Code != want {
					t.Fatalf("request %d: status %d, want %d: %s", i+1, rec.Code, want, rec.Body)
				}
				if i == 0 {
					if got := rec.Header().Get("WWW-Authenticate") != ""; got != tc.authHeader {
						t.Errorf("WWW-Authenticate present %v, want %v", got, tc.authHeader)
					}
					if !strings.Contains(rec.Body.String(), tc.detail) {
						t.Errorf("body %s does not say %q", rec.Body, tc.detail)
					}
					if strings.Contains(rec.Body.String(), "10.0.0.5") {
						t.Errorf("body leaks the underlying error: %s", rec.Body)
					}
				}
			}
		})
	}
}
