package sqlstore

import (
	"errors"
	"reflect"
	"strings"
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
	for e := err; e != nil; e = errors.Unwrap(e) {
		v := reflect.ValueOf(e)
		if v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if v.Kind() == reflect.Struct && v.Type().Name() == "MySQLError" {
			if f := v.FieldByName("Number"); f.IsValid() && f.CanUint() && f.Uint() == 1062 {
				return true
			}
		}
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.HasPrefix(msg, "Error 1062")
}
