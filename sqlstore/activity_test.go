package sqlstore_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/activitylog"
	"github.com/scimkit/scim/sqlstore"
)

// newActivity makes a sink over uniquely named tables that are dropped
// when the test ends.
func (d database) newActivity(t *testing.T, now func() time.Time) *sqlstore.Activity {
	t.Helper()
	db := d.open(t)
	table := "scim_act_" + strings.ToLower(rand.Text()[:10])
	a, err := sqlstore.NewActivity(db, sqlstore.ActivityConfig{Dialect: d.dialect, Table: table, Now: now, MaxAge: 48 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range a.Schema() {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	t.Cleanup(func() {
		db.Exec("DROP TABLE " + table)
		db.Exec("DROP TABLE " + table + "_health")
	})
	return a
}

// TestActivity checks the database sink against the same promises as the
// in-memory activitylog.Log: events newest first, filtered by kind and user,
// paged, per tenant; health per client over the hour and day; pruning by
// age; concurrent Record during Flush.
func TestActivity(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		a := d.newActivity(t, clock)
		for i := range 8 {
			kind := scim.ActivityCreated
			if i%2 == 1 {
				kind = scim.ActivityRefused
			}
			a.Record(ctx, scim.Activity{Time: now.Add(time.Duration(i) * time.Second), Tenant: "acme", Kind: kind,
				ResourceName: fmt.Sprintf("user%d_%%@x.com", i), Status: 201 + 200*(i%2), Client: scim.ClientEntra, Detail: "d<script>"})
			a.Record(ctx, scim.Activity{Time: now.Add(-30 * time.Minute), Tenant: "acme", Kind: scim.ActivityRequest, Status: 200, Client: scim.ClientOkta})
		}
		a.Record(ctx, scim.Activity{Time: now.Add(-3 * time.Hour), Tenant: "acme", Kind: scim.ActivityRequest, Status: 500, Client: scim.ClientOkta})
		a.Record(ctx, scim.Activity{Time: now, Tenant: "globex", Kind: scim.ActivityCreated, ResourceName: "g@x.com", Status: 201})
		if p, _ := a.Activities(ctx, activitylog.Query{Tenant: "acme"}); len(p.Activities) != 0 {
			t.Fatalf("events were written before a flush")
		}
		if err := a.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		names := func(q activitylog.Query) string {
			p, err := a.Activities(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, e := range p.Activities {
				s = append(s, strings.TrimSuffix(e.ResourceName, "_%@x.com"))
			}
			return fmt.Sprintf("%v more=%v", s, p.More)
		}
		for _, tt := range []struct {
			q    activitylog.Query
			want string
		}{
			{activitylog.Query{Tenant: "acme", Limit: 3}, "[user7 user6 user5] more=true"},
			{activitylog.Query{Tenant: "acme", Limit: 3, Offset: 6}, "[user1 user0] more=false"},
			{activitylog.Query{Tenant: "acme", Kind: scim.ActivityRefused}, "[user7 user5 user3 user1] more=false"},
			{activitylog.Query{Tenant: "acme", Name: "USER4_%"}, "[user4] more=false"},
			{activitylog.Query{Tenant: "acme", Name: "r4!"}, "[] more=false"},
			{activitylog.Query{Tenant: "globex"}, "[g@x.com] more=false"},
		} {
			if got := names(tt.q); got != tt.want {
				t.Errorf("Activities(%+v) = %s, want %s", tt.q, got, tt.want)
			}
		}
		p, _ := a.Activities(ctx, activitylog.Query{Tenant: "acme", Limit: 1})
		if e := p.Activities[0]; !e.Time.Equal(now.Add(7*time.Second)) || e.Status != 401 || e.Client != scim.ClientEntra || e.Detail != "d<script>" || e.Tenant != "acme" {
			t.Errorf("event read back as %+v", e)
		}

		hs, err := a.Health(ctx, "acme")
		if err != nil || len(hs) != 2 {
			t.Fatalf("Health = %+v, %v", hs, err)
		}
		if okta := hs[0]; okta.Client != scim.ClientOkta || okta.Hour != (activitylog.Counts{Requests: 8}) || okta.Day != (activitylog.Counts{Requests: 9, Failures: 1}) || !okta.LastCall.Equal(now.Add(-30*time.Minute)) {
			t.Errorf("okta health %+v", okta)
		}
		if entra := hs[1]; entra.Hour != (activitylog.Counts{Requests: 8, Failures: 4}) || !entra.AtRisk() {
			t.Errorf("entra health %+v (50%% failures must be at risk)", entra)
		}
		// A second flush adds to the same minute's row.
		a.Record(ctx, scim.Activity{Time: now.Add(-30 * time.Minute), Tenant: "acme", Kind: scim.ActivityRequest, Status: 200, Client: scim.ClientOkta})
		if err := a.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if hs, _ := a.Health(ctx, "acme"); hs[0].Hour.Requests != 9 {
			t.Errorf("after a second flush okta's hour has %d requests, want 9", hs[0].Hour.Requests)
		}

		// Pruning: three days later everything is past MaxAge (48h).
		mu.Lock()
		now = now.Add(72 * time.Hour)
		mu.Unlock()
		if err := a.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if got := names(activitylog.Query{Tenant: "acme"}); got != "[] more=false" {
			t.Errorf("after pruning: %s", got)
		}

		// Concurrent Record and Flush, for -race.
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range 100 {
					a.Record(ctx, scim.Activity{Tenant: "acme", Kind: scim.ActivityUpdated, ResourceName: fmt.Sprint(i, j), Status: 200})
				}
			}()
		}
		for range 3 {
			if err := a.Flush(ctx); err != nil {
				t.Error(err)
			}
		}
		wg.Wait()
		if err := a.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if p, _ := a.Activities(ctx, activitylog.Query{Tenant: "acme", Limit: 500}); len(p.Activities) != 400 {
			t.Errorf("%d events after concurrent records, want 400", len(p.Activities))
		}
	})
}

