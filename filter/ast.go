package filter

import "time"

// AttrPath names an attribute as a filter or a PATCH path writes it:
// an optional schema URN, an attribute name and an optional sub-attribute.
//
// Parse records names exactly as written. The scim handler resolves them
// against its schema (strict or case-folded) before a Store sees the tree:
// in a resolved path Name and Sub have their canonical spelling and URN is
// empty for attributes of the core User schema and set for extension
// attributes.
type AttrPath struct {
	URN  string // schema URN prefix, "" when none was written
	Name string // attribute name, e.g. "emails" or "userName"
	Sub  string // sub-attribute name, e.g. "value"; "" when none
}

// Op is a comparison operator of RFC 7644 §3.4.2.2.
type Op uint8

// The comparison operators. Pr ("present") takes no value.
const (
	Eq Op = iota + 1 // equal
	Ne               // not equal
	Co               // contains
	Sw               // starts with
	Ew               // ends with
	Gt               // greater than
	Ge               // greater than or equal to
	Lt               // less than
	Le               // less than or equal to
	Pr               // present (has value)
)

// Kind is the type of a Value.
type Kind uint8

// The kinds of value a filter literal or a resource attribute can have.
const (
	Null     Kind = iota // JSON null, or an absent value
	String               // a JSON string (also references and binary)
	Number               // a JSON number (SCIM integer or decimal)
	Bool                 // a JSON boolean
	DateTime             // an xsd:dateTime; Str holds the text, Time the parsed instant
)

// Value is a literal in a filter or a value of a resource's attribute.
// Only the field its Kind names is meaningful (DateTime uses Str and Time).
type Value struct {
	Kind Kind
	Str  string
	Num  float64
	Bool bool
	Time time.Time
}

// Expr is a node of a filter's syntax tree: *Compare, *Logical, *Not or
// *ValuePath. String returns the canonical filter text, which Parse reads
// back into an equal tree.
type Expr interface {
	String() string
	expr()
}

// Compare is an attribute compared with a literal, e.g. userName eq "bjensen",
// or an attribute tested for presence (Op == Pr, Value unused).
type Compare struct {
	Path  AttrPath
	Op    Op
	Value Value
	// CaseExact reports whether string comparison is case-sensitive. Parse
	// leaves it false (RFC 7643 §2.1's default); schema resolution sets it
	// from the attribute's definition (true for id and externalId).
	CaseExact bool
}

// LogicalOp is "and" or "or".
type LogicalOp uint8

// The logical operators.
const (
	And LogicalOp = iota + 1
	Or
)

// Logical joins two expressions with "and" or "or".
type Logical struct {
	Op          LogicalOp
	Left, Right Expr
}

// Not negates an expression: not (X).
type Not struct {
	X Expr
}

// ValuePath filters the elements of a multi-valued complex attribute, e.g.
// emails[type eq "work" and value co "@example.com"]. The paths inside
// Filter name sub-attributes of Path (their Name is the sub-attribute, their
// URN and Sub are empty).
type ValuePath struct {
	Path   AttrPath // URN and Name of the multi-valued attribute; Sub is empty
	Filter Expr
}

func (*Compare) expr()   {}
func (*Logical) expr()   {}
func (*Not) expr()       {}
func (*ValuePath) expr() {}

// Path is the target of a PATCH operation (RFC 7644 §3.5.2): an attribute
// path with an optional value filter, e.g. emails[type eq "work"].value is
// Path{Attr: AttrPath{Name: "emails", Sub: "value"}, Filter: type eq "work"}.
type Path struct {
	Attr   AttrPath
	Filter Expr // nil when the path has no [filter]
}

// Resource is the view of a resource that Match evaluates. Paths handed to
// it are resolved (see AttrPath).
type Resource interface {
	// AttrLen reports how many values the attribute at p has: 0 when it is
	// absent or null, 1 for a single-valued attribute that has a value, and
	// the number of elements for a multi-valued attribute. For a sub-attribute
	// of a multi-valued complex attribute (emails.value) it is the number of
	// elements of that attribute (emails).
	AttrLen(p AttrPath) int
	// AttrValue returns value i (0 ≤ i < AttrLen(p)) of the attribute at p;
	// for emails.value it is the value sub-attribute of element i, a Null
	// Value when that element has none.
	AttrValue(p AttrPath, i int) Value
}
