// Package scimtest is scimkit's conformance kit: checks that a Store and a
// handler behave as Okta, Microsoft Entra ID and RFC 7643/7644 expect.
//
// # Testing a Store
//
// TestStore runs every promise of the scim.Store contract as a named
// subtest against stores that a function returns fresh for each check:
//
//	func TestStore(t *testing.T) {
//		scimtest.TestStore(t, func(t *testing.T) scim.Store {
//			return mystore.Open(t.TempDir())
//		})
//	}
//
// Each subtest is named after the rule it enforces (UserNameUniqueIgnoringCase,
// StablePaging, TenantIsolation, …), reports every violation it finds,
// and on failure logs the rule with the RFC section or the identity
// provider behaviour it comes from. Run it with -race: some checks write
// from many goroutines at once. Checks of optional capability interfaces
// run only for stores that implement them. A store that serves groups is
// also held to ids unique across users and groups (IDsDisjointAcrossTypes,
// RFC 7643 §3.1), which a store over two tables numbered from 1 each
// breaks, and to resolving a member without a type to the one resource
// with its id (TypelessMemberResolvesByID).
//
// A promise the kit cannot check is not made: if a Store passes TestStore,
// the handler can rely on it.
//
// # Testing a store of a declared resource type
//
// TestResourceStore checks a scim.ResourceStore for one host-declared type
// (scim.Config.ResourceTypes) the same way: round trips in which every
// value keeps its Go type, versions, copies, stable and keyset paging,
// filters against filter.Match, the uniqueness of the type's unique
// attributes, tenant isolation and the removal of deleted references. Its
// cases are derived from the type's schema, so any declared type is
// checked. It needs a store that holds no resource of the type (it refuses
// one that does before writing anything) and deletes what it created:
//
//	func TestAgents(t *testing.T) {
//		scimtest.TestResourceStore(t, func(t *testing.T) scim.ResourceStore {
//			return mystore.Open(t.TempDir())
//		}, agentType)
//	}
//
// # Testing a handler
//
// TestHandler replays Okta's and Entra ID's provisioning conversations
// (see Conversations; the exchanges are embedded from testdata) against an
// http.Handler in-process, one subtest per conversation, each citing what
// it enforces; pass HandlerOptions.Token to check authentication too:
//
//	func TestSCIM(t *testing.T) {
//		h := app.NewSCIMHandler(testDB(t)) // the host's own wiring
//		scimtest.TestHandler(t, h, scimtest.HandlerOptions{Token: testToken})
//	}
//
// When the handler's /ResourceTypes lists Group, the group conversations
// run too: Okta's Push Groups and Entra ID's group provisioning, with 20
// concurrent membership PATCHes on one group and a group of 20,000 members
// built in PATCHes of at most 1,000 (HandlerOptions.LargeGroupMembers and
// MembersPerPatch size it). A handler without groups has them skipped,
// with the reason.
//
// Last come the conversations of a generic client written from the RFCs
// alone: rfc/projection (attributes and excludedAttributes, RFC 7644
// §3.9), rfc/search (POST /Users/.search, §3.4.3) and rfc/cursor (RFC
// 9865 cursor paging), then the PATCH and multi-valued corners
// third-party conformance runs probe: rfc/remove-active (a remove of
// active leaves it unassigned, or is a 400 mutability where /Schemas
// lists it required or read-only, RFC 7644 §3.5.2.2), rfc/no-target (a
// value filter that matches nothing is a 400 noTarget that writes
// nothing, §3.5.2.3) and rfc/duplicates (an email or a group member sent
// twice is served once, primary true at most once, RFC 7643 §2.4).
// rfc/search is skipped when a search is answered 404, 405 or 501,
// rfc/cursor unless /ServiceProviderConfig says pagination.cursor true;
// where the RFC leaves a choice (a mis-cased or unknown name in
// attributes, an unassigned active served absent or false, a duplicate
// refused or collapsed), either answer passes.
//
// # Testing limits
//
// TestLimits attacks every attribute the handler's /Schemas advertises,
// for every resource type /ResourceTypes lists, with what a client holding
// a valid token could send: a string one byte over its limit, a NUL, one
// value over Limits.MaxValues, a resource over Limits.MaxResourceBytes;
// by POST, by PUT and by each PATCH shape. Each must be a 4xx naming the
// attribute, and nothing may be written:
//
//	scimtest.TestLimits(t, h, scimtest.LimitsOptions{Limits: cfg.Limits})
//
// Target and Reporter run the same conversations anywhere; cmd/scimcheck
// runs them against a live deployment. DeclaredConversations adds one for
// each resource type a host declares (scim.Config.ResourceTypes), built
// from the type's /Schemas: create, get, filter, PATCH and delete.
package scimtest
