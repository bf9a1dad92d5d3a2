package sqlstore

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/scimkit/scim"
)

// isUniqueViolation reports whether err is a driver's unique-constraint
// violation. sqlstore imports no driver, so it recognises them by shape:
//
//   - PostgreSQL (pgx, lib/pq): a SQLState() string method returning
//     23505.
//   - MySQL and MariaDB (go-sql-driver/mysql): a *MySQLError, whose
//     Number field is 1062 (ER_DUP_ENTRY); read by reflection, since it is
//     a field and not a method. Its text "Error 1062" is checked too.
//   - SQLite (modernc.org/sqlite): a Code() int method returning 2067
//     (SQLITE_CONSTRAINT_UNIQUE) or 1555 (SQLITE_CONSTRAINT_PRIMARYKEY);
//     other drivers by the text "UNIQUE constraint failed".
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var state interface{ SQLState() string }
	if errors.As(err, &state) && state.SQLState() == "23505" {
		return true
	}
	var code interface{ Code() int }
	if errors.As(err, &code) && (code.Code() == 2067 || code.Code() == 1555) {
		return true
	}
	if mysqlNumber(err) == 1062 {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.HasPrefix(msg, "Error 1062")
}

// Values a database refuses with an error instead of storing them are a
// client's mistake, not the host's: sqlstore turns them into a 400
// invalidValue (a *scim.Error) that names the attribute and never quotes
// the value, which may be a megabyte long. checkValues catches what can be
// known before the database is asked; refusedValue maps what only the
// database knows (a column's or an index key's size) after it refused.

// checkValues refuses NUL characters (PostgreSQL's text cannot hold them)
// in every string of u, and, for a comma-joined column, values that are
// empty or hold a comma (they would not read back as they were).
func (s *Store) checkValues(u *scim.User) error {
	for _, f := range [...]struct{ attr, v string }{
		{"userName", u.UserName}, {"externalId", u.ExternalID}, {"name.givenName", u.GivenName},
		{"name.familyName", u.FamilyName}, {"displayName", u.DisplayName}, {"emails.value", u.Email},
	} {
		if strings.IndexByte(f.v, 0) >= 0 {
			return nulError(f.attr)
		}
	}
	for _, a := range s.cfg.Custom {
		switch v := u.Custom[a.Name].(type) {
		case string:
			if strings.IndexByte(v, 0) >= 0 {
				return nulError(a.Name)
			}
		case []string:
			for _, x := range v {
				switch {
				case strings.IndexByte(x, 0) >= 0:
					return nulError(a.Name)
				case a.Multi && (x == "" || strings.Contains(x, ",")):
					return commaError(a.Name)
				}
			}
		}
	}
	return nil
}

func nulError(attr string) error {
	return &scim.Error{Status: http.StatusBadRequest, ScimType: scim.ScimTypeInvalidValue,
		Detail: fmt.Sprintf("attribute %q contains a NUL character (\\u0000), which the database cannot store", attr)}
}

func commaError(attr string) error {
	return &scim.Error{Status: http.StatusBadRequest, ScimType: scim.ScimTypeInvalidValue,
		Detail: fmt.Sprintf("attribute %q: each value must be non-empty and without commas (the values are kept comma-separated)", attr)}
}

// refusedValue returns a 400 invalidValue for err when it is a database's
// refusal of a value (too long for its column or its index, or bytes the
// column's encoding cannot hold), naming the attribute when the error
// names its column or index; otherwise nil.
//
//   - PostgreSQL: SQLSTATE 22001 (value too long for the column), 54000
//     (index row too large, "… for index \"users_user_name_key\""), 22021
//     and 22P05 (bytes the encoding cannot hold).
//   - MySQL and MariaDB: 1406 (data too long for column 'x'), 1366
//     (incorrect string value for column 'x'), 3098 and 1071 (key too
//     long).
//
// userName is the value written for userName: when the database names no
// column (PostgreSQL's "index row requires … bytes"), a userName longer
// than any index takes (2000 bytes) is named as the culprit.
func (s *Store) refusedValue(err error, userName string) error {
	var state interface{ SQLState() string }
	refused := errors.As(err, &state) && slices.Contains([]string{"22001", "54000", "22021", "22P05"}, state.SQLState())
	if !refused {
		n := mysqlNumber(err)
		refused = n == 1406 || n == 1366 || n == 3098 || n == 1071
	}
	if !refused {
		return nil
	}
	attr := s.attributeIn(err.Error())
	if attr == "" && len(userName) > 2000 {
		attr = "userName"
	}
	what := "a value is"
	if attr != "" {
		what = fmt.Sprintf("attribute %q is", attr)
	}
	return &scim.Error{Status: http.StatusBadRequest, ScimType: scim.ScimTypeInvalidValue,
		Detail: what + " longer than the database accepts, or holds characters it cannot store", Err: err}
}

// attributeIn returns the attribute whose column the database's message
// names ('user_name', "…_user_name_key"), or "".
func (s *Store) attributeIn(msg string) string {
	k := s.cfg.Columns
	cols := []struct{ col, attr string }{
		{k.UserNameLower, "userName"}, {k.EmailLower, "emails.value"}, {k.UserName, "userName"},
		{k.ExternalID, "externalId"}, {k.GivenName, "name.givenName"}, {k.FamilyName, "name.familyName"},
		{k.DisplayName, "displayName"}, {k.Email, "emails.value"},
	}
	for _, a := range s.cfg.Custom {
		cols = append(cols, struct{ col, attr string }{a.Column, a.Name})
	}
	for _, c := range cols {
		if c.col != "" && (strings.Contains(msg, "'"+c.col+"'") || strings.Contains(msg, "_"+c.col+"_") || strings.Contains(msg, `"`+c.col+`"`)) {
			return c.attr
		}
	}
	return ""
}

// mysqlNumber is the error number of a go-sql-driver/mysql *MySQLError
// in err's chain, read by reflection as isUniqueViolation does; 0 if none.
func mysqlNumber(err error) uint64 {
	for e := err; e != nil; e = errors.Unwrap(e) {
		v := reflect.ValueOf(e)
		if v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if v.Kind() == reflect.Struct && v.Type().Name() == "MySQLError" {
			if f := v.FieldByName("Number"); f.IsValid() && f.CanUint() {
				return f.Uint()
			}
		}
	}
	return 0
}
