// Command chi shows scimkit mounted in a chi router, beside the host's own
// routes. chi's Mount leaves r.URL.Path whole (/scim/v2/Users/…); the
// handler finds its endpoints in the path, so no stripping is needed.
//
//	SCIM_TOKEN=… go run ./examples/chi
package main
