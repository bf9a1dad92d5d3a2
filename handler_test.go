package scim_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/scimkit/scim"
)

// TestMediaTypes checks that every response with a body is
// application/scim+json, and which request media types are accepted.
func TestMediaTypes(t *testing.T) {
	tests := []struct {
		contentType string
		status      int
	}{
		{"application/scim+json", 201},
		{"application/json", 201},
		{"application/scim+json; charset=utf-8", 201},
		{"application/json; charset=UTF-8", 201},
		{"Application/SCIM+JSON", 201},
		{"text/plain", 415},
		{"application/xml", 415},
		{"application/x-www-form-urlencoded", 415},
		{"", 415},
		{"application/json; charset", 415}, // not a media type
	}
	for i, tt := range tests {
		t.Run(tt.contentType, func(t *testing.T) {
			h, _ := newHandler(t, scim.Config{})
			rec := do(t, h, "POST", "/Users", minimalUser(fmt.Sprint("u", i), ""), "Content-Type", tt.contentType)
			if tt.status == 415 {
				e := wantError(t, rec, 415, "")
				if !strings.Contains(e.Detail, "application/scim+json") {
					t.Errorf("415 detail %q does not say what to send", e.Detail)
				}
				return
			}
			decodeUser(t, rec, tt.status)
		})
	}
}

// TestStatusCodes checks the status, SCIM error body and Content-Type of
// the handler's answers that are not about a user's content.
func TestStatusCodes(t *testing.T) {
	h, st := newHandler(t, scim.Config{MaxBodyBytes: 512})
	id := create(t, h, "ann").ID
	tests := []struct {
		name, method, target, body string
		status                     int
		scimType                   string
		allow                      string // the Allow header of a 405
	}{
		{"unknown path", "GET", "/scim/v2/Nothing", "", 404, "", ""},
		{"root", "GET", "/", "", 404, "", ""},
		{"unknown user", "GET", "/scim/v2/Users/nope", "", 404, "", ""},
		{"user sub-path", "GET", "/scim/v2/Users/" + id + "/x", "", 404, "", ""},
		{"put unknown user", "PUT", "/scim/v2/Users/nope", minimalUser("x", ""), 404, "", ""},
		{"delete unknown user", "DELETE", "/scim/v2/Users/nope", "", 404, "", ""},
		{"Groups", "GET", "/scim/v2/Groups", "", 404, "", ""},
		{"Bulk", "POST", "/scim/v2/Bulk", "{}", 501, "", ""},
		{"Me", "GET", "/scim/v2/Me", "", 501, "", ""},
		{"unknown schema", "GET", "/scim/v2/Schemas/urn:nope", "", 404, "", ""},
		{"unknown resource type", "GET", "/scim/v2/ResourceTypes/Group", "", 404, "", ""},
		{"ServiceProviderConfig sub-path", "GET", "/scim/v2/ServiceProviderConfig/x", "", 404, "", ""},
		{"DELETE on /Users", "DELETE", "/scim/v2/Users", "", 405, "", "GET, POST"},
		{"PUT on /Users", "PUT", "/scim/v2/Users", minimalUser("x", ""), 405, "", "GET, POST"},
		{"POST on a user", "POST", "/scim/v2/Users/" + id, minimalUser("x", ""), 405, "", "GET, PUT, PATCH, DELETE"},
		{"POST on /Schemas", "POST", "/scim/v2/Schemas", "{}", 405, "", "GET"},
		{"DELETE on /ServiceProviderConfig", "DELETE", "/scim/v2/ServiceProviderConfig", "", 405, "", "GET"},
		{"PUT on /ResourceTypes/User", "PUT", "/scim/v2/ResourceTypes/User", "{}", 405, "", "GET"},
		{"body too large", "POST", "/scim/v2/Users", minimalUser(strings.Repeat("a", 600), ""), 413, "", ""},
		{"put body too large", "PUT", "/scim/v2/Users/" + id, minimalUser(strings.Repeat("a", 600), ""), 413, "", ""},
		{"empty body", "POST", "/scim/v2/Users", " ", 400, scim.ScimTypeInvalidSyntax, ""},
		{"put wrong media type", "PUT", "/scim/v2/Users/" + id, "userName=x", 415, "", ""},
		{"bad startIndex", "GET", "/scim/v2/Users?startIndex=x", "", 400, scim.ScimTypeInvalidValue, ""},
		{"bad count", "GET", "/scim/v2/Users?count=1.5", "", 400, scim.ScimTypeInvalidValue, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hdr []string
			if tt.name == "put wrong media type" {
				hdr = []string{"Content-Type", "application/x-www-form-urlencoded"}
			}
			rec := do(t, h, tt.method, tt.target, tt.body, hdr...)
			wantError(t, rec, tt.status, tt.scimType)
			if got := rec.Header().Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
		})
	}
	if u := st.get(id); u == nil || u.UserName != "ann" {
		t.Errorf("failed requests changed the user: %+v", u)
	}
}

