package scimadmin

import (
	"bytes"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/activitylog"
)

// Config configures the setup page. Tenant, Tokens and BaseURL are
// required.
type Config struct {
	// Tenant says which tenant the request is for: the host has
	// authenticated the request by then (the page does no authentication
	// of its own). An error is answered with a 403 and its text is logged;
	// "" is a tenant (a single-tenant host's).
	Tenant func(r *http.Request) (string, error)

	// Tokens issues, lists and revokes the tenant's bearer tokens: a
	// *scim.Tokens, or a database-backed scim.TokenManager such as
	// sqlstore's, which every replica sees.
	Tokens scim.TokenManager

	// Activity is the reading side of the SCIM handler's Config.Activity
	// (a *activitylog.Log, or sqlstore's). Default nil: the page shows no
	// log and no health.
	Activity activitylog.Reader

	// BaseURL returns the SCIM base URL the tenant's identity provider is
	// to call, e.g. "https://app.example.com/scim/v2" or
	// ".../scim/v2/acme" with per-tenant URLs.
	BaseURL func(r *http.Request, tenant string) string

	// CSRFKey signs the page's CSRF tokens. Default: 32 random bytes made
	// by New, which is right for one process; hosts with several replicas
	// behind a load balancer give every replica the same key (at least 32
	// bytes), or a form posted to another replica is refused.
	CSRFKey []byte

	// TokenLifetime is the lifetime preselected for new tokens. Default one
	// year (365 days).
	TokenLifetime time.Duration

	// PageSize is how many events a page of the log shows. Default 25.
	PageSize int

	// Logger receives errors from Tenant, Tokens and Activity. Default
	// slog.Default().
	Logger *slog.Logger

	// Now is the clock for tokens' expiry and statuses. Default time.Now.
	Now func() time.Time
}

// Handler serves the setup page. Make one with New.
type Handler struct {
	cfg    Config
	pages  *template.Template
	static http.Handler
	cop    *http.CrossOriginProtection
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// New validates cfg and returns the page's handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Tenant == nil || cfg.Tokens == nil || cfg.BaseURL == nil {
		return nil, errors.New("scimadmin: Config.Tenant, Config.Tokens and Config.BaseURL are required")
	}
	if cfg.CSRFKey == nil {
		cfg.CSRFKey = make([]byte, 32)
		if _, err := rand.Read(cfg.CSRFKey); err != nil {
			return nil, fmt.Errorf("scimadmin: making a CSRF key: %w", err)
		}
	} else if len(cfg.CSRFKey) < 32 {
		return nil, errors.New("scimadmin: Config.CSRFKey must be at least 32 bytes")
	}
	if cfg.TokenLifetime < 0 || cfg.PageSize < 0 {
		return nil, errors.New("scimadmin: Config.TokenLifetime and Config.PageSize must not be negative")
	}
	if cfg.TokenLifetime == 0 {
		cfg.TokenLifetime = 365 * 24 * time.Hour
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = 25
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	pages, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("scimadmin: templates: %w", err)
	}
	sub, _ := fs.Sub(staticFS, "static")
	return &Handler{cfg: cfg, pages: pages, static: http.FileServerFS(sub), cop: http.NewCrossOriginProtection()}, nil
}

// ServeHTTP serves the page, its forms and its assets. It finds its route
// in the last segment of the path, so that it works at any mount point.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("Referrer-Policy", "same-origin")
	p := r.URL.Path
	if i := strings.LastIndex(p, "/static/"); i >= 0 && r.Method == http.MethodGet {
		name := p[i+len("/static/"):]
		if name == "" || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		hdr.Set("Cache-Control", "no-cache")
		r2 := new(http.Request)
		*r2 = *r
		r2.URL = &url.URL{Path: "/" + name}
		h.static.ServeHTTP(w, r2)
		return
	}
	// Pages hold tokens and personal data: never cached, anywhere.
	hdr.Set("Cache-Control", "no-store")
	tenant, err := h.cfg.Tenant(r)
	if err != nil {
		h.cfg.Logger.WarnContext(r.Context(), "scimadmin: no tenant for the request", "error", err)
		h.fail(w, r, http.StatusForbidden, "This page is not available to you.")
		return
	}
	if r.Method == http.MethodPost {
		if err := h.cop.Check(r); err != nil {
			h.fail(w, r, http.StatusForbidden, "The form was sent from another site and was refused.")
			return
		}
	}
	route := path.Base(p)
	if strings.HasSuffix(p, "/") {
		route = ""
	}
	switch {
	case route == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		h.home(w, r, tenant)
	case route == "log" && r.Method == http.MethodGet:
		h.logFragment(w, r, tenant)
	case route == "tokens" && r.Method == http.MethodPost:
		h.generate(w, r, tenant)
	case route == "revoke" && r.Method == http.MethodGet:
		h.confirmRevoke(w, r, tenant)
	case route == "revoke" && r.Method == http.MethodPost:
		h.revoke(w, r, tenant)
	case route == "tokens" || route == "revoke" || route == "log" || route == "":
		hdr.Set("Allow", map[bool]string{true: "POST", false: "GET"}[route == "tokens"])
		h.fail(w, r, http.StatusMethodNotAllowed, "That action is not available this way.")
	default:
		h.fail(w, r, http.StatusNotFound, "There is no such page.")
	}
}

