package scimtest

// errorConversations are the error cases both identity providers rely
// on: each answer is a SCIM error with the right status and scimType
// (RFC 7644 §3.12), never a 500, an HTML page or a silent success.
var errorConversations = []Conversation{
	{IdP: "errors", Name: "unknown-id", run: errorsUnknownID,
		Enforces: `GET, PUT, PATCH and DELETE of an unknown id → 404 with the Error schema, a detail and status "404" as a string (RFC 7644 §3.12)`},
	{IdP: "errors", Name: "duplicate", run: errorsDuplicate,
		Enforces: "a create whose userName differs from an existing one only in case → 409 uniqueness (userName is caseExact false, RFC 7643 §4.1.1)"},
	{IdP: "errors", Name: "bad-token", run: errorsBadToken, NeedsToken: true,
		Enforces: `a wrong or missing bearer token → 401 with the Error schema and status "401", and nothing is created (RFC 7644 §2)`},
	{IdP: "errors", Name: "bad-filter", run: errorsBadFilter,
		Enforces: "a filter that does not parse → 400 invalidFilter, never an unfiltered list (RFC 7644 §3.4.2.2)"},
	{IdP: "errors", Name: "bad-json", run: errorsBadJSON,
		Enforces: "a body that is not a JSON object → 400 invalidSyntax, not a 500, and nothing is created (RFC 7644 §3.12)"},
}

func errorsUnknownID(s *session) {
	v := newUser()
	s.do("errors/unknown-id-get", v)
	s.do("errors/unknown-id-put", v)
	s.do("errors/unknown-id-patch", v)
	s.do("errors/unknown-id-delete", v)
}

func errorsDuplicate(s *session) {
	v := newUser()
	if id, _ := s.create("errors/create", v); id == "" {
		return
	}
	if resp := s.do("errors/duplicate-cased", v); resp != nil && resp.status/100 == 2 {
		s.track(stringOr(resp.json, "id"), v["upperUserName"])
	}
}

func errorsBadToken(s *session) {
	v := newUser()
	s.do("errors/bad-token", v)
	s.do("errors/no-token", v)
	if resp := s.do("errors/bad-token-create", v); resp != nil && resp.status/100 == 2 {
		s.track(stringOr(resp.json, "id"), v["userName"])
		return
	}
	s.do("errors/lookup-absent", v)
}

func errorsBadFilter(s *session) {
	v := newUser()
	s.do("errors/bad-filter-incomplete", v)
	s.do("errors/bad-filter-operator", v)
	s.do("errors/bad-filter-unclosed", v)
}

func errorsBadJSON(s *session) {
	v := newUser()
	s.do("errors/bad-json", v)
	s.do("errors/bad-json-not-object", v)
	s.do("errors/lookup-absent", v)
}
