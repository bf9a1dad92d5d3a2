package sqlstore_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/sqlstore"
)

// The users of the differential test: RFC 7643 §8's full and enterprise
// users, and variants with what they lack (non-work e-mails only, two
// work e-mails, no e-mail, Unicode, LIKE's and GLOB's special characters,
// the manager as a bare string as Entra ID sends it, nothing but a
// userName). Keyed by a short name for the want lists.
var jsonUsers = map[string]string{
	"full": "../testdata/rfc/full-user.json",
	"ent":  "../testdata/rfc/enterprise-user.json",
	"zoe": `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"zoe","nickName":"ZOË","title":"Zoë Manager","name":{"formatted":"Zoë Q"},
		"emails":[{"value":"Zoe@Home.example","type":"home"}],
		"phoneNumbers":[{"value":"+1 555 0100","type":"work","primary":true}],
		"roles":[{"value":"admin"},{"display":"no value"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D_50%","costCenter":"A!B*","manager":"boss-1"}}`,
	"multi": `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"multi","title":"100% remote","locale":"en-US",
		"emails":[{"value":"a@work.example","type":"work"},{"value":"b@work.example","type":"work","primary":true},{"value":"c@other.example"}],
		"addresses":[{"type":"home","locality":"hollywood","postalCode":"1"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tour operations","manager":{"displayName":"Johnny"}}}`,
	"noemail": `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"noemail","title":"guide","timezone":"Europe/Los Angeles",
		"addresses":[{"type":"work","locality":"Paris","primary":true}],"x509Certificates":[{"value":"MIIB"}],"ims":[{"value":"x","type":"xmpp"}]}`,
	"min": `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"min"}`,
}

const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:"

