package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// A raw JSON value and the byte offset where it starts in the request body,
// so that every error can say where the problem is.
type rawValue struct {
	data json.RawMessage
	off  int64
	// valid is set on values members and elements hand out: they come from
	// JSON already checked, so the walk down a body validates it once.
	valid bool
}

func (v rawValue) isNull() bool { return len(v.data) == 0 || string(v.data) == "null" }

// kind names the JSON type of v for error messages.
func (v rawValue) kind() string {
	if len(v.data) == 0 {
		return "nothing"
	}
	switch v.data[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return kindOther(v.data)
}

// syntaxError turns a decoder error into a 400 invalidSyntax naming the
// byte offset.
func syntaxError(err error, base int64) *Error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("malformed JSON at byte offset %d: %s", base+se.Offset, strings.TrimPrefix(se.Error(), "json: ")))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return badRequest(ScimTypeInvalidSyntax, "malformed JSON: the body ends before the value is complete")
	}
	return badRequest(ScimTypeInvalidSyntax, "malformed JSON: "+strings.TrimPrefix(err.Error(), "json: "))
}

// members calls fn for each member of the JSON object v, in document
// order. what names v in errors ("the request body", "name"). A key given
// twice is an error: RFC 8259 leaves its meaning open, and a PATCH or a
// create that silently keeps one of two values hides a client bug. Keys
// that differ only in case count as the same key (RFC 7643 §2.1).
//
// members and elements scan the bytes themselves, after validJSON has
// checked them, instead of running a json.Decoder per object: every POST,
// PUT and PATCH goes through them, and a Decoder's tokens cost an
// allocation each.
func members(v rawValue, what string, fn func(key string, val rawValue) *Error) *Error {
	if lead := skipSpace(v.data, 0); lead > 0 {
		v = rawValue{v.data[lead:], v.off + int64(lead), v.valid}
	}
	if len(v.data) == 0 || v.data[0] != '{' {
		return badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("%s must be a JSON object, got %s", what, v.kind()))
	}
	if !v.valid && !validJSON(v.data) {
		return invalidJSON(v)
	}
	d := v.data
	var seen keySet
	i := skipSpace(d, 1)
	for d[i] != '}' {
		end := skipString(d, i)
		key := internKey(d[i:end])
		// Compared as names are with CaseInsensitiveNames, so that
		// "userName" and "USERNAME" cannot both set one attribute.
		if k, dup := seen.add(key); dup {
			if k != key {
				return badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("members %q and %q of %s name the same attribute", k, key, what))
			}
			return badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("member %q appears twice in %s", key, what))
		}
		start := skipSpace(d, skipSpace(d, end)+1) // past the colon
		end = skipValue(d, start)
		if e := fn(key, rawValue{d[start:end], v.off + int64(start), true}); e != nil {
			return e
		}
		if i = skipSpace(d, end); d[i] == ',' {
			i = skipSpace(d, i+1)
		}
	}
	return nil
}

// keySet finds keys that differ only in case. A SCIM object has a handful
// of members, compared in a small array; a hostile one may have a hundred
// thousand, which a map keeps linear.
type keySet struct {
	few  [16]string
	n    int
	many map[string]string // folded → as written
}

// add records key and reports the earlier key it repeats, if any.
func (s *keySet) add(key string) (string, bool) {
	if s.many == nil {
		for _, k := range s.few[:s.n] {
			if strings.EqualFold(k, key) {
				return k, true
			}
		}
		if s.n < len(s.few) {
			s.few[s.n] = key
			s.n++
			return "", false
		}
		s.many = make(map[string]string, 2*len(s.few))
		for _, k := range s.few {
			s.many[foldKey(k)] = k
		}
	}
	f := foldKey(key)
	if k, ok := s.many[f]; ok {
		return k, true
	}
	s.many[f] = key
	return "", false
}

// foldKey maps strings that strings.EqualFold calls equal to one key.
func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < r {
				r = f
			}
		}
		return r
	}, s)
}

// elements calls fn for each element of the JSON array v.
func elements(v rawValue, what string, fn func(i int, val rawValue) *Error) *Error {
	if len(v.data) == 0 || v.data[0] != '[' {
		return badRequest(ScimTypeInvalidValue, fmt.Sprintf("%s must be an array, got %s", what, v.kind()))
	}
	if !v.valid && !validJSON(v.data) {
		return invalidJSON(v)
	}
	d := v.data
	i := skipSpace(d, 1)
	for n := 0; d[i] != ']'; n++ {
		end := skipValue(d, i)
		if e := fn(n, rawValue{d[i:end], v.off + int64(i), true}); e != nil {
			return e
		}
		if i = skipSpace(d, end); d[i] == ',' {
			i = skipSpace(d, i+1)
		}
	}
	return nil
}

