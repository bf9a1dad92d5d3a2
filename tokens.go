package scim

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Tokens is a ready Authenticator for bearer tokens that the host issues to
// its customers: one or more per tenant, each with an expiry and a label,
// so that a customer can rotate to a new token before the old one expires.
// Only SHA-256 hashes of tokens are kept; a token is shown once, when it is
// issued. It is safe for concurrent use.
//
// Tokens implements TokenManager, so the admin page (scimadmin) can issue,
// list and revoke them. It records when each token was created and, at most
// once a minute per token, when it last authenticated a request: a token in
// use takes the write lock once a minute, not on every request.
type Tokens struct {
	now    func() time.Time
	mu     sync.RWMutex
	byHash map[[sha256.Size]byte]*TokenInfo
}

// lastUsedEvery is how stale TokenInfo.LastUsed may be: Authenticate
// updates it only when it is older than this.
const lastUsedEvery = time.Minute

// TokenInfo describes an issued token. The token itself is never kept.
type TokenInfo struct {
	// Hash is the hex SHA-256 of the token, for the host's records.
	Hash string
	// Tenant and Label become the request's Principal.
	Tenant string
	Label  string
	// NotAfter is when the token expires; zero means never.
	NotAfter time.Time
	// Revoked is when the token was revoked; zero while it is valid.
	Revoked time.Time
	// Created is when the token was issued or added; LastUsed when it
	// last authenticated a request (zero: never). Token sets may record
	// LastUsed coarsely (say, once a minute) to spare their storage.
	Created  time.Time
	LastUsed time.Time
}

// TokenManager is an Authenticator whose tokens can be issued, listed and
// revoked per tenant: what the customer-facing admin page (scimadmin)
// drives. Tokens keeps them in process memory; sqlstore.Tokens in the
// host's database, so that every replica sees a revocation at once.
type TokenManager interface {
	Authenticator
	// IssueToken makes a new random token for tenant and returns it with
	// its record; the token is never available again. notAfter zero means
	// it never expires.
	IssueToken(ctx context.Context, tenant, label string, notAfter time.Time) (token string, info TokenInfo, err error)
	// ListTokens returns the records of tenant's tokens, newest first,
	// revoked and expired ones included; never the tokens themselves.
	ListTokens(ctx context.Context, tenant string) ([]TokenInfo, error)
	// RevokeToken revokes the token of tenant whose hash (TokenInfo.Hash)
	// is given. It returns an error wrapping ErrNotFound when tenant has
	// no such token; revoking a revoked token is a no-op.
	RevokeToken(ctx context.Context, tenant, hash string) error
}

// NewTokens returns an empty token set. now is its clock (nil means
// time.Now); tests inject one to check expiry.
func NewTokens(now func() time.Time) *Tokens {
	if now == nil {
		now = time.Now
	}
	return &Tokens{now: now, byHash: map[[sha256.Size]byte]*TokenInfo{}}
}

// tokenPrefix marks scimkit tokens, so that secret scanners can find leaked
// ones and a person can tell what a token is for.
const tokenPrefix = "scimkit_"

// Issue makes a new random token (256 bits from crypto/rand) for tenant,
// records its hash, and returns the token: the only time it is available.
// notAfter zero means it never expires.
func (t *Tokens) Issue(tenant, label string, notAfter time.Time) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("scim: issuing a token: %w", err)
	}
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, t.Add(token, tenant, label, notAfter)
}

// Add records a token the host already has, for example one read from its
// configuration or environment. Tokens shorter than 16 bytes are refused:
// only high-entropy tokens make a plain SHA-256 a safe way to keep them.
func (t *Tokens) Add(token, tenant, label string, notAfter time.Time) error {
	if len(token) < 16 {
		return errors.New("scim: a bearer token must be at least 16 characters of random data")
	}
	return t.AddHash(HashToken(token), tenant, label, notAfter)
}

