package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/schema"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	token := flag.String("token", os.Getenv("SCIM_TOKEN"), "bearer token of the first demo tenant (default $SCIM_TOKEN, else a random one, printed)")
	flag.Func("profile", "strict (the default) or rfc: the whole RFC 7643 User and the enterprise extension", func(s string) error {
		switch s {
		case "strict":
			profile = scim.ProfileStrict
		case "rfc":
			profile = scim.ProfileRFC
		default:
			return fmt.Errorf("want strict or rfc")
		}
		return nil
	})
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, *token, logger); err != nil {
		logger.Error("server stopped", "error", err)
		os.Exit(1)
	}
}

// profile is the -profile flag's.
var profile scim.Profile

// tenants are the demo's customers; each gets a base URL and a token.
var tenants = []string{"acme", "globex"}

// regions is the demo's custom attribute: a list Okta may send as
// "us1,emea2".
var regions = schema.Attribute{Name: "regions", Type: schema.String, MultiValued: true,
	Description: "Data regions the user may access."}

func run(addr, firstToken string, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store := memstore.New()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	tokens := scim.NewTokens(nil)
	issued := map[string]string{}
	expires := time.Now().AddDate(1, 0, 0)
	for i, tenant := range tenants {
		tok := firstToken
		if i > 0 || tok == "" {
			if tok, err = tokens.Issue(tenant, "demo", expires); err != nil {
				return err
			}
		} else if err := tokens.Add(tok, tenant, "demo", expires); err != nil {
			return err
		}
		issued[tenant] = tok
	}

	activity := scim.NewActivityLog(0, nil)
	mux, err := newMux(store, tokens, logger, activity)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String() + "/scim/v2"
	adminPassword, err := mountAdmin(mux, tokens, activity, base, logger)
	if err != nil {
		return err
	}
	// Every phase of a connection is bounded: headers, the whole request
	// (the handler's RequestTimeout cuts a slow body off sooner), the
	// response, and an idle keep-alive (after a 401 too).
	srv := &http.Server{Handler: logRequests(logger, mux), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		MaxHeaderBytes: 64 << 10}

	fmt.Printf("scimkit demo server\n\nbase URL  %s\ntoken     %s\n\nper-tenant base URLs (each takes only its own tenant's token):\n", base, issued[tenants[0]])
	for _, t := range tenants {
		fmt.Printf("  %-7s %s/%s\n          token %s\n", t, base, t, issued[t])
	}
	fmt.Printf("\nadmin     http://%s/admin/ (user admin, password %s)\n", ln.Addr(), adminPassword)
	fmt.Printf("\ntry: curl -H 'Authorization: Bearer %s' '%s/Users?filter=userName%%20eq%%20%%22x%%22'\n", issued[tenants[0]], base)

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

// newMux mounts scimkit twice over one store: at /scim/v2, where the token
// alone decides the tenant, and at /scim/v2/{tenant}, where the token must
// also belong to the tenant the URL names.
func newMux(store scim.Store, auth scim.Authenticator, logger *slog.Logger, activity scim.ActivitySink) (*http.ServeMux, error) {
	cfg := scim.Config{Authenticator: auth, Logger: logger, Attributes: []schema.Attribute{regions}, Activity: activity, Profile: profile,
		RequestTimeout: 30 * time.Second, RateLimiter: scim.NewTokenBucket(50, 100, nil)}
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
	for _, t := range tenants {
		mux.Handle("/scim/v2/"+t+"/", byPath)
	}
	return mux, nil
}

// logRequests logs one line per request with log/slog.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		logger.Info("request", "method", r.Method, "path", r.URL.Path, "query", r.URL.RawQuery,
			"status", sw.status, "duration", time.Since(start), "user_agent", r.UserAgent())
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