// internKey returns the key s (a JSON string with its quotes), without
// allocating for the member names every request carries.
func internKey(s []byte) string {
	switch string(s[1 : len(s)-1]) { // the compiler does not allocate here
	case "schemas":
		return "schemas"
	case "Operations":
		return "Operations"
	case "op":
		return "op"
	case "path":
		return "path"
	case "value":
		return "value"
	case "userName":
		return "userName"
	case "externalId":
		return "externalId"
	case "name":
		return "name"
	case "givenName":
		return "givenName"
	case "familyName":
		return "familyName"
	case "displayName":
		return "displayName"
	case "emails":
		return "emails"
	case "type":
		return "type"
	case "primary":
		return "primary"
	case "active":
		return "active"
	case "id":
		return "id"
	case "meta":
		return "meta"
	}
	return unquote(s)
}

// invalidJSON reports where v stops being JSON. Only this error path pays
// for a full decode.
func invalidJSON(v rawValue) *Error {
	var raw json.RawMessage
	err := json.Unmarshal(v.data, &raw)
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset > 0 && se.Offset <= int64(len(v.data)) && !strings.Contains(se.Error(), "unexpected end") {
		// Unmarshal counts the offending byte as read; the offset to report
		// is the one at which it stands.
		se.Offset--
	}
	if err != nil {
		return syntaxError(err, v.off)
	}
	return badRequest(ScimTypeInvalidSyntax, "malformed JSON")
}

// jsonMaxDepth is encoding/json's nesting limit, which validJSON keeps so
// that it accepts exactly what json.Valid accepts.
const jsonMaxDepth = 10000

// validJSON reports whether d is one JSON value (RFC 8259) with optional
// whitespace around it: json.Valid's answer (invalid UTF-8 in strings
// accepted, at most jsonMaxDepth nested arrays and objects), at a fraction of
// its cost. json.Valid runs its scanner's state function per byte, which
// an over-HTTP profile of Entra ID's PATCH found at a tenth of the
// handler's CPU; every POST, PUT and PATCH body is checked once.
func validJSON(d []byte) bool {
	var inline [64]byte
	open := inline[:0] // the '[' or '{' of each open container
	const (
		value = iota // a value is next
		key          // an object's key (and its colon) is next
		after        // a value ended: a comma, a close or the end is next
	)
	next := value
	i := skipSpace(d, 0)
	for {
		switch next {
		case key:
			if i >= len(d) || d[i] != '"' {
				return false
			}
			if i = validString(d, i); i < 0 {
				return false
			}
			if i = skipSpace(d, i); i >= len(d) || d[i] != ':' {
				return false
			}
			i, next = skipSpace(d, i+1), value
			continue
		case after:
			i = skipSpace(d, i)
			if len(open) == 0 {
				return i == len(d)
			}
			if i >= len(d) {
				return false
			}
			top := open[len(open)-1]
			switch c := d[i]; {
			case c == ',':
				i, next = skipSpace(d, i+1), value
				if top == '{' {
					next = key
				}
			case c == '}' && top == '{', c == ']' && top == '[':
				open = open[:len(open)-1]
				i++
			default:
				return false
			}
			continue
		}
		if i >= len(d) {
			return false
		}
		switch c := d[i]; c {
		case '{', '[':
			if len(open) == jsonMaxDepth {
				return false
			}
			open = append(open, c)
			i = skipSpace(d, i+1)
			switch {
			case i < len(d) && d[i] == c+2: // '}' is '{'+2, ']' is '['+2
				open = open[:len(open)-1]
				i, next = i+1, after
			case c == '{':
				next = key
			}
			continue
		case '"':
			i = validString(d, i)
		case 't':
			i = validLiteral(d, i, "true")
		case 'f':
			i = validLiteral(d, i, "false")
		case 'n':
			i = validLiteral(d, i, "null")
		default:
			i = validNumber(d, i)
		}
		if i < 0 {
			return false
		}
		next = after
	}
}

