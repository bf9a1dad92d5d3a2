package filter_test

import (
	"fmt"

	"github.com/scimkit/scim/filter"
)

// A user as an in-memory store might keep it, seen through filter.Resource.
type user struct {
	userName string
	emails   []email
}

type email struct{ value, typ string }

func (u user) AttrLen(p filter.AttrPath) int {
	switch p.Name {
	case "userName":
		return 1
	case "emails":
		return len(u.emails)
	}
	return 0
}

func (u user) AttrValue(p filter.AttrPath, i int) filter.Value {
	switch {
	case p.Name == "userName":
		return filter.Value{Kind: filter.String, Str: u.userName}
	case p.Name == "emails" && p.Sub == "type":
		return filter.Value{Kind: filter.String, Str: u.emails[i].typ}
	case p.Name == "emails" && (p.Sub == "value" || p.Sub == ""):
		return filter.Value{Kind: filter.String, Str: u.emails[i].value}
	}
	return filter.Value{}
}

func Example() {
	u := user{
		userName: "Barbara.Jensen@example.com",
		emails:   []email{{value: "babs@contoso.com", typ: "work"}},
	}

	// The lookup Entra ID sends before it creates a user.
	e, err := filter.Parse(`emails[type eq "work"].value eq "BABS@contoso.com"`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e)
	ok, err := filter.Match(e, u)
	fmt.Println(ok, err)

	// A store can answer it from an index instead.
	eqs, ok := filter.Equalities(e)
	fmt.Println(ok, eqs[0].Path, eqs[0].Type, eqs[0].Value)

	// Errors say where, what was expected and what was found.
	_, err = filter.Parse(`userName eqq "x"`)
	fmt.Println(err)

	// Output:
	// emails[type eq "work" and value eq "BABS@contoso.com"]
	// true <nil>
	// true emails.value work "BABS@contoso.com"
	// filter: offset 9: expected a comparison operator after "userName", found "eqq"
}

func ExampleParsePath() {
	p, err := filter.ParsePath(`emails[type eq "work"].value`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Attr.Name, p.Attr.Sub, p.Filter)
	// Output:
	// emails value type eq "work"
}

func ExampleLimits() {
	strict := filter.Limits{MaxLength: 256, MaxDepth: 4}
	_, err := strict.Parse(`a pr or b pr or c pr or d pr or e pr or f pr`)
	fmt.Println(err)
	// Output:
	// filter: offset 37: expected at most 4 levels of nesting (parentheses, not, [ ] and chained and/or), found more
}
