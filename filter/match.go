package filter

import (
	"strings"
	"time"
)

// MatchError reports a filter that cannot be evaluated because an operator
// does not apply to a literal or to an attribute's value: gt on a boolean,
// co on a number, a string attribute compared with a number. The scim
// handler answers it with 400 invalidFilter.
type MatchError struct {
	Path AttrPath // the attribute; inside a value path, Name is the multi-valued attribute and Sub the sub-attribute
	Op   Op       // the operator
	Msg  string   // what does not fit
}

// Error returns "filter: ", the attribute and operator, and the problem.
func (e *MatchError) Error() string {
	return "filter: " + e.Path.String() + " " + e.Op.String() + ": " + e.Msg
}

// Check reports the errors Match would report for e whatever the resource:
// an operator that does not apply to its literal (gt, ge, lt and le on a
// boolean or null; co, sw and ew on anything but a string), an unknown
// operator, a nil node or a value path nested in a value path. Parse never
// produces the last three. It returns nil or a *MatchError.
func Check(e Expr) error { return check(e, nil) }

func check(e Expr, vp *AttrPath) error {
	switch e := e.(type) {
	case *Compare:
		path := e.Path
		if vp != nil {
			path = AttrPath{URN: vp.URN, Name: vp.Name, Sub: e.Path.Name}
		}
		switch k := e.Value.Kind; e.Op {
		case Eq, Ne, Pr:
			return nil
		case Gt, Ge, Lt, Le:
			if k == Bool || k == Null {
				return &MatchError{Path: path, Op: e.Op, Msg: "a " + k.String() + " has no order; use eq or ne"}
			}
			return nil
		case Co, Sw, Ew:
			if k != String {
				return &MatchError{Path: path, Op: e.Op, Msg: "the operator needs a string, found " + describe(e.Value)}
			}
			return nil
		}
		return &MatchError{Path: path, Op: e.Op, Msg: "unknown operator"}
	case *Logical:
		if e.Op != And && e.Op != Or {
			return &MatchError{Msg: "unknown logical operator " + e.Op.String()}
		}
		if err := check(e.Left, vp); err != nil {
			return err
		}
		return check(e.Right, vp)
	case *Not:
		return check(e.X, vp)
	case *ValuePath:
		if vp != nil {
			return &MatchError{Path: e.Path, Msg: "a value path inside a value path"}
		}
		return check(e.Filter, &e.Path)
	}
	return &MatchError{Msg: "a nil or unknown expression"}
}

// Match reports whether the resource r satisfies the filter e, with the
// semantics of RFC 7644 §3.4.2.2 and RFC 7643 §2:
//
//   - Strings compare case-insensitively (Unicode simple folding) unless
//     Compare.CaseExact is set; gt, ge, lt and le order strings
//     lexically, by their folded characters unless CaseExact.
//   - Numbers compare as numbers, booleans with eq and ne only.
//   - An attribute value of Kind DateTime compares by instant with a
//     literal string, which must then be an RFC 3339 date-time.
//   - pr is true when the attribute has a value that is neither null nor
//     the empty string; eq null is true exactly when pr is false, and
//     ne null exactly when it is true.
//   - Every other comparison is true when some non-null value of the
//     attribute satisfies it: a multi-valued attribute matches when any of
//     its values does, and an absent attribute matches nothing. So
//     emails.value ne "x" is true when some e-mail differs from "x" (not
//     when every one does), and title ne "x" is false for a user without a
//     title; write not (title eq "x") for the complement of eq.
//   - A ValuePath matches when some element of its attribute satisfies
//     its Filter, evaluated against that element's sub-attributes.
//
// An operator that does not apply to its operands is an error, never a
// silent false: Match first runs Check, and then returns a *MatchError
// when it meets a value whose kind does not fit the literal (a string
// attribute compared with a number, co on a boolean attribute). Like "and"
// and "or" themselves, evaluation stops as soon as the result is known, so
// a mismatch in a part of the filter that is not evaluated goes
// unreported.
//
// Match does not allocate when the Resource does not.
func Match(e Expr, r Resource) (bool, error) {
	if err := check(e, nil); err != nil {
		return false, err
	}
	return eval(e, r, nil, 0)
}

