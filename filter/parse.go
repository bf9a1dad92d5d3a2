package filter

import (
	"fmt"
	"strconv"
	"strings"
)

// The limits Parse and ParsePath apply. A Limits field left at zero takes
// these values.
const (
	DefaultMaxLength      = 4096 // bytes of filter text
	DefaultMaxDepth       = 32   // levels of nesting
	DefaultMaxValueLength = 1024 // bytes of one string literal, unescaped
)

// Limits bounds the filters a parser accepts, so that a hostile filter
// cannot make parsing or matching expensive. The zero value applies
// DefaultMaxLength and DefaultMaxDepth; Parse and ParsePath use it.
type Limits struct {
	// MaxLength is the longest filter or path accepted, in bytes.
	// Zero or less means DefaultMaxLength.
	MaxLength int
	// MaxDepth is the deepest nesting accepted. Every enclosing
	// parenthesis, not (…), value path […] and every and/or operator
	// along the deepest path of the tree counts one level, so a chain of
	// n terms joined by "or" is n-1 levels deep. Zero or less means
	// DefaultMaxDepth. The bound keeps recursion in Parse, Match and
	// String shallow.
	MaxDepth int
	// MaxValueLength is the longest string literal accepted (unescaped,
	// in bytes), e.g. the "…" of userName co "…". Zero or less means
	// DefaultMaxValueLength. The bound keeps each comparison's cost, and
	// the work a store does with the literal (a LIKE pattern, an index
	// key), independent of how long a filter may be.
	MaxValueLength int
}

// SyntaxError reports a filter or path that does not parse. Its message
// says what was expected at Offset and what was found there.
type SyntaxError struct {
	Offset int    // byte offset of the problem in the input
	Msg    string // what was expected and what was found
}

