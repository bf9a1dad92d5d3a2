package filter

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// user is a hand-written Resource: single-valued attributes by name,
// multi-valued complex attributes as a slice of sub-attribute maps, and
// multi-valued simple attributes as a slice of values.
type user struct {
	single  map[string]Value              // "userName", "name.givenName", "urn:…:employeeNumber"
	multi   map[string][]map[string]Value // "emails" → elements
	simples map[string][]Value            // "nicknames" → values
}

func (u user) AttrLen(p AttrPath) int {
	key := AttrPath{URN: p.URN, Name: p.Name}.String()
	if els, ok := u.multi[key]; ok {
		return len(els)
	}
	if vs, ok := u.simples[key]; ok {
		return len(vs)
	}
	if v, ok := u.single[p.String()]; ok && v.Kind != Null {
		return 1
	}
	if p.Sub == "" { // a single-valued complex attribute such as name
		for k := range u.single {
			if strings.HasPrefix(k, key+".") {
				return 1
			}
		}
	}
	return 0
}

func (u user) AttrValue(p AttrPath, i int) Value {
	key := AttrPath{URN: p.URN, Name: p.Name}.String()
	if els, ok := u.multi[key]; ok {
		sub := p.Sub
		if sub == "" {
			sub = "value"
		}
		return els[i][sub]
	}
	if vs, ok := u.simples[key]; ok {
		return vs[i]
	}
	return u.single[p.String()]
}

func dt(s string) Value {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return Value{Kind: DateTime, Str: s, Time: t}
}

var babs = user{
	single: map[string]Value{
		"userName":                  str("Babs.Jensen@Example.com"),
		"externalId":                str("ABC-123"),
		"name.givenName":            str("Barbara"),
		"name.familyName":           str("Jensen"),
		"displayName":               str("Ünïcödé Ωmega"),
		"title":                     str(""),
		"nickName":                  null,
		"active":                    boolean(true),
		"age":                       num(42),
		"score":                     num(-1.5),
		"meta.lastModified":         dt("2011-05-13T04:42:34Z"),
		"meta.created":              dt("2010-01-23T04:56:22+02:00"),
		entUser + ":employeeNumber": str("701984"),
		entUser + ":manager.value":  str("26118915"),
	},
	multi: map[string][]map[string]Value{
		"emails": {
			{"value": str("babs@example.com"), "type": str("work"), "primary": boolean(true)},
			{"value": str("babs@home.example.org"), "type": str("home")},
			{"value": str("babs@other.example.net")},
		},
		"groups": {},
	},
	simples: map[string][]Value{
		"luckyNumbers": {num(3), num(7)},
	},
}

