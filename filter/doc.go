// Package filter parses and evaluates SCIM 2.0 filters (RFC 7644
// §3.4.2.2) and PATCH paths (RFC 7644 §3.5.2).
//
// Parse turns the filter of a list request into a small typed tree (see
// Expr); the scim handler resolves its attribute names against the schema
// and hands it to a Store, which pushes it down to its database, looks it
// up with Equalities, or evaluates it on each resource with Match.
// ParsePath does the same for the path of a PATCH operation. The package
// has no dependencies beyond the standard library, and parsing the filter
// an identity provider sends before every create, userName eq "x", costs
// a single allocation.
//
// # Syntax
//
// Parse accepts the whole grammar of RFC 7644 §3.4.2.2:
//
//	userName eq "bjensen"
//	name.familyName co "O'Malley"
//	urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"
//	meta.lastModified gt "2011-05-13T04:42:34Z"
//	title pr and userType eq "Employee"
//	userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")
//	not (emails co "example.com")
//	emails[type eq "work" and value co "@example.com"]
//
// The comparison operators are eq, ne, co, sw, ew, gt, ge, lt, le and pr;
// they, and, or, not, true, false and null are case-insensitive. "and"
// binds tighter than "or", both are left-associative, and parentheses
// group. Literals are JSON: strings with every JSON escape (unescaped into
// Value.Str; an unpaired surrogate becomes U+FFFD as in encoding/json),
// numbers, true, false and null.
//
// An attribute path is an optional schema URN, an attribute name and an
// optional sub-attribute. The URN is everything before the last ':' and is
// stored without it. Names follow RFC 7643 (a letter, then letters,
// digits, '-' and '_'; "$ref" is accepted too) and are recorded as
// written; the handler resolves them. Inside a value path's brackets the
// names are bare sub-attribute names, and value paths do not nest.
//
// Tokens are separated by one or more spaces, tabs or line breaks, which
// are also allowed at both ends of the filter, around parentheses and
// inside brackets. Where the RFC requires a space (around and and or,
// between an attribute, its operator and its value) at least one is
// required.
//
// Entra ID looks users up by work e-mail with
// emails[type eq "work"].value eq "x", which the RFC grammar does not
// allow; Parse accepts it as emails[type eq "work" and value eq "x"].
//
// Limits bounds the length of a filter, the depth of its nesting and the
// length of its string literals; Parse and ParsePath apply
// DefaultMaxLength, DefaultMaxDepth and DefaultMaxValueLength. Matching
// costs time linear in the lengths of the value and the literal, co, sw
// and ew with case folding included.
//
// Every node's String method returns the canonical text of the tree:
// lower-case operators, single spaces, parentheses only where precedence
// needs them and strings re-escaped as JSON. Parse reads it back into an
// equal tree.
//
// # Matching
//
// Match evaluates a tree against a Resource, the read-only view of a user
// that an in-memory store implements without allocating. Its doc states
// the semantics: case-insensitive strings unless Compare.CaseExact,
// numbers, booleans and date-times compared by kind, pr and null per RFC
// 7643, and any-value semantics for multi-valued attributes.
//
// # Errors
//
// Parse and ParsePath return a *SyntaxError with the byte offset of the
// problem and a message saying what was expected and what was found:
//
//	filter: offset 9: expected a comparison operator after "userName", found "eqq"
//
// Match and Check return a *MatchError when an operator does not apply to
// its operands, for example gt with a boolean or co on a number. The scim
// handler answers both with 400 and scimType invalidFilter. Neither
// Parse nor Match panics on any input.
//
// # Pushing filters down to a store
//
// A store backed by a database translates the tree into its query
// language, walking the four node types. Most lookups are simpler:
// Equalities recognises an eq comparison, an "and" of them and the work
// e-mail value path, which is every lookup Okta and Entra ID send, so a
// store can answer them from an index and fall back to Match (or to
// ErrUnsupportedFilter) for the rest.
package filter
