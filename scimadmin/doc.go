// Package scimadmin is the customer-facing SCIM setup page: an
// http.Handler that shows one tenant's SCIM base URL, its bearer tokens
// (generate, shown once; revoke, with a confirmation), step-by-step setup
// for Okta and Microsoft Entra ID with the tenant's own values, the
// provisioning activity log and the connection health of each identity
// provider.
//
// # Mounting
//
// The host mounts the Handler behind its own admin authentication, at a
// path that ends in a slash, and says per request which tenant is shown:
//
//	admin, err := scimadmin.New(scimadmin.Config{
//		Tenant:   func(r *http.Request) (string, error) { return currentCustomer(r), nil },
//		Tokens:   tokens,   // a scim.TokenManager: *scim.Tokens or sqlstore's
//		Activity: activity, // the activitylog.Reader the SCIM handler's Config.Activity writes to
//		BaseURL:  func(r *http.Request, tenant string) string { return "https://app.example.com/scim/v2" },
//	})
//	mux.Handle("/settings/provisioning/", requireAdmin(http.StripPrefix("/settings/provisioning", admin)))
//
// It works with or without http.StripPrefix: every link and form on the
// page is relative to the page.
//
// # Security
//
// The page trusts the host to have authenticated the request; it never
// shows another tenant's tokens or events, and a token of another tenant
// cannot be revoked from it. Every form carries a CSRF token: an HMAC, under
// Config.CSRFKey, of a random per-browser cookie (SameSite=Strict, HttpOnly)
// and the tenant, so a token taken from one tenant's page is refused on
// another's; cross-origin POSTs are refused by their Origin and
// Sec-Fetch-Site headers too. Responses carry a Content-Security-Policy of
// default-src 'self' (no inline script or style), are never cached, and
// may not be framed. A new token is shown once, in the response to the
// POST that made it, and is never put in a URL.
//
// # Without JavaScript
//
// Everything works without JavaScript: forms post, revocation has its own
// confirmation page, the log pages with links. A small script (served from
// the same origin) adds copy buttons and refreshes the log's first page.
package scimadmin