var matchTests = []struct {
	filter string
	exact  bool // set CaseExact on every Compare
	want   bool
}{
	// Strings: case-insensitive by default.
	{`userName eq "babs.jensen@example.com"`, false, true},
	{`userName eq "babs.jensen@example.com"`, true, false},
	{`userName eq "Babs.Jensen@Example.com"`, true, true},
	{`userName ne "babs.jensen@example.com"`, false, false},
	{`userName ne "babs.jensen@example.com"`, true, true},
	{`userName co "JENSEN@"`, false, true},
	{`userName co "JENSEN@"`, true, false},
	{`userName co ""`, false, true},
	{`userName sw "babs."`, false, true},
	{`userName sw "babs."`, true, false},
	{`userName sw "Babs."`, true, true},
	{`userName ew "EXAMPLE.COM"`, false, true},
	{`userName ew "EXAMPLE.COM"`, true, false},
	{`userName ew "x"`, false, false},
	{`userName gt "babs"`, false, true},
	{`userName gt "BABS.JENSEN@EXAMPLE.COM"`, false, false},
	{`userName ge "BABS.JENSEN@EXAMPLE.COM"`, false, true},
	{`userName le "BABS.JENSEN@EXAMPLE.COM"`, false, true},
	{`userName lt "c"`, false, true},
	{`userName lt "C"`, false, true},
	{`userName lt "C"`, true, true},
	{`userName gt "a"`, true, false}, // 'B' < 'a' in code points
	{`userName gt "a"`, false, true},
	{`userName lt "a"`, true, true}, // 'B' < 'a' in code points
	{`name.givenName eq "barbara"`, false, true},
	{`displayName eq "üNÏCÖDÉ ωMEGA"`, false, true},
	{`displayName eq "üNÏCÖDÉ ωMEGA"`, true, false},
	{`displayName sw "ÜNÏ"`, false, true},
	{`displayName ew "ΩMEGA"`, false, true},
	{`displayName co "CÖDÉ Ω"`, false, true},
	{`displayName lt "ÜNÏCÖDÉ ΩMEGB"`, false, true},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`, false, true},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915"`, false, true},

	// Numbers.
	{`age eq 42`, false, true},
	{`age eq 42.0`, false, true},
	{`age ne 42`, false, false},
	{`age gt 41.9`, false, true},
	{`age gt 42`, false, false},
	{`age ge 42`, false, true},
	{`age lt 42`, false, false},
	{`age le 42`, false, true},
	{`score lt 0`, false, true},
	{`score eq -1.5`, false, true},

	// Booleans.
	{`active eq true`, false, true},
	{`active eq false`, false, false},
	{`active ne false`, false, true},
	{`active ne true`, false, false},

	// DateTimes, by instant.
	{`meta.lastModified eq "2011-05-13T04:42:34Z"`, false, true},
	{`meta.lastModified eq "2011-05-13T06:42:34+02:00"`, false, true},
	{`meta.lastModified ne "2011-05-13T04:42:34Z"`, false, false},
	{`meta.lastModified gt "2011-05-13T04:42:33Z"`, false, true},
	{`meta.lastModified gt "2011-05-13T04:42:34Z"`, false, false},
	{`meta.lastModified ge "2011-05-13T04:42:34Z"`, false, true},
	{`meta.lastModified lt "2011-05-13T04:42:34.5Z"`, false, true},
	{`meta.lastModified le "2011-05-13T04:42:34Z"`, false, true},
	{`meta.created lt "2010-01-23T03:00:00Z"`, false, true},

	// pr and null.
	{`userName pr`, false, true},
	{`title pr`, false, false}, // empty string
	{`nickName pr`, false, false},
	{`missing pr`, false, false},
	{`emails pr`, false, true},
	{`groups pr`, false, false},
	{`emails.type pr`, false, true},
	{`title eq null`, false, true},
	{`nickName eq null`, false, true},
	{`missing eq null`, false, true},
	{`userName eq null`, false, false},
	{`userName ne null`, false, true},
	{`missing ne null`, false, false},
	{`missing eq "x"`, false, false},
	{`missing ne "x"`, false, false},
	{`not (missing eq "x")`, false, true},

	// Multi-valued: any value.
	{`emails.value eq "BABS@home.example.org"`, false, true},
	{`emails.value ew ".net"`, false, true},
	{`emails.value ew ".gov"`, false, false},
	{`emails.value ne "babs@example.com"`, false, true},
	{`emails.type eq "home"`, false, true},
	{`emails co "other"`, false, true},
	{`luckyNumbers eq 7`, false, true},
	{`luckyNumbers gt 7`, false, false},
	{`luckyNumbers ne 3`, false, true},

	// Value paths: one element must satisfy the whole filter.
	{`emails[type eq "work" and value co "@example.com"]`, false, true},
	{`emails[type eq "home" and value co "@example.com"]`, false, false},
	{`emails[type eq "home" and value co "@home"]`, false, true},
	{`emails[type eq "WORK"]`, false, true},
	{`emails[type eq "WORK"]`, true, false},
	{`emails[type eq "work"].value eq "babs@example.com"`, false, true},
	{`emails[type eq "work"].value eq "babs@home.example.org"`, false, false},
	{`emails[primary eq true]`, false, true},
	{`emails[not (type pr)]`, false, true},
	{`emails[type pr and not (primary eq true)]`, false, true},
	{`emails[type ne "work" and type ne "home"]`, false, false},
	{`groups[value pr]`, false, false},
	{`missing[value pr]`, false, false},
	{`name[givenName sw "bar"]`, false, true},

	// Logic.
	{`userName sw "babs" and active eq true`, false, true},
	{`userName sw "babs" and active eq false`, false, false},
	{`userName sw "x" or age eq 42`, false, true},
	{`userName sw "x" or age eq 41`, false, false},
	{`not (userName sw "x")`, false, true},
	{`not (userName sw "babs")`, false, false},
	{`age eq 1 or age eq 42 and active eq true`, false, true},
	{`(age eq 1 or age eq 42) and active eq false`, false, false},
}

