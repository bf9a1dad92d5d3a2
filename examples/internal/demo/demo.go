package demo

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/schema"
)

// Tenants are the demo's customers; each gets a base URL and a token.
var Tenants = []string{"acme", "globex"}

// Regions is the demo's custom attribute: a list Okta may send as
// "us1,emea2".
var Regions = schema.Attribute{Name: "regions", Type: schema.String, MultiValued: true,
	Description: "Data regions the user may access."}

// ProfileFlag registers -profile (strict or rfc) and returns where its
// value lands.
func ProfileFlag() *scim.Profile {
	var p scim.Profile
	flag.Func("profile", "strict (the default) or rfc: the whole RFC 7643 User and the enterprise extension", func(s string) error {
		switch s {
		case "strict":
			p = scim.ProfileStrict
		case "rfc":
			p = scim.ProfileRFC
		default:
			return errors.New("want strict or rfc")
		}
		return nil
	})
	return &p
}

// IssueTokens gives each tenant a token valid for a year: the first
// tenant first (when it is not empty), the others random. It returns
// them by tenant.
func IssueTokens(tokens *scim.Tokens, first string) (map[string]string, error) {
	issued := map[string]string{}
	expires := time.Now().AddDate(1, 0, 0)
	for i, tenant := range Tenants {
		tok := first
		var err error
		if i > 0 || tok == "" {
			tok, err = tokens.Issue(tenant, "demo", expires)
		} else {
			err = tokens.Add(tok, tenant, "demo", expires)
		}
		if err != nil {
			return nil, err
		}
		issued[tenant] = tok
	}
	return issued, nil
}

// NewMux mounts the handler twice over store, with cfg's settings and
// the demo's: at /scim/v2, where the token alone decides the tenant, and
// at /scim/v2/{tenant}, where the token must also belong to the tenant
// the URL names.
func NewMux(store scim.Store, cfg scim.Config) (*http.ServeMux, error) {
	cfg.Attributes = append(cfg.Attributes, Regions)
	cfg.RequestTimeout = 30 * time.Second
	cfg.RateLimiter = scim.NewTokenBucket(50, 100, nil)
	byToken, err := scim.NewHandler(store, cfg)
	if err != nil {
		return nil, err
	}
	cfg.TenantInPath = true
	byPath, err := scim.NewHandler(store, cfg)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", byToken)
	for _, t := range Tenants {
		mux.Handle("/scim/v2/"+t+"/", byPath)
	}
	return mux, nil
}

// Serve serves h on ln until ctx ends, then shuts down within 10 s. Every
// phase of a connection is bounded: headers, the whole request (the
// handler's RequestTimeout cuts a slow body off sooner), the response,
// and an idle keep-alive (after a 401 too).
func Serve(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
