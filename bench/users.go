package bench

import (
	"strconv"
	"time"

	"github.com/scimkit/scim"
)

// epoch is meta.created of the first preloaded user; user k was created k
// seconds later, so that every peer serves the same timestamps.
var epoch = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// UserName returns the userName of preloaded user k: "user{k}@example.com".
// W2 looks users up by it.
func UserName(k int) string {
	return "user" + strconv.Itoa(k) + "@example.com"
}

// seed is the user with key k as every peer preloads it: the attributes
// Okta and Entra ID provision, and nothing else.
func seed(k int) *scim.User {
	ks := strconv.Itoa(k)
	created := epoch.Add(time.Duration(k) * time.Second)
	return &scim.User{
		ExternalID:  "ext-" + ks,
		UserName:    "user" + ks + "@example.com",
		GivenName:   "Given" + ks,
		FamilyName:  "Family" + ks,
		DisplayName: "Given" + ks + " Family" + ks,
		Email:       "user" + ks + "@example.com",
		Active:      true,
		Meta:        scim.Meta{Created: created, LastModified: created},
	}
}

// The request bodies, exactly as IDP-TRAFFIC.md records them.
var (
	// oktaDeactivate is Okta's deactivation: a path-less replace.
	oktaDeactivate = []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`)

	// entraPatch is Entra ID's default-shape PATCH: capitalised ops, a
	// string boolean and one operation per attribute.
	entraPatch = []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"},{"op":"Replace","path":"emails[type eq \"work\"].value","value":"new@contoso.com"},{"op":"Replace","path":"name.givenName","value":"Ann"},{"op":"Add","path":"externalId","value":"abc"}]}`)
)

// oktaCreate returns Okta's create body for a new user with the given
// sequence number: the shape of IDP-TRAFFIC.md, with a unique userName,
// e-mail and externalId.
func oktaCreate(n uint64) []byte {
	ns := strconv.FormatUint(n, 10)
	b := make([]byte, 0, 384)
	b = append(b, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new`...)
	b = append(b, ns...)
	b = append(b, `@okta.local","name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"new`...)
	b = append(b, ns...)
	b = append(b, `@okta.local","type":"work"}],"displayName":"Test User","locale":"en-US","externalId":"00u`...)
	b = append(b, ns...)
	b = append(b, `","groups":[],"password":"1mz050nq","active":true}`...)
	return b
}
