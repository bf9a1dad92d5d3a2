// Package scim turns a Go web application into a SCIM 2.0 service provider
// (RFC 7643, RFC 7644) for users, groups and resource types the host
// declares, so that Okta and Microsoft Entra ID can create, update,
// deactivate and import them and push groups.
//
// # Mounting
//
// NewHandler returns an http.Handler. Mount it wherever the host's router
// puts it: under http.StripPrefix("/scim/v2", h), chi's Mount, or a
// ServeMux pattern such as "/scim/v2/" with Config.BasePath. It finds its
// endpoints in the request path, so a per-tenant prefix such as
// /scim/v2/{tenant} works too:
//
//   - /Users and /Users/{id}: GET (list with filter, startIndex and count or
//     an RFC 9865 cursor; one user), POST, PUT, PATCH, DELETE;
//     /Users/.search: POST.
//   - /Groups and /Groups/{id}, /Groups/.search: the same, when the Store
//     is a GroupStore (membership changes are deltas).
//   - The host's own resource types (Config.ResourceTypes), each at its
//     endpoint, such as the demo's /Agents and /Agents/{id},
//     /Agents/.search: the same as /Users, with filters, every PATCH
//     shape, projection, ETags, limits and cursors (when the store pages by
//     key), kept by a ResourceStore.
//   - /.search: POST, a search of every resource type served.
//   - /Schemas, /ResourceTypes, /ServiceProviderConfig: discovery, saying
//     exactly what this handler serves.
//   - /Me and /Bulk: 501, as /ServiceProviderConfig says.
//
// # Implementing a Store
//
// A Store keeps the host's users: Create, User, Replace, Delete and List,
// each taking the request's context, which carries the tenant (TenantFrom).
// A Store that also implements GroupStore serves groups, and one that
// implements ResourceStore keeps the resources of declared types (or each
// ResourceType names its own store).
// memstore is the embedded default; sqlstore maps an existing SQL table;
// scimtest.TestStore checks any implementation against every promise the
// Store documentation makes.
//
// # Errors
//
// Every failed request gets a SCIM error body (RFC 7644 §3.12) written from
// an *Error. Stores wrap ErrNotFound, ErrUniqueness, ErrVersionMismatch and
// ErrUnsupportedFilter with %w; the handler maps them to 404, 409, 412 and
// 400. Any other error is a 500 whose text is logged with a request id and
// never sent to the client.
//
// # Names and values
//
// Attribute names must be spelled as the schema defines them: "UserName" is
// a 400 naming "userName", unless Config.Leniency.CaseInsensitiveNames asks for RFC
// 7643 §2.1's case-insensitive names. Unknown attributes are ignored unless
// Config.Leniency.DisallowUnknownAttributes is set; a password is accepted and never
// stored or returned. userName is unique and compared case-insensitively;
// id and externalId compare exactly.
package scim
