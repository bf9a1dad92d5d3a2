package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/schema"
)

// Hostile and unusual input: each test names what the handler must do
// with it.

func newTestHandler(t *testing.T, cfg scim.Config) *scim.Handler {
	t.Helper()
	if cfg.Authenticator == nil {
		cfg.Authenticator = scim.SkipAuthentication // what the test is about is not authentication
	}
	h, err := scim.NewHandler(memstore.New(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Duplicate detection was quadratic in the number of keys; the map it
// switches to must still find a late duplicate, in any case.
func TestManyKeysStillFindDuplicates(t *testing.T) {
	h := newTestHandler(t, scim.Config{})
	var b strings.Builder
	b.WriteString(`{"schemas":["` + scim.UserURN + `"],"userName":"u","name":{"givenName":"A","familyName":"B"},"emails":[{"value":"u@x","type":"work"}]`)
	for i := range 20000 {
		fmt.Fprintf(&b, `,"k%d":0`, i)
	}
	ok := b.String() + "}"
	if code, body := call(t, h, "POST", "/Users", ok); code != 201 {
		t.Fatalf("20,000 unknown keys: %d %v", code, body)
	}
	dup := b.String() + `,"K19999":1}`
	code, body := call(t, h, "POST", "/Users", dup)
	if code != 400 || !strings.Contains(body["detail"].(string), `"k19999" and "K19999"`) {
		t.Fatalf("late duplicate: %d %v", code, body)
	}
}

func TestNestingDepthLimit(t *testing.T) {
	h := newTestHandler(t, scim.Config{})
	nested := strings.Repeat(`{"`+scim.UserURN+`":`, 20) + `{"active":false}` + strings.Repeat("}", 20)
	body := `{"schemas":["` + scim.PatchOpURN + `"],"Operations":[{"op":"replace","value":` + nested + `}]}`
	code, e := call(t, h, "PATCH", "/Users/x", body)
	if code != 400 || e["scimType"] != "invalidSyntax" || !strings.Contains(e["detail"].(string), "deep") {
		t.Fatalf("deeply nested PATCH: %d %v", code, e)
	}
}

var regionsAttr = schema.Attribute{Name: "regions", Type: schema.String, MultiValued: true}

func TestAddManyRegionsDedupes(t *testing.T) {
	// 5000 values: above the default Limits.MaxValues (1000).
	h := newTestHandler(t, scim.Config{Attributes: []schema.Attribute{regionsAttr}, Limits: scim.Limits{MaxValues: 5000}})
	_, u := call(t, h, "POST", "/Users", userBody("ann@example.com", "ann@example.com", ""))
	id := u["id"].(string)
	vals := make([]string, 0, 20000)
	for i := range 20000 {
		vals = append(vals, fmt.Sprint(i%5000))
	}
	v, _ := json.Marshal(vals)
	patch := `{"schemas":["` + scim.PatchOpURN + `"],"Operations":[{"op":"add","path":"regions","value":` + string(v) + `}]}`
	code, got := call(t, h, "PATCH", "/Users/"+id, patch)
	if code != 200 || len(got["regions"].([]any)) != 5000 {
		t.Fatalf("add with duplicates: %d, %d regions, want 5000", code, len(got["regions"].([]any)))
	}
	drop, _ := json.Marshal(vals[:4000]) // values 0…3999
	remove := `{"schemas":["` + scim.PatchOpURN + `"],"Operations":[{"op":"remove","path":"regions","value":` + string(drop) + `}]}`
	if code, got = call(t, h, "PATCH", "/Users/"+id, remove); code != 200 || len(got["regions"].([]any)) != 1000 {
		t.Fatalf("remove 4000 of 5000: %d, %v regions left, want 1000", code, len(got["regions"].([]any)))
	}
}

func TestPutRespectsImmutable(t *testing.T) {
	badge := schema.Attribute{Name: "badge", Type: schema.String, Mutability: schema.Immutable}
	h := newTestHandler(t, scim.Config{Attributes: []schema.Attribute{badge}})
	create := strings.Replace(userBody("ann@example.com", "ann@example.com", ""), `"userName"`, `"badge":"B-1","userName"`, 1)
	_, u := call(t, h, "POST", "/Users", create)
	put := strings.Replace(create, `"B-1"`, `"B-2"`, 1)
	code, e := call(t, h, "PUT", "/Users/"+u["id"].(string), put)
	if code != 400 || e["scimType"] != "mutability" {
		t.Fatalf("PUT changing an immutable attribute: %d %v", code, e)
	}
	if code, _ := call(t, h, "PUT", "/Users/"+u["id"].(string), create); code != 200 {
		t.Fatalf("PUT keeping it: %d", code)
	}
}

func TestCustomAttributeCharacteristicsAreKept(t *testing.T) {
	secret := schema.Attribute{Name: "apiSecret", Type: schema.String, Returned: schema.Never}
	cost := schema.Attribute{Name: "costCenter", Type: schema.String, Required: true}
	h := newTestHandler(t, scim.Config{Attributes: []schema.Attribute{secret, cost}})
	body := strings.Replace(userBody("ann@example.com", "ann@example.com", ""), `"userName"`, `"apiSecret":"s3cr3t","userName"`, 1)
	code, e := call(t, h, "POST", "/Users", body)
	if code != 400 || !strings.Contains(e["detail"].(string), "costCenter") {
		t.Fatalf("create without a Required custom attribute: %d %v", code, e)
	}
	body = strings.Replace(body, `"userName"`, `"costCenter":"CC-7","userName"`, 1)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/Users", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/scim+json")
	h.ServeHTTP(rec, req)
	if rec.Code != 201 || strings.Contains(rec.Body.String(), "s3cr3t") || !strings.Contains(rec.Body.String(), "CC-7") {
		t.Fatalf("returned:never attribute echoed or create failed: %d %s", rec.Code, rec.Body)
	}
	if _, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Attributes: []schema.Attribute{{Name: "badgeId", Type: schema.String, Uniqueness: schema.Server}}}); err == nil {
		t.Fatal("NewHandler advertised uniqueness nothing enforces")
	}
}

