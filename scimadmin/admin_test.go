package scimadmin_test

import (
	"context"
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/activitylog"
	"github.com/scimkit/scim/scimadmin"
)

// fixture is a setup page over two tenants, acme and globex, mounted under
// /admin/ behind a fake host authentication that reads the tenant from a
// header (a real host reads its session).
type fixture struct {
	srv      *httptest.Server
	tokens   *scim.Tokens
	activity *activitylog.Log
	now      time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	f.tokens = scim.NewTokens(clock)
	f.activity = activitylog.New(0, clock)
	admin, err := scimadmin.New(scimadmin.Config{
		Tenant: func(r *http.Request) (string, error) {
			if t := r.Header.Get("X-Test-Tenant"); t != "" {
				return t, nil
			}
			return "", errors.New("not signed in")
		},
		Tokens:   f.tokens,
		Activity: f.activity,
		BaseURL:  func(r *http.Request, tenant string) string { return "https://app.example.com/scim/v2/" + tenant },
		Now:      clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/admin/", http.StripPrefix("/admin", admin))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// browser is a client with a cookie jar, signed in as one tenant.
type browser struct {
	t      *testing.T
	f      *fixture
	client *http.Client
	tenant string
}

func (f *fixture) browser(t *testing.T, tenant string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, f: f, tenant: tenant, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, path string, form url.Values, header ...string) (int, http.Header, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.f.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("X-Test-Tenant", b.tenant)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(out)
}

func (b *browser) get(path string) string {
	b.t.Helper()
	code, _, body := b.do("GET", path, nil)
	if code != 200 {
		b.t.Fatalf("GET %s: %d\n%s", path, code, body)
	}
	return body
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the form token off the page.
func (b *browser) csrf() string {
	b.t.Helper()
	m := csrfField.FindStringSubmatch(b.get("/admin/"))
	if m == nil {
		b.t.Fatal("the page has no CSRF field")
	}
	return html.UnescapeString(m[1])
}

var tokenField = regexp.MustCompile(`id="new-token" class="secret" type="text" value="([^"]+)"`)

// generate posts the generate form and returns the token shown.
func (b *browser) generate(label string) string {
	b.t.Helper()
	code, hdr, body := b.do("POST", "/admin/tokens", url.Values{"csrf": {b.csrf()}, "label": {label}, "lifetime": {"365"}})
	if code != 200 {
		b.t.Fatalf("generate: %d\n%s", code, body)
	}
	if hdr.Get("Cache-Control") != "no-store" {
		b.t.Errorf("the page showing a token has Cache-Control %q, want no-store", hdr.Get("Cache-Control"))
	}
	m := tokenField.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "shown only once") {
		b.t.Fatalf("the new token and its warning are not shown:\n%s", body)
	}
	return html.UnescapeString(m[1])
}

func TestGenerateShowsTokenOnceAndItWorks(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t, "acme")
	token := b.generate("Okta 2026")
	p, err := f.tokens.Authenticate(context.Background(), token)
	if err != nil || p.Tenant != "acme" || p.Label != "Okta 2026" {
		t.Fatalf("the token shown authenticates as %+v, %v", p, err)
	}
	page := b.get("/admin/")
	if strings.Contains(page, token) {
		t.Fatal("the page shows the token again")
	}
	for _, want := range []string{"Okta 2026", "ACTIVE", "2026-03-01 12:00 UTC", "2027-03-01 12:00 UTC", "https://app.example.com/scim/v2/acme"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
	infos, _ := f.tokens.ListTokens(context.Background(), "acme")
	if got := infos[0].NotAfter; !got.Equal(f.now.AddDate(0, 0, 365)) {
		t.Errorf("token expires %v, want one year on", got)
	}
}

func TestRevokeWithConfirmation(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t, "acme")
	token := b.generate("Entra")
	hash := scim.HashToken(token)
	confirm := b.get("/admin/revoke?hash=" + hash)
	if !strings.Contains(confirm, "Revoke token “Entra”?") || !strings.Contains(confirm, `action="revoke"`) {
		t.Fatalf("no confirmation page:\n%s", confirm)
	}
	if _, err := f.tokens.Authenticate(context.Background(), token); err != nil {
		t.Fatal("the confirmation page revoked the token")
	}
	csrf := html.UnescapeString(csrfField.FindStringSubmatch(confirm)[1])
	code, hdr, _ := b.do("POST", "/admin/revoke", url.Values{"csrf": {csrf}, "hash": {hash}})
	if code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "./?revoked=Entra") {
		t.Fatalf("revoke: %d Location %q", code, hdr.Get("Location"))
	}
	if _, err := f.tokens.Authenticate(context.Background(), token); err == nil {
		t.Fatal("the token still authenticates")
	}
	page := b.get("/admin/?revoked=Entra")
	if !strings.Contains(page, "REVOKED") || !strings.Contains(page, "Token “Entra” was revoked.") {
		t.Errorf("the page does not show the revocation")
	}
	if strings.Contains(b.get("/admin/?revoked=Call+555-0100"), "555-0100") {
		t.Errorf("the page repeats arbitrary text from its URL")
	}
}

func TestCSRF(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t, "acme")
	good := b.csrf()
	_, globex := f.browser(t, "globex"), f.browser(t, "globex").csrf()
	stranger := f.browser(t, "acme") // another browser: its own cookie
	strangerToken := stranger.csrf()
	form := func(csrf string) url.Values {
		return url.Values{"csrf": {csrf}, "label": {"x"}, "lifetime": {"365"}}
	}
	tests := []struct {
		name   string
		b      *browser
		form   url.Values
		header []string
		want   int
	}{
		{"valid", b, form(good), nil, 200},
		{"no token", b, url.Values{"label": {"x"}, "lifetime": {"365"}}, nil, 403},
		{"wrong token", b, form("AAAA" + good[4:]), nil, 403},
		{"token of another browser", b, form(strangerToken), nil, 403},
		{"token of another tenant's page", b, form(globex), nil, 403},
		{"no cookie", f.browserNoCookie(t, "acme"), form(good), nil, 403},
		{"cross-origin Origin", b, form(good), []string{"Origin", "https://evil.example"}, 403},
		{"cross-site fetch", b, form(good), []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"same-origin Origin", b, form(good), []string{"Origin", f.srv.URL, "Sec-Fetch-Site", "same-origin"}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.tokens.List("acme"))
			code, _, body := tt.b.do("POST", "/admin/tokens", tt.form, tt.header...)
			if code != tt.want {
				t.Fatalf("status %d, want %d\n%s", code, tt.want, body)
			}
			issued := len(f.tokens.List("acme")) - before
			if (tt.want == 200) != (issued == 1) {
				t.Errorf("issued %d tokens", issued)
			}
		})
	}
	t.Run("revoke needs the token too", func(t *testing.T) {
		tok, info, _ := f.tokens.IssueToken(context.Background(), "acme", "keep", time.Time{})
		code, _, _ := b.do("POST", "/admin/revoke", url.Values{"hash": {info.Hash}})
		if _, err := f.tokens.Authenticate(context.Background(), tok); code != 403 || err != nil {
			t.Fatalf("revoke without CSRF token: %d, token error %v", code, err)
		}
	})
	t.Run("cookie is SameSite=Strict and HttpOnly", func(t *testing.T) {
		_, hdr, _ := f.browser(t, "acme").do("GET", "/admin/", nil)
		c := hdr.Get("Set-Cookie")
		if !strings.Contains(c, "SameSite=Strict") || !strings.Contains(c, "HttpOnly") {
			t.Errorf("Set-Cookie %q", c)
		}
	})
}

