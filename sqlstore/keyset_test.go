package sqlstore_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/sqlstore"
)

// fillCreated inserts n users of tenant acme into cfg's table: user j has
// userName user<j>, a created time that it shares with two neighbours
// (so that ids break the ties), NULL when nullEvery > 0 divides j, and,
// for UUIDs, an id that sorts opposite to j.
func fillCreated(t testing.TB, db *sql.DB, cfg sqlstore.Config, n, nullEvery int) {
	t.Helper()
	const batch = 500
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cols := []string{"tenant", "user_name", "external_id", "email", "active", "created"}
	if cfg.IDs == sqlstore.UUIDs {
		cols = append(cols, "id")
	}
	if cfg.Dialect == sqlstore.SQLite {
		cols = append(cols, "user_name_lower", "email_lower")
	}
	for i := 0; i < n; i += batch {
		var rows []string
		var args []any
		for j := i; j < min(i+batch, n); j++ {
			name, mail := fmt.Sprintf("user%05d@example.com", j), fmt.Sprintf("mail%05d@example.com", j)
			var created any = base.Add(time.Duration(j/3) * time.Second)
			if nullEvery > 0 && j%nullEvery == 0 {
				created = nil
			}
			vals := []any{"acme", name, fmt.Sprintf("ext-%05d", j), mail, true, created}
			if cfg.IDs == sqlstore.UUIDs {
				vals = append(vals, fmt.Sprintf("id-%05d", n-j))
			}
			if cfg.Dialect == sqlstore.SQLite {
				vals = append(vals, name, mail)
			}
			var ph []string
			for range vals {
				ph = append(ph, cfg.Dialect.Placeholder(len(args)+len(ph)+1))
			}
			rows = append(rows, "("+strings.Join(ph, ", ")+")")
			args = append(args, vals...)
		}
		q := "INSERT INTO " + cfg.Table + " (" + strings.Join(cols, ", ") + ") VALUES " + strings.Join(rows, ", ")
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	analyze := map[sqlstore.Dialect]string{sqlstore.PostgreSQL: "ANALYZE ", sqlstore.MySQL: "ANALYZE TABLE ", sqlstore.SQLite: "ANALYZE "}
	if _, err := db.Exec(analyze[cfg.Dialect] + cfg.Table); err != nil {
		t.Fatal(err)
	}
}

// keysetWalk pages through s's users matching f with ListKeyset, forward
// from the start or backward from the end, and returns their ids in list
// order.
func keysetWalk(t *testing.T, s *sqlstore.Store, f filter.Expr, count int, back bool) []string {
	t.Helper()
	ctx := scim.WithTenant(bg, "acme")
	var got []string
	seek := scim.Seek{Backward: back}
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatal("the walk does not end")
		}
		p := must(s.ListKeyset(ctx, scim.Query{Filter: f, Count: count, Seek: seek}))(t)
		if p.TotalResults != -1 {
			t.Errorf("TotalResults = %d, want -1", p.TotalResults)
		}
		var ids []string
		for _, u := range p.Users {
			ids = append(ids, u.ID)
		}
		if back {
			got = append(ids, got...)
			if !p.Keys.Before {
				return got
			}
			seek = scim.Seek{Key: p.Keys.First, Backward: true}
		} else {
			got = append(got, ids...)
			if !p.Keys.After {
				return got
			}
			seek = scim.Seek{Key: p.Keys.Last}
		}
	}
}

// TestKeysetNullCreated walks a table whose created column is NULL for
// some rows (a host's rows written before it had one) and where ids break
// ties of created: every walk gives List's order exactly, NULLs where the
// dialect sorts them, with and without a filter.
func TestKeysetNullCreated(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, db, cfg := d.newStore(t, fullConfig)
		fillCreated(t, db, cfg, 61, 4)
		ctx := scim.WithTenant(bg, "acme")
		for _, fs := range []string{"", `userName sw "user0002"`, `externalId gt "ext-00040"`} {
			var f filter.Expr
			if fs != "" {
				f = resolve(t, fs)
			}
			var want []string
			for _, u := range must(s.List(ctx, scim.Query{Filter: f, StartIndex: 1, Count: 1000}))(t).Users {
				want = append(want, u.ID)
			}
			if fs == "" && len(want) != 61 {
				t.Fatalf("List gives %d users, want 61", len(want))
			}
			for _, count := range []int{1, 3, 7, 100} {
				for _, back := range []bool{false, true} {
					if got := keysetWalk(t, s, f, count, back); !slices.Equal(got, want) {
						t.Errorf("filter %q, pages of %d, backward %v:\n%q\nwant List's order\n%q", fs, count, back, got, want)
					}
				}
			}
		}
	})
}

