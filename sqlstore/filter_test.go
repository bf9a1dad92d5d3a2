package sqlstore_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/sqlstore"
)

// seedUsers are users with every attribute present, absent and in
// several cases, to compare the database's answers with filter.Match's.
func seedUsers() []*scim.User {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 12, 0, 0, 0, time.UTC) }
	return []*scim.User{
		{UserName: "alice", ExternalID: "A-1", GivenName: "Alice", FamilyName: "Liddell", Email: "alice@Example.com", Active: true,
			Custom: map[string]any{"regions": []string{"emea", "apac"}, "costCenter": "100", "level": int64(3), "remote": true, "hired": day(1)},
			Meta:   scim.Meta{Created: day(1), LastModified: day(2)}},
		{UserName: "Bob", ExternalID: "a-1", GivenName: "Bob", Email: "bob@example.org",
			Custom: map[string]any{"regions": []string{"AMER"}, "level": int64(5), "remote": false},
			Meta:   scim.Meta{Created: day(3), LastModified: day(3)}},
		{UserName: "carol_100%", DisplayName: "Carol C", FamilyName: "Cee", Active: true,
			Custom: map[string]any{"costCenter": "1_0", "hired": day(10)},
			Meta:   scim.Meta{Created: day(5), LastModified: day(6)}},
		{UserName: "dave", ExternalID: "x*y?[z]", Email: "DAVE@EXAMPLE.COM", Active: true,
			Custom: map[string]any{"regions": []string{"emea-north"}, "level": int64(-1)},
			Meta:   scim.Meta{Created: day(7), LastModified: day(8)}},
		{UserName: "Eve!", GivenName: "Eve", FamilyName: "Adams",
			Meta: scim.Meta{Created: day(9), LastModified: day(9)}},
	}
}

var differentialFilters = []string{
	`userName eq "ALICE"`,
	`userName eq "bob"`,
	`userName ne "bob"`,
	`userName co "a"`,
	`userName co "100%"`,
	`userName co "_"`,
	`userName sw "c"`,
	`userName ew "!"`,
	`userName gt "bob"`,
	`userName ge "bob"`,
	`userName lt "carol"`,
	`userName le "dave"`,
	`userName pr`,
	`externalId eq "A-1"`,
	`externalId eq "a-1"`,
	`externalId ne "A-1"`,
	`externalId sw "a"`,
	`externalId co "*y?[z"`,
	`externalId pr`,
	`externalId eq null`,
	`not (externalId eq "A-1")`,
	`name.givenName pr and not (name.familyName pr)`,
	`name.familyName lt "c"`,
	`displayName eq "Carol C"`,
	`displayName eq "alice liddell"`,
	`displayName eq "bob"`,
	`displayName sw "eve"`,
	`emails.value eq "alice@example.com"`,
	`emails eq "dave@example.com"`,
	`emails.value ew "example.com"`,
	`emails[type eq "work" and value eq "BOB@example.org"]`,
	`emails[type eq "work"].value eq "dave@example.com"`,
	`emails[type eq "work"]`,
	`emails[type eq "home"]`,
	`emails[value co "example" and not (value co "org")]`,
	`emails pr`,
	`not (emails pr)`,
	`active eq true`,
	`active ne true`,
	`active eq false or userName eq "alice"`,
	`meta.created gt "2026-01-03T12:00:00Z"`,
	`meta.created ge "2026-01-03T12:00:00Z"`,
	`meta.lastModified lt "2026-01-06T00:00:00+01:00"`,
	`meta.created pr`,
	`regions eq "EMEA"`,
	`regions eq "emea-north"`,
	`regions sw "emea"`,
	`regions ew "north"`,
	`regions co "me"`,
	`regions pr`,
	`not (regions eq "emea")`,
	`costCenter eq "100"`,
	`costCenter co "_"`,
	`costCenter ne "100"`,
	`level gt 3`,
	`level le 3`,
	`level eq -1`,
	`level ne 5`,
	`level pr`,
	`remote eq false`,
	`remote ne false`,
	`not (remote eq true)`,
	`hired ge "2026-01-05T00:00:00Z"`,
	`hired eq "2026-01-01T12:00:00Z"`,
	`(userName sw "a" or userName sw "b") and active eq true`,
	`not (userName sw "a" or not (active eq true))`,
}