// The filters of the differential test, each with the users filter.Match
// selects: every operator, absent values, sub-attributes of singular and
// multi-valued complex attributes, the enterprise extension, value paths,
// not, and, or.
var jsonFilters = []struct {
	filter string
	want   string // the users, by key, space-separated
}{
	{`title eq "tour guide"`, "full ent"},
	{`title ne "Tour Guide"`, "zoe multi noemail"},
	{`title co "GUID"`, "full ent noemail"},
	{`title sw "tour"`, "full ent"},
	{`title ew "MANAGER"`, "zoe"},
	{`title co "%"`, "multi"},
	{`title co "0% R"`, "multi"},
	{`title gt "h"`, "full ent zoe"},
	{`title le "guide"`, "multi noemail"},
	{`title pr`, "full ent zoe multi noemail"},
	{`title eq null`, "min"},
	{`not (title eq "Tour Guide")`, "zoe multi noemail min"},
	{`not (title pr)`, "min"},
	{`nickName eq "zoë"`, "zoe"},
	{`nickName co "Ë"`, "zoe"},
	{`nickName ne "babs"`, "zoe"},
	{`name.formatted co "barbara j"`, "full ent"},
	{`name.middleName pr`, "full"},
	{`name.honorificPrefix eq "ms."`, "full"},
	{`name.formatted sw "ZOË"`, "zoe"},
	{`name pr`, "full ent zoe"},
	{`not (name pr)`, "multi noemail min"},
	{`addresses pr`, "full multi noemail"},
	{`meta pr`, "full ent zoe multi noemail min"},
	{ent + `manager pr`, "ent multi zoe"},
	{`userType eq "employee"`, "full"},
	{`locale eq "en-us"`, "full multi"},
	{`timezone co "los_"`, "full"},
	{`profileUrl ew "/BJENSEN"`, "full"},
	{ent + `department eq "tour operations"`, "ent multi"},
	{ent + `department co "_50%"`, "zoe"},
	{ent + `department co "D_5"`, "zoe"},
	{ent + `costCenter ew "!b*"`, "zoe"},
	{ent + `costCenter gt "4"`, "ent zoe"},
	{ent + `employeeNumber eq "701985"`, "ent"},
	{ent + `manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`, "ent"},
	{ent + `manager.value eq "BOSS-1"`, "zoe"},
	{ent + `manager.displayName sw "john"`, "ent multi"},
	// manager pr holds for multi too, whose manager has only a
	// displayName: RFC 7644 §3.4.2.2, "contains a non-empty node".
	{ent + `manager.value pr`, "ent zoe"},
	{ent + `department pr or ` + ent + `manager.value pr`, "ent zoe multi"},
	{`phoneNumbers.value eq "555-555-5555"`, "full"},
	{`phoneNumbers.value co "555"`, "full zoe"},
	{`phoneNumbers.value ne "555-555-5555"`, "full zoe"},
	{`phoneNumbers[type eq "work" and value co "555"]`, "full zoe"},
	{`phoneNumbers[type eq "mobile" and value ew "5555"]`, ""},
	{`phoneNumbers[type eq "MOBILE"]`, "full"},
	{`phoneNumbers.type eq "work"`, "full zoe"},
	{`phoneNumbers.primary eq true`, "zoe"},
	{`phoneNumbers[primary ne true]`, ""},
	{`phoneNumbers pr`, "full zoe"},
	{`phoneNumbers eq null`, "ent multi noemail min"},
	{`addresses.locality eq "hollywood"`, "full multi"},
	{`addresses[type eq "home" and locality sw "HOLLY"]`, "full multi"},
	{`addresses[type eq "work" and not (locality eq "Paris")]`, "full"},
	{`addresses.primary eq true`, "full noemail"},
	{`addresses.postalCode lt "5"`, "multi"},
	{`not (addresses.locality eq "Hollywood")`, "ent zoe noemail min"},
	{`emails.value eq "babs@jensen.org"`, "full"},
	{`emails.value eq "bjensen@example.com"`, "full"},
	{`emails[type eq "home"]`, "full zoe"},
	{`emails[type eq "home" and value eq "ZOE@home.example"]`, "zoe"},
	{`emails[type eq "work" and value eq "b@work.example"]`, "multi"},
	{`emails[type eq "work"].value eq "a@work.example"`, "multi"},
	{`emails[type eq "work" and value co "@work"]`, "multi"},
	{`emails[not (type eq "work")]`, "full zoe multi"},
	{`not (emails[type eq "work"])`, "zoe noemail min"},
	{`emails.type eq "home"`, "full zoe"},
	{`emails.type pr`, "full ent zoe multi"},
	{`emails.primary eq true`, "full ent multi"},
	{`emails[primary eq true and value ew ".example"]`, "multi"},
	{`emails pr`, "full ent zoe multi"},
	{`emails eq null`, "noemail min"},
	{`emails.value sw "C@"`, "multi"},
	{`roles.value pr`, "full zoe"},
	{`roles.value eq "GUIDE"`, "full"},
	{`roles[value eq null]`, "zoe"},
	{`roles.display co "value"`, "zoe"},
	{`entitlements.primary eq true`, "full"},
	{`x509Certificates.value sw "MIID"`, "full"},
	{`ims[type eq "aim"]`, "full"},
	{`photos.type eq "thumbnail"`, "full"},
	{`title pr and phoneNumbers.value co "555"`, "full zoe"},
	{`userName sw "Z" or ` + ent + `department pr`, "ent zoe multi"},
	{`userType eq "Employee" and not (addresses.locality eq "Paris")`, "full"},
	{`(title co "guide" or nickName pr) and not (emails.type eq "work")`, "zoe noemail"},
}

// TestJSONFiltersMatchMemstore runs every filter of jsonFilters over the
// same users on memstore (filter.Match) and on sqlstore with its JSON
// column on each database, and requires the same users, and those of the
// want list, from each.
func TestJSONFiltersMatchMemstore(t *testing.T) {
	mem := memstore.New()
	mh := rfcHandler(t, mem)
	for _, key := range sortedKeys(jsonUsers) {
		serve(t, mh, "POST", "/Users", jsonUser(t, key), http.StatusCreated)
	}
	// The column types the package doc says a JSON column may have, the
	// first the one Config.Schema creates.
	types := map[sqlstore.Dialect][]string{
		sqlstore.PostgreSQL: {"jsonb", "json", "text"},
		sqlstore.MySQL:      {"JSON", "LONGTEXT"},
		sqlstore.SQLite:     {"TEXT"},
	}
	forEachDB(t, func(t *testing.T, d database) {
		s, db, cfg := d.newStore(t, sqlstore.Config{Columns: sqlstore.Columns{Attributes: "attributes"}})
		h := rfcHandler(t, s)
		for _, key := range sortedKeys(jsonUsers) {
			serve(t, h, "POST", "/Users", jsonUser(t, key), http.StatusCreated)
		}
		for i, typ := range types[d.dialect] {
			if i > 0 {
				alter := "ALTER TABLE " + cfg.Table + " ALTER COLUMN attributes TYPE " + typ
				if d.dialect == sqlstore.MySQL {
					alter = "ALTER TABLE " + cfg.Table + " MODIFY attributes " + typ
				}
				if _, err := db.Exec(alter); err != nil {
					t.Fatal(err)
				}
				// A new Store on new connections: prepared statements
				// (the Store's, pgx's) read the old type.
				s = must(sqlstore.New(d.open(t), cfg))(t)
				defer s.Close()
				h = rfcHandler(t, s)
			}
			for _, tt := range jsonFilters {
				t.Run(typ+"/"+tt.filter, func(t *testing.T) {
					want := strings.Fields(tt.want)
					slices.Sort(want)
					fromMem := listed(t, mh, mem, tt.filter)
					fromSQL := listed(t, h, s, tt.filter)
					if !slices.Equal(fromMem, want) {
						t.Errorf("memstore: %v, want %v", fromMem, want)
					}
					if !slices.Equal(fromSQL, fromMem) {
						t.Errorf("sqlstore: %v, memstore %v", fromSQL, fromMem)
					}
				})
			}
		}
		// And through the handler, with the filter in the URL.
		got := serve(t, h, "GET", "/Users?filter="+url.QueryEscape(`emails[type eq "home" and value eq "babs@jensen.org"]`), "", http.StatusOK)
		if got["totalResults"] != 1.0 {
			t.Errorf("GET /Users?filter=emails[type eq home…]: %v", got)
		}
	})
}

