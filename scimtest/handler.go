package scimtest

import (
	"context"
	"net/http"
	"testing"
)

// HandlerOptions configures TestHandler. Its zero value works for a handler
// that does no authentication of its own.
type HandlerOptions struct {
	// BasePath is the path the handler serves SCIM at, e.g. "/scim/v2"
	// for a host's whole router. Default "": the conversations request
	// /Users, which a scim.Handler answers wherever it is mounted.
	BasePath string

	// Token, when not empty, is sent as "Authorization: Bearer <Token>" on
	// every request, and turns on errors/bad-token: a wrong token and a
	// missing one must get a 401. Without it that conversation is skipped.
	Token string

	// BadToken is the wrong token errors/bad-token sends. Default: a
	// random one.
	BadToken string

	// ImportUsers is how many users okta/import creates before it pages
	// through all users. Default 150 (two pages of 100).
	ImportUsers int

	// LargeGroupMembers is how many users entra/groups-large adds to one
	// group. Default 20,000.
	LargeGroupMembers int

	// MembersPerPatch is the most members one PATCH of entra/groups-large
	// adds. Default 1,000: the handler's Config.MaxMembersPerRequest must
	// be at least this.
	MembersPerPatch int
}

// TestHandler replays recorded-shape Okta and Microsoft Entra ID
// provisioning conversations against h, in-process, and reports every
// response that would break the identity provider. Each conversation is a
// subtest named after it (t.Run("okta", …) then t.Run("create", …)) whose
// failures cite the identity provider behaviour or RFC section it
// enforces; a conversation reports all the violations it finds, not just
// the first. See Conversations for the list; each conversation's exchanges
// are files in this package's testdata, embedded in the package.
//
// The group conversations (Okta's Push Groups, Entra ID's group
// provisioning) run when h's /ResourceTypes lists Group, and are skipped
// with the reason otherwise.
//
// The rfc conversations run when h serves what they check: rfc/search
// when a search by POST /Users/.search is not answered 404, 405 or 501,
// rfc/cursor when /ServiceProviderConfig says pagination.cursor true.
//
// The conversations use random userNames and displayNames and delete the
// users and groups they create, so h may serve a store that already holds
// some. Use it in a host's own
// test with the handler as the host mounts it:
//
//	func TestSCIM(t *testing.T) {
//		tokens := scim.NewTokens(nil)
//		tokens.Add("test-token-0123456789", "acme", "test", time.Time{})
//		h, err := scim.NewHandler(mystore.New(db), scim.Config{Authenticator: tokens})
//		if err != nil {
//			t.Fatal(err)
//		}
//		scimtest.TestHandler(t, h, scimtest.HandlerOptions{Token: "test-token-0123456789"})
//	}
//
// The same conversations run against a live deployment with
// go run github.com/scimkit/scim/cmd/scimcheck.
func TestHandler(t *testing.T, h http.Handler, opts HandlerOptions) {
	t.Helper()
	target := Target{
		Handler:     h,
		BaseURL:     opts.BasePath,
		Token:       opts.Token,
		BadToken:    opts.BadToken,
		ImportUsers: opts.ImportUsers,

		LargeGroupMembers: opts.LargeGroupMembers,
		MembersPerPatch:   opts.MembersPerPatch,
	}
	groups := map[string][]Conversation{}
	var order []string
	for _, c := range Conversations() {
		if groups[c.IdP] == nil {
			order = append(order, c.IdP)
		}
		groups[c.IdP] = append(groups[c.IdP], c)
	}
	for _, idp := range order {
		t.Run(idp, func(t *testing.T) {
			for _, c := range groups[idp] {
				t.Run(c.Name, func(t *testing.T) {
					if c.NeedsToken && opts.Token == "" {
						t.Skip("HandlerOptions.Token is empty, so there is no authentication to check")
					}
					if why := c.Skip(context.Background(), target); why != "" {
						t.Skip(why)
					}
					c.Run(context.Background(), target, testReporter{t, c})
				})
			}
		})
	}
	// The host's own resource types get a conversation each.
	declared, err := DeclaredConversations(context.Background(), target)
	if err != nil {
		t.Errorf("scimtest: reading the handler's resource types for their conversations: %v", err)
		return
	}
	if len(declared) == 0 {
		return
	}
	t.Run("declared", func(t *testing.T) {
		for _, c := range declared {
			t.Run(c.Name, func(t *testing.T) {
				c.Run(context.Background(), target, testReporter{t, c})
			})
		}
	})
}

// testReporter reports to a subtest.
type testReporter struct {
	t *testing.T
	c Conversation
}

func (r testReporter) Fail(f Failure) {
	r.t.Helper()
	r.t.Errorf("%s\n    enforces: %s", f, r.c.Enforces)
}

func (r testReporter) Logf(format string, args ...any) {
	r.t.Helper()
	r.t.Logf(format, args...)
}