// validString returns the index just past the valid string that starts at
// d[i] (a quote), or -1.
func validString(d []byte, i int) int {
	for i++; i < len(d); i++ {
		switch c := d[i]; {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		case c == '\\':
			if i++; i >= len(d) {
				return -1
			}
			switch d[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(d) {
					return -1
				}
				for _, h := range d[i+1 : i+5] {
					if !isHex(h) {
						return -1
					}
				}
				i += 4
			default:
				return -1
			}
		}
	}
	return -1
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// validLiteral returns the index just past lit at d[i], or -1.
func validLiteral(d []byte, i int, lit string) int {
	if len(d)-i < len(lit) || string(d[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// validNumber returns the index just past the number that starts at d[i],
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, or -1.
func validNumber(d []byte, i int) int {
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i >= len(d) || !isDigit(d[i]):
		return -1
	case d[i] == '0':
		i++
	default:
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && d[i] == '.' {
		if i++; i >= len(d) || !isDigit(d[i]) {
			return -1
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		if i++; i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return -1
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	return i
}

// The scanners below read JSON that validJSON has accepted: they find
// where things end and never need to report an error.

func skipSpace(d []byte, i int) int {
	for i < len(d) && isSpace(d[i]) {
		i++
	}
	return i
}

// skipString returns the index just past the string that starts at d[i].
func skipString(d []byte, i int) int {
	for i++; d[i] != '"'; i++ {
		if d[i] == '\\' {
			i++
		}
	}
	return i + 1
}

// skipValue returns the index just past the value that starts at d[i].
func skipValue(d []byte, i int) int {
	switch d[i] {
	case '"':
		return skipString(d, i)
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch d[i] {
			case '"':
				i = skipString(d, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	for i < len(d) && d[i] != ',' && d[i] != '}' && d[i] != ']' && !isSpace(d[i]) {
		i++
	}
	return i
}

// unquote returns the text of the JSON string s (with its quotes). Invalid
// UTF-8 becomes U+FFFD, as encoding/json does, so that no store is handed
// bytes its database would refuse.
func unquote(s []byte) string {
	if !utf8.Valid(s) {
		var out string
		json.Unmarshal(s, &out)
		return out
	}
	body := s[1 : len(s)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		return string(body)
	}
	// Unescape here rather than through json.Unmarshal: Entra ID's PATCH
	// paths (emails[type eq \"work\"].value) always carry escapes.
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		switch body[i] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(body[i+1:])
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+6 < len(body) && body[i+1] == '\\' && body[i+2] == 'u' {
					r2 = hex4(body[i+3:])
				}
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					r = d
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default: // '"', '\\', '/'
			out = append(out, body[i])
		}
	}
	return string(out)
}

// hex4 reads the four hex digits of a \u escape (valid JSON guarantees
// them).
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// valueError is a 400 invalidValue naming the attribute and what it needs.
func valueError(attr string, want string, v rawValue) *Error {
	return badRequest(ScimTypeInvalidValue, fmt.Sprintf("attribute %q must be %s, got %s (byte offset %d)", attr, want, v.kind(), v.off))
}

func decodeString(attr string, v rawValue) (string, *Error) {
	if len(v.data) < 2 || v.data[0] != '"' {
		return "", valueError(attr, "a string", v)
	}
	return unquote(v.data), nil
}

// decodeBool accepts a JSON boolean, and "True"/"False" in any case when
// strings are allowed (Entra ID sends them).
func decodeBool(attr string, v rawValue, allowString bool) (bool, *Error) {
	switch string(v.data) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	if allowString && len(v.data) > 0 && v.data[0] == '"' {
		var s string
		if json.Unmarshal(v.data, &s) == nil {
			switch {
			case strings.EqualFold(s, "true"):
				return true, nil
			case strings.EqualFold(s, "false"):
				return false, nil
			}
		}
	}
	return false, valueError(attr, "a boolean (true or false)", v)
}

func decodeInt(attr string, v rawValue, allowString bool) (int64, *Error) {
	text := string(v.data)
	if allowString && len(v.data) > 0 && v.data[0] == '"' {
		if json.Unmarshal(v.data, &text) != nil {
			return 0, valueError(attr, "an integer", v)
		}
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, valueError(attr, "an integer", v)
	}
	return n, nil
}

func decodeDateTime(attr string, v rawValue) (time.Time, *Error) {
	s, e := decodeString(attr, v)
	if e != nil {
		return time.Time{}, valueError(attr, "a dateTime string (RFC 3339)", v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, badRequest(ScimTypeInvalidValue, fmt.Sprintf("attribute %q must be a dateTime such as 2026-01-31T09:00:00Z, got %.64q", attr, s))
	}
	return t, nil
}
