package scim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scimkit/scim/schema"
)

// Profile selects how much of RFC 7643's User a handler serves.
type Profile int

const (
	// ProfileStrict is the default and the product's promise to admins:
	// the attributes identity providers provision (userName, the work
	// email, name.givenName, name.familyName, externalId, displayName,
	// active), validated with case-sensitive names. A host keeps more of
	// the RFC's attributes by naming them in Config.Keep; /Schemas
	// advertises exactly what is kept.
	ProfileStrict Profile = iota
	// ProfileRFC serves the whole core User of RFC 7643 §4.1 and the
	// enterprise extension of §4.3: every attribute accepted, stored,
	// returned, filterable and patchable; multi-valued attributes of any
	// type and several per type, with primary true at most once; names
	// case-insensitive (RFC 7643 §2.1); only userName required.
	ProfileRFC
)

// userSchema builds the served User schema and its extensions for the
// profile, the attributes kept, and the host's own.
func (c *Config) userSchema() (user schema.Schema, exts []schema.Schema, err error) {
	full, ent := schema.FullUser(), schema.EnterpriseUser()
	if c.Profile == ProfileRFC {
		user = schema.FullUser(c.Attributes...)
		return user, append([]schema.Schema{ent}, c.Extensions...), nil
	}
	user = schema.User()
	kept := ent
	kept.Attributes = nil
	for _, name := range c.Keep {
		urn, attr := splitURN(name)
		if urn == "" || strings.EqualFold(urn, schema.UserURN) {
			i := slices.IndexFunc(full.Attributes, func(a schema.Attribute) bool { return a.Name == attr })
			if i < 0 {
				return user, nil, fmt.Errorf("scim: Config.Keep: %q is not an attribute of RFC 7643's User", name)
			}
			if j := slices.IndexFunc(user.Attributes, func(a schema.Attribute) bool { return a.Name == attr }); j >= 0 {
				user.Attributes[j] = full.Attributes[i] // name, emails: all of it
			} else {
				user.Attributes = append(user.Attributes, full.Attributes[i])
			}
			continue
		}
		if !strings.EqualFold(urn, schema.EnterpriseUserURN) {
			return user, nil, fmt.Errorf("scim: Config.Keep: %q is not an attribute of RFC 7643's User or its enterprise extension", name)
		}
		i := slices.IndexFunc(ent.Attributes, func(a schema.Attribute) bool { return a.Name == attr })
		if i < 0 {
			return user, nil, fmt.Errorf("scim: Config.Keep: %q is not an attribute of the enterprise extension", name)
		}
		kept.Attributes = append(kept.Attributes, ent.Attributes[i])
	}
	user.Attributes = append(user.Attributes, c.Attributes...)
	if len(kept.Attributes) > 0 {
		exts = append(exts, kept)
	}
	return user, append(exts, c.Extensions...), nil
}

// keepsAllEmails reports whether every email is kept (in User.Custom)
// rather than the work email alone: the RFC profile, or Keep naming
// emails (with or without the User URN).
func (c *Config) keepsAllEmails() bool {
	return c.Profile == ProfileRFC || slices.ContainsFunc(c.Keep, func(k string) bool {
		urn, n := splitURN(k)
		return n == "emails" && (urn == "" || strings.EqualFold(urn, schema.UserURN))
	})
}

// typedAttributes are the core User attributes held in User's fields,
// handled by name; every other attribute is held in User.Custom.
var typedAttributes = []string{"userName", "name", "displayName", "active", "password", "groups", "emails"}

// isCustom reports whether the core attribute d is held in User.Custom:
// any attribute but the typed ones, and emails when the handler keeps all
// of them (the work email is then derived into User.Email).
func (h *Handler) isCustom(urn string, d *schema.Attribute) bool {
	if urn != "" || h.generic {
		return true
	}
	if d.Name == "emails" {
		return h.allEmails
	}
	return !slices.Contains(typedAttributes, d.Name)
}

// deriveEmail sets u.Email from the emails kept in u.Custom: the work
// email, or else the primary one, or else the first. Stores and the
// strict profile's lookups keep using User.Email.
func (h *Handler) deriveEmail(u *User) {
	if !h.allEmails {
		return
	}
	list, _ := u.Custom["emails"].([]map[string]any)
	u.Email = ""
	pick := -1
	for i, m := range list {
		if t, _ := m["type"].(string); strings.EqualFold(t, "work") {
			pick = i
			break
		}
		if p, _ := m["primary"].(bool); p && pick < 0 {
			pick = i
		}
	}
	if pick < 0 && len(list) > 0 {
		pick = 0
	}
	if pick >= 0 {
		u.Email, _ = list[pick]["value"].(string)
	}
}
