package scim

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// Authenticator checks a bearer token and says whom it was issued to.
// Implementations must compare tokens in constant time and must not put
// the token in the errors they return.
type Authenticator interface {
	// Authenticate returns the principal the token belongs to. An error
	// means the request is refused with a 401; when it is (or wraps) an
	// *Error, its Detail is shown to the client (say why: "token expired on
	// 2026-01-31"), otherwise a generic detail is. With an error it may
	// return the Principal of a token it knows but refuses (revoked,
	// expired), so that the refusal is shown in that tenant's activity
	// log (Config.Activity); the request is refused all the same.
	//
	// When the token could not be checked at all (the database holding
	// the tokens is down), return an *Error with Status 503 (wrapping the
	// cause in Err), or the context's error: the request is answered 503,
	// not 401, and is not counted as a failed token. An IdP treats 401s as
	// a revoked credential (Entra ID quarantines the app after a run of
	// them); an outage must not look like one.
	Authenticate(ctx context.Context, token string) (Principal, error)
}

// SkipAuthentication is the Authenticator of a handler that authenticates
// nothing itself, because the host's middleware in front of it does (and
// may put a tenant in the context with WithTenant): every request that
// reaches the handler is served. Setting it is the host's explicit word
// that the handler is never reachable without that middleware.
var SkipAuthentication Authenticator = skipAuthentication{}

type skipAuthentication struct{}

// Authenticate refuses every token: the handler never calls it.
func (skipAuthentication) Authenticate(context.Context, string) (Principal, error) {
	return Principal{}, errors.New("scim: SkipAuthentication checks no token")
}

// Principal is who a bearer token was issued to.
type Principal struct {
	// Tenant scopes every Store call of the request (see TenantFrom).
	Tenant string
	// Label names the token for logs and hooks, e.g. "okta-2026"; never
	// the token itself.
	Label string
}

type principalKey struct{}

// PrincipalFrom returns the principal of the request's bearer token, and
// false when the handler checks none (SkipAuthentication).
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// authenticate reads the bearer token and puts its principal and tenant
// in the request's context. A refused token's tenant, when the
// Authenticator names it, is in the context returned with the error, for
// the activity log only.
func (h *Handler) authenticate(r *http.Request) (context.Context, *Error) {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return nil, errorf(http.StatusUnauthorized, "", "missing Authorization header; send Authorization: Bearer <token>")
	}
	scheme, token, ok := strings.Cut(authz, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, errorf(http.StatusUnauthorized, "", "malformed Authorization header; send Authorization: Bearer <token>")
	}
	p, err := h.cfg.Authenticator.Authenticate(r.Context(), token)
	if err != nil {
		var ctx context.Context
		if p.Tenant != "" && h.cfg.Activity != nil {
			ctx = WithTenant(r.Context(), p.Tenant)
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return ctx, ctxError(r.Context())
		}
		var e *Error
		if errors.As(err, &e) && e.Status == http.StatusServiceUnavailable {
			return ctx, &Error{Status: http.StatusServiceUnavailable, Detail: e.Detail, Err: err}
		}
		if errors.As(err, &e) {
			return ctx, errorf(http.StatusUnauthorized, "", e.Detail)
		}
		return ctx, errorf(http.StatusUnauthorized, "", "the bearer token is not valid")
	}
	ctx := context.WithValue(r.Context(), principalKey{}, p)
	return WithTenant(ctx, p.Tenant), nil
}