// AddHash records a token by its hex SHA-256 (see HashToken), for hosts that
// keep token hashes in their own database.
func (t *Tokens) AddHash(hash, tenant, label string, notAfter time.Time) error {
	var key [sha256.Size]byte
	if len(hash) != hex.EncodedLen(sha256.Size) {
		return fmt.Errorf("scim: %q is not a hex SHA-256", hash)
	}
	if n, err := hex.Decode(key[:], []byte(hash)); err != nil || n != sha256.Size {
		return fmt.Errorf("scim: %q is not a hex SHA-256", hash)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.byHash[key] = &TokenInfo{Hash: strings.ToLower(hash), Tenant: tenant, Label: label, NotAfter: notAfter, Created: t.now()}
	return nil
}

// IssueToken implements TokenManager with Issue.
func (t *Tokens) IssueToken(_ context.Context, tenant, label string, notAfter time.Time) (string, TokenInfo, error) {
	token, err := t.Issue(tenant, label, notAfter)
	if err != nil {
		return "", TokenInfo{}, err
	}
	sum := sha256.Sum256([]byte(token))
	t.mu.RLock()
	info := *t.byHash[sum]
	t.mu.RUnlock()
	return token, info, nil
}

// ListTokens implements TokenManager: tenant's tokens, newest first (by
// Created, then by Hash so that the order is stable).
func (t *Tokens) ListTokens(_ context.Context, tenant string) ([]TokenInfo, error) {
	// Not List: List("") means every tenant, and ListTokens("") only the
	// tokens of tenant "" (a single-tenant host's).
	var out []TokenInfo
	t.mu.RLock()
	for _, info := range t.byHash {
		if info.Tenant == tenant {
			out = append(out, *info)
		}
	}
	t.mu.RUnlock()
	slices.SortFunc(out, func(a, b TokenInfo) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.Hash, b.Hash)
	})
	return out, nil
}

// RevokeToken implements TokenManager.
func (t *Tokens) RevokeToken(_ context.Context, tenant, hash string) error {
	var key [sha256.Size]byte
	if n, err := hex.Decode(key[:], []byte(hash)); err != nil || n != sha256.Size {
		return fmt.Errorf("scim: no token of tenant %q with hash %q: %w", tenant, hash, ErrNotFound)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	info, ok := t.byHash[key]
	if !ok || info.Tenant != tenant {
		return fmt.Errorf("scim: no token of tenant %q with hash %q: %w", tenant, hash, ErrNotFound)
	}
	if info.Revoked.IsZero() {
		info.Revoked = t.now()
	}
	return nil
}

// HashToken returns the hex SHA-256 of token, as Tokens keeps it.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Revoke revokes every token of tenant with the given label, or every token
// of tenant when label is empty, and returns how many it revoked. A revoked
// token is refused with a detail that says so.
func (t *Tokens) Revoke(tenant, label string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, info := range t.byHash {
		if info.Tenant == tenant && (label == "" || info.Label == label) && info.Revoked.IsZero() {
			info.Revoked = t.now()
			n++
		}
	}
	return n
}

// List returns the tokens of tenant (all tenants when it is empty), without
// the tokens themselves.
func (t *Tokens) List(tenant string) []TokenInfo {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []TokenInfo
	for _, info := range t.byHash {
		if tenant == "" || info.Tenant == tenant {
			out = append(out, *info)
		}
	}
	return out
}

// Authenticate implements Authenticator. The token is hashed before it is
// looked up, so neither the lookup nor the comparison depends on the
// token's bytes in a way that leaks them through timing.
//
// A revoked or expired token is refused with an error that says so, and
// with the Principal it was issued to, so that the refusal shows in its
// tenant's activity log (see Authenticator).
func (t *Tokens) Authenticate(_ context.Context, token string) (Principal, error) {
	sum := sha256.Sum256([]byte(token))
	now := t.now()
	t.mu.RLock()
	info, ok := t.byHash[sum]
	var i TokenInfo
	if ok {
		i = *info
	}
	t.mu.RUnlock()
	if !ok || subtle.ConstantTimeCompare([]byte(i.Hash), []byte(hex.EncodeToString(sum[:]))) != 1 {
		return Principal{}, errorf(http.StatusUnauthorized, "", "the bearer token is not recognised")
	}
	p := Principal{Tenant: i.Tenant, Label: i.Label}
	if !i.Revoked.IsZero() {
		return p, errorf(http.StatusUnauthorized, "", "the bearer token was revoked on "+i.Revoked.UTC().Format(time.DateOnly))
	}
	if !i.NotAfter.IsZero() && !now.Before(i.NotAfter) {
		return p, errorf(http.StatusUnauthorized, "", "the bearer token expired on "+i.NotAfter.UTC().Format(time.DateOnly))
	}
	if now.Sub(i.LastUsed) >= lastUsedEvery {
		t.mu.Lock()
		info.LastUsed = now
		t.mu.Unlock()
	}
	return p, nil
}

var (
	_ Authenticator = (*Tokens)(nil)
	_ TokenManager  = (*Tokens)(nil)
)