// listed returns the keys of the users store lists for filter, resolved
// by h as a list request's filter is.
func listed(t *testing.T, h *scim.Handler, store scim.Store, f string) []string {
	t.Helper()
	e, err := h.ParseFilter(f)
	if err != nil {
		t.Fatalf("ParseFilter(%s): %v", f, err)
	}
	page, err := store.List(bg, scim.Query{Filter: e, StartIndex: 1, Count: 100})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var keys []string
	for _, u := range page.Users {
		keys = append(keys, userKey(u.UserName))
	}
	slices.Sort(keys)
	if page.TotalResults != len(keys) {
		t.Errorf("TotalResults %d, %d users listed", page.TotalResults, len(keys))
	}
	return keys
}

// userKey is the key in jsonUsers of the user with userName name.
func userKey(name string) string {
	switch name {
	case "bjensen@example.com":
		return "full"
	case "bjensen.ent@example.com":
		return "ent"
	}
	return name
}

func jsonUser(t testing.TB, key string) string {
	t.Helper()
	body := jsonUsers[key]
	if strings.HasSuffix(body, ".json") {
		b, err := os.ReadFile(body)
		if err != nil {
			t.Fatal(err)
		}
		body = string(b)
	}
	return body
}

func rfcHandler(t testing.TB, s scim.Store) *scim.Handler {
	t.Helper()
	h, err := scim.NewHandler(s, scim.Config{Authenticator: scim.SkipAuthentication, Profile: scim.ProfileRFC})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// With Config.WorkEmailOnly, a table with a JSON column runs the same SQL
// as one without for the lookups identity providers send, which
// TestExplain proves are index lookups; without it, emails filters read
// the JSON column too. And a user with every e-mail is then refused
// rather than stored where those filters would not see it.
func TestWorkEmailOnly(t *testing.T) {
	h := rfcHandler(t, memstore.New())
	db := databases[0].open(t)
	ctx := scim.WithTenant(bg, "acme")
	for _, d := range []sqlstore.Dialect{sqlstore.PostgreSQL, sqlstore.MySQL, sqlstore.SQLite} {
		store := func(attributes string, workOnly bool) *sqlstore.Store {
			cfg := fullConfig
			cfg.Dialect, cfg.Table = d, "users"
			cfg.Columns.Attributes, cfg.WorkEmailOnly = attributes, workOnly
			return must(sqlstore.New(db, cfg))(t)
		}
		plain, workOnly, all := store("", false), store("attributes", true), store("attributes", false)
		for _, f := range []string{`userName eq "a@b"`, `externalId eq "x"`, `emails[type eq "work" and value eq "a@b"]`, `emails[type eq "work"].value eq "a@b"`} {
			q := scim.Query{Filter: must(h.ParseFilter(f))(t), StartIndex: 1, Count: 10}
			// The COUNT query: the page query's select list differs.
			want, _, _ := must3(plain.ListQueries(ctx, q))(t)
			if got, _, _ := must3(workOnly.ListQueries(ctx, q))(t); got != want {
				t.Errorf("%v %s with WorkEmailOnly:\n%s\nwant\n%s", d, f, got, want)
			}
			got, _, _ := must3(all.ListQueries(ctx, q))(t)
			if reads := strings.Contains(got, "attributes"); reads != strings.HasPrefix(f, "emails") {
				t.Errorf("%v %s without WorkEmailOnly reads the JSON column: %v\n%s", d, f, reads, got)
			}
		}
	}
	s, _, _ := databases[0].newStore(t, sqlstore.Config{Columns: sqlstore.Columns{Attributes: "attributes"}, WorkEmailOnly: true})
	u := &scim.User{UserName: "a", Active: true, Email: "a@x", Custom: map[string]any{
		"emails": []map[string]any{{"value": "a@x", "type": "work"}, {"value": "b@x", "type": "home"}}}}
	if _, err := s.Create(bg, u); err == nil || !strings.Contains(err.Error(), "WorkEmailOnly") {
		t.Errorf("Create with every e-mail under WorkEmailOnly: %v", err)
	}
}

// A list whose response returns no attribute the JSON column may hold
// (Query.Attributes) neither selects nor decodes the column; one that
// returns any does, and so does one with content versions, which hash
// every column.
func TestListLeavesOutAttributes(t *testing.T) {
	db := databases[0].open(t)
	store := func(cfg sqlstore.Config) *sqlstore.Store {
		cfg.Dialect, cfg.Table = sqlstore.SQLite, "users"
		return must(sqlstore.New(db, cfg))(t)
	}
	doc := sqlstore.Columns{Attributes: "attributes"}
	noVersion := sqlstore.Columns{Attributes: "attributes", Version: "-"}
	custom := []sqlstore.Custom{{Name: "costCenter", Column: "cost_center", Kind: filter.String}}
	tests := []struct {
		cfg   sqlstore.Config
		attrs []string
		reads bool
	}{
		{sqlstore.Config{Columns: doc}, nil, true},
		{sqlstore.Config{Columns: doc}, []string{"id", "meta", "userName"}, false},
		{sqlstore.Config{Columns: doc}, []string{"id", "userName", "title"}, true},
		{sqlstore.Config{Columns: doc}, []string{"id", "userName", "name"}, true},
		{sqlstore.Config{Columns: doc}, []string{"id", "userName", "emails"}, true},
		{sqlstore.Config{Columns: doc, WorkEmailOnly: true}, []string{"id", "userName", "emails", "active"}, false},
		{sqlstore.Config{Columns: doc, Custom: custom}, []string{"id", ent + "costCenter"}, false},
		{sqlstore.Config{Columns: doc, Custom: custom}, []string{"id", ent + "department"}, true},
		{sqlstore.Config{Columns: noVersion}, []string{"id", "userName"}, true},
	}
	for _, tt := range tests {
		_, list, _ := must3(store(tt.cfg).ListQueries(bg, scim.Query{StartIndex: 1, Count: 1, Attributes: tt.attrs}))(t)
		if reads := strings.Contains(list, "attributes"); reads != tt.reads {
			t.Errorf("%+v, Attributes %v: reads the JSON column %v, want %v\n%s", tt.cfg.Columns, tt.attrs, reads, tt.reads, list)
		}
	}

	// Through the handler, on every database: the lean rows read right.
	forEachDB(t, func(t *testing.T, d database) {
		s, _, _ := d.newStore(t, sqlstore.Config{Columns: doc})
		h := rfcHandler(t, s)
		serve(t, h, "POST", "/Users", jsonUser(t, "full"), http.StatusCreated)
		serve(t, h, "POST", "/Users", jsonUser(t, "zoe"), http.StatusCreated)
		for _, tt := range []struct{ query, want string }{
			{"attributes=userName&filter=" + url.QueryEscape(`title eq "tour guide"`), `"userName":"bjensen@example.com"`},
			{"attributes=userName,title&filter=" + url.QueryEscape(`nickName pr`), `"title":"Zoë Manager"`},
			{"attributes=active", `"active":true`},
			// ListKeyset; filtered to one user, since the two may be
			// created within one millisecond and then order by random id.
			{"attributes=userName&cursor=&count=1&filter=" + url.QueryEscape(`title eq "tour guide"`), `"userName":"bjensen@example.com"`},
		} {
			got := serve(t, h, "GET", "/Users?"+tt.query, "", http.StatusOK)
			body := must(marshal(got))(t)
			if !strings.Contains(body, tt.want) {
				t.Errorf("GET /Users?%s: %s, want %s", tt.query, body, tt.want)
			}
			if tt.query != "attributes=userName,title&filter="+url.QueryEscape(`nickName pr`) && strings.Contains(body, "title") {
				t.Errorf("GET /Users?%s returns title: %s", tt.query, body)
			}
		}
	})
}

func marshal(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
