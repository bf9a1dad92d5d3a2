package scim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/schema"
)

// Limits bounds what one request may store, ask for and be answered with,
// so that the cost of every request is bounded by its size: no client with
// a valid token can burn minutes of CPU, hold a tenant's lock or grow the
// host's memory by gigabytes. Its zero value applies the defaults each
// field documents; a field left at zero takes its default, and none may be
// negative. Lengths are in bytes of UTF-8.
//
// A value over a length or count limit is a 400 invalidValue that names the
// attribute and the limit; a PATCH of too many operations is a 413. Both
// are found before the request changes anything.
type Limits struct {
	// MaxUserNameLength caps userName. Default 256: more than any identity
	// provider's login name (Entra ID's userPrincipalName is at most 113
	// characters, Okta's login 100), and within every database's index key
	// limit.
	MaxUserNameLength int

	// MaxEmailLength caps the work email (emails[type eq "work"].value).
	// Default 254, the longest address SMTP can deliver to (RFC 5321).
	MaxEmailLength int

	// MaxStringLength caps every other string: externalId, displayName,
	// name.givenName and name.familyName, each value of a host-declared
	// string attribute, a group's displayName and externalId and a
	// member's value. Default 1024.
	MaxStringLength int

	// MaxValues caps the values of one multi-valued attribute (such as a
	// host-declared "regions"), after a PATCH as after a POST or PUT; it
	// bounds the work each PATCH operation on the attribute does. Default
	// 1000. Group members are capped by Config.MaxMembersPerRequest.
	MaxValues int

	// MaxOperations caps the operations of one PATCH request; more is a
	// 413. Default 1000 (identity providers send one operation per
	// changed attribute).
	MaxOperations int

	// MaxResponseBytes is the response budget of one list request: a page
	// of users whose JSON would pass it is cut short, and itemsPerPage
	// says how many it holds, so that the client goes on at
	// startIndex+itemsPerPage (RFC 7644 §3.4.2.4 lets a page hold fewer
	// than count). The first user of a page is always returned. Responses
	// are written in 32 KiB chunks, never held whole. Default 8 MiB.
	MaxResponseBytes int
}

// The defaults of Limits.
const (
	defaultMaxUserNameLength = 256
	defaultMaxEmailLength    = 254
	defaultMaxStringLength   = 1024
	defaultMaxValues         = 1000
	defaultMaxOperations     = 1000
	defaultMaxResponseBytes  = 8 << 20
)

// withDefaults validates l and fills in the defaults.
func (l Limits) withDefaults() (Limits, error) {
	for _, f := range []struct {
		name string
		v    *int
		def  int
	}{
		{"MaxUserNameLength", &l.MaxUserNameLength, defaultMaxUserNameLength},
		{"MaxEmailLength", &l.MaxEmailLength, defaultMaxEmailLength},
		{"MaxStringLength", &l.MaxStringLength, defaultMaxStringLength},
		{"MaxValues", &l.MaxValues, defaultMaxValues},
		{"MaxOperations", &l.MaxOperations, defaultMaxOperations},
		{"MaxResponseBytes", &l.MaxResponseBytes, defaultMaxResponseBytes},
	} {
		switch {
		case *f.v < 0:
			return l, fmt.Errorf("scim: Config.Limits.%s must not be negative", f.name)
		case *f.v == 0:
			*f.v = f.def
		}
	}
	return l, nil
}

// tooLong is the 400 for a string value over its limit.
func tooLong(attr string, n, max int, knob string) *Error {
	return badRequest(ScimTypeInvalidValue, fmt.Sprintf("attribute %q is %d bytes long; the most this service provider accepts is %d (Limits.%s)", attr, n, max, knob))
}

// checkString checks one string value: its length, and that it holds no
// NUL character, which no SCIM value needs and PostgreSQL cannot store.
// The value itself is never put in the message: it may be megabytes, or a
// secret.
func checkString(attr, s string, max int, knob string) *Error {
	if len(s) > max {
		return tooLong(attr, len(s), max, knob)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return badRequest(ScimTypeInvalidValue, fmt.Sprintf("attribute %q contains a NUL character (\\u0000), which this service provider does not store", attr))
	}
	return nil
}

