package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/schema"
)

// call sends one request to h (through do) and returns the status and the
// decoded body.
func call(t *testing.T, h http.Handler, method, target, body string, hdr ...string) (int, map[string]any) {
	t.Helper()
	rec := do(t, h, method, target, body, hdr...)
	var m map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("%s %s: body is not JSON: %s", method, target, rec.Body)
		}
	}
	return rec.Code, m
}

func userBody(userName, email, externalID string) string {
	b, _ := json.Marshal(map[string]any{
		"schemas":    []string{scim.UserURN},
		"userName":   userName,
		"externalId": externalID,
		"name":       map[string]string{"givenName": "Ann", "familyName": "Lee"},
		"emails":     []map[string]any{{"value": email, "type": "work", "primary": true}},
	})
	return string(b)
}

var roleAttr = schema.Attribute{Name: "role", Type: schema.String}

func TestHooksBeforeCreateAndAfterChange(t *testing.T) {
	var events []scim.Event
	var audit bytes.Buffer
	cfg := scim.Config{
		Attributes: []schema.Attribute{roleAttr},
		Hooks: scim.Hooks{
			BeforeCreate: func(_ context.Context, u *scim.User) error {
				if strings.HasSuffix(u.UserName, "@blocked.example") {
					return &scim.Error{Status: 403, Detail: "this domain may not be provisioned"}
				}
				if u.Custom == nil {
					u.Custom = map[string]any{}
				}
				u.Custom["role"] = "read-only" // SCIM creates access, not roles
				return nil
			},
			AfterChange: func(_ context.Context, e scim.Event) { events = append(events, e) },
		},
		AuditLogger:   slog.New(slog.NewJSONHandler(&audit, nil)),
		Authenticator: scim.SkipAuthentication,
	}
	h, err := scim.NewHandler(memstore.New(), cfg)
	if err != nil {
		t.Fatal(err)
	}

	code, u := call(t, h, "POST", "/Users", userBody("ann@example.com", "ann@example.com", "x1"))
	if code != 201 || u["role"] != "read-only" {
		t.Fatalf("create: %d %v; want 201 with the default role", code, u)
	}
	id := u["id"].(string)
	code, e := call(t, h, "POST", "/Users", userBody("bob@blocked.example", "bob@blocked.example", ""))
	if code != 403 || e["detail"] != "this domain may not be provisioned" || e["status"] != "403" {
		t.Fatalf("refused create: %d %v", code, e)
	}
	deactivate := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`
	if code, body := call(t, h, "PATCH", "/Users/"+id, deactivate); code != 200 {
		t.Fatalf("deactivate: %d %v", code, body)
	}
	reactivate := strings.Replace(deactivate, "false", "true", 1)
	if code, body := call(t, h, "PATCH", "/Users/"+id, reactivate); code != 200 {
		t.Fatalf("reactivate: %d %v", code, body)
	}
	// A PUT replaces the whole user, custom attributes included.
	put := strings.Replace(userBody("ann@example.com", "ann@example.com", "x1"), `"Ann"`, `"Anne"`, 1)
	put = strings.Replace(put, `"userName"`, `"role":"read-only","userName"`, 1)
	if code, body := call(t, h, "PUT", "/Users/"+id, put); code != 200 {
		t.Fatalf("put: %d %v", code, body)
	}
	if code, _ := call(t, h, "DELETE", "/Users/"+id, ""); code != 204 {
		t.Fatalf("delete: %d", code)
	}

	want := []scim.EventKind{scim.EventCreated, scim.EventDeactivated, scim.EventReactivated, scim.EventUpdated, scim.EventDeleted}
	if len(events) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(events), len(want), events)
	}
	for i, e := range events {
		if e.Kind != want[i] {
			t.Errorf("event %d is %v, want %v", i, e.Kind, want[i])
		}
	}
	if ev := events[3]; len(ev.Changed) != 1 || ev.Changed[0] != "name.givenName" || ev.Before.GivenName != "Ann" || ev.After.GivenName != "Anne" {
		t.Errorf("update event: changed %v, before %q, after %q", ev.Changed, ev.Before.GivenName, ev.After.GivenName)
	}
	if events[0].Before != nil || events[4].After != nil {
		t.Errorf("create must have no Before and delete no After")
	}

	lines := strings.Split(strings.TrimSpace(audit.String()), "\n")
	if len(lines) != len(want) {
		t.Fatalf("audit has %d records, want %d:\n%s", len(lines), len(want), audit.String())
	}
	for i, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if rec["op"] != want[i].String() || rec["user_id"] != id || rec["userName"] != "ann@example.com" {
			t.Errorf("audit record %d: %v", i, rec)
		}
	}
	if strings.Contains(audit.String(), "Anne") || strings.Contains(audit.String(), "read-only") {
		t.Errorf("the audit trail carries attribute values:\n%s", audit.String())
	}
}

func TestHookPanicIsA500(t *testing.T) {
	var logs bytes.Buffer
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Hooks: scim.Hooks{BeforeCreate: func(context.Context, *scim.User) error {
			var m map[string]int
			m["boom"]++ // a host bug
			return nil
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	code, e := call(t, h, "POST", "/Users", userBody("ann@example.com", "ann@example.com", ""))
	if code != 500 || !strings.Contains(e["detail"].(string), "request id") {
		t.Fatalf("panicking hook: %d %v", code, e)
	}
	if strings.Contains(e["detail"].(string), "nil map") || !strings.Contains(logs.String(), "nil map") {
		t.Fatalf("the panic must be logged, not shown: detail %q, log %q", e["detail"], logs.String())
	}
	if code, list := call(t, h, "GET", "/Users", ""); code != 200 || list["totalResults"] != 0.0 {
		t.Fatalf("a refused create stored a user: %v", list)
	}
}

func TestAdoption(t *testing.T) {
	ctx := context.Background()
	seed := func(t *testing.T, store scim.Store) *scim.User {
		// A user the host created when Ann first signed in by SSO.
		u, err := store.Create(ctx, &scim.User{UserName: "Ann@Example.com", GivenName: "Ann", FamilyName: "Lee", Email: "ann@example.com", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	adoptUnlinked := func(_ context.Context, existing, _ *scim.User) (bool, error) {
		return existing.ExternalID == "", nil // SCIM never linked it
	}
	tests := []struct {
		name         string
		adopt        func(context.Context, *scim.User, *scim.User) (bool, error)
		byEmail      bool
		userName     string
		wantCode     int
		wantScimType string
	}{
		{"no hook: 409 naming userName", nil, false, "ann@example.com", 409, "uniqueness"},
		{"hook declines: 409", func(context.Context, *scim.User, *scim.User) (bool, error) { return false, nil }, false, "ann@example.com", 409, "uniqueness"},
		{"hook adopts on userName", adoptUnlinked, false, "ann@example.com", 201, ""},
		{"hook errs: its error", func(context.Context, *scim.User, *scim.User) (bool, error) {
			return false, &scim.Error{Status: 409, ScimType: "uniqueness", Detail: "ask support to link this account"}
		}, false, "ann@example.com", 409, "uniqueness"},
		{"adopt by work email with another userName", adoptUnlinked, true, "ann.lee@example.com", 201, ""},
		{"work email alone does not adopt without AdoptByEmail", adoptUnlinked, false, "ann.lee@example.com", 201, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := memstore.New()
			existing := seed(t, store)
			h, err := scim.NewHandler(store, scim.Config{Authenticator: scim.SkipAuthentication, Hooks: scim.Hooks{Adopt: tt.adopt}, AdoptByEmail: tt.byEmail})
			if err != nil {
				t.Fatal(err)
			}
			code, body := call(t, h, "POST", "/Users", userBody(tt.userName, "ann@example.com", "okta-00u1"))
			if code != tt.wantCode {
				t.Fatalf("POST: %d %v, want %d", code, body, tt.wantCode)
			}
			if tt.wantScimType != "" {
				if body["scimType"] != tt.wantScimType {
					t.Fatalf("POST: %v", body)
				}
				if tt.adopt == nil && !strings.Contains(body["detail"].(string), `userName "ann@example.com"`) {
					t.Errorf("409 detail %q does not say which attribute collided", body["detail"])
				}
				return
			}
			_, list := call(t, h, "GET", "/Users", "")
			adopted := tt.byEmail || strings.EqualFold(tt.userName, existing.UserName)
			wantTotal := 2.0
			if adopted {
				wantTotal = 1
				if body["id"] != existing.ID || body["externalId"] != "okta-00u1" || body["userName"] != tt.userName {
					t.Fatalf("adopted user: %v; want id %s linked to externalId okta-00u1", body, existing.ID)
				}
			}
			if list["totalResults"] != wantTotal {
				t.Fatalf("after POST there are %v users, want %v", list["totalResults"], wantTotal)
			}
		})
	}
}