// Okta's PUT echoes the served displayName, the "given family" fallback:
// with profile updates off, that must not refuse a deactivation.
func TestDisableProfileUpdatesAcceptsEchoedFallback(t *testing.T) {
	h := newTestHandler(t, scim.Config{DisableProfileUpdates: true})
	_, u := call(t, h, "POST", "/Users", userBody("ann@example.com", "ann@example.com", ""))
	u["active"] = false
	put, _ := json.Marshal(u)
	if code, e := call(t, h, "PUT", "/Users/"+u["id"].(string), string(put)); code != 200 || e["active"] != false {
		t.Fatalf("PUT deactivation echoing the fallback displayName: %d %v", code, e)
	}
	u["displayName"] = "Someone Else"
	put, _ = json.Marshal(u)
	if code, _ := call(t, h, "PUT", "/Users/"+u["id"].(string), string(put)); code != 403 {
		t.Fatalf("PUT changing displayName with profile updates off: %d, want 403", code)
	}
}

func TestErrorWithoutStatus(t *testing.T) {
	for _, tc := range []struct {
		err  *scim.Error
		want int
	}{
		{&scim.Error{ScimType: "invalidValue", Detail: "department is required"}, 400},
		{&scim.Error{Detail: "directory unavailable"}, 500},
	} {
		h := newTestHandler(t, scim.Config{Hooks: scim.Hooks{BeforeCreate: func(context.Context, *scim.User) error { return tc.err }}})
		code, e := call(t, h, "POST", "/Users", userBody("ann@example.com", "ann@example.com", ""))
		if code != tc.want || e["detail"] != tc.err.Detail {
			t.Errorf("hook error %+v: %d %v, want %d", tc.err, code, e, tc.want)
		}
	}
}

// A panic in AfterChange comes after the create was stored: answering 500
// would make the IdP retry and get a 409.
func TestAfterChangePanicAfterCommit(t *testing.T) {
	var logs bytes.Buffer
	h := newTestHandler(t, scim.Config{
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Hooks:  scim.Hooks{AfterChange: func(context.Context, scim.Event) { panic("audit sink down") }},
	})
	code, _ := call(t, h, "POST", "/Users", userBody("ann@example.com", "ann@example.com", ""))
	if code != 201 || !strings.Contains(logs.String(), "audit sink down") {
		t.Fatalf("create with a panicking AfterChange: %d; log %q", code, logs.String())
	}
}

func TestPatchWithLeadingWhiteSpace(t *testing.T) {
	h := newTestHandler(t, scim.Config{})
	_, u := call(t, h, "POST", "/Users", userBody("ann@example.com", "ann@example.com", ""))
	body := "\n\t " + `{"schemas":["` + scim.PatchOpURN + `"],"Operations":[{"op":"replace","value":{"active":false}}]}`
	if code, e := call(t, h, "PATCH", "/Users/"+u["id"].(string), body); code != 200 {
		t.Fatalf("PATCH after white space: %d %v", code, e)
	}
}

