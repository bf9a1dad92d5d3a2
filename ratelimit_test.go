package scim_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/scimkit/scim"
)

func TestTokenBucket(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tb := scim.NewTokenBucket(2, 3, func() time.Time { return now })

	for i := range 3 {
		if ok, _ := tb.Allow("acme"); !ok {
			t.Fatalf("request %d within the burst was refused", i+1)
		}
	}
	ok, wait := tb.Allow("acme")
	if ok {
		t.Fatal("request beyond the burst was allowed")
	}
	if wait <= 0 || wait > 500*time.Millisecond {
		t.Fatalf("retry after %v, want (0, 500ms] at 2 requests a second", wait)
	}
	if ok, _ := tb.Allow("globex"); !ok {
		t.Fatal("one tenant's burst limited another tenant")
	}
	now = now.Add(wait)
	if ok, _ := tb.Allow("acme"); !ok {
		t.Fatal("request after the advised wait was refused")
	}
	now = now.Add(time.Hour)
	for i := range 3 {
		if ok, _ := tb.Allow("acme"); !ok {
			t.Fatalf("bucket did not refill to its burst: request %d refused", i+1)
		}
	}
	if ok, _ := tb.Allow("acme"); ok {
		t.Fatal("bucket refilled beyond its burst")
	}
}

func TestHandlerRateLimit(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h, err := scim.NewHandler(emptyStore{}, scim.Config{Authenticator: scim.SkipAuthentication, RateLimiter: scim.NewTokenBucket(1, 1, func() time.Time { return now })})
	if err != nil {
		t.Fatal(err)
	}
	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/scim/v2/Users", nil))
		return rec
	}
	if rec := get(); rec.Code != 200 {
		t.Fatalf("first request: %d %s", rec.Code, rec.Body)
	}
	rec := get()
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("second request: %d Retry-After %q, want 429 and 1", rec.Code, rec.Header().Get("Retry-After"))
	}
	var body struct {
		Schemas []string
		Status  string
		Detail  string
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Status != "429" || len(body.Schemas) != 1 || body.Detail == "" {
		t.Fatalf("429 body is not a SCIM error: %s", rec.Body)
	}
}

// emptyStore is a Store with no users.
type emptyStore struct{}

func (emptyStore) Create(context.Context, *scim.User) (*scim.User, error) {
	return nil, scim.ErrUniqueness
}
func (emptyStore) User(context.Context, string) (*scim.User, error) { return nil, scim.ErrNotFound }
func (emptyStore) Replace(context.Context, *scim.User, string) (*scim.User, error) {
	return nil, scim.ErrNotFound
}
func (emptyStore) Delete(context.Context, string, string) error         { return scim.ErrNotFound }
func (emptyStore) List(context.Context, scim.Query) (*scim.Page, error) { return &scim.Page{}, nil }
