package sqlstore_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// TestGroupReplicas runs two Stores on one database, as two replicas of a
// host would, and sends them 50 concurrent membership changes of one
// group, each adding a different member without a version, as Okta and
// Entra ID send membership PATCHes in parallel: no member may be lost.
func TestGroupReplicas(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		for _, ids := range []sqlstore.IDs{sqlstore.UUIDs, sqlstore.DatabaseIDs} {
			t.Run(map[sqlstore.IDs]string{sqlstore.UUIDs: "UUIDs", sqlstore.DatabaseIDs: "DatabaseIDs"}[ids], func(t *testing.T) {
				cfg := fullConfig
				cfg.IDs = ids
				s1, db, cfg := d.newGroupStore(t, cfg)
				s2 := must(sqlstore.New(db, cfg))(t)
				defer s2.Close()
				stores := []*sqlstore.Store{s1, s2}
				ctx := scim.WithTenant(bg, "acme")
				const n = 50
				users := make([]string, n)
				for i := range n {
					users[i] = must(s1.Create(ctx, &scim.User{UserName: userName(i), Active: true}))(t).ID
				}
				g := must(s1.CreateGroup(ctx, &scim.Group{DisplayName: "Replicated"}))(t)
				var wg sync.WaitGroup
				errs := make([]error, n)
				gate := make(chan struct{})
				for i := range n {
					wg.Go(func() {
						<-gate
						_, errs[i] = stores[i%2].ModifyGroup(ctx, g.ID, scim.GroupChange{
							Add: []scim.Member{{Value: users[i]}}, Now: time.Now()}, "")
					})
				}
				close(gate)
				wg.Wait()
				for i, err := range errs {
					if err != nil {
						t.Errorf("ModifyGroup %d (store %d): %v", i, i%2+1, err)
					}
				}
				got := must(s2.Group(ctx, g.ID, true))(t)
				have := make([]string, len(got.Members))
				for i, m := range got.Members {
					have[i] = m.Value
				}
				for _, u := range users {
					if !slices.Contains(have, u) {
						t.Errorf("member %q is lost; the group has %d members", u, len(have))
					}
				}
				if v := got.Meta.Version; v != fmt.Sprintf(`W/"%d"`, n+1) {
					t.Errorf("version %s after %d changes, want W/\"%d\"", v, n, n+1)
				}
			})
		}
	})
}
