package memstore_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/memstore"
)

func Example() {
	s := memstore.New()
	ctx := scim.WithTenant(context.Background(), "acme")

	u, _ := s.Create(ctx, &scim.User{UserName: "bjensen@example.com", GivenName: "Barbara", Active: true})
	fmt.Println("created", u.UserName, u.Meta.Version)

	// userName is unique ignoring case.
	_, err := s.Create(ctx, &scim.User{UserName: "BJensen@Example.com"})
	fmt.Println("duplicate:", errors.Is(err, scim.ErrUniqueness))

	// Okta's existence check, as the handler hands it over.
	f, _ := filter.Parse(`userName eq "BJENSEN@example.com"`)
	page, _ := s.List(ctx, scim.Query{Filter: f, StartIndex: 1, Count: 100})
	fmt.Println("found", page.TotalResults, page.Users[0].ID == u.ID)

	// A replace at a stale version changes nothing.
	u.Active = false
	u2, _ := s.Replace(ctx, u, u.Meta.Version)
	_, err = s.Replace(ctx, u, u.Meta.Version)
	fmt.Println("deactivated", u2.Meta.Version, "stale:", errors.Is(err, scim.ErrVersionMismatch))

	// Another tenant sees nothing.
	_, err = s.User(scim.WithTenant(context.Background(), "globex"), u.ID)
	fmt.Println("other tenant:", errors.Is(err, scim.ErrNotFound))
	// Output:
	// created bjensen@example.com W/"1"
	// duplicate: true
	// found 1 true
	// deactivated W/"2" stale: true
	// other tenant: true
}