// render writes a page through a buffer, so that a template error is a
// clean 500 rather than half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := h.pages.ExecuteTemplate(&buf, name, data); err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "scimadmin: rendering", "template", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage is the data of the error page.
type errorPage struct {
	Title, Message string
	Status         int
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, message string) {
	h.render(w, r, status, "error.html", errorPage{Title: http.StatusText(status), Message: message, Status: status})
}

// home is the page: connection, tokens, setup, health and log.
func (h *Handler) home(w http.ResponseWriter, r *http.Request, tenant string) {
	ctx := r.Context()
	tokens, err := h.cfg.Tokens.ListTokens(ctx, tenant)
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "scimadmin: listing tokens", "tenant", tenant, "error", err)
		h.fail(w, r, http.StatusInternalServerError, "The tokens could not be read; try again.")
		return
	}
	v := homePage{
		Tenant:   tenant,
		BaseURL:  h.cfg.BaseURL(r, tenant),
		CSRF:     h.csrfToken(w, r, tenant),
		Lifetime: lifetimeOptions(h.cfg.TokenLifetime),
		Kinds:    scim.ActivityKinds,
	}
	now := h.cfg.Now()
	revoked := r.URL.Query().Get("revoked")
	for _, t := range tokens {
		v.Tokens = append(v.Tokens, tokenRow(t, now))
		// Only a label of the tenant's own revoked tokens: the page never
		// repeats arbitrary text from its URL.
		if revoked != "" && t.Label == revoked && !t.Revoked.IsZero() {
			v.Revoked = revoked
		}
	}
	if h.cfg.Activity != nil {
		v.HasActivity = true
		v.Log, err = h.log(r, tenant)
		if err == nil {
			v.Health, err = h.health(r, tenant, now)
		}
		if err != nil {
			h.cfg.Logger.ErrorContext(ctx, "scimadmin: reading activity", "tenant", tenant, "error", err)
			v.ActivityError = true
		}
	}
	h.render(w, r, http.StatusOK, "home.html", v)
}

// logFragment is the log's section alone, for the script that refreshes
// it.
func (h *Handler) logFragment(w http.ResponseWriter, r *http.Request, tenant string) {
	if h.cfg.Activity == nil {
		h.fail(w, r, http.StatusNotFound, "There is no activity log.")
		return
	}
	v, err := h.log(r, tenant)
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "scimadmin: reading activity", "tenant", tenant, "error", err)
		h.fail(w, r, http.StatusInternalServerError, "The activity log could not be read.")
		return
	}
	h.render(w, r, http.StatusOK, "logtable", v)
}