// browserNoCookie is a browser whose jar never keeps the CSRF cookie.
func (f *fixture) browserNoCookie(t *testing.T, tenant string) *browser {
	b := f.browser(t, tenant)
	b.client.Jar = nil
	return b
}

func TestTenantIsolation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	acme, globex := f.browser(t, "acme"), f.browser(t, "globex")
	acme.generate("acme-okta-token")
	globexToken := globex.generate("globex-entra-token")
	f.activity.Record(ctx, scim.Activity{Time: f.now, Tenant: "acme", Kind: scim.ActivityCreated, ResourceName: "ann@acme.example", Status: 201})
	f.activity.Record(ctx, scim.Activity{Time: f.now, Tenant: "globex", Kind: scim.ActivityCreated, ResourceName: "gus@globex.example", Status: 201, Client: scim.ClientEntra})
	f.activity.Record(ctx, scim.Activity{Time: f.now, Tenant: "globex", Kind: scim.ActivityRefused, Detail: "globex-secret-detail", Status: 409, Client: scim.ClientEntra})

	for _, path := range []string{"/admin/", "/admin/?kind=refused", "/admin/?user=gus", "/admin/log", "/admin/log?user=gus"} {
		page := acme.get(path)
		for _, leak := range []string{"globex-entra-token", "gus@globex.example", "globex-secret-detail", scim.HashToken(globexToken), `<th scope="row">Microsoft Entra ID</th>`} {
			if strings.Contains(page, leak) {
				t.Errorf("acme's %s shows globex's %q", path, leak)
			}
		}
	}
	if page := acme.get("/admin/"); !strings.Contains(page, "ann@acme.example") || !strings.Contains(page, "acme-okta-token") {
		t.Errorf("acme's page misses its own token or event")
	}
	// globex's token cannot be revoked, or even confirmed, from acme's page.
	hash := scim.HashToken(globexToken)
	if code, _, _ := acme.do("GET", "/admin/revoke?hash="+hash, nil); code != 404 {
		t.Errorf("acme's confirmation page for globex's token: %d, want 404", code)
	}
	code, _, _ := acme.do("POST", "/admin/revoke", url.Values{"csrf": {acme.csrf()}, "hash": {hash}})
	if _, err := f.tokens.Authenticate(ctx, globexToken); code != 404 || err != nil {
		t.Errorf("acme revoking globex's token: %d, and the token: %v", code, err)
	}
	// A request the host did not authenticate gets no page at all.
	if code, _, body := f.browser(t, "").do("GET", "/admin/", nil); code != 403 || strings.Contains(body, "acme") {
		t.Errorf("unauthenticated request: %d", code)
	}
}

