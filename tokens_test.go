package scim_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
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
