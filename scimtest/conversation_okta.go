package scimtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// oktaConversations replay what Okta sends (IDP-TRAFFIC.md, Okta).
var oktaConversations = []Conversation{
	{IdP: "okta", Name: "connection-test", run: oktaConnectionTest,
		Enforces: `Okta's "Test Connector Configuration": a userName filter that matches no user is a 200 with exactly the empty ListResponse, "Resources":[] (RFC 7644 §3.4.2)`},
	{IdP: "okta", Name: "create", run: oktaCreate,
		Enforces: "Okta's create: existence check, POST as Okta sends it → 201 with the full user and its Location, the password neither echoed nor returned; the same create again → 409 uniqueness (RFC 7644 §3.3)"},
	{IdP: "okta", Name: "lookup", run: oktaLookup,
		Enforces: "Okta's lookup by userName finds the user whatever the case of the filter value (userName is caseExact false, RFC 7643 §4.1.1)"},
	{IdP: "okta", Name: "import", run: oktaImport,
		Enforces: "Okta's import: GET startIndex=1&count=100, then 101, … until totalResults; integer paging members, a stable order, every user exactly once, each with id, userName, name.givenName, name.familyName, active and emails[0].value (RFC 7644 §3.4.2.4)"},
	{IdP: "okta", Name: "profile-update", run: oktaProfileUpdate,
		Enforces: "Okta's PUT of the whole object: read-only id, groups and meta are ignored, not rejected; PUT deactivates and reactivates; a PUT without active keeps it (RFC 7644 §3.5.1)"},
	{IdP: "okta", Name: "deactivate", run: oktaDeactivate,
		Enforces: "Okta's deactivate and reactivate: a path-less PATCH replace of active → 200 with the user; an inactive user is still read and still found by filter (RFC 7644 §3.5.2.3)"},
}

// oktaPassword is the password in okta/create.http: it must never come
// back.
const oktaPassword = "1mz050nq"

func oktaConnectionTest(s *session) {
	s.do("okta/lookup-absent", newUser())
}

// create sends a create exchange, tracks the user for clean-up and returns
// its id ("" when there is none; the failure is reported).
func (s *session) create(step string, v vars) (string, *response) {
	resp := s.do(step, v)
	if resp == nil || resp.status/100 != 2 {
		if strings.HasPrefix(step, "entra/") && resp != nil && resp.status == http.StatusBadRequest {
			s.upnProbe.Do(func() { s.explainUPNRefusal(step) })
		}
		return "", resp
	}
	id := stringOr(resp.json, "id")
	s.track(id, v["userName"])
	if id == "" {
		s.failResp(step, resp, "the created user has no id; the conversation cannot go on")
	}
	return id, resp
}

// noPassword fails when the password Okta sent appears anywhere in resp.
func (s *session) noPassword(step string, resp *response) {
	if resp != nil && bytes.Contains(resp.body, []byte(oktaPassword)) {
		s.failResp(step, resp, "the password is returned (RFC 7643 §4.1.1: returned never)")
	}
}

func oktaCreate(s *session) {
	v := newUser()
	s.do("okta/lookup-absent", v)
	id, resp := s.create("okta/create", v)
	s.noPassword("okta/create", resp)
	if id == "" {
		return
	}
	v = v.with("id", id)
	s.noPassword("okta/get", s.do("okta/get", v))
	s.do("okta/create-duplicate", v)
}

func oktaLookup(s *session) {
	v := newUser()
	id, _ := s.create("okta/create", v)
	if id == "" {
		return
	}
	v = v.with("id", id)
	s.do("okta/lookup", v)
	s.do("okta/lookup-other-case", v)
}

// maxImportPages bounds the import's walk through a large live store.
const maxImportPages = 100

func oktaImport(s *session) {
	n := s.t.ImportUsers
	users := make([]vars, n)
	ids := make([]string, n)
	users[0] = newUser()
	if ids[0], _ = s.create("okta/create", users[0]); ids[0] == "" {
		return
	}
	parallel(n-1, func(i int) {
		users[i+1] = newUser()
		ids[i+1], _ = s.create("okta/create", users[i+1])
	})

	labels := make([]string, n)
	for i, u := range users {
		if u != nil {
			labels[i] = u["userName"]
		}
	}
	s.importPages("okta/import-page", "user", ids, labels, s.listedUser)
}