// TestNoBodyResponses checks 204 and 304: no body, and no SCIM media type
// on the 204.
func TestNoBodyResponses(t *testing.T) {
	h, _ := newHandler(t, scim.Config{})
	u := create(t, h, "ann")
	rec := do(t, h, "GET", "/Users/"+u.ID, "", "If-None-Match", u.Meta.Version)
	if rec.Code != 304 || rec.Body.Len() != 0 || rec.Header().Get("ETag") != u.Meta.Version {
		t.Errorf("304: %d ETag %q body %q", rec.Code, rec.Header().Get("ETag"), rec.Body)
	}
	rec = do(t, h, "DELETE", "/Users/"+u.ID, "")
	if rec.Code != 204 || rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "" {
		t.Errorf("204: %d Content-Type %q body %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
}

// TestStoreErrors checks that the Store's sentinel errors map to their
// status and anything else to a 500 whose text reaches the log and not the
// client.
func TestStoreErrors(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		status   int
		scimType string
	}{
		{"not found", fmt.Errorf("db: %w", scim.ErrNotFound), 404, ""},
		{"uniqueness", fmt.Errorf("db: %w", scim.ErrUniqueness), 409, scim.ScimTypeUniqueness},
		{"unsupported filter", fmt.Errorf("db: co on a hashed column: %w", scim.ErrUnsupportedFilter), 400, scim.ScimTypeInvalidFilter},
		{"an *Error", &scim.Error{Status: 503, Detail: "maintenance until 10:00"}, 503, ""},
		{"a wrapped *Error", fmt.Errorf("db: %w", &scim.Error{Status: 403, Detail: "tenant suspended"}), 403, ""},
		{"unknown", errBoom, 500, ""},
		{"unknown wrapping", fmt.Errorf("db: %w", errBoom), 500, ""},
	}
	requests := []struct{ method, target, body string }{
		{"GET", "/Users", ""},
		{"GET", "/Users?filter=userName%20eq%20%22x%22", ""},
		{"GET", "/Users/u1", ""},
		{"POST", "/Users", minimalUser("ann", "")},
		{"PUT", "/Users/u1", minimalUser("ann", "")},
		{"DELETE", "/Users/u1", ""},
	}
	for _, tt := range tests {
		for _, req := range requests {
			t.Run(tt.name+" "+req.method+" "+req.target, func(t *testing.T) {
				var log bytes.Buffer
				h, st := newHandler(t, scim.Config{Logger: slog.New(slog.NewTextHandler(&log, nil))})
				st.fail = tt.err
				if req.method == "POST" && errors.Is(tt.err, scim.ErrNotFound) {
					return
				}
				e := wantError(t, do(t, h, req.method, req.target, req.body), tt.status, tt.scimType)
				// An unsupported filter's detail carries the Store's reason
				// on purpose; other Store texts must not reach the client.
				if strings.Contains(e.Detail, "db-7") || tt.scimType != scim.ScimTypeInvalidFilter && strings.Contains(e.Detail, "db:") {
					t.Errorf("the store's error text reached the client: %q", e.Detail)
				}
				if tt.status != 500 {
					return
				}
				id, ok := strings.CutPrefix(e.Detail, "internal error; request id ")
				if !ok || len(id) < 8 {
					t.Fatalf("500 detail %q has no request id", e.Detail)
				}
				if !strings.Contains(log.String(), id) || !strings.Contains(log.String(), errBoom.Error()) {
					t.Errorf("log lacks the request id %s or the error: %s", id, log.String())
				}
			})
		}
	}
}

// TestErrorIDsDiffer checks that two internal errors get two request ids.
func TestErrorIDsDiffer(t *testing.T) {
	h, st := newHandler(t, scim.Config{Logger: slog.New(slog.DiscardHandler)})
	st.fail = errBoom
	a := wantError(t, do(t, h, "GET", "/Users", ""), 500, "")
	b := wantError(t, do(t, h, "GET", "/Users", ""), 500, "")
	if a.Detail == b.Detail {
		t.Errorf("two 500s share a request id: %q", a.Detail)
	}
}

// tokenAuth accepts "good-<tenant>" and rejects the rest; "expired" gets an
// *Error saying why.
type tokenAuth struct{}

func (tokenAuth) Authenticate(_ context.Context, token string) (scim.Principal, error) {
	if tenant, ok := strings.CutPrefix(token, "good-"); ok {
		return scim.Principal{Tenant: tenant, Label: "test"}, nil
	}
	if token == "expired" {
		return scim.Principal{}, &scim.Error{Status: 401, Detail: "the token expired on 2026-01-31"}
	}
	return scim.Principal{}, errors.New("no such token: " + token)
}

func TestAuthenticator(t *testing.T) {
	h, st := newHandler(t, scim.Config{Authenticator: tokenAuth{}})
	tests := []struct {
		name, authz string
		detail      string // a part of the 401's detail; "" means success
	}{
		{"missing", "", "missing"},
		{"basic", "Basic dXNlcjpwYXNz", "malformed"},
		{"no token", "Bearer ", "malformed"},
		{"no space", "Bearergood-acme", "malformed"},
		{"rejected", "Bearer s3cret-guess", "not valid"},
		{"expired", "Bearer expired", "expired on 2026-01-31"},
		{"good", "Bearer good-acme", ""},
		{"lower-case scheme", "bearer good-acme", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, req := range []struct{ method, target, body string }{
				{"GET", "/scim/v2/Users", ""},
				{"POST", "/scim/v2/Users", minimalUser("ann-"+tt.name, "")},
				{"GET", "/scim/v2/ServiceProviderConfig", ""},
				{"DELETE", "/scim/v2/Users/u0001", ""},
			} {
				var hdr []string
				if tt.authz != "" {
					hdr = []string{"Authorization", tt.authz}
				}
				rec := do(t, h, req.method, req.target, req.body, hdr...)
				if tt.detail == "" {
					if rec.Code >= 400 && rec.Code != 404 {
						t.Errorf("%s %s: %d %s", req.method, req.target, rec.Code, rec.Body)
					}
					continue
				}
				e := wantError(t, rec, 401, "")
				if !strings.Contains(e.Detail, tt.detail) || strings.Contains(e.Detail, "s3cret") {
					t.Errorf("detail %q, want it to contain %q and no token", e.Detail, tt.detail)
				}
				if !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate %q", rec.Header().Get("WWW-Authenticate"))
				}
			}
		})
	}
	for _, tenant := range st.tenants {
		if tenant != "acme" {
			t.Fatalf("the Store saw tenant %q; want only acme's requests to reach it: %q", tenant, st.tenants)
		}
	}
	if len(st.tenants) == 0 {
		t.Fatal("no authenticated request reached the Store")
	}
}

// TestTenantIsolation checks that the tenant of the token scopes the Store:
// globex does not see acme's user.
func TestTenantIsolation(t *testing.T) {
	h, st := newHandler(t, scim.Config{Authenticator: tokenAuth{}})
	rec := do(t, h, "POST", "/Users", minimalUser("ann", ""), "Authorization", "Bearer good-acme")
	u := decodeUser(t, rec, 201)
	wantError(t, do(t, h, "GET", "/Users/"+u.ID, "", "Authorization", "Bearer good-globex"), 404, "")
	l := decodeList(t, do(t, h, "GET", "/Users", "", "Authorization", "Bearer good-globex"))
	if l.TotalResults != 0 {
		t.Errorf("globex lists %d users", l.TotalResults)
	}
	decodeUser(t, do(t, h, "POST", "/Users", minimalUser("ann", ""), "Authorization", "Bearer good-globex"), 201)
	if !slices.Contains(st.tenants, "globex") || !slices.Contains(st.tenants, "acme") {
		t.Errorf("tenants seen by the Store: %q", st.tenants)
	}
}