// TestKeysetInvalidKey: a key the store did not write is an error
// wrapping scim.ErrInvalidCursor, for users and groups, with either way of
// making ids.
func TestKeysetInvalidKey(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		for _, ids := range []sqlstore.IDs{sqlstore.UUIDs, sqlstore.DatabaseIDs} {
			cfg := fullConfig
			cfg.IDs = ids
			cfg.Groups = &sqlstore.GroupTables{}
			s, _, _ := d.newGroupStore(t, cfg)
			ctx := scim.WithTenant(bg, "acme")
			bad := []string{"x", "t", "n", "t_", "t12_", "t_id", "tx_id", "t012_id", "t+12_id", "t12", "12a", "012", "+1", " 1", strings.Repeat("1", 300)}
			if ids == sqlstore.DatabaseIDs {
				bad = append(bad, "n1", "t1_1", "99999999999999999999")
			}
			for _, k := range bad {
				for _, back := range []bool{false, true} {
					q := scim.Query{Count: 5, Seek: scim.Seek{Key: k, Backward: back}}
					if _, err := s.ListKeyset(ctx, q); !errors.Is(err, scim.ErrInvalidCursor) {
						t.Errorf("ids %v: ListKeyset with key %q: %v, want ErrInvalidCursor", ids, k, err)
					}
					if _, err := s.ListGroupsKeyset(ctx, q); !errors.Is(err, scim.ErrInvalidCursor) {
						t.Errorf("ids %v: ListGroupsKeyset with key %q: %v, want ErrInvalidCursor", ids, k, err)
					}
				}
			}
		}
	})
}

// TestKeysetHandlerWalk walks 250 users created through a scim.Handler
// over the store with GET /Users?cursor=&count=7, following nextCursor to
// the end and then previousCursor back to the start: each way sees every
// user exactly once, in List's order.
func TestKeysetHandlerWalk(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		for _, ids := range []sqlstore.IDs{sqlstore.UUIDs, sqlstore.DatabaseIDs} {
			t.Run(map[sqlstore.IDs]string{sqlstore.UUIDs: "UUIDs", sqlstore.DatabaseIDs: "DatabaseIDs"}[ids], func(t *testing.T) {
				cfg := fullConfig
				cfg.IDs = ids
				s, _, _ := d.newStore(t, cfg)
				h0 := must(scim.NewHandler(s, scim.Config{Authenticator: scim.SkipAuthentication, Attributes: fullAttributes}))(t)
				h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					h0.ServeHTTP(w, r.WithContext(scim.WithTenant(r.Context(), "acme")))
				})
				send := func(method, path, body string) *httptest.ResponseRecorder {
					req := httptest.NewRequest(method, path, strings.NewReader(body))
					req.Header.Set("Content-Type", "application/scim+json")
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					return rec
				}
				const n = 250
				for i := range n {
					body := fmt.Sprintf(`{"schemas":[%q],"userName":"walk%03d@example.com","name":{"givenName":"A","familyName":"B"},"emails":[{"value":"walk%03d@example.com","type":"work"}]}`, scim.UserURN, i, i)
					if rec := send("POST", "/Users", body); rec.Code != http.StatusCreated {
						t.Fatalf("create %d: %d %s", i, rec.Code, rec.Body)
					}
				}
				type list struct {
					TotalResults   *int
					Resources      []struct{ ID string }
					NextCursor     string
					PreviousCursor string
				}
				get := func(path string) list {
					t.Helper()
					rec := send("GET", path, "")
					if rec.Code != http.StatusOK {
						t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
					}
					var l list
					if err := json.Unmarshal(rec.Body.Bytes(), &l); err != nil {
						t.Fatal(err)
					}
					if len(l.Resources) > 7 {
						t.Fatalf("GET %s: %d resources, more than count", path, len(l.Resources))
					}
					return l
				}
				var want []string
				for _, u := range must(s.List(scim.WithTenant(bg, "acme"), scim.Query{StartIndex: 1, Count: 1000}))(t).Users {
					want = append(want, u.ID)
				}
				if len(want) != n {
					t.Fatalf("List gives %d users, want %d", len(want), n)
				}
				var fwd []string
				l := get("/Users?cursor=&count=7")
				if l.PreviousCursor != "" {
					t.Error("the first page has a previousCursor")
				}
				for pages := 1; ; pages++ {
					if l.TotalResults != nil && *l.TotalResults != -1 && *l.TotalResults != n {
						t.Errorf("totalResults = %d", *l.TotalResults)
					}
					for _, r := range l.Resources {
						fwd = append(fwd, r.ID)
					}
					if l.NextCursor == "" || pages > n {
						break
					}
					l = get("/Users?count=7&cursor=" + l.NextCursor)
				}
				if !slices.Equal(fwd, want) {
					t.Errorf("forward walk gives %d users\n%q\nwant\n%q", len(fwd), fwd, want)
				}
				var back []string
				for pages := 1; ; pages++ {
					var ids []string
					for _, r := range l.Resources {
						ids = append(ids, r.ID)
					}
					back = append(ids, back...)
					if l.PreviousCursor == "" || pages > n {
						break
					}
					l = get("/Users?count=7&cursor=" + l.PreviousCursor)
				}
				if !slices.Equal(back, want) {
					t.Errorf("backward walk gives %d users\n%q\nwant\n%q", len(back), back, want)
				}
			})
		}
	})
}

