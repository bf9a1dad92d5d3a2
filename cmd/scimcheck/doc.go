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
//	-only okta|entra|groups|rfc|declared
//		run only that identity provider's conversations, only the group
//		conversations of both, only the rfc conversations of a generic
//		RFC 7644 client, or only the declared resource types'
//		conversations (and, either way, the error cases)
//	-timeout DURATION
//		the time each request may take (default 30s; both IdPs give up after 60s)
//	-import-users N
//		how many users the import check creates and pages through (default 150)
//	-large-group N
//		run entra/groups-large, which creates N users (and deletes them)
//		and adds them to one group in PATCHes of -members-per-patch; without
//		this flag it is skipped
//	-members-per-patch N
//		the most members one PATCH of entra/groups-large adds (default 1000;
//		the service provider's own cap on members per request must be at
//		least this)
//	-json
//		print the results as JSON instead of text
//
// Each check is a conversation: Okta's connector test, create, lookup,
// import, profile update and deactivation; Entra ID's test connection,
// create, lookups, both PATCH shapes, work email and deprovisioning; and the
// error cases. When the service provider's /ResourceTypes lists Group, the
// group conversations run too (otherwise they are reported as skipped,
// with the reason): Okta's Push Groups (push, import, rename, membership
// PATCHes in every shape, full push, wizard PUT, unlink, the user's groups
// attribute) and Entra ID's group provisioning (create, Add, Remove in both
// shapes, rename, excludedAttributes=members, DELETE, deleted users, 20
// concurrent membership PATCHes, and, with -large-group N, a group of N
// members).
// Last come what a client written from the RFCs alone relies on:
// rfc/projection (attributes and excludedAttributes, RFC 7644 §3.9),
// rfc/search (POST /Users/.search, §3.4.3; skipped when a search is
// answered 404, 405 or 501), rfc/cursor (RFC 9865 cursor paging;
// skipped unless /ServiceProviderConfig says pagination.cursor true),
// rfc/remove-active (a PATCH remove of active leaves it unassigned, or is
// a 400 mutability where /Schemas lists it required or read-only, RFC
// 7644 §3.5.2.2), rfc/no-target (a value filter matching nothing is a 400
// noTarget, §3.5.2.3) and rfc/duplicates (an email or member sent twice
// is served once, RFC 7643 §2.4).
// Then, for every resource type /ResourceTypes lists beyond User and Group
// (the types a host declares, such as the demo's /Agents), a conversation
// named declared/<type> built from the type's /Schemas: a create with its
// required attributes filled with valid values of their types (unique ones
// unique to the run), a GET, a filter eq on a required string attribute
// (or on id), a PATCH replace of a writable string attribute read back,
// and a DELETE followed by a GET that must be 404.
// The report has one line per check, PASS, FAIL or SKIP, and under a
// failure what was wrong with the request as sent (without the token) and
// the offending response; it ends with a line "N passed, N failed". The
// exit status is 1 when a check failed and 2 on a usage error.
//
// scimcheck creates users with random names (scimtest.….@okta.local,
// scimtest.….@example.com and Test_User_<GUID>), groups named scimtest-eng-…
// and declared resources whose strings start scimcheck-…, and deletes them
// again (groups first), so it can run against a deployment that already
// has some; point it at a test tenant all the same. A run without
// -large-group sends about 900 requests (under a minute at 50 requests a
// second) and creates about 350 resources, all deleted at the end;
// -large-group N adds N users and about 2N requests (4,000 more for
// -large-group 2000: 80 seconds at 50 requests a second).
package main
