package scim

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// Config configures a Handler. Its zero value works: every field documents
// its default.
type Config struct {
	// BasePath is the path the handler is mounted at, e.g. "/scim/v2".
	// When set, requests outside it get a 404. When empty, the handler
	// finds its endpoints (Users, Schemas, …) in whatever path it is given,
	// so it works under http.StripPrefix, chi's Mount and a plain ServeMux
	// alike, and below per-tenant prefixes such as /scim/v2/{tenant}.
	BasePath string

	// BaseURL is the scheme and host clients reach the service at, plus
	// any path prefix a proxy removes before the request reaches the host,
	// e.g. "https://app.example.com"; the handler appends the path it is
	// mounted at (/scim/v2, /scim/v2/{tenant}) for meta.location and the
	// Location header. Default: "https" when the request came over TLS,
	// "http" otherwise, and the request's Host. Set it behind a proxy that
	// terminates TLS.
	BaseURL string

	// Authenticator checks each request's bearer token: NewTokens,
	// sqlstore's Tokens, or the host's own. It is required: NewHandler
	// refuses a nil one, so that a forgotten line never serves every
	// request unauthenticated. A handler mounted behind the host's own
	// authentication middleware (which may put a tenant in the context
	// with WithTenant) says so with SkipAuthentication.
	Authenticator Authenticator

	// TenantInPath says that a path segment names the tenant, as in
	// /scim/v2/{tenant}/Users, so that each customer gets its own base
	// URL: with BasePath, the segment right after it; without, the segment
	// right before the endpoint (set BasePath when the tenant is not
	// there, as in /t/{tenant}/scim/v2/Users with BasePath "/t"). A request whose tenant (from its token, or put in the
	// context by the host's middleware) is not the one in its path is
	// refused with a 401. Default false: the tenant comes from the token
	// alone.
	TenantInPath bool

	// RateLimiter limits requests per tenant; over the limit a request gets
	// a 429 with Retry-After. NewTokenBucket is ready. Default nil: no limit.
	RateLimiter RateLimiter

	// FailedAuthLimiter limits failed bearer-token attempts per client
	// address (the host of the request's RemoteAddr; behind a proxy, set
	// RemoteAddr from the proxy's header in middleware). Each request
	// whose token is refused spends one from its address's budget
	// (Allow is called with the address); once a refused request finds
	// the budget spent, every request from that address gets a 429 with
	// Retry-After, before its token is looked at, until the wait has
	// passed. NewTokenBucket(0.1, 10, nil) allows ten failures and one
	// more every ten seconds. Default nil: no limit (token guessing is
	// then bounded only by the tokens' 256 bits).
	FailedAuthLimiter RateLimiter

	// AllowUnauthenticatedDiscovery serves /ServiceProviderConfig,
	// /ResourceTypes and /Schemas without a bearer token. Default false:
	// they need one like every other endpoint.
	AllowUnauthenticatedDiscovery bool

	// Disabled lists write operations the host does not support; they are
	// answered with a 501 SCIM error, and a disabled PATCH is reported as
	// unsupported in /ServiceProviderConfig. Default: none.
	Disabled Operations

	// RequestTimeout bounds each request: the body is read under a read
	// deadline, every Store call receives the deadline in its context,
	// PATCH application and the retries of a write that lost a race stop
	// when it passes, and nothing is written after it. A request that runs
	// out of time gets a 503. Default 0: no timeout of the handler's own
	// (the http.Server's apply; set its ReadTimeout and WriteTimeout).
	// Hosts serving identity providers should set it (e.g. 30 seconds).
	RequestTimeout time.Duration

	// MaxURLBytes caps the length of the request URL (path and query); a
	// longer one gets a 414. Default 8 KiB. Header size is the
	// http.Server's to limit (MaxHeaderBytes).
	MaxURLBytes int

	// Hooks let the host act before a create, adopt existing users on a
	// collision, and learn of every change. Default: none.
	Hooks Hooks

	// AdoptByEmail offers Hooks.Adopt an existing user with the same work
	// email as a user being created, not only one with the same userName.
	AdoptByEmail bool

	// AuditLogger receives one record per write: tenant, token label,
	// operation, user id, userName and the names (never the values) of the
	// changed attributes. Default nil: no audit trail.
	AuditLogger *slog.Logger

	// Activity receives every request's outcome and every change, for the
	// customer's provisioning log and connection health (package
	// scimadmin shows them): userNames, statuses and details, never
	// tokens, passwords or other attribute values. activitylog.New keeps
	// them in memory. Default nil: nothing is recorded, at no cost.
	Activity ActivitySink

	// Profile selects the strict profile (the default) or the whole RFC
	// 7643 User (ProfileRFC); see Profile.
	Profile Profile

	// Keep names the attributes of RFC 7643's User (e.g. "title",
	// "phoneNumbers", "name" for all of name, "emails" for every email
	// rather than the work email alone) and of its enterprise extension
	// (e.g. "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department")
	// that a handler in the strict profile keeps besides its own. Their
	// values live in User.Custom. Default: none. The RFC profile keeps
	// them all.
	Keep []string

	// Attributes are host-declared attributes in the core User schema, e.g.
	// a multi-valued string "regions". Their values live in User.Custom.
	// Supported types: string, boolean, integer, dateTime.
	Attributes []schema.Attribute

	// ResourceTypes are the host's own resource types, served beside Users
	// and Groups at their endpoints, listed in /ResourceTypes and
	// /Schemas, and searched by a root .search after them (see
	// ResourceType).
	ResourceTypes []ResourceType

	// Extensions are host-declared extension schemas (each with its own URN
	// and attributes), served in /Schemas and accepted as an object keyed by
	// the URN. Attribute names must be unique across Attributes and all
	// Extensions, since User.Custom is keyed by name.
	Extensions []schema.Schema

	// Required lists the attributes a user must have, by path. Default nil
	// means userName, name.givenName, name.familyName and emails (the work
	// email) in the strict profile, and userName alone in the RFC profile.
	// userName is always required (RFC 7643 §4.1.1).
	Required []string

	// Leniency groups the switches that say which departures from the
	// schema a request may make. The zero value accepts what identity
	// providers send and refuses what they do not (see Leniency).
	Leniency Leniency

	// DisableProfileUpdates refuses PUT and PATCH changes to anything but
	// active, for hosts that only create and (de)activate users. Such a
	// request gets a 403, and /ServiceProviderConfig says so.
	DisableProfileUpdates bool

	// PatchNoContent answers a successful PATCH of a user or a declared
	// type's resource with 204 and no body, unless the request names
	// attributes or excludedAttributes (RFC 7644 §3.5.2 then requires 200
	// with the resource). Default false: 200 with the updated resource.
	// Groups answer 204 either way, unless attributes are asked for.
	PatchNoContent bool

	// MaxResults caps count in list requests. Default 100. It is also the
	// page size when a request gives no count, and pagination.maxPageSize
	// and defaultPageSize in /ServiceProviderConfig.
	MaxResults int

	// CursorKey signs the RFC 9865 cursors the handler issues
	// (HMAC-SHA256), so that a client can neither forge nor alter one, nor
	// use it with another filter or tenant. Default: 32 random bytes drawn
	// by NewHandler, which suits one process only: replicas behind one
	// load balancer must share a key (at least 32 bytes, from the host's
	// secret store), or a cursor one replica issued is refused by the
	// next as invalidCursor, as it is after a restart. Changing the key
	// invalidates the cursors outstanding, nothing else.
	CursorKey []byte

	// CursorTimeout is how long a cursor stays valid after the page that
	// issued it; later it is refused as expiredCursor. It is advertised as
	// pagination.cursorTimeout. Default 1 hour.
	CursorTimeout time.Duration

	// MaxMembersPerRequest caps the group members one POST, PUT or PATCH
	// of a group may name; a request over it gets a 413 that says the cap.
	// Identity providers split large membership changes into several
	// PATCHes. Default 10,000.
	MaxMembersPerRequest int

	// MaxListMembers caps the members one page of GET /Groups embeds, in
	// all. A group whose members would take the page past it is listed
	// without "members"; GET /Groups/{id} returns them all. Default 10,000.
	MaxListMembers int

	// MaxBodyBytes caps request bodies; a larger body gets a 413. Default
	// 1 MiB.
	MaxBodyBytes int64

	// FilterLimits bounds the length and nesting of filters and the
	// length of their string literals. Default: the filter package's
	// defaults (4096 bytes, 32 levels, literals of 1024 bytes).
	FilterLimits filter.Limits

	// Limits bounds the values one request may store (string lengths, the
	// values of a multi-valued attribute), the operations of a PATCH and
	// the size of a list response. Its zero value applies the defaults
	// each of its fields documents.
	Limits Limits

	// Logger receives one record per failed request with an internal error
	// (the client sees only a request id). Default slog.Default().
	Logger *slog.Logger

	// Now is the clock for meta.created and meta.lastModified, which are
	// kept in UTC to the millisecond. Default time.Now.
	Now func() time.Time
}

