package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/activitylog"
	"github.com/scimkit/scim/examples/internal/demo"
	"github.com/scimkit/scim/memstore"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	token := flag.String("token", os.Getenv("SCIM_TOKEN"), "bearer token of the first demo tenant (default $SCIM_TOKEN, else a random one, printed)")
	p := demo.ProfileFlag()
	flag.Parse()
	profile = *p
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, *token, logger); err != nil {
		logger.Error("server stopped", "error", err)
		os.Exit(1)
	}
}

// profile is the -profile flag's.
var profile scim.Profile

// tenants are the demo's customers; each gets a base URL and a token.
var tenants = demo.Tenants

func run(addr, firstToken string, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store := memstore.New()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	tokens := scim.NewTokens(nil)
	issued, err := demo.IssueTokens(tokens, firstToken)
	if err != nil {
		return err
	}

	activity := activitylog.New(0, nil)
	mux, err := newMux(store, tokens, logger, activity)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String() + "/scim/v2"
	adminPassword, err := mountAdmin(mux, tokens, activity, base, logger)
	if err != nil {
		return err
	}

	fmt.Printf("scimkit demo server\n\nbase URL  %s\ntoken     %s\n\nper-tenant base URLs (each takes only its own tenant's token):\n", base, issued[tenants[0]])
	for _, t := range tenants {
		fmt.Printf("  %-7s %s/%s\n          token %s\n", t, base, t, issued[t])
	}
	fmt.Printf("\nadmin     http://%s/admin/ (user admin, password %s)\n", ln.Addr(), adminPassword)
	fmt.Printf("\ntry: curl -H 'Authorization: Bearer %s' '%s/Users?filter=userName%%20eq%%20%%22x%%22'\n", issued[tenants[0]], base)
	fmt.Printf("     curl -H 'Authorization: Bearer %s' '%s/Agents'\n", issued[tenants[0]], base)

	return demo.Serve(ctx, ln, logRequests(logger, mux), logger)
}

// newMux mounts scimkit twice over one store: at /scim/v2, where the token
// alone decides the tenant, and at /scim/v2/{tenant}, where the token must
// also belong to the tenant the URL names. Beside Users and Groups it serves
// the demo's /Agents, which memstore keeps as it keeps any declared type.
func newMux(store scim.Store, auth scim.Authenticator, logger *slog.Logger, activity scim.ActivitySink) (*http.ServeMux, error) {
	return demo.NewMux(store, scim.Config{Authenticator: auth, Logger: logger, Activity: activity, Profile: profile,
		ResourceTypes: []scim.ResourceType{demo.AgentType()}})
}

// logRequests logs one line per request with log/slog: the path and the
// names of the query's parameters, never their values, since a filter's
// literals are userNames and e-mail addresses.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		logger.Info("request", "method", r.Method, "path", r.URL.Path, "params", paramNames(r.URL.RawQuery),
			"status", sw.status, "duration", time.Since(start), "user_agent", r.UserAgent())
	})
}

// paramNames returns the names of the raw query's parameters, once each,
// in order: what precedes each pair's first "=". A name that does not
// unescape is left out.
func paramNames(raw string) []string {
	var names []string
	for pair := range strings.SplitSeq(raw, "&") {
		k, _, _ := strings.Cut(pair, "=")
		if name, err := url.QueryUnescape(k); err == nil && name != "" && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
