package sqlstore_test

import (
	"database/sql"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

var t0 = time.Date(2026, 1, 31, 9, 0, 0, 123456000, time.UTC)

func TestCRUD(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		for _, ids := range []sqlstore.IDs{sqlstore.UUIDs, sqlstore.DatabaseIDs} {
			t.Run(map[sqlstore.IDs]string{sqlstore.UUIDs: "UUIDs", sqlstore.DatabaseIDs: "DatabaseIDs"}[ids], func(t *testing.T) {
				cfg := fullConfig
				cfg.IDs = ids
				s, _, _ := d.newStore(t, cfg)
				testCRUD(t, s)
			})
		}
	})
}

func testCRUD(t *testing.T, s *sqlstore.Store) {
	ctx := scim.WithTenant(bg, "acme")
	in := &scim.User{
		ExternalID: "ext-1", UserName: "BJensen@example.com", GivenName: "Barbara", FamilyName: "Jensen",
		Email: "bjensen@example.com", Active: true,
		Custom: map[string]any{"regions": []string{"emea", "apac"}, "costCenter": "42", "level": int64(7),
			"remote": true, "hired": t0.Add(-time.Hour)},
		Meta: scim.Meta{Created: t0, LastModified: t0},
	}
	created := must(s.Create(ctx, in))(t)
	if created.ID == "" || created.Meta.Version != `W/"1"` {
		t.Fatalf("created: id %q version %q", created.ID, created.Meta.Version)
	}
	got := must(s.User(ctx, created.ID))(t)
	if !reflect.DeepEqual(got, created) {
		t.Errorf("User:\n got %+v\nwant %+v", got, created)
	}

	t.Run("tenants", func(t *testing.T) {
		other := scim.WithTenant(bg, "globex")
		if _, err := s.User(other, created.ID); !errors.Is(err, scim.ErrNotFound) {
			t.Errorf("User in another tenant: %v", err)
		}
		if err := s.Delete(other, created.ID, ""); !errors.Is(err, scim.ErrNotFound) {
			t.Errorf("Delete in another tenant: %v", err)
		}
		if p := must(s.List(other, scim.Query{StartIndex: 1, Count: 10}))(t); p.TotalResults != 0 {
			t.Errorf("List in another tenant: %d users", p.TotalResults)
		}
		// The same userName is free in another tenant.
		u := must(s.Create(other, &scim.User{UserName: "bjensen@example.com"}))(t)
		if err := s.Delete(other, u.ID, u.Meta.Version); err != nil {
			t.Error(err)
		}
	})

	t.Run("uniqueness", func(t *testing.T) {
		if _, err := s.Create(ctx, &scim.User{UserName: "bjensen@EXAMPLE.com"}); !errors.Is(err, scim.ErrUniqueness) {
			t.Errorf("Create with a taken userName in another case: %v", err)
		}
		u := must(s.Create(ctx, &scim.User{UserName: "other"}))(t)
		u.UserName = "BJENSEN@example.com"
		if _, err := s.Replace(ctx, u, ""); !errors.Is(err, scim.ErrUniqueness) {
			t.Errorf("Replace to a taken userName: %v", err)
		}
		if err := s.Delete(ctx, u.ID, ""); err != nil {
			t.Error(err)
		}
	})

	t.Run("replace", func(t *testing.T) {
		next := got.Clone()
		next.GivenName, next.Custom["regions"], next.Custom["level"] = "Babs", []string{"amer"}, int64(8)
		delete(next.Custom, "costCenter")
		next.Meta.LastModified = t0.Add(time.Minute)
		next.Meta.Created = time.Time{} // not replaced
		stored := must(s.Replace(ctx, next, got.Meta.Version))(t)
		if stored.Meta.Version != `W/"2"` || !stored.Meta.Created.Equal(t0.Truncate(time.Microsecond)) {
			t.Errorf("replaced: version %q created %v", stored.Meta.Version, stored.Meta.Created)
		}
		if read := must(s.User(ctx, got.ID))(t); !reflect.DeepEqual(read, stored) {
			t.Errorf("read back:\n got %+v\nwant %+v", read, stored)
		}
		if _, err := s.Replace(ctx, next, got.Meta.Version); !errors.Is(err, scim.ErrVersionMismatch) {
			t.Errorf("Replace with a stale version: %v", err)
		}
		if _, err := s.Replace(ctx, next, "garbage"); !errors.Is(err, scim.ErrVersionMismatch) {
			t.Errorf("Replace with a garbage version: %v", err)
		}
		if u := must(s.Replace(ctx, next, ""))(t); u.Meta.Version != `W/"3"` {
			t.Errorf("Replace without a version: version %q", u.Meta.Version)
		}
		missing := next.Clone()
		missing.ID = "999999"
		if _, err := s.Replace(ctx, missing, `W/"1"`); !errors.Is(err, scim.ErrNotFound) {
			t.Errorf("Replace of an unknown id: %v", err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		if err := s.Delete(ctx, got.ID, `W/"1"`); !errors.Is(err, scim.ErrVersionMismatch) {
			t.Errorf("Delete with a stale version: %v", err)
		}
		if err := s.Delete(ctx, got.ID, `W/"3"`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.User(ctx, got.ID); !errors.Is(err, scim.ErrNotFound) {
			t.Errorf("User after Delete: %v", err)
		}
		if err := s.Delete(ctx, got.ID, ""); !errors.Is(err, scim.ErrNotFound) {
			t.Errorf("Delete twice: %v", err)
		}
		for _, id := range []string{"not-a-number", "0"} {
			if _, err := s.User(ctx, id); !errors.Is(err, scim.ErrNotFound) {
				t.Errorf("User(%q): %v", id, err)
			}
		}
	})

	t.Run("no tenant column", func(t *testing.T) {
		// A tenant column is what keeps tenants apart; without one, a
		// tenant in the context is refused rather than ignored.
		cfg := fullConfig
		cfg.Columns.Tenant = ""
		cfg.Dialect, cfg.Table = sqlstore.SQLite, "t"
		db := must(sql.Open("sqlite", ":memory:"))(t)
		defer db.Close()
		s2 := must(sqlstore.New(db, cfg))(t)
		if _, err := s2.User(ctx, "x"); err == nil {
			t.Error("a tenant in the context without a tenant column: no error")
		}
	})
}

func TestCustomValues(t *testing.T) {
	s, _, _ := databases[0].newStore(t, fullConfig)
	for _, custom := range []map[string]any{
		{"regions": []string{"a,b"}},
		{"regions": []string{""}},
		{"regions": "emea"},
		{"level": 7},
		{"hired": "2026-01-01"},
	} {
		if _, err := s.Create(bg, &scim.User{UserName: "x", Custom: custom}); err == nil {
			t.Errorf("Create with %v: no error", custom)
		}
	}
}
