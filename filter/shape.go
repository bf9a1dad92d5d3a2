package filter

// Equality is one test a store can answer with an index or a WHERE
// column = value: the attribute at Path equals Value.
type Equality struct {
	// Path is the attribute, e.g. {Name: "userName"}, or a sub-attribute
	// of a multi-valued attribute, e.g. {Name: "emails", Sub: "value"}; then
	// the test holds when some element's sub-attribute equals Value.
	Path AttrPath
	// Value is the literal; it is never of Kind Null.
	Value Value
	// CaseExact is the comparison's Compare.CaseExact: when false, strings
	// are equal ignoring case.
	CaseExact bool
	// Type, when not empty, narrows Path to the elements whose "type"
	// sub-attribute equals Type ignoring case (RFC 7643 defines type as
	// not caseExact): emails[type eq "work" and value eq "x"] is
	// {Path: emails.value, Value: "x", Type: "work"}.
	Type string
}

// Equalities recognises the filters that identity providers send to look a
// user up, so that a store can answer them with index lookups instead of
// evaluating Match on every user. It reports false for any other shape;
// the store then falls back to its general path.
//
// The shapes are a comparison with eq and a non-null value, a value path
// holding one such comparison or one "type eq" string comparison and
// another eq joined by "and", and an "and" of any of these. A resource
// matches the filter exactly when it satisfies every Equality returned.
// Okta's and Entra ID's lookups all have one of these shapes:
//
//	userName eq "x"                           → {userName "x"}
//	externalId eq "x"                         → {externalId "x" CaseExact}
//	emails[type eq "work"].value eq "x"       → {emails.value "x" Type "work"}
//	emails[type eq "work" and value eq "x"]   → {emails.value "x" Type "work"}
//	emails[value eq "x"]                      → {emails.value "x"}
//	emails.value eq "x"                       → {emails.value "x"}
//
// (CaseExact as the schema resolution sets it.) Run it on the resolved
// tree the store receives.
func Equalities(e Expr) ([]Equality, bool) {
	return appendEqualities(nil, e)
}

func appendEqualities(eqs []Equality, e Expr) ([]Equality, bool) {
	switch e := e.(type) {
	case *Compare:
		if !isEq(e) {
			return nil, false
		}
		return append(eqs, Equality{Path: e.Path, Value: e.Value, CaseExact: e.CaseExact}), true
	case *Logical:
		if e.Op != And {
			return nil, false
		}
		eqs, ok := appendEqualities(eqs, e.Left)
		if !ok {
			return nil, false
		}
		return appendEqualities(eqs, e.Right)
	case *ValuePath:
		eq, ok := valuePathEquality(e)
		if !ok {
			return nil, false
		}
		return append(eqs, eq), true
	}
	return nil, false
}

func isEq(c *Compare) bool { return c.Op == Eq && c.Value.Kind != Null }

// valuePathEquality recognises attr[sub eq v] and
// attr[type eq "t" and sub eq v] (in either order).
func valuePathEquality(vp *ValuePath) (Equality, bool) {
	sub := func(c *Compare) Equality {
		return Equality{
			Path:      AttrPath{URN: vp.Path.URN, Name: vp.Path.Name, Sub: c.Path.Name},
			Value:     c.Value,
			CaseExact: c.CaseExact,
		}
	}
	switch f := vp.Filter.(type) {
	case *Compare:
		if isEq(f) {
			return sub(f), true
		}
	case *Logical:
		a, ok1 := f.Left.(*Compare)
		b, ok2 := f.Right.(*Compare)
		if f.Op != And || !ok1 || !ok2 || !isEq(a) || !isEq(b) {
			break
		}
		if !isType(a) {
			a, b = b, a
		}
		if isType(a) && b.Path.Name != "type" {
			eq := sub(b)
			eq.Type = a.Value.Str
			return eq, true
		}
	}
	return Equality{}, false
}

func isType(c *Compare) bool {
	return c.Path.Name == "type" && c.Value.Kind == String && !c.CaseExact
}
