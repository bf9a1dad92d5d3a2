package main

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/activitylog"
	"github.com/scimkit/scim/scimadmin"
)

// mountAdmin mounts each demo tenant's SCIM setup page at /admin/{tenant}/,
// behind HTTP basic authentication with user "admin" and a random password
// made for this run, which it returns for the server to print. A real host
// puts the page behind its own admin sign-in and takes the tenant from the
// signed-in admin's account, never from the URL.
func mountAdmin(mux *http.ServeMux, tokens scim.TokenManager, activity activitylog.Reader, base string, logger *slog.Logger) (password string, err error) {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	password = base64.RawURLEncoding.EncodeToString(b[:])
	admin, err := scimadmin.New(scimadmin.Config{
		Tenant: func(r *http.Request) (string, error) {
			// The path is /admin/{tenant}/…; the mux only routes known tenants here.
			tenant, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/admin/"), "/")
			return tenant, nil
		},
		Tokens:   tokens,
		Activity: activity,
		BaseURL:  func(_ *http.Request, tenant string) string { return base + "/" + tenant },
		Logger:   logger,
	})
	if err != nil {
		return "", err
	}
	guarded := requirePassword(password, admin)
	for _, t := range tenants {
		mux.Handle("/admin/"+t+"/", guarded)
	}
	mux.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/admin/" {
			http.NotFound(w, r)
			return
		}
		requirePassword(password, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!doctype html><title>scimkit demo</title><h1>SCIM setup pages</h1><ul>")
			for _, t := range tenants {
				fmt.Fprintf(w, "<li><a href=\"%s/\">%s</a></li>", t, t)
			}
			fmt.Fprint(w, "</ul>")
		})).ServeHTTP(w, r)
	})
	return password, nil
}

// requirePassword is the demo's stand-in for a host's admin sign-in.
func requirePassword(password string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(user+":"+pass), []byte("admin:"+password)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="scimkit demo admin", charset="UTF-8"`)
			http.Error(w, "the demo's admin pages need user admin and the password the server printed", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
