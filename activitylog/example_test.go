package activitylog_test

import (
	"context"
	"fmt"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/activitylog"
)

// A Log records what a handler reports (set it as Config.Activity) and
// answers the admin page: a tenant's events, newest first, and each
// client's health against Entra ID's quarantine rate.
func Example() {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	log := activitylog.New(0, func() time.Time { return now })
	ctx := context.Background()
	log.Record(ctx, scim.Activity{Time: now, Tenant: "acme", Kind: scim.ActivityCreated, ResourceName: "ann@example.com", Status: 201, Client: scim.ClientEntra})
	for range 3 {
		log.Record(ctx, scim.Activity{Time: now, Tenant: "acme", Kind: scim.ActivityRefused, Status: 400, Client: scim.ClientEntra})
	}
	log.Record(ctx, scim.Activity{Time: now, Tenant: "globex", Kind: scim.ActivityRequest, Status: 200, Client: scim.ClientOkta})

	page, _ := log.Activities(ctx, activitylog.Query{Tenant: "acme", Kind: scim.ActivityCreated})
	for _, a := range page.Activities {
		fmt.Println(a.Kind, a.ResourceName)
	}
	health, _ := log.Health(ctx, "acme")
	for _, h := range health {
		fmt.Printf("%s: %d of %d failed this hour, at risk %v\n", h.Client, h.Hour.Failures, h.Hour.Requests, h.AtRisk())
	}
	// Output:
	// created ann@example.com
	// Microsoft Entra ID: 3 of 4 failed this hour, at risk true
}
