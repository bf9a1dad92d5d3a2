package filter

import (
	"math"
	"strconv"
	"time"

	"github.com/scimkit/scim/internal/jsontext"
)

// The String methods print the canonical form of a tree: lower-case
// operators, one space between tokens, parentheses only where precedence
// needs them, strings re-escaped as JSON. Parse reads the canonical form
// back into an equal tree.

var opNames = [...]string{Eq: "eq", Ne: "ne", Co: "co", Sw: "sw", Ew: "ew", Gt: "gt", Ge: "ge", Lt: "lt", Le: "le", Pr: "pr"}

// String returns the operator as written in a filter: "eq", "ne", …, "pr".
func (o Op) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

// String returns "and" or "or".
func (o LogicalOp) String() string {
	switch o {
	case And:
		return "and"
	case Or:
		return "or"
	}
	return "LogicalOp(" + strconv.Itoa(int(o)) + ")"
}

var kindNames = [...]string{Null: "null", String: "string", Number: "number", Bool: "boolean", DateTime: "dateTime"}

// String returns the kind's name as RFC 7643 spells the data type:
// "null", "string", "number", "boolean" or "dateTime".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// String returns the path as written in a filter:
// [URN ":"] Name ["." Sub].
func (p AttrPath) String() string { return string(appendAttrPath(nil, p)) }

// String returns the path as written in a PATCH operation, e.g.
// emails[type eq "work"].value.
func (p Path) String() string {
	if p.Filter == nil {
		return p.Attr.String()
	}
	b := appendAttrPath(nil, AttrPath{URN: p.Attr.URN, Name: p.Attr.Name})
	b = append(b, '[')
	b = appendExpr(b, p.Filter)
	b = append(b, ']')
	if p.Attr.Sub != "" {
		b = append(b, '.')
		b = append(b, p.Attr.Sub...)
	}
	return string(b)
}

// String returns the value as a filter literal: a JSON string, number,
// true, false or null. A DateTime prints as a JSON string of its text
// (of Time in RFC 3339 when Str is empty).
func (v Value) String() string { return string(appendValue(nil, v)) }

// String returns the canonical filter text.
func (c *Compare) String() string { return string(appendExpr(nil, c)) }

// String returns the canonical filter text.
func (l *Logical) String() string { return string(appendExpr(nil, l)) }

// String returns the canonical filter text.
func (n *Not) String() string { return string(appendExpr(nil, n)) }

// String returns the canonical filter text.
func (v *ValuePath) String() string { return string(appendExpr(nil, v)) }

func appendAttrPath(b []byte, p AttrPath) []byte {
	if p.URN != "" {
		b = append(b, p.URN...)
		b = append(b, ':')
	}
	b = append(b, p.Name...)
	if p.Sub != "" {
		b = append(b, '.')
		b = append(b, p.Sub...)
	}
	return b
}

func appendExpr(b []byte, e Expr) []byte {
	switch e := e.(type) {
	case *Compare:
		b = appendAttrPath(b, e.Path)
		b = append(b, ' ')
		b = append(b, e.Op.String()...)
		if e.Op != Pr {
			b = append(b, ' ')
			b = appendValue(b, e.Value)
		}
	case *Logical:
		// Both operators are left-associative and "and" binds tighter, so
		// a child needs parentheses when it is an "or" under an "and", or
		// when it is a right operand of the same operator.
		b = appendOperand(b, e.Left, e.Op == And && isLogical(e.Left, Or))
		b = append(b, ' ')
		b = append(b, e.Op.String()...)
		b = append(b, ' ')
		b = appendOperand(b, e.Right, isLogical(e.Right, Or) || e.Op == And && isLogical(e.Right, And))
	case *Not:
		b = append(b, "not ("...)
		b = appendExpr(b, e.X)
		b = append(b, ')')
	case *ValuePath:
		b = appendAttrPath(b, e.Path)
		b = append(b, '[')
		b = appendExpr(b, e.Filter)
		b = append(b, ']')
	case nil:
		b = append(b, "<nil>"...)
	}
	return b
}

func isLogical(e Expr, op LogicalOp) bool {
	l, ok := e.(*Logical)
	return ok && l.Op == op
}

func appendOperand(b []byte, e Expr, parens bool) []byte {
	if !parens {
		return appendExpr(b, e)
	}
	b = append(b, '(')
	b = appendExpr(b, e)
	return append(b, ')')
}

func appendValue(b []byte, v Value) []byte {
	switch v.Kind {
	case String:
		return jsontext.AppendStringText(b, v.Str)
	case Number:
		return appendNumber(b, v.Num)
	case Bool:
		return strconv.AppendBool(b, v.Bool)
	case DateTime:
		if v.Str == "" && !v.Time.IsZero() {
			return jsontext.AppendStringText(b, v.Time.Format(time.RFC3339Nano))
		}
		return jsontext.AppendStringText(b, v.Str)
	}
	return append(b, "null"...)
}

// appendNumber prints f as encoding/json does: plain decimals, exponent
// form only for very large or very small magnitudes.
func appendNumber(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		// No JSON spelling; Parse never produces these.
		return append(b, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(b, f, format, -1, 64)
}
