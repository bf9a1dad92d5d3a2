module github.com/scimkit/scim/examples

go 1.26

require github.com/scimkit/scim v0.0.0

require github.com/go-chi/chi/v5 v5.5.0

// Development happens in the go.work workspace; the replace keeps
// "go mod tidy" (which ignores go.work) working inside this module.
replace github.com/scimkit/scim => ../
