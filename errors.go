package scim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimkit/scim/filter"
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

// writeError writes err as a SCIM error. Sentinel errors from the Store map
// to their status; an *Error anywhere in the chain is written as it is; any
// other error is a 500 whose text goes to the log with a request id, and
// only the id goes to the client.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := h.toError(r, err)
	if h.cfg.Activity != nil {
		noteRefusal(w, e)
	}
	buf, _ := e.MarshalJSON()
	w.Header().Set("Content-Type", mediaType)
	w.WriteHeader(e.Status)
	w.Write(buf)
}

func (h *Handler) toError(r *http.Request, err error) *Error {
	var e *Error
	var fe *filter.SyntaxError
	var me *filter.MatchError
	var ue *UnknownMembersError
	switch {
	case errors.As(err, &e):
		if e.Status < 400 || e.Status > 599 {
			// A hook or Store that forgot Status: a scimType means the
			// client's mistake, none means ours.
			c := *e
			c.Status = http.StatusInternalServerError
			if e.ScimType != "" {
				c.Status = http.StatusBadRequest
			}
			return &c
		}
		return e
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads this answer.
		return errorf(http.StatusServiceUnavailable, "", "the request was canceled")
	case errors.As(err, &ue):
		return badRequest(ScimTypeInvalidValue, "members must be users or groups of this tenant; "+strings.TrimPrefix(ue.Error(), "scim: "))
	case errors.Is(err, ErrSelfMember):
		return selfMember()
	case errors.Is(err, ErrNotFound):
		return errorf(http.StatusNotFound, "", fmt.Sprintf("no %s with that id", h.nounOf(r)))
	case errors.Is(err, ErrUniqueness):
		msg := h.users.conflict
		if rt := h.typeOf(r); rt != nil && rt.conflict != "" {
			msg = rt.conflict
		}
		return errorf(http.StatusConflict, ScimTypeUniqueness, msg)
	case errors.Is(err, ErrVersionMismatch):
		return errorf(http.StatusPreconditionFailed, "", fmt.Sprintf("the %s has changed since the version given in If-Match; read it again", h.nounOf(r)))
	case errors.Is(err, context.DeadlineExceeded):
		return errorf(http.StatusServiceUnavailable, "", "the request took longer than this service provider allows; try again")
	case errors.Is(err, ErrUnsupportedFilter):
		// The store's own text may name tables or columns: it goes to the
		// log, not to the client.
		// Logged by shape: the filter's literals are attribute values.
		shape, msg := h.filterForLog(r, err)
		h.cfg.Logger.InfoContext(r.Context(), "scim: store cannot evaluate a filter", "filter", shape, "error", msg)
		return badRequest(ScimTypeInvalidFilter, h.unsupportedFilter(err))
	case errors.As(err, &fe):
		return badRequest(ScimTypeInvalidFilter, fe.Error())
	case errors.As(err, &me):
		return badRequest(ScimTypeInvalidFilter, me.Error())
	}
	id := requestID()
	h.cfg.Logger.ErrorContext(r.Context(), "scim: internal error", "request_id", id, "method", r.Method, "path", r.URL.Path, "error", err)
	return errorf(http.StatusInternalServerError, "", "internal error; "+internalErrorID+id)
}

func requestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
