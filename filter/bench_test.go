package filter

import (
	"testing"

	fp "github.com/scim2/filter-parser/v2"
)

// The filter Okta and Entra ID send before every create.
const lookup = `userName eq "test.user@okta.local"`

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(lookup); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseFilterParser(b *testing.B) {
	b.ReportAllocs()
	raw := []byte(lookup)
	for b.Loop() {
		if _, err := fp.ParseFilter(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseComplex(b *testing.B) {
	const s = `userType eq "Employee" and emails[type eq "work" and value co "@example.com"] or not (title pr) and meta.lastModified gt "2011-05-13T04:42:34Z"`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(s); err != nil {
			b.Fatal(err)
		}
	}
}

// benchUser is the smallest Resource: one single-valued attribute.
type benchUser struct{ userName string }

func (u *benchUser) AttrLen(p AttrPath) int {
	if p.URN == "" && p.Name == "userName" && p.Sub == "" {
		return 1
	}
	return 0
}

func (u *benchUser) AttrValue(p AttrPath, i int) Value {
	return Value{Kind: String, Str: u.userName}
}

func BenchmarkMatch(b *testing.B) {
	e, err := Parse(lookup)
	if err != nil {
		b.Fatal(err)
	}
	var r Resource = &benchUser{userName: "Test.User@Okta.local"}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := Match(e, r); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	e, err := Parse(lookup)
	if err != nil {
		t.Fatal(err)
	}
	var r Resource = &benchUser{userName: "test.user@okta.local"}
	if n := testing.AllocsPerRun(100, func() { _, _ = Match(e, r) }); n != 0 {
		t.Errorf("Match allocates %v times per run, want 0", n)
	}
}

func TestParseAllocations(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _, _ = Parse(lookup) }); n > 1 {
		t.Errorf("Parse(%s) allocates %v times per run, want 1 (the Compare node)", lookup, n)
	}
}
