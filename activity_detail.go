package scim

import (
	"strconv"
	"strings"

	"github.com/scimkit/scim/schema"
)

// activityDetail is a refusal's detail as the activity log keeps it. The
// client gets its detail whole, values and all, since they are its own;
// the log, read by the tenant's admins and kept for days, holds attribute
// names and never other values. Details quote what they are about, so
// every quoted string that is not a name becomes "…": a PATCH path's
// filter literal (emails[value eq "…"]), a dateTime that did not parse, a
// member id that is no user. A quoted path keeps its names and loses its
// literals. The one value kept is the userName a uniqueness conflict
// names: the admin needs it to find the user, and userName is what the
// log records of every change.
//
// It fails closed: a message added later that quotes a value is
// scrubbed with no change here, and one that quotes a constant word shows
// "…" until the word is listed in detailWords.
func (h *Handler) activityDetail(e *Error) string {
	return h.scrubQuoted(e.Detail, e.ScimType == ScimTypeUniqueness)
}

// scrubQuoted replaces the quoted strings of s that are not names.
func (h *Handler) scrubQuoted(s string, keepUserName bool) string {
	if !strings.Contains(s, `"`) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := i + 1
		for j < len(s) && s[j] != '"' {
			if s[j] == '\\' {
				j++
			}
			j++
		}
		j = min(j+1, len(s)) // past the closing quote; an unclosed one runs to the end
		b.WriteString(s[:i])
		b.WriteString(h.scrubOne(s[i:j], s[:i], keepUserName))
		s = s[j:]
	}
}

// scrubOne returns the quoted string q, which follows before, or "…" in
// quotes in its place.
func (h *Handler) scrubOne(q, before string, keepUserName bool) string {
	const gone = `"…"`
	u, err := strconv.Unquote(q)
	switch {
	case err != nil:
		return gone
	case keepUserName && strings.HasSuffix(before, "userName "):
		return q
	case strings.Contains(u, `"`):
		// A path or filter quoted whole: its names stay, its literals go,
		// and a word in it that is not a name (an unquoted value) takes
		// the whole string.
		inner := h.scrubQuoted(u, false)
		for _, w := range strings.FieldsFunc(inner, func(r rune) bool { return strings.ContainsRune(` []()"`, r) }) {
			if w != "…" && !h.isName(strings.TrimPrefix(w, ".")) {
				return gone
			}
		}
		return strconv.Quote(inner)
	case h.isName(u), nameShaped(u) && namesFollow(before):
		return q
	}
	return gone
}

// isName reports whether s is an attribute or sub-attribute name of a
// resource type served (in any case), a SCIM URN, a filter keyword, one
// of detailWords, or punctuation.
func (h *Handler) isName(s string) bool {
	if strings.HasPrefix(s, "urn:ietf:params:scim:") || !strings.ContainsFunc(s, isAlnum) {
		return true
	}
	for _, w := range detailWords {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	for _, n := range []*names{&h.names, &h.groupNames} {
		if _, ne := n.projectionPath(s); ne == nil || ne.suggest != "" {
			return true
		}
		for _, a := range n.core {
			for _, sub := range a.SubAttributes {
				if strings.EqualFold(sub.Name, s) {
					return true
				}
			}
		}
	}
	return false
}

// detailWords are the constant words that error details quote, and the
// words of a filter.
var detailWords = []string{"schemas", "Operations", "op", "path", "value", "add", "replace", "remove",
	"work", "password", "ascending", "descending", "2026-01-31T09:00:00Z",
	"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr", "and", "or", "not", "true", "false", "null"}

// namesFollow reports whether the text before a quoted string puts a name
// there: the details that name an attribute or a JSON member the schema
// does not know ("unknown attribute %q", "member %q appears twice").
func namesFollow(before string) bool {
	return strings.HasSuffix(before, "attribute ") || strings.HasSuffix(before, "member ") ||
		strings.HasSuffix(before, "members ")
}

// nameShaped reports whether s is spelled as an attribute name or path
// (RFC 7643 §2.1), URN-prefixed or not: not as an e-mail address or a
// sentence.
func nameShaped(s string) bool {
	urn, rest := splitURN(s)
	if strings.ContainsFunc(urn, func(r rune) bool { return !isAlnum(r) && !strings.ContainsRune(":.-_", r) }) {
		return false
	}
	for part := range strings.SplitSeq(rest, ".") {
		if !schema.ValidName(part) {
			return false
		}
	}
	return true
}

func isAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}