// importPages pages through a list as Okta's import does, with step (an
// exchange that sends startIndex={{startIndex}}&count=100) from 1 until
// totalResults, and checks the paging: integer members, a stable order,
// each resource exactly once, and every id in ids (named by labels) on
// some page. listed checks each listed resource.
func (s *session) importPages(step, noun string, ids, labels []string, listed func(step string, resp *response, r any)) {
	seen := map[string]int{} // id → startIndex of the page that listed it
	var order []string
	total, truncated := -1, false
	for start := 1; ; start += 100 {
		resp := s.do(step, vars{"startIndex": strconv.Itoa(start)})
		if resp == nil || resp.status != http.StatusOK {
			return
		}
		t, ok := intAt(resp.json, "totalResults")
		if !ok {
			return
		}
		if total < 0 {
			total = t
		} else if t != total {
			s.failResp(step, resp, "totalResults changed between pages from %d to %d with no writes in between", total, t)
		}
		res := arrayAt(resp.json, "Resources")
		if ipp, ok := intAt(resp.json, "itemsPerPage"); ok && ipp != len(res) {
			s.failResp(step, resp, "itemsPerPage is %d but Resources has %d %ss", ipp, len(res), noun)
		}
		if len(res) > 100 {
			s.failResp(step, resp, "count=100 but the page has %d %ss", len(res), noun)
		}
		for _, r := range res {
			listed(step, resp, r)
			id := stringOr(r, "id")
			if p, dup := seen[id]; dup && id != "" {
				s.failResp(step, resp, "%s %s is listed again, first on the page at startIndex %d: the order is not stable across pages", noun, id, p)
			}
			seen[id] = start
			order = append(order, id)
		}
		if start-1+100 >= total {
			break
		}
		if len(res) == 0 {
			s.failResp(step, resp, "the page at startIndex %d is empty, but totalResults is %d", start, total)
			return
		}
		if start/100+1 >= maxImportPages {
			s.logf("stopped the import after %d pages of %d %ss (totalResults %d)", maxImportPages, 100, noun, total)
			truncated = true
			break
		}
	}
	if truncated {
		return
	}
	if len(order) != total {
		s.failf(step, "the pages listed %d %ss, but totalResults is %d", len(order), noun, total)
	}
	for i, id := range ids {
		if _, ok := seen[id]; id != "" && !ok {
			s.failf(step, "%s %s (%s) was created but is on no page", noun, id, labels[i])
		}
	}
	// The same page again lists the same resources in the same order.
	resp := s.do(step, vars{"startIndex": "1"})
	if resp == nil || resp.status != http.StatusOK {
		return
	}
	var again []string
	for _, r := range arrayAt(resp.json, "Resources") {
		again = append(again, stringOr(r, "id"))
	}
	if first := order[:min(100, len(order))]; !slices.Equal(first, again) {
		s.failResp(step, resp, "the first page lists other %ss, or the same in another order, when read again: the order is not stable", noun)
	}
}

// listedUser checks a user in an import page has what Okta imports.
func (s *session) listedUser(step string, resp *response, u any) {
	for _, p := range []string{"id", "userName", "name.givenName", "name.familyName"} {
		if _, ok := stringAt(u, p); !ok {
			s.failResp(step, resp, "a listed user (id %q) has no %s", stringOr(u, "id"), p)
		}
	}
	if a, _ := at(u, "active"); a == nil {
		s.failResp(step, resp, "a listed user (id %q) has no active", stringOr(u, "id"))
	} else if _, ok := a.(bool); !ok {
		s.failResp(step, resp, "a listed user (id %q) has active %s, not a boolean", stringOr(u, "id"), describe(a))
	}
	emails := arrayAt(u, "emails")
	if len(emails) == 0 || stringOr(emails[0], "value") == "" {
		s.failResp(step, resp, "a listed user (id %q) has no emails[0].value", stringOr(u, "id"))
	}
}

func intAt(v any, path string) (int, bool) {
	x, _ := at(v, path)
	n, ok := x.(json.Number)
	if !ok || !isInt(n) {
		return 0, false
	}
	i, err := strconv.Atoi(string(n))
	return i, err == nil
}

func oktaProfileUpdate(s *session) {
	v := newUser()
	id, created := s.create("okta/create", v)
	if id == "" {
		return
	}
	v = v.with("id", id)
	createdAt := stringOr(created.json, "meta.created")
	if resp := s.do("okta/put-profile", v); resp != nil && resp.status == http.StatusOK {
		if got := stringOr(resp.json, "meta.created"); createdAt != "" && got != createdAt {
			s.failResp("okta/put-profile", resp, "meta.created changed from %s to %s: meta is read-only and must be ignored (RFC 7643 §3.1)", createdAt, got)
		}
	}
	s.do("okta/get-updated", v)
	s.do("okta/put-deactivate", v)
	s.do("okta/get", v.with("active", "false"))
	s.do("okta/put-omit-active", v.with("active", "false"))
	s.do("okta/get", v.with("active", "false"))
	s.do("okta/put-reactivate", v)
	s.do("okta/put-omit-active", v.with("active", "true"))
	s.do("okta/get", v.with("active", "true"))
}

func oktaDeactivate(s *session) {
	v := newUser()
	id, _ := s.create("okta/create", v)
	if id == "" {
		return
	}
	v = v.with("id", id)
	s.do("okta/patch-deactivate", v)
	inactive := v.with("active", "false")
	s.do("okta/get", inactive)
	s.do("okta/lookup", inactive)
	s.do("okta/patch-reactivate", v)
	s.do("okta/get", v)
}
