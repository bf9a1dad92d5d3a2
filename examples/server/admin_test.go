package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/activitylog"
)

// TestDemoAdmin checks the demo's setup pages: refused without the printed
// password, and each tenant's page shows its own base URL.
func TestDemoAdmin(t *testing.T) {
	mux := http.NewServeMux()
	tokens := scim.NewTokens(nil)
	password, err := mountAdmin(mux, tokens, activitylog.New(0, nil), "http://demo.test/scim/v2", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, user, pass string) (int, string) {
		r := httptest.NewRequest("GET", path, nil)
		if user != "" {
			r.SetBasicAuth(user, pass)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	if code, _ := get("/admin/acme/", "", ""); code != 401 {
		t.Errorf("no password: %d, want 401", code)
	}
	if code, _ := get("/admin/acme/", "admin", password+"x"); code != 401 {
		t.Errorf("wrong password: %d, want 401", code)
	}
	for _, tenant := range tenants {
		code, body := get("/admin/"+tenant+"/", "admin", password)
		if code != 200 || !strings.Contains(body, "http://demo.test/scim/v2/"+tenant) {
			t.Errorf("%s's page: %d", tenant, code)
		}
	}
	if code, body := get("/admin/", "admin", password); code != 200 || !strings.Contains(body, `href="globex/"`) {
		t.Errorf("the index: %d %s", code, body)
	}
	if code, _ := get("/admin/initech/", "admin", password); code != 404 {
		t.Errorf("an unknown tenant's page: %d, want 404", code)
	}
}
