package scim

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// ActivitySink receives what the handler did, for the customer's
// provisioning log and connection health (see package scimadmin). Set it
// in Config.Activity.
//
// The handler calls Record once per request, on the request's goroutine,
// after the response is written: with Kind ActivityRequest for a request
// that succeeded without changing anything (a lookup, a list), which a sink
// only counts for health; with a change's kind for each change; with
// ActivityRefused for a request answered with an error. Record must be
// cheap (it is on every request's path), must not keep ctx, and must be
// safe for concurrent use. It returns nothing: the response is written by
// then, and a sink that fails logs it itself.
type ActivitySink interface {
	Record(ctx context.Context, a Activity)
}

// ActivityKind says what an Activity was.
type ActivityKind string

// The kinds of activity. The changes are those of EventKind.
const (
	// ActivityRequest is a request that succeeded without changing
	// anything: counted for health, not kept as an event.
	ActivityRequest     ActivityKind = "request"
	ActivityCreated     ActivityKind = "created"
	ActivityUpdated     ActivityKind = "updated"
	ActivityDeactivated ActivityKind = "deactivated"
	ActivityReactivated ActivityKind = "reactivated"
	ActivityDeleted     ActivityKind = "deleted"
	ActivityAdopted     ActivityKind = "adopted"
	// ActivityRefused is a request answered with an error (4xx or 5xx).
	ActivityRefused ActivityKind = "refused"
	// The changes to groups: ResourceID and ResourceName then hold the
	// group's id and displayName.
	ActivityGroupCreated ActivityKind = "group created"
	ActivityGroupUpdated ActivityKind = "group updated"
	ActivityGroupDeleted ActivityKind = "group deleted"
)

// ActivityKinds lists the kinds kept as events, in the order a filter
// offers them.
var ActivityKinds = []ActivityKind{ActivityCreated, ActivityUpdated, ActivityDeactivated,
	ActivityReactivated, ActivityDeleted, ActivityAdopted, ActivityGroupCreated, ActivityGroupUpdated,
	ActivityGroupDeleted, ActivityRefused}

// Client is the kind of SCIM client that sent a request, told by its
// User-Agent.
type Client string

// The clients told apart.
const (
	ClientOkta  Client = "Okta"
	ClientEntra Client = "Microsoft Entra ID"
	ClientOther Client = "Other"
)

// Clients lists the clients in the order Health reports them.
var Clients = []Client{ClientOkta, ClientEntra, ClientOther}

// ClientOf tells the client by its User-Agent: Okta sends "Okta SCIM
// Client 1.0.0"; Microsoft Entra ID "Microsoft Azure AD SCIM
// provisioning" (any User-Agent naming Azure AD, Entra or Microsoft counts
// as Entra). It does not allocate.
func ClientOf(userAgent string) Client {
	switch {
	case containsFold(userAgent, "okta"):
		return ClientOkta
	case containsFold(userAgent, "azure ad"), containsFold(userAgent, "entra"), containsFold(userAgent, "microsoft"):
		return ClientEntra
	}
	return ClientOther
}

// containsFold reports whether s contains the lower-case ASCII sub in any
// case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// Activity is one request's outcome or one change, as the activity log
// keeps it. It never holds a token, a password or attribute values beyond
// the user's userName.
type Activity struct {
	Time   time.Time
	Tenant string
	Kind   ActivityKind
	// ResourceID and ResourceName name the resource changed (empty for
	// plain requests and refusals): a user's id and userName, a group's id
	// and displayName, a declared type's resource's id and displayName (or
	// name). Kind says which type it is ("created", "group created",
	// "agent created").
	ResourceID   string
	ResourceName string
	// Status is the HTTP status of the response.
	Status int
	// ScimType and Detail are a refusal's, as the client got them but for
	// the values the detail quotes: each is "…", save the userName a
	// uniqueness conflict names. Names of attributes stay.
	ScimType string
	Detail   string
	// RequestID identifies a refusal; for a 500 it is the id in the
	// detail and in the handler's log record.
	RequestID string
	// Method and Path are the request's; TokenLabel the label of its
	// bearer token (never the token).
	Method     string
	Path       string
	TokenLabel string
	Client     Client
}

