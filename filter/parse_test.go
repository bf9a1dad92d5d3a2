package filter

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Tree builders for the tables.

func attr(name string) AttrPath      { return AttrPath{Name: name} }
func sub(name, s string) AttrPath    { return AttrPath{Name: name, Sub: s} }
func urn(u, name, s string) AttrPath { return AttrPath{URN: u, Name: name, Sub: s} }
func str(s string) Value             { return Value{Kind: String, Str: s} }
func num(f float64) Value            { return Value{Kind: Number, Num: f} }
func boolean(b bool) Value           { return Value{Kind: Bool, Bool: b} }

var null = Value{}

func cmp(p AttrPath, op Op, v Value) *Compare { return &Compare{Path: p, Op: op, Value: v} }
func pr(p AttrPath) *Compare                  { return &Compare{Path: p, Op: Pr} }
func and(l, r Expr) *Logical                  { return &Logical{Op: And, Left: l, Right: r} }
func or(l, r Expr) *Logical                   { return &Logical{Op: Or, Left: l, Right: r} }
func not(x Expr) *Not                         { return &Not{X: x} }
func vpath(p AttrPath, f Expr) *ValuePath     { return &ValuePath{Path: p, Filter: f} }

const (
	coreUser = "urn:ietf:params:scim:schemas:core:2.0:User"
	entUser  = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

// parseTests are valid filters, their trees and their canonical text
// ("" when the input is already canonical).
var parseTests = []struct {
	name, in string
	want     Expr
	canon    string
}{
	// Every operator.
	{"eq", `userName eq "bjensen"`, cmp(attr("userName"), Eq, str("bjensen")), ""},
	{"ne", `userName ne "bjensen"`, cmp(attr("userName"), Ne, str("bjensen")), ""},
	{"co", `name.familyName co "O'Malley"`, cmp(sub("name", "familyName"), Co, str("O'Malley")), ""},
	{"sw", `userName sw "J"`, cmp(attr("userName"), Sw, str("J")), ""},
	{"ew", `userName ew "n"`, cmp(attr("userName"), Ew, str("n")), ""},
	{"gt", `meta.lastModified gt "2011-05-13T04:42:34Z"`, cmp(sub("meta", "lastModified"), Gt, str("2011-05-13T04:42:34Z")), ""},
	{"ge", `meta.lastModified ge "2011-05-13T04:42:34Z"`, cmp(sub("meta", "lastModified"), Ge, str("2011-05-13T04:42:34Z")), ""},
	{"lt", `age lt 30`, cmp(attr("age"), Lt, num(30)), ""},
	{"le", `age le 30`, cmp(attr("age"), Le, num(30)), ""},
	{"pr", `title pr`, pr(attr("title")), ""},
	{"upper-case operators", `userName EQ "x" AND title PR OR active Eq TRUE`, or(and(cmp(attr("userName"), Eq, str("x")), pr(attr("title"))), cmp(attr("active"), Eq, boolean(true))), `userName eq "x" and title pr or active eq true`},

	// Literals.
	{"true", `active eq true`, cmp(attr("active"), Eq, boolean(true)), ""},
	{"false", `active eq False`, cmp(attr("active"), Eq, boolean(false)), `active eq false`},
	{"null", `title eq NULL`, cmp(attr("title"), Eq, null), `title eq null`},
	{"zero", `n eq 0`, cmp(attr("n"), Eq, num(0)), ""},
	{"negative", `n eq -12`, cmp(attr("n"), Eq, num(-12)), ""},
	{"fraction", `n eq 1.5`, cmp(attr("n"), Eq, num(1.5)), ""},
	{"exponent", `n eq 2E+3`, cmp(attr("n"), Eq, num(2000)), `n eq 2000`},
	{"negative exponent", `n eq -2.5e-3`, cmp(attr("n"), Eq, num(-0.0025)), `n eq -0.0025`},
	{"big number", `n eq 1e21`, cmp(attr("n"), Eq, num(1e21)), `n eq 1e+21`},
	{"empty string", `title eq ""`, cmp(attr("title"), Eq, str("")), ""},
	{"escaped quote and backslash", `title eq "a\"b\\c"`, cmp(attr("title"), Eq, str(`a"b\c`)), ""},
	{"escaped slash", `title eq "a\/b"`, cmp(attr("title"), Eq, str("a/b")), `title eq "a/b"`},
	{"control escapes", `title eq "\b\f\n\r\t"`, cmp(attr("title"), Eq, str("\b\f\n\r\t")), ""},
	{"unicode escape", `name.givenName eq "Ren\u00e9e"`, cmp(sub("name", "givenName"), Eq, str("Renée")), `name.givenName eq "Renée"`},
	{"upper-case unicode escape", `title eq "\u00C9"`, cmp(attr("title"), Eq, str("É")), `title eq "É"`},
	{"surrogate pair", `title eq "\ud83d\ude00"`, cmp(attr("title"), Eq, str("😀")), `title eq "😀"`},
	{"lone surrogate", `title eq "\ud83dx"`, cmp(attr("title"), Eq, str("\uFFFDx")), "title eq \"\uFFFDx\""},
	{"escaped control", `title eq "\u0001"`, cmp(attr("title"), Eq, str("\x01")), ""},
	{"raw UTF-8", `title eq "日本"`, cmp(attr("title"), Eq, str("日本")), ""},
	{"escape after UTF-8", `title eq "日\"本"`, cmp(attr("title"), Eq, str(`日"本`)), ""},

	// Attribute paths.
	{"sub-attribute", `name.givenName pr`, pr(sub("name", "givenName")), ""},
	{"core URN", `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"`, cmp(urn(coreUser, "userName", ""), Eq, str("x")), ""},
	{"extension URN with sub-attribute", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`, cmp(urn(entUser, "manager", "value"), Eq, str("26118915-6090-4610-87e4-49d8ca9f808d")), ""},
	{"URN with dash", `urn:example:my-app:1.0:User:shoeSize gt 40`, cmp(urn("urn:example:my-app:1.0:User", "shoeSize", ""), Gt, num(40)), ""},
	{"$ref", `members.$ref pr`, pr(sub("members", "$ref")), ""},
	{"name with digits, dash and underscore", `x-1_a eq 1`, cmp(attr("x-1_a"), Eq, num(1)), ""},
	{"mixed-case name kept", `USERNAME eq "x"`, cmp(attr("USERNAME"), Eq, str("x")), ""},
	{"attribute called not", `not pr`, pr(attr("not")), ""},
	{"attribute called and", `and eq 1 and or eq 2`, and(cmp(attr("and"), Eq, num(1)), cmp(attr("or"), Eq, num(2))), ""},

	// Logic, precedence and grouping.
	{"and", `a pr and b pr`, and(pr(attr("a")), pr(attr("b"))), ""},
	{"or", `a pr or b pr`, or(pr(attr("a")), pr(attr("b"))), ""},
	{"and binds tighter", `a eq 1 or b eq 2 and c eq 3`, or(cmp(attr("a"), Eq, num(1)), and(cmp(attr("b"), Eq, num(2)), cmp(attr("c"), Eq, num(3)))), ""},
	{"and binds tighter on the left", `a eq 1 and b eq 2 or c eq 3`, or(and(cmp(attr("a"), Eq, num(1)), cmp(attr("b"), Eq, num(2))), cmp(attr("c"), Eq, num(3))), ""},
	{"and is left-associative", `a pr and b pr and c pr`, and(and(pr(attr("a")), pr(attr("b"))), pr(attr("c"))), ""},
	{"or is left-associative", `a pr or b pr or c pr`, or(or(pr(attr("a")), pr(attr("b"))), pr(attr("c"))), ""},
	{"parentheses group", `(a eq 1 or b eq 2) and c eq 3`, and(or(cmp(attr("a"), Eq, num(1)), cmp(attr("b"), Eq, num(2))), cmp(attr("c"), Eq, num(3))), ""},
	{"right grouping kept", `a pr and (b pr and c pr)`, and(pr(attr("a")), and(pr(attr("b")), pr(attr("c")))), ""},
	{"right or grouping kept", `a pr or (b pr or c pr)`, or(pr(attr("a")), or(pr(attr("b")), pr(attr("c")))), ""},
	{"redundant parentheses dropped", `((a pr)) or (b pr and c pr)`, or(pr(attr("a")), and(pr(attr("b")), pr(attr("c")))), `a pr or b pr and c pr`},
	{"RFC example", `userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`, and(cmp(attr("userType"), Eq, str("Employee")), or(cmp(attr("emails"), Co, str("example.com")), cmp(sub("emails", "value"), Co, str("example.org")))), ""},
	{"not", `not (emails co "example.com")`, not(cmp(attr("emails"), Co, str("example.com"))), ""},
	{"not without space", `NOT(a pr)`, not(pr(attr("a"))), `not (a pr)`},
	{"not of or inside and", `a pr and not (b pr or c pr)`, and(pr(attr("a")), not(or(pr(attr("b")), pr(attr("c"))))), ""},
	{"double not", `not (not (a pr))`, not(not(pr(attr("a")))), ""},

	// Value paths.
	{"value path", `emails[type eq "work"]`, vpath(attr("emails"), cmp(attr("type"), Eq, str("work"))), ""},
	{"value path with and", `emails[type eq "work" and value co "@example.com"]`, vpath(attr("emails"), and(cmp(attr("type"), Eq, str("work")), cmp(attr("value"), Co, str("@example.com")))), ""},
	{"value path with not and parentheses", `emails[not (type eq "work") and (primary eq true or value pr)]`, vpath(attr("emails"), and(not(cmp(attr("type"), Eq, str("work"))), or(cmp(attr("primary"), Eq, boolean(true)), pr(attr("value"))))), ""},
	{"value path with URN", `urn:ietf:params:scim:schemas:core:2.0:User:emails[value ew ".org"]`, vpath(urn(coreUser, "emails", ""), cmp(attr("value"), Ew, str(".org"))), ""},
	{"value path in logic", `userType eq "Employee" and emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
		or(and(cmp(attr("userType"), Eq, str("Employee")), vpath(attr("emails"), and(cmp(attr("type"), Eq, str("work")), cmp(attr("value"), Co, str("@example.com"))))),
			vpath(attr("ims"), and(cmp(attr("type"), Eq, str("xmpp")), cmp(attr("value"), Co, str("@foo.com"))))), ""},
	{"Entra work e-mail", `emails[type eq "work"].value eq "user@contoso.com"`, vpath(attr("emails"), and(cmp(attr("type"), Eq, str("work")), cmp(attr("value"), Eq, str("user@contoso.com")))), `emails[type eq "work" and value eq "user@contoso.com"]`},
	{"Entra form with or inside", `emails[type eq "work" or type eq "home"].value co "x"`, vpath(attr("emails"), and(or(cmp(attr("type"), Eq, str("work")), cmp(attr("type"), Eq, str("home"))), cmp(attr("value"), Co, str("x")))), `emails[(type eq "work" or type eq "home") and value co "x"]`},
	{"Entra form with pr", `emails[type eq "work"].value pr`, vpath(attr("emails"), and(cmp(attr("type"), Eq, str("work")), pr(attr("value")))), `emails[type eq "work" and value pr]`},

	// Whitespace.
	{"extra spaces and tabs", " \tuserName  eq\t\"x\"   and  ( title pr )  ", and(cmp(attr("userName"), Eq, str("x")), pr(attr("title"))), `userName eq "x" and title pr`},
	{"spaces inside brackets", `emails [ type eq "work" ]`, vpath(attr("emails"), cmp(attr("type"), Eq, str("work"))), `emails[type eq "work"]`},
	{"line breaks", "a pr\nand\r\nb pr", and(pr(attr("a")), pr(attr("b"))), `a pr and b pr`},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse(%q)\n got %#v\nwant %#v", tt.in, got, tt.want)
			}
			canon := tt.canon
			if canon == "" {
				canon = tt.in
			}
			if s := got.String(); s != canon {
				t.Errorf("String() = %s, want %s", s, canon)
			}
		})
	}
}

