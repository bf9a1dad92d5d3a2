package sqlstore_test

import (
	"crypto/rand"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// dropLater drops the tables when the test ends, if they exist.
func dropLater(t testing.TB, db *sql.DB, tables ...string) {
	t.Cleanup(func() {
		for _, table := range tables {
			if _, err := db.Exec("DROP TABLE IF EXISTS " + table); err != nil {
				t.Errorf("drop %s: %v", table, err)
			}
		}
	})
}

// wantAll fails unless err says each of wants.
func wantAll(t *testing.T, what string, err error, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v\nwant it to say %q", what, err, want)
		}
	}
}

// Without the group tables a store serves users until GET /Users/{id}
// reads a user's groups, or DELETE removes their memberships: a 500 for
// every such request. Check names both tables at start-up, each with
// Config.Schema's statements, and passes once those have run; the
// handler then answers those requests.
func TestCheckNamesMissingGroupTables(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		db := d.open(t)
		cfg := d.table(t, db, sqlstore.Config{})
		cfg.Groups = &sqlstore.GroupTables{Table: cfg.Table + "_groups", Members: cfg.Table + "_members"}
		dropLater(t, db, cfg.Groups.Members, cfg.Groups.Table)
		s := must(sqlstore.New(db, cfg))(t)
		defer s.Close()

		var groupStmts []string
		for _, stmt := range must(cfg.Schema())(t) {
			if strings.Contains(stmt, " "+cfg.Groups.Table+" ") || strings.Contains(stmt, " "+cfg.Groups.Members+" ") {
				groupStmts = append(groupStmts, stmt)
			}
		}
		err := s.Check(bg)
		wantAll(t, "Check without the group tables", err,
			"Config.Groups.Table: table "+cfg.Groups.Table+" does not exist; create it with:",
			"Config.Groups.Members: table "+cfg.Groups.Members+" does not exist; create it with:")
		for _, stmt := range groupStmts {
			wantAll(t, "Check without the group tables", err, strings.ReplaceAll(stmt, "\n", "\n\t\t"))
		}
		if t.Failed() {
			return
		}

		for _, stmt := range groupStmts {
			if _, err := db.Exec(stmt); err != nil {
				t.Fatalf("%s\n%v", stmt, err)
			}
		}
		if err := s.Check(bg); err != nil {
			t.Fatalf("Check after the statements it named: %v", err)
		}
		h := must(scim.NewHandler(s, scim.Config{Authenticator: scim.SkipAuthentication}))(t)
		u := must(s.Create(bg, &scim.User{UserName: "ann@example.com", Active: true}))(t)
		for _, r := range []struct {
			method string
			want   int
		}{{http.MethodGet, http.StatusOK}, {http.MethodDelete, http.StatusNoContent}} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(r.method, "/Users/"+u.ID, nil))
			if rec.Code != r.want {
				t.Errorf("%s /Users/{id}: %d %s, want %d", r.method, rec.Code, rec.Body, r.want)
			}
		}
	})
}

// A group or membership column the tables lack is named with the ALTER
// TABLE that adds it, its definition Schema's; a membership table
// without its primary key is named with the index that gives it one.
func TestCheckNamesMissingGroupColumns(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		db := d.open(t)
		cfg := d.groupTables(t, db, sqlstore.Config{})
		bad := cfg
		g := *cfg.Groups
		g.Columns.Version = "no_such_version"
		g.MemberColumns.Type = "no_such_type"
		bad.Groups = &g
		err := must(sqlstore.New(db, bad))(t).Check(bg)
		wantAll(t, "Check with group columns the tables lack", err,
			"Config.Groups.Columns.Version: column no_such_version of "+g.Table+" does not exist; add it with: ALTER TABLE "+g.Table+" ADD COLUMN no_such_version BIGINT NOT NULL DEFAULT 1",
			"Config.Groups.MemberColumns.Type: column no_such_type of "+g.Members+" does not exist; add it with: ALTER TABLE "+g.Members+" ADD COLUMN no_such_type VARCHAR(5) NOT NULL")

		// A membership table made without its primary key.
		nokey := cfg
		ng := *cfg.Groups
		ng.Members = cfg.Table + "_nokey"
		nokey.Groups = &ng
		dropLater(t, db, ng.Members)
		for _, stmt := range must(nokey.Schema())(t) {
			if strings.HasPrefix(stmt, "CREATE TABLE "+ng.Members+" ") {
				stmt = strings.Replace(stmt, ",\n\tPRIMARY KEY (group_id, member_id, member_type)", "", 1)
				if _, err := db.Exec(stmt); err != nil {
					t.Fatalf("%s\n%v", stmt, err)
				}
			}
		}
		wantAll(t, "Check of a membership table without its key", must(sqlstore.New(db, nokey))(t).Check(bg),
			"Config.Groups.Members: table "+ng.Members+" has no primary key or unique index on (group_id, member_id, member_type)",
			"CREATE UNIQUE INDEX "+ng.Members+"_key ON "+ng.Members+" (group_id, member_id, member_type)")
	})
}

