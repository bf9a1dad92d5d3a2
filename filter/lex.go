package filter

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The lexer works directly on the input string: no token slice is built and
// names and escape-free strings are substrings of the input, so parsing a
// simple filter allocates only its one tree node.

// isSpace reports whether c separates tokens. The RFC asks for one SP;
// we also take runs of spaces, tabs and line breaks.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// isWordByte reports whether c can be part of a word: an attribute path
// (with its URN and sub-attribute), an operator or a keyword.
func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == ':' || c == '$'
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isAttrName reports whether s is an RFC 7643 ATTRNAME
// (ALPHA *("-" / "_" / DIGIT / ALPHA)), optionally prefixed by "$" as in
// "$ref".
func isAttrName(s string) bool {
	if s != "" && s[0] == '$' {
		s = s[1:]
	}
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// isURN reports whether s can be the schema URN before an attribute name:
// non-empty segments of letters, digits, '.', '-' and '_' separated by ':'.
func isURN(s string) bool {
	if s == "" {
		return false
	}
	seg := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			if seg == 0 {
				return false
			}
			seg = 0
		case isAlpha(c) || isDigit(c) || c == '.' || c == '-' || c == '_':
			seg++
		default:
			return false
		}
	}
	return seg > 0
}

// wordEnd returns the end of the word starting at i.
func wordEnd(s string, i int) int {
	for i < len(s) && isWordByte(s[i]) {
		i++
	}
	return i
}

// equalFoldASCII reports whether the word w equals the lower-case ASCII
// keyword kw, ignoring case.
func equalFoldASCII(w, kw string) bool {
	if len(w) != len(kw) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i]|0x20 != kw[i] {
			return false
		}
	}
	return true
}

// lookupOp returns the comparison operator the word w names, or 0.
func lookupOp(w string) Op {
	if len(w) != 2 {
		return 0
	}
	// Word bytes other than upper-case letters already have bit 0x20 set
	// or fold to a byte that is not a letter, so |0x20 folds letters only.
	switch uint16(w[0]|0x20)<<8 | uint16(w[1]|0x20) {
	case 'e'<<8 | 'q':
		return Eq
	case 'n'<<8 | 'e':
		return Ne
	case 'c'<<8 | 'o':
		return Co
	case 's'<<8 | 'w':
		return Sw
	case 'e'<<8 | 'w':
		return Ew
	case 'g'<<8 | 't':
		return Gt
	case 'g'<<8 | 'e':
		return Ge
	case 'l'<<8 | 't':
		return Lt
	case 'l'<<8 | 'e':
		return Le
	case 'p'<<8 | 'r':
		return Pr
	}
	return 0
}

// found describes the token at offset i for an error message: "end of
// input", or the token's text quoted (shortened when long).
func found(s string, i int) string {
	if i >= len(s) {
		return "end of input"
	}
	var tok string
	switch c := s[i]; {
	case isWordByte(c):
		tok = s[i:wordEnd(s, i)]
	case c == '"':
		j := i + 1
		for j < len(s) && s[j] != '"' {
			if s[j] == '\\' && j+1 < len(s) {
				j++
			}
			j++
		}
		if j < len(s) {
			j++
		}
		tok = s[i:j]
	case c < utf8.RuneSelf:
		tok = s[i : i+1]
	default:
		_, n := utf8.DecodeRuneInString(s[i:])
		tok = s[i : i+n]
	}
	const max = 32
	if len(tok) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(tok[cut]) {
			cut--
		}
		tok = tok[:cut] + "…"
	}
	return strconv.Quote(tok)
}