// parseErrorTests are invalid filters with the offset and the message
// their *SyntaxError must have.
var parseErrorTests = []struct {
	name, in string
	off      int
	msg      string
}{
	{"empty", ``, 0, `expected a filter, found end of input`},
	{"only spaces", `   `, 3, `expected a filter, found end of input`},
	{"misspelt operator", `userName eqq "x"`, 9, `expected a comparison operator after "userName", found "eqq"`},
	{"missing operator", `userName`, 8, `expected a comparison operator after "userName", found end of input`},
	{"symbol operator", `userName = "x"`, 9, `expected a comparison operator after "userName", found "="`},
	{"no space before operator", `userName="x"`, 8, `expected a comparison operator after "userName", found "="`},
	{"missing value", `userName eq`, 11, `expected a value after "eq", found end of input`},
	{"no space before value", `userName eq"x"`, 11, `expected a space after "eq", found "\"x\""`},
	{"unquoted string", `userName eq bjensen`, 12, `expected a value (a string in double quotes, a number, true, false or null) after "eq", found "bjensen"`},
	{"single quotes", `userName eq 'x'`, 12, `expected a value (a string in double quotes, a number, true, false or null) after "eq", found "'"`},
	{"unterminated string", `userName eq "abc`, 16, `expected a closing '"' for the string that starts at offset 12, found end of input`},
	{"unterminated escaped string", `userName eq "a\"`, 16, `expected a closing '"' for the string that starts at offset 12, found end of input`},
	{"bad escape", `userName eq "a\x"`, 14, `expected an escape (\" \\ \/ \b \f \n \r \t \uXXXX), found "\\x"`},
	{"short unicode escape", `userName eq "\u12"`, 13, `expected four hex digits after "\u", found "12"`},
	{"raw control character", "userName eq \"a\tb\"", 14, `expected a printable character in the string, found the control character U+0009 (write it as an escape such as \n or \u0009)`},
	{"invalid UTF-8", "userName eq \"a\xffb\"", 14, `expected UTF-8 text in the string, found the invalid byte 0xff`},
	{"invalid UTF-8 before an escape", "userName eq \"a\xe1\\b\"", 14, `expected UTF-8 text in the string, found the invalid byte 0xe1`},
	{"leading zero", `n eq 01`, 5, `expected a JSON number (such as 42, -1.5 or 2e10), found "01"`},
	{"bare minus", `n eq -`, 5, `expected a JSON number (such as 42, -1.5 or 2e10), found "-"`},
	{"trailing dot", `n eq 1.`, 5, `expected a JSON number (such as 42, -1.5 or 2e10), found "1."`},
	{"bad exponent", `n eq 1e+`, 5, `expected a JSON number (such as 42, -1.5 or 2e10), found "1e+"`},
	{"plus sign", `n eq +1`, 5, `expected a value (a string in double quotes, a number, true, false or null) after "eq", found "+"`},
	{"number glued to word", `n eq 12abc`, 5, `expected a JSON number (such as 42, -1.5 or 2e10), found "12abc"`},
	{"number out of range", `n eq 1e400`, 5, `expected a number that fits a 64-bit float, found "1e400"`},
	{"truex", `active eq truex`, 10, `expected a value (a string in double quotes, a number, true, false or null) after "eq", found "truex"`},
	{"pr with value", `title pr "x"`, 9, `expected "and", "or" or end of input, found "\"x\""`},
	{"trailing word", `userName eq "x" foo`, 16, `expected "and", "or" or end of input, found "foo"`},
	{"dangling and", `userName eq "x" and`, 19, `expected a filter after "and", found end of input`},
	{"dangling or with space", `a pr or `, 8, `expected an attribute name, "(" or "not", found end of input`},
	{"no space before and", `a eq "x"and b pr`, 8, `expected a space before "and", found "and"`},
	{"no space after or", `a pr or(b pr)`, 7, `expected a space after "or", found "("`},
	{"and at start", `and`, 3, `expected a comparison operator after "and", found end of input`},
	{"unclosed parenthesis", `(a pr`, 5, `expected ")" to close the "(" at offset 0, found end of input`},
	{"unmatched parenthesis", `a pr)`, 4, `expected "and", "or" or end of input, found ")" without a matching "("`},
	{"empty parentheses", `()`, 1, `expected an attribute name, "(" or "not", found ")"`},
	{"not without parentheses", `not a pr`, 4, `expected "(" after "not", found "a"`},
	{"not at end", `not`, 3, `expected "(" after "not", found end of input`},
	{"unclosed bracket", `emails[type eq "work"`, 21, `expected "]" to close the "[" at offset 6, found end of input`},
	{"unmatched bracket", `a pr]`, 4, `expected "and", "or" or end of input, found "]" without a matching "["`},
	{"empty brackets", `emails[]`, 7, `expected a sub-attribute name, "(" or "not", found "]"`},
	{"nested value path", `emails[type[value pr]]`, 11, `expected a comparison operator after "type", found "[" (value paths cannot be nested)`},
	{"URN inside brackets", `emails[urn:x:type eq "a"]`, 7, `expected a sub-attribute name inside "[ ]", found "urn:x:type" (a schema URN is not allowed there)`},
	{"dotted name inside brackets", `name[givenName.x eq "a"]`, 5, `expected a sub-attribute name inside "[ ]", found "givenName.x" (a sub-attribute of a sub-attribute does not exist)`},
	{"value path on a sub-attribute", `name.givenName[x eq 1]`, 14, `expected a comparison operator after "name.givenName", found "[" (a value filter follows an attribute, not a sub-attribute)`},
	{"value path without comparison after sub", `emails[type eq "work"].value`, 28, `expected a comparison operator after "value", found end of input`},
	{"bad sub after bracket", `emails[type eq "work"].1 eq 2`, 23, `expected a sub-attribute name after "].", found "1"`},
	{"two sub-attributes", `name.a.b eq 1`, 5, `expected at most one sub-attribute, found "name.a.b"`},
	{"empty sub-attribute", `name. eq 1`, 5, `expected a sub-attribute name (a letter, then letters, digits, '-' or '_') after "name.", found ""`},
	{"name starting with a digit", `1abc eq 1`, 0, `expected an attribute name (a letter, then letters, digits, '-' or '_'), found "1abc"`},
	{"quoted attribute", `"userName" eq "x"`, 0, `expected an attribute name, "(" or "not", found "\"userName\""`},
	{"URN without attribute", `urn:ietf:params:scim:schemas:core:2.0:User: eq "x"`, 43, `expected an attribute name after the schema URN "urn:ietf:params:scim:schemas:core:2.0:User", found " "`},
	{"empty URN segment", `urn::x eq 1`, 0, `expected a schema URN such as "urn:ietf:params:scim:schemas:core:2.0:User" before the attribute name, found "urn:"`},
	{"dollar in the middle", `a$b eq 1`, 0, `expected an attribute name (a letter, then letters, digits, '-' or '_'), found "a$b"`},
	{"non-ASCII name", `ñame eq 1`, 0, `expected an attribute name, "(" or "not", found "ñ"`},
	{"too deep", strings.Repeat("(", 33) + "a pr" + strings.Repeat(")", 33), 32, `expected at most 32 levels of nesting (parentheses, not, [ ] and chained and/or), found more`},
	{"too long an or chain", "a pr" + strings.Repeat(" or a pr", 33), 261, `expected at most 32 levels of nesting (parentheses, not, [ ] and chained and/or), found more`},
	{"too long", "a eq \"" + strings.Repeat("x", 5000) + "\"", 4096, `expected at most 4096 bytes, found 5007`},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range parseErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, %v; want a *SyntaxError", tt.in, e, err)
			}
			if se.Offset != tt.off || se.Msg != tt.msg {
				t.Errorf("Parse(%q) error\n got offset %d: %s\nwant offset %d: %s", tt.in, se.Offset, se.Msg, tt.off, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "filter: offset ") {
				t.Errorf("Error() = %q, want the prefix %q", err.Error(), "filter: offset ")
			}
		})
	}
}