// TestKeysetExplain proves that a deep keyset page is an index range read,
// not a scan of the table nor a sort of it: on 20,000 users, the plan of
// the page after (and before) user 15,000 reads the (tenant, created, id)
// index in its order, for a created time and for a NULL one; and the page
// holds what List's OFFSET page holds.
func TestKeysetExplain(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, db, cfg := d.newStore(t, fullConfig)
		fillCreated(t, db, cfg, 20000, 10)
		ctx := scim.WithTenant(bg, "acme")
		base := strings.ToLower(strings.TrimPrefix(cfg.Table, "scim_test_"))
		for _, j := range []int{15001, 15000} { // created set, created NULL
			at := must(s.ListKeyset(ctx, scim.Query{Count: 1, Filter: resolve(t, fmt.Sprintf(`userName eq "user%05d@example.com"`, j))}))(t)
			if len(at.Users) != 1 {
				t.Fatalf("user %d not found", j)
			}
			key := at.Keys.First
			for _, back := range []bool{false, true} {
				t.Run(fmt.Sprintf("user%d/backward=%v", j, back), func(t *testing.T) {
					q := scim.Query{Count: 10, Seek: scim.Seek{Key: key, Backward: back}}
					query, args, err := s.KeysetQuery(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					plan := explain(t, db, d.dialect, query, append(args, 11))
					lower := strings.ToLower(plan)
					var bad bool
					switch d.dialect {
					case sqlstore.PostgreSQL:
						bad = strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "Sort")
					case sqlstore.SQLite:
						bad = strings.Contains(plan, "TEMP B-TREE") || !strings.Contains(plan, "SEARCH")
					case sqlstore.MySQL:
						bad = strings.Contains(lower, "filesort") || strings.Contains(plan, "type=ALL")
					}
					if bad || !strings.Contains(lower, base+"_created_idx") {
						t.Errorf("%s\nis not a range read of %s_created_idx in order:\n%s", query, cfg.Table, plan)
					} else {
						t.Logf("%s\n%s", query, plan)
					}
					// The page is the one index paging gives at that depth.
					all := must(s.List(ctx, scim.Query{StartIndex: 1, Count: 20000}))(t).Users
					i := slices.IndexFunc(all, func(u *scim.User) bool { return u.ID == at.Users[0].ID })
					want := all[i+1 : i+11]
					if back {
						want = all[i-10 : i]
					}
					p := must(s.ListKeyset(ctx, q))(t)
					if len(p.Users) != len(want) || !p.Keys.Before || !p.Keys.After {
						t.Fatalf("page of %d users, keys %+v; want %d with more on both sides", len(p.Users), p.Keys, len(want))
					}
					for k := range want {
						if p.Users[k].ID != want[k].ID {
							t.Fatalf("user %d of the page is %s, want %s", k, p.Users[k].ID, want[k].ID)
						}
					}
				})
			}
		}
	})
}

// BenchmarkKeysetDeep compares a page of 100 users at depth 19,000 of
// 20,000 read by keyset with the same page read by List's OFFSET, on each
// database.
func BenchmarkKeysetDeep(b *testing.B) {
	for _, d := range databases {
		b.Run(d.name, func(b *testing.B) {
			if d.env != "" && os.Getenv(d.env) == "" {
				b.Skipf("%s is not set", d.env)
			}
			s, db, cfg := d.newStore(b, fullConfig)
			fillCreated(b, db, cfg, 20000, 0)
			ctx := scim.WithTenant(bg, "acme")
			all := must(s.List(ctx, scim.Query{StartIndex: 1, Count: 20000}))(b).Users
			at := must(s.ListKeyset(ctx, scim.Query{Count: 1, Filter: resolve(b, fmt.Sprintf(`id eq %q`, all[18999].ID))}))(b)
			b.Run("Keyset", func(b *testing.B) {
				for b.Loop() {
					if p := must(s.ListKeyset(ctx, scim.Query{Count: 100, Seek: scim.Seek{Key: at.Keys.First}}))(b); len(p.Users) != 100 {
						b.Fatalf("%d users", len(p.Users))
					}
				}
			})
			b.Run("Offset", func(b *testing.B) {
				for b.Loop() {
					if p := must(s.List(ctx, scim.Query{StartIndex: 19001, Count: 100}))(b); len(p.Users) != 100 {
						b.Fatalf("%d users", len(p.Users))
					}
				}
			})
		})
	}
}
