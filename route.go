package scim

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The top-level endpoints of RFC 7644 §3.2, by which the handler finds its
// place in any path.
var endpoints = []string{"Users", "Groups", "Me", "Bulk", "Schemas", "ResourceTypes", "ServiceProviderConfig", ".search"}

// request is what routing learns about a request.
type request struct {
	mount    string   // the path up to the endpoint, e.g. "/scim/v2" or "/scim/v2/acme"
	endpoint string   // "Users", "Schemas", …
	rest     []string // the segments after the endpoint (unescaped)
}

// route finds the endpoint in the request's path. It reads the path the
// client sent (RequestURI) as well, so that under http.StripPrefix the
// mount path for meta.location is still known. It works on the escaped
// path, so that an id holding a slash (/Users/a%2Fb, as location() writes
// it) stays one segment and the mount path is ready to put in a URL; it
// runs on every request, so it makes one pass and no URL parsing.
func (h *Handler) route(r *http.Request) (request, bool) {
	full := r.URL.EscapedPath()
	p := full
	if h.cfg.BasePath != "" {
		if p != h.cfg.BasePath && !strings.HasPrefix(p, h.cfg.BasePath+"/") {
			if !strings.HasPrefix(r.RequestURI, h.cfg.BasePath+"/") {
				return request{}, false
			}
		} else {
			p = p[len(h.cfg.BasePath):]
		}
	}
	var req request
	ep := -1 // offset in p of the "/" before the endpoint
	end := 0
	for i := 0; i < len(p); i = end {
		if p[i] == '/' {
			end = i + 1
			continue
		}
		end = i + strings.IndexByte(p[i:], '/')
		if end < i {
			end = len(p)
		}
		if seg := p[i:end]; slices.Contains(h.top().endpoints, seg) {
			req.endpoint, ep = seg, max(i-1, 0)
			break
		}
	}
	if ep < 0 {
		return request{}, false
	}
	if end < len(p) {
		// One trailing slash is not a segment: /Users/{id}/ is /Users/{id}
		// (but /Users/ stays [""], which the Users route reads as the list).
		rest := p[end+1:]
		if len(rest) > 1 {
			rest = strings.TrimSuffix(rest, "/")
		}
		req.rest = strings.Split(rest, "/")
		for k, s := range req.rest {
			if strings.IndexByte(s, '%') >= 0 {
				if u, err := url.PathUnescape(s); err == nil {
					req.rest[k] = u
				}
			}
		}
	}
	// The mount path is what precedes the endpoint in the path as the
	// client sent it: the original path minus what the handler was given.
	// Without a RequestURI (a request built by hand), the path as given,
	// BasePath included, is the best there is.
	tail := p[ep:]
	orig := full
	if ru := r.RequestURI; strings.HasPrefix(ru, "/") {
		if q := strings.IndexByte(ru, '?'); q >= 0 {
			ru = ru[:q]
		}
		if strings.HasSuffix(ru, tail) {
			orig = ru
		}
	}
	if strings.HasSuffix(orig, tail) {
		req.mount = strings.TrimSuffix(orig[:len(orig)-len(tail)], "/")
	}
	return req, true
}

// pathTenant is the tenant segment of mount, for TenantInPath: the segment
// right after BasePath when one is configured (/scim/v2/{tenant}/…), else
// the segment right before the endpoint (/…/{tenant}/Users).
func (h *Handler) pathTenant(mount string) string {
	if bp := h.cfg.BasePath; bp != "" && strings.HasPrefix(mount, bp+"/") {
		rest := mount[len(bp)+1:]
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			rest = rest[:i]
		}
		return rest
	}
	return mount[strings.LastIndexByte(mount, '/')+1:]
}

// baseURL is the absolute URL of the mount point for this request.
func (h *Handler) baseURL(r *http.Request, req request) string {
	if h.cfg.BaseURL != "" {
		return h.cfg.BaseURL + req.mount
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + req.mount
}