// Failed reports whether the request failed (status 400 or above), as
// identity providers count failures.
func (a Activity) Failed() bool { return a.Status >= 400 }

// activityRecorder is the handler's record of one request for
// Config.Activity: it sees the response status, the refusal and the
// changes, and reports them to the sink when the request ends. It exists
// only when a sink is set.
type activityRecorder struct {
	http.ResponseWriter
	status  int
	refusal *Error
	changes []Activity
}

type activityKey struct{}

func (a *activityRecorder) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
	a.ResponseWriter.WriteHeader(status)
}

func (a *activityRecorder) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	return a.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (a *activityRecorder) Unwrap() http.ResponseWriter { return a.ResponseWriter }

// startActivity wraps w and puts the recorder in r's context, for
// writeError and changed to find.
func (h *Handler) startActivity(w http.ResponseWriter, r *http.Request) (*activityRecorder, http.ResponseWriter, *http.Request) {
	rec := &activityRecorder{ResponseWriter: w}
	return rec, rec, r.WithContext(context.WithValue(r.Context(), activityKey{}, rec))
}

// noteRefusal is writeError's part: the error the client got.
func noteRefusal(w http.ResponseWriter, e *Error) {
	if rec, ok := w.(*activityRecorder); ok && rec.refusal == nil {
		rec.refusal = e
	}
}

// noteChange is changed's part: a change the request made, to the user or
// declared resource u, which label names.
func noteChange(ctx context.Context, kind ActivityKind, u *User, label func(*User) string) {
	if rec, ok := ctx.Value(activityKey{}).(*activityRecorder); ok {
		rec.changes = append(rec.changes, Activity{Kind: kind, ResourceID: u.ID, ResourceName: label(u)})
	}
}

// activityKind is the activity log's kind of a change of kind to one of
// h's resources: "created" for a user, "agent created" for a declared
// Agent (groups' are "group created").
func (h *Handler) activityKind(kind EventKind) ActivityKind {
	if h.generic {
		return ActivityKind(h.users.noun + " " + kind.String())
	}
	return ActivityKind(kind.String())
}

// noteGroupChange is groupChanged's part: a change to a group.
func noteGroupChange(ctx context.Context, kind EventKind, g *Group) {
	if rec, ok := ctx.Value(activityKey{}).(*activityRecorder); ok {
		rec.changes = append(rec.changes, Activity{Kind: ActivityKind("group " + kind.String()), ResourceID: g.ID, ResourceName: g.DisplayName})
	}
}

// finishActivity reports the request to the sink. r is the request as the
// handler last saw it, with the tenant and principal in its context.
func (h *Handler) finishActivity(rec *activityRecorder, r *http.Request) {
	ctx := r.Context()
	p, _ := PrincipalFrom(ctx)
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	base := Activity{Time: h.cfg.Now(), Tenant: TenantFrom(ctx), Kind: ActivityRequest, Status: status,
		Method: r.Method, Path: r.URL.Path, TokenLabel: p.Label, Client: ClientOf(r.UserAgent())}
	if e := rec.refusal; e != nil || status >= 400 {
		base.Kind = ActivityRefused
		if e != nil {
			base.ScimType, base.Detail = e.ScimType, h.activityDetail(e)
			if _, id, ok := strings.Cut(e.Detail, internalErrorID); ok && e.Status == http.StatusInternalServerError {
				base.RequestID = id
			}
		}
		if base.RequestID == "" {
			base.RequestID = requestID()
		}
		h.cfg.Activity.Record(ctx, base)
		return
	}
	if len(rec.changes) == 0 {
		h.cfg.Activity.Record(ctx, base)
		return
	}
	for _, c := range rec.changes {
		a := base
		a.Kind, a.ResourceID, a.ResourceName = c.Kind, c.ResourceID, c.ResourceName
		h.cfg.Activity.Record(ctx, a)
	}
}

// internalErrorID precedes the request id in a 500's detail.
const internalErrorID = "request id "
