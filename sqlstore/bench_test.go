package sqlstore_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
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

// BenchmarkListJSON measures, on each database, a page of 100 RFC-profile
// users (RFC 7643 §8's full user, 1,000 of them) read whole and with
// attributes=userName (the JSON column left out), and filters on the JSON
// column: a singular attribute and a value path over an array.
func BenchmarkListJSON(b *testing.B) {
	for _, d := range databases {
		b.Run(d.name, func(b *testing.B) {
			if d.env != "" && os.Getenv(d.env) == "" {
				b.Skipf("%s is not set", d.env)
			}
			s, _, _ := d.newStore(b, sqlstore.Config{Columns: sqlstore.Columns{Attributes: "attributes"}})
			h := rfcHandler(b, s)
			body := jsonUser(b, "full")
			for i := range 1000 {
				serve(b, h, "POST", "/Users", strings.Replace(body, "bjensen@example.com", fmt.Sprintf("u%04d@example.com", i), 1), http.StatusCreated)
			}
			for _, c := range []struct{ name, filter string }{
				{"page", ""}, {"title", `title eq "x"`}, {"phoneNumbers", `phoneNumbers[type eq "work" and value co "5555"]`},
			} {
				q := scim.Query{StartIndex: 1, Count: 100}
				if c.filter != "" {
					q.Filter = must(h.ParseFilter(c.filter))(b)
				}
				b.Run(c.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						must(s.List(bg, q))(b)
					}
				})
				q.Attributes = []string{"id", "userName", "meta"}
				b.Run(c.name+"/attributes=userName", func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						must(s.List(bg, q))(b)
					}
				})
			}
		})
	}
}
