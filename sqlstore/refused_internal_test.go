package sqlstore

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/scimkit/scim"
)

// TestRefusedValueMapping checks refusedValue on look-alikes of the
// drivers' errors, for the databases whose DSN a run may lack.
func TestRefusedValueMapping(t *testing.T) {
	s := &Store{cfg: Config{Columns: Columns{UserName: "user_name", DisplayName: "display_name"},
		Custom: []Custom{{Name: "regions", Column: "regions"}}}}
	tests := []struct {
		err      error
		userName string
		want     string // the attribute named; "-" for none; "" for not a refusal
	}{
		{&pgError{"22021"}, "", "-"},
		{fmt.Errorf("insert: %w", &pgError{"54000"}), strings.Repeat("x", 3000), "userName"},
		{&pgError{"23505"}, "", ""},
		{&MySQLError{Number: 1406, Message: "Data too long for column 'display_name' at row 1"}, "", "displayName"},
		{&MySQLError{Number: 1366, Message: "Incorrect string value: '\\x00' for column 'regions' at row 1"}, "", "regions"},
		{&MySQLError{Number: 1062}, "", ""},
		{errors.New("connection refused"), "", ""},
	}
	for _, tt := range tests {
		got := s.refusedValue(tt.err, tt.userName)
		var e *scim.Error
		switch {
		case tt.want == "":
			if got != nil {
				t.Errorf("%v: %v, want no refusal", tt.err, got)
			}
		case !errors.As(got, &e) || e.Status != 400 || e.ScimType != scim.ScimTypeInvalidValue:
			t.Errorf("%v: %v, want a 400 invalidValue", tt.err, got)
		case tt.want == "-" && strings.Contains(e.Detail, "attribute"):
			t.Errorf("%v: %q names an attribute", tt.err, e.Detail)
		case tt.want != "-" && !strings.Contains(e.Detail, `"`+tt.want+`"`):
			t.Errorf("%v: %q does not name %q", tt.err, e.Detail, tt.want)
		}
	}
}
