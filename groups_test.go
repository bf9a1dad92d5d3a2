package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/activitylog"
	"github.com/scimkit/scim/memstore"
)

// groupJSON is a served group, decoded strictly enough for the tests.
type groupJSON struct {
	Schemas     []string `json:"schemas"`
	ID          string   `json:"id"`
	ExternalID  string   `json:"externalId"`
	DisplayName string   `json:"displayName"`
	Members     []struct {
		Value string `json:"value"`
		Ref   string `json:"$ref"`
		Type  string `json:"type"`
	} `json:"members"`
	Meta map[string]string `json:"meta"`
}

func (g groupJSON) memberIDs() []string {
	var ids []string
	for _, m := range g.Members {
		ids = append(ids, m.Value)
	}
	slices.Sort(ids)
	return ids
}

// countingStore is memstore with a count of the reads that load members.
type countingStore struct {
	*memstore.Store
	memberReads atomic.Int64
	userGroups  atomic.Int64
	lastQuery   scim.Query // of ListGroups; tests read it after the request
}

func (s *countingStore) Group(ctx context.Context, id string, members bool) (*scim.Group, error) {
	if members {
		s.memberReads.Add(1)
	}
	return s.Store.Group(ctx, id, members)
}

func (s *countingStore) ListGroups(ctx context.Context, q scim.Query) (*scim.GroupPage, error) {
	if q.Members {
		s.memberReads.Add(1)
	}
	s.lastQuery = q
	return s.Store.ListGroups(ctx, q)
}

func (s *countingStore) UserGroups(ctx context.Context, id string) ([]scim.GroupRef, error) {
	s.userGroups.Add(1)
	return s.Store.UserGroups(ctx, id)
}

