package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/examples/internal/demo"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	token := flag.String("token", os.Getenv("SCIM_TOKEN"), "bearer token of the first demo tenant (default $SCIM_TOKEN, else a random one, printed)")
	db := flag.String("db", "sqlite", "the app's database: sqlite[:PATH] (a SQLite file, default scimkit-demo.db) or a postgres:// URL")
	p := demo.ProfileFlag()
	flag.Parse()
	profile = *p
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, *token, *db, logger); err != nil {
		logger.Error("server stopped", "error", err)
		os.Exit(1)
	}
}

// profile is the -profile flag's.
var profile scim.Profile

// tenants are the demo's customers; each gets a base URL and a token.
var tenants = demo.Tenants

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
	issued, err := demo.IssueTokens(tokens, firstToken)
	if err != nil {
		return err
	}

	mux, err := newMux(store, tokens, logger)
	if err != nil {
		return err
	}

	base := "http://" + ln.Addr().String() + "/scim/v2"
	fmt.Printf("scimkit demo server over the app's users table (%s)\n\nbase URL  %s\ntoken     %s\n\nper-tenant base URLs (each takes only its own tenant's token):\n", dbKind(db), base, issued[tenants[0]])
	for _, t := range tenants {
		fmt.Printf("  %-7s %s/%s\n          token %s\n", t, base, t, issued[t])
	}

	return demo.Serve(ctx, ln, mux, logger)
}

// newMux mounts scimkit twice over the app's table, as examples/server
// does over memory: at /scim/v2, where the token alone decides the tenant,
// and at /scim/v2/{tenant}, where the token must also belong to the tenant
// the URL names. Beside Users and Groups it serves the demo's /Agents, kept
// in the app's agents table (appAgents).
func newMux(store scim.Store, auth scim.Authenticator, logger *slog.Logger) (*http.ServeMux, error) {
	return demo.NewMux(store, scim.Config{Authenticator: auth, Logger: logger, Profile: profile,
		ResourceTypes: []scim.ResourceType{demo.AgentType()}})
}