// TestActivityHoldsNoAttributeValues checks that refusals a handler
// records in the database sink hold attribute names, never the values
// the requests carried (a filter literal, a PATCH path filter, a member
// id), save the userName a uniqueness conflict names.
func TestActivityHoldsNoAttributeValues(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		ctx := context.Background()
		a := d.newActivity(t, nil)
		s, _, _ := d.newGroupStore(t, sqlstore.Config{Groups: &sqlstore.GroupTables{}})
		h := must(scim.NewHandler(s, scim.Config{Authenticator: scim.SkipAuthentication, Activity: a}))(t)
		user := `{"schemas":["` + scim.UserURN + `"],"userName":"ann@example.com","name":{"givenName":"A","familyName":"B"},"emails":[{"value":"s3cr3t.ann@example.com","type":"work"}]}`
		uid := serve(t, h, "POST", "/Users", user, http.StatusCreated)["id"].(string)
		gid := serve(t, h, "POST", "/Groups", `{"schemas":["`+scim.GroupURN+`"],"displayName":"Staff"}`, http.StatusCreated)["id"].(string)
		patch := `{"schemas":["` + scim.PatchOpURN + `"],"Operations":[%s]}`
		for _, r := range []struct {
			method, target, body string
			status               int
		}{
			{"GET", "/Users?filter=" + url.PathEscape(`userName eq s3cr3tword`), "", http.StatusBadRequest},
			{"PATCH", "/Users/" + uid, fmt.Sprintf(patch, `{"op":"replace","path":"emails[value eq \"s3cr3t.bo@example.com\"].value","value":"x@example.com"}`), http.StatusBadRequest},
			{"PATCH", "/Groups/" + gid, fmt.Sprintf(patch, `{"op":"add","path":"members","value":[{"value":"s3cr3tword"}]}`), http.StatusBadRequest},
			{"POST", "/Users", strings.Replace(user, "ann@", "ANN@", 1), http.StatusConflict},
		} {
			if e := serve(t, h, r.method, r.target, r.body, r.status); r.status == http.StatusBadRequest && !strings.Contains(fmt.Sprint(e["detail"]), "s3cr3t") {
				t.Errorf("%s %s: detail %q does not quote the value to the client", r.method, r.target, e["detail"])
			}
		}
		if err := a.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		p, err := a.Activities(ctx, activitylog.Query{Kind: scim.ActivityRefused})
		if err != nil || len(p.Activities) != 4 {
			t.Fatalf("%d refusals stored (%v), want 4", len(p.Activities), err)
		}
		for _, e := range p.Activities {
			if dump := fmt.Sprintf("%+v", e); strings.Contains(dump, "s3cr3t") {
				t.Errorf("the stored activity holds a value: %s", dump)
			}
		}
		if c := p.Activities[0]; c.ScimType != scim.ScimTypeUniqueness || !strings.Contains(c.Detail, "userName") {
			t.Errorf("the conflict is stored as %+v", c)
		}
	})
}
