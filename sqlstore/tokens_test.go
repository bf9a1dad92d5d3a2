package sqlstore_test

import (
	"crypto/rand"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/sqlstore"
)

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// tokensTable creates a uniquely named tokens table and drops it when the
// test ends.
func (d database) tokensTable(t testing.TB, db *sql.DB, now func() time.Time) sqlstore.TokensConfig {
	t.Helper()
	cfg := sqlstore.TokensConfig{Dialect: d.dialect, Table: "scim_tokens_" + strings.ToLower(rand.Text()[:10]), Now: now}
	for _, s := range must(cfg.Schema())(t) {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s\n%v", s, err)
		}
	}
	t.Cleanup(func() { db.Exec("DROP TABLE " + cfg.Table) })
	return cfg
}

func TestTokens(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		db := d.open(t)
		c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
		cfg := d.tokensTable(t, db, c.Now)
		// Two replicas, each with its own Tokens over the one table.
		a := must(sqlstore.NewTokens(db, cfg))(t)
		b := must(sqlstore.NewTokens(db, cfg))(t)

		tok, info := func() (string, scim.TokenInfo) {
			tok, info, err := a.IssueToken(bg, "acme", "okta-2026", c.Now().Add(90*24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			return tok, info
		}()
		if !strings.HasPrefix(tok, "scimkit_") || info.Hash != scim.HashToken(tok) || info.Tenant != "acme" || info.Label != "okta-2026" {
			t.Fatalf("IssueToken: %q %+v", tok, info)
		}
		var stored int
		db.QueryRow("SELECT COUNT(*) FROM " + cfg.Table + " WHERE hash = '" + info.Hash + "'").Scan(&stored)
		if stored != 1 {
			t.Errorf("the hash is not the key of the stored row")
		}
		c.Add(time.Second)
		tok2, _, err := a.IssueToken(bg, "acme", "entra", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		other, _, err := a.IssueToken(bg, "globex", "okta", time.Time{})
		if err != nil {
			t.Fatal(err)
		}

		for _, r := range []*sqlstore.Tokens{a, b} {
			p, err := r.Authenticate(bg, tok)
			if err != nil || p != (scim.Principal{Tenant: "acme", Label: "okta-2026"}) {
				t.Errorf("Authenticate: %+v %v", p, err)
			}
		}
		if _, err := b.Authenticate(bg, "scimkit_not-a-token-at-all-000000000"); !unauthorizedSaying(err, "not recognised") {
			t.Errorf("Authenticate of an unknown token: %v", err)
		}

		list := must(b.ListTokens(bg, "acme"))(t)
		if len(list) != 2 || list[0].Label != "entra" || list[1].Label != "okta-2026" {
			t.Errorf("ListTokens(acme) = %+v, want entra then okta-2026 (newest first)", list)
		}
		for _, i := range list {
			if strings.Contains(i.Hash, tok) || strings.Contains(i.Hash, tok2) || len(i.Hash) != 64 {
				t.Errorf("ListTokens shows %q", i.Hash)
			}
		}

		// Last use: written on first use, then at most once a minute.
		lastUsed := func() time.Time {
			for _, i := range must(a.ListTokens(bg, "acme"))(t) {
				if i.Hash == info.Hash {
					return i.LastUsed
				}
			}
			return time.Time{}
		}
		first := lastUsed()
		if !first.Equal(c.Now().Add(-time.Second)) && !first.Equal(c.Now()) {
			t.Errorf("LastUsed after first use = %v, want about %v", first, c.Now())
		}
		c.Add(30 * time.Second)
		must(b.Authenticate(bg, tok))(t)
		if got := lastUsed(); !got.Equal(first) {
			t.Errorf("LastUsed rewritten after 30s: %v, want %v kept", got, first)
		}
		c.Add(31 * time.Second)
		must(b.Authenticate(bg, tok))(t)
		if got := lastUsed(); !got.Equal(c.Now()) {
			t.Errorf("LastUsed a minute later = %v, want %v", got, c.Now())
		}

		// Revocation through one replica is seen by the other at once.
		if err := a.RevokeToken(bg, "globex", info.Hash); !errors.Is(err, scim.ErrNotFound) {
			t.Errorf("RevokeToken of another tenant's token: %v, want ErrNotFound", err)
		}
		if _, err := b.Authenticate(bg, tok); err != nil {
			t.Errorf("a revocation by the wrong tenant revoked the token: %v", err)
		}
		if err := a.RevokeToken(bg, "acme", strings.ToUpper(info.Hash)); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Authenticate(bg, tok); !unauthorizedSaying(err, "revoked on 2026-03-01") {
			t.Errorf("Authenticate on the other replica after revocation: %v, want 401 revoked", err)
		}
		if err := b.RevokeToken(bg, "acme", info.Hash); err != nil {
			t.Errorf("revoking a revoked token: %v, want a no-op", err)
		}
		if list := must(a.ListTokens(bg, "acme"))(t); list[1].Revoked.IsZero() {
			t.Errorf("ListTokens does not show the revocation: %+v", list[1])
		}
		if _, err := a.Authenticate(bg, tok2); err != nil {
			t.Errorf("revoking one token refused another: %v", err)
		}
		if _, err := a.Authenticate(bg, other); err != nil {
			t.Errorf("globex's token: %v", err)
		}

		// Expiry.
		exp, _, _ := a.IssueToken(bg, "acme", "short", c.Now().Add(time.Hour))
		must(b.Authenticate(bg, exp))(t)
		c.Add(time.Hour)
		if _, err := b.Authenticate(bg, exp); !unauthorizedSaying(err, "expired on") {
			t.Errorf("Authenticate of an expired token: %v", err)
		}
	})
}

func unauthorizedSaying(err error, detail string) bool {
	var e *scim.Error
	return errors.As(err, &e) && e.Status == 401 && strings.Contains(e.Detail, detail)
}

// TestTokensOutage: when the tokens table cannot be read (here it was
// dropped; in production the database is down), a request is answered 503
// without WWW-Authenticate, never 401: an IdP reads 401s as a revoked
// token and Entra ID quarantines the app after a run of them.
func TestTokensOutage(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		db := d.open(t)
		cfg := d.tokensTable(t, db, nil)
		tokens := must(sqlstore.NewTokens(db, cfg))(t)
		tok, _, err := tokens.IssueToken(bg, "acme", "okta", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		h := must(scim.NewHandler(memstore.New(), scim.Config{Authenticator: tokens}))(t)
		get := func() *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodGet, "/Users", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}
		if rec := get(); rec.Code != http.StatusOK {
			t.Fatalf("before the outage: %d %s", rec.Code, rec.Body)
		}
		if _, err := db.Exec("DROP TABLE " + cfg.Table); err != nil {
			t.Fatal(err)
		}
		rec := get()
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("WWW-Authenticate") != "" {
			t.Fatalf("tokens table gone: status %d, WWW-Authenticate %q, want 503 and none: %s", rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body)
		}
		if strings.Contains(rec.Body.String(), cfg.Table) {
			t.Errorf("the 503 leaks the database's error: %s", rec.Body)
		}
	})
}