func TestLimits(t *testing.T) {
	chain := "a pr" + strings.Repeat(" or a pr", 40)
	if _, err := Parse(chain); err == nil {
		t.Fatalf("Parse of a 41-term chain succeeded with the default depth limit")
	}
	if _, err := (Limits{MaxDepth: 64}).Parse(chain); err != nil {
		t.Fatalf("Limits{MaxDepth: 64}.Parse: %v", err)
	}
	if _, err := (Limits{MaxLength: 10}).Parse(`userName eq "x"`); err == nil {
		t.Fatalf("Limits{MaxLength: 10}.Parse of 15 bytes succeeded")
	}
	if _, err := (Limits{MaxDepth: 1}).Parse(`emails[type eq "work"]`); err != nil {
		t.Fatalf("one value path at MaxDepth 1: %v", err)
	}
	if _, err := (Limits{MaxDepth: 1}).Parse(`emails[type eq "work"].value eq "x"`); err == nil {
		t.Fatalf("the folded Entra form is two levels deep but passed MaxDepth 1")
	}
	if _, err := (Limits{MaxDepth: 1}).ParsePath(`emails[type eq "work" and value pr]`); err == nil {
		t.Fatalf("ParsePath with an and in brackets passed MaxDepth 1")
	}
	deep := strings.Repeat("not (", 32) + "a pr" + strings.Repeat(")", 32)
	if _, err := Parse(deep); err != nil {
		t.Fatalf("32 nested nots: %v", err)
	}
	if _, err := Parse("not (" + deep + ")"); err == nil {
		t.Fatalf("33 nested nots passed")
	}
}

