package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/scimkit/scim"
)

// TokensConfig describes the table of a Tokens. Apart from Dialect, its
// zero value works.
type TokensConfig struct {
	// Dialect is the database's SQL dialect. Required.
	Dialect Dialect
	// Table is the tokens table, optionally schema-qualified; Schema
	// creates it. Default "scim_tokens".
	Table string
	// Now is the clock; nil means time.Now. Tests inject one to check
	// expiry and last use.
	Now func() time.Time
}

// Tokens is a scim.TokenManager that keeps bearer tokens in the host's
// database, so that every replica of the host sees the same tokens: a
// token issued or revoked through one replica is accepted or refused by
// every replica on its next request. There is no cache: Authenticate is
// one lookup by primary key per request.
//
// Only the SHA-256 of a token is kept (scim.HashToken), with its tenant,
// label, creation, expiry, revocation and last use. Last use is written
// at most once a minute per token, so that a busy token costs a write a
// minute rather than one per request; TokenInfo.LastUsed is therefore up
// to a minute early. It is safe for concurrent use.
type Tokens struct {
	db  *sql.DB
	cfg TokensConfig
}

var _ scim.TokenManager = (*Tokens)(nil)

// lastUsedEvery is how often a token's last use is written at most.
const lastUsedEvery = time.Minute

