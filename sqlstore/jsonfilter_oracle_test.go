package sqlstore_test

import (
	"slices"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/sqlstore"
)

// Rows written by a strict handler (work e-mail column only, title kept in
// the JSON column) and by an RFC one, in one table, filtered through the
// RFC handler: SQL must select exactly the users filter.Match selects
// among the users the store reads back.
func TestStrictRowsFilteredByRFCHandler(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, _, _ := d.newStore(t, sqlstore.Config{Columns: sqlstore.Columns{Attributes: "attributes"}})
		strict, err := scim.NewHandler(s, scim.Config{Authenticator: scim.SkipAuthentication, Keep: []string{"title", "nickName", "phoneNumbers"}})
		if err != nil {
			t.Fatal(err)
		}
		h := rfcHandler(t, s)
		for _, body := range []string{
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"s1","title":"boss","name":{"givenName":"A","familyName":"B"},"emails":[{"value":"s1@work.example","type":"work","primary":true}]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"s2","name":{"givenName":"A","familyName":"B"},"emails":[{"value":"s2@home.example","type":"home"}]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"s3","nickName":"n","name":{"givenName":"A","familyName":"B"},"emails":[{"value":"s3@work.example","type":"work"}],"phoneNumbers":[{"value":"1","type":"work"}]}`,
		} {
			serve(t, strict, "POST", "/Users", body, 201)
		}
		for _, key := range sortedKeys(jsonUsers) {
			serve(t, h, "POST", "/Users", jsonUser(t, key), 201)
		}
		all := must(s.List(bg, scim.Query{StartIndex: 1, Count: 100}))(t).Users
		for _, f := range append(slices.Clone(exploreFilters), []string{
			`emails[type eq "work"]`, `emails.type eq "work"`, `emails.primary eq true`, `emails.display pr`, `emails.display eq null`,
			`emails[primary eq true and type eq "work"]`, `not (emails.type eq "home")`, `emails.value eq null`, `emails.type ne "work"`,
			`emails[type ne "home" and value sw "S1"]`, `emails[display eq null and type eq "work"]`, `emails[not (primary eq true)]`,
			`emails[type eq "work"].value eq "s1@work.example"`, `emails.value ew "work.example"`,
		}...) {
			e, err := h.ParseFilter(f)
			if err != nil {
				continue
			}
			var want []string
			var merr error
			for _, u := range all {
				ok, err := filter.Match(e, u)
				if err != nil {
					merr = err
				}
				if ok {
					want = append(want, userKey(u.UserName))
				}
			}
			slices.Sort(want)
			got, serr := list13(h, s, f)
			if merr != nil && serr != nil {
				continue
			}
			if serr != nil || !slices.Equal(got, want) {
				t.Errorf("%s:\n  Match %v %v\n  sql   %v %v", f, want, merr, got, serr)
			}
		}
	})
}
