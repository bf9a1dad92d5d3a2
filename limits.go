package scim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/scimkit/scim/filter"
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

	// MaxStringLength caps every other string: each value and
	// sub-attribute value of every attribute the resource type's schemas
	// declare (core, extension, kept and host-declared alike), such as
	// externalId, displayName, name.formatted, addresses[0].formatted, the
	// enterprise manager.value, a group's displayName and a member's
	// value. Default 1024.
	MaxStringLength int

	// MaxValues caps the values of one multi-valued attribute (such as
	// phoneNumbers or a host-declared "regions"), after a PATCH as after
	// a POST or PUT; it bounds the work each PATCH operation on the
	// attribute does. Default 1000. Group members, kept apart from the
	// group, are capped by Config.MaxMembersPerRequest instead.
	MaxValues int

	// MaxResourceBytes caps the size of one resource: the JSON of the
	// values a client sets (id and meta aside, group members aside). A
	// write that would make a resource larger is a 413 naming the limit,
	// and nothing is written; so no resource is larger than one response
	// may be, and reading one costs memory in proportion to this limit,
	// not to what a client managed to store. Default 64 KiB (a user with
	// every RFC 7643 attribute filled in at a realistic length is 2–4 KiB),
	// or MaxResponseBytes when that is smaller; it may not be set above
	// MaxResponseBytes.
	MaxResourceBytes int

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
	defaultMaxResourceBytes  = 64 << 10
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
	switch {
	case l.MaxResourceBytes < 0:
		return l, fmt.Errorf("scim: Config.Limits.MaxResourceBytes must not be negative")
	case l.MaxResourceBytes == 0:
		l.MaxResourceBytes = min(defaultMaxResourceBytes, l.MaxResponseBytes)
	case l.MaxResourceBytes > l.MaxResponseBytes:
		return l, fmt.Errorf("scim: Config.Limits.MaxResourceBytes (%d) must not be larger than MaxResponseBytes (%d): a resource must fit in a response", l.MaxResourceBytes, l.MaxResponseBytes)
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
	_, e := h.names.limits.check(&h.cfg.Limits, storedUser{u})
	return e
}

// checkValueCounts checks the count of values of the multi-valued
// attribute op names, or of every one for an operation without a path
// (or naming a whole extension), in next, the user old becomes; applyPatch
// calls it after each operation, so that no operation works on a list
// longer than MaxValues. A list old already held over the limit may stay
// as long, not grow.
func (h *Handler) checkValueCounts(old, next *User, op *PatchOperation) *Error {
	d := op.target.ref.def
	if op.Path == nil || op.target.ext != nil {
		d = nil
	}
	return h.names.limits.counts(&h.cfg.Limits, storedUser{old}, storedUser{next}, d)
}

// checkUserChange checks next, the result of a PATCH of old, a user that
// breaches the limits already: the attributes the PATCH changed must be
// within them, and next no larger than old.
func (h *Handler) checkUserChange(old, next *User) *Error {
	if e := h.names.limits.checkChanged(&h.cfg.Limits, storedUser{old}, storedUser{next}); e != nil {
		return e
	}
	if userBytes(next) > userBytes(old) {
		return errorf(http.StatusRequestEntityTooLarge, ScimTypeInvalidValue, fmt.Sprintf("the resource is larger than %d bytes of JSON, the most this service provider stores for one resource (Limits.MaxResourceBytes), and the PATCH would make it larger; remove values first", h.cfg.Limits.MaxResourceBytes))
	}
	return nil
}

// checkGroup checks a group against the limits before it is stored; its
// members are checked as ids (MaxStringLength), their number by
// decodeMembers (Config.MaxMembersPerRequest).
func (h *Handler) checkGroup(g *Group) *Error {
	_, e := h.groupNames.limits.check(&h.cfg.Limits, g)
	return e
}

// filterVisits is how many elements op tests: every element of the
// multi-valued attribute its value filter names, as u holds it before op.
func (h *Handler) filterVisits(u *User, op *PatchOperation) int {
	if op.Path == nil {
		return h.valueFilterVisits(u, op.value)
	}
	return h.targetVisits(u, &op.target)
}

func (h *Handler) targetVisits(u *User, t *patchTarget) int {
	if t.filter == nil || t.ref.def == nil || !t.ref.def.MultiValued {
		return 0
	}
	return storedUser{u}.AttrLen(filter.AttrPath{URN: t.ref.urn, Name: t.ref.def.Name})
}

// valueFilterVisits is filterVisits of an operation without a path, whose
// value's keys may be filtered paths ("emails[type eq \"work\"].value", as
// Entra ID sends them), each testing every element of its attribute.
func (h *Handler) valueFilterVisits(u *User, v rawValue) int {
	n := 0
	members(v, "value", func(key string, v rawValue) *Error {
		switch {
		case strings.EqualFold(key, UserURN):
			n += h.valueFilterVisits(u, v)
		case strings.IndexByte(key, '[') >= 0:
			if t, ne, e := h.resolvePatchPath(&h.names, key); ne == nil && e == nil {
				n += h.targetVisits(u, &t)
			}
		}
		return nil
	})
	return n
}

// maxFilterVisits bounds the elements the value filters of one PATCH
// test, counted before each operation: half of what MaxOperations
// filtered operations over lists of MaxValues would test (500,000 with
// the defaults, tens of milliseconds), so that a PATCH of a thousand
// filters that match nothing over a full list is refused before it burns
// a CPU for longer than the request is worth.
func (h *Handler) maxFilterVisits() int {
	l := &h.cfg.Limits
	return max(l.MaxOperations*l.MaxValues/2, l.MaxValues)
}

func (h *Handler) tooManyVisits() *Error {
	return errorf(http.StatusRequestEntityTooLarge, "", fmt.Sprintf("the PATCH's value filters would test more than %d elements (half of Limits.MaxOperations × Limits.MaxValues); send the operations in several requests, or remove elements by value", h.maxFilterVisits()))
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

// userBytes is the size of u's JSON in a list response, computed without
// encoding it: every value's bytes as the encoder writes them, plus room
// for the names and punctuation around each value and for meta. A user
// is at most Limits.MaxResourceBytes of values, so no single user passes
// the response budget by much.
func userBytes(u *User) int {
	n := 512 // schemas, id, meta, active, location
	for _, s := range [...]string{u.ID, u.ExternalID, u.UserName, u.GivenName, u.FamilyName, u.DisplayName, u.Email} {
		n += 32 + jsonStringLen(s)
	}
	for k, v := range u.Custom {
		n += 8 + len(k) + valueBytes(v)
	}
	return n
}

// valueBytes is the size of the custom value v as JSON: a simple value, a
// list of them, a complex value (its sub-attributes' names and values) or
// a list of complex values.
func valueBytes(v any) int {
	switch v := v.(type) {
	case string:
		return jsonStringLen(v)
	case bool:
		return 5
	case int64:
		return 20
	case time.Time:
		return 40
	case []string:
		n := 2
		for _, s := range v {
			n += 1 + jsonStringLen(s)
		}
		return n
	case map[string]any:
		n := 2
		for k, x := range v {
			n += 4 + len(k) + valueBytes(x)
		}
		return n
	case []map[string]any:
		n := 2
		for _, m := range v {
			n += 1 + valueBytes(m)
		}
		return n
	}
	// []bool, []int64, []time.Time
	return 2 + 41*customLen(v)
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
