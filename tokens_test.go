package scim_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

func TestTokens(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ctx := context.Background()
	ts := scim.NewTokens(clock)

	old, err := ts.Issue("acme", "okta-2025", time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := ts.Issue("acme", "okta-2026", time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := ts.Issue("globex", "entra", time.Time{})
	if old == rotated || !strings.HasPrefix(old, "scimkit_") || len(old) < 40 {
		t.Fatalf("tokens are not distinct high-entropy strings: %q %q", old, rotated)
	}
	for _, info := range ts.List("") {
		if strings.Contains(old, info.Hash) || info.Hash == old {
			t.Fatalf("List exposes a token")
		}
	}

	detail := func(err error) string {
		var e *scim.Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v is not a *scim.Error", err)
		}
		if strings.Contains(e.Detail, old) || strings.Contains(e.Detail, rotated) {
			t.Fatalf("detail %q echoes a token", e.Detail)
		}
		return e.Detail
	}

	tests := []struct {
		name       string
		at         time.Time
		token      string
		wantTenant string
		wantLabel  string
		wantDetail string
	}{
		{"both tokens valid during rotation (old)", now, old, "acme", "okta-2025", ""},
		{"both tokens valid during rotation (new)", now, rotated, "acme", "okta-2026", ""},
		{"other tenant's token names its tenant", now, other, "globex", "entra", ""},
		{"unknown token", now, "scimkit_not-a-token-we-issued", "", "", "not recognised"},
		{"old token expired at its not-after", time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), old, "", "", "expired on 2026-01-31"},
		{"new token still valid after the old expired", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), rotated, "acme", "okta-2026", ""},
		{"token without expiry never expires", time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), other, "globex", "entra", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now = tt.at
			p, err := ts.Authenticate(ctx, tt.token)
			if tt.wantDetail != "" {
				if err == nil || !strings.Contains(detail(err), tt.wantDetail) {
					t.Fatalf("Authenticate = %v, %v; want an error saying %q", p, err, tt.wantDetail)
				}
				return
			}
			if err != nil || p.Tenant != tt.wantTenant || p.Label != tt.wantLabel {
				t.Fatalf("Authenticate = %+v, %v; want tenant %q label %q", p, err, tt.wantTenant, tt.wantLabel)
			}
		})
	}

	t.Run("revocation", func(t *testing.T) {
		now = time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)
		if n := ts.Revoke("acme", "okta-2026"); n != 1 {
			t.Fatalf("Revoke revoked %d tokens, want 1", n)
		}
		_, err := ts.Authenticate(ctx, rotated)
		if err == nil || !strings.Contains(detail(err), "revoked on 2026-03-05") {
			t.Fatalf("revoked token: %v", err)
		}
		if _, err := ts.Authenticate(ctx, other); err != nil {
			t.Fatalf("revoking acme's token affected globex: %v", err)
		}
	})

	t.Run("add and add by hash", func(t *testing.T) {
		if err := ts.Add("short", "acme", "", time.Time{}); err == nil {
			t.Fatal("Add accepted a short token")
		}
		if err := ts.AddHash("zz", "acme", "", time.Time{}); err == nil {
			t.Fatal("AddHash accepted a malformed hash")
		}
		tok := "a-token-from-the-environment-0123456789"
		if err := ts.AddHash(scim.HashToken(tok), "initech", "env", time.Time{}); err != nil {
			t.Fatal(err)
		}
		if p, err := ts.Authenticate(ctx, tok); err != nil || p.Tenant != "initech" {
			t.Fatalf("token added by hash: %+v, %v", p, err)
		}
	})
}

// TestHandler401 checks every reason a request is refused, through the
// handler: a SCIM error with status "401", WWW-Authenticate: Bearer, a
// detail that says which reason, and never the token itself.
func TestHandler401(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	ts := scim.NewTokens(func() time.Time { return now })
	expired, _ := ts.Issue("acme", "2025", time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC))
	revoked, _ := ts.Issue("acme", "leaked", time.Time{})
	ts.Revoke("acme", "leaked")
	good, _ := ts.Issue("acme", "okta", time.Time{})
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: ts})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, authorization, wantDetail string
	}{
		{"missing", "", "missing Authorization header"},
		{"not bearer", "Basic dXNlcjpwYXNz", "malformed Authorization header"},
		{"bearer without token", "Bearer ", "malformed Authorization header"},
		{"unknown", "Bearer scimkit_unknown-token-value", "not recognised"},
		{"expired", "Bearer " + expired, "expired on 2026-01-31"},
		{"revoked", "Bearer " + revoked, "revoked on 2026-03-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/scim/v2/Users", nil)
			if tt.authorization != "" {
				req.Header.Set("Authorization", tt.authorization)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var body struct {
				Schemas []string
				Status  string
				Detail  string
			}
			json.Unmarshal(rec.Body.Bytes(), &body)
			if rec.Code != 401 || body.Status != "401" || len(body.Schemas) != 1 || body.Schemas[0] != scim.ErrorURN {
				t.Fatalf("%d %s, want a 401 SCIM error", rec.Code, rec.Body)
			}
			if !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate = %q", rec.Header().Get("WWW-Authenticate"))
			}
			if !strings.Contains(body.Detail, tt.wantDetail) {
				t.Errorf("detail %q does not say %q", body.Detail, tt.wantDetail)
			}
			if tok := strings.TrimPrefix(tt.authorization, "Bearer "); len(tok) > 8 && strings.Contains(rec.Body.String(), tok) {
				t.Errorf("the response echoes the token")
			}
		})
	}
	req := httptest.NewRequest("GET", "/scim/v2/Users", nil)
	req.Header.Set("Authorization", "bearer "+good) // the scheme is case-insensitive (RFC 9110 §11.1)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("valid token: %d %s", rec.Code, rec.Body)
	}
}