func TestAddHashRejectsLongInput(t *testing.T) {
	if err := scim.NewTokens(nil).AddHash(strings.Repeat("ab", 40), "acme", "", time.Time{}); err == nil {
		t.Fatal("AddHash accepted an 80-digit hash")
	}
}

// recordingStore remembers the id it was asked for.
type recordingStore struct {
	emptyStore
	id string
}

func (s *recordingStore) User(_ context.Context, id string) (*scim.User, error) {
	s.id = id
	return nil, scim.ErrNotFound
}

func TestIDWithSlash(t *testing.T) {
	st := &recordingStore{}
	h, _ := scim.NewHandler(st, scim.Config{Authenticator: scim.SkipAuthentication})
	call(t, h, "GET", "/scim/v2/Users/a%2Fb", "")
	if st.id != "a/b" {
		t.Fatalf("the store was asked for %q, want a/b", st.id)
	}
}

func TestDiscoveryRefusesFilter(t *testing.T) {
	h := newTestHandler(t, scim.Config{})
	if code, _ := call(t, h, "GET", "/Schemas?filter=id%20eq%20%22x%22", ""); code != 403 {
		t.Fatalf("filter on /Schemas: %d, want 403 (RFC 7644 §4)", code)
	}
}

// The router keeps the mount path escaped, so a tenant segment must be unescaped before it is compared.
func TestTenantInPathUnescapes(t *testing.T) {
	tokens := scim.NewTokens(nil)
	tok, _ := tokens.Issue("zoë corp", "okta", time.Time{})
	h := newTestHandler(t, scim.Config{Authenticator: tokens, TenantInPath: true})
	code, u := call(t, h, "POST", "/scim/v2/zo%C3%AB%20corp/Users", userBody("ann@example.com", "ann@example.com", ""), "Authorization", "Bearer "+tok)
	if code != 201 {
		t.Fatalf("escaped tenant: %d %v", code, u)
	}
	if loc := u["meta"].(map[string]any)["location"].(string); !strings.Contains(loc, "/scim/v2/zo%C3%AB%20corp/Users/") {
		t.Errorf("location %q does not keep the tenant escaped", loc)
	}
}

func TestTrailingSlashAfterID(t *testing.T) {
	h := newTestHandler(t, scim.Config{})
	_, u := call(t, h, "POST", "/Users", userBody("ann@example.com", "ann@example.com", ""))
	for _, path := range []string{"/Users/" + u["id"].(string) + "/", "/Schemas/" + scim.UserURN + "/", "/Users/"} {
		if code, body := call(t, h, "GET", path, ""); code != 200 {
			t.Errorf("GET %s: %d %v", path, code, body)
		}
	}
}

// editingPatcher changes the values it is handed, in place, before Apply.
type editingPatcher struct{ *memstore.Store }

func (s editingPatcher) Patch(ctx context.Context, id string, p scim.Patch, version string) (*scim.User, error) {
	for _, op := range p.Operations {
		for i := range op.Value {
			op.Value[i] = '"' // no longer JSON
		}
	}
	u, err := s.User(ctx, id)
	if err != nil {
		return nil, err
	}
	next, err := p.Apply(u)
	if err != nil {
		return nil, err
	}
	return s.Replace(ctx, next, u.Meta.Version)
}

func TestPatcherCannotCorruptTheHandlersValues(t *testing.T) {
	h, err := scim.NewHandler(editingPatcher{memstore.New()}, scim.Config{Authenticator: scim.SkipAuthentication})
	if err != nil {
		t.Fatal(err)
	}
	_, u := call(t, h, "POST", "/Users", userBody("ann@example.com", "ann@example.com", ""))
	patch := `{"schemas":["` + scim.PatchOpURN + `"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`
	if code, got := call(t, h, "PATCH", "/Users/"+u["id"].(string), patch); code != 200 || got["active"] != false {
		t.Fatalf("PATCH through a Patcher that edits its copy: %d %v", code, got)
	}
}

func TestPatchErrorNamesTheOperationAsSent(t *testing.T) {
	h := newTestHandler(t, scim.Config{})
	_, u := call(t, h, "POST", "/Users", userBody("ann@example.com", "ann@example.com", ""))
	patch := `{"schemas":["` + scim.PatchOpURN + `"],"Operations":[{"op":"Replace","path":"title","value":"x"},{"op":"Replace","path":"active","value":"maybe"}]}`
	code, e := call(t, h, "PATCH", "/Users/"+u["id"].(string), patch)
	if code != 400 || !strings.HasPrefix(e["detail"].(string), "Operations[1]:") {
		t.Fatalf("%d %v, want a 400 naming Operations[1]", code, e)
	}
}