// lexString reads the JSON string literal whose opening quote is at s[i]
// and returns its unescaped value and the offset after the closing quote.
// A string without escapes is returned as a substring of s.
func (p *parser) lexString(i int) (string, int, error) {
	s := p.s
	start := i
	i++
	ascii := true
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			v := s[start+1 : i]
			if !ascii && !utf8.ValidString(v) {
				return "", 0, p.badUTF8(start+1, i)
			}
			return v, i + 1, nil
		case c == '\\':
			if !ascii && !utf8.ValidString(s[start+1:i]) {
				return "", 0, p.badUTF8(start+1, i)
			}
			return p.lexEscapedString(start, i)
		case c < 0x20:
			return "", 0, p.controlChar(i, c)
		case c >= utf8.RuneSelf:
			ascii = false
		}
		i++
	}
	return "", 0, p.errorf(len(s), "expected a closing '\"' for the string that starts at offset %d, found end of input", start)
}

// lexEscapedString continues lexString from the first backslash at s[i],
// building the unescaped value.
func (p *parser) lexEscapedString(start, i int) (string, int, error) {
	s := p.s
	var b strings.Builder
	b.Grow(i - start + 16)
	b.WriteString(s[start+1 : i])
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			return b.String(), i + 1, nil
		case c < 0x20:
			return "", 0, p.controlChar(i, c)
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				return "", 0, p.errorf(i, "expected UTF-8 text in the string, found the invalid byte 0x%02x", c)
			}
			b.WriteString(s[i : i+n])
			i += n
			continue
		case c != '\\':
			b.WriteByte(c)
			i++
			continue
		}
		// A backslash escape.
		if i+1 >= len(s) {
			return "", 0, p.errorf(i+1, "expected an escape character after '\\', found end of input")
		}
		switch e := s[i+1]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(s, i+2)
			if !ok {
				return "", 0, p.errorf(i, "expected four hex digits after \"\\u\", found %s", found(s, i+2))
			}
			i += 6
			if utf16.IsSurrogate(r) {
				// A high surrogate followed by an escaped low one is one
				// character; an unpaired surrogate becomes U+FFFD, as
				// encoding/json does.
				if r2, ok := hex4(s, i+2); ok && i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						b.WriteRune(dec)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
			continue
		default:
			return "", 0, p.errorf(i, "expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX), found %s", strconv.Quote(s[i:i+2]))
		}
		i += 2
	}
	return "", 0, p.errorf(len(s), "expected a closing '\"' for the string that starts at offset %d, found end of input", start)
}

// hex4 decodes the four hex digits at s[i:i+4].
func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func (p *parser) controlChar(i int, c byte) error {
	return p.errorf(i, "expected a printable character in the string, found the control character U+%04X (write it as an escape such as \\n or \\u%04x)", c, c)
}

func (p *parser) badUTF8(i, end int) error {
	for i < end {
		r, n := utf8.DecodeRuneInString(p.s[i:end])
		if r == utf8.RuneError && n == 1 {
			break
		}
		i += n
	}
	return p.errorf(i, "expected UTF-8 text in the string, found the invalid byte 0x%02x", p.s[i])
}

// lexNumber reads the JSON number at s[i] and returns its value and the
// offset after it.
func (p *parser) lexNumber(i int) (float64, int, error) {
	s := p.s
	start := i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && isDigit(s[i]):
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return 0, 0, p.badNumber(start)
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return 0, 0, p.badNumber(start)
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return 0, 0, p.badNumber(start)
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (isWordByte(s[i]) || s[i] == '"') {
		return 0, 0, p.badNumber(start)
	}
	f, err := strconv.ParseFloat(s[start:i], 64)
	if err != nil {
		return 0, 0, p.errorf(start, "expected a number that fits a 64-bit float, found %s", strconv.Quote(s[start:i]))
	}
	return f, i, nil
}

func (p *parser) badNumber(start int) error {
	end := start + 1
	for end < len(p.s) && (isWordByte(p.s[end]) || p.s[end] == '+') {
		end++
	}
	return p.errorf(start, "expected a JSON number (such as 42, -1.5 or 2e10), found %s", strconv.Quote(p.s[start:end]))
}
