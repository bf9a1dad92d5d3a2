package scim_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/schema"
)

// TestDecodeRejects checks that each invalid create body is a 400 with the
// right scimType whose detail names the attribute (or the byte offset).
func TestDecodeRejects(t *testing.T) {
	const s = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]`
	tests := []struct {
		name, body, scimType string
		detail               []string
	}{
		{"UserName", `{` + s + `,"UserName":"ann","name":{"givenName":"A","familyName":"L"},"emails":[{"type":"work","value":"a@x"}]}`, scim.ScimTypeInvalidSyntax, []string{`"UserName"`, `"userName"`}},
		{"name.GivenName", namedUser("ann", "")[:0] + `{` + s + `,"userName":"ann","name":{"GivenName":"A","familyName":"L"},"emails":[{"type":"work","value":"a@x"}]}`, scim.ScimTypeInvalidSyntax, []string{`"givenName"`}},
		{"emails Value", minimalUser("ann", "")[:0] + `{` + s + `,"userName":"ann","name":{"givenName":"A","familyName":"L"},"emails":[{"type":"work","Value":"a@x"}]}`, scim.ScimTypeInvalidSyntax, []string{`"value"`}},
		{"two work emails", namedUser("ann", `,"emails":[{"type":"work","value":"a@x"},{"type":"Work","value":"b@x"}]`), scim.ScimTypeInvalidValue, []string{"work"}},
		{"Schemas", `{"Schemas":["` + scim.UserURN + `"],"userName":"ann"}`, scim.ScimTypeInvalidSyntax, []string{`"Schemas"`, `"schemas"`}},
		{"no schemas", `{"userName":"ann"}`, scim.ScimTypeInvalidSyntax, []string{"schemas"}},
		{"schemas without User", `{"schemas":["urn:x"],"userName":"ann"}`, scim.ScimTypeInvalidSyntax, []string{"schemas", scim.UserURN}},
		{"schemas a string", `{"schemas":"` + scim.UserURN + `","userName":"ann"}`, scim.ScimTypeInvalidSyntax, []string{"schemas"}},
		{"schemas of numbers", `{"schemas":[1],"userName":"ann"}`, scim.ScimTypeInvalidSyntax, []string{"schemas"}},
		{"no userName", `{` + s + `,"name":{"givenName":"A","familyName":"L"},"emails":[{"type":"work","value":"a@x"}]}`, scim.ScimTypeInvalidValue, []string{"userName"}},
		{"blank userName", minimalUser("  ", ""), scim.ScimTypeInvalidValue, []string{"userName"}},
		{"null userName", minimalUser("x", "")[:0] + `{` + s + `,"userName":null,"name":{"givenName":"A","familyName":"L"},"emails":[{"type":"work","value":"a@x"}]}`, scim.ScimTypeInvalidValue, []string{"userName"}},
		{"userName a number", `{` + s + `,"userName":42}`, scim.ScimTypeInvalidValue, []string{"userName", "string"}},
		{"no givenName", `{` + s + `,"userName":"ann","name":{"familyName":"L"},"emails":[{"type":"work","value":"a@x"}]}`, scim.ScimTypeInvalidValue, []string{"name.givenName"}},
		{"null name", `{` + s + `,"userName":"ann","name":null,"emails":[{"type":"work","value":"a@x"}]}`, scim.ScimTypeInvalidValue, []string{"name.givenName"}},
		{"emails an object", namedUser("ann", `,"emails":{"type":"work","value":"a@x"}`), scim.ScimTypeInvalidValue, []string{"emails", "array"}},
		{"email element a string", namedUser("ann", `,"emails":["a@x"]`), scim.ScimTypeInvalidSyntax, []string{"emails[0]"}},
		{"email value a number", namedUser("ann", `,"emails":[{"type":"work","value":7}]`), scim.ScimTypeInvalidValue, []string{"emails.value"}},
		{"primary a string", namedUser("ann", `,"emails":[{"type":"work","value":"a@x","primary":"yes"}]`), scim.ScimTypeInvalidValue, []string{"emails.primary"}},
		{"active a number", minimalUser("ann", `,"active":1`), scim.ScimTypeInvalidValue, []string{"active", "boolean"}},
		{"active yes", minimalUser("ann", `,"active":"yes"`), scim.ScimTypeInvalidValue, []string{"active"}},
		{"name a string", `{` + s + `,"userName":"ann","name":"Ann Lee"}`, scim.ScimTypeInvalidSyntax, []string{"name"}},
		{"displayName an array", minimalUser("ann", `,"displayName":["A"]`), scim.ScimTypeInvalidValue, []string{"displayName"}},
		{"externalId a number", minimalUser("ann", `,"externalId":12`), scim.ScimTypeInvalidValue, []string{"externalId"}},
		{"member twice", minimalUser("ann", `,"userName":"bob"`), scim.ScimTypeInvalidSyntax, []string{"userName", "twice"}},
		{"body an array", `[` + minimalUser("ann", "") + `]`, scim.ScimTypeInvalidSyntax, []string{"object"}},
		{"body a string", `"ann"`, scim.ScimTypeInvalidSyntax, []string{"object"}},
		{"body null", `null`, scim.ScimTypeInvalidSyntax, []string{"object"}},
		{"malformed: missing colon", `{` + s + `,"userName" "ann"}`, scim.ScimTypeInvalidSyntax, []string{"byte offset 69"}},
		{"malformed after white space", "\n  {" + s + `,"userName" "ann"}`, scim.ScimTypeInvalidSyntax, []string{"byte offset 72"}},
		{"malformed: trailing comma", `{` + s + `,"userName":"ann",}`, scim.ScimTypeInvalidSyntax, []string{"byte offset 75"}},
		{"malformed: truncated", `{` + s + `,"userName":"an`, scim.ScimTypeInvalidSyntax, []string{"malformed JSON"}},
		{"malformed: inner", `{` + s + `,"name":{"givenName":tru}}`, scim.ScimTypeInvalidSyntax, []string{"byte offset"}},
		{"malformed: data after", minimalUser("ann", "") + `{}`, scim.ScimTypeInvalidSyntax, []string{"byte offset"}},
		{"malformed: bad escape", `{` + s + `,"userName":"a\q"}`, scim.ScimTypeInvalidSyntax, []string{"byte offset"}},
		{"regions a number", minimalUser("ann", `,"regions":5`), scim.ScimTypeInvalidValue, []string{"regions"}},
		{"regions with a null", minimalUser("ann", `,"regions":["us1",null]`), scim.ScimTypeInvalidValue, []string{"regions"}},
		{"contractor a string", minimalUser("ann", `,"contractor":"maybe"`), scim.ScimTypeInvalidValue, []string{"contractor"}},
		{"level a string", minimalUser("ann", `,"level":"3"`), scim.ScimTypeInvalidValue, []string{"level", "integer"}},
		{"level a fraction", minimalUser("ann", `,"level":3.5`), scim.ScimTypeInvalidValue, []string{"level"}},
		{"level too large", minimalUser("ann", `,"level":99999999999999999999`), scim.ScimTypeInvalidValue, []string{"level"}},
		{"hiredAt not a date", minimalUser("ann", `,"hiredAt":"31/01/2026"`), scim.ScimTypeInvalidValue, []string{"hiredAt"}},
		{"hiredAt a number", minimalUser("ann", `,"hiredAt":20260131`), scim.ScimTypeInvalidValue, []string{"hiredAt"}},
		{"extension a string", minimalUser("ann", `,"`+acmeURN+`":"cc"`), scim.ScimTypeInvalidSyntax, []string{acmeURN}},
		{"extension attribute mis-cased", minimalUser("ann", `,"`+acmeURN+`":{"CostCenter":"cc"}`), scim.ScimTypeInvalidSyntax, []string{`"costCenter"`}},
		{"extension attribute wrong type", minimalUser("ann", `,"`+acmeURN+`":{"costCenter":1}`), scim.ScimTypeInvalidValue, []string{"costCenter"}},
		{"Regions", minimalUser("ann", `,"Regions":["us1"]`), scim.ScimTypeInvalidSyntax, []string{`"regions"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, st := newHandler(t, scim.Config{Attributes: customAttrs, Extensions: []schema.Schema{acmeExt}})
			e := wantError(t, do(t, h, "POST", "/Users", tt.body), 400, tt.scimType)
			for _, d := range tt.detail {
				if !strings.Contains(e.Detail, d) {
					t.Errorf("detail %q does not contain %s", e.Detail, d)
				}
			}
			if len(st.users[""]) != 0 {
				t.Error("the user was stored")
			}
		})
	}
}

// TestDecodeAccepts checks bodies that must be accepted, and what is
// stored from them.
func TestDecodeAccepts(t *testing.T) {
	hired := time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		cfg  scim.Config
		body string
		want func(u *scim.User) bool
	}{
		{"Okta create", scim.Config{}, oktaCreate, func(u *scim.User) bool {
			return u.UserName == "test.user@okta.local" && u.Email == "test.user@okta.local"
		}},
		{"displayName falls back", scim.Config{}, minimalUser("ann", ""), func(u *scim.User) bool { return u.DisplayName == "" }},
		{"untyped primary email", scim.Config{}, namedUser("ann", `,"emails":[{"value":"home@x","type":"home"},{"value":"p@x","primary":true}]`), func(u *scim.User) bool { return u.Email == "p@x" }},
		{"typed work wins over untyped primary", scim.Config{}, namedUser("ann", `,"emails":[{"value":"p@x","primary":true},{"value":"w@x","type":"work"}]`), func(u *scim.User) bool { return u.Email == "w@x" }},
		{"work type in any case", scim.Config{}, namedUser("ann", `,"emails":[{"value":"w@x","type":"WORK"}]`), func(u *scim.User) bool { return u.Email == "w@x" }},
		{"null type and primary", scim.Config{}, namedUser("ann", `,"emails":[{"value":"w@x","type":null,"primary":true,"display":"x"}]`), func(u *scim.User) bool { return u.Email == "w@x" }},
		{"string booleans", scim.Config{}, minimalUser("ann", `,"active":"False"`), func(u *scim.User) bool { return !u.Active }},
		{"unknown attributes ignored", scim.Config{}, minimalUser("ann", `,"locale":"en-US","nickName":{"x":[1]},"urn:example:unknown":{"a":1}`), func(u *scim.User) bool { return true }},
		{"read-only members ignored", scim.Config{}, minimalUser("ann", `,"id":"mine","meta":{"version":"W/\"9\""},"groups":[{"value":"g"}]`), func(u *scim.User) bool { return u.ID != "mine" }},
		{"read-only members of a wrong type ignored", scim.Config{}, minimalUser("ann", `,"id":7,"meta":"x","groups":"admins"`), func(u *scim.User) bool { return true }},
		{"password not stored", scim.Config{}, minimalUser("ann", `,"password":"hunter2"`), func(u *scim.User) bool { return !strings.Contains(fmt.Sprintf("%+v", *u), "hunter2") }},
		{"CaseInsensitiveNames", scim.Config{Leniency: scim.Leniency{CaseInsensitiveNames: true}}, `{"Schemas":["` + scim.UserURN + `"],"UserName":"ann","NAME":{"GivenName":"A","familyname":"L"},"Emails":[{"Type":"work","VALUE":"a@x"}],"Active":false}`,
			func(u *scim.User) bool {
				return u.UserName == "ann" && u.GivenName == "A" && u.FamilyName == "L" && u.Email == "a@x" && !u.Active
			}},
		{"DisallowUnknownAttributes knows password and groups", scim.Config{Leniency: scim.Leniency{DisallowUnknownAttributes: true}}, minimalUser("ann", `,"password":"pw","groups":[],"id":"x","meta":{}`), func(u *scim.User) bool { return true }},
		{"regions as an array", scim.Config{Attributes: customAttrs}, minimalUser("ann", `,"regions":["us1","emea2"]`), func(u *scim.User) bool { return slices.Equal(u.Custom["regions"].([]string), []string{"us1", "emea2"}) }},
		{"regions as Okta's string", scim.Config{Attributes: customAttrs}, minimalUser("ann", `,"regions":"us1,emea2"`), func(u *scim.User) bool { return slices.Equal(u.Custom["regions"].([]string), []string{"us1", "emea2"}) }},
		{"regions with spaces", scim.Config{Attributes: customAttrs}, minimalUser("ann", `,"regions":" us1 , emea2 ,"`), func(u *scim.User) bool { return slices.Equal(u.Custom["regions"].([]string), []string{"us1", "emea2"}) }},
		{"boolean, integer, dateTime", scim.Config{Attributes: customAttrs}, minimalUser("ann", `,"contractor":true,"level":-3,"hiredAt":"2026-01-31T10:00:00+01:00"`),
			func(u *scim.User) bool {
				return u.Custom["contractor"] == true && u.Custom["level"] == int64(-3) && u.Custom["hiredAt"].(time.Time).Equal(hired)
			}},
		{"AllowStringIntegers", scim.Config{Attributes: customAttrs, Leniency: scim.Leniency{AllowStringIntegers: true}}, minimalUser("ann", `,"level":"42"`), func(u *scim.User) bool { return u.Custom["level"] == int64(42) }},
		{"extension", scim.Config{Extensions: []schema.Schema{acmeExt}}, minimalUser("ann", `,"`+strings.ToLower(acmeURN)+`":{"costCenter":"cc-1"}`), func(u *scim.User) bool { return u.Custom["costCenter"] == "cc-1" }},
		{"null extension", scim.Config{Extensions: []schema.Schema{acmeExt}}, minimalUser("ann", `,"`+acmeURN+`":null`), func(u *scim.User) bool { return u.Custom["costCenter"] == nil }},
		{"custom nulls", scim.Config{Attributes: customAttrs}, minimalUser("ann", `,"regions":null,"contractor":null,"level":null,"hiredAt":null`), func(u *scim.User) bool { return len(u.Custom) == 0 }},
		{"white space and unicode", scim.Config{}, " \n{ \"schemas\" : [ \"" + scim.UserURN + "\" ] ,\t\"userName\" : \"J\\u00f6rg\\n\" , \"name\":{\"givenName\":\"J\u00f6rg\",\"familyName\":\"<&>\"},\"emails\":[{\"type\":\"work\",\"value\":\"j@x\"}] } \r\n",
			func(u *scim.User) bool { return u.UserName == "J\u00f6rg\n" && u.FamilyName == "<&>" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, st := newHandler(t, tt.cfg)
			rec := do(t, h, "POST", "/Users", tt.body)
			got := decodeUser(t, rec, 201)
			u := st.get(got.ID)
			if !tt.want(u) {
				t.Errorf("stored %+v from %s", *u, tt.body)
			}
			if strings.Contains(rec.Body.String(), "password") || strings.Contains(rec.Body.String(), "hunter2") {
				t.Errorf("password echoed: %s", rec.Body)
			}
		})
	}
}

// TestDuplicateMembers checks that a member given twice, also in another
// case, is a 400 rather than one value silently winning.
func TestDuplicateMembers(t *testing.T) {
	for _, cfg := range []scim.Config{{}, {Leniency: scim.Leniency{CaseInsensitiveNames: true}}} {
		h, _ := newHandler(t, cfg)
		for _, body := range []string{
			minimalUser("ann", `,"USERNAME":"bob"`),
			minimalUser("ann", `,"userName":"bob"`),
			minimalUser("ann", `,"SCHEMAS":["`+scim.UserURN+`"]`),
			namedUser("ann", `,"emails":[{"type":"work","value":"a@x","Value":"b@x"}]`),
			`{"schemas":["` + scim.UserURN + `"],"userName":"ann","name":{"givenName":"A","GIVENNAME":"B","familyName":"L"},"emails":[{"type":"work","value":"a@x"}]}`,
		} {
			e := wantError(t, do(t, h, "POST", "/Users", body), 400, scim.ScimTypeInvalidSyntax)
			if !strings.Contains(e.Detail, "twice") && !strings.Contains(e.Detail, "same attribute") && !strings.Contains(e.Detail, "case-sensitive") {
				t.Errorf("%s: detail %q", body, e.Detail)
			}
		}
	}
}

// TestDisallowUnknownAttributes checks that the option rejects, naming
// them, the unknown attributes that are otherwise ignored.
func TestDisallowUnknownAttributes(t *testing.T) {
	h, _ := newHandler(t, scim.Config{Leniency: scim.Leniency{DisallowUnknownAttributes: true}})
	for _, extra := range []string{`,"locale":"en-US"`, `,"name":{"givenName":"A","familyName":"L","formatted":"A L"}`, `,"urn:example:unknown":{}`} {
		body := minimalUser("ann", extra)
		if strings.Contains(extra, "name") {
			body = `{"schemas":["` + scim.UserURN + `"],"userName":"ann","emails":[{"type":"work","value":"a@x"}]` + extra + `}`
		}
		e := wantError(t, do(t, h, "POST", "/Users", body), 400, scim.ScimTypeInvalidSyntax)
		for _, name := range []string{"locale", "formatted", "urn:example:unknown"} {
			if strings.Contains(extra, name) && !strings.Contains(e.Detail, name) {
				t.Errorf("detail %q does not name %s", e.Detail, name)
			}
		}
	}
}

// TestCustomAttributesRoundTrip checks that custom and extension attributes
// are served back in their declared type and place.
func TestCustomAttributesRoundTrip(t *testing.T) {
	h, _ := newHandler(t, scim.Config{Attributes: customAttrs, Extensions: []schema.Schema{acmeExt}})
	rec := do(t, h, "POST", "/Users", minimalUser("ann", `,"regions":"us1,emea2","contractor":false,"level":7,"hiredAt":"2026-01-31T10:00:00.5+01:00","`+acmeURN+`":{"costCenter":"cc-1"}`))
	u := decodeUser(t, rec, 201)
	want := map[string]string{
		"regions":    `["us1","emea2"]`,
		"contractor": `false`,
		"level":      `7`,
		"hiredAt":    `"2026-01-31T09:00:00.5Z"`,
		acmeURN:      `{"costCenter":"cc-1"}`,
	}
	for k, v := range want {
		if string(u.Raw[k]) != v {
			t.Errorf("%s: %s, want %s", k, u.Raw[k], v)
		}
	}
	if !slices.Equal(u.Schemas, []string{scim.UserURN, acmeURN}) {
		t.Errorf("schemas %q", u.Schemas)
	}
	// Without extension values the extension is not listed.
	u = decodeUser(t, do(t, h, "POST", "/Users", minimalUser("bob", "")), 201)
	if !slices.Equal(u.Schemas, []string{scim.UserURN}) {
		t.Errorf("schemas %q", u.Schemas)
	}
	var raw map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
}
