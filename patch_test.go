package scim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scim/schema"
)

// patchStore is a small in-test Store: users by id, W/"n" versions,
// Replace only on the version read. With native set it also implements
// Patcher (see nativeStore).
type patchStore struct {
	mu       sync.Mutex
	users    map[string]*User
	next     int
	replaces int // successful Replace calls
}

func newPatchStore() *patchStore { return &patchStore{users: map[string]*User{}} }

func (s *patchStore) bump(u *User) {
	s.next++
	u.Meta.Version = `W/"` + strconv.Itoa(s.next) + `"`
}

func (s *patchStore) Create(_ context.Context, u *User) (*User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.users {
		if strings.EqualFold(o.UserName, u.UserName) {
			return nil, fmt.Errorf("create %q: %w", u.UserName, ErrUniqueness)
		}
	}
	c := u.Clone()
	c.ID = strconv.Itoa(len(s.users) + 1)
	s.bump(c)
	s.users[c.ID] = c
	return c.Clone(), nil
}

func (s *patchStore) User(_ context.Context, id string) (*User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return nil, fmt.Errorf("user %q: %w", id, ErrNotFound)
	}
	return u.Clone(), nil
}

func (s *patchStore) Replace(_ context.Context, u *User, version string) (*User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.replaceLocked(u, version)
}

func (s *patchStore) replaceLocked(u *User, version string) (*User, error) {
	old, ok := s.users[u.ID]
	if !ok {
		return nil, fmt.Errorf("user %q: %w", u.ID, ErrNotFound)
	}
	if version != "" && old.Meta.Version != version {
		return nil, fmt.Errorf("user %q: %w", u.ID, ErrVersionMismatch)
	}
	c := u.Clone()
	s.bump(c)
	s.users[c.ID] = c
	s.replaces++
	return c.Clone(), nil
}

func (s *patchStore) Delete(_ context.Context, id, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.users, id)
	return nil
}

func (s *patchStore) List(context.Context, Query) (*Page, error) { return &Page{}, nil }

// nativeStore is a patchStore with a native Patch that applies under its
// lock, as a database transaction would.
type nativeStore struct {
	*patchStore
	patches int
}

func (s *nativeStore) Patch(_ context.Context, id string, p Patch, version string) (*User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.patches++
	old, ok := s.users[id]
	if !ok {
		return nil, fmt.Errorf("user %q: %w", id, ErrNotFound)
	}
	if version != "" && old.Meta.Version != version {
		return nil, fmt.Errorf("user %q: %w", id, ErrVersionMismatch)
	}
	next, err := p.Apply(old.Clone())
	if err != nil {
		return nil, err
	}
	return s.replaceLocked(next, "")
}

var _ Patcher = (*nativeStore)(nil)

var patchClock = time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)

// patchConfig is the schema of the PATCH tests: a multi-valued custom
// "regions", an integer, a boolean, an immutable badge and the enterprise
// extension with employeeNumber.
func patchConfig() Config {
	return Config{
		Attributes: []schema.Attribute{
			{Name: "regions", Type: schema.String, MultiValued: true},
			{Name: "level", Type: schema.Integer},
			{Name: "contractor", Type: schema.Boolean},
			{Name: "badge", Type: schema.String, Mutability: schema.Immutable},
		},
		Extensions: []schema.Schema{{ID: EnterpriseUserURN, Name: "EnterpriseUser",
			Attributes: []schema.Attribute{
				{Name: "employeeNumber", Type: schema.String},
				{Name: "department", Type: schema.String},
			}}},
		Now: func() time.Time { return patchClock },
	}
}

func newPatchHandler(t testing.TB, cfg Config, store Store) *Handler {
	t.Helper()
	if cfg.Authenticator == nil {
		cfg.Authenticator = SkipAuthentication // what the test is about is not authentication
	}
	h, err := NewHandler(store, cfg)
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	return h
}

// annUser is the stored user the table tests patch.
func annUser() *User {
	return &User{
		ID: "1", UserName: "ann@example.com", GivenName: "Ann", FamilyName: "Lee",
		DisplayName: "Ann Lee", Email: "ann@example.com", Active: true, ExternalID: "ext-1",
		Custom: map[string]any{"regions": []string{"us1", "emea2"}, "employeeNumber": "42", "badge": "B-1"},
		Meta:   Meta{Created: patchClock, LastModified: patchClock, Version: `W/"1"`},
	}
}

// ops wraps operations in a PatchOp message.
func patchOps(list ...string) string {
	return `{"schemas":["` + PatchOpURN + `"],"Operations":[` + strings.Join(list, ",") + `]}`
}

