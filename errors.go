package scim

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// The scimType values of RFC 7644 §3.12 that scimkit uses.
const (
	ScimTypeInvalidFilter = "invalidFilter"
	ScimTypeTooMany       = "tooMany"
	ScimTypeUniqueness    = "uniqueness"
	ScimTypeMutability    = "mutability"
	ScimTypeInvalidSyntax = "invalidSyntax"
	ScimTypeInvalidPath   = "invalidPath"
	ScimTypeNoTarget      = "noTarget"
	ScimTypeInvalidValue  = "invalidValue"
	ScimTypeInvalidVers   = "invalidVers"
	ScimTypeSensitive     = "sensitive"
)

// Error is a SCIM error (RFC 7644 §3.12): the one type the handler writes
// for every failed request. A Store or a hook may return one (directly or
// wrapped) to choose the response itself.
type Error struct {
	// Status is the HTTP status code, e.g. 400. One outside 400–599 is
	// served as 400 when ScimType is set and 500 otherwise.
	Status int
	// ScimType is one of the ScimType… constants, or "" (it is omitted from
	// the response then).
	ScimType string
	// Detail is a message for a person, naming what was wrong.
	Detail string
	// Err is the underlying error, if any; it is never written to the client.
	Err error
}

// Error returns the detail prefixed with "scim: ".
func (e *Error) Error() string { return "scim: " + e.Detail }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// MarshalJSON writes the error in the SCIM wire format, with status as a
// string as RFC 7644 §3.12 requires.
func (e *Error) MarshalJSON() ([]byte, error) {
	return json.Marshal(errorBody{
		Schemas:  []string{ErrorURN},
		Status:   strconv.Itoa(e.Status),
		ScimType: e.ScimType,
		Detail:   e.Detail,
	})
}

type errorBody struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail,omitempty"`
}

func errorf(status int, scimType, detail string) *Error {
	return &Error{Status: status, ScimType: scimType, Detail: detail}
}

func badRequest(scimType, detail string) *Error {
	return errorf(http.StatusBadRequest, scimType, detail)
}
