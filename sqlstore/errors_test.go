package sqlstore

import (
	"errors"
	"fmt"
	"testing"
)

// Small look-alikes of the drivers' error types.
type pgError struct{ code string }

func (e *pgError) Error() string    { return "ERROR: duplicate key (SQLSTATE " + e.code + ")" }
func (e *pgError) SQLState() string { return e.code }

type MySQLError struct {
	Number  uint16
	Message string
}

func (e *MySQLError) Error() string { return fmt.Sprintf("Error %d: %s", e.Number, e.Message) }

type sqliteError struct{ code int }

func (e *sqliteError) Error() string { return "constraint failed" }
func (e *sqliteError) Code() int     { return e.code }

func TestIsUniqueViolation(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&pgError{"23505"}, true},
		{fmt.Errorf("insert: %w", &pgError{"23505"}), true},
		{&pgError{"23503"}, false},
		{&MySQLError{Number: 1062, Message: "Duplicate entry"}, true},
		{fmt.Errorf("wrapped: %w", &MySQLError{Number: 1062}), true},
		{&MySQLError{Number: 1452}, false},
		{&sqliteError{2067}, true},
		{&sqliteError{1555}, true},
		{&sqliteError{787}, false},
		{errors.New("UNIQUE constraint failed: users.user_name_lower"), true},
		{errors.New("connection refused"), false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := isUniqueViolation(tt.err); got != tt.want {
			t.Errorf("isUniqueViolation(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