// entraDefault is Entra ID's default PATCH shape, exactly as
// IDP-TRAFFIC.md records it.
const entraDefault = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"},{"op":"Replace","path":"emails[type eq \"work\"].value","value":"new@contoso.com"},{"op":"Replace","path":"name.givenName","value":"Ann"},{"op":"Add","path":"externalId","value":"abc"}]}`

// patchCase is one table test of applyPatch: the body, and either the
// error (status, scimType and a piece of the detail) or a check of the
// result.
func disallowUnknown(c *Config) { c.Leniency.DisallowUnknownAttributes = true }

type patchCase struct {
	name   string
	cfg    func(*Config) // adjusts patchConfig; nil for none
	user   func(*User)   // adjusts annUser; nil for none
	body   string
	status int    // 0: success
	typ    string // scimType of the error
	detail string // in the error's detail
	want   func(u *User) string
}

func patchEq[T any](what string, got, want T) string {
	if !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("%s = %#v, want %#v", what, got, want)
	}
	return ""
}

var patchCases = []patchCase{
	// Ops, matched case-insensitively.
	{name: "op add", body: patchOps(`{"op":"add","path":"displayName","value":"A. Lee"}`),
		want: func(u *User) string { return patchEq("DisplayName", u.DisplayName, "A. Lee") }},
	{name: "op Replace (Entra)", body: patchOps(`{"op":"Replace","path":"displayName","value":"A. Lee"}`),
		want: func(u *User) string { return patchEq("DisplayName", u.DisplayName, "A. Lee") }},
	{name: "op REMOVE", body: patchOps(`{"op":"REMOVE","path":"displayName"}`),
		want: func(u *User) string { return patchEq("DisplayName", u.DisplayName, "") }},
	{name: "op unknown", body: patchOps(`{"op":"move","path":"displayName","value":"x"}`), status: 400, typ: ScimTypeInvalidSyntax, detail: `"move"`},
	{name: "op missing", body: patchOps(`{"path":"displayName","value":"x"}`), status: 400, typ: ScimTypeInvalidSyntax, detail: `no "op"`},

	// Paths.
	{name: "path attr", body: patchOps(`{"op":"replace","path":"externalId","value":"ext-2"}`),
		want: func(u *User) string { return patchEq("ExternalID", u.ExternalID, "ext-2") }},
	{name: "path attr.sub", body: patchOps(`{"op":"replace","path":"name.familyName","value":"Ng"}`),
		want: func(u *User) string {
			return patchEq("FamilyName", u.FamilyName, "Ng") + patchEq("GivenName", u.GivenName, "Ann")
		}},
	{name: "path core URN", body: patchOps(`{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName","value":"Anna"}`),
		want: func(u *User) string { return patchEq("GivenName", u.GivenName, "Anna") }},
	{name: "path extension URN", body: patchOps(`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"77"}`),
		want: func(u *User) string { return patchEq("employeeNumber", u.Custom["employeeNumber"], any("77")) }},
	{name: "path whole extension", body: patchOps(`{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":{"department":"R&D"}}`),
		want: func(u *User) string {
			return patchEq("department", u.Custom["department"], any("R&D")) + patchEq("employeeNumber", u.Custom["employeeNumber"], any("42"))
		}},
	{name: "path attr[filter]", body: patchOps(`{"op":"replace","path":"emails[type eq \"work\"]","value":{"value":"a@new.example","primary":true}}`),
		want: func(u *User) string { return patchEq("Email", u.Email, "a@new.example") }},
	{name: "path attr[filter].sub", body: patchOps(`{"op":"replace","path":"emails[type eq \"work\"].value","value":"a@new.example"}`),
		want: func(u *User) string { return patchEq("Email", u.Email, "a@new.example") }},
	{name: "path filter on value", body: patchOps(`{"op":"replace","path":"emails[value eq \"ANN@example.com\"].value","value":"a@new.example"}`),
		want: func(u *User) string { return patchEq("Email", u.Email, "a@new.example") }},
	{name: "path malformed", body: patchOps(`{"op":"replace","path":"emails[type eq","value":"x"}`), status: 400, typ: ScimTypeInvalidPath, detail: `emails[type eq`},
	{name: "path filter on single-valued", body: patchOps(`{"op":"replace","path":"name[givenName eq \"Ann\"]","value":{}}`), status: 400, typ: ScimTypeInvalidPath, detail: "not multi-valued"},
	{name: "path filter names unknown sub-attribute", body: patchOps(`{"op":"replace","path":"emails[kind eq \"work\"].value","value":"x"}`), status: 400, typ: ScimTypeInvalidFilter, detail: `"kind"`},
	{name: "path emails.value without filter", body: patchOps(`{"op":"replace","path":"emails.value","value":"x@example.com"}`), status: 400, typ: ScimTypeInvalidPath, detail: `emails[type eq "work"].value`},

	// Path-less add and replace with a partial resource.
	{name: "Okta deactivate", body: patchOps(`{"op":"replace","value":{"active":false}}`),
		want: func(u *User) string {
			return patchEq("Active", u.Active, false) + patchEq("GivenName", u.GivenName, "Ann")
		}},
	{name: "Okta reactivate", user: func(u *User) { u.Active = false }, body: patchOps(`{"op":"replace","value":{"active":true}}`),
		want: func(u *User) string { return patchEq("Active", u.Active, true) }},
	{name: "Entra dotted keys", body: patchOps(`{"op":"replace","value":{"displayName":"Ann Ng","name.givenName":"Anne","name.familyName":"Ng","active":false,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"43"}}`),
		want: func(u *User) string {
			return patchEq("DisplayName", u.DisplayName, "Ann Ng") + patchEq("GivenName", u.GivenName, "Anne") + patchEq("FamilyName", u.FamilyName, "Ng") +
				patchEq("Active", u.Active, false) + patchEq("employeeNumber", u.Custom["employeeNumber"], any("43"))
		}},
	{name: "Entra filtered key in value", body: patchOps(`{"op":"replace","value":{"emails[type eq \"work\"].value":"ann@new.example"}}`),
		want: func(u *User) string { return patchEq("Email", u.Email, "ann@new.example") }},
	{name: "path-less extension object", body: patchOps(`{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"44"}}}`),
		want: func(u *User) string { return patchEq("employeeNumber", u.Custom["employeeNumber"], any("44")) }},
	{name: "path-less core URN object", body: patchOps(`{"op":"replace","value":{"urn:ietf:params:scim:schemas:core:2.0:User":{"displayName":"Core"}}}`),
		want: func(u *User) string { return patchEq("DisplayName", u.DisplayName, "Core") }},
	{name: "path-less name object keeps other sub-attributes", body: patchOps(`{"op":"replace","value":{"name":{"familyName":"Ng"}}}`),
		want: func(u *User) string {
			return patchEq("GivenName", u.GivenName, "Ann") + patchEq("FamilyName", u.FamilyName, "Ng")
		}},
	{name: "path-less add appends regions", body: patchOps(`{"op":"add","value":{"regions":["apac1","us1"]}}`),
		want: func(u *User) string {
			return patchEq("regions", u.Custom["regions"], any([]string{"us1", "emea2", "apac1"}))
		}},
	{name: "path-less replace replaces regions", body: patchOps(`{"op":"replace","value":{"regions":"apac1"}}`),
		want: func(u *User) string { return patchEq("regions", u.Custom["regions"], any([]string{"apac1"})) }},
	{name: "path-less value not an object", body: patchOps(`{"op":"replace","value":false}`), status: 400, typ: ScimTypeInvalidValue, detail: "object"},
	{name: "path-less read-only members ignored", body: patchOps(`{"op":"replace","value":{"id":"evil","meta":{"version":"W/\"9\""},"groups":[{"value":"g"}],"schemas":["x"],"password":"p","active":false}}`),
		want: func(u *User) string {
			return patchEq("ID", u.ID, "1") + patchEq("Active", u.Active, false) + patchEq("Version", u.Meta.Version, `W/"1"`)
		}},
	{name: "path-less unknown key ignored", body: patchOps(`{"op":"replace","value":{"locale":"en-US","nick name":"x","displayName":"D"}}`),
		want: func(u *User) string { return patchEq("DisplayName", u.DisplayName, "D") }},
	{name: "path-less unknown key disallowed", cfg: func(c *Config) { c.Leniency.DisallowUnknownAttributes = true },
		body: patchOps(`{"op":"replace","value":{"locale":"en-US"}}`), status: 400, typ: ScimTypeInvalidSyntax, detail: `"locale"`},
	{name: "path-less unknown extension attribute ignored", body: patchOps(`{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":{"value":"x"}}}`),
		want: func(u *User) string { return patchEq("employeeNumber", u.Custom["employeeNumber"], any("42")) }},

	// Creating the work email.
	{name: "add work email value creates it", user: func(u *User) { u.Email = "" }, cfg: func(c *Config) { c.Required = []string{"userName"} },
		body: patchOps(`{"op":"Add","path":"emails[type eq \"work\"].value","value":"new@contoso.com"}`),
		want: func(u *User) string { return patchEq("Email", u.Email, "new@contoso.com") }},
	{name: "replace work email value creates it", user: func(u *User) { u.Email = "" }, cfg: func(c *Config) { c.Required = []string{"userName"} },
		body: patchOps(`{"op":"replace","path":"emails[type eq \"work\"].value","value":"new@contoso.com"}`),
		want: func(u *User) string { return patchEq("Email", u.Email, "new@contoso.com") }},
	{name: "replace work email element creates it", user: func(u *User) { u.Email = "" }, cfg: func(c *Config) { c.Required = []string{"userName"} },
		body: patchOps(`{"op":"replace","path":"emails[type eq \"work\"]","value":{"value":"new@contoso.com"}}`),
		want: func(u *User) string { return patchEq("Email", u.Email, "new@contoso.com") }},
	{name: "replace home email matches nothing", body: patchOps(`{"op":"replace","path":"emails[type eq \"home\"].value","value":"x@home.example"}`),
		status: 400, typ: ScimTypeNoTarget, detail: `emails[type eq "home"]`},
	{name: "replace with non-equality filter matches nothing", body: patchOps(`{"op":"replace","path":"emails[value co \"zzz\"].value","value":"x@example.com"}`),
		status: 400, typ: ScimTypeNoTarget},
	{name: "replace emails with an array", body: patchOps(`{"op":"replace","path":"emails","value":[{"value":"home@example.com","type":"home"},{"value":"w@example.com","type":"work","primary":true}]}`),
		want: func(u *User) string { return patchEq("Email", u.Email, "w@example.com") }},
	{name: "add emails as one object", body: patchOps(`{"op":"add","path":"emails","value":{"value":"w@example.com","type":"work"}}`),
		want: func(u *User) string { return patchEq("Email", u.Email, "w@example.com") }},
	{name: "work email type cannot change", body: patchOps(`{"op":"replace","path":"emails[type eq \"work\"].type","value":"home"}`),
		status: 400, typ: ScimTypeInvalidValue, detail: "work"},

	// Remove.
	{name: "remove emails.type keeps the email", body: patchOps(`{"op":"remove","path":"emails.type"}`),
		want: func(u *User) string { return patchEq("Email", u.Email, "ann@example.com") }},
	{name: "remove emails.value", cfg: func(c *Config) { c.Required = []string{"userName"} }, body: patchOps(`{"op":"remove","path":"emails.value"}`),
		want: func(u *User) string { return patchEq("Email", u.Email, "") }},
	{name: "remove with path", body: patchOps(`{"op":"remove","path":"externalId"}`),
		want: func(u *User) string { return patchEq("ExternalID", u.ExternalID, "") }},
	{name: "remove work email with a value (Entra)", cfg: func(c *Config) { c.Required = []string{"userName"} },
		body: patchOps(`{"op":"Remove","path":"emails[type eq \"work\"].value","value":"ann@example.com"}`),
		want: func(u *User) string { return patchEq("Email", u.Email, "") }},
	{name: "remove matching nothing does nothing", body: patchOps(`{"op":"remove","path":"emails[type eq \"home\"]"}`),
		want: func(u *User) string { return patchEq("Email", u.Email, "ann@example.com") }},
	{name: "remove without path", body: patchOps(`{"op":"remove"}`), status: 400, typ: ScimTypeNoTarget, detail: "path"},
	{name: "remove required userName", body: patchOps(`{"op":"remove","path":"userName"}`), status: 400, typ: ScimTypeMutability, detail: `Operations[0]: attribute "userName" is required`},
	{name: "remove required name.givenName", body: patchOps(`{"op":"remove","path":"name.givenName"}`), status: 400, typ: ScimTypeMutability, detail: `Operations[0]: attribute "name.givenName" is required`},
	{name: "remove required work email", body: patchOps(`{"op":"Remove","path":"emails[type eq \"work\"].value"}`), status: 400, typ: ScimTypeInvalidValue, detail: `"emails"`},
	{name: "remove regions value by filter", body: patchOps(`{"op":"remove","path":"regions[value eq \"us1\"]"}`),
		want: func(u *User) string { return patchEq("regions", u.Custom["regions"], any([]string{"emea2"})) }},
	{name: "remove regions values given as value", body: patchOps(`{"op":"remove","path":"regions","value":["emea2","nope"]}`),
		want: func(u *User) string { return patchEq("regions", u.Custom["regions"], any([]string{"us1"})) }},
	{name: "remove all regions", body: patchOps(`{"op":"remove","path":"regions"}`),
		want: func(u *User) string { _, ok := u.Custom["regions"]; return patchEq("regions present", ok, false) }},
	{name: "remove last region by filter unassigns", body: patchOps(`{"op":"remove","path":"regions[value eq \"us1\" or value eq \"EMEA2\"]"}`),
		want: func(u *User) string { _, ok := u.Custom["regions"]; return patchEq("regions present", ok, false) }},
	{name: "remove extension attribute", body: patchOps(`{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"}`),
		want: func(u *User) string {
			_, ok := u.Custom["employeeNumber"]
			return patchEq("employeeNumber present", ok, false)
		}},

	// Multi-valued custom attributes (RFC 7644 §3.5.2).
	{name: "add regions appends without duplicates", body: patchOps(`{"op":"add","path":"regions","value":["emea2","apac1"]}`),
		want: func(u *User) string {
			return patchEq("regions", u.Custom["regions"], any([]string{"us1", "emea2", "apac1"}))
		}},
	{name: "add regions as Okta's comma list", body: patchOps(`{"op":"add","path":"regions","value":"apac1,us1"}`),
		want: func(u *User) string {
			return patchEq("regions", u.Custom["regions"], any([]string{"us1", "emea2", "apac1"}))
		}},
	{name: "replace regions", body: patchOps(`{"op":"replace","path":"regions","value":["apac1"]}`),
		want: func(u *User) string { return patchEq("regions", u.Custom["regions"], any([]string{"apac1"})) }},
	{name: "replace one region by filter", body: patchOps(`{"op":"replace","path":"regions[value eq \"us1\"]","value":"us2"}`),
		want: func(u *User) string { return patchEq("regions", u.Custom["regions"], any([]string{"emea2", "us2"})) }},
	{name: "replace region by filter with .value", body: patchOps(`{"op":"replace","path":"regions[value eq \"us1\"].value","value":"us2"}`),
		want: func(u *User) string { return patchEq("regions", u.Custom["regions"], any([]string{"emea2", "us2"})) }},
	{name: "replace region matching nothing", body: patchOps(`{"op":"replace","path":"regions[value eq \"zz\"]","value":"us2"}`), status: 400, typ: ScimTypeNoTarget},
	{name: "region filter names another attribute", body: patchOps(`{"op":"remove","path":"regions[type eq \"x\"]"}`), status: 400, typ: ScimTypeInvalidFilter, detail: "value"},
	{name: "add to regions when none", user: func(u *User) { delete(u.Custom, "regions") }, body: patchOps(`{"op":"add","path":"regions","value":["us1"]}`),
		want: func(u *User) string { return patchEq("regions", u.Custom["regions"], any([]string{"us1"})) }},

	// Booleans and integers as strings.
	{name: "string boolean False", body: patchOps(`{"op":"Replace","path":"active","value":"False"}`),
		want: func(u *User) string { return patchEq("Active", u.Active, false) }},
	{name: "string boolean tRuE", user: func(u *User) { u.Active = false }, body: patchOps(`{"op":"Replace","path":"active","value":"tRuE"}`),
		want: func(u *User) string { return patchEq("Active", u.Active, true) }},
	{name: "string boolean custom", body: patchOps(`{"op":"add","path":"contractor","value":"TRUE"}`),
		want: func(u *User) string { return patchEq("contractor", u.Custom["contractor"], any(true)) }},
	{name: "string booleans disallowed", cfg: func(c *Config) { c.Leniency.DisallowStringBooleans = true },
		body: patchOps(`{"op":"Replace","path":"active","value":"False"}`), status: 400, typ: ScimTypeInvalidValue, detail: `"active"`},
	{name: "string boolean not a boolean", body: patchOps(`{"op":"Replace","path":"active","value":"no"}`), status: 400, typ: ScimTypeInvalidValue, detail: "boolean"},
	{name: "integer", body: patchOps(`{"op":"replace","path":"level","value":5}`),
		want: func(u *User) string { return patchEq("level", u.Custom["level"], any(int64(5))) }},
	{name: "string integer refused by default", body: patchOps(`{"op":"replace","path":"level","value":"5"}`), status: 400, typ: ScimTypeInvalidValue, detail: `"level"`},
	{name: "string integer allowed", cfg: func(c *Config) { c.Leniency.AllowStringIntegers = true }, body: patchOps(`{"op":"replace","path":"level","value":"5"}`),
		want: func(u *User) string { return patchEq("level", u.Custom["level"], any(int64(5))) }},

	// Strict names.
	{name: "path UserName", body: patchOps(`{"op":"replace","path":"UserName","value":"x@example.com"}`), status: 400, typ: ScimTypeInvalidPath, detail: `use "userName"`},
	{name: "path name.GivenName", body: patchOps(`{"op":"replace","path":"name.GivenName","value":"x"}`), status: 400, typ: ScimTypeInvalidPath, detail: `use "givenName"`},
	{name: "dotted key UserName", body: patchOps(`{"op":"replace","value":{"UserName":"x@example.com"}}`), status: 400, typ: ScimTypeInvalidSyntax, detail: `use "userName"`},
	{name: "dotted key Name.givenName", body: patchOps(`{"op":"replace","value":{"Name.givenName":"x"}}`), status: 400, typ: ScimTypeInvalidSyntax, detail: `use "name"`},
	{name: "case-insensitive names", cfg: func(c *Config) { c.Leniency.CaseInsensitiveNames = true },
		body: patchOps(`{"op":"replace","path":"UserName","value":"x@example.com"}`, `{"op":"replace","value":{"NAME.GIVENNAME":"X"}}`, `{"op":"remove","path":"Regions[Value eq \"us1\"]"}`),
		want: func(u *User) string {
			return patchEq("UserName", u.UserName, "x@example.com") + patchEq("GivenName", u.GivenName, "X") + patchEq("regions", u.Custom["regions"], any([]string{"emea2"}))
		}},
	{name: "message member mis-cased", body: `{"schemas":["` + PatchOpURN + `"],"operations":[{"op":"add","path":"displayName","value":"x"}]}`,
		status: 400, typ: ScimTypeInvalidSyntax, detail: `use "Operations"`},
	{name: "operation member mis-cased", body: patchOps(`{"op":"add","Path":"displayName","value":"x"}`), status: 400, typ: ScimTypeInvalidSyntax, detail: `use "path"`},
	// Unknown paths follow the rule for unknown attributes: rejected when
	// the host disallows them, ignored by default (Entra ID's default
	// mappings patch attributes scimkit does not keep).
	{name: "unknown path disallowed", cfg: disallowUnknown, body: patchOps(`{"op":"replace","path":"nickName","value":"x"}`), status: 400, typ: ScimTypeInvalidPath, detail: `"nickName"`},
	{name: "unknown sub-attribute path disallowed", cfg: disallowUnknown, body: patchOps(`{"op":"replace","path":"name.middleName","value":"x"}`), status: 400, typ: ScimTypeInvalidPath, detail: `"middleName"`},
	{name: "unknown extension path disallowed", cfg: disallowUnknown, body: patchOps(`{"op":"replace","path":"urn:example:ext:1.0:User:x","value":"x"}`), status: 400, typ: ScimTypeInvalidPath},
	{name: "unknown path ignored by default", body: patchOps(`{"op":"replace","path":"nickName","value":"x"}`),
		want: func(u *User) string { return patchEq("user", *u, *annUser()) }},
	{name: "Entra default mappings: unknown paths ignored, known ones applied", body: patchOps(
		`{"op":"Replace","path":"title","value":"Engineer"}`,
		`{"op":"Replace","path":"name.formatted","value":"Ann Lee"}`,
		`{"op":"Add","path":"phoneNumbers[type eq \"work\"].value","value":"+1 555 0100"}`,
		`{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"R&D"}`,
		`{"op":"Replace","path":"displayName","value":"Ann L."}`),
		want: func(u *User) string { return patchEq("DisplayName", u.DisplayName, "Ann L.") }},
	{name: "mis-cased path is an error even when unknown ones are ignored", body: patchOps(`{"op":"replace","path":"DisplayName","value":"x"}`),
		status: 400, typ: ScimTypeInvalidPath, detail: `use "displayName"`},

	// Read-only targets.
	{name: "id read-only", body: patchOps(`{"op":"replace","path":"id","value":"2"}`), status: 400, typ: ScimTypeMutability, detail: `"id"`},
	{name: "meta read-only", body: patchOps(`{"op":"remove","path":"meta"}`), status: 400, typ: ScimTypeMutability, detail: `"meta"`},
	{name: "meta.version read-only", body: patchOps(`{"op":"replace","path":"meta.version","value":"x"}`), status: 400, typ: ScimTypeMutability, detail: `"meta.version"`},
	{name: "groups read-only", body: patchOps(`{"op":"add","path":"groups","value":[{"value":"g1"}]}`), status: 400, typ: ScimTypeMutability, detail: `"groups"`},
	{name: "password accepted, not stored", body: patchOps(`{"op":"replace","path":"password","value":"secret"}`),
		want: func(u *User) string { return patchEq("user", *u, *annUser()) }},
	{name: "immutable set once", user: func(u *User) { delete(u.Custom, "badge") }, body: patchOps(`{"op":"add","path":"badge","value":"B-2"}`),
		want: func(u *User) string { return patchEq("badge", u.Custom["badge"], any("B-2")) }},
	{name: "immutable cannot change", body: patchOps(`{"op":"replace","path":"badge","value":"B-2"}`), status: 400, typ: ScimTypeMutability, detail: `"badge"`},

	// Atomicity and validation after all operations.
	{name: "later op fails, nothing applies", body: patchOps(`{"op":"replace","path":"displayName","value":"X"}`, `{"op":"replace","path":"UserName","value":"x@example.com"}`),
		status: 400, typ: ScimTypeInvalidPath, detail: "Operations[1]"},
	{name: "later op fails on apply", body: patchOps(`{"op":"replace","path":"displayName","value":"X"}`, `{"op":"replace","path":"level","value":"x"}`),
		status: 400, typ: ScimTypeInvalidValue, detail: "Operations[1]"},
	{name: "required checked after all ops", body: patchOps(`{"op":"remove","path":"name.givenName"}`, `{"op":"add","path":"name.givenName","value":"Bo"}`),
		want: func(u *User) string { return patchEq("GivenName", u.GivenName, "Bo") }},
	{name: "ops apply in order", body: patchOps(`{"op":"replace","path":"displayName","value":"one"}`, `{"op":"replace","path":"displayName","value":"two"}`),
		want: func(u *User) string { return patchEq("DisplayName", u.DisplayName, "two") }},

	// The message.
	{name: "empty Operations", body: patchOps(), status: 400, typ: ScimTypeInvalidValue, detail: "empty"},
	{name: "no Operations", body: `{"schemas":["` + PatchOpURN + `"]}`, status: 400, typ: ScimTypeInvalidValue},
	{name: "Operations not an array", body: `{"schemas":["` + PatchOpURN + `"],"Operations":{"op":"add"}}`, status: 400, typ: ScimTypeInvalidSyntax},
	{name: "no schemas", body: `{"Operations":[{"op":"replace","value":{"active":false}}]}`, status: 400, typ: ScimTypeInvalidSyntax, detail: PatchOpURN},
	{name: "wrong schemas", body: `{"schemas":["` + UserURN + `"],"Operations":[{"op":"replace","value":{"active":false}}]}`, status: 400, typ: ScimTypeInvalidSyntax, detail: PatchOpURN},
	{name: "schemas with an extra URN", body: `{"schemas":["` + PatchOpURN + `","` + UserURN + `"],"Operations":[{"op":"replace","value":{"active":false}}]}`, status: 400, typ: ScimTypeInvalidSyntax},
	{name: "add without value", body: patchOps(`{"op":"add","path":"displayName"}`), status: 400, typ: ScimTypeInvalidValue, detail: "value"},
	{name: "malformed JSON", body: `{"schemas":["` + PatchOpURN + `"],"Operations":[{"op":"add",}]}`, status: 400, typ: ScimTypeInvalidSyntax},

	// Profile updates off.
	{name: "profile updates off: active", cfg: func(c *Config) { c.DisableProfileUpdates = true }, body: patchOps(`{"op":"replace","value":{"active":false}}`),
		want: func(u *User) string { return patchEq("Active", u.Active, false) }},
	{name: "profile updates off: name", cfg: func(c *Config) { c.DisableProfileUpdates = true }, body: patchOps(`{"op":"replace","path":"name.givenName","value":"X"}`),
		status: 403, typ: ScimTypeMutability, detail: "only active"},

	// null.
	{name: "active null unassigns it: not active", body: patchOps(`{"op":"replace","path":"active","value":null}`),
		want: func(u *User) string { return patchEq("Active", u.Active, false) }},
	{name: "remove active unassigns it: not active", body: patchOps(`{"op":"remove","path":"active"}`),
		want: func(u *User) string {
			return patchEq("Active", u.Active, false) + patchEq("GivenName", u.GivenName, "Ann")
		}},
	{name: "remove active when required", cfg: func(c *Config) { c.Required = []string{"userName", "active"} }, body: patchOps(`{"op":"replace","path":"displayName","value":"D"}`, `{"op":"remove","path":"active"}`),
		status: 400, typ: ScimTypeMutability, detail: `Operations[1]: attribute "active" is required`},
	{name: "replace with null unassigns", body: patchOps(`{"op":"replace","path":"displayName","value":null}`),
		want: func(u *User) string { return patchEq("DisplayName", u.DisplayName, "") }},
	{name: "path-less active null ignored as in PUT", body: patchOps(`{"op":"replace","value":{"active":null,"displayName":"D"}}`),
		want: func(u *User) string {
			return patchEq("Active", u.Active, true) + patchEq("DisplayName", u.DisplayName, "D")
		}},

	// Entra's default shape, end to end.
	{name: "Entra default shape", body: entraDefault,
		want: func(u *User) string {
			return patchEq("Active", u.Active, false) + patchEq("Email", u.Email, "new@contoso.com") + patchEq("GivenName", u.GivenName, "Ann") + patchEq("ExternalID", u.ExternalID, "abc")
		}},
}

