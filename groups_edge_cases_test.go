package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// Edge cases of Groups and the RFC profile: member deletion, Keep's
// spellings, hostile group writes, large complex adds.

// A deleted member's groups get a new version and a new lastModified
// together.
func TestGroupLastModifiedOnMemberDelete(t *testing.T) {
	st := memstore.New()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	h, err := scim.NewHandler(st, scim.Config{Authenticator: scim.SkipAuthentication, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	a := create(t, h, "a@x.com").ID
	g := createGroup(t, h, "Eng", a)
	now = now.Add(time.Hour)
	do(t, h, "DELETE", "/scim/v2/Users/"+a, "")
	after := getGroup(t, h, g.ID)
	if after.Meta["version"] == g.Meta["version"] || after.Meta["lastModified"] != "2026-01-01T01:00:00Z" {
		t.Errorf("after its member's deletion the group's meta is %v (was %v)", after.Meta, g.Meta)
	}
}

type keepsNothing struct{ *memstore.Store }

func (keepsNothing) Keeps() scim.Kept { return scim.Kept{} }

// Keep "emails" is checked against the store in either spelling.
func TestKeepEmailsURNChecked(t *testing.T) {
	for _, name := range []string{"emails", "urn:ietf:params:scim:schemas:core:2.0:User:emails"} {
		if _, err := scim.NewHandler(keepsNothing{memstore.New()}, scim.Config{Authenticator: scim.SkipAuthentication, Keep: []string{name}}); err == nil {
			t.Errorf("Keep %q over a store that keeps no custom attribute was accepted", name)
		}
	}
}

func TestGroupEdgeCases(t *testing.T) {
	h, st := newGroupHandler(t, scim.Config{})
	a := create(t, h, "a@x.com").ID
	g := createGroup(t, h, "Eng", a)
	path := "/scim/v2/Groups/" + g.ID
	// PUT of an unknown group is a 404 whatever the body.
	wantError(t, do(t, h, "PUT", "/scim/v2/Groups/nope", `{"schemas":["x"]}`), http.StatusNotFound, "")
	// A blank displayName is refused by PATCH as by POST.
	wantError(t, do(t, h, "PATCH", path, patchBody(`{"op":"replace","path":"displayName","value":"   "}`)), http.StatusBadRequest, "invalidValue")
	// A 304 loads no member.
	st.memberReads.Store(0)
	if rec := do(t, h, "GET", path, "", "If-None-Match", g.Meta["version"]); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", rec.Code)
	}
	if n := st.memberReads.Load(); n != 0 {
		t.Errorf("a 304 loaded members %d times", n)
	}
	// remove x, add x, remove x removes x once.
	var removed []string
	h2, _ := newGroupHandler(t, scim.Config{Hooks: scim.Hooks{AfterGroupChange: func(_ context.Context, e scim.GroupEvent) {
		removed = e.Removed
	}}})
	b := create(t, h2, "b@x.com").ID
	g2 := createGroup(t, h2, "Ops", b)
	rm := `{"op":"remove","path":` + memberPath(b) + `}`
	do(t, h2, "PATCH", "/scim/v2/Groups/"+g2.ID, patchBody(rm, addMembers(b), rm))
	if len(removed) != 1 {
		t.Errorf("Removed %v, want one id", removed)
	}
}

// Adding elements to a multi-valued complex attribute dedupes in one pass
// (a set of the elements held; a quadratic one took 36 s for 20,000 onto
// 20,000), keeping each distinct element once.
func TestComplexAddDedupes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 40,000 phone numbers")
	}
	// Limits raised for the test's size: the defaults refuse 10,000.
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Profile: scim.ProfileRFC, Limits: scim.Limits{MaxValues: 20_000, MaxResourceBytes: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	list := func(from, n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"value":"%d","type":"work"}`, from+i)
		}
		return "[" + b.String() + "]"
	}
	rec := do(t, h, "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"many","phoneNumbers":`+list(0, 10000)+`}`)
	if rec.Code != http.StatusCreated {
		t.Fatal(rec.Code, rec.Body.String()[:200])
	}
	id := decodeAny(t, rec.Body.Bytes())["id"].(string)
	rec = do(t, h, "PATCH", "/scim/v2/Users/"+id, patchBody(`{"op":"add","path":"phoneNumbers","value":`+list(5000, 10000)+`}`))
	if rec.Code != http.StatusOK {
		t.Fatal(rec.Code, rec.Body.String()[:200])
	}
	if got := len(decodeAny(t, rec.Body.Bytes())["phoneNumbers"].([]any)); got != 15000 {
		t.Errorf("%d phone numbers, want 15,000 (5,000 of the added were there)", got)
	}
}
