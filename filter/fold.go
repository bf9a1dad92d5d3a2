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

// containsFold is strings.Contains ignoring case, in time O(len(s) +
// len(sub)): both are attacker-sized (a stored value and a filter
// literal), so the naive search, O(len(s)·len(sub)), is kept for inputs
// too small for that to matter, and the rest is a Knuth–Morris–Pratt
// search over fold keys, which are equal exactly when equalFoldRune is.
func containsFold(s, sub string) bool {
	if len(sub) == 0 {
		return true
	}
	if len(s) < len(sub)/utf8.UTFMax {
		return false // every rune of sub needs at least one byte of s
	}
	if len(sub) <= 8 || len(s)*len(sub) <= 4096 {
		return containsFoldNaive(s, sub)
	}
	return containsFoldKMP(s, sub)
}

// containsFoldNaive tests every rune boundary of s.
func containsFoldNaive(s, sub string) bool {
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

// nextKey decodes the rune at s[i] as hasPrefixFold does (an invalid byte
// is one U+FFFD) and returns its fold key and width.
func nextKey(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(lowerASCII(c)), 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return foldKey(r), n
}

// containsFoldKMP is containsFold by Knuth–Morris–Pratt over the fold
// keys of sub, reading s once.
func containsFoldKMP(s, sub string) bool {
	if sub == "" {
		return true
	}
	pat := make([]rune, 0, len(sub))
	for i := 0; i < len(sub); {
		k, n := nextKey(sub, i)
		pat = append(pat, k)
		i += n
	}
	// fail[i] is the length of the longest proper prefix of pat[:i+1]
	// that is also its suffix.
	fail := make([]int32, len(pat))
	for i, k := 1, int32(0); i < len(pat); i++ {
		for k > 0 && pat[i] != pat[k] {
			k = fail[k-1]
		}
		if pat[i] == pat[k] {
			k++
		}
		fail[i] = k
	}
	m := int32(0)
	for i := 0; i < len(s); {
		r, n := nextKey(s, i)
		i += n
		for m > 0 && r != pat[m] {
			m = fail[m-1]
		}
		if r == pat[m] {
			if m++; int(m) == len(pat) {
				return true
			}
		}
	}
	return false
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
