package scim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// RFC 7644 §3.5.2.3: an add or replace of attr[filter] that matches no
// element is a 400 noTarget naming the operation, with nothing written.
// The one exception is Entra ID's upsert: a filter that is exactly type eq
// one of the canonical values /Schemas lists for attr's type creates that
// element. Cases derive from /Schemas: every multi-valued complex
// attribute with a type, every canonical value, in both profiles.
func TestPatchFilterMatchingNothing(t *testing.T) {
	for _, profile := range []scim.Profile{scim.ProfileStrict, scim.ProfileRFC} {
		t.Run(fmt.Sprint("profile ", profile), func(t *testing.T) {
			// userName alone is required, so that a user may lack every
			// element.
			h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Profile: profile, Required: []string{"userName"}})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			newUser := func(extra string) userJSON {
				n++
				return decodeUser(t, do(t, h, "POST", "/scim/v2/Users", `{"schemas":["`+scim.UserURN+`"],"userName":"u`+fmt.Sprint(n)+`@example.com","displayName":"D"`+extra+`}`), http.StatusCreated)
			}
			checked := 0
			for _, d := range servedSchemas(t, h) {
				for _, a := range d.Attributes {
					typ := subAttr(a, "type")
					if a.Type != "complex" || !a.MultiValued || a.Mutability == "readOnly" || typ == nil {
						continue
					}
					sub := subAttr(a, "value")
					if sub == nil {
						sub = subAttr(a, "locality") // addresses
					}
					for _, c := range typ.CanonicalValues {
						checked++
						u := newUser("")
						path := attrPath(d, a, nil) + `[type eq "` + strings.ToUpper(c[:1]) + c[1:] + `"].` + sub.Name
						got := decodeAny(t, do(t, h, "PATCH", "/scim/v2/Users/"+u.ID, patchBody(`{"op":"replace","path":`+quote(path)+`,"value":"x@example.com"}`)).Body.Bytes())
						els, _ := got[a.Name].([]any)
						if len(els) != 1 || els[0].(map[string]any)["type"] != c || els[0].(map[string]any)[sub.Name] != "x@example.com" {
							t.Errorf("replace %s on a user without one: %s is %v, want the element {type: %s, %s: x@example.com}", path, a.Name, got[a.Name], c, sub.Name)
						}
					}
					some := "work" // for an attribute whose types /Schemas leaves open
					if len(typ.CanonicalValues) > 0 {
						some = typ.CanonicalValues[0]
					}
					for _, f := range []string{`type eq "nonexistent"`, `type eq "` + some + `" and primary eq true`, `type ne "` + some + `"`, sub.Name + ` eq "nobody@example.com"`} {
						for _, op := range []string{"replace", "add", "Replace"} {
							checked++
							u := newUser("")
							path := attrPath(d, a, nil) + "[" + f + "]"
							for _, p := range []string{path + "." + sub.Name, path} {
								value := `"x@example.com"`
								if p == path {
									value = `{"` + sub.Name + `":"x@example.com"}`
								}
								rec := do(t, h, "PATCH", "/scim/v2/Users/"+u.ID, patchBody(`{"op":"replace","path":"displayName","value":"E"}`, `{"op":"`+op+`","path":`+quote(p)+`,"value":`+value+`}`))
								e := wantError(t, rec, http.StatusBadRequest, "noTarget")
								if !strings.Contains(e.Detail, "Operations[1]") || !strings.Contains(e.Detail, f) {
									t.Errorf("%s %s: detail %q names neither Operations[1] nor the filter", op, p, e.Detail)
								}
								if got := decodeUser(t, do(t, h, "GET", "/scim/v2/Users/"+u.ID, ""), http.StatusOK); got.Meta.Version != u.Meta.Version || got.DisplayName != "D" {
									t.Errorf("%s %s was refused, but the user changed: %+v", op, p, got)
								}
							}
						}
					}
				}
			}
			if checked == 0 {
				t.Fatal("/Schemas lists no multi-valued attribute with a type")
			}

			// A user with a work email: a filter for another type matches
			// nothing, whatever the email (the reported case).
			u := newUser(`,"emails":[{"type":"work","value":"ann@example.com","primary":true}]`)
			rec := do(t, h, "PATCH", "/scim/v2/Users/"+u.ID, patchBody(`{"op":"replace","path":"emails[type eq \"nonexistent\"].value","value":"x@example.com"}`))
			wantError(t, rec, http.StatusBadRequest, "noTarget")
			if got := decodeUser(t, do(t, h, "GET", "/scim/v2/Users/"+u.ID, ""), http.StatusOK); len(got.Emails) != 1 {
				t.Errorf("a refused replace added an email: %+v", got.Emails)
			}
			// Entra ID's upsert of the work email replaces the one there is.
			got := decodeUser(t, do(t, h, "PATCH", "/scim/v2/Users/"+u.ID, patchBody(`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"new@example.com"}`)), http.StatusOK)
			if len(got.Emails) != 1 || got.Emails[0].Value != "new@example.com" || got.Emails[0].Type != "work" {
				t.Errorf("Entra's replace of the work email: %+v", got.Emails)
			}
			// A remove that matches nothing does nothing.
			got = decodeUser(t, do(t, h, "PATCH", "/scim/v2/Users/"+u.ID, patchBody(`{"op":"remove","path":"emails[type eq \"nonexistent\"]"}`)), http.StatusOK)
			if len(got.Emails) != 1 {
				t.Errorf("a remove matching nothing changed emails: %+v", got.Emails)
			}
		})
	}
}

// subAttr returns a's sub-attribute name, or nil.
func subAttr(a attrDoc, name string) *attrDoc {
	for i := range a.SubAttributes {
		if a.SubAttributes[i].Name == name {
			return &a.SubAttributes[i]
		}
	}
	return nil
}
