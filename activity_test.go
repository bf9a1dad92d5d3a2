package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/activitylog"
	"github.com/scimkit/scim/memstore"
)

// recordingSink keeps everything the handler records.
type recordingSink struct {
	mu  sync.Mutex
	got []scim.Activity
}

func (s *recordingSink) Record(_ context.Context, a scim.Activity) {
	s.mu.Lock()
	s.got = append(s.got, a)
	s.mu.Unlock()
}

func (s *recordingSink) take() []scim.Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.got
	s.got = nil
	return g
}

// TestActivityFromHandler checks what the handler records for each kind
// of request: plain requests, each change, refusals with status, scimType
// and detail, a 500's request id, and a revoked token's refusal in its
// tenant's log; never a token or a password.
func TestActivityFromHandler(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tokens := scim.NewTokens(func() time.Time { return now })
	tok, _ := tokens.Issue("acme", "okta-2026", time.Time{})
	revoked, _ := tokens.Issue("acme", "old", time.Time{})
	tokens.Revoke("acme", "old")
	sink := &recordingSink{}
	st := newFakeStore()
	h, err := scim.NewHandler(st, scim.Config{Authenticator: tokens, Activity: sink, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	okta := []string{"Authorization", "Bearer " + tok, "User-Agent", "Okta SCIM Client 1.0.0"}
	entra := []string{"Authorization", "Bearer " + tok, "User-Agent", "Microsoft Azure AD SCIM provisioning"}

	type want struct {
		kind                      scim.ActivityKind
		status                    int
		userName, scimType, inDet string
		client                    scim.Client
	}
	var id string
	steps := []struct {
		name string
		run  func()
		want []want
	}{
		{"lookup is a plain request", func() {
			do(t, h, "GET", `/scim/v2/Users?filter=userName%20eq%20"a@x.com"`, "", okta...)
		}, []want{{scim.ActivityRequest, 200, "", "", "", scim.ClientOkta}}},
		{"create", func() {
			rec := do(t, h, "POST", "/scim/v2/Users", strings.Replace(minimalUser("a@x.com", ""), `"active":true`, `"active":true,"password":"hunter2-secret"`, 1), okta...)
			id = decodeUser(t, rec, 201).ID
		}, []want{{scim.ActivityCreated, 201, "a@x.com", "", "", scim.ClientOkta}}},
		{"conflict is refused", func() {
			do(t, h, "POST", "/scim/v2/Users", minimalUser("A@x.com", ""), entra...)
		}, []want{{scim.ActivityRefused, 409, "", "uniqueness", "already exists", scim.ClientEntra}}},
		{"deactivate", func() {
			do(t, h, "PATCH", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`, entra...)
		}, []want{{scim.ActivityDeactivated, 200, "a@x.com", "", "", scim.ClientEntra}}},
		{"delete", func() {
			do(t, h, "DELETE", "/scim/v2/Users/"+id, "", entra...)
		}, []want{{scim.ActivityDeleted, 204, "a@x.com", "", "", scim.ClientEntra}}},
		{"revoked token is refused in its tenant's log", func() {
			do(t, h, "GET", "/scim/v2/Users", "", "Authorization", "Bearer "+revoked)
		}, []want{{scim.ActivityRefused, 401, "", "", "revoked on 2026-03-01", scim.ClientOther}}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.run()
			got := sink.take()
			if len(got) != len(s.want) {
				t.Fatalf("recorded %+v, want %d activities", got, len(s.want))
			}
			for i, w := range s.want {
				g := got[i]
				if g.Kind != w.kind || g.Status != w.status || g.ResourceName != w.userName || g.ScimType != w.scimType ||
					!strings.Contains(g.Detail, w.inDet) || g.Client != w.client || g.Tenant != "acme" || !g.Time.Equal(now) {
					t.Errorf("recorded %+v, want %+v in tenant acme", g, w)
				}
				if w.kind == scim.ActivityRefused && len(g.RequestID) != 16 {
					t.Errorf("refusal has request id %q", g.RequestID)
				}
				if dump := fmt.Sprintf("%+v", g); strings.Contains(dump, tok) || strings.Contains(dump, revoked) || strings.Contains(dump, "hunter2") {
					t.Errorf("activity holds a token or password: %s", dump)
				}
			}
		})
	}

	t.Run("unknown token has no tenant", func(t *testing.T) {
		do(t, h, "GET", "/scim/v2/Users", "", "Authorization", "Bearer scimkit_unknown-0123456789")
		got := sink.take()
		if len(got) != 1 || got[0].Tenant != "" || got[0].Status != 401 {
			t.Fatalf("recorded %+v", got)
		}
	})

	t.Run("a 500's request id is the one in its detail", func(t *testing.T) {
		st.fail = fmt.Errorf("database on fire")
		rec := do(t, h, "GET", "/scim/v2/Users", "", okta...)
		st.fail = nil
		e := wantError(t, rec, 500, "")
		got := sink.take()
		if len(got) != 1 || got[0].RequestID == "" || !strings.HasSuffix(e.Detail, got[0].RequestID) {
			t.Fatalf("recorded %+v for detail %q", got, e.Detail)
		}
		if strings.Contains(got[0].Detail, "fire") {
			t.Errorf("the internal error's text reached the activity log")
		}
	})
}

// TestActivityAllocations bounds what a sink costs a lookup: at most 4
// allocations more than without one (the recorder, its context value and
// the request copy). Without a sink the activity code is behind nil checks
// and allocates nothing.
func TestActivityAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts are measured in full runs")
	}
	measure := func(sink scim.ActivitySink) float64 {
		h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Activity: sink})
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("GET", `/scim/v2/Users?filter=userName%20eq%20"a"`, nil)
		w := httptest.NewRecorder()
		return testing.AllocsPerRun(200, func() {
			w.Body.Reset()
			h.ServeHTTP(w, r)
		})
	}
	without, with := measure(nil), measure(activitylog.New(0, nil))
	if with-without > 4 || with < without {
		t.Errorf("a lookup allocates %.0f times without a sink and %.0f with one; want at most 4 more with one", without, with)
	}
	t.Logf("allocations per lookup: %.0f without a sink, %.0f with activitylog.Log", without, with)
}

func TestClientOf(t *testing.T) {
	for ua, want := range map[string]scim.Client{
		"Okta SCIM Client 1.0.0":                   scim.ClientOkta,
		"Microsoft Azure AD SCIM provisioning":     scim.ClientEntra,
		"Microsoft Azure AD SCIM provisioning 1.2": scim.ClientEntra,
		"Entra-Provisioning/2.0":                   scim.ClientEntra,
		"curl/8.5.0":                               scim.ClientOther,
		"":                                         scim.ClientOther,
	} {
		if got := scim.ClientOf(ua); got != want {
			t.Errorf("ClientOf(%q) = %q, want %q", ua, got, want)
		}
	}
}

func TestActivityLogEvents(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	l := activitylog.New(5, func() time.Time { return now })
	for i := range 8 {
		kind := scim.ActivityCreated
		if i%2 == 1 {
			kind = scim.ActivityRefused
		}
		l.Record(ctx, scim.Activity{Time: now.Add(time.Duration(i) * time.Second), Tenant: "acme", Kind: kind, ResourceName: fmt.Sprintf("user%d@x.com", i), Status: 201})
		l.Record(ctx, scim.Activity{Time: now, Tenant: "acme", Kind: scim.ActivityRequest, Status: 200})
	}
	l.Record(ctx, scim.Activity{Time: now, Tenant: "globex", Kind: scim.ActivityCreated, ResourceName: "g@x.com"})
	names := func(p activitylog.Page) string {
		var s []string
		for _, a := range p.Activities {
			s = append(s, strings.TrimSuffix(a.ResourceName, "@x.com"))
		}
		return fmt.Sprintf("%v more=%v", s, p.More)
	}
	tests := []struct {
		q    activitylog.Query
		want string
	}{
		{activitylog.Query{Tenant: "acme"}, "[user7 user6 user5 user4 user3] more=false"},
		{activitylog.Query{Tenant: "acme", Limit: 2}, "[user7 user6] more=true"},
		{activitylog.Query{Tenant: "acme", Limit: 2, Offset: 4}, "[user3] more=false"},
		{activitylog.Query{Tenant: "acme", Kind: scim.ActivityRefused}, "[user7 user5 user3] more=false"},
		{activitylog.Query{Tenant: "acme", Name: "USER4"}, "[user4] more=false"},
		{activitylog.Query{Tenant: "globex"}, "[g] more=false"},
		{activitylog.Query{Tenant: "initech"}, "[] more=false"},
	}
	for _, tt := range tests {
		p, err := l.Activities(ctx, tt.q)
		if got := names(p); err != nil || got != tt.want {
			t.Errorf("Activities(%+v) = %s, %v; want %s", tt.q, got, err, tt.want)
		}
	}
}

func TestActivityLogHealth(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	l := activitylog.New(0, func() time.Time { return now })
	rec := func(at time.Time, c scim.Client, status int) {
		l.Record(ctx, scim.Activity{Time: at, Tenant: "acme", Kind: scim.ActivityRequest, Status: status, Client: c})
	}
	// Entra: 10 requests 2 hours ago, all fine; 10 in the last hour, 5 failed.
	for i := range 10 {
		rec(now.Add(-2*time.Hour), scim.ClientEntra, 200)
		status := 200
		if i < 5 {
			status = 500
		}
		rec(now.Add(-10*time.Minute), scim.ClientEntra, status)
	}
	// Okta: one request two days ago (forgotten), one now.
	rec(now.Add(-48*time.Hour), scim.ClientOkta, 200)
	rec(now, scim.ClientOkta, 401)
	hs, err := l.Health(ctx, "acme")
	if err != nil || len(hs) != 2 {
		t.Fatalf("Health = %+v, %v", hs, err)
	}
	okta, entra := hs[0], hs[1]
	if okta.Client != scim.ClientOkta || okta.Hour != (activitylog.Counts{Requests: 1, Failures: 1}) || okta.Day != (activitylog.Counts{Requests: 1, Failures: 1}) || !okta.LastCall.Equal(now) || okta.AtRisk() {
		t.Errorf("okta health %+v", okta)
	}
	if entra.Client != scim.ClientEntra || entra.Hour != (activitylog.Counts{Requests: 10, Failures: 5}) || entra.Day != (activitylog.Counts{Requests: 20, Failures: 5}) {
		t.Errorf("entra health %+v", entra)
	}
	if !entra.AtRisk() {
		t.Errorf("Entra at 50%% failures in the last hour is not at risk of quarantine")
	}
	// An hour later the failing hour is out of the hour's window, and 5 of
	// 20 (25%) over the day is no risk.
	now = now.Add(61 * time.Minute)
	hs, _ = l.Health(ctx, "acme")
	if e := hs[len(hs)-1]; e.Hour.Requests != 0 || e.Day != (activitylog.Counts{Requests: 20, Failures: 5}) || e.AtRisk() {
		t.Errorf("an hour later entra health %+v", e)
	}
	if hs, _ := l.Health(ctx, "globex"); len(hs) != 0 {
		t.Errorf("globex sees health %+v", hs)
	}
}

// TestActivityLogConcurrent records and reads from several goroutines, for
// -race.
func TestActivityLogConcurrent(t *testing.T) {
	l := activitylog.New(10, nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 300 {
				l.Record(ctx, scim.Activity{Tenant: fmt.Sprint(i % 2), Kind: scim.ActivityCreated, Status: http.StatusCreated, ResourceName: fmt.Sprint(j)})
				l.Activities(ctx, activitylog.Query{Tenant: "0", Limit: 3})
				l.Health(ctx, "1")
			}
		}()
	}
	wg.Wait()
	if p, _ := l.Activities(ctx, activitylog.Query{Tenant: "0", Limit: 100}); len(p.Activities) != 10 {
		t.Errorf("kept %d events, want the bound 10", len(p.Activities))
	}
}