var pathTests = []struct {
	name, in string
	want     Path
	canon    string
}{
	{"attribute", `userName`, Path{Attr: attr("userName")}, ""},
	{"sub-attribute", `name.givenName`, Path{Attr: sub("name", "givenName")}, ""},
	{"URN", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`, Path{Attr: urn(entUser, "employeeNumber", "")}, ""},
	{"URN with sub-attribute", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`, Path{Attr: urn(entUser, "manager", "value")}, ""},
	{"value path", `emails[type eq "work"]`, Path{Attr: attr("emails"), Filter: cmp(attr("type"), Eq, str("work"))}, ""},
	{"value path with sub-attribute", `emails[type eq "work"].value`, Path{Attr: sub("emails", "value"), Filter: cmp(attr("type"), Eq, str("work"))}, ""},
	{"members by value", `members[value eq "2819c223-7f76-453a-919d-413861904646"]`, Path{Attr: attr("members"), Filter: cmp(attr("value"), Eq, str("2819c223-7f76-453a-919d-413861904646"))}, ""},
	{"complex filter", `addresses[type eq "work" and not (primary eq false)].streetAddress`, Path{Attr: sub("addresses", "streetAddress"), Filter: and(cmp(attr("type"), Eq, str("work")), not(cmp(attr("primary"), Eq, boolean(false))))}, ""},
	{"spaces", ` emails [ type eq "work" ].value `, Path{Attr: sub("emails", "value"), Filter: cmp(attr("type"), Eq, str("work"))}, `emails[type eq "work"].value`},
}

