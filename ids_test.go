package scim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/scimkit/scim"
)

// RFC 7643 §3.1: an id is unique across the service provider's entire set
// of resources. Over memstore, 50 users and 50 groups created through the
// handler have 100 distinct ids, and no id of one type is found as the
// other.
func TestIDsUniqueAcrossResourceTypes(t *testing.T) {
	h, _ := newGroupHandler(t, scim.Config{})
	seen := map[string]string{}
	note := func(id, typ string) {
		if prev, ok := seen[id]; ok {
			t.Errorf("id %q is both a %s and a %s", id, prev, typ)
		}
		seen[id] = typ
	}
	var users, groups []string
	for i := range 50 {
		u := create(t, h, fmt.Sprintf("ids%02d@example.com", i))
		users = append(users, u.ID)
		note(u.ID, "user")
		g := createGroup(t, h, fmt.Sprintf("Team %02d", i))
		groups = append(groups, g.ID)
		note(g.ID, "group")
	}
	for _, id := range users {
		wantError(t, do(t, h, "GET", "/scim/v2/Groups/"+id, ""), http.StatusNotFound, "")
	}
	for _, id := range groups {
		wantError(t, do(t, h, "GET", "/scim/v2/Users/"+id, ""), http.StatusNotFound, "")
	}
}

// Okta and Entra ID send members without a type: each resolves to the one
// resource with its id, and the group is refused as its own member only
// once the member is resolved to it.
func TestTypelessMemberResolvesToTheResourceWithItsID(t *testing.T) {
	h, _ := newGroupHandler(t, scim.Config{})
	u := create(t, h, "typeless@example.com")
	g := createGroup(t, h, "Eng")
	nested := createGroup(t, h, "Platform")
	path := "/scim/v2/Groups/" + g.ID
	if rec := do(t, h, "PATCH", path, patchBody(addMembers(u.ID, nested.ID))); rec.Code != http.StatusNoContent {
		t.Fatalf("add a user and a group without types: %d %s", rec.Code, rec.Body)
	}
	got := getGroup(t, h, g.ID)
	types := map[string]string{}
	for _, m := range got.Members {
		types[m.Value] = m.Type
	}
	if len(types) != 2 || types[u.ID] != "User" || types[nested.ID] != "Group" {
		t.Errorf("members %+v, want %s as a User and %s as a Group", got.Members, u.ID, nested.ID)
	}
	e := wantError(t, do(t, h, "PATCH", path, patchBody(addMembers(g.ID))), http.StatusBadRequest, "invalidValue")
	if !strings.Contains(e.Detail, "member of itself") {
		t.Errorf("the group added to itself without a type: detail %q does not say so", e.Detail)
	}
	if after := getGroup(t, h, g.ID); after.Meta["version"] != got.Meta["version"] {
		t.Errorf("a refused self-membership changed the group: version %s, then %s", got.Meta["version"], after.Meta["version"])
	}
	// The user is not a group, whatever the type says it is.
	wantError(t, do(t, h, "PATCH", path, patchBody(`{"op":"add","path":"members","value":[{"value":`+quote(u.ID)+`,"type":"Group"}]}`)), http.StatusBadRequest, "invalidValue")
}