// TestApplyPatch runs the table through parsePatch and applyPatch, the
// pure part of PATCH, and checks that the stored user is never changed.
func TestApplyPatch(t *testing.T) {
	for _, tc := range patchCases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := patchConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			h := newPatchHandler(t, cfg, newPatchStore())
			u := annUser()
			if tc.user != nil {
				tc.user(u)
			}
			before := u.Clone()
			got, e := h.patchBytes(u, []byte(tc.body))
			if !reflect.DeepEqual(u, before) {
				t.Fatalf("applyPatch changed its input:\n got %+v\nwant %+v", u, before)
			}
			if tc.status != 0 {
				if e == nil {
					t.Fatalf("applied, want a %d %s error; result %+v", tc.status, tc.typ, got)
				}
				if e.Status != tc.status || e.ScimType != tc.typ || !strings.Contains(e.Detail, tc.detail) {
					t.Fatalf("error %d %s %q, want %d %s containing %q", e.Status, e.ScimType, e.Detail, tc.status, tc.typ, tc.detail)
				}
				return
			}
			if e != nil {
				t.Fatalf("error %d %s: %s", e.Status, e.ScimType, e.Detail)
			}
			if msg := tc.want(got); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// patchBytes is parse then apply, as the handler does.
func (h *Handler) patchBytes(u *User, body []byte) (*User, *Error) {
	ops, e := h.parsePatch(&h.names, body)
	if e != nil {
		return nil, e
	}
	return h.applyPatch(context.Background(), u, ops)
}

// serve sends one request to h.
func patchServe(h http.Handler, method, target, body string, header ...string) *httptest.ResponseRecorder {
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", mediaType)
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// seed creates annUser in store and returns its id.
func patchSeed(t testing.TB, store Store) string {
	t.Helper()
	u, err := store.Create(context.Background(), annUser())
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestPatchHTTP(t *testing.T) {
	for _, native := range []bool{false, true} {
		t.Run(fmt.Sprintf("native=%v", native), func(t *testing.T) {
			ps := newPatchStore()
			var store Store = ps
			ns := &nativeStore{patchStore: ps}
			if native {
				store = ns
			}
			h := newPatchHandler(t, patchConfig(), store)
			id := patchSeed(t, store)
			target := "/scim/v2/Users/" + id

			rec := patchServe(h, "PATCH", target, entraDefault)
			if rec.Code != 200 {
				t.Fatalf("PATCH: %d %s", rec.Code, rec.Body)
			}
			if et := rec.Header().Get("ETag"); et != `W/"2"` {
				t.Errorf("ETag %q, want W/\"2\"", et)
			}
			if ct := rec.Header().Get("Content-Type"); ct != mediaType {
				t.Errorf("Content-Type %q", ct)
			}
			var got map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got["active"] != false || got["externalId"] != "abc" {
				t.Errorf("response %s", rec.Body)
			}
			if native && ns.patches != 1 {
				t.Errorf("native Patch called %d times, want 1", ns.patches)
			}

			// A stale If-Match is a 412, and nothing changes.
			rec = patchServe(h, "PATCH", target, patchOps(`{"op":"replace","value":{"active":true}}`), "If-Match", `W/"1"`)
			if rec.Code != http.StatusPreconditionFailed {
				t.Fatalf("stale If-Match: %d %s", rec.Code, rec.Body)
			}
			rec = patchServe(h, "PATCH", target, patchOps(`{"op":"replace","value":{"active":true}}`), "If-Match", `W/"2"`)
			if rec.Code != 200 || rec.Header().Get("ETag") != `W/"3"` {
				t.Fatalf("If-Match: %d %s %s", rec.Code, rec.Header().Get("ETag"), rec.Body)
			}

			// A rejected PATCH leaves the stored user as it was.
			before, _ := store.User(context.Background(), id)
			rec = patchServe(h, "PATCH", target, patchOps(`{"op":"replace","path":"displayName","value":"X"}`, `{"op":"remove","path":"userName"}`))
			if rec.Code != 400 {
				t.Fatalf("remove userName: %d %s", rec.Code, rec.Body)
			}
			after, _ := store.User(context.Background(), id)
			if !reflect.DeepEqual(before, after) {
				t.Errorf("rejected PATCH changed the user:\n%+v\n%+v", before, after)
			}

			for _, tc := range []struct {
				name, target, body string
				header             []string
				status             int
			}{
				{"unknown id", "/scim/v2/Users/404", patchOps(`{"op":"replace","value":{"active":false}}`), nil, 404},
				{"media type", target, patchOps(`{"op":"replace","value":{"active":false}}`), []string{"Content-Type", "text/plain"}, 415},
				{"empty body", target, "", []string{"Content-Type", mediaType}, 400},
			} {
				rec := patchServe(h, "PATCH", tc.target, tc.body, tc.header...)
				if rec.Code != tc.status {
					t.Errorf("%s: %d, want %d; %s", tc.name, rec.Code, tc.status, rec.Body)
				}
			}
		})
	}
}

func TestPatchBodyLimit(t *testing.T) {
	cfg := patchConfig()
	cfg.MaxBodyBytes = 100
	store := newPatchStore()
	h := newPatchHandler(t, cfg, store)
	id := patchSeed(t, store)
	rec := patchServe(h, "PATCH", "/Users/"+id, patchOps(`{"op":"replace","path":"displayName","value":"`+strings.Repeat("x", 200)+`"}`))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

func TestPatchNoContent(t *testing.T) {
	cfg := patchConfig()
	cfg.PatchNoContent = true
	store := newPatchStore()
	h := newPatchHandler(t, cfg, store)
	id := patchSeed(t, store)
	rec := patchServe(h, "PATCH", "/Users/"+id, patchOps(`{"op":"replace","value":{"active":false}}`))
	if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
		t.Fatalf("%d %q", rec.Code, rec.Body)
	}
	if et := rec.Header().Get("ETag"); et != `W/"2"` {
		t.Errorf("ETag %q, want W/\"2\"", et)
	}
	if u, _ := store.User(context.Background(), id); u.Active {
		t.Error("not deactivated")
	}
}

// TestPatchConcurrent patches one user from many goroutines at once, each
// adding its own region and setting its own attribute; every change must
// survive (run with -race).
func TestPatchConcurrent(t *testing.T) {
	for _, native := range []bool{false, true} {
		t.Run(fmt.Sprintf("native=%v", native), func(t *testing.T) {
			ps := newPatchStore()
			var store Store = ps
			if native {
				store = &nativeStore{patchStore: ps}
			}
			h := newPatchHandler(t, patchConfig(), store)
			id := patchSeed(t, store)
			const n = 20
			var wg sync.WaitGroup
			codes := make([]int, n)
			for i := range n {
				wg.Go(func() {
					body := patchOps(fmt.Sprintf(`{"op":"add","path":"regions","value":["r%d"]}`, i))
					if i == 0 {
						body = patchOps(`{"op":"add","path":"regions","value":["r0"]}`, `{"op":"replace","path":"level","value":7}`)
					}
					if i == 1 {
						body = patchOps(`{"op":"Replace","path":"active","value":"False"}`, `{"op":"add","path":"regions","value":"r1"}`)
					}
					codes[i] = patchServe(h, "PATCH", "/Users/"+id, body).Code
				})
			}
			wg.Wait()
			for i, c := range codes {
				if c != 200 {
					t.Errorf("PATCH %d: status %d", i, c)
				}
			}
			u, _ := store.User(context.Background(), id)
			regions := u.Custom["regions"].([]string)
			for i := range n {
				if !patchContains(regions, fmt.Sprintf("r%d", i)) {
					t.Errorf("region r%d lost; regions %v", i, regions)
				}
			}
			if len(regions) != n+2 || u.Custom["level"] != int64(7) || u.Active {
				t.Errorf("user after %d PATCHes: %+v", n, u)
			}
		})
	}
}

func patchContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestPatchOperationPaths checks what a Patcher sees: ops in lower case and
// paths resolved to canonical names.
func TestPatchOperationPaths(t *testing.T) {
	cfg := patchConfig()
	cfg.Leniency.CaseInsensitiveNames = true
	h := newPatchHandler(t, cfg, newPatchStore())
	got, e := h.parsePatch(&h.names, []byte(patchOps(
		`{"op":"Replace","path":"USERNAME","value":"x"}`,
		`{"op":"ADD","path":"Emails[Type eq \"work\"].Value","value":"x"}`,
		`{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:EMPLOYEENUMBER"}`,
		`{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":{}}`,
		`{"op":"replace","value":{"active":false}}`,
	)))
	if e != nil {
		t.Fatal(e)
	}
	want := []struct {
		op   PatchOp
		path string
	}{
		{PatchReplace, "userName"},
		{PatchAdd, `emails[type eq "work"].value`},
		{PatchRemove, EnterpriseUserURN + ":employeeNumber"},
		{PatchAdd, EnterpriseUserURN + ":"},
		{PatchReplace, ""},
	}
	for i, w := range want {
		p := ""
		if got[i].Path != nil {
			p = got[i].Path.String()
		}
		if got[i].Op != w.op || p != w.path {
			t.Errorf("op %d: %s %q, want %s %q", i, got[i].Op, p, w.op, w.path)
		}
	}
	if string(got[4].Value) != `{"active":false}` {
		t.Errorf("Value %s", got[4].Value)
	}
}
