// Package browsertest drives the scimadmin setup page in a real headless
// Chromium (Debian's chromium package) through chromedp: the whole story of
// a customer's IT admin, from generating a token to seeing a revoked
// token's requests refused in the log.
//
// It is a module of its own so that the root module keeps no dependency
// beyond the standard library. The test skips when no Chromium is found,
// unless SCIMKIT_BROWSER_TEST=require (as in CI), where that is a failure.
// Run with -update-screenshots to refresh the screenshots in testdata/,
// which the README shows.
package browsertest
