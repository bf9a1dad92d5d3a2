// Package memstore is scimkit's embedded default Store: users held in
// memory, indexed, and safe for concurrent use.
//
// # Using it
//
// memstore.New returns an empty Store to pass to scim.NewHandler. It suits
// demos, tests and small deployments that can lose their users on restart
// (the identity provider provisions them again on its next cycle); a host
// with a user table uses sqlstore or its own Store instead.
//
// # Behaviour
//
// Users are partitioned by the tenant in the context (scim.TenantFrom).
// IDs are random version 4 UUIDs; versions count the writes of a user and
// read W/"1", W/"2", …. userName is unique per tenant, compared as
// strings.EqualFold does. Users go in and come out as copies, so no caller
// can change a stored user except through the Store.
//
// # Performance
//
// List pages through users in creation order at O(Count·log n) for any
// startIndex. The lookups Okta and Entra ID send (userName, externalId or
// work email with eq, alone or joined by and) are answered from indexes;
// other filters are evaluated with filter.Match on every user of the
// tenant. Reads of a tenant run in parallel; writes to one tenant are
// serialised, writes to different tenants are not. A user as Okta creates
// one costs about 470 bytes of heap at 100,000 users and 520 at 1,000,000
// (BenchmarkHeapPerUser), indexes included, and one heap object of its
// own (its strings, packed into one allocation; its entry sits in a chunk
// of 1,024 shared with other users, and custom attributes, when it has
// them, are more): the order and the indexes hold no pointers, so a
// garbage collection of a large store costs ~0.1 µs of CPU per user
// rather than several. Chunks are kept when users are deleted and reused
// by later creates; the store does not shrink.
//
// memstore passes scimtest.TestStore.
package memstore
