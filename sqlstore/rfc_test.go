package sqlstore_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
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
		h, err := scim.NewHandler(s, scim.Config{Profile: scim.ProfileRFC})
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
	})
	// A handler that keeps RFC attributes refuses, at start-up, a store
	// that would drop them.
	forEachDB(t, func(t *testing.T, d database) {
		s, _, _ := d.newStore(t, sqlstore.Config{})
		if _, err := scim.NewHandler(s, scim.Config{Profile: scim.ProfileRFC}); err == nil || !strings.Contains(err.Error(), "Columns.Attributes") {
			t.Errorf("NewHandler over a store without Columns.Attributes: %v", err)
		}
	})
}

func serve(t *testing.T, h http.Handler, method, path, body string, want int) map[string]any {
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
