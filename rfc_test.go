package scim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

func newRFCHandler(t testing.TB) http.Handler {
	t.Helper()
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Profile: scim.ProfileRFC})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// subset reports where want is not contained in got: every member of an
// object, every element of an array (in order), equal leaves.
func subset(want, got any, at string) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %v, want an object", at, got)}
		}
		var diffs []string
		for k, v := range w {
			diffs = append(diffs, subset(v, g[k], at+"."+k)...)
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: %v, want %v", at, got, want)}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, subset(w[i], g[i], fmt.Sprintf("%s[%d]", at, i))...)
		}
		return diffs
	}
	if !reflect.DeepEqual(want, got) {
		return []string{fmt.Sprintf("%s: %v, want %v", at, got, want)}
	}
	return nil
}

func readJSONFile(t testing.TB, file string) (string, map[string]any) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return string(data), m
}

func decodeAny(t testing.TB, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return m
}

// The RFC profile round-trips RFC 7643 §8.2's full user and §8.3's
// enterprise user: create, read, replace, list, search by filter and
// delete, every attribute unchanged (password accepted, never returned).
func TestRFCProfileRoundTrip(t *testing.T) {
	for _, file := range []string{"testdata/rfc/full-user.json", "testdata/rfc/enterprise-user.json"} {
		t.Run(file, func(t *testing.T) {
			h := newRFCHandler(t)
			body, want := readJSONFile(t, file)
			delete(want, "password")
			rec := do(t, h, "POST", "/scim/v2/Users", body)
			if rec.Code != http.StatusCreated {
				t.Fatalf("create: %d %s", rec.Code, rec.Body)
			}
			created := decodeAny(t, rec.Body.Bytes())
			if strings.Contains(rec.Body.String(), "password") || strings.Contains(rec.Body.String(), "t1meMa$heen") {
				t.Errorf("the password is echoed: %s", rec.Body)
			}
			for _, d := range subset(want, created, "create") {
				t.Error(d)
			}
			id := created["id"].(string)
			got := decodeAny(t, do(t, h, "GET", "/scim/v2/Users/"+id, "").Body.Bytes())
			for _, d := range subset(want, got, "get") {
				t.Error(d)
			}
			rec = do(t, h, "PUT", "/scim/v2/Users/"+id, body)
			if rec.Code != http.StatusOK {
				t.Fatalf("replace: %d %s", rec.Code, rec.Body)
			}
			replaced := decodeAny(t, rec.Body.Bytes())
			for _, d := range subset(want, replaced, "replace") {
				t.Error(d)
			}
			if replaced["meta"].(map[string]any)["version"] != created["meta"].(map[string]any)["version"] {
				t.Errorf("a PUT that changes nothing changed the version: %v → %v", created["meta"], replaced["meta"])
			}
			filter := `userName eq "` + want["userName"].(string) + `" and externalId eq "` + want["externalId"].(string) + `"`
			list := decodeAny(t, do(t, h, "GET", "/scim/v2/Users?filter="+strings.ReplaceAll(filter, " ", "%20"), "").Body.Bytes())
			if list["totalResults"] != 1.0 {
				t.Fatalf("list: %v", list)
			}
			for _, d := range subset(want, list["Resources"].([]any)[0], "list") {
				t.Error(d)
			}
			if rec := do(t, h, "DELETE", "/scim/v2/Users/"+id, ""); rec.Code != http.StatusNoContent {
				t.Errorf("delete: %d", rec.Code)
			}
		})
	}
}

// Every attribute of the full user is filterable.
func TestRFCProfileFilters(t *testing.T) {
	h := newRFCHandler(t)
	full, _ := readJSONFile(t, "testdata/rfc/full-user.json")
	ent, _ := readJSONFile(t, "testdata/rfc/enterprise-user.json")
	do(t, h, "POST", "/scim/v2/Users", full)
	do(t, h, "POST", "/scim/v2/Users", ent)
	for _, tc := range []struct {
		filter string
		want   int
	}{
		{`emails[type eq "home"].value eq "babs@jensen.org"`, 1},
		{`emails.value eq "BABS@jensen.org"`, 1},
		{`emails.value eq "bjensen.ent@example.com"`, 1},
		{`addresses[type eq "work" and locality eq "Hollywood"]`, 1},
		{`addresses.postalCode sw "916"`, 1},
		{`phoneNumbers[type eq "mobile"].value eq "555-555-4444"`, 1},
		{`name.formatted co "Barbara J"`, 2},
		{`name.middleName eq "jane"`, 1},
		{`title eq "tour guide"`, 2},
		{`nickName pr`, 1},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701985"`, 1},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`, 1},
		{`USERNAME eq "bjensen@example.com"`, 1},
		{`entitlements[primary eq true]`, 1},
	} {
		rec := do(t, h, "GET", "/scim/v2/Users?filter="+strings.ReplaceAll(strings.ReplaceAll(tc.filter, " ", "%20"), `"`, "%22"), "")
		if rec.Code != http.StatusOK {
			t.Errorf("%s: %d %s", tc.filter, rec.Code, rec.Body)
			continue
		}
		if got := decodeAny(t, rec.Body.Bytes())["totalResults"]; got != float64(tc.want) {
			t.Errorf("%s: %v results, want %d", tc.filter, got, tc.want)
		}
	}
}