// log reads one page of the log with the request's filters.
func (h *Handler) log(r *http.Request, tenant string) (logView, error) {
	q := r.URL.Query()
	v := logView{Kind: q.Get("kind"), User: q.Get("user"), Page: 1, Kinds: scim.ActivityKinds}
	if len(v.User) > 200 {
		v.User = v.User[:200]
	}
	known := false
	for _, k := range scim.ActivityKinds {
		known = known || string(k) == v.Kind
	}
	if !known {
		v.Kind = ""
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 && n <= 10000 {
		v.Page = n
	}
	page, err := h.cfg.Activity.Activities(r.Context(), activitylog.Query{Tenant: tenant, Kind: scim.ActivityKind(v.Kind),
		Name: v.User, Offset: (v.Page - 1) * h.cfg.PageSize, Limit: h.cfg.PageSize})
	if err != nil {
		return v, err
	}
	for _, a := range page.Activities {
		v.Rows = append(v.Rows, activityRow(a))
	}
	link := func(p int) string {
		u := url.Values{}
		if v.Kind != "" {
			u.Set("kind", v.Kind)
		}
		if v.User != "" {
			u.Set("user", v.User)
		}
		if p > 1 {
			u.Set("page", strconv.Itoa(p))
		}
		if len(u) == 0 {
			return "./#activity"
		}
		return "./?" + u.Encode() + "#activity"
	}
	if v.Page > 1 {
		v.Newer = link(v.Page - 1)
	}
	if page.More {
		v.Older = link(v.Page + 1)
	}
	v.Query = strings.TrimPrefix(strings.TrimSuffix(link(v.Page), "#activity"), "./")
	return v, nil
}

func (h *Handler) health(r *http.Request, tenant string, now time.Time) ([]healthRow, error) {
	hs, err := h.cfg.Activity.Health(r.Context(), tenant)
	var rows []healthRow
	for _, c := range hs {
		rows = append(rows, healthRow{ClientHealth: c, Ago: ago(now, c.LastCall)})
	}
	return rows, err
}

// generate issues a token and shows it, once.
func (h *Handler) generate(w http.ResponseWriter, r *http.Request, tenant string) {
	if !h.checkCSRF(w, r, tenant) {
		return
	}
	label := strings.TrimSpace(r.PostFormValue("label"))
	days, err := strconv.Atoi(r.PostFormValue("lifetime"))
	switch {
	case label == "" || len(label) > 100:
		h.fail(w, r, http.StatusBadRequest, "Give the token a label of 1 to 100 characters, such as “Okta 2026”.")
		return
	case err != nil || days < 1 || days > 3*366:
		h.fail(w, r, http.StatusBadRequest, "Choose a lifetime from the list.")
		return
	}
	now := h.cfg.Now()
	token, info, err := h.cfg.Tokens.IssueToken(r.Context(), tenant, label, now.AddDate(0, 0, days))
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "scimadmin: issuing a token", "tenant", tenant, "error", err)
		h.fail(w, r, http.StatusInternalServerError, "The token could not be made; try again.")
		return
	}
	h.render(w, r, http.StatusOK, "token.html", tokenPage{Token: token, Info: tokenRow(info, now), BaseURL: h.cfg.BaseURL(r, tenant)})
}

// confirmRevoke asks before revoking: the confirmation step that works
// without JavaScript.
func (h *Handler) confirmRevoke(w http.ResponseWriter, r *http.Request, tenant string) {
	info, ok := h.find(w, r, tenant, r.URL.Query().Get("hash"))
	if !ok {
		return
	}
	h.render(w, r, http.StatusOK, "revoke.html", revokePage{Token: tokenRow(info, h.cfg.Now()), CSRF: h.csrfToken(w, r, tenant)})
}

func (h *Handler) revoke(w http.ResponseWriter, r *http.Request, tenant string) {
	if !h.checkCSRF(w, r, tenant) {
		return
	}
	info, ok := h.find(w, r, tenant, r.PostFormValue("hash"))
	if !ok {
		return
	}
	if err := h.cfg.Tokens.RevokeToken(r.Context(), tenant, info.Hash); err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "scimadmin: revoking a token", "tenant", tenant, "error", err)
		h.fail(w, r, http.StatusInternalServerError, "The token could not be revoked; try again.")
		return
	}
	// Post/redirect/get: reloading the page does not post again.
	// The Location is relative to the page (http.Redirect would resolve it
	// against the path the handler sees, which lacks the mount point).
	w.Header().Set("Location", "./?revoked="+url.QueryEscape(info.Label)+"#tokens")
	w.WriteHeader(http.StatusSeeOther)
}

// find returns the tenant's token with hash, answering 404 when the tenant
// has none: another tenant's hash is unknown here.
func (h *Handler) find(w http.ResponseWriter, r *http.Request, tenant, hash string) (scim.TokenInfo, bool) {
	tokens, err := h.cfg.Tokens.ListTokens(r.Context(), tenant)
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "scimadmin: listing tokens", "tenant", tenant, "error", err)
		h.fail(w, r, http.StatusInternalServerError, "The tokens could not be read; try again.")
		return scim.TokenInfo{}, false
	}
	for _, t := range tokens {
		if hash != "" && strings.EqualFold(t.Hash, hash) {
			return t, true
		}
	}
	h.fail(w, r, http.StatusNotFound, "There is no such token.")
	return scim.TokenInfo{}, false
}