// eval evaluates e; inside a value path, vp is its attribute and i the
// element being tested.
func eval(e Expr, r Resource, vp *AttrPath, i int) (bool, error) {
	switch e := e.(type) {
	case *Compare:
		if vp != nil {
			return matchValues(e, AttrPath{URN: vp.URN, Name: vp.Name, Sub: e.Path.Name}, r, i, i+1)
		}
		return matchValues(e, e.Path, r, 0, r.AttrLen(e.Path))
	case *Logical:
		ok, err := eval(e.Left, r, vp, i)
		if err != nil || ok == (e.Op == Or) {
			return ok, err
		}
		return eval(e.Right, r, vp, i)
	case *Not:
		ok, err := eval(e.X, r, vp, i)
		return !ok && err == nil, err
	case *ValuePath:
		n := r.AttrLen(e.Path)
		for j := 0; j < n; j++ {
			ok, err := eval(e.Filter, r, &e.Path, j)
			if err != nil || ok {
				return ok, err
			}
		}
	}
	return false, nil
}

// matchValues evaluates c against values from..to-1 of the attribute at p.
func matchValues(c *Compare, p AttrPath, r Resource, from, to int) (bool, error) {
	if c.Op == Pr || c.Value.Kind == Null {
		present := false
		for i := from; i < to && !present; i++ {
			v := r.AttrValue(p, i)
			present = v.Kind != Null && !(v.Kind == String && v.Str == "")
		}
		// Check allows only eq and ne with null.
		return present == (c.Op != Eq), nil
	}
	for i := from; i < to; i++ {
		v := r.AttrValue(p, i)
		if v.Kind == Null {
			continue
		}
		ok, err := compare(c, p, v)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// compare evaluates one non-null attribute value v against c's literal.
func compare(c *Compare, p AttrPath, v Value) (bool, error) {
	lit := c.Value
	switch {
	case v.Kind == String && lit.Kind == String:
		return compareStrings(c.Op, v.Str, lit.Str, c.CaseExact), nil
	case v.Kind == DateTime || lit.Kind == DateTime:
		if c.Op == Co || c.Op == Sw || c.Op == Ew {
			break
		}
		a, ok := asTime(v)
		if !ok {
			break
		}
		b, ok := asTime(lit)
		if !ok {
			if lit.Kind == String {
				return false, &MatchError{Path: p, Op: c.Op, Msg: "the attribute is a dateTime and " + lit.String() + " is not an RFC 3339 date-time"}
			}
			break
		}
		return ordered(c.Op, a.Compare(b)), nil
	case v.Kind == Number && lit.Kind == Number:
		if c.Op == Co || c.Op == Sw || c.Op == Ew {
			break
		}
		cmp := 0
		if v.Num < lit.Num {
			cmp = -1
		} else if v.Num > lit.Num {
			cmp = 1
		}
		return ordered(c.Op, cmp), nil
	case v.Kind == Bool && lit.Kind == Bool:
		switch c.Op {
		case Eq:
			return v.Bool == lit.Bool, nil
		case Ne:
			return v.Bool != lit.Bool, nil
		}
	}
	return false, &MatchError{Path: p, Op: c.Op, Msg: "cannot compare a " + v.Kind.String() + " value of the attribute with " + describe(lit)}
}

// describe names a literal for an error message: `the number 1`, `null`.
func describe(v Value) string {
	if v.Kind == Null {
		return "null"
	}
	return "the " + v.Kind.String() + " " + v.String()
}

// asTime returns the instant of a DateTime value, or of a String value
// holding an RFC 3339 date-time.
func asTime(v Value) (time.Time, bool) {
	switch v.Kind {
	case DateTime:
		if !v.Time.IsZero() || v.Str == "" {
			return v.Time, true
		}
	case String:
	default:
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, v.Str)
	return t, err == nil
}

func ordered(op Op, cmp int) bool {
	switch op {
	case Eq:
		return cmp == 0
	case Ne:
		return cmp != 0
	case Gt:
		return cmp > 0
	case Ge:
		return cmp >= 0
	case Lt:
		return cmp < 0
	case Le:
		return cmp <= 0
	}
	return false
}

func compareStrings(op Op, a, b string, exact bool) bool {
	if exact {
		switch op {
		case Eq:
			return a == b
		case Ne:
			return a != b
		case Co:
			return strings.Contains(a, b)
		case Sw:
			return strings.HasPrefix(a, b)
		case Ew:
			return strings.HasSuffix(a, b)
		}
		return ordered(op, strings.Compare(a, b))
	}
	switch op {
	case Eq:
		return strings.EqualFold(a, b)
	case Ne:
		return !strings.EqualFold(a, b)
	case Co:
		return containsFold(a, b)
	case Sw:
		return hasPrefixFold(a, b)
	case Ew:
		return hasSuffixFold(a, b)
	}
	return ordered(op, compareFold(a, b))
}