// PATCH reaches every attribute of the full user, in the shapes a generic
// client and Entra ID send.
func TestRFCProfilePatch(t *testing.T) {
	h := newRFCHandler(t)
	full, _ := readJSONFile(t, "testdata/rfc/full-user.json")
	id := decodeAny(t, do(t, h, "POST", "/scim/v2/Users", full).Body.Bytes())["id"].(string)
	path := "/scim/v2/Users/" + id
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	cases := []struct {
		name string
		op   string
		want map[string]any // members of the user after the op (subset)
		lack []string       // substrings the user must not have
	}{
		{"replace a phone by filter", `{"op":"replace","path":"phoneNumbers[type eq \"work\"].value","value":"555-000-0000"}`,
			map[string]any{"phoneNumbers": []any{map[string]any{"value": "555-000-0000", "type": "work"}, map[string]any{"value": "555-555-4444", "type": "mobile"}}}, nil},
		{"add a fax creates it", `{"op":"add","path":"phoneNumbers[type eq \"fax\"].value","value":"555-111-1111"}`,
			nil, nil},
		{"remove the home address", `{"op":"remove","path":"addresses[type eq \"home\"]"}`, nil, []string{"456 Hollywood"}},
		{"a new primary email demotes the old", `{"op":"add","path":"emails","value":[{"value":"new@example.com","type":"other","primary":true}]}`, nil, nil},
		{"name.formatted", `{"op":"replace","path":"name.formatted","value":"Barbara Jensen"}`,
			map[string]any{"name": map[string]any{"formatted": "Barbara Jensen", "givenName": "Barbara", "middleName": "Jane"}}, nil},
		{"remove nickName", `{"op":"remove","path":"nickName"}`, nil, []string{"nickName"}},
		{"title, mis-cased (names are case-insensitive)", `{"op":"Replace","path":"TITLE","value":"Guide"}`, map[string]any{"title": "Guide"}, nil},
		{"manager as a bare string (Entra ID)", `{"op":"Add","path":"` + ent + `:manager","value":"m-1"}`,
			map[string]any{ent: map[string]any{"manager": map[string]any{"value": "m-1"}}}, nil},
		{"enterprise department path-less", `{"op":"replace","value":{"` + ent + `:department":"Ops"}}`,
			map[string]any{ent: map[string]any{"department": "Ops"}}, nil},
		{"remove roles by value", `{"op":"remove","path":"roles","value":[{"value":"Guide"}]}`, nil, []string{`"roles"`}},
	}
	for _, tc := range cases {
		rec := do(t, h, "PATCH", path, patchBody(tc.op))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
		got := decodeAny(t, rec.Body.Bytes())
		for _, d := range subset(tc.want, got, tc.name) {
			t.Error(d)
		}
		for _, s := range tc.lack {
			if strings.Contains(rec.Body.String(), s) {
				t.Errorf("%s: %s still in %s", tc.name, s, rec.Body)
			}
		}
	}
	got := decodeAny(t, do(t, h, "GET", path, "").Body.Bytes())
	primaries := 0
	for _, e := range got["emails"].([]any) {
		if e.(map[string]any)["primary"] == true {
			primaries++
		}
	}
	if primaries != 1 {
		t.Errorf("%d primary emails: %v", primaries, got["emails"])
	}
	if !strings.Contains(fmt.Sprint(got["phoneNumbers"]), "555-111-1111") {
		t.Errorf("the fax was not created: %v", got["phoneNumbers"])
	}
	for _, bad := range []struct{ op, scimType string }{
		{`{"op":"replace","path":"noSuchAttribute","value":"x"}`, "invalidPath"},
		{`{"op":"replace","path":"phoneNumbers.value","value":"x"}`, "invalidPath"},
		{`{"op":"replace","path":"emails","value":[{"value":"a@x","primary":true},{"value":"b@x","primary":true}]}`, "invalidValue"},
		{`{"op":"replace","path":"addresses[type eq \"moon\"]","value":{"locality":"x"}}`, "noTarget"},
	} {
		wantError(t, do(t, h, "PATCH", path, patchBody(bad.op)), http.StatusBadRequest, bad.scimType)
	}
}

