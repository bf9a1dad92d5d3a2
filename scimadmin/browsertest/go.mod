module github.com/scimkit/scim/scimadmin/browsertest

go 1.26

require (
	github.com/chromedp/chromedp v0.23.1
	github.com/scimkit/scim v0.1.0
)

require (
	github.com/chromedp/cdproto v0.160.1 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
)

// Development happens in the go.work workspace; the replace keeps
// "go mod tidy" (which ignores go.work) working inside this module.
replace github.com/scimkit/scim => ../../
