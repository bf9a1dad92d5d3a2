package sqlstore_test

import (
	"database/sql"
	"os"
	"strconv"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// BenchmarkGroupRead measures the reads of the group workloads (issue
// 12's W7 and W9) on each database: Store.Group without members and
// ListGroups with Entra's displayName lookup, each beside the same
// statements prepared and run directly through database/sql (the
// sqldirect peer of bench/), so that sqlstore's own cost per read shows.
func BenchmarkGroupRead(b *testing.B) {
	for _, d := range databases {
		b.Run(d.name, func(b *testing.B) {
			if d.env != "" && os.Getenv(d.env) == "" {
				b.Skipf("%s is not set", d.env)
			}
			s, db, cfg := d.newGroupStore(b, sqlstore.Config{})
			var id string
			for i := range 100 {
				g := must(s.CreateGroup(bg, &scim.Group{DisplayName: "Team " + strconv.Itoa(i)}))(b)
				if i == 42 {
					id = g.ID
				}
			}
			b.Run("Group", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					must(s.Group(bg, id, false))(b)
				}
			})
			g := cfg.Groups
			st, err := db.Prepare("SELECT id, display_name, external_id, created, last_modified, version FROM " + g.Table + " WHERE id = " + d.dialect.Placeholder(1))
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			b.Run("direct/Group", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					var (
						gid, name, ext    sql.NullString
						created, modified sql.NullTime
						version           int64
					)
					if err := st.QueryRow(id).Scan(&gid, &name, &ext, &created, &modified, &version); err != nil {
						b.Fatal(err)
					}
				}
			})
			f := groupFilter(b, `displayName eq "Team 42"`)
			b.Run("ListGroups", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					p := must(s.ListGroups(bg, scim.Query{Filter: f, StartIndex: 1, Count: 100}))(b)
					if len(p.Groups) != 1 {
						b.Fatalf("%d groups", len(p.Groups))
					}
				}
			})
		})
	}
}
