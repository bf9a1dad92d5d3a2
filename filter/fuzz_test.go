package filter

import (
	"reflect"
	"strings"
	"testing"
)

// reparse is generous with length: the canonical text can be longer than
// the input (1e20 prints as 100000000000000000000).
var reparse = Limits{MaxLength: 1 << 20}

func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	for _, tt := range parseErrorTests {
		if len(tt.in) < 200 {
			f.Add(tt.in)
		}
	}
	for _, tt := range diffTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("Parse(%q) error %T, want *SyntaxError", s, err)
			}
			return
		}
		canon := e.String()
		e2, err := reparse.Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String %q does not parse: %v", s, canon, err)
		}
		if !reflect.DeepEqual(e, e2) {
			t.Fatalf("Parse(%q) and Parse(%q) differ:\n%#v\n%#v", s, canon, e, e2)
		}
		if s2 := e2.String(); s2 != canon {
			t.Fatalf("String is not stable: %q then %q", canon, s2)
		}
		// Match must not panic on any parsed filter.
		_, _ = Match(e, fuzzResource{})
		_, _ = Equalities(e)
	})
}

func FuzzParsePath(f *testing.F) {
	for _, tt := range pathTests {
		f.Add(tt.in)
	}
	for _, tt := range pathErrorTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("ParsePath(%q) error %T, want *SyntaxError", s, err)
			}
			return
		}
		canon := p.String()
		p2, err := reparse.ParsePath(canon)
		if err != nil {
			t.Fatalf("ParsePath(%q) ok, but its String %q does not parse: %v", s, canon, err)
		}
		if !reflect.DeepEqual(p, p2) {
			t.Fatalf("ParsePath(%q) and ParsePath(%q) differ:\n%#v\n%#v", s, canon, p, p2)
		}
		if s2 := p2.String(); s2 != canon {
			t.Fatalf("String is not stable: %q then %q", canon, s2)
		}
	})
}

// fuzzResource has two values of every attribute, of kinds chosen by the
// attribute name's length, so that Match meets every combination.
type fuzzResource struct{}

func (fuzzResource) AttrLen(p AttrPath) int { return 2 }

func (fuzzResource) AttrValue(p AttrPath, i int) Value {
	switch (len(p.Name) + len(p.Sub) + i) % 5 {
	case 0:
		return Value{}
	case 1:
		return Value{Kind: String, Str: p.Name}
	case 2:
		return Value{Kind: Number, Num: float64(len(p.Sub))}
	case 3:
		return Value{Kind: Bool, Bool: i == 0}
	}
	return Value{Kind: DateTime, Str: "2011-05-13T04:42:34Z"}
}

// FuzzFold checks the allocation-free folding helpers against the
// standard library's strings.EqualFold.
func FuzzFold(f *testing.F) {
	f.Add("Straße", "STRASSE")
	f.Add("K", "\u212a")
	f.Add("ſ", "s")
	f.Add("a\xffb", "A\xffB")
	f.Fuzz(func(t *testing.T, a, b string) {
		eq := strings.EqualFold(a, b)
		if c := compareFold(a, b); (c == 0) != eq || c != -compareFold(b, a) {
			t.Fatalf("compareFold(%q, %q) = %d, EqualFold = %v", a, b, c, eq)
		}
		if eq && (!hasPrefixFold(a+"x", b) || !hasSuffixFold("x"+a, b) || !containsFold("x"+a+"y", b)) {
			t.Fatalf("prefix/suffix/contains disagree with EqualFold(%q, %q)", a, b)
		}
		if hasPrefixFold(a, b) && !containsFold(a, b) {
			t.Fatalf("hasPrefixFold(%q, %q) but not containsFold", a, b)
		}
	})
}
