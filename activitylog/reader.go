package activitylog

import (
	"context"
	"time"

	"github.com/scimkit/scim"
)

// Reader is the reading side of a scim.ActivitySink: what the admin page
// lists. Log and sqlstore's Activity implement both.
type Reader interface {
	// Activities returns the tenant's events (never plain requests) that
	// match q, newest first.
	Activities(ctx context.Context, q Query) (Page, error)
	// Health returns, for each kind of client that called on behalf of
	// tenant in the last day, when it last called and how many of its
	// requests failed; in the order Okta, Entra, other.
	Health(ctx context.Context, tenant string) ([]ClientHealth, error)
}

// Query selects events for Reader.Activities.
type Query struct {
	// Tenant is whose events; required.
	Tenant string
	// Kind, when set, keeps only events of that kind.
	Kind scim.ActivityKind
	// Name, when set, keeps only events whose ResourceName (a userName, a
	// group's or a declared resource's name) contains it, compared
	// case-insensitively.
	Name string
	// Offset skips that many matching events; Limit caps how many are
	// returned (a reader may cap it further).
	Offset, Limit int
}

// Page is a page of events.
type Page struct {
	// Activities are the page's events, newest first.
	Activities []scim.Activity
	// More says whether events follow this page.
	More bool
}

// Counts are a client's requests and failures over a period.
type Counts struct {
	// Requests counts every request; Failures those answered 4xx or 5xx.
	Requests, Failures int
}

// FailureRate is Failures over Requests, 0 when there were none.
func (c Counts) FailureRate() float64 {
	if c.Requests == 0 {
		return 0
	}
	return float64(c.Failures) / float64(c.Requests)
}

// QuarantineRate is the failure rate above which Microsoft Entra ID puts
// a provisioning job in quarantine (it then retries after 6, 12 and 24
// hours, then daily, and disables the job after 28 days).
const QuarantineRate = 0.40

// ClientHealth is how one kind of client fares with a tenant.
type ClientHealth struct {
	// Client is the kind of client (Okta, Entra ID, other).
	Client scim.Client
	// LastCall is when it last called on behalf of the tenant.
	LastCall time.Time
	// Hour counts the last 60 minutes; Day the last 24 hours (a reader
	// may count it in whole hours).
	Hour, Day Counts
}

// AtRisk reports whether Entra's failure rate over the last hour or day is
// above QuarantineRate, which would put its provisioning job in
// quarantine; it is false for other clients.
func (h ClientHealth) AtRisk() bool {
	return h.Client == scim.ClientEntra && (h.Hour.FailureRate() > QuarantineRate || h.Day.FailureRate() > QuarantineRate)
}
