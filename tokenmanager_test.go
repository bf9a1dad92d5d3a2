package scim_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scim"
)

// TestTokensAsTokenManager checks the TokenManager promises of Tokens:
// per-tenant listing newest first, revocation by hash within the tenant
// only, Created and a LastUsed recorded at most once a minute.
func TestTokensAsTokenManager(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	ctx := context.Background()
	var m scim.TokenManager = scim.NewTokens(clock)

	first, info1, err := m.IssueToken(ctx, "acme", "okta", now.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if info1.Hash != scim.HashToken(first) || info1.Tenant != "acme" || info1.Label != "okta" || !info1.Created.Equal(now) || !info1.LastUsed.IsZero() {
		t.Fatalf("IssueToken info = %+v", info1)
	}
	advance(time.Hour)
	second, info2, _ := m.IssueToken(ctx, "acme", "entra", time.Time{})
	_, globex, _ := m.IssueToken(ctx, "globex", "okta", time.Time{})

	list, err := m.ListTokens(ctx, "acme")
	if err != nil || len(list) != 2 || list[0].Hash != info2.Hash || list[1].Hash != info1.Hash {
		t.Fatalf("ListTokens(acme) = %+v, %v; want entra then okta", list, err)
	}
	if all, _ := m.ListTokens(ctx, ""); len(all) != 0 {
		t.Fatalf("ListTokens(\"\") = %d tokens; tenant \"\" has none, and must not see every tenant's", len(all))
	}

	// LastUsed: set on first use, then not again within a minute.
	advance(time.Minute)
	usedAt := clock()
	if _, err := m.Authenticate(ctx, first); err != nil {
		t.Fatal(err)
	}
	advance(30 * time.Second)
	m.Authenticate(ctx, first)
	if l := lastUsed(t, m, "acme", info1.Hash); !l.Equal(usedAt) {
		t.Fatalf("LastUsed = %v, want %v (at most one update a minute)", l, usedAt)
	}
	advance(31 * time.Second)
	m.Authenticate(ctx, first)
	if l := lastUsed(t, m, "acme", info1.Hash); !l.Equal(clock()) {
		t.Fatalf("LastUsed = %v after a minute, want %v", l, clock())
	}

	// Revoke by hash: another tenant's hash is not found, and stays valid.
	if err := m.RevokeToken(ctx, "acme", globex.Hash); !errors.Is(err, scim.ErrNotFound) {
		t.Fatalf("RevokeToken of globex's token as acme = %v, want ErrNotFound", err)
	}
	if err := m.RevokeToken(ctx, "acme", "not-hex"); !errors.Is(err, scim.ErrNotFound) {
		t.Fatalf("RevokeToken of a malformed hash = %v, want ErrNotFound", err)
	}
	if err := m.RevokeToken(ctx, "acme", info2.Hash); err != nil {
		t.Fatal(err)
	}
	revokedAt := clock()
	advance(time.Hour)
	if err := m.RevokeToken(ctx, "acme", info2.Hash); err != nil {
		t.Fatalf("revoking twice: %v", err)
	}
	p, err := m.Authenticate(ctx, second)
	if err == nil {
		t.Fatal("a revoked token authenticated")
	}
	if p.Tenant != "acme" {
		t.Errorf("a revoked token's refusal names tenant %q, want acme (for its activity log)", p.Tenant)
	}
	list, _ = m.ListTokens(ctx, "acme")
	if !list[0].Revoked.Equal(revokedAt) {
		t.Errorf("Revoked = %v, want the first revocation's %v", list[0].Revoked, revokedAt)
	}
	if _, err := m.Authenticate(ctx, first); err != nil {
		t.Errorf("revoking one token affected another: %v", err)
	}
}

func lastUsed(t *testing.T, m scim.TokenManager, tenant, hash string) time.Time {
	t.Helper()
	list, _ := m.ListTokens(context.Background(), tenant)
	for _, i := range list {
		if i.Hash == hash {
			return i.LastUsed
		}
	}
	t.Fatalf("no token %s", hash)
	return time.Time{}
}

// TestTokensConcurrentUse runs Authenticate, IssueToken, ListTokens and
// RevokeToken together, for -race.
func TestTokensConcurrentUse(t *testing.T) {
	ctx := context.Background()
	m := scim.NewTokens(nil)
	tok, info, _ := m.IssueToken(ctx, "acme", "okta", time.Time{})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				m.Authenticate(ctx, tok)
				m.ListTokens(ctx, "acme")
				if i == 0 {
					m.IssueToken(ctx, "acme", "more", time.Time{})
				}
			}
		}()
	}
	m.RevokeToken(ctx, "acme", info.Hash)
	wg.Wait()
}