// TestEscaping puts markup in every value the page shows: labels,
// userNames, user ids, details, scimTypes, paths, token labels, filters.
func TestEscaping(t *testing.T) {
	f := newFixture(t)
	const evil = `<script>alert(1)</script>"'><img src=x onerror=alert(2)>`
	ctx := context.Background()
	b := f.browser(t, "acme")
	token := b.generate(evil)
	f.activity.Record(ctx, scim.Activity{Time: f.now, Tenant: "acme", Kind: scim.ActivityCreated, ResourceName: evil, ResourceID: evil, Status: 201, TokenLabel: evil, Method: "POST", Path: "/scim/v2/Users/" + evil})
	f.activity.Record(ctx, scim.Activity{Time: f.now, Tenant: "acme", Kind: scim.ActivityRefused, Status: 400, ScimType: evil, Detail: evil, RequestID: evil})
	pages := map[string]string{
		"home":          b.get("/admin/"),
		"filtered home": b.get("/admin/?user=" + url.QueryEscape(evil) + "&kind=" + url.QueryEscape(evil)),
		"log":           b.get("/admin/log?user=" + url.QueryEscape("<script>")),
		"confirm":       b.get("/admin/revoke?hash=" + scim.HashToken(token)),
	}
	_, _, pages["error"] = b.do("GET", "/admin/"+url.PathEscape(evil), nil)
	for name, page := range pages {
		for _, raw := range []string{"<script>alert", "<img", "onerror=alert(2)>"} {
			if strings.Contains(page, raw) {
				t.Errorf("%s page has unescaped %q", name, raw)
			}
		}
	}
	for _, name := range []string{"home", "log", "confirm"} {
		if !strings.Contains(pages[name], "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s page does not show the value escaped", name)
		}
	}
}