// Error returns the message prefixed with "filter:" and the offset.
func (e *SyntaxError) Error() string {
	return "filter: offset " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// Parse parses a SCIM filter (RFC 7644 §3.4.2.2) with the default Limits.
// See the package documentation for the accepted syntax. Errors are
// *SyntaxError.
//
// Parse also accepts the form Entra ID sends to look a user up by work
// e-mail, emails[type eq "work"].value eq "x", which the RFC grammar does
// not allow. It parses it as emails[type eq "work" and value eq "x"]: a
// ValuePath whose Filter is the bracket filter joined with "and" to the
// trailing comparison of the sub-attribute. Any comparison operator may
// follow the sub-attribute.
func Parse(s string) (Expr, error) { return Limits{}.Parse(s) }

// ParsePath parses the path of a PATCH operation (RFC 7644 §3.5.2) with
// the default Limits: an attribute path such as name.givenName or
// urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber,
// or a value path with an optional sub-attribute such as
// emails[type eq "work"].value. Errors are *SyntaxError.
func ParsePath(s string) (Path, error) { return Limits{}.ParsePath(s) }

// Parse is like the package's Parse with the limits l.
func (l Limits) Parse(s string) (Expr, error) {
	p, err := l.parser(s)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos >= len(s) {
		return nil, p.errorf(p.pos, "expected a filter, found end of input")
	}
	e, _, err := p.parseOr(0, false)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(s) {
		return nil, p.trailing()
	}
	return e, nil
}

// ParsePath is like the package's ParsePath with the limits l.
func (l Limits) ParsePath(s string) (Path, error) {
	p, err := l.parser(s)
	if err != nil {
		return Path{}, err
	}
	p.skipSpace()
	if p.pos >= len(s) || !isWordByte(s[p.pos]) {
		return Path{}, p.errorf(p.pos, "expected an attribute path, found %s", found(s, p.pos))
	}
	start := p.pos
	attr, err := p.attrPath(false)
	if err != nil {
		return Path{}, err
	}
	path := Path{Attr: attr}
	if j := p.spaceEnd(p.pos); j < len(s) && s[j] == '[' {
		f, _, err := p.valueFilter(attr, start, j, 0)
		if err != nil {
			return Path{}, err
		}
		path.Filter = f
		if p.pos < len(s) && s[p.pos] == '.' {
			sub, err := p.subAttr()
			if err != nil {
				return Path{}, err
			}
			path.Attr.Sub = sub
		}
	}
	p.skipSpace()
	if p.pos < len(s) {
		what := `"[", "." or end of input`
		if path.Filter != nil {
			what = `"." or end of input`
		}
		return Path{}, p.errorf(p.pos, "expected %s after %q, found %s", what, strings.TrimSpace(s[start:p.pos]), found(s, p.pos))
	}
	return path, nil
}

// parser is the state of one Parse or ParsePath: the input, the read
// offset and the depth limit. It lives on the caller's stack.
type parser struct {
	s        string
	pos      int
	maxDepth int
	maxValue int
}

func (l Limits) parser(s string) (parser, error) {
	maxLen, maxDepth := l.MaxLength, l.MaxDepth
	if maxLen <= 0 {
		maxLen = DefaultMaxLength
	}
	if maxDepth <= 0 {
		maxDepth = DefaultMaxDepth
	}
	maxValue := l.MaxValueLength
	if maxValue <= 0 {
		maxValue = DefaultMaxValueLength
	}
	p := parser{s: s, maxDepth: maxDepth, maxValue: maxValue}
	if len(s) > maxLen {
		return p, p.errorf(maxLen, "expected at most %d bytes, found %d", maxLen, len(s))
	}
	return p, nil
}

func (p *parser) errorf(off int, format string, args ...any) error {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) tooDeep(off int) error {
	return p.errorf(off, "expected at most %d levels of nesting (parentheses, not, [ ] and chained and/or), found more", p.maxDepth)
}

// spaceEnd returns the offset of the first non-space byte at or after i.
func (p *parser) spaceEnd(i int) int {
	for i < len(p.s) && isSpace(p.s[i]) {
		i++
	}
	return i
}

func (p *parser) skipSpace() { p.pos = p.spaceEnd(p.pos) }

// trailing explains input left over after a complete filter.
func (p *parser) trailing() error {
	switch p.s[p.pos] {
	case ')':
		return p.errorf(p.pos, `expected "and", "or" or end of input, found ")" without a matching "("`)
	case ']':
		return p.errorf(p.pos, `expected "and", "or" or end of input, found "]" without a matching "["`)
	}
	return p.errorf(p.pos, `expected "and", "or" or end of input, found %s`, found(p.s, p.pos))
}

// keyword reads the logical operator kw ("and" or "or") with the spaces
// around it, if it comes next. It returns the operator's offset.
func (p *parser) keyword(kw string) (int, bool, error) {
	s := p.s
	i := p.spaceEnd(p.pos)
	e := wordEnd(s, i)
	if !equalFoldASCII(s[i:e], kw) {
		return 0, false, nil
	}
	if i == p.pos {
		return 0, false, p.errorf(i, "expected a space before %q, found %s", kw, found(s, i))
	}
	if e >= len(s) {
		return 0, false, p.errorf(e, "expected a filter after %q, found end of input", kw)
	}
	if !isSpace(s[e]) {
		return 0, false, p.errorf(e, "expected a space after %q, found %s", kw, found(s, e))
	}
	p.pos = p.spaceEnd(e)
	return i, true, nil
}

// parseOr parses terms joined by "or". d is the nesting level of the
// enclosing parentheses, not and brackets; inVP reports whether the
// filter is inside a value path's brackets. It also returns the height
// of the tree it built (and/or, not and value path nodes).
func (p *parser) parseOr(d int, inVP bool) (Expr, int, error) {
	left, h, err := p.parseAnd(d, inVP)
	if err != nil {
		return nil, 0, err
	}
	for {
		off, ok, err := p.keyword("or")
		if err != nil || !ok {
			return left, h, err
		}
		right, rh, err := p.parseAnd(d, inVP)
		if err != nil {
			return nil, 0, err
		}
		if h = max(h, rh) + 1; d+h > p.maxDepth {
			return nil, 0, p.tooDeep(off)
		}
		left = &Logical{Op: Or, Left: left, Right: right}
	}
}

// parseAnd parses terms joined by "and", which binds tighter than "or".
func (p *parser) parseAnd(d int, inVP bool) (Expr, int, error) {
	left, h, err := p.parseUnary(d, inVP)
	if err != nil {
		return nil, 0, err
	}
	for {
		off, ok, err := p.keyword("and")
		if err != nil || !ok {
			return left, h, err
		}
		right, rh, err := p.parseUnary(d, inVP)
		if err != nil {
			return nil, 0, err
		}
		if h = max(h, rh) + 1; d+h > p.maxDepth {
			return nil, 0, p.tooDeep(off)
		}
		left = &Logical{Op: And, Left: left, Right: right}
	}
}

// parseUnary parses a parenthesised filter, not (…), or an attribute
// expression.
func (p *parser) parseUnary(d int, inVP bool) (Expr, int, error) {
	s, i := p.s, p.pos
	if i < len(s) && s[i] == '(' {
		return p.parens(d, i, inVP)
	}
	if i >= len(s) || !isWordByte(s[i]) {
		if inVP {
			return nil, 0, p.errorf(i, `expected a sub-attribute name, "(" or "not", found %s`, found(s, i))
		}
		return nil, 0, p.errorf(i, `expected an attribute name, "(" or "not", found %s`, found(s, i))
	}
	if e := wordEnd(s, i); equalFoldASCII(s[i:e], "not") {
		// "not" is the operator when "(" follows; an attribute may still
		// be called "not" (not pr, not eq 1).
		j := p.spaceEnd(e)
		if j < len(s) && s[j] == '(' {
			x, h, err := p.parens(d, j, inVP)
			if err != nil {
				return nil, 0, err
			}
			if h++; d+h > p.maxDepth {
				return nil, 0, p.tooDeep(i)
			}
			return &Not{X: x}, h, nil
		}
		if j == e || lookupOp(s[j:wordEnd(s, j)]) == 0 {
			return nil, 0, p.errorf(j, `expected "(" after "not", found %s`, found(s, j))
		}
	}
	return p.parseAttrExpr(d, inVP)
}

// parens parses "(" filter ")" with the "(" at offset open.
func (p *parser) parens(d, open int, inVP bool) (Expr, int, error) {
	if d+1 > p.maxDepth {
		return nil, 0, p.tooDeep(open)
	}
	p.pos = p.spaceEnd(open + 1)
	x, h, err := p.parseOr(d+1, inVP)
	if err != nil {
		return nil, 0, err
	}
	p.skipSpace()
	if p.pos >= len(p.s) || p.s[p.pos] != ')' {
		return nil, 0, p.errorf(p.pos, `expected ")" to close the "(" at offset %d, found %s`, open, found(p.s, p.pos))
	}
	p.pos++
	return x, h, nil
}

// parseAttrExpr parses an attribute expression: attrPath op value,
// attrPath pr, a value path attr[filter], or Entra's attr[filter].sub op
// value.
func (p *parser) parseAttrExpr(d int, inVP bool) (Expr, int, error) {
	s, start := p.s, p.pos
	path, err := p.attrPath(inVP)
	if err != nil {
		return nil, 0, err
	}
	j := p.spaceEnd(p.pos)
	if j >= len(s) || s[j] != '[' {
		c, err := p.comparison(path, start)
		return c, 0, err
	}
	if inVP {
		return nil, 0, p.errorf(j, `expected a comparison operator after %q, found "[" (value paths cannot be nested)`, s[start:p.pos])
	}
	f, h, err := p.valueFilter(path, start, j, d)
	if err != nil {
		return nil, 0, err
	}
	vp := &ValuePath{Path: path, Filter: f}
	h++
	if p.pos < len(s) && s[p.pos] == '.' {
		// Entra ID: emails[type eq "work"].value eq "x".
		subOff := p.pos + 1
		sub, err := p.subAttr()
		if err != nil {
			return nil, 0, err
		}
		c, err := p.comparison(AttrPath{Name: sub}, subOff)
		if err != nil {
			return nil, 0, err
		}
		vp.Filter = &Logical{Op: And, Left: f, Right: c}
		if h++; d+h > p.maxDepth {
			return nil, 0, p.tooDeep(subOff)
		}
	}
	return vp, h, nil
}

// valueFilter parses the "[" filter "]" of a value path on path, which
// starts at offset start, with the "[" at offset open. It returns the
// filter's height.
func (p *parser) valueFilter(path AttrPath, start, open, d int) (Expr, int, error) {
	if path.Sub != "" {
		return nil, 0, p.errorf(open, `expected a comparison operator after %q, found "[" (a value filter follows an attribute, not a sub-attribute)`, p.s[start:p.pos])
	}
	if d+1 > p.maxDepth {
		return nil, 0, p.tooDeep(open)
	}
	p.pos = p.spaceEnd(open + 1)
	f, h, err := p.parseOr(d+1, true)
	if err != nil {
		return nil, 0, err
	}
	p.skipSpace()
	if p.pos >= len(p.s) || p.s[p.pos] != ']' {
		return nil, 0, p.errorf(p.pos, `expected "]" to close the "[" at offset %d, found %s`, open, found(p.s, p.pos))
	}
	p.pos++
	return f, h, nil
}

// subAttr parses "." ATTRNAME after a value path's "]".
func (p *parser) subAttr() (string, error) {
	i := p.pos + 1
	e := wordEnd(p.s, i)
	if name := p.s[i:e]; isAttrName(name) {
		p.pos = e
		return name, nil
	}
	return "", p.errorf(i, `expected a sub-attribute name after "].", found %s`, found(p.s, i))
}

// attrPath parses [URN ":"] ATTRNAME ["." ATTRNAME] at p.pos. Inside a
// value path (inVP) only a bare sub-attribute name is allowed.
func (p *parser) attrPath(inVP bool) (AttrPath, error) {
	s, i := p.s, p.pos
	e := wordEnd(s, i)
	w := s[i:e]
	what := "an attribute name"
	if inVP {
		what = "a sub-attribute name"
	}
	if w == "" {
		return AttrPath{}, p.errorf(i, "expected %s, found %s", what, found(s, i))
	}
	var ap AttrPath
	rest, off := w, i
	if c := strings.LastIndexByte(w, ':'); c >= 0 {
		if inVP {
			return AttrPath{}, p.errorf(i, "expected %s inside \"[ ]\", found %q (a schema URN is not allowed there)", what, w)
		}
		ap.URN, rest, off = w[:c], w[c+1:], i+c+1
		if !isURN(ap.URN) {
			return AttrPath{}, p.errorf(i, "expected a schema URN such as \"urn:ietf:params:scim:schemas:core:2.0:User\" before the attribute name, found %q", ap.URN)
		}
		if rest == "" {
			return AttrPath{}, p.errorf(off, "expected an attribute name after the schema URN %q, found %s", ap.URN, found(s, off))
		}
	}
	ap.Name = rest
	if dot := strings.IndexByte(rest, '.'); dot >= 0 {
		ap.Name, ap.Sub = rest[:dot], rest[dot+1:]
		if !isAttrName(ap.Name) {
			return AttrPath{}, p.errorf(off, "expected %s (a letter, then letters, digits, '-' or '_'), found %q", what, ap.Name)
		}
		if inVP {
			return AttrPath{}, p.errorf(i, "expected %s inside \"[ ]\", found %q (a sub-attribute of a sub-attribute does not exist)", what, w)
		}
		subOff := off + dot + 1
		if strings.IndexByte(ap.Sub, '.') >= 0 {
			return AttrPath{}, p.errorf(subOff, "expected at most one sub-attribute, found %q", rest)
		}
		if !isAttrName(ap.Sub) {
			return AttrPath{}, p.errorf(subOff, "expected a sub-attribute name (a letter, then letters, digits, '-' or '_') after %q, found %q", rest[:dot+1], ap.Sub)
		}
	} else if !isAttrName(ap.Name) {
		return AttrPath{}, p.errorf(off, "expected %s (a letter, then letters, digits, '-' or '_'), found %q", what, ap.Name)
	}
	p.pos = e
	return ap, nil
}

// comparison parses the operator and value after an attribute path that
// ends at p.pos and starts at offset start.
func (p *parser) comparison(path AttrPath, start int) (*Compare, error) {
	s, i := p.s, p.pos
	j := p.spaceEnd(i)
	e := wordEnd(s, j)
	op := lookupOp(s[j:e])
	if op == 0 || j == i {
		return nil, p.errorf(j, "expected a comparison operator after %q, found %s", s[start:i], found(s, j))
	}
	c := &Compare{Path: path, Op: op}
	p.pos = e
	if op == Pr {
		return c, nil
	}
	k := p.spaceEnd(e)
	if k == e && k < len(s) {
		return nil, p.errorf(k, "expected a space after %q, found %s", s[j:e], found(s, k))
	}
	if k >= len(s) {
		return nil, p.errorf(k, "expected a value after %q, found end of input", s[j:e])
	}
	switch ch := s[k]; {
	case ch == '"':
		str, end, err := p.lexString(k)
		if err != nil {
			return nil, err
		}
		if len(str) > p.maxValue {
			return nil, p.errorf(k, "expected a string of at most %d bytes after %q, found one of %d bytes", p.maxValue, s[j:e], len(str))
		}
		c.Value, p.pos = Value{Kind: String, Str: str}, end
		return c, nil
	case ch == '-' || isDigit(ch):
		f, end, err := p.lexNumber(k)
		if err != nil {
			return nil, err
		}
		c.Value, p.pos = Value{Kind: Number, Num: f}, end
		return c, nil
	}
	w := s[k:wordEnd(s, k)]
	switch {
	case equalFoldASCII(w, "true"):
		c.Value = Value{Kind: Bool, Bool: true}
	case equalFoldASCII(w, "false"):
		c.Value = Value{Kind: Bool}
	case equalFoldASCII(w, "null"):
		c.Value = Value{Kind: Null}
	default:
		return nil, p.errorf(k, "expected a value (a string in double quotes, a number, true, false or null) after %q, found %s", s[j:e], found(s, k))
	}
	p.pos = k + len(w)
	return c, nil
}
