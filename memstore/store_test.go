package memstore_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/scimtest"
)

func TestStore(t *testing.T) {
	scimtest.TestStore(t, func(*testing.T) scim.Store { return memstore.New() })
}

// The zero Store is ready to use, like a zero sync.Mutex.
func TestZeroStore(t *testing.T) {
	scimtest.TestStore(t, func(*testing.T) scim.Store { return new(memstore.Store) })
}

// An operator that does not apply to a value is filter.Match's
// *filter.MatchError, which the handler answers with 400 invalidFilter;
// it is not ErrUnsupportedFilter, which says the store cannot evaluate a
// filter at all.
func TestListMatchError(t *testing.T) {
	s := memstore.New()
	ctx := context.Background()
	if _, err := s.Create(ctx, &scim.User{UserName: "bjensen"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []filter.Expr{
		&filter.Compare{Path: filter.AttrPath{Name: "active"}, Op: filter.Gt, Value: filter.Value{Kind: filter.Bool, Bool: true}},
		&filter.Compare{Path: filter.AttrPath{Name: "userName"}, Op: filter.Eq, Value: filter.Value{Kind: filter.Number, Num: 1}},
	} {
		_, err := s.List(ctx, scim.Query{Filter: f, StartIndex: 1, Count: 10})
		var me *filter.MatchError
		if !errors.As(err, &me) {
			t.Errorf("List(%s): got %v, want a *filter.MatchError", f, err)
		}
		if errors.Is(err, scim.ErrUnsupportedFilter) {
			t.Errorf("List(%s): %v wraps ErrUnsupportedFilter", f, err)
		}
	}
}

// Versions count a user's writes.
func TestVersions(t *testing.T) {
	s := memstore.New()
	ctx := context.Background()
	u, err := s.Create(ctx, &scim.User{UserName: "bjensen"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`W/"1"`}
	for range 40 {
		if u, err = s.Replace(ctx, u, u.Meta.Version); err != nil {
			t.Fatal(err)
		}
		want = append(want, u.Meta.Version)
	}
	if want[1] != `W/"2"` || want[40] != `W/"41"` {
		t.Errorf("versions %q … %q, want W/\"2\" … W/\"41\"", want[1], want[40])
	}
}

// Many deletes trigger compactions of the order; paging stays right.
func TestPagingAfterDeletes(t *testing.T) {
	s := memstore.New()
	ctx := context.Background()
	var kept []string
	for i := range 1000 {
		u, err := s.Create(ctx, &scim.User{UserName: "user" + strconv.Itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			kept = append(kept, u.ID)
		} else if err := s.Delete(ctx, u.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for start := 1; ; start += 7 {
		p, err := s.List(ctx, scim.Query{StartIndex: start, Count: 7})
		if err != nil {
			t.Fatal(err)
		}
		if p.TotalResults != len(kept) {
			t.Fatalf("TotalResults = %d, want %d", p.TotalResults, len(kept))
		}
		if len(p.Users) == 0 {
			break
		}
		for _, u := range p.Users {
			got = append(got, u.ID)
		}
	}
	if len(got) != len(kept) {
		t.Fatalf("paged through %d users, want %d", len(got), len(kept))
	}
	for i := range got {
		if got[i] != kept[i] {
			t.Fatalf("user %d is %s, want %s", i, got[i], kept[i])
		}
	}
}
