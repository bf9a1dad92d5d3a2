package filter

import (
	"reflect"
	"testing"
)

func TestEqualities(t *testing.T) {
	work := func(sub string, v Value) Equality {
		return Equality{Path: AttrPath{Name: "emails", Sub: sub}, Value: v, Type: "work"}
	}
	tests := []struct {
		filter string
		want   []Equality // nil: not recognised
	}{
		{`userName eq "x"`, []Equality{{Path: attr("userName"), Value: str("x")}}},
		{`externalId eq "00u1"`, []Equality{{Path: attr("externalId"), Value: str("00u1")}}},
		{`emails[type eq "work"].value eq "user@contoso.com"`, []Equality{work("value", str("user@contoso.com"))}},
		{`emails[type eq "work" and value eq "user@contoso.com"]`, []Equality{work("value", str("user@contoso.com"))}},
		{`emails[value eq "user@contoso.com" and type eq "work"]`, []Equality{work("value", str("user@contoso.com"))}},
		{`emails[value eq "x"]`, []Equality{{Path: sub("emails", "value"), Value: str("x")}}},
		{`emails.value eq "x"`, []Equality{{Path: sub("emails", "value"), Value: str("x")}}},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "7"`, []Equality{{Path: urn(entUser, "employeeNumber", ""), Value: str("7")}}},
		{`userName eq "x" and active eq true`, []Equality{{Path: attr("userName"), Value: str("x")}, {Path: attr("active"), Value: boolean(true)}}},
		{`a eq 1 and (b eq 2 and emails[type eq "work" and value eq "x"])`, []Equality{{Path: attr("a"), Value: num(1)}, {Path: attr("b"), Value: num(2)}, work("value", str("x"))}},

		{`userName ne "x"`, nil},
		{`userName eq null`, nil},
		{`userName eq "x" or externalId eq "y"`, nil},
		{`not (userName eq "x")`, nil},
		{`userName eq "x" and title pr`, nil},
		{`emails[type eq "work" or value eq "x"]`, nil},
		{`emails[type eq "work" and type eq "home"]`, nil},
		{`emails[value eq "x" and display eq "y"]`, nil},
		{`emails[type eq 1 and value eq "x"]`, nil},
		{`emails[type eq "work" and value co "x"]`, nil},
		{`emails[type eq "work"].value co "x"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			e, err := Parse(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := Equalities(e)
			if ok != (tt.want != nil) || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Equalities(%s) = %#v, %v; want %#v", e, got, ok, tt.want)
			}
		})
	}
	t.Run("caseExact is carried over", func(t *testing.T) {
		c := cmp(attr("externalId"), Eq, str("x"))
		c.CaseExact = true
		got, ok := Equalities(c)
		if !ok || len(got) != 1 || !got[0].CaseExact {
			t.Errorf("Equalities = %#v, %v", got, ok)
		}
	})
	t.Run("caseExact type is not a Type", func(t *testing.T) {
		ty := cmp(attr("type"), Eq, str("work"))
		ty.CaseExact = true
		if got, ok := Equalities(vpath(attr("emails"), and(ty, cmp(attr("value"), Eq, str("x"))))); ok {
			t.Errorf("Equalities = %#v, want not recognised", got)
		}
	})
}
