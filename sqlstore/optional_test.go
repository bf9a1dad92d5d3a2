package sqlstore_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// versionless is fullConfig without a version or last-modified column:
// versions come from the row's content.
var versionless = func() sqlstore.Config {
	c := fullConfig
	c.Columns.Version, c.Columns.LastModified, c.Columns.DisplayName = "-", "-", "-"
	return c
}()

// TestContentVersionsNoLostUpdate runs 50 goroutines through two Stores on
// one table without a version column: the compare-and-swap on the row's
// values must lose no update and let exactly one of the writers of one
// version win.
func TestContentVersionsNoLostUpdate(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s1, db, cfg := d.newStore(t, versionless)
		s2 := must(sqlstore.New(db, cfg))(t)
		defer s2.Close()
		if err := s1.Check(bg); err != nil {
			t.Fatal(err)
		}
		stores := []*sqlstore.Store{s1, s2}
		ctx := scim.WithTenant(bg, "acme")
		u := must(s1.Create(ctx, &scim.User{UserName: "contested", Active: true, Custom: map[string]any{"level": int64(0)}}))(t)

		// Everyone replaces the version they read: one wins.
		var wg sync.WaitGroup
		errs := make([]error, 50)
		for i := range 50 {
			wg.Go(func() {
				next := u.Clone()
				next.GivenName = fmt.Sprintf("writer%02d", i)
				_, errs[i] = stores[i%2].Replace(ctx, next, u.Meta.Version)
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, scim.ErrVersionMismatch):
				t.Errorf("Replace: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d replaces of one version succeeded, want 1", won)
		}

		// 50 read-modify-write increments with a retry on a mismatch, as
		// the handler's PATCH does: none is lost.
		for i := range 50 {
			wg.Go(func() {
				s := stores[i%2]
				for {
					cur, err := s.User(ctx, u.ID)
					if err != nil {
						t.Error(err)
						return
					}
					cur.Custom["level"] = cur.Custom["level"].(int64) + 1
					_, err = s.Replace(ctx, cur, cur.Meta.Version)
					if err == nil {
						return
					}
					if !errors.Is(err, scim.ErrVersionMismatch) {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		got := must(s2.User(ctx, u.ID))(t)
		if got.Custom["level"] != int64(50) {
			t.Errorf("level %v after 50 increments: an update was lost", got.Custom["level"])
		}

		// A delete at a version read before a change is refused.
		stale := got.Meta.Version
		next := got.Clone()
		next.FamilyName = "Changed"
		must(s1.Replace(ctx, next, ""))(t)
		if err := s2.Delete(ctx, u.ID, stale); !errors.Is(err, scim.ErrVersionMismatch) {
			t.Errorf("Delete at a stale version: %v, want a version mismatch", err)
		}
		cur := must(s2.User(ctx, u.ID))(t)
		if err := s2.Delete(ctx, u.ID, cur.Meta.Version); err != nil {
			t.Errorf("Delete at the current version: %v", err)
		}
	})
}

// TestConflictNamesIndex gives the table a second unique index, on the
// work e-mail: a conflict on it is a 409 naming the e-mail, not userName,
// through the handler, on create and on replace.
func TestConflictNamesIndex(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, db, cfg := d.newStore(t, fullConfig)
		key := "tenant, lower(email)"
		if d.dialect != sqlstore.PostgreSQL {
			key = "tenant, email_lower" // MariaDB cannot index an expression; SQLite's lower() is ASCII-only
		}
		if _, err := db.Exec("CREATE UNIQUE INDEX " + cfg.Table + "_work_email_key ON " + cfg.Table + " (" + key + ")"); err != nil {
			t.Fatal(err)
		}
		h := must(scim.NewHandler(s, scim.Config{Authenticator: scim.SkipAuthentication, Attributes: fullAttributes}))(t)
		send := func(method, path, body string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/scim+json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req.WithContext(scim.WithTenant(req.Context(), "acme")))
			return rec
		}
		user := func(name, email string) string {
			return fmt.Sprintf(`{"schemas":[%q],"userName":%q,"name":{"givenName":"A","familyName":"B"},"emails":[{"value":%q,"type":"work"}]}`, scim.UserURN, name, email)
		}
		if rec := send("POST", "/Users", user("ann", "ann@example.com")); rec.Code != 201 {
			t.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		rec := send("POST", "/Users", user("bob", "ANN@example.com"))
		if rec.Code != 409 || !strings.Contains(rec.Body.String(), `emails[type eq \"work\"].value`) || strings.Contains(rec.Body.String(), "userName") {
			t.Errorf("create with a taken e-mail: %d %s, want 409 naming the work e-mail", rec.Code, rec.Body)
		}
		rec = send("POST", "/Users", user("ANN", "new@example.com"))
		if rec.Code != 409 || !strings.Contains(rec.Body.String(), "userName") {
			t.Errorf("create with a taken userName: %d %s, want 409 naming userName", rec.Code, rec.Body)
		}
		rec = send("POST", "/Users", user("bob", "bob@example.com"))
		var bob struct{ ID string }
		if err := json.Unmarshal(rec.Body.Bytes(), &bob); err != nil || rec.Code != 201 {
			t.Fatalf("create bob: %d %s", rec.Code, rec.Body)
		}
		rec = send("PUT", "/Users/"+bob.ID, user("bob", "Ann@Example.com"))
		if rec.Code != 409 || !strings.Contains(rec.Body.String(), `emails[type eq \"work\"].value`) {
			t.Errorf("replace onto a taken e-mail: %d %s, want 409 naming the work e-mail", rec.Code, rec.Body)
		}
	})
}

// TestCheck names every missing and mistyped column at once, and passes on
// the table Schema creates.
func TestCheck(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, db, cfg := d.newStore(t, fullConfig)
		if err := s.Check(bg); err != nil {
			t.Errorf("Check on Schema's table: %v", err)
		}
		bad := cfg
		bad.Columns.DisplayName = "no_such_display"
		bad.Columns.Version = "cost_center"                          // text, not an integer
		bad.Custom = []sqlstore.Custom{cfg.Custom[0], cfg.Custom[2]} // regions and level, not costCenter
		bad.Custom[0].Column = "no_such_regions"
		err := must(sqlstore.New(db, bad))(t).Check(bg)
		for _, want := range []string{"no_such_display does not exist", "Columns.Version: column cost_center is", "cannot hold an integer", "no_such_regions does not exist"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Check: %v\nwant it to say %q", err, want)
			}
		}
		missing := cfg
		missing.Table = cfg.Table + "_missing"
		if err := must(sqlstore.New(db, missing))(t).Check(bg); err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("Check of a missing table: %v", err)
		}
		// A tenant column the table lacks is named too.
		noTenant := cfg
		noTenant.Columns.Tenant = "org_id"
		if err := must(sqlstore.New(db, noTenant))(t).Check(bg); err == nil || !strings.Contains(err.Error(), "Columns.Tenant: column org_id does not exist") {
			t.Errorf("Check with a tenant column the table lacks: %v", err)
		}
	})
}

