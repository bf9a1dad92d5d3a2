package sqlstore_test

import (
	"os"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// BenchmarkStore measures a get and a replace by id on each database, with
// a version column and with content versions (Columns.Version "-"), whose
// replace reads the row first.
func BenchmarkStore(b *testing.B) {
	for _, d := range databases {
		b.Run(d.name, func(b *testing.B) {
			if d.env != "" && os.Getenv(d.env) == "" {
				b.Skipf("%s is not set", d.env)
			}
			for _, c := range []struct {
				name string
				cfg  sqlstore.Config
			}{{"version", fullConfig}, {"content", versionless}} {
				s, _, _ := d.newStore(b, c.cfg)
				ctx := scim.WithTenant(bg, "acme")
				u := must(s.Create(ctx, &scim.User{UserName: "bench", GivenName: "A", FamilyName: "B", Active: true,
					Custom: map[string]any{"level": int64(1), "regions": []string{"emea", "apac"}}}))(b)
				b.Run(c.name+"/User", func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						must(s.User(ctx, u.ID))(b)
					}
				})
				b.Run(c.name+"/Replace", func(b *testing.B) {
					b.ReportAllocs()
					cur := u
					for i := 0; b.Loop(); i++ {
						next := cur.Clone()
						next.Custom["level"] = int64(i)
						cur = must(s.Replace(ctx, next, cur.Meta.Version))(b)
					}
				})
			}
		})
	}
}
