package scimadmin

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
)

// csrfCookie holds a random value per browser. A form's token is the HMAC
// of that value and the tenant under the page's key: a cross-site form
// cannot read the cookie to compute it, a cookie planted by a sibling
// domain cannot be paired with a token without the key, and a token from
// one tenant's page does not work on another's.
const csrfCookie = "scimadmin_csrf"

// csrfToken returns the token for r's forms, setting the cookie first when
// the browser has none.
func (h *Handler) csrfToken(w http.ResponseWriter, r *http.Request, tenant string) string {
	c, err := r.Cookie(csrfCookie)
	value := ""
	if err == nil && len(c.Value) == 43 {
		value = c.Value
	} else {
		var b [32]byte
		rand.Read(b[:])
		value = base64.RawURLEncoding.EncodeToString(b[:])
		http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: value, Path: "/", HttpOnly: true,
			Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	}
	return h.sign(value, tenant)
}

func (h *Handler) sign(cookie, tenant string) string {
	m := hmac.New(sha256.New, h.cfg.CSRFKey)
	m.Write([]byte(cookie))
	m.Write([]byte{0})
	m.Write([]byte(tenant))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF refuses a form whose token is not the one for this browser and
// tenant, with a 403 page that says what to do.
func (h *Handler) checkCSRF(w http.ResponseWriter, r *http.Request, tenant string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	c, err := r.Cookie(csrfCookie)
	if err == nil {
		got := r.PostFormValue("csrf")
		if hmac.Equal([]byte(got), []byte(h.sign(c.Value, tenant))) && got != "" {
			return true
		}
	}
	h.fail(w, r, http.StatusForbidden, "The form has expired or did not come from this page. Reload the page and try again.")
	return false
}