// Operations is a set of write operations, for Config.Disabled.
type Operations uint8

// The write operations a host can disable.
const (
	OpCreate  Operations = 1 << iota // POST /Users
	OpReplace                        // PUT /Users/{id}
	OpPatch                          // PATCH /Users/{id}
	OpDelete                         // DELETE /Users/{id}
)

const (
	defaultMaxMembersPerRequest = 10_000
	defaultMaxListMembers       = 10_000
)

const (
	defaultMaxResults   = 100
	defaultMaxBodyBytes = 1 << 20
	defaultMaxURLBytes  = 8 << 10
)

// withDefaults validates c and fills in the defaults.
func (c Config) withDefaults() (Config, error) {
	if c.Authenticator == nil {
		return c, errors.New("scim: Config.Authenticator is nil; set one (scim.NewTokens, sqlstore's Tokens, your own), or scim.SkipAuthentication when your own middleware in front of the handler authenticates every request")
	}
	if c.BasePath != "" {
		if !strings.HasPrefix(c.BasePath, "/") {
			return c, fmt.Errorf("scim: Config.BasePath %q must start with /", c.BasePath)
		}
		c.BasePath = strings.TrimRight(c.BasePath, "/")
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || u.Scheme == "" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return c, fmt.Errorf("scim: Config.BaseURL %q is not an absolute URL", c.BaseURL)
		}
		c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	}
	if c.MaxResults < 0 || c.MaxBodyBytes < 0 || c.MaxURLBytes < 0 || c.RequestTimeout < 0 || c.MaxMembersPerRequest < 0 || c.MaxListMembers < 0 {
		return c, fmt.Errorf("scim: Config.MaxResults, MaxBodyBytes, MaxURLBytes, RequestTimeout, MaxMembersPerRequest and MaxListMembers must not be negative")
	}
	if err := c.cursorDefaults(); err != nil {
		return c, err
	}
	var err error
	if c.Limits, err = c.Limits.withDefaults(); err != nil {
		return c, err
	}
	if c.MaxMembersPerRequest == 0 {
		c.MaxMembersPerRequest = defaultMaxMembersPerRequest
	}
	if c.MaxListMembers == 0 {
		c.MaxListMembers = defaultMaxListMembers
	}
	if c.Profile != ProfileStrict && c.Profile != ProfileRFC {
		return c, fmt.Errorf("scim: Config.Profile %d is not a profile", c.Profile)
	}
	if c.Profile == ProfileRFC {
		c.Leniency.CaseInsensitiveNames = true
		if len(c.Keep) > 0 {
			return c, fmt.Errorf("scim: Config.Keep is for the strict profile; the RFC profile keeps every attribute")
		}
	}
	if c.MaxURLBytes == 0 {
		c.MaxURLBytes = defaultMaxURLBytes
	}
	if c.MaxResults == 0 {
		c.MaxResults = defaultMaxResults
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = defaultMaxBodyBytes
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	now := c.Now
	if now == nil {
		now = time.Now
	}
	// Milliseconds in UTC: every IdP's date parser reads them, and nothing
	// finer means anything to a client.
	c.Now = func() time.Time { return now().UTC().Truncate(time.Millisecond) }
	return c, nil
}