var (
	inlineScript = regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`)
	eventAttr    = regexp.MustCompile(`\son[a-z]+\s*=`)
	styleAttr    = regexp.MustCompile(`\sstyle\s*=|<style`)
)

// TestWithoutJavaScript checks that every page works as plain HTML: no
// inline script, style or event handler (the CSP forbids them), real forms
// and links for every action, copy buttons hidden until the script shows
// them, and the headers that keep it so.
func TestWithoutJavaScript(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t, "acme")
	token := b.generate("Okta")
	f.activity.Record(context.Background(), scim.Activity{Time: f.now, Tenant: "acme", Kind: scim.ActivityCreated, ResourceName: "ann@x.com", Status: 201})
	for i := range 30 {
		f.activity.Record(context.Background(), scim.Activity{Time: f.now, Tenant: "acme", Kind: scim.ActivityRefused, Status: 401, Detail: "n" + string(rune('a'+i%26))})
	}
	code, hdr, home := b.do("GET", "/admin/", nil)
	if code != 200 {
		t.Fatal(code)
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	confirm := b.get("/admin/revoke?hash=" + scim.HashToken(token))
	for name, page := range map[string]string{"home": home, "confirm": confirm, "log": b.get("/admin/log")} {
		if inlineScript.MatchString(page) || eventAttr.MatchString(page) || styleAttr.MatchString(page) {
			t.Errorf("%s page has inline script, style or event handlers", name)
		}
	}
	for _, want := range []string{
		`<form method="post" action="tokens"`,              // generate
		`href="revoke?hash=` + scim.HashToken(token) + `"`, // revoke, then confirm
		`<form method="get" action="./#activity"`,          // filters
		`href="./?page=2#activity" rel="next"`,             // paging
		`data-copy="base-url" hidden`,                      // no dead buttons without the script
		`<label for="label">`, `<label for="lifetime">`, `<label for="kind">`, `<label for="user">`,
		`<html lang="en">`, `name="viewport"`,
	} {
		if !strings.Contains(home, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if !strings.Contains(b.get("/admin/?page=2"), `href="./#activity" rel="prev"`) {
		t.Errorf("page 2 has no link back to the newest events")
	}
	if got := b.get("/admin/?kind=refused&user=nobody"); !strings.Contains(got, "No events match these filters") {
		t.Errorf("an empty filtered log does not say so")
	}
	for path, ctype := range map[string]string{"/admin/static/admin.css": "text/css", "/admin/static/admin.js": "text/javascript"} {
		code, hdr, _ := b.do("GET", path, nil)
		if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), ctype) {
			t.Errorf("%s: %d %s", path, code, hdr.Get("Content-Type"))
		}
	}
	if code, _, _ := b.do("GET", "/admin/static/../admin.go", nil); code == 200 {
		t.Errorf("the static handler serves outside its directory")
	}
}

func TestHealthWarning(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t, "acme")
	for i := range 10 {
		status := 200
		if i < 5 {
			status = 500
		}
		f.activity.Record(context.Background(), scim.Activity{Time: f.now.Add(-time.Minute), Tenant: "acme", Kind: scim.ActivityRequest, Status: status, Client: scim.ClientEntra})
	}
	f.activity.Record(context.Background(), scim.Activity{Time: f.now.Add(-3 * time.Hour), Tenant: "acme", Kind: scim.ActivityRequest, Status: 200, Client: scim.ClientOkta})
	page := b.get("/admin/")
	for _, want := range []string{"Microsoft Entra ID is at risk of quarantine", "10 requests, 5 failed (50%)", "1 minute ago", "3 hours ago"} {
		if !strings.Contains(page, want) {
			t.Errorf("the health section lacks %q", want)
		}
	}
	f.activity = activitylog.New(0, nil)
}

func TestNewValidates(t *testing.T) {
	ok := scimadmin.Config{Tenant: func(*http.Request) (string, error) { return "", nil }, Tokens: scim.NewTokens(nil),
		BaseURL: func(*http.Request, string) string { return "" }}
	if _, err := scimadmin.New(ok); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]scimadmin.Config{
		"no tenant":   {Tokens: ok.Tokens, BaseURL: ok.BaseURL},
		"no tokens":   {Tenant: ok.Tenant, BaseURL: ok.BaseURL},
		"no base URL": {Tenant: ok.Tenant, Tokens: ok.Tokens},
		"short key":   {Tenant: ok.Tenant, Tokens: ok.Tokens, BaseURL: ok.BaseURL, CSRFKey: []byte("short")},
	} {
		if _, err := scimadmin.New(c); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}