// checkUser checks u against the limits before it is stored: after a POST
// or PUT body is decoded (decoding is linear in the body, which
// MaxBodyBytes bounds) and after a PATCH is applied.
func (h *Handler) checkUser(u *User) *Error {
	l := &h.cfg.Limits
	for _, f := range []struct {
		attr, s string
		max     int
		knob    string
	}{
		{"userName", u.UserName, l.MaxUserNameLength, "MaxUserNameLength"},
		{"emails.value", u.Email, l.MaxEmailLength, "MaxEmailLength"},
		{"externalId", u.ExternalID, l.MaxStringLength, "MaxStringLength"},
		{"displayName", u.DisplayName, l.MaxStringLength, "MaxStringLength"},
		{"name.givenName", u.GivenName, l.MaxStringLength, "MaxStringLength"},
		{"name.familyName", u.FamilyName, l.MaxStringLength, "MaxStringLength"},
	} {
		if e := checkString(f.attr, f.s, f.max, f.knob); e != nil {
			return e
		}
	}
	if len(u.Custom) == 0 {
		return nil
	}
	return h.eachCustom(func(d *schema.Attribute) *Error { return h.checkCustomValue(u, d, true) })
}

// eachCustom calls fn for every host-declared attribute, in declaration
// order, so that the first breach reported is the same on every run.
func (h *Handler) eachCustom(fn func(d *schema.Attribute) *Error) *Error {
	for i := range h.cfg.Attributes {
		if e := fn(&h.cfg.Attributes[i]); e != nil {
			return e
		}
	}
	for i := range h.names.extensions {
		for j := range h.names.extensions[i].Attributes {
			if e := fn(&h.names.extensions[i].Attributes[j]); e != nil {
				return e
			}
		}
	}
	return nil
}

// checkCustomValue checks the value of the custom attribute d: its count of
// values, and with checkStrings set, each string.
func (h *Handler) checkCustomValue(u *User, d *schema.Attribute, checkStrings bool) *Error {
	v, ok := u.Custom[d.Name]
	if !ok {
		return nil
	}
	l := &h.cfg.Limits
	if n := customLen(v); d.MultiValued && n > l.MaxValues {
		return badRequest(ScimTypeInvalidValue, fmt.Sprintf("attribute %q has %d values; the most this service provider accepts is %d (Limits.MaxValues)", d.Name, n, l.MaxValues))
	}
	if !checkStrings {
		return nil
	}
	switch v := v.(type) {
	case string:
		return checkString(d.Name, v, l.MaxStringLength, "MaxStringLength")
	case []string:
		for _, s := range v {
			if e := checkString(d.Name, s, l.MaxStringLength, "MaxStringLength"); e != nil {
				return e
			}
		}
	}
	return nil
}

// checkValueCounts checks the count of values of every multi-valued custom
// attribute of u; applyPatch calls it after each operation, so that no
// operation works on a list longer than MaxValues.
func (h *Handler) checkValueCounts(u *User) *Error {
	if len(u.Custom) == 0 {
		return nil
	}
	return h.eachCustom(func(d *schema.Attribute) *Error {
		if !d.MultiValued {
			return nil
		}
		return h.checkCustomValue(u, d, false)
	})
}

// checkGroup checks a group's strings against the limits before it is
// stored.
func (h *Handler) checkGroup(g *Group) *Error {
	l := &h.cfg.Limits
	if e := checkString("displayName", g.DisplayName, l.MaxStringLength, "MaxStringLength"); e != nil {
		return e
	}
	if e := checkString("externalId", g.ExternalID, l.MaxStringLength, "MaxStringLength"); e != nil {
		return e
	}
	return h.checkMembers(g.Members)
}

// checkMembers checks member values (ids) against MaxStringLength.
func (h *Handler) checkMembers(ms []Member) *Error {
	for i := range ms {
		if e := checkString("members.value", ms[i].Value, h.cfg.Limits.MaxStringLength, "MaxStringLength"); e != nil {
			return e
		}
	}
	return nil
}

// tooManyOperations is the 413 for a PATCH over MaxOperations.
func (h *Handler) tooManyOperations() *Error {
	return errorf(http.StatusRequestEntityTooLarge, "", fmt.Sprintf("the PATCH request has more than %d operations, the most one request may (Limits.MaxOperations); send the rest in further requests", h.cfg.Limits.MaxOperations))
}

// checkFilterValues refuses a filter whose string literals hold a NUL
// character: no stored value holds one (checkString), and some databases
// refuse the query with an error instead of matching nothing.
func checkFilterValues(e filter.Expr) *Error {
	switch e := e.(type) {
	case *filter.Logical:
		if err := checkFilterValues(e.Left); err != nil {
			return err
		}
		return checkFilterValues(e.Right)
	case *filter.Not:
		return checkFilterValues(e.X)
	case *filter.ValuePath:
		return checkFilterValues(e.Filter)
	case *filter.Compare:
		if e.Value.Kind == filter.String && strings.IndexByte(e.Value.Str, 0) >= 0 {
			return badRequest(ScimTypeInvalidFilter, fmt.Sprintf("the value compared with %s contains a NUL character (\\u0000), which no value holds", e.Path.String()))
		}
	}
	return nil
}

