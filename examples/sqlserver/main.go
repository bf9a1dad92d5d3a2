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
	"github.com/scimkit/scim/schema"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	token := flag.String("token", os.Getenv("SCIM_TOKEN"), "bearer token of the first demo tenant (default $SCIM_TOKEN, else a random one, printed)")
	db := flag.String("db", "sqlite", "the app's database: sqlite[:PATH] (a SQLite file, default scimkit-demo.db) or a postgres:// URL")
	flag.Func("profile", "strict (the default) or rfc: the whole RFC 7643 User and the enterprise extension", func(s string) error {
		switch s {
		case "strict":
			profile = scim.ProfileStrict
		case "rfc":
			profile = scim.ProfileRFC
		default:
			return errors.New("want strict or rfc")
		}
		return nil
	})
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, *token, *db, logger); err != nil {
		logger.Error("server stopped", "error", err)
		os.Exit(1)
	}
}

// profile is the -profile flag's.
var profile scim.Profile

// tenants are the demo's customers; each gets a base URL and a token. The
// app's table keeps them apart in its org column.
var tenants = []string{"acme", "globex"}

func run(addr, firstToken, db string, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store, closeStore, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer closeStore()

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

	mux, err := newMux(store, tokens, logger)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}

	base := "http://" + ln.Addr().String() + "/scim/v2"
	fmt.Printf("scimkit demo server over the app's users table (%s)\n\nbase URL  %s\ntoken     %s\n\nper-tenant base URLs (each takes only its own tenant's token):\n", dbKind(db), base, issued[tenants[0]])
	for _, t := range tenants {
		fmt.Printf("  %-7s %s/%s\n          token %s\n", t, base, t, issued[t])
	}

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

// newMux mounts scimkit twice over the app's table, as examples/server
// does over memory: at /scim/v2, where the token alone decides the tenant,
// and at /scim/v2/{tenant}, where the token must also belong to the tenant
// the URL names.
func newMux(store scim.Store, auth scim.Authenticator, logger *slog.Logger) (*http.ServeMux, error) {
	cfg := scim.Config{Authenticator: auth, Logger: logger, Attributes: []schema.Attribute{regions}, Profile: profile,
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