// Leniency groups the switches that say how strictly request bodies,
// paths and filters are read against the schema. The zero value accepts
// what Okta and Entra ID send (mis-cased names refused with the right
// spelling, unknown attributes ignored, "True"/"False" booleans taken)
// and nothing more.
type Leniency struct {
	// CaseInsensitiveNames accepts attribute names in any case, as RFC 7643
	// §2.1 allows (always so in the RFC profile). Default false: a name
	// must be spelled exactly as the
	// schema defines it, and a mis-cased one is a 400 that names the right
	// spelling.
	CaseInsensitiveNames bool

	// DisallowUnknownAttributes rejects attributes the schema does not
	// define with a 400. Default false: they are ignored (Okta sends locale,
	// for example). password is known, and never stored or returned. Note
	// that Entra ID's standard create sends name.formatted and roles, which
	// scimkit does not keep: with this set, declare them or Entra's creates
	// fail.
	DisallowUnknownAttributes bool

	// DisallowStringBooleans rejects "True" and "False" (any case) as
	// boolean values. Default false: they are accepted, as Entra ID sends
	// them in PATCH requests.
	DisallowStringBooleans bool

	// AllowStringIntegers accepts integer attributes written as JSON
	// strings ("42"). Default false.
	AllowStringIntegers bool
}