func setCaseExact(e Expr) {
	switch e := e.(type) {
	case *Compare:
		e.CaseExact = true
	case *Logical:
		setCaseExact(e.Left)
		setCaseExact(e.Right)
	case *Not:
		setCaseExact(e.X)
	case *ValuePath:
		setCaseExact(e.Filter)
	}
}

func TestMatch(t *testing.T) {
	for _, tt := range matchTests {
		name := tt.filter
		if tt.exact {
			name += " (caseExact)"
		}
		t.Run(name, func(t *testing.T) {
			e, err := Parse(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if tt.exact {
				setCaseExact(e)
			}
			got, err := Match(e, babs)
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if got != tt.want {
				t.Errorf("Match(%s) = %v, want %v", e, got, tt.want)
			}
		})
	}
}

var matchErrorTests = []struct {
	filter, msg string
}{
	{`active gt true`, `filter: active gt: a boolean has no order; use eq or ne`},
	{`age le null`, `filter: age le: a null has no order; use eq or ne`},
	{`userName co 1`, `filter: userName co: the operator needs a string, found the number 1`},
	{`active sw true`, `filter: active sw: the operator needs a string, found the boolean true`},
	{`userName ew null`, `filter: userName ew: the operator needs a string, found null`},
	{`missing gt false`, `filter: missing gt: a boolean has no order; use eq or ne`}, // even when absent
	{`userName eq 1`, `filter: userName eq: cannot compare a string value of the attribute with the number 1`},
	{`userName eq true`, `filter: userName eq: cannot compare a string value of the attribute with the boolean true`},
	{`age eq "42"`, `filter: age eq: cannot compare a number value of the attribute with the string "42"`},
	{`age co "4"`, `filter: age co: cannot compare a number value of the attribute with the string "4"`},
	{`active eq "true"`, `filter: active eq: cannot compare a boolean value of the attribute with the string "true"`},
	{`active co "t"`, `filter: active co: cannot compare a boolean value of the attribute with the string "t"`},
	{`meta.lastModified gt "yesterday"`, `filter: meta.lastModified gt: the attribute is a dateTime and "yesterday" is not an RFC 3339 date-time`},
	{`meta.lastModified sw "2011"`, `filter: meta.lastModified sw: cannot compare a dateTime value of the attribute with the string "2011"`},
	{`meta.lastModified gt 2011`, `filter: meta.lastModified gt: cannot compare a dateTime value of the attribute with the number 2011`},
	{`emails[primary gt 1]`, `filter: emails.primary gt: cannot compare a boolean value of the attribute with the number 1`},
	{`emails[primary gt true]`, `filter: emails.primary gt: a boolean has no order; use eq or ne`},
	{`age eq 1 or not (userName lt false)`, `filter: userName lt: a boolean has no order; use eq or ne`},
}

func TestMatchErrors(t *testing.T) {
	for _, tt := range matchErrorTests {
		t.Run(tt.filter, func(t *testing.T) {
			e, err := Parse(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Match(e, babs)
			var me *MatchError
			if !errors.As(err, &me) {
				t.Fatalf("Match(%s) = %v, %v; want a *MatchError", e, got, err)
			}
			if err.Error() != tt.msg {
				t.Errorf("Match(%s) error\n got %s\nwant %s", e, err, tt.msg)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		e    Expr
		ok   bool
	}{
		{"valid", cmp(attr("a"), Eq, str("x")), true},
		{"nil", nil, false},
		{"nil child", and(pr(attr("a")), nil), false},
		{"unknown op", cmp(attr("a"), Op(99), str("x")), false},
		{"unknown logical op", &Logical{Op: 9, Left: pr(attr("a")), Right: pr(attr("b"))}, false},
		{"nested value path", vpath(attr("a"), vpath(attr("b"), pr(attr("c")))), false},
		{"ordered bool", not(cmp(attr("a"), Gt, boolean(true))), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.e)
			if (err == nil) != tt.ok {
				t.Fatalf("Check = %v, want ok %v", err, tt.ok)
			}
			if _, merr := Match(tt.e, babs); (merr == nil) != tt.ok {
				t.Fatalf("Match error = %v, want ok %v", merr, tt.ok)
			}
		})
	}
}

// A literal of Kind DateTime, as schema resolution may produce, compares
// with DateTime values and with strings holding date-times.
func TestMatchDateTimeLiteral(t *testing.T) {
	lit := dt("2011-05-13T04:42:34Z")
	for _, tt := range []struct {
		c       *Compare
		want    bool
		wantErr bool
	}{
		{cmp(sub("meta", "lastModified"), Eq, lit), true, false},
		{cmp(sub("meta", "created"), Lt, lit), true, false},
		{cmp(attr("userName"), Eq, lit), false, true}, // not a date-time
		{cmp(attr("age"), Eq, lit), false, true},
	} {
		t.Run(tt.c.String(), func(t *testing.T) {
			got, err := Match(tt.c, babs)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("Match = %v, %v; want %v (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestFold(t *testing.T) {
	tests := []struct {
		a, b string
	}{
		{"", ""},
		{"abc", "ABC"},
		{"straße", "STRASSE"}, // not equal under simple folding
		{"K", "\u212a"},       // Kelvin sign folds to K
		{"ſ", "S"},
		{"σ", "Σ"},
		{"ς", "Σ"},
		{"a\xffb", "A\xffB"},
		{"abc", "abd"},
		{"ab", "abc"},
		{"_", "a"},
		{"Ω", "ω"},
		{"é", "É"},
		{"e", "É"},
	}
	for _, tt := range tests {
		t.Run(tt.a+"|"+tt.b, func(t *testing.T) {
			eq := strings.EqualFold(tt.a, tt.b)
			if c := compareFold(tt.a, tt.b); (c == 0) != eq {
				t.Errorf("compareFold = %d, EqualFold = %v", c, eq)
			}
			if c, r := compareFold(tt.a, tt.b), compareFold(tt.b, tt.a); c != -r {
				t.Errorf("compareFold not antisymmetric: %d, %d", c, r)
			}
			if got := hasPrefixFold(tt.a, tt.b); got != strings.EqualFold(tt.a, tt.b) && len(tt.a) == len(tt.b) {
				t.Errorf("hasPrefixFold = %v", got)
			}
			if got, want := hasPrefixFold("x"+tt.a+"y", "X"+tt.b), eq; got != want {
				t.Errorf("hasPrefixFold(%q, %q) = %v, want %v", "x"+tt.a+"y", "X"+tt.b, got, want)
			}
			if got, want := hasSuffixFold("x"+tt.a+"y", tt.b+"Y"), eq; got != want {
				t.Errorf("hasSuffixFold = %v, want %v", got, want)
			}
			if eq && !containsFold("xx"+tt.a+"yy", tt.b) {
				t.Errorf("containsFold = false")
			}
		})
	}
	if containsFold("abc", "abcd") || !containsFold("aBc", "") || !containsFold("", "") || containsFold("", "a") {
		t.Error("containsFold edge cases")
	}
	if compareFold("_", "a") >= 0 {
		t.Error(`compareFold("_", "a") should order '_' before letters, as lower() in SQL does`)
	}
}
