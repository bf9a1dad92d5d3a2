package scimtest

// rfcNoTarget is rfc/no-target: RFC 7644 §3.5.2.3 makes a replace whose
// value filter matches no element a 400 noTarget, and a PATCH that fails
// changes nothing. Identity providers' upserts (Entra ID's
// emails[type eq "work"].value on a user without one) are their own
// conversations; these filters match nothing any service provider could
// mean to create: a type no email has, and a value no email has.
func rfcNoTarget(s *session) {
	v := s.rfcUser()
	if v == nil {
		return
	}
	s.do("rfc/no-target-type", v)
	s.do("rfc/no-target-value", v)
	s.do("rfc/no-target-get", v)
}
