package scim

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// RFC 9865 cursors. A cursor is the store's keyset position (Seek) and the
// page size, sealed by the handler: the client sees an opaque, URL-safe
// string (RFC 9865 §2: unreserved characters only) that it cannot forge,
// alter, or replay against another endpoint, tenant or filter. The handler
// keeps no state for it, so any replica that shares Config.CursorKey
// continues a walk another began.
//
// Layout, before base64url: version (1 byte), flags (1: backward), the
// first 8 bytes of SHA-256 of the filter, count (uvarint), issue time in
// Unix seconds (varint), the store's key, then 16 bytes of HMAC-SHA256
// over a domain string, the tenant, the endpoint and all of the above.

const (
	cursorVersion  = 1
	cursorMACBytes = 16
	// maxCursorChars bounds what is decoded: a store key is at most 256
	// bytes, so a longer cursor was not issued here.
	maxCursorChars      = 512
	defaultCursorTimout = time.Hour
)

// cursorState is what a cursor carries.
type cursorState struct {
	key      string
	backward bool
	count    int
	issued   int64 // Unix seconds
}

func (c *Config) cursorDefaults() error {
	if c.CursorTimeout < 0 {
		return errors.New("scim: Config.CursorTimeout must not be negative")
	}
	if c.CursorTimeout == 0 {
		c.CursorTimeout = defaultCursorTimout
	}
	switch {
	case c.CursorKey == nil:
		c.CursorKey = make([]byte, 32)
		rand.Read(c.CursorKey)
	case len(c.CursorKey) < 32:
		return fmt.Errorf("scim: Config.CursorKey has %d bytes; it needs at least 32", len(c.CursorKey))
	default:
		c.CursorKey = append([]byte(nil), c.CursorKey...)
	}
	return nil
}

// cursorMAC is the MAC of payload for a cursor of endpoint in r's tenant.
func (h *Handler) cursorMAC(r *http.Request, endpoint string, payload []byte) []byte {
	m := hmac.New(sha256.New, h.cfg.CursorKey)
	m.Write([]byte("scimkit cursor\x00"))
	m.Write([]byte(TenantFrom(r.Context())))
	m.Write([]byte{0})
	m.Write([]byte(endpoint))
	m.Write([]byte{0})
	m.Write(payload)
	return m.Sum(nil)[:cursorMACBytes]
}

func filterHash(f string) []byte {
	s := sha256.Sum256([]byte(f))
	return s[:8]
}

// sealCursor returns the cursor for c, issued now for a list of endpoint
// with the filter f.
func (h *Handler) sealCursor(r *http.Request, endpoint, f string, c cursorState) string {
	b := make([]byte, 0, 2+8+2*binary.MaxVarintLen64+len(c.key)+cursorMACBytes)
	flags := byte(0)
	if c.backward {
		flags = 1
	}
	b = append(b, cursorVersion, flags)
	b = append(b, filterHash(f)...)
	b = binary.AppendUvarint(b, uint64(c.count))
	b = binary.AppendVarint(b, c.issued)
	b = append(b, c.key...)
	b = append(b, h.cursorMAC(r, endpoint, b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// openCursor reads a cursor a client sent for a list of endpoint with the
// filter f. Every refusal is a 400 that tells the client developer what to
// do, without saying more about the cursor than that.
func (h *Handler) openCursor(r *http.Request, endpoint, f, s string) (cursorState, *Error) {
	var c cursorState
	invalid := badRequest(ScimTypeInvalidCursor, "the cursor is not one this service provider issued for this endpoint, or it was altered; send an empty cursor for the first page, then the nextCursor or previousCursor of the last response (RFC 9865 §2)")
	if len(s) > maxCursorChars {
		return c, invalid
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2+8+2+cursorMACBytes {
		return c, invalid
	}
	payload, mac := b[:len(b)-cursorMACBytes], b[len(b)-cursorMACBytes:]
	if !hmac.Equal(mac, h.cursorMAC(r, endpoint, payload)) || payload[0] != cursorVersion || payload[1] > 1 {
		return c, invalid
	}
	c.backward = payload[1] == 1
	fh, rest := payload[2:10], payload[10:]
	count, n := binary.Uvarint(rest)
	if n <= 0 || count > 1<<31 {
		return c, invalid
	}
	rest = rest[n:]
	issued, n := binary.Varint(rest)
	if n <= 0 {
		return c, invalid
	}
	c.count, c.issued, c.key = int(count), issued, string(rest[n:])
	if now := h.cfg.Now().Unix(); now-issued > int64(h.cfg.CursorTimeout/time.Second) {
		return c, badRequest(ScimTypeExpiredCursor, fmt.Sprintf("the cursor has expired: cursors are valid for %d seconds after the page that issued them (cursorTimeout); start again with an empty cursor", int64(h.cfg.CursorTimeout/time.Second)))
	}
	if !hmac.Equal(fh, filterHash(f)) {
		return c, badRequest(ScimTypeInvalidCursor, "the cursor was issued for a different filter; send the same filter with every page of a walk (RFC 9865 §2), or start again with an empty cursor")
	}
	return c, nil
}

// The scimType values of RFC 9865 §2.1, for cursor pagination.
const (
	ScimTypeInvalidCursor = "invalidCursor"
	ScimTypeExpiredCursor = "expiredCursor"
	ScimTypeInvalidCount  = "invalidCount"
)

// pagination is the pagination block of /ServiceProviderConfig (RFC 9865
// §4).
type pagination struct {
	Cursor                  bool   `json:"cursor"`
	Index                   bool   `json:"index"`
	DefaultPaginationMethod string `json:"defaultPaginationMethod"`
	DefaultPageSize         int    `json:"defaultPageSize"`
	MaxPageSize             int    `json:"maxPageSize"`
	CursorTimeout           int64  `json:"cursorTimeout,omitempty"`
}

// pagination says how lists page. Index paging is the default (Okta and
// Entra ID page by index; RFC 9865 §2.4 asks a provider that adds cursors
// to keep it); cursor is advertised when every resource type served pages
// by keyset.
func (h *Handler) pagination() pagination {
	p := pagination{Index: true, DefaultPaginationMethod: "index", DefaultPageSize: h.cfg.MaxResults, MaxPageSize: h.cfg.MaxResults}
	_, users := h.store.(KeysetLister)
	_, groups := h.groupStore.(GroupKeysetLister)
	if p.Cursor = users && (h.groupStore == nil || groups); p.Cursor {
		p.CursorTimeout = int64(h.cfg.CursorTimeout / time.Second)
	}
	return p
}