// TestNoActiveColumn: a table without an active flag serves every user as
// active and refuses a deactivation it could not keep, rather than let a
// deprovisioning look done.
func TestNoActiveColumn(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		cfg := versionless
		cfg.Columns.Active = "-"
		s, _, _ := d.newStore(t, cfg)
		ctx := scim.WithTenant(bg, "acme")
		u := must(s.Create(ctx, &scim.User{UserName: "ann", Active: true}))(t)
		if got := must(s.User(ctx, u.ID))(t); !got.Active {
			t.Errorf("a user of a table without active is served inactive")
		}
		off := u.Clone()
		off.Active = false
		_, err := s.Replace(ctx, off, "")
		var e *scim.Error
		if !errors.As(err, &e) || e.Status != 400 || !strings.Contains(e.Detail, "cannot deactivate") {
			t.Errorf("Replace with active false: %v, want a 400 saying users cannot be deactivated", err)
		}
		if _, err := s.Create(ctx, &scim.User{UserName: "bob"}); !errors.As(err, &e) || e.Status != 400 {
			t.Errorf("Create of an inactive user: %v, want a 400", err)
		}
	})
}

// TestContentVersionsHostRows: rows the host wrote itself, with times in
// its own format, can be replaced and deleted at their version.
func TestContentVersionsHostRows(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, db, cfg := d.newStore(t, versionless)
		created := "'2024-03-01 09:30:00'"
		if d.dialect == sqlstore.PostgreSQL {
			created = "'2024-03-01 09:30:00+00'"
		}
		if _, err := db.Exec("INSERT INTO " + cfg.Table + " (id, tenant, user_name, user_name_lower, email_lower, created, active) VALUES ('host-1', 'acme', 'Ann', 'ann', NULL, " + created + ", TRUE)"); err != nil {
			if _, err := db.Exec("INSERT INTO " + cfg.Table + " (id, tenant, user_name, created, active) VALUES ('host-1', 'acme', 'Ann', " + created + ", TRUE)"); err != nil {
				t.Fatal(err)
			}
		}
		ctx := scim.WithTenant(bg, "acme")
		u := must(s.User(ctx, "host-1"))(t)
		u.GivenName = "Changed"
		u2, err := s.Replace(ctx, u, u.Meta.Version)
		if err != nil {
			t.Fatalf("Replace of a host-written row at its version: %v", err)
		}
		if err := s.Delete(ctx, u2.ID, u2.Meta.Version); err != nil {
			t.Errorf("Delete at the version Replace returned: %v", err)
		}
	})
}
