package filter

import (
	"unicode"
	"unicode/utf8"
)

// Case-insensitive string operations with the folding of strings.EqualFold
// (Unicode simple folding, rune by rune), without allocating: ASCII is
// compared byte by byte, anything else rune by rune.

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFoldRune reports whether r and t are equal under simple folding.
func equalFoldRune(r, t rune) bool {
	if r == t {
		return true
	}
	if t < r {
		r, t = t, r
	}
	if t < utf8.RuneSelf {
		return 'A' <= r && r <= 'Z' && t == r+'a'-'A'
	}
	f := unicode.SimpleFold(r)
	for f != r && f < t {
		f = unicode.SimpleFold(f)
	}
	return f == t
}

// hasPrefixFold is strings.HasPrefix ignoring case.
func hasPrefixFold(s, prefix string) bool {
	for prefix != "" {
		if s == "" {
			return false
		}
		c, d := s[0], prefix[0]
		if c < utf8.RuneSelf && d < utf8.RuneSelf {
			if c != d && lowerASCII(c) != lowerASCII(d) {
				return false
			}
			s, prefix = s[1:], prefix[1:]
			continue
		}
		r, rn := utf8.DecodeRuneInString(s)
		q, qn := utf8.DecodeRuneInString(prefix)
		if !equalFoldRune(r, q) {
			return false
		}
		s, prefix = s[rn:], prefix[qn:]
	}
	return true
}

// hasSuffixFold is strings.HasSuffix ignoring case.
func hasSuffixFold(s, suffix string) bool {
	for suffix != "" {
		if s == "" {
			return false
		}
		c, d := s[len(s)-1], suffix[len(suffix)-1]
		if c < utf8.RuneSelf && d < utf8.RuneSelf {
			if c != d && lowerASCII(c) != lowerASCII(d) {
				return false
			}
			s, suffix = s[:len(s)-1], suffix[:len(suffix)-1]
			continue
		}
		r, rn := utf8.DecodeLastRuneInString(s)
		q, qn := utf8.DecodeLastRuneInString(suffix)
		if !equalFoldRune(r, q) {
			return false
		}
		s, suffix = s[:len(s)-rn], suffix[:len(suffix)-qn]
	}
	return true
}

// containsFold is strings.Contains ignoring case.
func containsFold(s, sub string) bool {
	for i := 0; ; {
		if hasPrefixFold(s[i:], sub) {
			return true
		}
		if i >= len(s) {
			return false
		}
		if s[i] < utf8.RuneSelf {
			i++
		} else {
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
		}
	}
}

// foldKey maps r to one representative of its simple-folding orbit, so
// that two runes have the same key exactly when equalFoldRune holds. The
// representative is the smallest rune of the orbit, lower-cased when it is
// an ASCII letter so that ordering agrees with SQL's lower(a) < lower(b)
// for ASCII text.
func foldKey(r rune) rune {
	if r < utf8.RuneSelf {
		return rune(lowerASCII(byte(r)))
	}
	min := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < min {
			min = f
		}
	}
	if min < utf8.RuneSelf {
		return rune(lowerASCII(byte(min)))
	}
	return min
}

// compareFold orders a and b by the fold keys of their runes; it returns
// 0 exactly when strings.EqualFold(a, b).
func compareFold(a, b string) int {
	for a != "" && b != "" {
		var r, q rune
		if c := a[0]; c < utf8.RuneSelf {
			r, a = rune(lowerASCII(c)), a[1:]
		} else {
			var n int
			r, n = utf8.DecodeRuneInString(a)
			r, a = foldKey(r), a[n:]
		}
		if c := b[0]; c < utf8.RuneSelf {
			q, b = rune(lowerASCII(c)), b[1:]
		} else {
			var n int
			q, n = utf8.DecodeRuneInString(b)
			q, b = foldKey(q), b[n:]
		}
		if r != q {
			if r < q {
				return -1
			}
			return 1
		}
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}