// An existing table's integer key under the default UUIDs is the most
// common first mistake: Check says to set IDs: sqlstore.DatabaseIDs, for
// the user, group and membership tables alike, and the other way round.
func TestCheckNamesTheIDsThatFitTheIDColumn(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		db := d.open(t)
		cfg := d.groupTables(t, db, sqlstore.Config{IDs: sqlstore.DatabaseIDs})
		if err := must(sqlstore.New(db, cfg))(t).Check(bg); err != nil {
			t.Fatalf("Check of Schema's tables: %v", err)
		}
		uuids := cfg
		uuids.IDs = sqlstore.UUIDs
		hint := "which cannot hold a string (ids are UUIDs by default: for ids the table's integer key makes, set IDs: sqlstore.DatabaseIDs)"
		wantAll(t, "Check of integer ids under UUIDs", must(sqlstore.New(db, uuids))(t).Check(bg),
			"Columns.ID: column id is ", hint,
			"Config.Groups.Columns.ID: column "+cfg.Groups.Table+".id is ",
			"Config.Groups.MemberColumns.Member: column "+cfg.Groups.Members+".member_id is ")

		text := d.groupTables(t, db, sqlstore.Config{})
		text.IDs = sqlstore.DatabaseIDs
		wantAll(t, "Check of text ids under DatabaseIDs", must(sqlstore.New(db, text))(t).Check(bg),
			"Columns.ID: column id is ", "which cannot hold an integer (IDs is sqlstore.DatabaseIDs")
	})
}

// Tokens, RateLimiter and Activity each check their own tables, naming
// what is missing with their Schema's statements; on Schema's tables
// they pass.
func TestComponentsCheckTheirTables(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		db := d.open(t)
		suffix := strings.ToLower(rand.Text()[:10])

		t.Run("Tokens", func(t *testing.T) {
			cfg := d.tokensTable(t, db, nil)
			if err := must(sqlstore.NewTokens(db, cfg))(t).Check(bg); err != nil {
				t.Errorf("Check of Schema's table: %v", err)
			}
			missing := cfg
			missing.Table = "scim_tokens_missing_" + suffix
			stmts := must(missing.Schema())(t)
			err := must(sqlstore.NewTokens(db, missing))(t).Check(bg)
			wantAll(t, "Check without the table", err, "TokensConfig.Table: table "+missing.Table+" does not exist; create it with:",
				strings.ReplaceAll(stmts[0], "\n", "\n\t\t"), stmts[1])
			if _, err := db.Exec("ALTER TABLE " + cfg.Table + " DROP COLUMN last_used"); err != nil {
				t.Fatal(err)
			}
			wantAll(t, "Check without last_used", must(sqlstore.NewTokens(db, cfg))(t).Check(bg),
				"column last_used of "+cfg.Table+" does not exist; add it with: ALTER TABLE "+cfg.Table+" ADD COLUMN last_used ")
		})

		t.Run("RateLimiter", func(t *testing.T) {
			cfg := d.limitsTable(t, db, sqlstore.RateLimitConfig{Limit: 10})
			if err := must(sqlstore.NewRateLimiter(db, cfg))(t).Check(bg); err != nil {
				t.Errorf("Check of Schema's table: %v", err)
			}
			missing := cfg
			missing.Table = "scim_limits_missing_" + suffix
			stmts := must(missing.Schema())(t)
			wantAll(t, "Check without the table", must(sqlstore.NewRateLimiter(db, missing))(t).Check(bg),
				"RateLimitConfig.Table: table "+missing.Table+" does not exist; create it with:", stmts[0])
			// A counters table without its key: the upsert cannot count.
			nokey := cfg
			nokey.Table = "scim_limits_nokey_" + suffix
			dropLater(t, db, nokey.Table)
			create := strings.Replace(must(nokey.Schema())(t)[0], " PRIMARY KEY", "", 1)
			if _, err := db.Exec(create); err != nil {
				t.Fatalf("%s\n%v", create, err)
			}
			wantAll(t, "Check without the key", must(sqlstore.NewRateLimiter(db, nokey))(t).Check(bg),
				"has no primary key or unique index on (tenant)", "CREATE UNIQUE INDEX "+nokey.Table+"_key ON "+nokey.Table+" (tenant)")
		})

		t.Run("Activity", func(t *testing.T) {
			a := d.newActivity(t, nil)
			if err := a.Check(bg); err != nil {
				t.Errorf("Check of Schema's tables: %v", err)
			}
			missing := must(sqlstore.NewActivity(db, sqlstore.ActivityConfig{Dialect: d.dialect, Table: "scim_act_missing_" + suffix}))(t)
			stmts := missing.Schema()
			wantAll(t, "Check without the tables", missing.Check(bg),
				"ActivityConfig.Table: table scim_act_missing_"+suffix+" does not exist; create it with:",
				"ActivityConfig.Table (health counts): table scim_act_missing_"+suffix+"_health does not exist; create it with:",
				strings.ReplaceAll(stmts[0], "\n", "\n\t\t"), strings.ReplaceAll(stmts[2], "\n", "\n\t\t"))
		})
	})
}
