// Command scimcheck replays real Okta and Microsoft Entra ID provisioning
// conversations against a live SCIM 2.0 service provider and reports every
// response that would break them. It runs the same checks as
// scimtest.TestHandler, over HTTP.
//
// Usage:
//
//	go run github.com/scimkit/scim/cmd/scimcheck -url https://app.example.com/scim/v2 -token "$SCIM_TOKEN"
//
// The flags are:
//
//	-url URL
//		the SCIM base URL, as pasted into the identity provider (required)
//	-token TOKEN
//		the bearer token (default $SCIM_TOKEN); it is never printed
//	-only okta|entra
//		run only that identity provider's conversations (and the error cases)
//	-timeout DURATION
//		the time each request may take (default 30s; both IdPs give up after 60s)
//	-import-users N
//		how many users the import check creates and pages through (default 150)
//	-json
//		print the results as JSON instead of text
//
// Each check is a conversation: Okta's connector test, create, lookup,
// import, profile update and deactivation; Entra ID's test connection,
// create, lookups, both PATCH shapes, work email and deprovisioning; and the
// error cases. The report has one line per check, PASS or FAIL, and under a
// failure what was wrong with the request as sent (without the token) and
// the offending response; it ends with a line "N passed, N failed". The
// exit status is 1 when a check failed and 2 on a usage error.
//
// scimcheck creates users with random names (scimtest.….@okta.local and
// Test_User_<GUID>) and deletes them again, so it can run against a
// deployment that already has users; point it at a test tenant all the
// same.
package main
