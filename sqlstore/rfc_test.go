package sqlstore_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// The RFC profile over sqlstore: the attributes without a column of their
// own live in the JSON Columns.Attributes, and RFC 7643 §8's full and
// enterprise users round-trip through the handler unchanged.
func TestRFCProfileAttributesColumn(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, _, _ := d.newStore(t, sqlstore.Config{Columns: sqlstore.Columns{Attributes: "attributes"}})
		h, err := scim.NewHandler(s, scim.Config{Authenticator: scim.SkipAuthentication, Profile: scim.ProfileRFC})
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range []string{"../testdata/rfc/full-user.json", "../testdata/rfc/enterprise-user.json"} {
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var want map[string]any
			json.Unmarshal(body, &want)
			delete(want, "password")
			created := serve(t, h, "POST", "/Users", string(body), http.StatusCreated)
			got := serve(t, h, "GET", "/Users/"+created["id"].(string), "", http.StatusOK)
			for k, v := range want {
				if k == "schemas" {
					continue
				}
				if !reflect.DeepEqual(got[k], v) {
					t.Errorf("%s: %s is %v, want %v", file, k, got[k], v)
				}
			}
			patched := serve(t, h, "PATCH", "/Users/"+created["id"].(string),
				`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"Boss"}]}`, http.StatusOK)
			if patched["title"] != "Boss" {
				t.Errorf("PATCH title: %v", patched["title"])
			}
		}
		// Filters on the attributes kept in the JSON column, through the
		// handler: the PATCHed title, the full user's non-work e-mail and
		// phone numbers, the enterprise user's department and manager.
		for _, tt := range []struct{ filter, want string }{
			{`title eq "boss"`, "bjensen.ent@example.com bjensen@example.com"},
			{`emails.value eq "babs@jensen.org"`, "bjensen@example.com"},
			{`emails[type eq "home" and value ew "@JENSEN.ORG"]`, "bjensen@example.com"},
			{`emails[type eq "work"].value eq "bjensen.ent@example.com"`, "bjensen.ent@example.com"},
			{`phoneNumbers[type eq "work" and value co "555"]`, "bjensen@example.com"},
			{`addresses.locality eq "hollywood" and not (nickName eq "Babs")`, ""},
			{`name.formatted sw "ms. barbara"`, "bjensen.ent@example.com bjensen@example.com"},
			{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Tour Operations"`, "bjensen.ent@example.com"},
			{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName co "smith"`, "bjensen.ent@example.com"},
			{`roles.value pr or x509Certificates pr`, "bjensen@example.com"},
		} {
			list := serve(t, h, "GET", "/Users?filter="+url.QueryEscape(tt.filter), "", http.StatusOK)
			var got []string
			rs, _ := list["Resources"].([]any)
			for _, r := range rs {
				got = append(got, r.(map[string]any)["userName"].(string))
			}
			slices.Sort(got)
			if strings.Join(got, " ") != tt.want {
				t.Errorf("filter %s: %v, want %s", tt.filter, got, tt.want)
			}
		}
	})
	// The strict profile keeping title: filtered in the JSON column too,
	// the e-mail lookup on its column (WorkEmailOnly).
	forEachDB(t, func(t *testing.T, d database) {
		s, _, _ := d.newStore(t, sqlstore.Config{Columns: sqlstore.Columns{Attributes: "attributes"}, WorkEmailOnly: true})
		h, err := scim.NewHandler(s, scim.Config{Authenticator: scim.SkipAuthentication, Keep: []string{"title"}})
		if err != nil {
			t.Fatal(err)
		}
		serve(t, h, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann","title":"Tour Guide",
			"name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"value":"ann@example.com","type":"work","primary":true}]}`, http.StatusCreated)
		for _, f := range []string{`title co "GUIDE"`, `emails[type eq "work" and value eq "ANN@example.com"]`} {
			if list := serve(t, h, "GET", "/Users?filter="+url.QueryEscape(f), "", http.StatusOK); list["totalResults"] != 1.0 {
				t.Errorf("strict profile keeping title, filter %s: %v", f, list)
			}
		}
	})
	// A handler that keeps RFC attributes refuses, at start-up, a store
	// that would drop them.
	forEachDB(t, func(t *testing.T, d database) {
		s, _, _ := d.newStore(t, sqlstore.Config{})
		if _, err := scim.NewHandler(s, scim.Config{Authenticator: scim.SkipAuthentication, Profile: scim.ProfileRFC}); err == nil || !strings.Contains(err.Error(), "Columns.Attributes") {
			t.Errorf("NewHandler over a store without Columns.Attributes: %v", err)
		}
	})
}

func serve(t testing.TB, h http.Handler, method, path, body string, want int) map[string]any {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/scim+json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != want {
		t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
	}
	var m map[string]any
	json.Unmarshal(w.Body.Bytes(), &m)
	return m
}