func TestParsePath(t *testing.T) {
	for _, tt := range pathTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePath(tt.in)
			if err != nil {
				t.Fatalf("ParsePath(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParsePath(%q)\n got %#v\nwant %#v", tt.in, got, tt.want)
			}
			canon := tt.canon
			if canon == "" {
				canon = tt.in
			}
			if s := got.String(); s != canon {
				t.Errorf("String() = %s, want %s", s, canon)
			}
		})
	}
}

var pathErrorTests = []struct {
	name, in string
	off      int
	msg      string
}{
	{"empty", ``, 0, `expected an attribute path, found end of input`},
	{"filter instead of path", `userName eq "x"`, 9, `expected "[", "." or end of input after "userName", found "eq"`},
	{"bracket on sub-attribute", `name.givenName[x eq 1]`, 14, `expected a comparison operator after "name.givenName", found "[" (a value filter follows an attribute, not a sub-attribute)`},
	{"unclosed bracket", `emails[type eq "work"`, 21, `expected "]" to close the "[" at offset 6, found end of input`},
	{"two sub-attributes after bracket", `emails[type eq "work"].value.x`, 23, `expected a sub-attribute name after "].", found "value.x"`},
	{"junk after bracket", `emails[type eq "work"]x`, 22, `expected "." or end of input after "emails[type eq \"work\"]", found "x"`},
	{"quoted", `"userName"`, 0, `expected an attribute path, found "\"userName\""`},
}

func TestParsePathErrors(t *testing.T) {
	for _, tt := range pathErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePath(tt.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParsePath(%q) = %v, %v; want a *SyntaxError", tt.in, p, err)
			}
			if se.Offset != tt.off || se.Msg != tt.msg {
				t.Errorf("ParsePath(%q) error\n got offset %d: %s\nwant offset %d: %s", tt.in, se.Offset, se.Msg, tt.off, tt.msg)
			}
		})
	}
}
