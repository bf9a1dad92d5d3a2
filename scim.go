package scim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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

	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// Handler is a SCIM 2.0 service provider for users: an http.Handler to
// mount wherever the host's router puts it.
type Handler struct {
	store    Store
	cfg      Config
	names    names
	user     schema.Schema // the User schema with the host's attributes
	required []string      // canonical paths of required attributes
	// emailsIndex is the position of emails in names.core.
	emailsIndex int
	// allEmails is set when every email is kept (the RFC profile, or
	// Keep "emails"), in User.Custom["emails"]; otherwise the work email
	// alone, in User.Email.
	allEmails bool
	// customCore are the core User attributes held in User.Custom, in
	// schema order: the kept RFC attributes and the host's.
	customCore []*schema.Attribute
	discovery  discovery
	users      *resourceType
	// unkept are the core User attributes the store does not keep
	// (Kept.Missing), for the error of a filter on one of them.
	unkept []string

	// Groups, when the store is a GroupStore; groupStore is nil otherwise.
	groupStore   GroupStore
	groupNames   names
	membersIndex int // the position of members in groupNames.core
	groups       *resourceType

	failedAuth *failedAuth // nil without Config.FailedAuthLimiter
}

// NewHandler returns a Handler that serves store with cfg. It validates cfg
// once, here: a bad configuration is an error, never a panic later.
func NewHandler(store Store, cfg Config) (*Handler, error) {
	if store == nil {
		return nil, errors.New("scim: NewHandler needs a Store")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := checkKept(store, cfg); err != nil {
		return nil, err
	}
	user, exts, err := cfg.userSchema()
	if err != nil {
		return nil, err
	}
	h := &Handler{store: store, cfg: cfg, user: user}
	if k, ok := store.(Keeper); ok {
		h.unkept = k.Keeps().Missing
	}
	if cfg.FailedAuthLimiter != nil {
		h.failedAuth = &failedAuth{limiter: cfg.FailedAuthLimiter, now: cfg.Now}
	}
	if gs, ok := store.(GroupStore); ok && servesGroups(store) {
		h.groupStore = gs
		// The user's groups are served from the store's memberships.
		i := slices.IndexFunc(h.user.Attributes, func(a schema.Attribute) bool { return a.Name == "groups" })
		h.user.Attributes = slices.Clone(h.user.Attributes)
		h.user.Attributes[i] = schema.UserGroups()
		h.groupNames = names{urn: schema.GroupURN, core: append(schema.Common(), schema.Group().Attributes...), fold: cfg.CaseInsensitiveNames}
		h.membersIndex = slices.IndexFunc(h.groupNames.core, func(a schema.Attribute) bool { return a.Name == "members" })
		h.groups = h.groupType()
	}
	if err := h.user.Validate(); err != nil {
		return nil, fmt.Errorf("scim: Config.Attributes: %w", err)
	}
	taken := map[string]string{}
	for _, a := range append(schema.Common(), h.user.Attributes...) {
		taken[strings.ToLower(a.Name)] = schema.UserURN
	}
	for _, a := range cfg.Attributes {
		if err := checkCustom(a); err != nil {
			return nil, err
		}
		// The User schema's Validate sees the custom attributes beside the
		// schema's own, but not beside id, externalId and meta.
		for _, c := range schema.Common() {
			if strings.EqualFold(a.Name, c.Name) {
				return nil, fmt.Errorf("scim: Config.Attributes: attribute %q is already declared as %q, an attribute every resource has", a.Name, c.Name)
			}
		}
	}
	for i := range exts {
		ext := &exts[i]
		if err := ext.Validate(); err != nil {
			return nil, fmt.Errorf("scim: Config.Extensions: %w", err)
		}
		if strings.EqualFold(ext.ID, schema.UserURN) || h.names.extension(ext.ID) != nil {
			return nil, fmt.Errorf("scim: Config.Extensions: schema %q is declared twice", ext.ID)
		}
		host := !strings.EqualFold(ext.ID, schema.EnterpriseUserURN)
		for _, a := range ext.Attributes {
			if !host {
				// RFC 7643's own: complex values (manager) are fine.
			} else if err := checkCustom(a); err != nil {
				return nil, err
			}
			if where, dup := taken[strings.ToLower(a.Name)]; dup {
				return nil, fmt.Errorf("scim: Config.Extensions: attribute %q of %s is already declared in %s; custom attribute names must be unique", a.Name, ext.ID, where)
			}
			taken[strings.ToLower(a.Name)] = ext.ID
		}
		h.names.extensions = append(h.names.extensions, *ext)
	}
	h.names.core = append(schema.Common(), h.user.Attributes...)
	h.allEmails = cfg.keepsAllEmails()
	for i := range h.user.Attributes {
		a := &h.user.Attributes[i]
		if h.isCustom("", a) && a.Mutability != schema.ReadOnly {
			h.customCore = append(h.customCore, a)
		}
	}
	h.names.fold = cfg.CaseInsensitiveNames
	h.names.urn = schema.UserURN
	h.emailsIndex = slices.IndexFunc(h.names.core, func(a schema.Attribute) bool { return a.Name == "emails" })
	h.names.returned = (*projection)(nil).attributes(&h.names)
	h.groupNames.returned = (*projection)(nil).attributes(&h.groupNames)
	required := cfg.Required
	if required == nil && cfg.Profile == ProfileStrict {
		required = []string{"userName", "name.givenName", "name.familyName", "emails"}
	}
	h.required = []string{"userName"}
	// Host-declared attributes marked Required are required: /Schemas says
	// so, and a promise advertised must be kept.
	for _, a := range cfg.Attributes {
		if a.Required {
			required = append(slices.Clip(required), a.Name)
		}
	}
	for _, ext := range cfg.Extensions {
		for _, a := range ext.Attributes {
			if a.Required {
				required = append(slices.Clip(required), ext.ID+":"+a.Name)
			}
		}
	}
	for _, p := range required {
		urn, rest := splitURN(p)
		name, sub, _ := strings.Cut(rest, ".")
		ref, ne := h.names.resolve(urn, name, sub)
		if ne != nil {
			return nil, fmt.Errorf("scim: Config.Required: %q: %s", p, ne)
		}
		if ref.def.Mutability == schema.ReadOnly || ref.def.Mutability == schema.WriteOnly {
			return nil, fmt.Errorf("scim: Config.Required: %q cannot be required", p)
		}
		if ref.path() == "emails.display" {
			// Only the work email's value is kept, so a required display
			// would refuse every create.
			return nil, fmt.Errorf("scim: Config.Required: %q cannot be required: it is not kept", ref.path())
		}
		if !slices.Contains(h.required, ref.path()) {
			h.required = append(h.required, ref.path())
		}
	}
	h.names.limits = h.planWalk(&h.names, h.userWalk())
	h.groupNames.limits = h.planWalk(&h.groupNames, walkType{fields: groupFields, outside: []string{"members"}})
	h.users = h.userType()
	h.discovery, err = h.buildDiscovery()
	if err != nil {
		return nil, err
	}
	return h, nil
}

// checkCustom rejects host-declared attributes of types the handler cannot
// store in User.Custom.
func checkCustom(a schema.Attribute) error {
	switch a.Type {
	case schema.String, schema.Boolean, schema.Integer, schema.DateTime:
	default:
		return fmt.Errorf("scim: custom attribute %q has type %q; supported types are string, boolean, integer and dateTime", a.Name, a.Type)
	}
	if a.Uniqueness != "" && a.Uniqueness != schema.None {
		// Only the Store could keep such a promise, and the Store contract
		// does not ask it to: refuse to advertise what nothing enforces.
		return fmt.Errorf("scim: custom attribute %q has uniqueness %q; only userName is kept unique", a.Name, a.Uniqueness)
	}
	return nil
}

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
		if seg := p[i:end]; slices.Contains(endpoints, seg) {
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
	if h.cfg.Authenticator != nil && !(discovery && h.cfg.AllowUnauthenticatedDiscovery) {
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

// writeError writes err as a SCIM error. Sentinel errors from the Store map
// to their status; an *Error anywhere in the chain is written as it is; any
// other error is a 500 whose text goes to the log with a request id, and
// only the id goes to the client.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := h.toError(r, err)
	if h.cfg.Activity != nil {
		noteRefusal(w, e)
	}
	buf, _ := e.MarshalJSON()
	w.Header().Set("Content-Type", mediaType)
	w.WriteHeader(e.Status)
	w.Write(buf)
}

func (h *Handler) toError(r *http.Request, err error) *Error {
	var e *Error
	var fe *filter.SyntaxError
	var me *filter.MatchError
	var ue *UnknownMembersError
	switch {
	case errors.As(err, &e):
		if e.Status < 400 || e.Status > 599 {
			// A hook or Store that forgot Status: a scimType means the
			// client's mistake, none means ours.
			c := *e
			c.Status = http.StatusInternalServerError
			if e.ScimType != "" {
				c.Status = http.StatusBadRequest
			}
			return &c
		}
		return e
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads this answer.
		return errorf(http.StatusServiceUnavailable, "", "the request was canceled")
	case errors.As(err, &ue):
		return badRequest(ScimTypeInvalidValue, "members must be users or groups of this tenant; "+strings.TrimPrefix(ue.Error(), "scim: "))
	case errors.Is(err, ErrSelfMember):
		return selfMember()
	case errors.Is(err, ErrNotFound):
		return errorf(http.StatusNotFound, "", fmt.Sprintf("no %s with that id", h.nounOf(r)))
	case errors.Is(err, ErrUniqueness):
		return errorf(http.StatusConflict, ScimTypeUniqueness, "a user with this userName already exists")
	case errors.Is(err, ErrVersionMismatch):
		return errorf(http.StatusPreconditionFailed, "", fmt.Sprintf("the %s has changed since the version given in If-Match; read it again", h.nounOf(r)))
	case errors.Is(err, context.DeadlineExceeded):
		return errorf(http.StatusServiceUnavailable, "", "the request took longer than this service provider allows; try again")
	case errors.Is(err, ErrUnsupportedFilter):
		// The store's own text may name tables or columns: it goes to the
		// log, not to the client.
		// Logged by shape: the filter's literals are attribute values.
		shape, msg := h.filterForLog(r, err)
		h.cfg.Logger.InfoContext(r.Context(), "scim: store cannot evaluate a filter", "filter", shape, "error", msg)
		return badRequest(ScimTypeInvalidFilter, h.unsupportedFilter(err))
	case errors.As(err, &fe):
		return badRequest(ScimTypeInvalidFilter, fe.Error())
	case errors.As(err, &me):
		return badRequest(ScimTypeInvalidFilter, me.Error())
	}
	id := requestID()
	h.cfg.Logger.ErrorContext(r.Context(), "scim: internal error", "request_id", id, "method", r.Method, "path", r.URL.Path, "error", err)
	return errorf(http.StatusInternalServerError, "", "internal error; "+internalErrorID+id)
}

func requestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}
