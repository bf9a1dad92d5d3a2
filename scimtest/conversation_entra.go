package scimtest

import (
	"net/http"
	"strings"
)

// entraConversations replay what Microsoft Entra ID sends (IDP-TRAFFIC.md,
// Entra).
var entraConversations = []Conversation{
	{IdP: "entra", Name: "test-connection", run: entraTestConnection,
		Enforces: `Entra ID's "Test Connection": a userName filter on a random GUID is a 200 with the empty ListResponse (RFC 7644 §3.4.2)`},
	{IdP: "entra", Name: "create", run: entraCreate,
		Enforces: "Entra ID's create as Entra sends it, enterprise extension URN included → 201 with id and externalId; the same create again → 409 uniqueness (RFC 7644 §3.3)"},
	{IdP: "entra", Name: "lookup", run: entraLookup,
		Enforces: `Entra ID's lookups by each matching attribute: userName, externalId, and emails[type eq "work"].value (RFC 7644 §3.4.2.2)`},
	{IdP: "entra", Name: "patch-default", run: entraPatchDefault,
		Enforces: `Entra ID's default PATCH: capitalised ops, "False" as a string, one op per attribute, Add of externalId → 200 or 204, and a read shows every change (RFC 7644 §3.5.2)`},
	{IdP: "entra", Name: "patch-flagged", run: entraPatchFlagged,
		Enforces: "Entra ID's aadOptscim062020 PATCH: a path-less replace with dotted keys and real booleans → 200 or 204, and a read shows every change (RFC 7644 §3.5.2.3)"},
	{IdP: "entra", Name: "work-email", run: entraWorkEmail,
		Enforces: `Entra ID removes the work email, then adds one to a user that has none: the Add to emails[type eq "work"].value creates the element (RFC 7644 §3.5.2.1)`},
	{IdP: "entra", Name: "deprovision", run: entraDeprovision,
		Enforces: `Entra ID's soft delete (PATCH active "False"; the user stays readable and findable), then DELETE → 204, then GET → 404 (RFC 7644 §3.6)`},
}

func entraTestConnection(s *session) {
	s.do("entra/test-connection", newEntraUser())
}

// entraUser creates a user as Entra ID does and returns its values with
// its id; nil when there is no id.
func (s *session) entraUser() vars {
	v := newEntraUser()
	id, _ := s.create("entra/create", v)
	if id == "" {
		return nil
	}
	return v.with("id", id)
}

func entraCreate(s *session) {
	v := newEntraUser()
	s.do("entra/lookup-absent", v)
	id, _ := s.create("entra/create", v)
	if id == "" {
		return
	}
	v = v.with("id", id)
	s.do("entra/get-created", v)
	s.do("entra/create-duplicate", v)
}

func entraLookup(s *session) {
	v := s.entraUser()
	if v == nil {
		return
	}
	s.do("entra/lookup-username", v)
	s.do("entra/lookup-externalid", v)
	s.do("entra/lookup-email", v)
}

func entraPatchDefault(s *session) {
	v := s.entraUser()
	if v == nil {
		return
	}
	if resp := s.do("entra/patch-default", v); resp != nil && resp.status/100 == 2 {
		s.do("entra/get-after-patch-default", v)
	}
}

func entraPatchFlagged(s *session) {
	v := s.entraUser()
	if v == nil {
		return
	}
	if resp := s.do("entra/patch-flagged", v); resp != nil && resp.status/100 == 2 {
		s.do("entra/get-after-patch-flagged", v)
	}
}

func entraWorkEmail(s *session) {
	v := s.entraUser()
	if v == nil {
		return
	}
	resp := s.do("entra/patch-remove-work-email", v)
	if resp == nil || resp.status/100 != 2 {
		if resp != nil && resp.status == http.StatusBadRequest {
			s.logf("the service provider refused to remove the work email (it may require one), so a user without one cannot exist; the Add was not checked: %s", stringOr(resp.json, "detail"))
		}
		return
	}
	if resp := s.do("entra/get-no-work-email", v); resp != nil && resp.status == http.StatusOK {
		for _, e := range arrayAt(resp.json, "emails") {
			if strings.EqualFold(stringOr(e, "type"), "work") || stringOr(e, "value") == v["email"] {
				s.failResp("entra/get-no-work-email", resp, "the work email is still there after its Remove")
			}
		}
	}
	if resp := s.do("entra/patch-add-work-email", v); resp != nil && resp.status/100 == 2 {
		s.do("entra/get-work-email", v)
	}
}

func entraDeprovision(s *session) {
	v := s.entraUser()
	if v == nil {
		return
	}
	inactive := v.with("active", "false")
	if resp := s.do("entra/patch-soft-delete", v); resp != nil && resp.status/100 == 2 {
		s.do("entra/get-inactive", inactive)
		s.do("entra/lookup-username", inactive)
	}
	if resp := s.do("entra/delete", v); resp == nil || resp.status != http.StatusNoContent {
		return
	}
	s.forget(v["id"])
	s.do("entra/get-deleted", v)
	s.do("entra/lookup-absent", v)
}

// upnNotMail is the failure a service provider that keeps userName and the
// work email in one field gets from Entra ID: one line that says what
// Entra sends and what to change.
const upnNotMail = `the service provider refuses a user whose userName differs from its work email, and takes one whose userName equals it: ` +
	`Entra ID sends userName = userPrincipalName and emails[type eq "work"].value = mail, which differ in many tenants; ` +
	`keep userName and the work email in separate columns, or change Entra's attribute mapping so that userName comes from mail instead of userPrincipalName`

// explainUPNRefusal runs after Entra's create got a 400: it creates, on
// the side, an Entra user whose userName is its work email, as a tenant
// whose user principal names equal their mail addresses has them. When
// that one is taken, the 400 was the refusal of userName ≠ email, and
// step gets upnNotMail as its failure. The probe reports nothing of its
// own, and its user is deleted with the others.
func (s *session) explainUPNRefusal(step string) {
	v := newEntraUser()
	v = v.with("userName", v["email"], "upperUserName", strings.ToUpper(v["email"]))
	ex, err := loadExchange(step)
	if err != nil {
		return
	}
	req, err := ex.request(s.base, v)
	if err != nil {
		return
	}
	quiet := &session{ctx: s.ctx, t: s.t, r: discard{}, check: s.check, base: s.base, client: s.client, fails: map[string]int{}}
	resp := quiet.send(step, req)
	if resp == nil || resp.status/100 != 2 {
		return
	}
	s.track(stringOr(resp.json, "id"), v["userName"])
	// Past maxFailuresPerStep too: concurrent creates (groups-parallel's
	// 20) may have used up the step's share before the probe answered.
	s.mu.Lock()
	defer s.mu.Unlock()
	s.r.Fail(Failure{Check: s.check, Step: step, Message: upnNotMail})
}