// ctxError is the answer to a request whose context ended: a 503 that
// says whether time ran out or the client went away.
func ctxError(ctx context.Context) *Error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return errorf(http.StatusServiceUnavailable, "", "the request was canceled")
	}
	return errorf(http.StatusServiceUnavailable, "", "the request took longer than this service provider allows; try again")
}

// userBytes is an upper bound of the size of u's JSON in a list response,
// computed without encoding it: every byte of a string as it could be
// escaped (a control character takes six), plus room for the names and
// punctuation around each value and for meta.
func userBytes(u *User) int {
	n := 512 // schemas, id, meta, active, location
	for _, s := range [...]string{u.ID, u.ExternalID, u.UserName, u.GivenName, u.FamilyName, u.DisplayName, u.Email} {
		n += 32 + escapedLen(s)
	}
	for k, v := range u.Custom {
		n += 64 + len(k)
		switch v := v.(type) {
		case string:
			n += escapedLen(v)
		case []string:
			for _, s := range v {
				n += 4 + escapedLen(s)
			}
		default:
			n += 40 * customLen(v) // numbers, booleans, dateTimes
		}
	}
	return n
}

// escapedLen bounds the length of s as a JSON string.
func escapedLen(s string) int {
	n := len(s) + 2
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			n += 5
		} else if c >= utf8.RuneSelf {
			n += 5 // U+2028, U+2029 and invalid bytes are escaped
		}
	}
	return n
}

// fitUsers cuts a page of users to the response budget: it keeps the
// longest prefix whose JSON stays within MaxResponseBytes, and at least
// one user, so that paging always makes progress.
func (h *Handler) fitUsers(users []*User) []*User {
	budget := h.cfg.Limits.MaxResponseBytes
	total := 256 // the ListResponse around the users
	for i, u := range users {
		if total += userBytes(u); total > budget && i > 0 {
			return users[:i]
		}
	}
	return users
}

// checkGroupChange checks the strings a group PATCH sets.
func (h *Handler) checkGroupChange(c *GroupChange) *Error {
	g := Group{Members: c.Add}
	if c.DisplayName != nil {
		g.DisplayName = *c.DisplayName
	}
	if c.ExternalID != nil {
		g.ExternalID = *c.ExternalID
	}
	if e := h.checkGroup(&g); e != nil {
		return e
	}
	for _, id := range c.Remove {
		if e := checkString("members.value", id, h.cfg.Limits.MaxStringLength, "MaxStringLength"); e != nil {
			return e
		}
	}
	return nil
}

// pathDetail is the detail of an error about the PATCH path of the
// operation where. A path that names password may carry the password in a
// filter literal (password[value eq "…"]), so then neither the path nor
// the parser's message, which quotes what it found, is echoed.
func pathDetail(where, path, detail string) string {
	if strings.Contains(strings.ToLower(path), "password") {
		return fmt.Sprintf("%s: the path names password and is not valid (it is not shown, since it may hold the password); send \"path\":\"password\" with the value", where)
	}
	return fmt.Sprintf("%s: path %q: %s", where, path, detail)
}

// filterForLog returns the request's filter and err's text for the log
// with every string literal of the filter replaced by "…": literals are
// attribute values (a userName, an email), and logs carry names, lengths
// and request ids, never values.
func (h *Handler) filterForLog(r *http.Request, err error) (string, string) {
	text := r.URL.Query().Get("filter")
	msg := err.Error()
	e, perr := h.cfg.FilterLimits.Parse(text)
	if perr != nil {
		return fmt.Sprintf("(%d bytes)", len(text)), msg
	}
	var lits []string
	var walk func(filter.Expr)
	walk = func(x filter.Expr) {
		switch x := x.(type) {
		case *filter.Logical:
			walk(x.Left)
			walk(x.Right)
		case *filter.Not:
			walk(x.X)
		case *filter.ValuePath:
			walk(x.Filter)
		case *filter.Compare:
			if x.Value.Kind == filter.String || x.Value.Kind == filter.DateTime {
				if x.Value.Str != "" {
					lits = append(lits, x.Value.Str)
				}
				x.Value.Str = "…"
			}
		}
	}
	walk(e)
	for _, l := range lits {
		msg = strings.ReplaceAll(msg, l, "…")
	}
	return e.String(), msg
}
