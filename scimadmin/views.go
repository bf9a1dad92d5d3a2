package scimadmin

import (
	"fmt"
	"html/template"
	"strconv"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/activitylog"
)

// The data each template gets. Values reach the page only through
// html/template, which escapes them for where they appear.

type homePage struct {
	Tenant        string
	BaseURL       string
	CSRF          string
	Tokens        []tokenView
	Lifetime      []lifetimeOption
	Kinds         []scim.ActivityKind
	HasActivity   bool
	ActivityError bool
	Log           logView
	Health        []healthRow
	// Revoked is the label of a token just revoked, for the notice.
	Revoked string
}

type tokenView struct {
	Hash, Label                        string
	Created, Expires, LastUsed, Status string
	Active                             bool
}

// tokenRow says what the page shows of a token: never the token itself.
func tokenRow(t scim.TokenInfo, now time.Time) tokenView {
	v := tokenView{Hash: t.Hash, Label: t.Label, Created: when(t.Created), Expires: "never", LastUsed: "never", Status: "ACTIVE", Active: true}
	if !t.NotAfter.IsZero() {
		v.Expires = when(t.NotAfter)
	}
	if !t.LastUsed.IsZero() {
		v.LastUsed = when(t.LastUsed)
	}
	switch {
	case !t.Revoked.IsZero():
		v.Status, v.Active = "REVOKED", false
	case !t.NotAfter.IsZero() && !now.Before(t.NotAfter):
		v.Status, v.Active = "EXPIRED", false
	}
	return v
}

type tokenPage struct {
	Token   string
	Info    tokenView
	BaseURL string
}

type revokePage struct {
	Token tokenView
	CSRF  string
}

type lifetimeOption struct {
	Days     int
	Label    string
	Selected bool
}

// lifetimeOptions offers the usual lifetimes, with the configured default
// selected (and offered when it is not one of them).
func lifetimeOptions(def time.Duration) []lifetimeOption {
	days := max(int(def/(24*time.Hour)), 1)
	opts := []lifetimeOption{{30, "30 days", false}, {90, "90 days", false}, {180, "180 days", false}, {365, "1 year", false}, {730, "2 years", false}}
	found := false
	for i := range opts {
		if opts[i].Days == days {
			opts[i].Selected, found = true, true
		}
	}
	if !found {
		opts = append(opts, lifetimeOption{days, strconv.Itoa(days) + " days", true})
	}
	return opts
}

type logView struct {
	Kind, User   string
	Page         int
	Kinds        []scim.ActivityKind
	Rows         []activityView
	Newer, Older string
	// Query is the log's query string, for the script that refreshes it.
	Query string
}

type activityView struct {
	Time, Kind, UserName, UserID string
	Status                       int
	ScimType, Detail, RequestID  string
	Request, Client, TokenLabel  string
	Refused                      bool
}

func activityRow(a scim.Activity) activityView {
	return activityView{Time: when(a.Time), Kind: string(a.Kind), UserName: a.ResourceName, UserID: a.ResourceID,
		Status: a.Status, ScimType: a.ScimType, Detail: a.Detail, RequestID: a.RequestID,
		Request: a.Method + " " + a.Path, Client: string(a.Client), TokenLabel: a.TokenLabel,
		Refused: a.Kind == scim.ActivityRefused}
}

type healthRow struct {
	activitylog.ClientHealth
	Ago string
}

// when formats a time for people, in UTC so that every admin reads the
// same clock.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// ago says how long ago t was, roughly.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	}
	return plural(int(d/(24*time.Hour)), "day") + " ago"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

var funcs = template.FuncMap{
	"percent": func(c activitylog.Counts) string {
		if c.Requests == 0 {
			return "–"
		}
		return fmt.Sprintf("%.0f%%", 100*c.FailureRate())
	},
	"counts": func(c activitylog.Counts) string {
		if c.Requests == 0 {
			return "no requests"
		}
		return fmt.Sprintf("%s, %d failed (%.0f%%)", plural(c.Requests, "request"), c.Failures, 100*c.FailureRate())
	},
	"quarantine": func() string { return fmt.Sprintf("%.0f%%", 100*activitylog.QuarantineRate) },
}
