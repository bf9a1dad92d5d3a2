package sqlstore_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// TestReplicas runs two handlers, each with its own Store, Tokens and
// RateLimiter, on one database, as two replicas of a host would: a token
// revoked through one is refused by the other on its next request, and a
// tenant's budget holds across both. Run it with -race.
func TestReplicas(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s1, db, cfg := d.newStore(t, fullConfig)
		s2 := must(sqlstore.New(db, cfg))(t)
		defer s2.Close()
		c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
		tcfg := d.tokensTable(t, db, c.Now)
		lcfg := d.limitsTable(t, db, sqlstore.RateLimitConfig{Limit: 20, Window: time.Hour, Now: c.Now,
			OnError: func(err error) { t.Error(err) }})

		type replica struct {
			tokens *sqlstore.Tokens
			h      http.Handler
		}
		var replicas []replica
		for _, s := range []*sqlstore.Store{s1, s2} {
			tokens := must(sqlstore.NewTokens(db, tcfg))(t)
			limits := must(sqlstore.NewRateLimiter(db, lcfg))(t)
			h := must(scim.NewHandler(s, scim.Config{Attributes: fullAttributes, Authenticator: tokens, RateLimiter: limits}))(t)
			replicas = append(replicas, replica{tokens, h})
		}
		get := func(r replica, token string) *httptest.ResponseRecorder {
			req := httptest.NewRequest("GET", "/Users?count=1", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			r.h.ServeHTTP(rec, req)
			return rec
		}

		acme, info, err := replicas[0].tokens.IssueToken(bg, "acme", "okta", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		globex, _, err := replicas[1].tokens.IssueToken(bg, "globex", "entra", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range replicas {
			if rec := get(r, acme); rec.Code != 200 {
				t.Fatalf("replica %d with a token issued on replica 0: %d %s", i, rec.Code, rec.Body)
			}
		}

		// A fresh window: 60 concurrent requests, half through each
		// replica, get the tenant's 20 and no more.
		c.Add(time.Hour)
		var mu sync.Mutex
		codes := map[int]int{}
		var wg sync.WaitGroup
		for i := range 60 {
			wg.Go(func() {
				rec := get(replicas[i%2], acme)
				mu.Lock()
				codes[rec.Code]++
				mu.Unlock()
				if rec.Code == 429 && rec.Header().Get("Retry-After") != "3600" {
					t.Errorf("Retry-After %q, want the rest of the window, 3600", rec.Header().Get("Retry-After"))
				}
			})
		}
		wg.Wait()
		if codes[200] != 20 || codes[429] != 40 {
			t.Errorf("60 requests through two replicas: %v, want 20 answered 200 and 40 answered 429", codes)
		}
		if rec := get(replicas[1], globex); rec.Code != 200 {
			t.Errorf("another tenant after acme's budget is spent: %d, want 200", rec.Code)
		}

		// Revoked on replica 0, refused by replica 1 on its next request.
		c.Add(time.Hour)
		if rec := get(replicas[1], acme); rec.Code != 200 {
			t.Fatalf("before revocation: %d %s", rec.Code, rec.Body)
		}
		if err := replicas[0].tokens.RevokeToken(bg, "acme", info.Hash); err != nil {
			t.Fatal(err)
		}
		for i, r := range replicas {
			if rec := get(r, acme); rec.Code != 401 || !strings.Contains(rec.Body.String(), "revoked") {
				t.Errorf("replica %d right after revocation on replica 0: %d %s, want 401 revoked", i, rec.Code, rec.Body)
			}
		}
		if rec := get(replicas[0], globex); rec.Code != 200 {
			t.Errorf("another tenant's token after the revocation: %d", rec.Code)
		}
	})
}
