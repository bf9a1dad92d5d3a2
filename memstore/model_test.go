package memstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// modelUser is what a model of the Store holds of one user.
type modelUser struct {
	id, name, ext, mail, ver string
	tag                      []string
}

// TestStoreAgainstModel runs random creates, replaces, deletes and group
// changes in two tenants, with every key colliding (so chains are long and
// slab places are reused), and checks every read against a plain model:
// order, each index (userName in any case, externalId, emails.value),
// uniqueness, versions, copies and group memberships of reused places.
func TestStoreAgainstModel(t *testing.T) {
	for _, shift := range []uint8{0, 62, 63} {
		for seed := range uint64(4) {
			t.Run(fmt.Sprint("shift", shift, "seed", seed), func(t *testing.T) {
				runModel(t, &Store{keyShift: shift}, rand.New(rand.NewPCG(seed, uint64(shift))))
			})
		}
	}
}

func runModel(t *testing.T, s *Store, r *rand.Rand) {
	// Names whose cases fold together in ways ASCII lower-casing does not
	// see: the Kelvin sign K is k, the long s ſ is s.
	names := []string{"kim", "KIM", "\u212Aim", "sam", "\u017Fam", "SAM", "ann", "bob", "Bob", "carl", "dora", "eve", "fay", "gus", "hal"}
	exts := []string{"", "x1", "x2", "X1"}
	mails := []string{"", "a@x", "A@X", "b@x"}
	tenants := []string{"", "t2"}
	model := map[string][]*modelUser{}
	memberOf := map[string][]string{} // user id → group ids, per the model
	ctxs := map[string]context.Context{}
	for _, tn := range tenants {
		ctxs[tn] = scim.WithTenant(context.Background(), tn)
	}
	find := func(tn, name string) *modelUser {
		for _, m := range model[tn] {
			if strings.EqualFold(m.name, name) {
				return m
			}
		}
		return nil
	}
	list := func(tn, f string) []*scim.User {
		t.Helper()
		var e filter.Expr
		if f != "" {
			var err error
			if e, err = filter.Parse(f); err != nil {
				t.Fatal(err)
			}
			if c, ok := e.(*filter.Compare); ok && (c.Path.Name == "externalId" || c.Path.Name == "id") {
				c.CaseExact = true // as the schema resolves them
			}
		}
		p, err := s.List(ctxs[tn], scim.Query{Filter: e, StartIndex: 1, Count: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return p.Users
	}
	ids := func(us []*scim.User) []string {
		var out []string
		for _, u := range us {
			out = append(out, u.ID)
		}
		return out
	}
	want := func(tn string, keep func(*modelUser) bool) []string {
		var out []string
		for _, m := range model[tn] {
			if keep(m) {
				out = append(out, m.id)
			}
		}
		return out
	}
	for step := range 3000 {
		tn := tenants[r.IntN(len(tenants))]
		ctx := ctxs[tn]
		switch op := r.IntN(10); {
		case op < 4: // create
			u := &scim.User{UserName: names[r.IntN(len(names))], ExternalID: exts[r.IntN(len(exts))], Email: mails[r.IntN(len(mails))],
				Custom: map[string]any{"tag": []string{fmt.Sprint(step)}}}
			got, err := s.Create(ctx, u)
			if taken := find(tn, u.UserName); taken != nil {
				if !errors.Is(err, scim.ErrUniqueness) {
					t.Fatalf("step %d: Create %q over %q: %v", step, u.UserName, taken.name, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("step %d: Create %q: %v", step, u.UserName, err)
			}
			got.Custom["tag"].([]string)[0] = "scribbled" // must not reach the store
			u.Custom["tag"].([]string)[0] = "scribbled"
			model[tn] = append(model[tn], &modelUser{got.ID, u.UserName, u.ExternalID, u.Email, got.Meta.Version, []string{fmt.Sprint(step)}})
			if grps, err := s.UserGroups(ctx, got.ID); err != nil || len(grps) != 0 {
				t.Fatalf("step %d: a new user is in groups %v (%v)", step, grps, err)
			}
		case op < 6 && len(model[tn]) > 0: // replace
			m := model[tn][r.IntN(len(model[tn]))]
			u := &scim.User{ID: m.id, UserName: names[r.IntN(len(names))], ExternalID: exts[r.IntN(len(exts))], Email: mails[r.IntN(len(mails))],
				Custom: map[string]any{"tag": []string{fmt.Sprint("r", step)}}}
			ver := m.ver
			if r.IntN(5) == 0 {
				ver = `W/"999"`
			}
			got, err := s.Replace(ctx, u, ver)
			other := find(tn, u.UserName)
			switch {
			case ver != m.ver:
				if !errors.Is(err, scim.ErrVersionMismatch) {
					t.Fatalf("step %d: stale Replace: %v", step, err)
				}
			case other != nil && other != m:
				if !errors.Is(err, scim.ErrUniqueness) {
					t.Fatalf("step %d: Replace %q over %q: %v", step, u.UserName, other.name, err)
				}
			case err != nil:
				t.Fatalf("step %d: Replace: %v", step, err)
			default:
				m.name, m.ext, m.mail, m.ver, m.tag = u.UserName, u.ExternalID, u.Email, got.Meta.Version, []string{fmt.Sprint("r", step)}
				got.Custom["tag"].([]string)[0] = "scribbled"
				u.Custom["tag"].([]string)[0] = "scribbled"
			}
		case op < 8 && len(model[tn]) > 0: // delete
			i := r.IntN(len(model[tn]))
			if err := s.Delete(ctx, model[tn][i].id, model[tn][i].ver); err != nil {
				t.Fatalf("step %d: Delete: %v", step, err)
			}
			if _, err := s.User(ctx, model[tn][i].id); !errors.Is(err, scim.ErrNotFound) {
				t.Fatalf("step %d: deleted user read: %v", step, err)
			}
			delete(memberOf, model[tn][i].id)
			model[tn] = slices.Delete(model[tn], i, i+1)
		case len(model[tn]) > 0: // a group of a few users
			var ms []scim.Member
			for range 1 + r.IntN(3) {
				ms = append(ms, scim.Member{Value: model[tn][r.IntN(len(model[tn]))].id})
			}
			slices.SortFunc(ms, func(a, b scim.Member) int { return strings.Compare(a.Value, b.Value) })
			ms = slices.CompactFunc(ms, func(a, b scim.Member) bool { return a.Value == b.Value })
			g, err := s.CreateGroup(ctx, &scim.Group{DisplayName: fmt.Sprint("g", step), Members: ms})
			if err != nil {
				t.Fatalf("step %d: CreateGroup: %v", step, err)
			}
			for _, m := range ms {
				memberOf[m.Value] = append(memberOf[m.Value], g.ID)
			}
		}
		if step%7 != 0 {
			continue
		}
		for _, tn := range tenants {
			ctx := ctxs[tn]
			if got, w := ids(list(tn, "")), want(tn, func(*modelUser) bool { return true }); !slices.Equal(got, w) {
				t.Fatalf("step %d tenant %q: List order %v, want %v", step, tn, got, w)
			}
			for _, m := range model[tn] {
				u, err := s.User(ctx, m.id)
				if err != nil || u.UserName != m.name || u.ExternalID != m.ext || u.Email != m.mail || u.Meta.Version != m.ver ||
					!slices.Equal(u.Custom["tag"].([]string), m.tag) {
					t.Fatalf("step %d tenant %q: User %s = %+v, %v; want %+v", step, tn, m.id, u, err, m)
				}
				var grps []string
				gr, err := s.UserGroups(ctx, m.id)
				if err != nil {
					t.Fatal(err)
				}
				for _, g := range gr {
					grps = append(grps, g.ID)
				}
				if !slices.Equal(grps, memberOf[m.id]) {
					t.Fatalf("step %d: user %s in groups %v, want %v", step, m.id, grps, memberOf[m.id])
				}
			}
			for _, n := range names {
				if got, w := ids(list(tn, fmt.Sprintf("userName eq %q", n))), want(tn, func(m *modelUser) bool { return strings.EqualFold(m.name, n) }); !slices.Equal(got, w) {
					t.Fatalf("step %d tenant %q: userName eq %q gives %v, want %v", step, tn, n, got, w)
				}
			}
			for _, x := range exts[1:] {
				if got, w := ids(list(tn, fmt.Sprintf("externalId eq %q", x))), want(tn, func(m *modelUser) bool { return m.ext == x }); !slices.Equal(got, w) {
					t.Fatalf("step %d tenant %q: externalId eq %q gives %v, want %v", step, tn, x, got, w)
				}
			}
			for _, x := range mails[1:] {
				if got, w := ids(list(tn, fmt.Sprintf("emails.value eq %q", x))), want(tn, func(m *modelUser) bool { return strings.EqualFold(m.mail, x) }); !slices.Equal(got, w) {
					t.Fatalf("step %d tenant %q: emails.value eq %q gives %v, want %v", step, tn, x, got, w)
				}
			}
		}
	}
}
