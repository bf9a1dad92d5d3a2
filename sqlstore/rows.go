package sqlstore

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// writeCols are the columns Create and Replace write, in the order of
// values.
func (s *Store) writeCols() []string {
	k := s.cfg.Columns
	cols := []string{k.ExternalID, k.UserName, k.GivenName, k.FamilyName, k.DisplayName,
		k.Email, k.Active, k.Created, k.LastModified}
	for _, a := range s.cfg.Custom {
		cols = append(cols, a.Column)
	}
	return cols
}

// values are u's values for writeCols. Empty strings are stored as NULL,
// which the filters treat alike, and which keeps optional columns out of
// indexes.
func (s *Store) values(u *scim.User) ([]any, error) {
	vals := []any{nullString(u.ExternalID), u.UserName, nullString(u.GivenName), nullString(u.FamilyName),
		nullString(u.DisplayName), nullString(u.Email), u.Active, nullTime(u.Meta.Created), nullTime(u.Meta.LastModified)}
	for _, a := range s.cfg.Custom {
		v, err := customValue(a, u.Custom[a.Name])
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
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
		vs, ok := v.([]string)
		if !ok {
			return bad()
		}
		for _, s := range vs {
			if s == "" || strings.Contains(s, ",") {
				return nil, fmt.Errorf("sqlstore: attribute %q: value %q: values of a comma-joined column must be non-empty and without commas", a.Name, s)
			}
		}
		return nullString(strings.Join(vs, ",")), nil
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

// scanAll reads users from rows of selectCols and closes rows.
func (s *Store) scanAll(rows *sql.Rows) ([]*scim.User, error) {
	defer rows.Close()
	var users []*scim.User
	n := 11 + len(s.cfg.Custom)
	dest := make([]any, n)
	for rows.Next() {
		var (
			id, ext, userName, given, family, display, email sql.NullString
			active                                           sql.NullBool
			created, modified                                sql.NullTime
			version                                          int64
		)
		dest = append(dest[:0], &id, &ext, &userName, &given, &family, &display, &email, &active, &created, &modified, &version)
		custom := make([]customScan, len(s.cfg.Custom))
		for i, a := range s.cfg.Custom {
			dest = append(dest, custom[i].dest(a))
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		u := &scim.User{
			ID: id.String, ExternalID: ext.String, UserName: userName.String, GivenName: given.String,
			FamilyName: family.String, DisplayName: display.String, Email: email.String, Active: active.Bool,
			Meta: scim.Meta{Created: dbTime(created.Time), LastModified: dbTime(modified.Time), Version: formatVersion(version)},
		}
		for i, a := range s.cfg.Custom {
			if v := custom[i].value(a); v != nil {
				if u.Custom == nil {
					u.Custom = make(map[string]any, len(s.cfg.Custom))
				}
				u.Custom[a.Name] = v
			}
		}
		users = append(users, u)
	}
	return users, rows.Err()
}

// customScan receives one custom column.
type customScan struct {
	str sql.NullString
	b   sql.NullBool
	n   sql.NullInt64
	t   sql.NullTime
}

func (c *customScan) dest(a Custom) any {
	switch a.Kind {
	case filter.Bool:
		return &c.b
	case filter.Number:
		return &c.n
	case filter.DateTime:
		return &c.t
	}
	return &c.str
}

func (c *customScan) value(a Custom) any {
	switch {
	case a.Multi:
		if c.str.String == "" {
			return nil
		}
		return strings.Split(c.str.String, ",")
	case a.Kind == filter.Bool && c.b.Valid:
		return c.b.Bool
	case a.Kind == filter.Number && c.n.Valid:
		return c.n.Int64
	case a.Kind == filter.DateTime && c.t.Valid:
		return dbTime(c.t.Time)
	case a.Kind == filter.String && c.str.String != "":
		return c.str.String
	}
	return nil
}

// column maps a resolved filter path to its column, for filter.SQL.
func (s *Store) column(p filter.AttrPath) (filter.Column, bool) {
	k := s.cfg.Columns
	str := func(name string) (filter.Column, bool) { return filter.Column{Name: name, Kind: filter.String}, true }
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
			return filter.Column{Name: k.UserName, Kind: filter.String, Folded: k.UserNameLower}, true
		case "name.givenName":
			return str(k.GivenName)
		case "name.familyName":
			return str(k.FamilyName)
		case "displayName.":
			// The served displayName falls back to "given family".
			return str("COALESCE(NULLIF(" + k.DisplayName + ", ''), concat_ws(' ', NULLIF(" + k.GivenName + ", ''), NULLIF(" + k.FamilyName + ", '')))")
		case "emails.value":
			return filter.Column{Name: k.Email, Kind: filter.String, Folded: k.EmailLower, Type: "work"}, true
		case "active.":
			return filter.Column{Name: k.Active, Kind: filter.Bool}, true
		case "meta.created":
			return filter.Column{Name: k.Created, Kind: filter.DateTime}, true
		case "meta.lastModified":
			return filter.Column{Name: k.LastModified, Kind: filter.DateTime}, true
		}
	}
	if p.Sub == "" {
		for _, a := range s.cfg.Custom {
			if a.Name == p.Name {
				return filter.Column{Name: a.Column, Kind: a.Kind, Joined: a.Multi}, true
			}
		}
	}
	return filter.Column{}, false
}
