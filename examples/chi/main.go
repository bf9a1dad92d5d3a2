package main

import (
	"log"
	"net/http"
	"os"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

func main() {
	r, err := newRouter(os.Getenv("SCIM_TOKEN"))
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", r))
}

func newRouter(token string) (chi.Router, error) {
	tokens := scim.NewTokens(nil)
	if err := tokens.Add(token, "acme", "okta", time.Now().AddDate(1, 0, 0)); err != nil {
		return nil, err
	}
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: tokens})
	if err != nil {
		return nil, err
	}
	r := chi.NewRouter()
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	r.Mount("/scim/v2", h)
	return r, nil
}
