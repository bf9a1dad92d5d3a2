package scim_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/activitylog"
	"github.com/scimkit/scim/memstore"
)

// teeSink records into each of its sinks.
type teeSink []scim.ActivitySink

func (t teeSink) Record(ctx context.Context, a scim.Activity) {
	for _, s := range t {
		s.Record(ctx, a)
	}
}

// TestActivityHoldsNoAttributeValues checks the activity log's promise
// (README, "The customer's setup page"): attribute names, never values,
// save the userName a uniqueness conflict names. The requests carry a
// secret e-mail address and a secret word where clients send values:
// filter literals, PATCH path filters, attribute values and member ids in
// bodies, query parameters. Each is refused, most with a detail that
// quotes the value to the client; no activity, in the sink or in
// activitylog.Log, may hold either.
func TestActivityHoldsNoAttributeValues(t *testing.T) {
	const (
		email = "s3cr3t.ann@example.com"
		word  = "s3cr3tword"
	)
	log := activitylog.New(0, nil)
	sink := &recordingSink{}
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Activity: teeSink{log, sink}})
	if err != nil {
		t.Fatal(err)
	}
	user := create(t, h, "ann@example.com").ID
	group := createGroup(t, h, "Staff", user).ID
	filter := func(f string) string { return "/Users?filter=" + url.PathEscape(f) }
	patch := func(op string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + op + `]}`
	}
	userBody := func(userName, extra string) string {
		return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + userName + `","name":{"givenName":"A","familyName":"B"}` + extra + `}`
	}
	tests := []struct{ method, target, body string }{
		{"GET", filter(`userName eq ` + word), ""},
		{"GET", filter(`meta.created gt "` + word + `"`), ""},
		{"GET", filter(`active eq "` + word + `"`), ""},
		{"GET", filter(`userName eq "` + word + `" ` + word), ""},
		{"GET", filter(`emails[value eq "` + email + `"] and name.givenName eq ` + word), ""},
		{"GET", "/Users?startIndex=" + word, ""},
		{"GET", "/Users?count=" + url.QueryEscape(email), ""},
		{"POST", "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"sortOrder":"` + word + `"}`},
		{"POST", "/Users", userBody(email, `,"active":"`+word+`"`)},
		{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + email},
		{"PATCH", "/Users/" + user, patch(`{"op":"replace","path":"emails[value eq \"` + email + `\"].value","value":"x@example.com"}`)},
		{"PATCH", "/Users/" + user, patch(`{"op":"remove","path":"emails[value eq ` + word + `]"}`)},
		{"PATCH", "/Users/" + user, patch(`{"op":"replace","path":"name.givenName[value eq \"` + word + `\"]","value":"x"}`)},
		{"PATCH", "/Users/" + user, patch(`{"op":"replace","path":"emails[type eq \"work\"].type","value":"` + word + `"}`)},
		{"PATCH", "/Groups/" + group, patch(`{"op":"add","path":"members","value":[{"value":"` + word + `"}]}`)},
		{"PATCH", "/Groups/" + group, patch(`{"op":"remove","path":"members[value eq \"` + word + `\" or value eq ` + email + `]"}`)},
		{"PUT", "/Groups/" + group, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Staff","members":[{"value":"` + email + `"}]}`},
		// A conflict names the userName (kept), not the body's other values.
		{"POST", "/Users", userBody("ANN@example.com", `,"emails":[{"value":"`+email+`","type":"work"}]`)},
	}
	sink.take()
	echoed := 0
	for _, tt := range tests {
		rec := do(t, h, tt.method, "/scim/v2"+tt.target, tt.body)
		if rec.Code < 400 {
			t.Errorf("%s %s: status %d, want a refusal: %s", tt.method, tt.target, rec.Code, rec.Body)
		}
		if strings.Contains(rec.Body.String(), email) || strings.Contains(rec.Body.String(), word) {
			echoed++
		}
		for _, a := range sink.take() {
			if dump := fmt.Sprintf("%+v", a); strings.Contains(dump, "s3cr3t") {
				t.Errorf("%s %s: the activity holds a value: %s", tt.method, tt.target, dump)
			}
		}
	}
	if echoed < len(tests)/2 {
		t.Errorf("only %d of %d refusals quote the value to the client; the test no longer exercises details with values", echoed, len(tests))
	}
	page, err := log.Activities(context.Background(), activitylog.Query{Kind: scim.ActivityRefused, Limit: 100})
	if err != nil || len(page.Activities) != len(tests) {
		t.Fatalf("activitylog.Log holds %d refusals (%v), want %d", len(page.Activities), err, len(tests))
	}
	for _, a := range page.Activities {
		if dump := fmt.Sprintf("%+v", a); strings.Contains(dump, "s3cr3t") {
			t.Errorf("activitylog.Log holds a value: %s", dump)
		}
	}
	// Names stay: a detail that quotes only names is logged as sent.
	rec := do(t, h, "POST", "/scim/v2/Users", userBody("bo@example.com", `,"Active":true,"emails":[{"value":"bo@example.com","type":"work"}]`))
	e := wantError(t, rec, 400, scim.ScimTypeInvalidSyntax)
	if got := sink.take(); len(got) != 1 || got[0].Detail != e.Detail || !strings.Contains(e.Detail, `"Active"`) {
		t.Errorf("a detail naming only attributes was logged as %+v, want %q", got, e.Detail)
	}
	if conflict := page.Activities[0]; conflict.ScimType != scim.ScimTypeUniqueness || !strings.Contains(conflict.Detail, `"ANN@example.com"`) {
		t.Errorf("the conflict's activity does not name the userName: %+v", conflict)
	}
}
