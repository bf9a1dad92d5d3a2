package sqlstore

import (
	"cmp"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// writeCols are the columns Create and Replace write, in the order of
// values: the columns of the kept attributes, then the folded copies
// SQLite's store writes itself.
func (s *Store) writeCols() []string {
	k := s.cfg.Columns
	cols := make([]string, 0, len(s.cols)+2)
	for _, c := range s.cols {
		cols = append(cols, c.name)
	}
	if s.cfg.Dialect == SQLite {
		if k.UserNameLower != "" {
			cols = append(cols, k.UserNameLower)
		}
		if k.EmailLower != "" {
			cols = append(cols, k.EmailLower)
		}
	}
	return cols
}

// values are u's values for writeCols. Empty strings are stored as NULL,
// which the filters treat alike, and which keeps optional columns out of
// indexes.
func (s *Store) values(u *scim.User) ([]any, error) {
	if err := s.checkValues(u); err != nil {
		return nil, err
	}
	vals, err := s.rowValues(u)
	if err != nil {
		return nil, err
	}
	if s.cfg.Dialect == SQLite {
		if s.cfg.Columns.UserNameLower != "" {
			vals = append(vals, foldString(u.UserName))
		}
		if s.cfg.Columns.EmailLower != "" {
			vals = append(vals, nullString(foldString(u.Email)))
		}
	}
	return vals, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return dbTime(t)
}

// customValue converts a User.Custom value for a's column.
func customValue(a Custom, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	bad := func() (any, error) {
		return nil, fmt.Errorf("sqlstore: attribute %q: a %T cannot be stored in a %v column", a.Name, v, a.Kind)
	}
	if a.Multi {
		text, ok := joinValues(a.Kind, v)
		if !ok {
			return bad()
		}
		for _, s := range text {
			if s == "" || strings.Contains(s, ",") {
				return nil, commaError(a.Name)
			}
		}
		return nullString(strings.Join(text, ",")), nil
	}
	switch v := v.(type) {
	case string:
		if a.Kind == filter.String {
			return nullString(v), nil
		}
	case bool:
		if a.Kind == filter.Bool {
			return v, nil
		}
	case int64:
		if a.Kind == filter.Number {
			return v, nil
		}
	case time.Time:
		if a.Kind == filter.DateTime {
			return nullTime(v), nil
		}
	}
	return bad()
}

// scanAll reads users from rows of selectCols (of selectLean when lean)
// and closes rows.
func (s *Store) scanAll(rows *sql.Rows, lean bool) ([]*scim.User, error) {
	defer rows.Close()
	var users []*scim.User
	for rows.Next() {
		u, _, err := s.scanRow(rows.Scan, lean)
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	return users, rows.Err()
}

// scanRow reads one row of selectCols (of selectLean when lean) with
// scan, and returns the user and the values of its columns (Store.cols;
// the left-out one nil).
func (s *Store) scanRow(scan func(...any) error, lean bool) (*scim.User, []any, error) {
	var (
		id      sql.NullString
		version int64
	)
	hs := make([]holder, len(s.cols))
	dest := make([]any, 0, len(s.cols)+2)
	dest = append(dest, &id)
	for i, c := range s.cols {
		if !lean || i != s.attrsAt {
			dest = append(dest, hs[i].dest(c))
		}
	}
	if s.cfg.Columns.Version != "" {
		dest = append(dest, &version)
	}
	if err := scan(dest...); err != nil {
		return nil, nil, err
	}
	vals := make([]any, len(s.cols))
	for i, c := range s.cols {
		vals[i] = hs[i].value(c)
	}
	u := s.userFrom(id.String, vals)
	if s.cfg.Columns.Version != "" {
		u.Meta.Version = formatVersion(version)
	} else {
		u.Meta.Version = contentVersion(vals)
	}
	return u, vals, nil
}

// column maps a resolved filter path to its column, for filter.SQL.
func (s *Store) column(p filter.AttrPath) (filter.Column, bool) {
	k := s.cfg.Columns
	str := func(name string) (filter.Column, bool) {
		return filter.Column{Name: name, Kind: filter.String}, name != ""
	}
	if p.URN == "" {
		switch p.Name + "." + p.Sub {
		case "id.":
			if s.cfg.IDs == DatabaseIDs {
				return filter.Column{Name: k.ID, Kind: filter.Number}, true
			}
			return str(k.ID)
		case "externalId.":
			return str(k.ExternalID)
		case "userName.":
			return filter.Column{Name: k.UserName, Kind: filter.String, Folded: k.UserNameLower, Fold: s.fold()}, true
		case "name.givenName":
			return str(k.GivenName)
		case "name.familyName":
			return str(k.FamilyName)
		case "displayName.":
			// The served displayName falls back to "given family" (or
			// whichever of them the table keeps).
			var parts []string
			for _, c := range []string{k.GivenName, k.FamilyName} {
				if c != "" {
					parts = append(parts, "NULLIF("+c+", '')")
				}
			}
			fallback := ""
			if len(parts) > 0 {
				fallback = "concat_ws(' ', " + strings.Join(parts, ", ") + ")"
			}
			switch {
			case k.DisplayName == "":
				return str(fallback)
			case fallback == "":
				return str(k.DisplayName)
			}
			return str("COALESCE(NULLIF(" + k.DisplayName + ", ''), " + fallback + ")")
		case "emails.value":
			folded := k.EmailLower
			if k.Email == k.UserName {
				folded = k.UserNameLower
			}
			work := filter.Column{Name: k.Email, Kind: filter.String, Folded: folded, Fold: s.fold(), Type: "work"}
			if c, ok := s.emailsColumn(p, work); ok {
				return c, true
			}
			return work, k.Email != ""
		case "emails.type", "emails.primary", "emails.display":
			return s.emailsColumn(p, filter.Column{})
		case "active.":
			return filter.Column{Name: k.Active, Kind: filter.Bool}, k.Active != ""
		case "meta.created":
			return filter.Column{Name: k.Created, Kind: filter.DateTime}, k.Created != ""
		case "meta.lastModified":
			// Served as meta.created without a column of its own.
			c := cmp.Or(k.LastModified, k.Created)
			return filter.Column{Name: c, Kind: filter.DateTime}, c != ""
		}
	}
	if p.Sub == "" {
		for _, a := range s.cfg.Custom {
			if a.Name == p.Name {
				return filter.Column{Name: a.Column, Kind: a.Kind, Joined: a.Multi}, true
			}
		}
	}
	return s.attributesColumn(p)
}

// joinValues returns the text of each value of a multi-valued attribute:
// strings as they are, integers in decimal, booleans as true and false,
// times in RFC 3339 (UTC, nanoseconds).
func joinValues(k filter.Kind, v any) ([]string, bool) {
	var text []string
	switch v := v.(type) {
	case []string:
		return v, k == filter.String
	case []int64:
		for _, n := range v {
			text = append(text, strconv.FormatInt(n, 10))
		}
		return text, k == filter.Number
	case []bool:
		for _, b := range v {
			text = append(text, strconv.FormatBool(b))
		}
		return text, k == filter.Bool
	case []time.Time:
		for _, t := range v {
			text = append(text, t.UTC().Format(time.RFC3339Nano))
		}
		return text, k == filter.DateTime
	}
	return nil, false
}

// splitValues reads back what joinValues wrote; a value it cannot read
// (written by something else) is dropped.
func splitValues(k filter.Kind, text []string) any {
	switch k {
	case filter.Number:
		var vs []int64
		for _, s := range text {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				vs = append(vs, n)
			}
		}
		return vs
	case filter.Bool:
		var vs []bool
		for _, s := range text {
			if b, err := strconv.ParseBool(s); err == nil {
				vs = append(vs, b)
			}
		}
		return vs
	case filter.DateTime:
		var vs []time.Time
		for _, s := range text {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				vs = append(vs, t.UTC())
			}
		}
		return vs
	}
	return text
}

// fold is the Go folding of the Folded columns the store writes itself
// (SQLite's), nil where the database computes them.
func (s *Store) fold() func(string) string {
	if s.cfg.Dialect == SQLite {
		return foldString
	}
	return nil
}

// foldString maps s to a key that two strings share exactly when
// strings.EqualFold holds for them (Unicode simple folding, the folding
// of filter.Match): each rune becomes the smallest rune of its folding
// orbit, lower-cased when that is an ASCII letter, so that keys order as
// Match orders strings ignoring case.
func foldString(s string) string {
	return strings.Map(func(r rune) rune {
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		if 'A' <= min && min <= 'Z' {
			min += 'a' - 'A'
		}
		return min
	}, s)
}