// NewTokens returns a Tokens over db's tokens table (see
// TokensConfig.Schema). It does not touch the database.
func NewTokens(db *sql.DB, cfg TokensConfig) (*Tokens, error) {
	if db == nil {
		return nil, errors.New("sqlstore: NewTokens needs a *sql.DB")
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Tokens{db: db, cfg: cfg.withDefaults()}, nil
}

func (c TokensConfig) validate() error {
	if c.Dialect != PostgreSQL && c.Dialect != MySQL && c.Dialect != SQLite {
		return fmt.Errorf("sqlstore: TokensConfig.Dialect %v is not PostgreSQL, MySQL or SQLite", c.Dialect)
	}
	if c := c.withDefaults(); !identifier.MatchString(c.Table) {
		return fmt.Errorf("sqlstore: TokensConfig.Table %q is not an SQL identifier", c.Table)
	}
	return nil
}

func (c TokensConfig) withDefaults() TokensConfig {
	if c.Table == "" {
		c.Table = "scim_tokens"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Schema returns the statements that create the tokens table and its
// index on (tenant, created), for ListTokens.
func (c TokensConfig) Schema() ([]string, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	c = c.withDefaults()
	hash, text, ts := "CHAR(64) NOT NULL PRIMARY KEY", "TEXT", Config{Dialect: c.Dialect}.timestamp()
	if c.Dialect == MySQL {
		hash, text = "CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY", "VARCHAR(255)"
	}
	create := "CREATE TABLE " + c.Table + " (\n\thash " + hash + ",\n\ttenant " + text + " NOT NULL,\n\tlabel " + text +
		" NOT NULL,\n\tcreated " + ts + " NOT NULL,\n\tnot_after " + ts + ",\n\trevoked " + ts + ",\n\tlast_used " + ts + "\n)"
	if c.Dialect == MySQL {
		create += " DEFAULT CHARSET=utf8mb4"
	}
	return []string{create, "CREATE INDEX " + indexBase(c.Table) + "_tenant_idx ON " + c.Table + " (tenant, created)"}, nil
}

func (t *Tokens) ph(n int) string { return t.cfg.Dialect.Placeholder(n) }

// now is the clock's time as the database keeps it.
func (t *Tokens) now() time.Time { return dbTime(t.cfg.Now()) }

// IssueToken implements scim.TokenManager: a token of 256 random bits,
// prefixed "scimkit_" like scim.Tokens' so that secret scanners find a
// leaked one.
func (t *Tokens) IssueToken(ctx context.Context, tenant, label string, notAfter time.Time) (string, scim.TokenInfo, error) {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand's documented promise)
	token := "scimkit_" + base64.RawURLEncoding.EncodeToString(b[:])
	info := scim.TokenInfo{Hash: scim.HashToken(token), Tenant: tenant, Label: label, NotAfter: dbTime(notAfter), Created: t.now()}
	_, err := t.db.ExecContext(ctx, "INSERT INTO "+t.cfg.Table+" (hash, tenant, label, created, not_after) VALUES ("+
		t.ph(1)+", "+t.ph(2)+", "+t.ph(3)+", "+t.ph(4)+", "+t.ph(5)+")",
		info.Hash, tenant, label, info.Created, nullTime(notAfter))
	if err != nil {
		return "", scim.TokenInfo{}, fmt.Errorf("sqlstore: issue token: %w", err)
	}
	return token, info, nil
}

const tokenCols = "hash, tenant, label, created, not_after, revoked, last_used"

func scanToken(scan func(...any) error) (scim.TokenInfo, error) {
	var info scim.TokenInfo
	var notAfter, revoked, lastUsed sql.NullTime
	if err := scan(&info.Hash, &info.Tenant, &info.Label, &info.Created, &notAfter, &revoked, &lastUsed); err != nil {
		return info, err
	}
	info.Created = dbTime(info.Created)
	info.NotAfter, info.Revoked, info.LastUsed = dbTime(notAfter.Time), dbTime(revoked.Time), dbTime(lastUsed.Time)
	return info, nil
}

// ListTokens implements scim.TokenManager.
func (t *Tokens) ListTokens(ctx context.Context, tenant string) ([]scim.TokenInfo, error) {
	rows, err := t.db.QueryContext(ctx, "SELECT "+tokenCols+" FROM "+t.cfg.Table+" WHERE tenant = "+t.ph(1)+
		" ORDER BY created DESC, hash", tenant)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list tokens: %w", err)
	}
	defer rows.Close()
	var out []scim.TokenInfo
	for rows.Next() {
		info, err := scanToken(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: list tokens: %w", err)
		}
		out = append(out, info)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list tokens: %w", err)
	}
	return out, nil
}

// RevokeToken implements scim.TokenManager. Every replica refuses the
// token from its next request on.
func (t *Tokens) RevokeToken(ctx context.Context, tenant, hash string) error {
	hash = strings.ToLower(hash)
	res, err := t.db.ExecContext(ctx, "UPDATE "+t.cfg.Table+" SET revoked = "+t.ph(1)+" WHERE tenant = "+t.ph(2)+
		" AND hash = "+t.ph(3)+" AND revoked IS NULL", t.now(), tenant, hash)
	if err != nil {
		return fmt.Errorf("sqlstore: revoke token: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: revoke token: %w", err)
	} else if n == 1 {
		return nil
	}
	var one int
	err = t.db.QueryRowContext(ctx, "SELECT 1 FROM "+t.cfg.Table+" WHERE tenant = "+t.ph(1)+" AND hash = "+t.ph(2), tenant, hash).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlstore: tenant %q has no token %s: %w", tenant, hash, scim.ErrNotFound)
	} else if err != nil {
		return fmt.Errorf("sqlstore: revoke token: %w", err)
	}
	return nil // already revoked
}

// Authenticate implements scim.Authenticator. The token is hashed before
// it is looked up, so the lookup reveals nothing of the token's bytes
// through timing.
func (t *Tokens) Authenticate(ctx context.Context, token string) (scim.Principal, error) {
	hash := scim.HashToken(token)
	info, err := scanToken(t.db.QueryRowContext(ctx, "SELECT "+tokenCols+" FROM "+t.cfg.Table+" WHERE hash = "+t.ph(1), hash).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return scim.Principal{}, unauthorized("the bearer token is not recognised")
	} else if err != nil {
		// Not a refusal: the token could not be checked. A 503 tells the
		// IdP to try again; a 401 would read as a revoked token.
		return scim.Principal{}, &scim.Error{Status: http.StatusServiceUnavailable,
			Detail: "the bearer token could not be checked (the token store did not answer); try again",
			Err:    fmt.Errorf("sqlstore: authenticate: %w", err)}
	}
	now := t.now()
	if !info.Revoked.IsZero() {
		return scim.Principal{}, unauthorized("the bearer token was revoked on " + info.Revoked.Format(time.DateOnly))
	}
	if !info.NotAfter.IsZero() && !now.Before(info.NotAfter) {
		return scim.Principal{}, unauthorized("the bearer token expired on " + info.NotAfter.Format(time.DateOnly))
	}
	if info.LastUsed.IsZero() || now.Sub(info.LastUsed) >= lastUsedEvery {
		// At most one replica writes it a minute: the condition makes the
		// others' updates match nothing. Whole seconds keep SQLite's
		// textual times comparable. A failure here does not refuse a
		// valid token: last use is bookkeeping.
		used := now.Truncate(time.Second)
		t.db.ExecContext(ctx, "UPDATE "+t.cfg.Table+" SET last_used = "+t.ph(1)+" WHERE hash = "+t.ph(2)+
			" AND (last_used IS NULL OR last_used <= "+t.ph(3)+")", used, hash, used.Add(-lastUsedEvery))
	}
	return scim.Principal{Tenant: info.Tenant, Label: info.Label}, nil
}

func unauthorized(detail string) error {
	return &scim.Error{Status: http.StatusUnauthorized, Detail: detail}
}