// resolve parses a filter and resolves it exactly as the handler does for
// a list request (scim.Handler.ParseFilter), with fullConfig's custom
// attributes declared.
func resolve(t testing.TB, s string) filter.Expr {
	t.Helper()
	h := must(scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Attributes: fullAttributes}))(t)
	return must(h.ParseFilter(s))(t)
}

// TestFilterDifferential checks that List on each database selects
// exactly the users filter.Match selects.
func TestFilterDifferential(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		// Also over a table without display-name, last-modified and
		// version columns, whose served displayName is "given family"
		// and lastModified is created.
		for _, cfg := range []struct {
			name string
			cfg  sqlstore.Config
		}{{"all columns", fullConfig}, {"some columns", versionless}} {
			t.Run(cfg.name, func(t *testing.T) { filterDifferential(t, d, cfg.cfg) })
		}
	})
}

func filterDifferential(t *testing.T, d database, cfg sqlstore.Config) {
	s, _, _ := d.newStore(t, cfg)
	var users []*scim.User
	for _, u := range seedUsers() {
		users = append(users, must(s.Create(bg, u))(t))
	}
	for _, f := range differentialFilters {
		t.Run(f, func(t *testing.T) {
			e := resolve(t, f)
			var want []string
			for _, u := range users {
				if ok, err := filter.Match(e, u); err != nil {
					t.Fatalf("Match: %v", err)
				} else if ok {
					want = append(want, u.UserName)
				}
			}
			p, err := s.List(bg, scim.Query{Filter: e, StartIndex: 1, Count: 100})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			var got []string
			for _, u := range p.Users {
				got = append(got, u.UserName)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) || p.TotalResults != len(want) {
				t.Errorf("got %q (total %d), Match selects %q", got, p.TotalResults, want)
			}
		})
	}
}

func TestListUnsupported(t *testing.T) {
	s, _, _ := databases[0].newStore(t, fullConfig)
	for _, f := range []string{`title eq "x"`, `regions gt "a"`, `name[givenName eq "x"]`, `userName gt true`} {
		e, err := filter.Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.List(bg, scim.Query{Filter: e, StartIndex: 1, Count: 10}); !errors.Is(err, scim.ErrUnsupportedFilter) {
			t.Errorf("%s: %v, want ErrUnsupportedFilter", f, err)
		}
	}
}

func TestPaging(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, _, _ := d.newStore(t, fullConfig)
		for i := range 25 {
			must(s.Create(bg, &scim.User{UserName: userName(i), Active: i%2 == 0}))(t)
		}
		active := resolve(t, `active eq true`)
		seen := map[string]bool{}
		for start := 1; start <= 13; start += 5 {
			p := must(s.List(bg, scim.Query{Filter: active, StartIndex: start, Count: 5}))(t)
			if p.TotalResults != 13 {
				t.Errorf("start %d: total %d, want 13", start, p.TotalResults)
			}
			if want := min(5, 13-start+1); len(p.Users) != want {
				t.Errorf("start %d: %d users, want %d", start, len(p.Users), want)
			}
			for _, u := range p.Users {
				if seen[u.ID] {
					t.Errorf("%s on two pages", u.UserName)
				}
				seen[u.ID] = true
			}
		}
		if len(seen) != 13 {
			t.Errorf("the pages hold %d users, want 13", len(seen))
		}
		for _, q := range []scim.Query{{StartIndex: 1, Count: 0}, {StartIndex: 30, Count: 10}} {
			if p := must(s.List(bg, q))(t); p.TotalResults != 25 || len(p.Users) != 0 {
				t.Errorf("%+v: total %d, %d users", q, p.TotalResults, len(p.Users))
			}
		}
	})
}
