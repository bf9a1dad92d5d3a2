package scim_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimkit/scim"
)

// newHandler returns a handler over a fresh fakeStore.
func newHandler(t testing.TB, cfg scim.Config) (*scim.Handler, *fakeStore) {
	t.Helper()
	if cfg.Authenticator == nil {
		cfg.Authenticator = scim.SkipAuthentication // what the test is about is not authentication
	}
	st := newFakeStore()
	h, err := scim.NewHandler(st, cfg)
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	return h, st
}

// do serves one request to h as if h were mounted at the root of a server
// and the client asked for target. Header pairs follow the body; a body
// gets Content-Type application/scim+json unless a pair sets another.
func do(t testing.TB, h http.Handler, method, target, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/scim+json")
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

// errorBody is the SCIM error response, decoded strictly.
type errorBody struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType"`
	Detail   string   `json:"detail"`
}

// wantError checks that rec is a SCIM error with status and scimType (""
// means none) and returns its body.
func wantError(t testing.TB, rec *httptest.ResponseRecorder, status int, scimType string) errorBody {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	wantSCIMType(t, rec)
	var e errorBody
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error body is not a SCIM error: %v", err)
	}
	if len(e.Schemas) != 1 || e.Schemas[0] != scim.ErrorURN {
		t.Errorf("error schemas %q, want [%q]", e.Schemas, scim.ErrorURN)
	}
	if e.Status != itoa(status) {
		t.Errorf("error status %q, want %q", e.Status, itoa(status))
	}
	if e.ScimType != scimType {
		t.Errorf("scimType %q, want %q (detail %q)", e.ScimType, scimType, e.Detail)
	}
	if e.Detail == "" {
		t.Error("error has no detail")
	}
	return e
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// wantSCIMType checks the response's Content-Type.
func wantSCIMType(t testing.TB, rec *httptest.ResponseRecorder) {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/scim+json" {
		t.Errorf("Content-Type %q, want application/scim+json", ct)
	}
}

// userJSON is a served user, decoded for assertions.
type userJSON struct {
	Schemas     []string `json:"schemas"`
	ID          string   `json:"id"`
	ExternalID  string   `json:"externalId"`
	UserName    string   `json:"userName"`
	DisplayName string   `json:"displayName"`
	Name        struct {
		GivenName  string `json:"givenName"`
		FamilyName string `json:"familyName"`
	} `json:"name"`
	Emails []struct {
		Value   string `json:"value"`
		Type    string `json:"type"`
		Primary bool   `json:"primary"`
	} `json:"emails"`
	Active *bool `json:"active"`
	Meta   struct {
		ResourceType string `json:"resourceType"`
		Created      string `json:"created"`
		LastModified string `json:"lastModified"`
		Version      string `json:"version"`
		Location     string `json:"location"`
	} `json:"meta"`
	Raw map[string]json.RawMessage `json:"-"`
}

// decodeUser decodes a user response with status want.
func decodeUser(t testing.TB, rec *httptest.ResponseRecorder, want int) userJSON {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status %d, want %d; body %s", rec.Code, want, rec.Body)
	}
	wantSCIMType(t, rec)
	var u userJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &u); err != nil {
		t.Fatalf("user body: %v: %s", err, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &u.Raw); err != nil {
		t.Fatal(err)
	}
	return u
}

// listJSON is a ListResponse of users.
type listJSON struct {
	Schemas      []string          `json:"schemas"`
	TotalResults int               `json:"totalResults"`
	StartIndex   int               `json:"startIndex"`
	ItemsPerPage int               `json:"itemsPerPage"`
	Resources    []json.RawMessage `json:"Resources"`
}

func decodeList(t testing.TB, rec *httptest.ResponseRecorder) listJSON {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", rec.Code, rec.Body)
	}
	wantSCIMType(t, rec)
	var l listJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &l); err != nil {
		t.Fatalf("list body: %v: %s", err, rec.Body)
	}
	if len(l.Schemas) != 1 || l.Schemas[0] != scim.ListResponseURN {
		t.Errorf("list schemas %q", l.Schemas)
	}
	if !strings.Contains(rec.Body.String(), `"Resources":[`) {
		t.Errorf("Resources is not an array: %s", rec.Body)
	}
	return l
}

// userNames returns the userName of each listed user.
func (l listJSON) userNames(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, r := range l.Resources {
		var u userJSON
		if err := json.Unmarshal(r, &u); err != nil {
			t.Fatal(err)
		}
		out = append(out, u.UserName)
	}
	return out
}

// oktaCreate is Okta's create body, exactly as IDP-TRAFFIC.md records it.
const oktaCreate = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local","name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],"displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true}`

// minimalUser returns a create body with the default required attributes
// and extra members spliced in (extra starts with a comma, or is empty).
func minimalUser(userName, extra string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":` + quote(userName) +
		`,"name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"type":"work","value":"ann@example.com"}]` + extra + `}`
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// create posts a minimal user and returns its id.
func create(t testing.TB, h http.Handler, userName string) userJSON {
	t.Helper()
	return decodeUser(t, do(t, h, "POST", "/scim/v2/Users", minimalUser(userName, "")), http.StatusCreated)
}

// namedUser is minimalUser without emails, for tests that send their own.
func namedUser(userName, extra string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":` + quote(userName) +
		`,"name":{"givenName":"Ann","familyName":"Lee"}` + extra + `}`
}
