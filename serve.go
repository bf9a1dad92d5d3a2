package scim

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ServeHTTP serves one SCIM request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", mediaType)
	if h.cfg.Activity != nil {
		var rec *activityRecorder
		rec, w, r = h.startActivity(w, r)
		defer func() { h.finishActivity(rec, r) }()
	}
	req, ok := h.route(r)
	if !ok {
		h.writeError(w, r, errorf(http.StatusNotFound, "", fmt.Sprintf("no SCIM endpoint at %s", r.URL.Path)))
		return
	}
	if r.Method == http.MethodHead {
		// HEAD is GET without the body (RFC 9110 §9.3.2), on every
		// endpoint that answers GET.
		w, r = headOnly{w}, withMethod(r, http.MethodGet)
	}
	if len(r.URL.Path)+len(r.URL.RawQuery) > h.cfg.MaxURLBytes {
		h.writeError(w, r, errorf(http.StatusRequestURITooLong, "", fmt.Sprintf("the request URL is longer than %d bytes", h.cfg.MaxURLBytes)))
		return
	}
	if h.cfg.RequestTimeout > 0 {
		ctx, cancel := context.WithTimeout(r.Context(), h.cfg.RequestTimeout)
		defer cancel()
		r = r.WithContext(ctx)
	}
	discovery := req.endpoint == "Schemas" || req.endpoint == "ResourceTypes" || req.endpoint == "ServiceProviderConfig"
	if _, skip := h.cfg.Authenticator.(skipAuthentication); !skip && !(discovery && h.cfg.AllowUnauthenticatedDiscovery) {
		if h.failedAuth != nil {
			if wait := h.failedAuth.blocked(clientAddr(r)); wait > 0 {
				h.writeError(w, r, tooManyFailures(w, wait))
				return
			}
		}
		ctx, e := h.authenticate(r)
		refused := e != nil && e.Status == http.StatusUnauthorized
		if refused && h.failedAuth != nil {
			if wait := h.failedAuth.failed(clientAddr(r)); wait > 0 {
				e = tooManyFailures(w, wait)
			}
		}
		if e != nil {
			if ctx != nil { // the refused token's tenant, for the activity log
				r = r.WithContext(ctx)
			}
			if refused {
				w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
			}
			h.writeError(w, r, e)
			return
		}
		r = r.WithContext(ctx)
	}
	if h.cfg.RateLimiter != nil {
		if ok, wait := allowRequest(r.Context(), h.cfg.RateLimiter); !ok {
			secs := max(int64((wait+time.Second-1)/time.Second), 1)
			w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
			h.writeError(w, r, errorf(http.StatusTooManyRequests, "", fmt.Sprintf("too many requests for this tenant; retry after %d seconds", secs)))
			return
		}
	}
	if h.cfg.TenantInPath && !(discovery && h.cfg.AllowUnauthenticatedDiscovery) {
		// The mount path is kept escaped, for URLs; the tenant is compared
		// as a name ("zo%C3%AB" is zoë).
		tenant, err := url.PathUnescape(h.pathTenant(req.mount))
		if err != nil || tenant == "" || TenantFrom(r.Context()) != tenant {
			w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
			h.writeError(w, r, errorf(http.StatusUnauthorized, "", "the bearer token was not issued for this base URL; use the URL and token given together"))
			return
		}
	}
	switch req.endpoint {
	case "Users":
		h.serveResource(w, r, req, h.users)
	case ".search":
		if len(req.rest) > 0 {
			h.writeError(w, r, errorf(http.StatusNotFound, "", fmt.Sprintf("no SCIM endpoint at %s", r.URL.Path)))
			return
		}
		h.searchRoot(w, r, req)
	case "Schemas", "ResourceTypes", "ServiceProviderConfig":
		h.serveDiscovery(w, r, req)
	case "Groups":
		if h.groups == nil {
			h.writeError(w, r, errorf(http.StatusNotFound, "", "this service provider does not provision Groups; turn off \"Push Groups\" in the identity provider"))
			return
		}
		h.serveResource(w, r, req, h.groups)
	default:
		for _, rt := range h.declared {
			if rt.endpoint == req.endpoint {
				h.serveResource(w, r, req, rt)
				return
			}
		}
		h.writeError(w, r, errorf(http.StatusNotImplemented, "", fmt.Sprintf("/%s is not supported by this service provider", req.endpoint)))
	}
}

const mediaType = "application/scim+json"

// allow answers 405 with an Allow header unless r's method is one of
// methods.
func (h *Handler) allow(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	if slices.Contains(methods, r.Method) {
		return true
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	h.writeError(w, r, errorf(http.StatusMethodNotAllowed, "", fmt.Sprintf("method %s is not allowed here; allowed: %s", r.Method, strings.Join(methods, ", "))))
	return false
}

// readBody checks the media type and reads the body within MaxBodyBytes.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *Error) {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || (mt != mediaType && mt != "application/json") {
		return nil, errorf(http.StatusUnsupportedMediaType, "", fmt.Sprintf("Content-Type %q is not supported; send application/scim+json or application/json", ct))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		// JSON is UTF-8 (RFC 8259 §8.1); a body in another charset would be
		// read as garbage, so say so instead.
		return nil, errorf(http.StatusUnsupportedMediaType, "", fmt.Sprintf("charset %q is not supported; send the body in UTF-8", cs))
	}
	body, err := readWithin(w, r, h.cfg.MaxBodyBytes)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errorf(http.StatusRequestEntityTooLarge, "", fmt.Sprintf("the request body is larger than %d bytes", h.cfg.MaxBodyBytes))
		}
		if r.Context().Err() != nil || errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, errorf(http.StatusServiceUnavailable, "", "the request body did not arrive within the time this service provider allows a request")
		}
		return nil, badRequest(ScimTypeInvalidSyntax, "the request body could not be read")
	}
	if len(body) == 0 {
		return nil, badRequest(ScimTypeInvalidSyntax, "the request body is empty")
	}
	if off := tooDeep(body, maxDepth); off >= 0 {
		return nil, badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("the request body nests objects and arrays more than %d deep (at byte offset %d)", maxDepth, off))
	}
	return body, nil
}

// maxDepth bounds how deeply a request body may nest. A SCIM user is three
// levels deep; the bound keeps work that walks nested values (a PATCH value
// may hold objects within objects) linear in the body's size.
const maxDepth = 16

// tooDeep returns the offset at which body first nests deeper than max, or
// -1.
func tooDeep(body []byte, max int) int {
	depth, inString := 0, false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > max {
				return i
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return -1
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}
