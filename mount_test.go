package scim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimkit/scim"
)

// TestMount serves the handler in each way a host mounts it, over a real
// server so that RequestURI is what a client sent, and checks meta.location
// and Location for a created user, and meta.location of the discovery
// documents.
func TestMount(t *testing.T) {
	tests := []struct {
		name  string
		cfg   scim.Config
		mount func(h http.Handler) http.Handler
		base  string // the mount path the client uses
	}{
		{"StripPrefix", scim.Config{}, func(h http.Handler) http.Handler {
			mux := http.NewServeMux()
			mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
			return mux
		}, "/scim/v2"},
		{"StripPrefix with trailing slash", scim.Config{}, func(h http.Handler) http.Handler {
			return http.StripPrefix("/scim/v2/", h)
		}, "/scim/v2"},
		// chi's Mount leaves r.URL.Path whole; a ServeMux pattern without
		// stripping does the same.
		{"whole path like chi Mount", scim.Config{}, func(h http.Handler) http.Handler {
			mux := http.NewServeMux()
			mux.Handle("/scim/v2/", h)
			return mux
		}, "/scim/v2"},
		{"BasePath on a ServeMux", scim.Config{BasePath: "/scim/v2"}, func(h http.Handler) http.Handler {
			mux := http.NewServeMux()
			mux.Handle("/scim/v2/", h)
			return mux
		}, "/scim/v2"},
		{"BasePath and StripPrefix", scim.Config{BasePath: "/scim/v2"}, func(h http.Handler) http.Handler {
			return http.StripPrefix("/scim/v2", h)
		}, "/scim/v2"},
		{"root", scim.Config{}, func(h http.Handler) http.Handler { return h }, ""},
		{"per-tenant prefix", scim.Config{}, func(h http.Handler) http.Handler {
			mux := http.NewServeMux()
			mux.Handle("/scim/v2/{tenant}/", h)
			return mux
		}, "/scim/v2/acme"},
		{"deep StripPrefix", scim.Config{}, func(h http.Handler) http.Handler {
			return http.StripPrefix("/api/scim/v2", h)
		}, "/api/scim/v2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := newHandler(t, tt.cfg)
			srv := httptest.NewServer(tt.mount(h))
			defer srv.Close()
			base := srv.URL + tt.base

			res := send(t, "POST", base+"/Users", minimalUser("ann@example.com", ""))
			var u userJSON
			readJSON(t, res, http.StatusCreated, &u)
			want := base + "/Users/" + u.ID
			if u.Meta.Location != want {
				t.Errorf("meta.location %q, want %q", u.Meta.Location, want)
			}
			if loc := res.Header.Get("Location"); loc != want {
				t.Errorf("Location %q, want %q", loc, want)
			}

			res = send(t, "GET", want, "")
			readJSON(t, res, http.StatusOK, &u)
			if u.Meta.Location != want {
				t.Errorf("GET: meta.location %q, want %q", u.Meta.Location, want)
			}

			res = send(t, "GET", base+"/Users?filter="+urlQuery(`userName eq "ANN@example.com"`), "")
			var l listJSON
			readJSON(t, res, http.StatusOK, &l)
			if len(l.Resources) != 1 || !strings.Contains(string(l.Resources[0]), `"location":"`+want+`"`) {
				t.Errorf("list: want one user at %s: %s", want, l.Resources)
			}

			for path, loc := range map[string]string{
				"/ServiceProviderConfig":   base + "/ServiceProviderConfig",
				"/ResourceTypes/User":      base + "/ResourceTypes/User",
				"/Schemas/" + scim.UserURN: base + "/Schemas/" + scim.UserURN,
			} {
				var doc struct{ Meta struct{ Location string } }
				readJSON(t, send(t, "GET", base+path, ""), http.StatusOK, &doc)
				if doc.Meta.Location != loc {
					t.Errorf("%s: meta.location %q, want %q", path, doc.Meta.Location, loc)
				}
			}
		})
	}
}

// TestBasePathOutside checks that with a BasePath a request outside it is
// a SCIM 404.
func TestBasePathOutside(t *testing.T) {
	h, _ := newHandler(t, scim.Config{BasePath: "/scim/v2"})
	for _, target := range []string{"/Users", "/other/Users", "/scim/v2x/Users", "/scim/v2"} {
		t.Run(target, func(t *testing.T) {
			wantError(t, do(t, h, "GET", target, ""), http.StatusNotFound, "")
		})
	}
}

// TestBaseURL checks that Config.BaseURL replaces scheme and host (behind a
// proxy) and keeps the mount path.
func TestBaseURL(t *testing.T) {
	tests := []struct {
		name, baseURL, target, want string
	}{
		{"origin only", "https://app.example.com", "/scim/v2/Users", "https://app.example.com/scim/v2/Users/"},
		{"trailing slash", "https://app.example.com/", "/scim/v2/Users", "https://app.example.com/scim/v2/Users/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := newHandler(t, scim.Config{BaseURL: tt.baseURL})
			u := decodeUser(t, do(t, h, "POST", tt.target, minimalUser("ann", "")), 201)
			if u.Meta.Location != tt.want+u.ID {
				t.Errorf("meta.location %q, want %q", u.Meta.Location, tt.want+u.ID)
			}
		})
	}
}

// TestTLSLocation checks that a request over TLS gets https locations.
func TestTLSLocation(t *testing.T) {
	h, _ := newHandler(t, scim.Config{})
	srv := httptest.NewTLSServer(http.StripPrefix("/scim/v2", h))
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/scim/v2/Users", strings.NewReader(minimalUser("ann", "")))
	req.Header.Set("Content-Type", "application/scim+json")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var u userJSON
	readJSON(t, res, 201, &u)
	if !strings.HasPrefix(u.Meta.Location, "https://") || u.Meta.Location != res.Header.Get("Location") {
		t.Errorf("meta.location %q, Location %q: want https and equal", u.Meta.Location, res.Header.Get("Location"))
	}
}

func send(t testing.TB, method, url, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func readJSON(t testing.TB, res *http.Response, status int, v any) {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d: %s", res.Request.Method, res.Request.URL, res.StatusCode, status, b)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/scim+json" {
		t.Errorf("Content-Type %q", ct)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}

func urlQuery(s string) string {
	return strings.NewReplacer(" ", "%20", `"`, "%22", "@", "%40", "[", "%5B", "]", "%5D").Replace(s)
}

// TestBasePathWithoutRequestURI checks a request built by hand, as host
// tests and some serverless adapters do: RequestURI is empty, so only
// BasePath can tell the mount path.
func TestBasePathWithoutRequestURI(t *testing.T) {
	h, _ := newHandler(t, scim.Config{BasePath: "/scim/v2"})
	r, _ := http.NewRequest("POST", "http://app.example.com/scim/v2/Users", strings.NewReader(minimalUser("ann", "")))
	r.Header.Set("Content-Type", "application/scim+json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	u := decodeUser(t, rec, 201)
	if want := "http://app.example.com/scim/v2/Users/" + u.ID; u.Meta.Location != want {
		t.Errorf("meta.location %q, want %q", u.Meta.Location, want)
	}
}