func newGroupHandler(t testing.TB, cfg scim.Config) (*scim.Handler, *countingStore) {
	t.Helper()
	if cfg.Authenticator == nil {
		cfg.Authenticator = scim.SkipAuthentication // what the test is about is not authentication
	}
	st := &countingStore{Store: memstore.New()}
	h, err := scim.NewHandler(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h, st
}

func groupBody(displayName string, members ...string) string {
	var ms []string
	for _, m := range members {
		ms = append(ms, `{"value":`+quote(m)+`}`)
	}
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":` + quote(displayName) + `,"members":[` + strings.Join(ms, ",") + `]}`
}

func patchBody(ops ...string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Join(ops, ",") + `]}`
}

func addMembers(ids ...string) string {
	var ms []string
	for _, id := range ids {
		ms = append(ms, `{"value":`+quote(id)+`}`)
	}
	return `{"op":"add","path":"members","value":[` + strings.Join(ms, ",") + `]}`
}

func decodeGroup(t testing.TB, rec interface {
	Result() *http.Response
}, want int) groupJSON {
	t.Helper()
	res := rec.Result()
	defer res.Body.Close()
	var g groupJSON
	if res.StatusCode != want {
		var body strings.Builder
		io.Copy(&body, res.Body)
		t.Fatalf("status %d, want %d: %s", res.StatusCode, want, body.String())
	}
	if err := json.NewDecoder(res.Body).Decode(&g); err != nil {
		t.Fatalf("decoding the group: %v", err)
	}
	return g
}

// memberPath is the PATCH path members[value eq "id"] as a JSON string.
func memberPath(id string) string { return quote(`members[value eq "` + id + `"]`) }

func createGroup(t testing.TB, h http.Handler, name string, members ...string) groupJSON {
	t.Helper()
	rec := do(t, h, "POST", "/scim/v2/Groups", groupBody(name, members...))
	if rec.Code != http.StatusCreated {
		t.Fatalf("create group: %d %s", rec.Code, rec.Body)
	}
	return decodeGroup(t, rec, http.StatusCreated)
}

func getGroup(t testing.TB, h http.Handler, id string) groupJSON {
	t.Helper()
	return decodeGroup(t, do(t, h, "GET", "/scim/v2/Groups/"+id, ""), http.StatusOK)
}

func TestGroupsServedOnlyByGroupStores(t *testing.T) {
	plain, _ := newHandler(t, scim.Config{})
	wantError(t, do(t, plain, "GET", "/scim/v2/Groups", ""), http.StatusNotFound, "")
	rec := do(t, plain, "GET", "/scim/v2/ResourceTypes", "")
	if strings.Contains(rec.Body.String(), `"Group"`) {
		t.Errorf("/ResourceTypes lists Group for a store without groups: %s", rec.Body)
	}
	if rec := do(t, plain, "GET", "/scim/v2/Schemas/"+scim.GroupURN, ""); rec.Code != http.StatusNotFound {
		t.Errorf("/Schemas serves the Group schema for a store without groups: %d", rec.Code)
	}

	h, _ := newGroupHandler(t, scim.Config{})
	rec = do(t, h, "GET", "/scim/v2/ResourceTypes/Group", "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"endpoint":"/Groups"`) {
		t.Errorf("/ResourceTypes/Group: %d %s", rec.Code, rec.Body)
	}
	rec = do(t, h, "GET", "/scim/v2/Schemas/"+scim.GroupURN, "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"members"`) {
		t.Errorf("/Schemas/Group: %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), `"display"`) {
		t.Errorf("/Schemas/Group advertises members.display, which is not kept: %s", rec.Body)
	}
}

func TestGroupMembership(t *testing.T) {
	h, _ := newGroupHandler(t, scim.Config{})
	a, b, c := create(t, h, "a@x.com").ID, create(t, h, "b@x.com").ID, create(t, h, "c@x.com").ID
	g := createGroup(t, h, "Eng", a)
	path := "/scim/v2/Groups/" + g.ID
	cases := []struct {
		name string
		ops  []string
		want []string
	}{
		{"add", []string{addMembers(b)}, []string{a, b}},
		{"add present is a no-op", []string{addMembers(a, b)}, []string{a, b}},
		{"remove by filter", []string{`{"op":"remove","path":` + memberPath(a) + `}`}, []string{b}},
		{"remove absent is a no-op", []string{`{"op":"remove","path":` + memberPath(a) + `}`}, []string{b}},
		{"remove by value list removes only those", []string{addMembers(a, c), `{"op":"Remove","path":"members","value":[{"$ref":null,"value":` + quote(c) + `}]}`}, []string{a, b}},
		{"remove with or", []string{`{"op":"remove","path":` + quote(`members[value eq "`+a+`" or value eq "`+b+`"]`) + `}`}, nil},
		{"remove then add in one PATCH adds", []string{`{"op":"remove","path":` + memberPath(c) + `}`, addMembers(c)}, []string{c}},
		{"add then remove in one PATCH removes", []string{addMembers(a), `{"op":"remove","path":` + memberPath(a) + `}`}, []string{c}},
		{"replace all", []string{`{"op":"replace","path":"members","value":[{"value":` + quote(a) + `},{"value":` + quote(b) + `}]}`}, []string{a, b}},
		{"replace then add", []string{`{"op":"replace","path":"members","value":[{"value":` + quote(a) + `}]}`, addMembers(c)}, []string{a, c}},
		{"path-less replace with members", []string{`{"op":"replace","value":{"members":[{"value":` + quote(b) + `}]}}`}, []string{b}},
		{"remove without value empties the group", []string{`{"op":"remove","path":"members"}`}, nil},
		{"replace with [] empties it", []string{addMembers(a), `{"op":"replace","path":"members","value":[]}`}, nil},
	}
	for _, tc := range cases {
		rec := do(t, h, "PATCH", path, patchBody(tc.ops...))
		if rec.Code != http.StatusNoContent {
			t.Fatalf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if got := getGroup(t, h, g.ID).memberIDs(); !slices.Equal(got, want) {
			t.Errorf("%s: members %v, want %v", tc.name, got, want)
		}
	}
}

func TestGroupPatchNoOpKeepsVersion(t *testing.T) {
	h, _ := newGroupHandler(t, scim.Config{})
	a := create(t, h, "a@x.com").ID
	g := createGroup(t, h, "Eng", a)
	rec := do(t, h, "PATCH", "/scim/v2/Groups/"+g.ID, patchBody(addMembers(a), `{"op":"replace","path":"displayName","value":"Eng"}`))
	if rec.Code != http.StatusNoContent {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	after := getGroup(t, h, g.ID)
	if after.Meta["version"] != g.Meta["version"] || after.Meta["lastModified"] != g.Meta["lastModified"] {
		t.Errorf("a PATCH that changes nothing moved the group from %v to %v (RFC 7644 §3.5.2)", g.Meta, after.Meta)
	}
	if etag := rec.Header().Get("ETag"); etag != g.Meta["version"] {
		t.Errorf("ETag %q, want the unchanged %q", etag, g.Meta["version"])
	}
}

func TestGroupPatchErrors(t *testing.T) {
	h, _ := newGroupHandler(t, scim.Config{MaxMembersPerRequest: 3})
	a := create(t, h, "a@x.com").ID
	g := createGroup(t, h, "Eng", a)
	path := "/scim/v2/Groups/" + g.ID
	cases := []struct {
		name     string
		op       string
		status   int
		scimType string
		detail   string
	}{
		{"unknown member", addMembers(a, "nope-1", "nope-2"), 400, "invalidValue", `"nope-1", "nope-2"`},
		{"remove displayName", `{"op":"remove","path":"displayName"}`, 400, "mutability", `Operations[0]: attribute "displayName" is required`},
		{"empty displayName", `{"op":"replace","path":"displayName","value":""}`, 400, "invalidValue", "cannot be empty"},
		{"remove by type", `{"op":"remove","path":"members[type eq \"User\"]"}`, 400, "invalidFilter", "by value only"},
		{"add to a filter", `{"op":"add","path":` + memberPath(a) + `,"value":[{"value":` + quote(a) + `}]}`, 400, "invalidPath", "can only be removed"},
		{"a member's sub-attribute", `{"op":"replace","path":"members.type","value":"Group"}`, 400, "invalidPath", "cannot be changed"},
		{"read-only id", `{"op":"replace","path":"id","value":"x"}`, 400, "mutability", "read-only"},
		{"mis-cased name", `{"op":"replace","path":"DisplayName","value":"x"}`, 400, "invalidPath", `use "displayName"`},
		{"member without value", `{"op":"add","path":"members","value":[{"display":"a"}]}`, 400, "invalidValue", `has no "value"`},
		{"member of a bad type", `{"op":"add","path":"members","value":[{"value":` + quote(a) + `,"type":"Robot"}]}`, 400, "invalidValue", `"User" or "Group"`},
		{"members not a list", `{"op":"add","path":"members","value":"x"}`, 400, "invalidValue", "array of members"},
		{"too many members", addMembers(a, a, a, a), 413, "", "more than 3 group members"},
		{"itself", `{"op":"add","path":"members","value":[{"value":` + quote(g.ID) + `,"type":"Group"}]}`, 400, "invalidValue", "member of itself"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := wantError(t, do(t, h, "PATCH", path, patchBody(tc.op)), tc.status, tc.scimType)
			if !strings.Contains(e.Detail, tc.detail) {
				t.Errorf("detail %q does not say %q", e.Detail, tc.detail)
			}
		})
	}
	if got := getGroup(t, h, g.ID); got.DisplayName != "Eng" || !slices.Equal(got.memberIDs(), []string{a}) || got.Meta["version"] != g.Meta["version"] {
		t.Errorf("a refused PATCH changed the group: %+v", got)
	}
}

func TestGroupCreateAndReplaceErrors(t *testing.T) {
	h, _ := newGroupHandler(t, scim.Config{})
	wantError(t, do(t, h, "POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]}`), 400, "invalidValue")
	wantError(t, do(t, h, "POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"displayName":"x"}`), 400, "invalidSyntax")
	wantError(t, do(t, h, "POST", "/scim/v2/Groups", groupBody("Eng", "nobody")), 400, "invalidValue")
	e := wantError(t, do(t, h, "POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayname":"x"}`), 400, "invalidSyntax")
	if !strings.Contains(e.Detail, `"displayName"`) {
		t.Errorf("a mis-cased name's error does not name the right spelling: %s", e.Detail)
	}
	rec := do(t, h, "GET", "/scim/v2/Groups", "")
	if l := decodeList(t, rec); l.TotalResults != 0 {
		t.Errorf("refused creates stored %d groups", l.TotalResults)
	}
	wantError(t, do(t, h, "PUT", "/scim/v2/Groups/nope", groupBody("Eng")), 404, "")
	wantError(t, do(t, h, "PATCH", "/scim/v2/Groups/nope", patchBody(`{"op":"replace","path":"displayName","value":"x"}`)), 404, "")
	wantError(t, do(t, h, "DELETE", "/scim/v2/Groups/nope", ""), 404, "")
}

func TestGroupETags(t *testing.T) {
	h, _ := newGroupHandler(t, scim.Config{})
	g := createGroup(t, h, "Eng")
	path := "/scim/v2/Groups/" + g.ID
	v1 := g.Meta["version"]
	if rec := do(t, h, "GET", path, "", "If-None-Match", v1); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with the current version: %d", rec.Code)
	}
	rename := patchBody(`{"op":"replace","path":"displayName","value":"Eng Team"}`)
	if rec := do(t, h, "PATCH", path, rename, "If-Match", v1); rec.Code != http.StatusNoContent {
		t.Fatalf("If-Match with the current version: %d %s", rec.Code, rec.Body)
	}
	wantError(t, do(t, h, "PATCH", path, patchBody(`{"op":"replace","path":"displayName","value":"Other"}`), "If-Match", v1), http.StatusPreconditionFailed, "")
	wantError(t, do(t, h, "PUT", path, groupBody("Other"), "If-Match", v1), http.StatusPreconditionFailed, "")
	if e := wantError(t, do(t, h, "DELETE", path, "", "If-Match", v1), http.StatusPreconditionFailed, ""); strings.Contains(e.Detail, "user") {
		t.Errorf("a group's 412 speaks of a user: %s", e.Detail)
	}
	if got := getGroup(t, h, g.ID); got.DisplayName != "Eng Team" {
		t.Errorf("a 412 changed the group: %q", got.DisplayName)
	}
	cur := getGroup(t, h, g.ID).Meta["version"]
	if rec := do(t, h, "DELETE", path, "", "If-Match", cur); rec.Code != http.StatusNoContent {
		t.Errorf("DELETE with the current version: %d %s", rec.Code, rec.Body)
	}
}

// Entra ID sends excludedAttributes=members on every group read and
// lookup: none of them may load a member (the store is told so).
func TestExcludedMembersNeverLoaded(t *testing.T) {
	h, st := newGroupHandler(t, scim.Config{})
	a := create(t, h, "a@x.com").ID
	g := createGroup(t, h, "Eng", a)
	st.memberReads.Store(0)
	for _, target := range []string{
		"/scim/v2/Groups/" + g.ID + "?excludedAttributes=members",
		"/scim/v2/Groups?excludedAttributes=members&filter=displayName%20eq%20%22eng%22",
		"/scim/v2/Groups?attributes=displayName",
		"/scim/v2/Groups/" + g.ID + "?attributes=externalId",
	} {
		rec := do(t, h, "GET", target, "")
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"members"`) {
			t.Errorf("GET %s: %d %s", target, rec.Code, rec.Body)
		}
	}
	if rec := do(t, h, "PATCH", "/scim/v2/Groups/"+g.ID, patchBody(addMembers(a))); rec.Code != http.StatusNoContent {
		t.Errorf("PATCH: %d", rec.Code)
	}
	if n := st.memberReads.Load(); n != 0 {
		t.Errorf("%d reads loaded members", n)
	}
	// Asked for, they come back: a PATCH with attributes answers 200.
	rec := do(t, h, "PATCH", "/scim/v2/Groups/"+g.ID+"?attributes=members", patchBody(addMembers(a)))
	if got := decodeGroup(t, rec, http.StatusOK); !slices.Equal(got.memberIDs(), []string{a}) || got.DisplayName != "" {
		t.Errorf("PATCH ?attributes=members answered %+v", got)
	}
}

func TestGroupFilters(t *testing.T) {
	h, _ := newGroupHandler(t, scim.Config{})
	a, b := create(t, h, "a@x.com").ID, create(t, h, "b@x.com").ID
	eng := createGroup(t, h, "Eng", a)
	ops := createGroup(t, h, "Ops", a, b)
	do(t, h, "PATCH", "/scim/v2/Groups/"+ops.ID, patchBody(`{"op":"add","path":"externalId","value":"ext-ops"}`))
	cases := []struct {
		filter string
		want   []string
	}{
		{`displayName eq "ENG"`, []string{eng.ID}},
		{`externalId eq "ext-ops"`, []string{ops.ID}},
		{`externalId eq "EXT-OPS"`, nil},
		{`id eq "` + eng.ID + `"`, []string{eng.ID}},
		{`members[value eq "` + a + `"]`, []string{eng.ID, ops.ID}},
		{`members.value eq "` + b + `"`, []string{ops.ID}},
		{`members eq "` + b + `"`, []string{ops.ID}},
		{`displayName eq "Eng" or displayName eq "Ops"`, []string{eng.ID, ops.ID}},
		{`members.value eq "` + a + `" and displayName sw "O"`, []string{ops.ID}},
		{`not (displayName eq "Eng")`, []string{ops.ID}},
	}
	for _, tc := range cases {
		rec := do(t, h, "GET", "/scim/v2/Groups?excludedAttributes=members&filter="+strings.ReplaceAll(tc.filter, " ", "%20"), "")
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", tc.filter, rec.Code, rec.Body)
		}
		var l struct {
			TotalResults int
			Resources    []groupJSON
		}
		json.Unmarshal(rec.Body.Bytes(), &l)
		var got []string
		for _, g := range l.Resources {
			got = append(got, g.ID)
		}
		if !slices.Equal(got, tc.want) || l.TotalResults != len(tc.want) {
			t.Errorf("%s: %v (total %d), want %v", tc.filter, got, l.TotalResults, tc.want)
		}
	}
	wantError(t, do(t, h, "GET", "/scim/v2/Groups?filter=userName%20eq%20%22x%22", ""), 400, "invalidFilter")
	wantError(t, do(t, h, "GET", "/scim/v2/Groups?excludedAttributes=Members", ""), 400, "invalidValue")
}

// A page of groups never embeds more than MaxListMembers members; a
// group that would pass the budget is listed without them.
func TestListMembersBudget(t *testing.T) {
	h, _ := newGroupHandler(t, scim.Config{MaxListMembers: 3})
	a, b := create(t, h, "a@x.com").ID, create(t, h, "b@x.com").ID
	createGroup(t, h, "One", a, b)
	createGroup(t, h, "Two", a, b)
	l := struct{ Resources []groupJSON }{}
	json.Unmarshal(do(t, h, "GET", "/scim/v2/Groups", "").Body.Bytes(), &l)
	if len(l.Resources) != 2 || len(l.Resources[0].Members) != 2 || l.Resources[1].Members != nil {
		t.Errorf("page: %+v", l.Resources)
	}
}

// Entra ID and Okta send membership PATCHes to one group in parallel:
// none may be lost.
func TestConcurrentMembershipPatches(t *testing.T) {
	h, _ := newGroupHandler(t, scim.Config{})
	g := createGroup(t, h, "Eng")
	const n = 50
	ids := make([]string, n)
	for i := range ids {
		ids[i] = create(t, h, fmt.Sprintf("u%02d@x.com", i)).ID
	}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			if rec := do(t, h, "PATCH", "/scim/v2/Groups/"+g.ID, patchBody(addMembers(id))); rec.Code != http.StatusNoContent {
				t.Errorf("PATCH: %d %s", rec.Code, rec.Body)
			}
		})
	}
	wg.Wait()
	if got := getGroup(t, h, g.ID).memberIDs(); len(got) != n {
		t.Errorf("%d members after %d parallel adds", len(got), n)
	}
}

// The user's groups are served on GET of one user, and in lists only
// when attributes names them.
func TestUserGroupsAttribute(t *testing.T) {
	h, st := newGroupHandler(t, scim.Config{})
	a := create(t, h, "a@x.com").ID
	g := createGroup(t, h, "Eng", a)
	rec := do(t, h, "GET", "/scim/v2/Users/"+a, "")
	if !strings.Contains(rec.Body.String(), `"groups":[{"value":"`+g.ID+`"`) {
		t.Errorf("GET /Users/{id} has no groups: %s", rec.Body)
	}
	st.userGroups.Store(0)
	for _, target := range []string{"/scim/v2/Users", "/scim/v2/Users?filter=userName%20eq%20%22a@x.com%22"} {
		if rec := do(t, h, "GET", target, ""); strings.Contains(rec.Body.String(), `"groups"`) {
			t.Errorf("GET %s computed groups: %s", target, rec.Body)
		}
	}
	if n := st.userGroups.Load(); n != 0 {
		t.Errorf("lists computed groups %d times", n)
	}
	rec = do(t, h, "GET", "/scim/v2/Users?attributes=userName,groups", "")
	if !strings.Contains(rec.Body.String(), `"groups":[{"value":"`+g.ID+`"`) || strings.Contains(rec.Body.String(), `"emails"`) {
		t.Errorf("attributes=userName,groups: %s", rec.Body)
	}
	// Okta's user PUT sends groups back: ignored, never an error, never a
	// membership change.
	rec = do(t, h, "PUT", "/scim/v2/Users/"+a, minimalUser("a@x.com", `,"groups":[]`))
	if rec.Code != http.StatusOK || !slices.Equal(getGroup(t, h, g.ID).memberIDs(), []string{a}) {
		t.Errorf("PUT with groups:[]: %d %s", rec.Code, rec.Body)
	}
	// Deleting the user removes it from every group.
	if rec := do(t, h, "DELETE", "/scim/v2/Users/"+a, ""); rec.Code != http.StatusNoContent {
		t.Fatal(rec.Code)
	}
	if got := getGroup(t, h, g.ID); len(got.Members) != 0 || got.Meta["version"] == g.Meta["version"] {
		t.Errorf("after deleting its member the group is %+v", got)
	}
}

func TestUserProjection(t *testing.T) {
	h, _ := newGroupHandler(t, scim.Config{})
	u := create(t, h, "a@x.com")
	cases := []struct {
		query      string
		has, lacks []string
	}{
		{"attributes=userName", []string{`"id"`, `"userName"`, `"schemas"`}, []string{`"name"`, `"emails"`, `"meta"`, `"active"`}},
		{"attributes=name.givenName", []string{`"name":{"givenName":"Ann"}`}, []string{`familyName`, `"userName"`}},
		{"attributes=emails.value,meta.version", []string{`"emails":[{"value":"ann@example.com"}]`, `"meta":{"version"`}, []string{`"type"`, `"created"`}},
		{"excludedAttributes=name.familyName,emails,meta", []string{`"name":{"givenName":"Ann"}`, `"userName"`, `"active"`}, []string{`familyName`, `"emails"`, `"meta"`}},
		{"excludedAttributes=id", []string{`"id"`}, nil},
		{"attributes=urn:ietf:params:scim:schemas:core:2.0:User:userName", []string{`"userName"`}, []string{`"active"`}},
	}
	for _, tc := range cases {
		for _, target := range []string{"/scim/v2/Users/" + u.ID + "?" + tc.query, "/scim/v2/Users?" + tc.query} {
			rec := do(t, h, "GET", target, "")
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
			}
			for _, s := range tc.has {
				if !strings.Contains(rec.Body.String(), s) {
					t.Errorf("%s: no %s in %s", target, s, rec.Body)
				}
			}
			for _, s := range tc.lacks {
				if strings.Contains(rec.Body.String(), s) {
					t.Errorf("%s: %s in %s", target, s, rec.Body)
				}
			}
		}
	}
	e := wantError(t, do(t, h, "GET", "/scim/v2/Users?attributes=username", ""), 400, "invalidValue")
	if !strings.Contains(e.Detail, `"userName"`) {
		t.Errorf("detail %q does not name the right spelling", e.Detail)
	}
	if rec := do(t, h, "GET", "/scim/v2/Users?attributes=noSuchThing", ""); rec.Code != http.StatusOK {
		t.Errorf("an unknown attribute in attributes is ignored like an unknown attribute in a body: %d", rec.Code)
	}
}

// A group of many members streams out in chunks and is read back whole.
func TestLargeGroup(t *testing.T) {
	h, _ := newGroupHandler(t, scim.Config{})
	const n = 3000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = create(t, h, fmt.Sprintf("u%04d@x.com", i)).ID
	}
	g := createGroup(t, h, "All")
	for i := 0; i < n; i += 1000 {
		if rec := do(t, h, "PATCH", "/scim/v2/Groups/"+g.ID, patchBody(addMembers(ids[i:i+1000]...))); rec.Code != http.StatusNoContent {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
	got := getGroup(t, h, g.ID).memberIDs()
	want := slices.Clone(ids)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%d members back, want %d", len(got), n)
	}
}

// Group changes reach the AfterGroupChange hook and the activity log.
func TestGroupEvents(t *testing.T) {
	log := activitylog.New(100, nil)
	var events []scim.GroupEvent
	var mu sync.Mutex
	h, _ := newGroupHandler(t, scim.Config{Activity: log, Hooks: scim.Hooks{AfterGroupChange: func(_ context.Context, e scim.GroupEvent) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}}})
	a := create(t, h, "a@x.com").ID
	g := createGroup(t, h, "Eng")
	do(t, h, "PATCH", "/scim/v2/Groups/"+g.ID, patchBody(addMembers(a)))
	do(t, h, "DELETE", "/scim/v2/Groups/"+g.ID, "")
	if len(events) != 3 || events[0].Kind != scim.EventCreated || events[1].Kind != scim.EventUpdated ||
		len(events[1].Added) != 1 || events[1].Added[0].Value != a || events[2].Kind != scim.EventDeleted || events[2].Group.ID != g.ID {
		t.Errorf("events: %+v", events)
	}
	page, err := log.Activities(context.Background(), activitylog.Query{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []scim.ActivityKind
	for _, a := range page.Activities {
		kinds = append(kinds, a.Kind)
	}
	want := []scim.ActivityKind{scim.ActivityGroupDeleted, scim.ActivityGroupUpdated, scim.ActivityGroupCreated, scim.ActivityCreated}
	if !slices.Equal(kinds, want) {
		t.Errorf("activity log kinds %v, want %v", kinds, want)
	}
}

// goneGroups answers every Group read with a *scim.Error of its own.
type goneGroups struct{ *memstore.Store }

func (goneGroups) Group(context.Context, string, bool) (*scim.Group, error) {
	return nil, &scim.Error{Status: http.StatusGone, Detail: "gone for good", Err: scim.ErrNotFound}
}

// A Store's own *Error chooses the response on /Groups as on /Users (see
// Error): it is not re-worded as the sentinel it wraps.
func TestGroupStoreErrorWrittenAsIs(t *testing.T) {
	h, err := scim.NewHandler(goneGroups{memstore.New()}, scim.Config{Authenticator: scim.SkipAuthentication})
	if err != nil {
		t.Fatal(err)
	}
	if e := wantError(t, do(t, h, "GET", "/scim/v2/Groups/x", ""), http.StatusGone, ""); e.Detail != "gone for good" {
		t.Errorf("detail %q", e.Detail)
	}
}