// The RFC profile advertises the whole schema; the strict profile what it
// keeps, and Keep opts in by name.
func TestProfilesSchemas(t *testing.T) {
	rfc := newRFCHandler(t)
	body := do(t, rfc, "GET", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", "").Body.String()
	for _, attr := range []string{"nickName", "addresses", "x509Certificates", "honorificSuffix", "ims"} {
		if !strings.Contains(body, `"name":"`+attr+`"`) {
			t.Errorf("the RFC profile's /Schemas lacks %s", attr)
		}
	}
	if rec := do(t, rfc, "GET", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", ""); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "manager") {
		t.Errorf("the RFC profile serves no enterprise schema: %d", rec.Code)
	}
	// Only userName is required.
	if rec := do(t, rfc, "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"solo"}`); rec.Code != http.StatusCreated {
		t.Errorf("a user with only userName: %d %s", rec.Code, rec.Body)
	}

	strict, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Keep: []string{"title", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}})
	if err != nil {
		t.Fatal(err)
	}
	body = do(t, strict, "GET", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", "").Body.String()
	if !strings.Contains(body, `"name":"title"`) || strings.Contains(body, `"name":"nickName"`) || strings.Contains(body, "primarily used for display") {
		t.Errorf("strict /Schemas with Keep title: %s", body)
	}
	ent := do(t, strict, "GET", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "").Body.String()
	if !strings.Contains(ent, "department") || strings.Contains(ent, "costCenter") {
		t.Errorf("strict enterprise schema with Keep department: %s", ent)
	}
	rec := do(t, strict, "POST", "/scim/v2/Users", minimalUser("kept@x.com", `,"title":"Boss","nickName":"dropped","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Ops","costCenter":"dropped"}`))
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"title":"Boss"`) || !strings.Contains(rec.Body.String(), `"department":"Ops"`) || strings.Contains(rec.Body.String(), "dropped") {
		t.Errorf("strict with Keep: %d %s", rec.Code, rec.Body)
	}
	for _, bad := range [][]string{{"nope"}, {"urn:example:x:y"}} {
		if _, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Keep: bad}); err == nil {
			t.Errorf("Keep %v accepted", bad)
		}
	}
	if _, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Profile: scim.ProfileRFC, Keep: []string{"title"}}); err == nil {
		t.Error("Keep with the RFC profile accepted")
	}
}

// Owed in every profile: an email without a type, or only of other
// types, is kept rather than dropped.
func TestEmailsNeverVanish(t *testing.T) {
	h, _ := newHandler(t, scim.Config{})
	for _, emails := range []string{`[{"value":"a@x.com"}]`, `[{"type":"home","value":"a@x.com"}]`} {
		rec := do(t, h, "POST", "/scim/v2/Users", namedUser("u"+emails[3:7], `,"emails":`+emails))
		if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"value":"a@x.com"`) {
			t.Errorf("emails %s: %d %s", emails, rec.Code, rec.Body)
		}
	}
}

// Owed in every profile: PUT of an unknown id is a 404 whatever the body,
// and a PATCH that changes nothing leaves the version alone.
func TestNoChangeNoVersion(t *testing.T) {
	h, _ := newHandler(t, scim.Config{})
	wantError(t, do(t, h, "PUT", "/scim/v2/Users/nope", `{"garbage":`), http.StatusNotFound, "")
	u := create(t, h, "a@x.com")
	rec := do(t, h, "PATCH", "/scim/v2/Users/"+u.ID, patchBody(`{"op":"replace","path":"active","value":true}`, `{"op":"add","path":"userName","value":"a@x.com"}`))
	if rec.Code != http.StatusOK {
		t.Fatal(rec.Code, rec.Body)
	}
	if got := decodeUser(t, rec, http.StatusOK); got.Meta.Version != u.Meta.Version || got.Meta.LastModified != u.Meta.LastModified {
		t.Errorf("a PATCH that changes nothing moved meta from %+v to %+v", u.Meta, got.Meta)
	}
}
