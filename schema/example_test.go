package schema_test

import (
	"fmt"

	"github.com/scimkit/scim/schema"
)

// A host declares its own attributes as plain data; Validate finds the
// mistakes before the handler serves them.
func ExampleSchema_Validate() {
	regions := schema.Attribute{Name: "regions", Type: schema.String, MultiValued: true,
		Description: "The data regions the user may access."}
	u := schema.User(regions)
	fmt.Println(u.Validate())

	typo := schema.User(schema.Attribute{Name: "Active", Type: schema.Boolean})
	fmt.Println(typo.Validate())
	// Output:
	// <nil>
	// schema: urn:ietf:params:scim:schemas:core:2.0:User: attribute "Active" is declared twice (as "active" and "Active")
}
